/* Webhooks (issue #17): the checks of a subscription's URL (SSRF), its
 * signing secret and the Standard Webhooks signature, and the delivery
 * workers `serve` runs. The events themselves are written by triggers
 * (db/functions/webhooks.sql). */
#ifndef WEBHOOKS_CORE_H
#define WEBHOOKS_CORE_H

#include "config.h"

#include <stdbool.h>

/* Where a checked URL goes: its host, port and the address checked (the
 * connection is pinned to it, so DNS cannot change between check and use). */
struct webhook_target {
    char host[256];
    long port;
    char ip[64];
    bool literal; /* the host is an IP address */
};

/* Checks `url`: absolute https (or http when allow_http), no user
 * information; its host resolved, and every address it resolves to public
 * unless allow_private (netaddr_refusal). Returns NULL with *t filled, or why
 * it is refused (a static string, for a validation error or a log). */
const char *webhook_url_check(const char *url, bool allow_http, bool allow_private,
                              struct webhook_target *t);

/* A new signing secret, "whsec_" + base64 of 32 random bytes (caller frees),
 * or NULL when the random source fails. */
char *webhook_new_secret(void);

/* The value of the webhook-signature header for the message: "v1,<base64
 * HMAC-SHA256>" with the key of `secret` (whsec_ + base64), followed after a
 * space by the one of `previous` when not NULL. Caller frees; NULL when a
 * secret is malformed. */
char *webhook_signature(const char *secret, const char *previous, const char *id,
                        const char *timestamp, const char *body);

/* The delivery threads (cfg->webhook_workers of them, each with its own
 * connection). They look at the outbox when this process wakes them (after
 * each write it answered: webhook_workers_wake), when another process
 * NOTIFYs `webhooks` (a ping), and every second (the writes of other
 * instances and of sub-commands). The triggers do not NOTIFY: PostgreSQL
 * serialises the commits of notifying transactions (a database-wide lock held
 * through the commit's WAL flush), which took more than half the referral
 * POSTs' throughput once a partner subscribed. NULL when there are none to
 * start. */
struct webhook_workers;
struct webhook_workers *webhook_workers_start(const struct config *cfg);

/* Wakes the workers (NULL: none) after a write has committed, whether it
 * wrote an event or not; a wake already pending costs nothing more. */
void webhook_workers_wake(struct webhook_workers *w);

/* The webhook lines of /metrics (Prometheus text; caller frees): delivery
 * attempts by outcome (delivered, retry, failed), the outbox's depth and the
 * age of its oldest pending delivery, as the workers last sampled them. */
char *webhook_metrics_text(void);

/* Asks them to stop, waits for the delivery in progress (10 s at most). */
void webhook_workers_stop(struct webhook_workers *w);

#endif
