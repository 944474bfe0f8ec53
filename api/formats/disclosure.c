/* Complementary suppression over a table of periods × partition (see
 * disclosure.h). */
#include "disclosure.h"

#include <math.h>
#include <stdlib.h>

const int disclosure_year_tree[DISCLOSURE_YEAR_COLS] = {-1, 0, 0, 0, 0, 1, 1, 1, 2,
                                                        2,  2, 3, 3, 3, 4, 4, 4};

/* One equation: the parent cell, `count` children from `first`, `stride`
 * apart (cell indexes). */
struct equation {
    int parent, first, stride, count;
};

/* Withholds a second member of `e`: the public child with the smallest
 * non-zero size, else a public zero child, else the parent when it may be
 * withheld (not row 0). True when a cell changed. */
static bool withhold_another(const struct equation *e, const long *n, int cols, bool *withheld)
{
    int best = -1;
    for (int i = 0; i < e->count; i++) {
        int c = e->first + i * e->stride;
        if (!withheld[c] &&
            (best < 0 || (n[best] == 0 && n[c] > 0) || (n[c] > 0 && n[c] < n[best])))
            best = c;
    }
    if (best < 0 && e->parent >= cols && !withheld[e->parent])
        best = e->parent;
    if (best < 0)
        return false;
    withheld[best] = true;
    return true;
}

/* Applies the two rules to one equation; true when a cell changed. */
static bool settle(const struct equation *e, const long *n, int cols, long min_cell, bool *withheld)
{
    int hidden = withheld[e->parent] ? 1 : 0, hidden_children = 0;
    long hidden_total = 0;
    for (int i = 0; i < e->count; i++) {
        int c = e->first + i * e->stride;
        if (withheld[c]) {
            hidden++;
            hidden_children++;
            hidden_total += n[c];
        }
    }
    if (hidden == 1)
        return withhold_another(e, n, cols, withheld);
    if (!withheld[e->parent] && hidden_children > 0 && hidden_total < min_cell)
        return withhold_another(e, n, cols, withheld);
    return false;
}

/* The equations of the table (see disclosure.h) into eq (room for
 * rows × cols + cols); their count. */
static int equations(int rows, int cols, const int *col_parent, struct equation *eq)
{
    int count = 0;
    for (int r = 1; r < rows; r++)
        for (int p = 0; p < cols; p++) {
            struct equation e = {r * cols + p, -1, 1, 0};
            for (int c = 0; c < cols; c++)
                if (col_parent[c] == p) {
                    if (e.first < 0)
                        e.first = r * cols + c;
                    e.count++;
                }
            if (e.count > 0)
                eq[count++] = e;
        }
    if (rows > 1)
        for (int c = 0; c < cols; c++)
            eq[count++] = (struct equation){c, cols + c, cols, rows - 1};
    return count;
}

static bool member(const struct equation *e, int cell)
{
    if (cell == e->parent)
        return true;
    int d = cell - e->first;
    return d >= 0 && d % e->stride == 0 && d / e->stride < e->count;
}

/* A withheld cell that the published cells and the equations determine
 * (linear algebra: its unit vector is in the row space of the equations
 * restricted to the withheld cells), or -1; -2 when out of memory. */
static int determined(const struct equation *eq, int eqs, int cells, const bool *withheld)
{
    int *unknown = malloc(sizeof(int) * (size_t)cells), unknowns = 0;
    if (!unknown)
        return -2;
    for (int i = 0; i < cells; i++)
        unknown[i] = withheld[i] ? unknowns++ : -1;
    int *cell_of = malloc(sizeof(int) * (size_t)(unknowns + 1));
    double *a = calloc((size_t)eqs * (size_t)(unknowns + 1), sizeof(double));
    if (!cell_of || !a) {
        free(unknown);
        free(cell_of);
        free(a);
        return -2;
    }
    for (int i = 0; i < cells; i++)
        if (unknown[i] >= 0)
            cell_of[unknown[i]] = i;
    /* only the equations with a withheld cell say anything of one */
    int w = unknowns + 1, used = 0;
    for (int e = 0; e < eqs; e++) {
        bool any = unknown[eq[e].parent] >= 0;
        if (any)
            a[used * w + unknown[eq[e].parent]] -= 1;
        for (int i = 0; i < eq[e].count; i++) {
            int c = eq[e].first + i * eq[e].stride;
            if (unknown[c] >= 0) {
                a[used * w + unknown[c]] += 1;
                any = true;
            }
        }
        used += any;
    }
    eqs = used;
    int found = -1, row = 0;
    for (int u = 0; u < unknowns && row < eqs; u++) {
        int best = -1;
        for (int e = row; e < eqs; e++)
            if (fabs(a[e * w + u]) > 1e-9 &&
                (best < 0 || fabs(a[e * w + u]) > fabs(a[best * w + u])))
                best = e;
        if (best < 0)
            continue;
        for (int k = 0; k < unknowns; k++) {
            double t = a[row * w + k];
            a[row * w + k] = a[best * w + k];
            a[best * w + k] = t;
        }
        double f = a[row * w + u];
        for (int k = 0; k < unknowns; k++)
            a[row * w + k] /= f;
        for (int e = 0; e < eqs; e++)
            if (e != row && fabs(a[e * w + u]) > 1e-9) {
                double g = a[e * w + u];
                for (int k = 0; k < unknowns; k++)
                    a[e * w + k] -= g * a[row * w + k];
            }
        row++;
    }
    /* in reduced row echelon form, a unit vector in the row space is a row */
    for (int e = 0; e < row && found < 0; e++) {
        int nonzero = 0, at = -1;
        for (int k = 0; k < unknowns; k++)
            if (fabs(a[e * w + k]) > 1e-9) {
                nonzero++;
                at = k;
            }
        if (nonzero == 1)
            found = cell_of[at];
    }
    free(unknown);
    free(cell_of);
    free(a);
    return found;
}

int disclosure_suppress(const long *n, int rows, int cols, const int *col_parent, long min_cell,
                        bool *withheld)
{
    int cells = rows * cols;
    struct equation *eq = malloc(sizeof *eq * (size_t)(cells + cols));
    if (!eq)
        return -1;
    int eqs = equations(rows, cols, col_parent, eq);
    for (int i = 0; i < cells; i++)
        withheld[i] = i >= cols && n[i] > 0 && n[i] < min_cell;
    for (;;) {
        bool changed = true;
        while (changed) {
            changed = false;
            for (int e = 0; e < eqs; e++)
                changed |= settle(&eq[e], n, cols, min_cell, withheld);
        }
        /* the rules leave a cell determined through several equations at
         * once: one more cell withheld in an equation of that cell */
        int cell = determined(eq, eqs, cells, withheld);
        if (cell == -2) {
            free(eq);
            return -1;
        }
        if (cell < 0)
            break;
        bool protected = false;
        for (int e = 0; e < eqs && !protected; e++)
            if (member(&eq[e], cell))
        protected = withhold_another(&eq[e], n, cols, withheld);
        if (!protected)
            break; /* nothing left to withhold around it (cannot happen: row 0
                      aside, every cell has a public neighbour until all are
                      withheld) */
    }
    free(eq);
    return 0;
}
