/* POST /v1/places/import within its limits and without stalling anyone:
 * IMPORT_MAX_ROWS (422 naming it) and IMPORT_MAX_BYTES (413, from
 * Content-Length); a referral created while a large import (or dry run) runs
 * reaches the sync feed within a second (the feed waits for the oldest open
 * transaction, so an import must never hold one for long); a dry run over
 * many batches commits nothing. */
#include "support/expect.h"
#include "support/fixture.h"
#include "support/private_db.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *token, *mirande;

/* The database the tests read directly: the private one when there is one. */
static struct private_db own;

static void start_small(void)
{
    static const char *const env[] = {"IMPORT_MAX_ROWS=10", "IMPORT_MAX_BYTES=4096", NULL};
    fixture_start_with(env);
    fixture_token(&token, "france-services-mirande", "places:read places:write");
}

/* Enough threads and connections for an import and a partner side by side,
 * on a database of its own: its thousands of places of Mirande never meet the
 * tests that list places (they read the first 1000), and no other test's
 * import is taken for its own. */
static void start_private(const char *threads)
{
    private_db_create(&own, "inclusion_import");
    const char *env[] = {own.env_url, threads, "DB_POOL_SIZE=16", "MAX_CONNECTIONS_PER_IP=1024",
                         "RATE_LIMIT_ORG_PER_S=0",
                         /* a 12,000-row file (IMPORT_STALL_ROWS) is over the default */
                         "MAX_BODY_BYTES=16777216", NULL};
    fixture_start_with(env); /* migrates */
    const char *seed[] = {"seed", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(seed, env, &output), 0, "seed: %s", output);
    free(output);
    fixture_token(&token, "caf-gers", "places:read places:write");
    fixture_token(&mirande, "france-services-mirande", "referrals:read referrals:write");
}

static void start_concurrent(void)
{
    start_private("HTTP_THREADS=16");
}

/* Two HTTP threads: one import at a time, the other thread for the rest. */
static void start_two_threads(void)
{
    start_private("HTTP_THREADS=2");
}

/* private_db_drop, again while an autovacuum worker of the catalogs (a
 * superuser's process, which DROP … WITH (FORCE) may not end) is on it. */
static void stop_concurrent(void)
{
    fixture_stop();
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", own.name);
    PGconn *c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    PGresult *res = NULL;
    for (int i = 0; i < 100; i++) {
        PQclear(res);
        res = PQexec(c, sql);
        if (PQresultStatus(res) == PGRES_COMMAND_OK)
            break;
        usleep(100 * 1000);
    }
    cr_expect_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
    own.url[0] = '\0';
}

TestSuite(import_limits, .init = start_small, .fini = fixture_stop, .timeout = 60);
TestSuite(import_stall, .init = start_concurrent, .fini = stop_concurrent, .timeout = 60);
TestSuite(import_busy, .init = start_two_threads, .fini = stop_concurrent, .timeout = 60);

#define HEADER                                                                                     \
    "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,source,date_maj,"      \
    "commentaire\n"

/* A CSV of `rows` valid places of Mirande of the source `source`, each with
 * `padding` digits in a column the import ignores (caller frees). */
static char *places_csv(const char *source, int rows, int padding)
{
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    cr_assert_not_null(f);
    fputs(HEADER, f);
    for (int i = 0; i < rows; i++)
        fprintf(f,
                "p%d,43493312300029,Lieu %s %d,Mirande,32300,32256,%d rue de "
                "l'Évêché,43.5147,0.4047,%s,2026-11-01,%0*d\n",
                i, source, i, i + 1, source, padding, 0);
    fclose(f);
    return csv;
}

static struct response *import(bool checked, const char *query, const char *csv)
{
    char auth[4096], path[128];
    snprintf(path, sizeof path, "%s/v1/places/import%s", server.base_url, query);
    const char *headers[] = {bearer_header(token, auth, sizeof auth), "Content-Type: text/csv",
                             NULL};
    return checked ? http_request("POST", path, headers, csv)
                   : http_request_raw("POST", path, headers, csv);
}

