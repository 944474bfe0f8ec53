/* `inclusion-api purge`: the daily retention pass over referrals. */
#ifndef PURGE_H
#define PURGE_H

#include <libpq-fe.h>
#include <stddef.h>

struct purge_counts {
    long expired; /* referrals still sent after REFERRAL_EXPIRY_DAYS, now expired */
    long erased;  /* closed referrals whose personal fields were erased */
    long keys;    /* Idempotency-Key records older than 24 hours, deleted */
    long revoked; /* revoked token ids whose token has expired, deleted */
    long events;  /* webhook events delivered to every subscriber, older than the retention */
};

/* In one transaction: expires the referrals due, erases the personal fields
 * and free texts of referrals closed more than retention_days ago (their
 * journey and timestamps stay), deletes idempotency records older than 24 h
 * the revoked token ids whose token has expired, and the webhook events older
 * than webhook_days whose every delivery succeeded (WEBHOOK_RETENTION_DAYS;
 * failed and pending ones stay).
 * Returns 0, or -1 with a message in err (nothing changed). */
int purge_run(PGconn *conn, int expiry_days, int retention_days, int webhook_days,
              struct purge_counts *counts, char *err, size_t err_len);

#endif
