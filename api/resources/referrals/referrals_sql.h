/* The SQL of referrals. A referral is visible to its two partners only: every
 * query that reads one takes the acting organisation and filters on it. */
#ifndef REFERRALS_SQL_H
#define REFERRALS_SQL_H

#include "idempotency_sql.h"

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* A referral as its partners see it (r). */
#define REFERRAL_SQL_JSON                                                                          \
    "json_build_object('id', r.id, 'from_org', r.from_org, 'to_org', r.to_org, 'need', r.need, "  \
    "'status', r.status, 'beneficiary', json_build_object('first_name', r.first_name, "           \
    "'last_name', r.last_name, 'phone', r.phone, 'email', r.email, 'contact_preference', "        \
    "r.contact_preference), 'consent', json_build_object('given', true, 'method', "               \
    "r.consent_method, 'recorded_at', r.consent_recorded_at, 'withdrawn_at', "                    \
    "r.consent_withdrawn_at), 'notes', r.notes, 'place_id', r.place_id, 'created_at', "           \
    "r.created_at, 'updated_at', r.updated_at, 'closed_at', r.closed_at)"

/* An event of the history (e). */
#define REFERRAL_SQL_EVENT_JSON                                                                    \
    "json_build_object('id', e.id, 'referral_id', e.referral_id, 'type', e.type, 'org', e.org, "  \
    "'actor', e.actor, 'at', e.at, 'from_status', e.from_status, 'to_status', e.to_status, "      \
    "'reason', e.reason, 'note', e.note)"

/* The whole creation of a referral, one statement sent once outside any
 * transaction (idempotency.h, ONE STATEMENT): $1 from_org, $2 actor, $3
 * Idempotency-Key, $4 route, $5 target, $6 doc_hash, $7 to_org, $8 need, $9
 * first_name, $10 last_name, $11 phone, $12 email, $13 contact_preference, $14
 * consent method, $15 consent recorded_at, $16 notes, $17 place_id.
 *   l     the key's lock (never waits);
 *   k     its record, read only under the lock;
 *   c     the references: the receiver in the directory, the place live,
 *         recorded_at not in the future;
 *   r, e  the referral and the first event of its history, only when the
 *         key is ours and new and every reference holds;
 *   kept  the answer kept under the key (201, its Location);
 *   read  a replay of the same request shows the referral again: a read,
 *         in its access log (why: replay).
 * Columns: IDEMPOTENCY_SQL_BEGIN's (IDEM_COL_*), then REF_CREATE_COL_*. */
#define REFERRAL_SQL_CREATE                                                                        \
    "WITH l AS MATERIALIZED (SELECT pg_try_advisory_xact_lock("                                    \
    IDEMPOTENCY_SQL_LOCK_ID("$1", "$3") ") AS locked), "                                           \
    "k AS MATERIALIZED (SELECT k.* FROM l JOIN idempotency_keys k ON l.locked AND k.org = $1 "    \
    "AND k.key = $3), "                                                                            \
    "c AS MATERIALIZED (SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = $7) AS to_ok, "    \
    "$17::uuid IS NULL OR EXISTS (SELECT 1 FROM places WHERE id = $17::uuid AND deleted_at IS NULL) " \
    "AS place_ok, $15::timestamptz <= now() + interval '5 minutes' AS time_ok), "                 \
    "r AS (INSERT INTO referrals (from_org, to_org, need, first_name, last_name, phone, email, "  \
    "contact_preference, consent_method, consent_recorded_at, notes, place_id) "                  \
    "SELECT $1, $7, $8, $9, $10, $11, $12, $13, $14, $15::timestamptz, $16, $17::uuid FROM l, c "  \
    "WHERE l.locked AND c.to_ok AND c.place_ok AND c.time_ok AND NOT EXISTS (SELECT 1 FROM k) "    \
    "RETURNING *), "                                                                               \
    "e AS (INSERT INTO referral_events (referral_id, org, actor, type, from_status, to_status) "   \
    "SELECT r.id, $1, $2, 'sent', NULL, 'sent' FROM r), "                                          \
    "d AS (SELECT " REFERRAL_SQL_JSON "::text AS doc, r.id FROM r), "                              \
    "kept AS (INSERT INTO idempotency_keys (org, key, route, target, doc_hash, status, response, " \
    "location, resource_id) SELECT $1, $3, $4, $5, $6, 201, d.doc, '/v1/referrals/' || d.id, d.id " \
    "FROM d), "                                                                                    \
    "read AS (INSERT INTO referral_access_log (referral_id, org, actor, reason) "                  \
    "SELECT k.resource_id, $1, $2, 'replay' FROM k WHERE k.resource_id IS NOT NULL "              \
    "AND k.route = $4 AND k.target = $5 AND k.doc_hash = $6) "                                     \
    "SELECT l.locked, k.route, k.target, k.doc_hash, k.body_hash, k.status, k.response, "         \
    "k.location, k.resource_id, c.to_ok, c.place_ok, c.time_ok, d.doc, d.id "                      \
    "FROM l CROSS JOIN c LEFT JOIN k ON true LEFT JOIN d ON true"

