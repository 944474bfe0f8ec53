/* The SQL of `purge` of its own (the referrals' expiry and erasure are in
 * referrals/referrals_sql.h). */
#ifndef PURGE_SQL_H
#define PURGE_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Forgets the Idempotency-Key records older than 24 hours. No rows, no
 * parameters; one affected per record. */
#define PURGE_SQL_IDEMPOTENCY_KEYS                                                                 \
    "DELETE FROM idempotency_keys WHERE created_at < now() - "                                     \
    "interval '24 hours'"

/* clang-format on */

#endif
