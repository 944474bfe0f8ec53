/* The SQL of the webhook delivery workers (core/webhook_send.c). */
#ifndef WEBHOOKS_CORE_SQL_H
#define WEBHOOKS_CORE_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Wakes the worker's connection on every commit that wrote an event. */
#define WEBHOOKS_SQL_LISTEN "LISTEN webhooks"

/* The workers' session: their commits (a lease, a delivery's outcome) do not
 * wait for the WAL flush. One lost in a crash is made again: the delivery is
 * sent once more with the same webhook-id (at least once, as always), or its
 * lease expires. No rows. */
#define WEBHOOKS_SQL_ASYNC_COMMIT "SET synchronous_commit = off"

/* Claims one due delivery (FOR UPDATE SKIP LOCKED: instances share the
 * outbox) whose subscription is active and which no earlier pending delivery
 * of the same order key (a referral) to the same subscription precedes, and
 * leases it for 60 s to this connection's backend: a worker that dies leaves
 * it to be claimed again once its backend is gone (its process killed, the
 * connection closes) or after those 60 s (a worker that hangs).
 * Columns: delivery id, event id, body, url, secret, previous secret (NULL
 * when its overlap is over), attempts (this one included), subscription id,
 * the subscription's consecutive failures before this attempt. */
#define WEBHOOKS_SQL_CLAIM                                                                         \
    "WITH c AS (SELECT d.id FROM webhook_deliveries d "                                            \
    "JOIN webhook_subscriptions s ON s.id = d.subscription_id "                                    \
    "WHERE d.status = 'pending' AND d.next_attempt_at <= now() "                                   \
    "AND (d.lease_until IS NULL OR d.lease_until < now() OR NOT EXISTS (SELECT 1 FROM "            \
    "pg_stat_activity a WHERE a.pid = d.lease_pid)) AND s.active AND s.deleted_at IS NULL "        \
    "AND (s.retry_after IS NULL OR s.retry_after <= now()) "                                       \
    "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.subscription_id = "                \
    "d.subscription_id AND p.order_key = d.order_key AND p.status = 'pending' AND p.id < d.id) "   \
    "ORDER BY d.next_attempt_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED), "                      \
    "u AS (UPDATE webhook_deliveries d SET lease_until = now() + interval '60 seconds', "          \
    "lease_pid = pg_backend_pid(), "                                                               \
    "attempts = d.attempts + 1 FROM c WHERE d.id = c.id RETURNING d.*) "                           \
    "SELECT u.id, u.event_id, e.body, s.url, s.secret, CASE WHEN s.previous_until > now() "        \
    "THEN s.previous_secret END, u.attempts, s.id, s.failures FROM u "                             \
    "JOIN webhook_events e ON e.id = u.event_id "                                                  \
    "JOIN webhook_subscriptions s ON s.id = u.subscription_id"

/* $1 delivery id, $2 HTTP status, $3 latency (ms): delivered; its
 * subscription's failures are over. */
#define WEBHOOKS_SQL_DELIVERED                                                                     \
    "WITH d AS (UPDATE webhook_deliveries SET status = 'delivered', delivered_at = "               \
    "clock_timestamp(), last_status = $2::integer, last_latency_ms = $3::integer, last_error = "   \
    "NULL, lease_until = NULL WHERE id = $1::bigint RETURNING subscription_id) "                   \
    "UPDATE webhook_subscriptions s SET failures = 0, retry_after = NULL FROM d "                  \
    "WHERE s.id = d.subscription_id AND (s.failures > 0 OR s.retry_after IS NOT NULL)"

/* $1 delivery id, $2 HTTP status (NULL: no answer), $3 latency (ms), $4 why,
 * $5 seconds before its next attempt (NULL: no more, the delivery failed),
 * $6 seconds before the subscription's next attempt at anything (its
 * backoff, from its consecutive failures). */
#define WEBHOOKS_SQL_FAILED                                                                        \
    "WITH d AS (UPDATE webhook_deliveries SET status = CASE WHEN $5::integer IS NULL THEN "        \
    "'failed' ELSE 'pending' END, next_attempt_at = clock_timestamp() + coalesce($5::integer, 0) " \
    "* interval '1 second', last_status = $2::integer, last_latency_ms = $3::integer, "            \
    "last_error = $4, lease_until = NULL WHERE id = $1::bigint RETURNING subscription_id) "        \
    "UPDATE webhook_subscriptions s SET failures = s.failures + 1, retry_after = "                 \
    "clock_timestamp() + $6::integer * interval '1 second' FROM d WHERE s.id = d.subscription_id"

/* $1 subscription id, $2 why: the service disables it (410 Gone). */
#define WEBHOOKS_SQL_DISABLE                                                                       \
    "UPDATE webhook_subscriptions SET active = false, disabled_reason = $2, "                      \
    "updated_at = clock_timestamp() WHERE id = $1::uuid"

/* $1 subscription id, after a failed attempt: disabled when nothing reached
 * it for 3 days although a delivery has been waiting or failing that long
 * (the "failing everything for 3 days"). */
#define WEBHOOKS_SQL_DISABLE_FAILING                                                               \
    "UPDATE webhook_subscriptions s SET active = false, disabled_reason = 'every delivery failed " \
    "for 3 days', updated_at = clock_timestamp() WHERE s.id = $1::uuid AND s.active "              \
    "AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.subscription_id = s.id AND "           \
    "d.status <> 'delivered' AND d.attempts > 0 AND d.created_at < now() - interval '3 days') "    \
    "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.subscription_id = s.id AND "       \
    "d.status = 'delivered' AND d.delivered_at > now() - interval '3 days')"

/* The outbox for /metrics: pending deliveries, and the age in seconds of the
 * oldest (0 when none). */
#define WEBHOOKS_SQL_OUTBOX                                                                        \
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(d.created_at))::bigint, 0) "         \
    "FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id "          \
    "WHERE d.status = 'pending'"

/* clang-format on */

#endif