enum {
    REF_CREATE_COL_TO_OK = 9,
    REF_CREATE_COL_PLACE_OK,
    REF_CREATE_COL_TIME_OK,
    REF_CREATE_COL_DOC,
    REF_CREATE_COL_ID
};

/* $1 id, $2 acting organisation: the referral if the organisation is one of
 * its partners, locked for the transaction. Columns: JSON, from_org, to_org,
 * status, consent withdrawn, expired (still sent after $3 days). */
#define REFERRAL_SQL_LOCK                                                                          \
    "SELECT " REFERRAL_SQL_JSON "::text, r.from_org, r.to_org, r.status, "                        \
    "r.consent_withdrawn_at IS NOT NULL, r.status = 'sent' AND r.created_at < now() - "            \
    "make_interval(days => $3::int) FROM referrals r WHERE r.id = $1::uuid AND "                  \
    "(r.from_org = $2 OR r.to_org = $2) FOR UPDATE"

enum { REF_COL_JSON, REF_COL_FROM, REF_COL_TO, REF_COL_STATUS, REF_COL_WITHDRAWN, REF_COL_EXPIRED };

/* Expires the referrals still sent after $2 days: $1 an organisation (its
 * referrals) or NULL (all), $3 one id or NULL. Rows another transaction holds
 * are skipped (it is moving them; the next pass sees them). */
#define REFERRAL_SQL_EXPIRE_DUE                                                                    \
    "WITH u AS (UPDATE referrals SET status = 'expired', updated_at = clock_timestamp(), "         \
    "closed_at = clock_timestamp() WHERE id IN (SELECT id FROM referrals WHERE status = 'sent' "   \
    "AND created_at < now() - make_interval(days => $2::int) AND ($1::text IS NULL OR "            \
    "from_org = $1 OR to_org = $1) AND ($3::uuid IS NULL OR id = $3::uuid) "                       \
    "FOR UPDATE SKIP LOCKED) RETURNING id) "                                                       \
    "INSERT INTO referral_events (referral_id, org, actor, type, from_status, to_status) "         \
    "SELECT id, 'system', 'system', 'expired', 'sent', 'expired' FROM u"

/* The sync feed of organisation $1: $2 direction (NULL, inbound, outbound),
 * $3 status, $4 need, $5 updated_since, $6 and $7 the cursor's position (NULL
 * from the start), $8 limit, $9 the actor. Only positions of transactions
 * older than every running one (the snapshot's xmin) are shown, so a change
 * that commits after a later one is never behind a cursor already handed out.
 * Each referral returned is logged (reason list). Columns: JSON array, count,
 * last position (xid, seq). */
#define REFERRAL_SQL_FEED                                                                          \
    "WITH page AS (SELECT r.id, r.change_xid, r.change_seq, " REFERRAL_SQL_JSON " AS doc "         \
    "FROM referrals r WHERE ((r.to_org = $1 AND $2::text IS DISTINCT FROM 'outbound') OR "         \
    "(r.from_org = $1 AND $2::text IS DISTINCT FROM 'inbound')) "                                  \
    "AND ($3::text IS NULL OR r.status = $3) AND ($4::text IS NULL OR r.need = $4) "               \
    "AND ($5::timestamptz IS NULL OR r.updated_at >= $5::timestamptz) "                            \
    "AND ($6::xid8 IS NULL OR (r.change_xid, r.change_seq) > ($6::xid8, $7::bigint)) "             \
    "AND r.change_xid < pg_snapshot_xmin(pg_current_snapshot()) "                                  \
    "ORDER BY r.change_xid, r.change_seq LIMIT $8::int), "                                         \
    "logged AS (INSERT INTO referral_access_log (referral_id, org, actor, reason) "                \
    "SELECT id, $1, $9, 'list' FROM page) "                                                        \
    "SELECT coalesce(json_agg(doc ORDER BY change_xid, change_seq), '[]')::text, count(*), "       \
    "(array_agg(change_xid::text ORDER BY change_xid DESC, change_seq DESC))[1], "                 \
    "(array_agg(change_seq::text ORDER BY change_xid DESC, change_seq DESC))[1] FROM page"

/* Retention ($1 days after closing): erases the personal fields and free
 * texts (notes, the history's notes and reasons) of every referral closed
 * longer ago, withdrawn or not, with an `erased` event, and what the answers
 * kept for Idempotency-Key replays show of them (as a withdrawal does through
 * idempotency_rewrite and idempotency_erase: the creation's answer becomes the
 * referral as it is now, the events' answers lose their free texts). A
 * referral is due while it holds something to erase (the partial indexes
 * referrals_retained and referral_events_free_text of migration 010 find
 * them). Returns the count. */
