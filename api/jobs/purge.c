/* The retention pass: what the campaign keeps of a referral once it is over
 * is its anonymous journey; the residents' names and contacts go. */
#include "purge.h"

#include "core_sql.h"
#include "idempotency_sql.h"
#include "referrals/referrals_sql.h"
#include "webhooks/webhooks_sql.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Runs one statement; its affected rows, or the first column of its row when
 * it returns one. -1 with err on failure. */
static long run(PGconn *conn, const char *what, const char *sql, int n, const char *const *params,
                char *err, size_t err_len)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    long count = -1;
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK && PQntuples(res) == 1)
        count = atol(PQgetvalue(res, 0, 0));
    else if (status == PGRES_COMMAND_OK)
        count = atol(PQcmdTuples(res));
    else
        snprintf(err, err_len, "%s: %s", what, PQresultErrorMessage(res));
    PQclear(res);
    return count;
}

int purge_run(PGconn *conn, int expiry_days, int retention_days, int webhook_days,
              struct purge_counts *counts, char *err, size_t err_len)
{
    char expiry[16], retention[16], hooks[16];
    snprintf(expiry, sizeof expiry, "%d", expiry_days);
    snprintf(retention, sizeof retention, "%d", retention_days);
    snprintf(hooks, sizeof hooks, "%d", webhook_days);
    const char *due[] = {NULL, expiry, NULL}, *kept[] = {retention}, *hooks_kept[] = {hooks};
    *counts = (struct purge_counts){-1, -1, -1, -1, -1};
    if (run(conn, "begin", CORE_SQL_BEGIN, 0, NULL, err, err_len) < 0)
        return -1;
    counts->expired = run(conn, "expiry", REFERRAL_SQL_EXPIRE_DUE, 3, due, err, err_len);
    if (counts->expired >= 0)
        counts->erased = run(conn, "erasure", REFERRAL_SQL_PURGE, 1, kept, err, err_len);
    if (counts->expired >= 0 && counts->erased >= 0)
        counts->keys = run(conn, "idempotency keys", IDEMPOTENCY_SQL_PURGE, 0, NULL, err, err_len);
    if (counts->keys >= 0)
        counts->revoked =
            run(conn, "revoked tokens", CORE_SQL_PURGE_REVOKED, 0, NULL, err, err_len);
    if (counts->revoked >= 0)
        counts->events =
            run(conn, "webhook events", WEBHOOKS_SQL_PURGE, 1, hooks_kept, err, err_len);
    bool ok = counts->expired >= 0 && counts->erased >= 0 && counts->keys >= 0 &&
              counts->events >= 0 && counts->revoked >= 0;
    if (!ok) {
        PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
        return -1;
    }
    return run(conn, "commit", CORE_SQL_COMMIT, 0, NULL, err, err_len) < 0 ? -1 : 0;
}
