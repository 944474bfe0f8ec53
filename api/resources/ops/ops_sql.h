/* The SQL of the operations routes (health, readiness). */
#ifndef OPS_SQL_H
#define OPS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Whether the database answers: one row (1), no parameters. */
#define OPS_SQL_PING "SELECT 1"

/* clang-format on */

#endif
