/* What an attacker can derive from a table published under
 * disclosure_suppress (api/formats/disclosure.h): every equation of the table
 * (each row along the period tree, each column down the partition), the
 * published cells (row 0 whole: see disclosure.h), and that a cell is at
 * least 0. Used by the unit test on generated tables and by the
 * integration test on real answers. */
#ifndef TEST_DISCLOSURE_CHECK_H
#define TEST_DISCLOSURE_CHECK_H

#include <stdbool.h>

/* The index of a withheld cell that the published cells determine, or -1:
 * by linear algebra (its unit vector is in the row space of the equations
 * over the withheld cells), then, when there are at most `enumerate_max`
 * withheld cells, by trying every value from 0 to the table's total for each
 * (a cell that only one value fits is determined). n: the true sizes (only
 * those of published cells are read by the attacker's side, and the true
 * ones are the solution sought). */
int disclosure_determined(const long *n, const bool *withheld, int rows, int cols,
                          const int *col_parent, int enumerate_max);

#endif
