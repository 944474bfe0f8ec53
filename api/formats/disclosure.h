/* Disclosure control that holds across queries (issue #19): the cells a
 * figure must be withheld in so that no combination of published figures
 * gives a withheld one back. Pure: no global state (allocates its work
 * space, frees it before returning).
 *
 * The table: `rows` × `cols` sample sizes, row-major. Row 0 is the parent,
 * the figure without the partitioning filter (the whole territory): always
 * published. Rows 1.. are the partition (one organisation, commune or place
 * each). Columns are periods in a tree (`col_parent[c]`: the column c sums
 * into, -1 for the root): for the indicators, a calendar year, its four
 * quarters, its twelve months. Every row sums along the tree (a parent period
 * is the sum of its children) and every column sums down the partition (row
 * 0 = rows 1..): the equations an attacker can write.
 *
 * Row 0 is taken as known to everyone (the whole territory is published for
 * any period: only its own small cells are withheld, by the small-cell rule
 * alone). A cell of the partition is withheld when it is small (0 < n <
 * min_cell: primary), or to protect another (complementary): until no
 * equation changes, in each equation (a parent cell and its children)
 *   - one withheld member alone would be its difference: a second is
 *     withheld (the public child with the smallest non-zero size, else a zero
 *     one, else the parent when it may be withheld);
 *   - with the parent published, the withheld children's total (known: the
 *     parent minus the published children) must be at least min_cell, or
 *     each would be bounded too tightly: another child is withheld as above.
 * A withheld cell may thus hold 0: "withheld" says nothing of its size.
 * Then, as long as linear algebra over all the equations at once still
 * determines a withheld cell (the rules look at one equation at a time),
 * another cell of one of its equations is withheld, and the rules run again.
 * Deterministic: the same table gives the same cells, whatever is asked. */
#ifndef DISCLOSURE_H
#define DISCLOSURE_H

#include <stdbool.h>

/* The indicators' period tree: column 0 the year, 1..4 its quarters, 5..16
 * its months (January first). */
#define DISCLOSURE_YEAR_COLS 17
extern const int disclosure_year_tree[DISCLOSURE_YEAR_COLS];

/* Fills withheld[rows × cols] for the table n[rows × cols] (see above): 0,
 * or -1 when out of memory (withheld then holds no answer).
 * rows ≥ 1, cols ≥ 1; col_parent[c] < c for every non-root column, and the
 * children of each column are consecutive. */
int disclosure_suppress(const long *n, int rows, int cols, const int *col_parent, long min_cell,
                        bool *withheld);

#endif
