/* The work one indicator request may ask for (issue #14): a series has at
 * most 160 points and a period computed from the inputs (two filters or
 * more) at most 366 days, beyond which 422 names every parameter at fault;
 * at most INDICATORS_EXPENSIVE_PER_ORG (2) requests from the inputs of one
 * organisation run at once, the next gets 429 with Retry-After; a statement
 * ended by statement_timeout is 504 `query-too-expensive`, without the
 * Retry-After of a database that is down.
 *
 * The requests are held in flight deterministically: the test's own libpq
 * connection locks the `indicators` table (which every indicator query reads)
 * in a database of its own, waits until the server's statements wait for that
 * lock (pg_stat_activity), asserts, then releases the lock. */
#include "support/expect.h"
#include "support/fixture.h"
#include "support/private_db.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VALIDATION "urn:inclusion-api:problem:validation"
#define TOO_MANY   "urn:inclusion-api:problem:too-many-expensive-requests"
#define TOO_COSTLY "urn:inclusion-api:problem:query-too-expensive"

/* Two filters: computed from the inputs. */
#define TWO_FILTERS "/v1/indicators?org=gers-numerique&commune=32256"

static char *gers, *caf;
static struct private_db db;

static void start_shared(void)
{
    /* small-cell suppression alone: the bounds are for any period and filters */
    static const char *const env[] = {"INDICATORS_DISCLOSURE=cell", NULL};
    fixture_start_with(env);
    fixture_token(&gers, "gers-numerique", "indicators:read");
}

static void stop_shared(void)
{
    fixture_stop();
}

/* A database of its own (its `indicators` table is locked by the tests), seeded. */
static void start_private(const char *const *more_env)
{
    private_db_create(&db, "inclusion_bounds");
    /* threads enough for the requests held in flight and those sent meanwhile */
    const char *env[9] = {db.env_url, "RATE_LIMIT_ORG_PER_S=0", "HTTP_THREADS=8",
                          "INDICATORS_DISCLOSURE=cell"};
    for (int i = 0; more_env && more_env[i] && i < 4; i++)
        env[4 + i] = more_env[i];
    fixture_start_with(env); /* migrates */
    const char *seed[] = {"seed", NULL};
    const char *seed_env[] = {db.env_url, NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(seed, seed_env, &output), 0, "seed: %s", output);
    free(output);
    fixture_token(&gers, "gers-numerique", "indicators:read");
    fixture_token(&caf, "caf-gers", "indicators:read");
}

static void start_concurrency(void)
{
    start_private(NULL);
}

static void start_timeout(void)
{
    static const char *const env[] = {"DB_STATEMENT_TIMEOUT_MS=300", NULL};
    start_private(env);
}

static void stop_private(void)
{
    fixture_stop();
    private_db_drop(&db);
}

static PGconn *connect_private(void)
{
    PGconn *c = PQconnectdb(db.url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
              PQresultErrorMessage(res));
    PQclear(res);
}

static bool now_past(const struct timespec *start, int seconds)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec - start->tv_sec >= seconds;
}

/* Waits (10 s at most) until `n` statements wait for a lock. `c` is a
 * connection of its own, outside a transaction: pg_stat_activity is read once
 * per transaction. */
static void await_lock_waiters(PGconn *c, int n)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        PGresult *res = PQexec(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND wait_event_type = 'Lock'");
        cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
        int waiting = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        if (waiting != n && now_past(&start, 10)) {
            res = PQexec(c, "SELECT string_agg(concat_ws(' ', state, wait_event_type, "
                            "wait_event, left(query, 40)), '; ') FROM pg_stat_activity "
                            "WHERE datname = current_database()");
            cr_log_error("sessions: %s", PQgetvalue(res, 0, 0));
            PQclear(res);
        }
        if (waiting == n)
            return;
        cr_assert_leq(waiting, n, "%d statements wait for the lock, expected %d", waiting, n);
        clock_gettime(CLOCK_MONOTONIC, &now);
        cr_assert_lt(now.tv_sec - start.tv_sec, 10,
                     "%d statements wait for the lock after 10 s, "
                     "expected %d",
                     waiting, n);
        usleep(10000); /* polling a condition, not waiting for one to happen by chance */
    }
}

static bool has_header(const struct response *r, const char *name)
{
    char buf[64];
    return response_header(r, name, buf, sizeof buf) != NULL;
}

static void expect_problem(const struct response *r, long status, const char *type)
{
    cr_expect_eq(r->status, status, "%ld: %s", r->status, r->body);
    json_t *body = response_json(r);
    cr_expect_str_eq(json_str(body, "type"), type, "%s", r->body);
    json_decref(body);
}

