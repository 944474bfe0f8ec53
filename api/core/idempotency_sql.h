/* The SQL of the Idempotency-Key records (table idempotency_keys, migrations
 * 004 and 009): every statement that reads or writes them, for the module
 * (idempotency.c) and the retention pass (jobs/purge.c). */
#ifndef IDEMPOTENCY_SQL_H
#define IDEMPOTENCY_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* The per-(organisation, key) lock, as a bigint: $1 organisation, $2 key. */
#define IDEMPOTENCY_SQL_LOCK_ID(org, key) "hashtextextended(" org " || E'\\n' || " key ", 0)"

/* $1 organisation, $2 key: takes the transaction's lock on the key when no
 * other transaction holds it and, only then, reads its record, in one round
 * trip. Columns: locked, then (NULL when there is no record, or when not
 * locked) route, target, doc_hash, body_hash (before 009: the hash of the
 * body's bytes), status, response, location, resource_id. */
#define IDEMPOTENCY_SQL_BEGIN                                                                      \
    "WITH l AS MATERIALIZED (SELECT pg_try_advisory_xact_lock("                                    \
    IDEMPOTENCY_SQL_LOCK_ID("$1", "$2") ") AS locked) "                                            \
    "SELECT l.locked, k.route, k.target, k.doc_hash, k.body_hash, k.status, k.response, "         \
    "k.location, k.resource_id FROM l LEFT JOIN idempotency_keys k ON l.locked AND k.org = $1 AND k.key = $2"

enum {
    IDEM_COL_LOCKED,
    IDEM_COL_ROUTE,
    IDEM_COL_TARGET,
    IDEM_COL_DOC_HASH,
    IDEM_COL_BODY_HASH,
    IDEM_COL_STATUS,
    IDEM_COL_RESPONSE,
    IDEM_COL_LOCATION,
    IDEM_COL_RESOURCE_ID
};

/* $1 organisation, $2 key, $3 route, $4 target, $5 doc_hash, $6 status, $7
 * response, $8 location, $9 resource_id. A unique violation means that a
 * request with the same key committed between our snapshot and our lock. */
#define IDEMPOTENCY_SQL_RECORD                                                                     \
    "INSERT INTO idempotency_keys (org, key, route, target, doc_hash, status, response, "         \
    "location, resource_id) VALUES ($1, $2, $3, $4, $5, $6::int, $7, $8, $9::uuid)"

/* $1 resource_id, $2 route, $3 the response that replaces the kept ones. */
#define IDEMPOTENCY_SQL_REWRITE                                                                    \
    "UPDATE idempotency_keys SET response = $3 WHERE resource_id = $1::uuid AND route = $2"

/* $1 resource_id, $2 route, $3 a JSON object whose members replace the kept
 * responses' members of the same names (jsonb ||). */
#define IDEMPOTENCY_SQL_ERASE_MEMBERS                                                              \
    "UPDATE idempotency_keys SET response = (response::jsonb || $3::jsonb)::text "                 \
    "WHERE resource_id = $1::uuid AND route = $2"

/* The retention pass: records are kept 24 hours. */
#define IDEMPOTENCY_SQL_PURGE                                                                      \
    "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'"

/* clang-format on */

#endif
