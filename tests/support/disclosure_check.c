/* The attacker's side of the disclosure tests (see disclosure_check.h). */
#include "disclosure_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EQ   512
#define MAX_UNK  128
#define MAX_MEMB 256

struct system {
    int eqs, unknowns;
    double a[MAX_EQ][MAX_UNK];     /* coefficients over the withheld cells */
    int members[MAX_EQ][MAX_MEMB]; /* for the enumeration: cell indexes, the parent first */
    int member_count[MAX_EQ];
};

static int unknown_of(const int *map, int cell)
{
    return map[cell];
}

/* Adds the equation parent = Σ children (cells). */
static void add_equation(struct system *s, const int *map, int parent, const int *children,
                         int count)
{
    if (s->eqs >= MAX_EQ)
        abort();
    int e = s->eqs++;
    memset(s->a[e], 0, sizeof s->a[e]);
    s->member_count[e] = 0;
    s->members[e][s->member_count[e]++] = parent;
    if (unknown_of(map, parent) >= 0)
        s->a[e][unknown_of(map, parent)] -= 1;
    for (int i = 0; i < count; i++) {
        s->members[e][s->member_count[e]++] = children[i];
        if (unknown_of(map, children[i]) >= 0)
            s->a[e][unknown_of(map, children[i])] += 1;
    }
}

static void build(struct system *s, const bool *withheld, int rows, int cols, const int *col_parent,
                  int *map)
{
    s->eqs = 0;
    s->unknowns = 0;
    for (int i = 0; i < rows * cols; i++)
        map[i] = withheld[i] ? s->unknowns++ : -1;
    if (s->unknowns > MAX_UNK)
        abort();
    int children[MAX_MEMB];
    for (int r = 0; r < rows; r++)
        for (int p = 0; p < cols; p++) {
            int count = 0;
            for (int c = 0; c < cols; c++)
                if (col_parent[c] == p)
                    children[count++] = r * cols + c;
            if (count)
                add_equation(s, map, r * cols + p, children, count);
        }
    if (rows > 1)
        for (int c = 0; c < cols; c++) {
            int count = 0;
            for (int r = 1; r < rows; r++)
                children[count++] = r * cols + c;
            add_equation(s, map, c, children, count);
        }
}

/* Reduced row echelon form in place; the pivot row of each unknown (-1). */
static void rref(struct system *s, int *pivot_row)
{
    int row = 0;
    for (int u = 0; u < s->unknowns; u++) {
        pivot_row[u] = -1;
        int best = -1;
        for (int e = row; e < s->eqs; e++)
            if (fabs(s->a[e][u]) > 1e-9 && (best < 0 || fabs(s->a[e][u]) > fabs(s->a[best][u])))
                best = e;
        if (best < 0)
            continue;
        for (int k = 0; k < s->unknowns; k++) {
            double t = s->a[row][k];
            s->a[row][k] = s->a[best][k];
            s->a[best][k] = t;
        }
        double f = s->a[row][u];
        for (int k = 0; k < s->unknowns; k++)
            s->a[row][k] /= f;
        for (int e = 0; e < s->eqs; e++)
            if (e != row && fabs(s->a[e][u]) > 1e-9) {
                double g = s->a[e][u];
                for (int k = 0; k < s->unknowns; k++)
                    s->a[e][k] -= g * s->a[row][k];
            }
        pivot_row[u] = row++;
    }
}

/* Enumeration: every assignment of 1..bound to the unknowns that satisfies
 * every equation; seen[u][v]: value v fits unknown u. */
struct enumeration {
    const struct system *s;
    const int *map;
    long *value;        /* per cell: published values, then the tried ones */
    const int *cell_of; /* unknown -> cell */
    long bound;
    unsigned char (*seen)[64];
};

static bool satisfied_so_far(const struct enumeration *en, int assigned)
{
    for (int e = 0; e < en->s->eqs; e++) {
        bool complete = true;
        long sum = 0;
        for (int i = 1; i < en->s->member_count[e]; i++) {
            int c = en->s->members[e][i], u = en->map[c];
            if (u >= assigned)
                complete = false;
            else
                sum += en->value[c];
        }
        int p = en->s->members[e][0], pu = en->map[p];
        bool parent_known = pu < assigned;
        if (parent_known && sum > en->value[p])
            return false;
        if (complete && parent_known && sum != en->value[p])
            return false;
    }
    return true;
}

static void try_values(struct enumeration *en, int u)
{
    if (u == en->s->unknowns) {
        for (int k = 0; k < en->s->unknowns; k++)
            en->seen[k][en->value[en->cell_of[k]]] = 1;
        return;
    }
    for (long v = 0; v <= en->bound; v++) {
        en->value[en->cell_of[u]] = v;
        if (satisfied_so_far(en, u + 1))
            try_values(en, u + 1);
    }
}

int disclosure_determined(const long *n, const bool *withheld, int rows, int cols,
                          const int *col_parent, int enumerate_max)
{
    static struct system s;
    int *map = malloc(sizeof(int) * (size_t)(rows * cols));
    build(&s, withheld, rows, cols, col_parent, map);
    int found = -1;
    int pivot_row[MAX_UNK], cell_of[MAX_UNK];
    for (int i = 0; i < rows * cols; i++)
        if (map[i] >= 0)
            cell_of[map[i]] = i;
    rref(&s, pivot_row);
    for (int u = 0; u < s.unknowns && found < 0; u++) {
        int r = pivot_row[u];
        if (r < 0)
            continue;
        bool alone = true;
        for (int k = 0; k < s.unknowns; k++)
            if (k != u && fabs(s.a[r][k]) > 1e-9)
                alone = false;
        if (alone)
            found = cell_of[u];
    }
    if (found < 0 && s.unknowns > 0 && s.unknowns <= enumerate_max && n[0] < 64) {
        build(&s, withheld, rows, cols, col_parent, map); /* the equations again */
        long *value = malloc(sizeof(long) * (size_t)(rows * cols));
        for (int i = 0; i < rows * cols; i++)
            value[i] = n[i];
        unsigned char(*seen)[64] = calloc((size_t)s.unknowns, sizeof *seen);
        struct enumeration en = {&s, map, value, cell_of, n[0], seen};
        try_values(&en, 0);
        for (int u = 0; u < s.unknowns && found < 0; u++) {
            int fits = 0;
            for (int v = 0; v < 64; v++)
                fits += seen[u][v];
            if (fits == 1)
                found = cell_of[u];
        }
        free(seen);
        free(value);
    }
    free(map);
    return found;
}