#define REFERRAL_SQL_PURGE                                                                         \
    "WITH due AS (SELECT id FROM referrals WHERE closed_at < now() - "                             \
    "make_interval(days => $1::int) AND (first_name IS NOT NULL OR last_name IS NOT NULL OR "     \
    "phone IS NOT NULL OR email IS NOT NULL OR notes IS NOT NULL) "                                \
    "UNION SELECT e.referral_id FROM referral_events e JOIN referrals x ON x.id = e.referral_id "  \
    "WHERE (e.note IS NOT NULL OR e.reason IS NOT NULL) AND x.closed_at < now() - "                \
    "make_interval(days => $1::int)), "                                                            \
    "u AS (UPDATE referrals r SET first_name = NULL, last_name = NULL, phone = NULL, "             \
    "email = NULL, notes = NULL, updated_at = clock_timestamp() FROM due WHERE r.id = due.id "     \
    "RETURNING r.id, r.status, " REFERRAL_SQL_JSON "::text AS doc), "                             \
    "texts AS (UPDATE referral_events e SET note = NULL, reason = NULL FROM u WHERE "              \
    "e.referral_id = u.id AND (e.note IS NOT NULL OR e.reason IS NOT NULL)), "                     \
    "ev AS (INSERT INTO referral_events (referral_id, org, actor, type, from_status, to_status) "   \
    "SELECT id, 'system', 'system', 'erased', status, status FROM u), "                            \
    "kept AS (UPDATE idempotency_keys k SET response = CASE WHEN k.route = 'POST /v1/referrals' "  \
    "THEN u.doc ELSE (k.response::jsonb || '{\"reason\": null, \"note\": null}')::text END "     \
    "FROM u WHERE k.resource_id = u.id AND k.route IN ('POST /v1/referrals', "                     \
    "'POST /v1/referrals/{id}/events')) "                                                          \
    "SELECT count(*) FROM u"

/* $1 id, $2 org, $3 actor, $4 type, $5 new status, $6 reason, $7 note, $8
 * erase ('t' for consent_withdrawn). One statement: the move and its event. */
#define REFERRAL_SQL_MOVE                                                                          \
    "WITH old AS (SELECT status FROM referrals WHERE id = $1::uuid), "                             \
    "u AS (UPDATE referrals SET status = $5, updated_at = clock_timestamp(), closed_at = "         \
    "coalesce(closed_at, CASE WHEN $5 IN ('declined', 'completed', 'cancelled') THEN "            \
    "clock_timestamp() END), "                                                                     \
    "first_name = CASE WHEN $8::boolean THEN NULL ELSE first_name END, "                           \
    "last_name = CASE WHEN $8::boolean THEN NULL ELSE last_name END, "                             \
    "phone = CASE WHEN $8::boolean THEN NULL ELSE phone END, "                                     \
    "email = CASE WHEN $8::boolean THEN NULL ELSE email END, "                                     \
    "notes = CASE WHEN $8::boolean THEN NULL ELSE notes END, "                                     \
    "consent_withdrawn_at = CASE WHEN $8::boolean THEN clock_timestamp() "                         \
    "ELSE consent_withdrawn_at END WHERE id = $1::uuid RETURNING id), "                            \
    "erased AS (UPDATE referral_events SET note = NULL, reason = NULL WHERE $8::boolean AND "     \
    "referral_id = $1::uuid AND (note IS NOT NULL OR reason IS NOT NULL)), "                       \
    "e AS (INSERT INTO referral_events (referral_id, org, actor, type, from_status, to_status, "   \
    "reason, note) SELECT u.id, $2, $3, $4, old.status, $5, $6, $7 FROM u, old RETURNING *) "      \
    "SELECT " REFERRAL_SQL_EVENT_JSON "::text FROM e"

/* $1 referral, $2 organisation, $3 actor, $4 reason: records a read of its
 * personal fields. No rows. */
#define REFERRAL_SQL_LOG_ACCESS                                                                    \
    "INSERT INTO referral_access_log (referral_id, org, actor, reason) "                           \
    "VALUES ($1::uuid, $2, $3, $4)"

/* $1 referral: its history, a JSON array (text) in order. */
#define REFERRAL_SQL_EVENTS                                                                        \
    "SELECT coalesce(json_agg(" REFERRAL_SQL_EVENT_JSON " ORDER BY e.id), '[]')::text "            \
    "FROM referral_events e WHERE e.referral_id = $1::uuid"

/* $1 referral: its access log (org, actor, at, reason), a JSON array (text)
 * in order. */
#define REFERRAL_SQL_ACCESS_LOG                                                                    \
    "SELECT coalesce(json_agg(json_build_object('org', a.org, 'actor', a.actor, "                  \
    "'at', a.at, 'reason', a.reason) ORDER BY a.id), '[]')::text "                                 \
    "FROM referral_access_log a WHERE a.referral_id = $1::uuid"

/* clang-format on */

#endif
