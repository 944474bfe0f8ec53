/* The SQL of `gen-data` around the embedded db/gen/gen_national.sql. */
#ifndef GEN_DATA_SQL_H
#define GEN_DATA_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* A printf format, %.6f the scale: sets inclusion.scale, which
 * gen_national.sql reads, for the transaction. One row. */
#define GEN_DATA_SQL_SCALE "SELECT set_config('inclusion.scale', '%.6f', true)"

/* Refreshes the planner's statistics after the load. No rows, no parameters. */
#define GEN_DATA_SQL_ANALYZE "ANALYZE"

/* clang-format on */

#endif
