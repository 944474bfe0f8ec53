/* The guard's view (api/core/authstate.c): admitting a verified token reads
 * no table, and a deactivation made anywhere (here: straight in the database,
 * as another instance would) is refused within moments, through PostgreSQL's
 * notification rather than a query per request. */
#include "support/expect.h"
#include "support/fixture.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One organisation per test: the tests of a suite run side by side. */
#define ORG     "guard-view-test"
#define ORG_TWO "guard-view-lock"

static char *token, *token_two;

static PGconn *db(void)
{
    PGconn *c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

static void sql(PGconn *c, const char *statement)
{
    PGresult *res = PQexec(c, statement);
    cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
              "%s: %s", statement, PQresultErrorMessage(res));
    PQclear(res);
}

static void setup(void)
{
    PGconn *c = db();
    sql(c, "INSERT INTO organizations (slug, name, kind) VALUES ('" ORG "', 'Guard view test', "
           "'autre'), ('" ORG_TWO "', 'Guard view test', 'autre') "
           "ON CONFLICT (slug) DO UPDATE SET active = true");
    PQfinish(c);
    fixture_start();
    fixture_token(&token, ORG, "referrals:read");
    fixture_token(&token_two, ORG_TWO, "referrals:read");
}

TestSuite(guard_view, .init = setup, .fini = fixture_stop, .timeout = 60);

static long status_with(const char *bearer)
{
    struct response *r = api_call(false, "GET", "/v1/referrals?limit=1", bearer, NULL, NULL);
    long status = r->status;
    response_free(r);
    return status;
}

static long status_now(void)
{
    return status_with(token);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Seconds until the answer is `want` (polling every 5 ms), at most 5 s;
 * the last status seen otherwise, to tell why. */
static double seconds_until(long want)
{
    double start = now_s();
    long seen;
    while ((seen = status_now()) != want && now_s() - start < 5) {
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (seen != want)
        cr_log_warn("still %ld after 5 s, waiting for %ld", seen, want);
    return now_s() - start;
}

Test(guard_view, admitting_a_token_reads_no_table)
{
    cr_assert_eq(status_with(token_two), 200);
    /* Another transaction holds every table the guard could read: a query on
     * them would wait for it (until the statement timeout). */
    PGconn *c = db();
    sql(c, "BEGIN");
    sql(c, "LOCK TABLE organizations, api_clients, revoked_tokens IN ACCESS EXCLUSIVE MODE");
    double start = now_s();
    long status = status_with(token_two);
    double took = now_s() - start;
    sql(c, "ROLLBACK");
    PQfinish(c);
    cr_expect_eq(status, 200, "admitted from the view");
    cr_expect_lt(took, 1.0, "at once (%.3f s), not after the lock", took);
}

Test(guard_view, a_deactivation_elsewhere_is_refused_within_moments)
{
    cr_assert_eq(status_now(), 200);
    PGconn *c = db();
    sql(c, "UPDATE organizations SET active = false WHERE slug = '" ORG "'");
    double refused = seconds_until(401);
    sql(c, "UPDATE organizations SET active = true WHERE slug = '" ORG "'");
    double admitted = seconds_until(200);
    PQfinish(c);
    cr_expect_lt(refused, 1.0, "refused %.3f s after the change (notified, not polled)", refused);
    cr_expect_lt(admitted, 1.0, "admitted again %.3f s after", admitted);
    cr_log_info("deactivation seen in %.3f s, reactivation in %.3f s", refused, admitted);
}
