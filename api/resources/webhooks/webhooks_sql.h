/* The SQL of /v1/webhooks: subscriptions and their deliveries. Every
 * statement is limited to the acting organisation ($2 org): another's
 * subscription is not found. */
#ifndef WEBHOOKS_SQL_H
#define WEBHOOKS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* A subscription as the API shows it (s): never its secret. */
#define WEBHOOK_SQL_JSON                                                                           \
    "json_build_object('id', s.id, 'url', s.url, 'events', s.events, 'description', "              \
    "s.description, 'active', s.active, 'disabled_reason', s.disabled_reason, 'created_at', "      \
    "s.created_at, 'updated_at', s.updated_at)"

/* A delivery (d) of an event (e). */
#define WEBHOOK_SQL_DELIVERY_JSON                                                                  \
    "json_build_object('id', d.id, 'event_id', d.event_id, 'event_type', e.type, 'status', "       \
    "d.status, 'attempts', d.attempts, 'last_status', d.last_status, 'last_error', "               \
    "d.last_error, 'latency_ms', d.last_latency_ms, 'next_attempt_at', CASE WHEN d.status = "      \
    "'pending' THEN d.next_attempt_at END, 'delivered_at', d.delivered_at, 'created_at', "         \
    "d.created_at)"

/* $1 org, $2 url, $3 events (JSON array), $4 description, $5 secret: a new
 * subscription, unless the organisation has 50 already (no row then).
 * Columns: JSON, id. */
#define WEBHOOKS_SQL_INSERT                                                                        \
    "WITH s AS (INSERT INTO webhook_subscriptions (org, url, events, description, secret) "        \
    "SELECT $1, $2, ARRAY(SELECT json_array_elements_text($3::json)), $4, $5 "                     \
    "WHERE (SELECT count(*) FROM webhook_subscriptions WHERE org = $1 AND deleted_at IS NULL) "    \
    "< 50 RETURNING *) SELECT " WEBHOOK_SQL_JSON "::text, s.id FROM s"

/* $1 org: its subscriptions (JSON array), oldest first (50 at most). */
#define WEBHOOKS_SQL_LIST                                                                          \
    "SELECT coalesce(json_agg(" WEBHOOK_SQL_JSON " ORDER BY s.created_at, s.id), '[]')::text "     \
    "FROM webhook_subscriptions s WHERE s.org = $1 AND s.deleted_at IS NULL"

/* $1 id, $2 org. */
#define WEBHOOKS_SQL_GET                                                                           \
    "SELECT " WEBHOOK_SQL_JSON "::text FROM webhook_subscriptions s WHERE s.id = $1::uuid "        \
    "AND s.org = $2 AND s.deleted_at IS NULL"

/* $1 id, $2 org, $3 url, $4 events (JSON array), $5 active, $6 description
 * ($7 't' when given): NULL keeps what is there. Turning it on again clears
 * why it was disabled and its backoff. */
#define WEBHOOKS_SQL_UPDATE                                                                        \
    "UPDATE webhook_subscriptions s SET url = coalesce($3, s.url), events = CASE WHEN $4::json "   \
    "IS NULL THEN s.events ELSE ARRAY(SELECT json_array_elements_text($4::json)) END, "            \
    "active = coalesce($5::boolean, "                                                              \
    "s.active), disabled_reason = CASE WHEN $5::boolean THEN NULL ELSE s.disabled_reason END, "    \
    "failures = CASE WHEN $5::boolean THEN 0 ELSE s.failures END, retry_after = CASE WHEN "        \
    "$5::boolean THEN NULL ELSE s.retry_after END, "                                               \
    "description = CASE WHEN $7::boolean THEN $6 ELSE s.description END, "                         \
    "updated_at = clock_timestamp() WHERE s.id = $1::uuid AND s.org = $2 AND s.deleted_at IS "     \
    "NULL RETURNING " WEBHOOK_SQL_JSON "::text"

/* $1 id, $2 org: the subscription and its deliveries go. */
#define WEBHOOKS_SQL_DELETE                                                                        \
    "WITH s AS (DELETE FROM webhook_subscriptions WHERE id = $1::uuid AND org = $2 RETURNING id), " \
    "d AS (DELETE FROM webhook_deliveries WHERE subscription_id IN (SELECT id FROM s)) "           \
    "SELECT id FROM s"

/* $1 id, $2 org, $3 new secret, $4 seconds the current one still signs.
 * Column: until when. */
#define WEBHOOKS_SQL_ROTATE                                                                        \
    "UPDATE webhook_subscriptions SET previous_secret = secret, previous_until = "                 \
    "clock_timestamp() + $4::integer * interval '1 second', secret = $3, updated_at = "            \
    "clock_timestamp() WHERE id = $1::uuid AND org = $2 AND deleted_at IS NULL "                   \
    "RETURNING json_build_object('secret', $3::text, 'previous_valid_until', previous_until)::text"

/* $1 id, $2 org: a ping event. Column: its id (NULL: no such subscription). */
#define WEBHOOKS_SQL_PING "SELECT webhook_ping($1::uuid, $2)"

/* $1 id, $2 org, $3 status (NULL: all): whether the subscription is the
 * organisation's, and its last 100 deliveries, newest first (JSON array). */
#define WEBHOOKS_SQL_DELIVERIES                                                                    \
    "SELECT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = $1::uuid AND org = $2 AND "     \
    "deleted_at IS NULL), (SELECT coalesce(json_agg(x.j ORDER BY x.id DESC), '[]')::text FROM "    \
    "(SELECT d.id, " WEBHOOK_SQL_DELIVERY_JSON " AS j FROM webhook_deliveries d "                  \
    "JOIN webhook_events e ON e.id = d.event_id JOIN webhook_subscriptions s ON s.id = "           \
    "d.subscription_id WHERE s.id = $1::uuid AND s.org = $2 AND ($3::text IS NULL OR d.status = "  \
    "$3) ORDER BY d.id DESC LIMIT 100) x)"

/* $1 id, $2 org, $3 delivery id: due again now (its attempts are kept, the
 * subscription's backoff is lifted), and the workers woken. Column: the
 * delivery. */
#define WEBHOOKS_SQL_RETRY                                                                         \
    "WITH u AS (UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = "            \
    "clock_timestamp(), lease_until = NULL FROM webhook_subscriptions s WHERE d.id = "             \
    "$3::bigint AND s.id = d.subscription_id AND s.id = $1::uuid AND s.org = $2 AND "              \
    "s.deleted_at IS NULL RETURNING d.*), "                                                        \
    "now_due AS (UPDATE webhook_subscriptions s SET retry_after = NULL FROM u "                    \
    "WHERE s.id = u.subscription_id) "                                                             \
    "SELECT " WEBHOOK_SQL_DELIVERY_JSON "::text, pg_notify('webhooks', '') FROM u d "              \
    "JOIN webhook_events e ON e.id = d.event_id"

/* $1 days (WEBHOOK_RETENTION_DAYS): deletes the events older than that whose
 * every delivery succeeded or belongs to no subscription any more (with their
 * deliveries); failed and pending ones stay to be seen and retried. For
 * `purge`. */
#define WEBHOOKS_SQL_PURGE                                                                         \
    "DELETE FROM webhook_events e WHERE e.occurred_at < now() - $1::integer * interval '1 day' "   \
    "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = "   \
    "d.subscription_id WHERE d.event_id = e.id AND d.status <> 'delivered')"

/* clang-format on */

#endif