/* ---- bounds ---------------------------------------------------------------- */

TestSuite(indicator_bounds, .init = start_shared, .fini = stop_shared, .timeout = 60);

Test(indicator_bounds, a_weekly_series_over_ten_years_is_refused)
{
    struct response *r = api_call(
        true, "GET",
        "/v1/indicators/autonomy_rate/series?granularity=week&from=2016-12-01&to=2026-11-30", gers,
        NULL, NULL);
    expect_problem(r, 422, VALIDATION);
    cr_expect(names_field(r, "granularity"), "%s", r->body);
    cr_expect(strstr(r->body, "at most 160"), "the limit is given: %s", r->body);
    cr_expect_not(names_field(r, "from"), "one filter: the rollups answer, any period: %s",
                  r->body);
    response_free(r);
    /* the same ten years by month: 120 points */
    r = api_call(
        true, "GET",
        "/v1/indicators/autonomy_rate/series?granularity=month&from=2016-12-01&to=2026-11-30", gers,
        NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "items")), 120);
    json_decref(body);
    response_free(r);
    /* three years by week, 157 points (2023-11-27 to 2026-11-29: Mondays to Sundays) */
    r = api_call(
        true, "GET",
        "/v1/indicators/autonomy_rate/series?granularity=week&from=2023-11-27&to=2026-11-29", gers,
        NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "items")), 157);
    json_decref(body);
    response_free(r);
}

Test(indicator_bounds, a_series_of_161_weeks_is_refused_160_are_not)
{
    /* 2023-11-27 is a Monday: 160 weeks end on Sunday 2026-12-20 */
    struct response *r = api_call(
        true, "GET",
        "/v1/indicators/autonomy_rate/series?granularity=week&from=2023-11-27&to=2026-12-20", gers,
        NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    r = api_call(
        true, "GET",
        "/v1/indicators/autonomy_rate/series?granularity=week&from=2023-11-27&to=2026-12-21", gers,
        NULL, NULL);
    expect_problem(r, 422, VALIDATION);
    cr_expect(names_field(r, "granularity"), "%s", r->body);
    cr_expect(strstr(r->body, "161 points"), "%s", r->body);
    response_free(r);
}

Test(indicator_bounds, a_period_from_the_inputs_is_at_most_366_days)
{
    struct response *r =
        api_call(true, "GET", TWO_FILTERS "&from=2025-01-01&to=2026-01-01", gers, NULL, NULL);
    cr_expect_eq(r->status, 200, "366 days: %s", r->body);
    response_free(r);
    r = api_call(true, "GET", TWO_FILTERS "&from=2025-01-01&to=2026-01-02", gers, NULL, NULL);
    expect_problem(r, 422, VALIDATION);
    cr_expect(names_field(r, "from"), "%s", r->body);
    cr_expect(strstr(r->body, "at most 366 days"), "%s", r->body);
    response_free(r);
    /* one filter: the rollups, any period */
    r = api_call(true, "GET", "/v1/indicators?org=gers-numerique&from=2017-01-01&to=2026-01-01",
                 gers, NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
}

Test(indicator_bounds, every_bound_exceeded_is_named_at_once)
{
    /* the request: ten years, weekly, two filters */
    struct response *r = api_call(true, "GET",
                                  "/v1/indicators/autonomy_rate/series?granularity=week&org=gers-"
                                  "numerique&commune=32256&from=2016-12-01&to=2026-11-30",
                                  gers, NULL, NULL);
    expect_problem(r, 422, VALIDATION);
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "errors")), 2, "%s", r->body);
    json_decref(body);
    cr_expect(names_field(r, "granularity"), "%s", r->body);
    cr_expect(names_field(r, "from"), "%s", r->body);
    response_free(r);
    /* malformed first: 400, the bounds are not judged on a malformed request */
    r = api_call(true, "GET",
                 "/v1/indicators/autonomy_rate/series?granularity=day&org=gers-"
                 "numerique&commune=32256&from=2016-12-01&to=2026-11-30",
                 gers, NULL, NULL);
    cr_expect_eq(r->status, 400, "%s", r->body);
    cr_expect(names_field(r, "granularity"), "%s", r->body);
    response_free(r);
}

/* ---- requests from the inputs at once, per organisation --------------------- */

struct call {
    pthread_t thread;
    const char *path, *token;
    long status;
};

