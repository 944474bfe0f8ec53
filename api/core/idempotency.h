/* Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) for the POSTs
 * that partners retry: a retry of a request whose answer was lost replays
 * that answer instead of creating a second object.
 *
 * THE RULES
 *   - The key is 1 to 255 visible ASCII characters (0x21-0x7E); anything else
 *     is 400 with `errors` naming the field `Idempotency-Key`. A route may
 *     require it (POST /v1/referrals): its absence is 400 `is required`.
 *   - Keys are per organisation (r->who.org): another organisation's
 *     identical key is another key.
 *   - A key is bound to its first request: the route (method and pattern)
 *     with the path's ids, and the JSON document sent, compared after
 *     parsing (the SHA-256 of its canonical serialisation: members sorted,
 *     compact, numbers formatted from their value), so whitespace, member
 *     order, escapes and 1.0 versus 1 do not matter.
 *   - The same key on the same route with the same document replays the
 *     first answer: its status, body and Location, with
 *     `Idempotent-Replayed: true`, whatever has happened since, and creates
 *     nothing. Another document, or another route, is 422
 *     `idempotency-key-reused`.
 *   - While a request holds the key (its transaction has the advisory lock
 *     IDEMPOTENCY_SQL_LOCK_ID(org, key): hashtextextended(org || '\n' || key,
 *     0)), another one with the same key is 409 `in-flight`, never waits.
 *   - Only a success (2xx) is kept, in the transaction that made it, just
 *     before its COMMIT: a refused request (4xx) or a failure leaves no
 *     record, and may be retried with the same key.
 *   - Records are deleted after 24 hours (`inclusion-api purge`).
 *
 * USE (in a handler)
 *     struct idempotency k;
 *     json_t *body = idempotency_begin(r, false, &k);   // instead of http_read_object
 *     if (!body)
 *         return;                                        // answered: 400, 409, 422, replay…
 *     … validate, write (http_begin and http_sql_lock join the open transaction) …
 *     idempotency_record(r, &k, 201, json_text, location, id);  // instead of commit + answer
 *
 * Cost. Without a header on an optional route, nothing: no SQL, no
 * transaction. With one: BEGIN, then the lock and the lookup in one
 * statement; the record is one INSERT before the handler's COMMIT.
 *
 * Ownership. struct idempotency points into the request (the key) and lives on
 * the handler's stack; it holds nothing to free. Texts given to the record
 * functions are copied; idempotency_record_json steals its json_t. */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

#include "http.h"

#include <jansson.h>
#include <stdbool.h>

struct idempotency {
    const char *key;  /* the header; NULL when none was sent (the others do nothing) */
    char hash[65];    /* hex SHA-256 of the document's canonical serialisation */
    char route[96];   /* "POST /v1/workshops/{id}/registrations" */
    char target[512]; /* the path's ids, separated by '/' ("" for none) */
};

/* Reads the Idempotency-Key header (400 when invalid, or absent and
 * `required`) and the body (as http_read_object). With a key: opens the
 * transaction, takes the key's lock (409 in-flight) and looks the key up:
 * a record answers, replaying it or refusing with 422. Returns the body (a
 * new reference the caller decrefs) with the transaction open when a key was
 * sent, or NULL after having answered. */
json_t *idempotency_begin(struct req *r, bool required, struct idempotency *k);

/* A hook a handler gives idempotency_begin_with: called before a kept answer
 * is replayed, in the key's transaction, with the record's resource_id (NULL
 * when it has none): to log the read that the replay is (a referral's access
 * log). Returns false after having answered (the replay is not sent);
 * otherwise the transaction is committed, then the answer replayed. */
typedef bool (*idempotency_on_replay)(struct req *r, const char *resource_id);

/* idempotency_begin, with `on_replay` (may be NULL) run before a replay. */
json_t *idempotency_begin_with(struct req *r, bool required, struct idempotency *k,
                               idempotency_on_replay on_replay);

/* ONE STATEMENT. A route may do the whole of its work — the key's lock and
 * lookup, the checks, the write and the record — in one statement sent once,
 * outside any transaction (POST /v1/referrals: REFERRAL_SQL_CREATE):
 *     json_t *body = idempotency_prepare(r, true, &k);  // key, body, hash: no SQL
 *     … validate; when invalid: if (!idempotency_look_up(r, &k)) answer 422 …
 *     res = http_sql(r, ONE_STATEMENT, …, true);  // its first columns: IDEMPOTENCY_SQL_BEGIN's
 *     a constraint violation: idempotency_constraint_failed(r, res)
 *     if (idempotency_settle(r, &k, res)) → answered (409 in-flight, replay, 422)
 *     … otherwise its own answer, which the statement kept …
 * The statement's snapshot is taken before its lock: a request with the same
 * key that commits in between makes the record's INSERT fail on the unique key
 * (the whole statement is undone), which answers 409 as the lock would. */
json_t *idempotency_prepare(struct req *r, bool required, struct idempotency *k);

/* Answers what the key's lock and lookup (IDEMPOTENCY_SQL_BEGIN's columns,
 * first in `kept`) decide, and returns true: 409 in-flight when another
 * request holds the key, the kept answer replayed, or 422 when the key was
 * used on another route or document. False when the request goes on. */
bool idempotency_settle(struct req *r, const struct idempotency *k, PGresult *kept);

/* The key's lock and lookup alone, outside a transaction, then
 * idempotency_settle: for a one-statement route whose request is invalid, so
 * that the key decides first (a replay, 409, 422 reused) as it does on the
 * other routes. True when it has answered. */
bool idempotency_look_up(struct req *r, const struct idempotency *k);

/* For a one statement's constraint violation (http_sql with constraint_ok):
 * 409 in-flight when it is the key's record (a request with the same key
 * committed since the statement's snapshot), 500 otherwise. */
void idempotency_constraint_failed(struct req *r, PGresult *res);

/* The success of the request: keeps it under the key when there is one (status,
 * `json` and `location`, which may be NULL; `resource_id`, the UUID the answer
 * shows or belongs to, may be NULL), commits the transaction when one is open
 * (the key's, or the handler's own), then answers `status` with `json` (copied)
 * and the Location header. On failure it has answered 409 in-flight (a request
 * with the same key committed first) or 5xx. */
void idempotency_record(struct req *r, const struct idempotency *k, int status, const char *json,
                        const char *location, const char *resource_id);

/* The same for a body to serialise (stolen), as http_json would. */
void idempotency_record_json(struct req *r, const struct idempotency *k, int status, json_t *body,
                             const char *location, const char *resource_id);

/* For an erasure (a referral's consent withdrawn): the kept answers of `route`
 * ("POST /v1/referrals") about `resource_id` now show `response`, the object as
 * it is. False after having answered. */
bool idempotency_rewrite(struct req *r, const char *resource_id, const char *route,
                         const char *response);

/* The same when the kept answers are many objects (events): the members of
 * `members` (a JSON object, {"note": null}) replace theirs in every kept answer
 * of `route` about `resource_id`. False after having answered. */
bool idempotency_erase(struct req *r, const char *resource_id, const char *route,
                       const char *members);

#endif