static PGconn *connect_db(void)
{
    const char *dsn = own.url[0] ? own.url : getenv("TEST_DATABASE_URL");
    cr_assert_not_null(dsn, "TEST_DATABASE_URL");
    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

/* The first column of the first row of `sql` ($1: param) as a number. */
static long number(PGconn *c, const char *sql, const char *param)
{
    const char *params[] = {param};
    PGresult *res = PQexecParams(c, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
    long n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

/* The first column of the first row of `sql` ($1: param) as text into buf. */
static void text_of(PGconn *c, const char *sql, const char *param, char *buf, size_t cap)
{
    const char *params[] = {param};
    PGresult *res = PQexecParams(c, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
    snprintf(buf, cap, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* Whether a transaction of another database (another test), with an xid and
 * begun before `at`, is still open: the feed waits for it too. */
static bool foreign_transactions(PGconn *c, const char *at)
{
    return number(c,
                  "SELECT count(*) FROM pg_stat_activity WHERE datname IS DISTINCT FROM "
                  "current_database() AND backend_xid IS NOT NULL AND xact_start < $1::timestamptz",
                  at) > 0;
}

static long places_of_source(PGconn *c, const char *source)
{
    return number(c, "SELECT count(*) FROM places WHERE source = $1", source);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- limits ---------------------------------------------------------------- */

Test(import_limits, more_rows_than_IMPORT_MAX_ROWS_is_422_naming_the_limit_and_writes_nothing)
{
    char source[64];
    test_nonce("rows", source, sizeof source);
    char *csv = places_csv(source, 11, 0);
    struct response *r = import(true, "", csv);
    cr_expect_eq(r->status, 422, "%ld %s", r->status, r->body);
    cr_expect(names_field(r, "body"), "%s", r->body);
    cr_expect_not_null(strstr(r->body, "IMPORT_MAX_ROWS"), "%s", r->body);
    cr_expect_not_null(strstr(r->body, "10"), "the limit is named: %s", r->body);
    response_free(r);
    free(csv);
    PGconn *c = connect_db();
    cr_expect_eq(places_of_source(c, source), 0);
    /* exactly the limit is accepted */
    csv = places_csv(source, 10, 0);
    r = import(true, "?dry_run=true", csv);
    cr_expect_eq(r->status, 200, "%ld %s", r->status, r->body);
    response_free(r);
    free(csv);
    cr_expect_eq(places_of_source(c, source), 0);
    PQfinish(c);
}

Test(import_limits, a_body_over_IMPORT_MAX_BYTES_is_413_and_writes_nothing)
{
    char source[64];
    test_nonce("bytes", source, sizeof source);
    char *csv = places_csv(source, 10, 400); /* at the row limit, over 4096 bytes */
    cr_assert_gt(strlen(csv), 4096);
    struct response *r = import(true, "", csv);
    cr_expect_eq(r->status, 413, "%ld %s", r->status, r->body);
    json_t *body = response_json(r);
    cr_expect_str_eq(json_str(body, "type"), "urn:inclusion-api:problem:body-too-large", "%s",
                     r->body);
    json_decref(body);
    response_free(r);
    free(csv);
    PGconn *c = connect_db();
    cr_expect_eq(places_of_source(c, source), 0);
    PQfinish(c);
}

/* ---- the feed is not stalled ----------------------------------------------- */

struct running_import {
    const char *csv;
    const char *query; /* "" or "?dry_run=true" */
    struct response *answer;
    atomic_bool done;
    double ended; /* now_s() when it answered */
};

static void *run_import(void *arg)
{
    struct running_import *ri = arg;
    ri->answer = import(false, ri->query, ri->csv);
    ri->ended = now_s();
    atomic_store(&ri->done, true);
    return NULL;
}

/* Whether some session writes places through the import's upsert right now. */
static bool import_underway(PGconn *c)
{
    return number(c,
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND backend_xid IS NOT NULL AND query LIKE 'INSERT INTO places AS p %'",
                  NULL) > 0;
}

/* POST /v1/referrals from france-services-mirande to caf-gers (asserts 201);
 * its id into id. */
static void create_referral(char *id, size_t cap)
{
    char notes[64], recorded[40], key[96];
    test_nonce("import-stall", notes, sizeof notes);
    test_nonce("Idempotency-Key: imp", key, sizeof key);
    rfc3339_utc(time(NULL) - 3600, recorded, sizeof recorded);
    json_t *doc = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:{s:b, s:s, s:s}, s:s}", "to_org", "caf-gers",
        "need", "caf_procedures", "beneficiary", "first_name", "Josette", "last_name", "Dupin",
        "phone", "06 12 34 56 78", "email", "josette.dupin@example.fr", "contact_preference",
        "phone", "consent", "given", 1, "method", "oral", "recorded_at", recorded, "notes", notes);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct response *r = api_call(false, "POST", "/v1/referrals", mirande, text, key);
    free(text);
    cr_assert_eq(r->status, 201, "create referral: %ld %s", r->status, r->body);
    json_t *body = response_json(r);
    snprintf(id, cap, "%s", json_str(body, "id"));
    json_decref(body);
    response_free(r);
}

/* Whether the outbound feed of france-services-mirande since `since` lists `id`. */
static bool in_feed(const char *since, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/referrals?direction=outbound&limit=200&updated_since=%s",
             since);
    struct response *r = api_call(false, "GET", path, mirande, NULL, NULL);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    bool found = false;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i, item) found =
        found || strcmp(json_str(item, "id") ? json_str(item, "id") : "", id) == 0;
    json_decref(body);
    return found;
}

#define FEED_BOUND_S 1.0

/* IMPORT_STALL_ROWS rows (4000 unless set: 12000 gives the README's figure). */
static int stall_rows(void)
{
    const char *v = getenv("IMPORT_STALL_ROWS");
    return v && atoi(v) > 0 ? atoi(v) : 4000;
}

/* Creates a referral while an import of stall_rows() rows (a dry run when
 * `dry`) runs, and asserts it reaches the feed within FEED_BOUND_S; then that
 * the import created every row, or, dry, committed none. */
static void referral_during_import(bool dry)
{
    char source[64];
    test_nonce("stall", source, sizeof source);
    const int rows = stall_rows();
    char *csv = places_csv(source, rows, 0);
    PGconn *c = connect_db();
    struct running_import ri = {.csv = csv, .query = dry ? "?dry_run=true" : ""};
    pthread_t t;
    pthread_create(&t, NULL, run_import, &ri);
    /* wait (polling) until the import writes, or has answered already */
    while (!import_underway(c) && !atomic_load(&ri.done))
        usleep(5000);
    cr_assert(!atomic_load(&ri.done), "the import ended before it could be observed: %s",
              ri.answer ? ri.answer->body : "");

    char since[40], id[64];
    rfc3339_utc(time(NULL) - 2, since, sizeof since);
    /* The feed waits for every transaction of the cluster, other tests' too
     * (in other databases): a delay they caused is measured again, with a new
     * referral, while the import still runs (3 times at most). */
    bool seen = false, foreign = false, during = false;
    double delay = 0, created = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        create_referral(id, sizeof id);
        created = now_s();
        during = !atomic_load(&ri.done);
        char at[64];
        text_of(c, "SELECT clock_timestamp()::text", NULL, at, sizeof at);
        seen = foreign = false;
        while (!seen) {
            seen = in_feed(since, id);
            delay = now_s() - created;
            if (!seen && delay > 30)
                break;
            if (!seen) {
                foreign = foreign || foreign_transactions(c, at);
                usleep(10000); /* the resolution of the measure, not a proof */
            }
        }
        if (!seen || delay < FEED_BOUND_S || !foreign)
            break;
        cr_log_warn("a transaction of another database held the feed %.3f s: measured again",
                    delay);
    }
    bool import_still_running = !atomic_load(&ri.done);
    pthread_join(t, NULL);
    cr_assert(seen, "the referral never reached the feed");
    cr_expect(during, "the import ended before the referral was created: nothing measured");
    cr_expect_lt(delay, FEED_BOUND_S,
                 "the referral reached the feed %.3f s after its creation (import %s%s)", delay,
                 import_still_running ? "still running" : "ended meanwhile",
                 foreign ? "; transactions of other databases held it too" : "");
    cr_log_info("feed delay during a %d-row import%s: %.3f s (import ended %.3f s after the "
                "referral's creation)",
                rows, dry ? " (dry run)" : "", delay, ri.ended - created);

    cr_assert_eq(ri.answer->status, 200, "%ld %s", ri.answer->status, ri.answer->body);
    json_t *body = response_json(ri.answer);
    cr_expect_eq(json_integer_value(json_object_get(body, "created")), rows, "%.300s",
                 ri.answer->body);
    cr_expect_eq(json_array_size(json_object_get(body, "refused")), 0);
    response_free(ri.answer);
    cr_expect(json_is_boolean(json_object_get(body, "dry_run")) &&
              json_is_true(json_object_get(body, "dry_run")) == dry);
    json_decref(body);
    cr_expect_eq(places_of_source(c, source), dry ? 0 : rows, "a dry run commits nothing");
    PQfinish(c);
    free(csv);
}

/* One after the other: two imports side by side would hold each other's feed
 * (the feed waits for every transaction of the cluster). */
Test(import_stall, a_referral_created_during_a_large_import_or_dry_run_reaches_the_feed_in_1_s)
{
    referral_during_import(false);
    referral_during_import(true);
}

/* ---- imports never take every HTTP thread -------------------------------- */

Test(import_busy, with_two_threads_a_second_import_is_429_and_another_partner_is_answered_at_once)
{
    char source[64], other[64];
    test_nonce("busy", source, sizeof source);
    test_nonce("busy2", other, sizeof other);
    char *csv = places_csv(source, 3000, 0);
    PGconn *c = connect_db();
    struct running_import ri = {.csv = csv, .query = ""};
    pthread_t t;
    pthread_create(&t, NULL, run_import, &ri);
    while (!import_underway(c) && !atomic_load(&ri.done))
        usleep(5000);
    cr_assert(!atomic_load(&ri.done), "the import ended before it could be observed");

    char *small = places_csv(other, 1, 0);
    struct response *r = import(true, "", small);
    free(small);
    cr_expect_eq(r->status, 429, "%ld %.200s", r->status, r->body);
    char retry[16];
    cr_expect_not_null(response_header(r, "Retry-After", retry, sizeof retry));
    response_free(r);
    double asked = now_s();
    r = api_call(true, "GET", "/v1/referrals?limit=1", mirande, NULL, NULL);
    double took = now_s() - asked;
    bool during = !atomic_load(&ri.done);
    cr_expect_eq(r->status, 200, "%ld %s", r->status, r->body);
    response_free(r);
    cr_expect(during, "the import ended before the other partner's answer: nothing measured");
    cr_expect_lt(took, FEED_BOUND_S, "another partner waited %.3f s during an import", took);
    cr_log_info("another partner's GET /v1/referrals?limit=1 during an import, 2 threads: %.3f s",
                took);
    pthread_join(t, NULL);
    cr_expect_eq(ri.answer->status, 200, "%ld %.200s", ri.answer->status, ri.answer->body);
    response_free(ri.answer);
    cr_expect_eq(places_of_source(c, other), 0, "the refused import wrote nothing");
    PQfinish(c);
    free(csv);
}