static void *call_unchecked(void *arg)
{
    struct call *c = arg;
    struct response *r = api_call(false, "GET", c->path, c->token, NULL, NULL);
    c->status = r->status;
    response_free(r);
    return NULL;
}

TestSuite(indicator_expensive, .init = start_concurrency, .fini = stop_private, .timeout = 60);

Test(indicator_expensive, the_third_at_once_of_an_organisation_gets_429)
{
    /* once without the lock: the rollups refreshed, the statements prepared */
    struct response *r = api_call(true, "GET", TWO_FILTERS, gers, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    response_free(r);

    PGconn *c = connect_private(), *watch = connect_private();
    exec_ok(c, "BEGIN");
    exec_ok(c, "LOCK TABLE indicators IN ACCESS EXCLUSIVE MODE");
    struct call held[3] = {
        {.path = TWO_FILTERS, .token = gers},
        {.path = TWO_FILTERS "&place_id=00000000-0000-4000-8000-000000000000", .token = gers},
        {.path = TWO_FILTERS, .token = caf}};
    /* one at a time: a server thread accepts no connection while its request
     * waits, so each is sent once the one before it holds its thread */
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(pthread_create(&held[i].thread, NULL, call_unchecked, &held[i]), 0);
        await_lock_waiters(watch, i + 1);
    }

    /* the third of gers-numerique: refused at once, before any database work */
    r = api_call(true, "GET", TWO_FILTERS "&from=2026-01-01&to=2026-06-30", gers, NULL, NULL);
    expect_problem(r, 429, TOO_MANY);
    char retry[16];
    cr_expect_str_eq(response_header(r, "Retry-After", retry, sizeof retry), "5");
    response_free(r);
    r = api_call(true, "GET",
                 "/v1/indicators/autonomy_rate/series?org=gers-numerique&commune=32256", gers, NULL,
                 NULL);
    expect_problem(r, 429, TOO_MANY);
    response_free(r);
    /* a request the rollups answer is not limited (routes does not read `indicators`) */
    r = api_call(true, "GET", "/v1/indicators/routes?org=gers-numerique", gers, NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    /* another organisation has its own two */
    cr_assert_eq(pthread_create(&held[2].thread, NULL, call_unchecked, &held[2]), 0);
    await_lock_waiters(watch, 3);

    exec_ok(c, "ROLLBACK");
    for (int i = 0; i < 3; i++) {
        pthread_join(held[i].thread, NULL);
        cr_expect_eq(held[i].status, 200, "request %d held by the lock, then answered", i);
    }
    PQfinish(c);
    PQfinish(watch);
    /* released on every path: two at once again, and a 422 and a 404 released theirs too */
    r = api_call(true, "GET", "/v1/indicators/nothing/series?org=gers-numerique&commune=32256",
                 gers, NULL, NULL);
    cr_expect_eq(r->status, 404, "%s", r->body);
    response_free(r);
    for (int i = 0; i < 3; i++) {
        r = api_call(true, "GET", TWO_FILTERS, gers, NULL, NULL);
        cr_expect_eq(r->status, 200, "after the release, request %d: %s", i, r->body);
        response_free(r);
    }
}

/* ---- statement timeout ---------------------------------------------------- */

TestSuite(indicator_timeout, .init = start_timeout, .fini = stop_private, .timeout = 60);

Test(indicator_timeout, a_statement_timeout_is_504_without_retry_after)
{
    struct response *r = api_call(true, "GET", "/v1/indicators", gers, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    response_free(r);

    PGconn *c = connect_private();
    exec_ok(c, "BEGIN");
    exec_ok(c, "LOCK TABLE indicators IN ACCESS EXCLUSIVE MODE");
    /* waits for the lock until DB_STATEMENT_TIMEOUT_MS (300) ends the statement */
    r = api_call(true, "GET", "/v1/indicators", gers, NULL, NULL);
    expect_problem(r, 504, TOO_COSTLY);
    cr_expect_not(has_header(r, "Retry-After"), "no invitation to retry at once");
    cr_expect(strstr(r->body, "narrow the period or the filters"), "%s", r->body);
    response_free(r);
    r = api_call(true, "GET", "/v1/indicators/autonomy_rate/series", gers, NULL, NULL);
    expect_problem(r, 504, TOO_COSTLY);
    cr_expect_not(has_header(r, "Retry-After"));
    response_free(r);
    exec_ok(c, "ROLLBACK");
    PQfinish(c);
    /* the connection was not lost: the next request is answered */
    r = api_call(true, "GET", "/v1/indicators", gers, NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
}
