/* disclosure_suppress: on every table of a small shape and on generated
 * year tables, no withheld cell is determined by the published ones (linear
 * algebra over every equation, and every value tried when few are withheld);
 * with small-cell suppression alone, some are. */
#include "disclosure.h"
#include "support/disclosure_check.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Fills the parents (row 0 and the tree's inner columns) from the leaves:
 * n holds the leaf cells of rows 1.. already. */
static void sums(long *n, int rows, int cols, const int *tree)
{
    for (int r = 1; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            bool leaf = true;
            for (int k = 0; k < cols; k++)
                if (tree[k] == c)
                    leaf = false;
            if (!leaf)
                n[r * cols + c] = 0;
        }
        for (int c = cols - 1; c > 0; c--)
            n[r * cols + tree[c]] += n[r * cols + c];
    }
    for (int c = 0; c < cols; c++) {
        n[c] = 0;
        for (int r = 1; r < rows; r++)
            n[c] += n[r * cols + c];
    }
}

static bool is_leaf(const int *tree, int cols, int c)
{
    for (int k = 0; k < cols; k++)
        if (tree[k] == c)
            return false;
    return true;
}

/* Every table whose leaves take values 0..max: none determined; returns
 * how many tables small-cell suppression alone leaves determined. */
static long exhaust(int rows, int cols, const int *tree, long max, long min_cell, int enumerate)
{
    int leaves[64], count = 0;
    for (int r = 1; r < rows; r++)
        for (int c = 0; c < cols; c++)
            if (is_leaf(tree, cols, c))
                leaves[count++] = r * cols + c;
    long n[64];
    bool withheld[64], primary[64];
    long digits[64] = {0}, broken = 0, tables = 0;
    for (;;) {
        memset(n, 0, sizeof n);
        for (int i = 0; i < count; i++)
            n[leaves[i]] = digits[i];
        sums(n, rows, cols, tree);
        cr_assert_eq(disclosure_suppress(n, rows, cols, tree, min_cell, withheld), 0);
        int cell = disclosure_determined(n, withheld, rows, cols, tree, enumerate);
        cr_assert_eq(cell, -1, "table %ld: cell %d (row %d, column %d, size %ld) is determined",
                     tables, cell, cell / cols, cell % cols, cell >= 0 ? n[cell] : 0);
        for (int i = 0; i < rows * cols; i++)
            primary[i] = i >= cols && n[i] > 0 && n[i] < min_cell;
        if (disclosure_determined(n, primary, rows, cols, tree, enumerate) >= 0)
            broken++;
        tables++;
        int i = 0;
        while (i < count && ++digits[i] > max)
            digits[i++] = 0;
        if (i == count)
            break;
    }
    return broken;
}

/* Two organisations × a period of two halves: every table of sizes 0..6. */
Test(disclosure, two_rows_two_halves_every_table)
{
    static const int tree[] = {-1, 0, 0};
    long broken = exhaust(3, 3, tree, 6, 3, 6);
    cr_expect_gt(broken, 0, "small-cell suppression alone is undone by subtraction");
}

/* Three organisations × a period of three parts: every table of sizes 0..3,
 * with the threshold 3. */
Test(disclosure, three_rows_three_parts_every_table, .timeout = 120)
{
    static const int tree[] = {-1, 0, 0, 0};
    long broken = exhaust(4, 4, tree, 3, 3, 5);
    cr_expect_gt(broken, 0, "small-cell suppression alone is undone by subtraction");
}

/* Two organisations × a half-year of two quarters of three months (a tree of
 * three levels): every table of sizes 0..1 and 4..5 through the months. */
Test(disclosure, three_levels_generated, .timeout = 120)
{
    static const int tree[] = {-1, 0, 0, 1, 1, 1, 2, 2, 2};
    long n[27];
    bool withheld[27], primary[27];
    long broken = 0;
    srand(19);
    for (int t = 0; t < 20000; t++) {
        memset(n, 0, sizeof n);
        for (int r = 1; r < 3; r++)
            for (int c = 3; c < 9; c++) {
                int x = rand() % 10;
                n[r * 9 + c] = x < 5 ? 0 : x < 8 ? x - 4 : x + 1;
            }
        sums(n, 3, 9, tree);
        cr_assert_eq(disclosure_suppress(n, 3, 9, tree, 5, withheld), 0);
        int cell = disclosure_determined(n, withheld, 3, 9, tree, 0);
        cr_assert_eq(cell, -1, "table %d: cell %d (size %ld) is determined", t, cell,
                     cell >= 0 ? n[cell] : 0);
        for (int i = 0; i < 27; i++)
            primary[i] = i >= 9 && n[i] > 0 && n[i] < 5;
        if (disclosure_determined(n, primary, 3, 9, tree, 0) >= 0)
            broken++;
    }
    cr_expect_gt(broken, 0, "small-cell suppression alone is undone by subtraction");
}

/* The indicators' own tree (a year, its quarters, its months) with five
 * organisations of sparse, small activity: linear algebra on 2,000 tables. */
Test(disclosure, the_year_tree_generated, .timeout = 120)
{
    enum { ROWS = 6, COLS = DISCLOSURE_YEAR_COLS };
    long n[ROWS * COLS];
    bool withheld[ROWS * COLS];
    srand(2026);
    for (int t = 0; t < 2000; t++) {
        memset(n, 0, sizeof n);
        for (int r = 1; r < ROWS; r++)
            for (int c = 5; c < COLS; c++) {
                int x = rand() % 12;
                n[r * COLS + c] = x < 6 ? 0 : x < 10 ? x - 5 : 5 + rand() % 20;
            }
        sums(n, ROWS, COLS, disclosure_year_tree);
        cr_assert_eq(disclosure_suppress(n, ROWS, COLS, disclosure_year_tree, 5, withheld), 0);
        int cell = disclosure_determined(n, withheld, ROWS, COLS, disclosure_year_tree, 0);
        cr_assert_eq(cell, -1, "table %d: cell %d (row %d, column %d) is determined", t, cell,
                     cell / COLS, cell % COLS);
    }
}
