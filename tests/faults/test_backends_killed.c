/* PostgreSQL backends terminated, and PostgreSQL itself restarted (fast, then
 * immediate), in the middle of a write load: every answer is a 201 or a 503
 * with Retry-After (never a 500, never a crash), every 201 the client saw has
 * its row, a referral retried with its Idempotency-Key after a 503 exists
 * exactly once, and writes succeed again within 5 s of the database being
 * back. Runs with the other fault tests, alone. */
#include "support/cluster.h"
#include "support/fixture.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITERS 4
#define SECONDS 4
#define MAX_IDS 4000

static void start(void)
{
    static const char *const env[] = {"HTTP_THREADS=4", "DB_POOL_SIZE=4", "RATE_LIMIT_ORG_PER_S=0",
                                      NULL};
    fixture_start_with(env);
}

TestSuite(backends, .init = start, .fini = fixture_stop, .timeout = 120);

static atomic_bool stopping;
static char *token;
static char place[64];

struct writer {
    int n;
    long created, unavailable, other, missing_retry_after;
    char (*visits)[40];
    long visit_count;
    char keys[MAX_IDS][80]; /* referrals acknowledged, by Idempotency-Key */
    long key_count;
    char tag[48];
};

static struct response *post(const char *path, const char *body, const char *key)
{
    char auth[4096], target[256], idem[96];
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key ? key : "");
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", key ? idem : NULL, NULL};
    snprintf(target, sizeof target, "%s%s", server.base_url, path);
    return http_request_raw("POST", target, headers, body);
}

/* Counts an answer; true for a 201. */
static bool account(struct writer *w, struct response *r)
{
    char retry[16];
    if (r->status == 201) {
        w->created++;
        return true;
    }
    if (r->status == 503) {
        w->unavailable++;
        if (!response_header(r, "Retry-After", retry, sizeof retry))
            w->missing_retry_after++;
    } else {
        w->other++;
        fprintf(stderr, "unexpected %ld: %.200s\n", r->status, r->body);
    }
    return false;
}

static void *write_load(void *arg)
{
    struct writer *w = arg;
    char body[1024];
    for (long i = 0; !atomic_load(&stopping) && w->visit_count < MAX_IDS && w->key_count < MAX_IDS;
         i++) {
        /* a visit: one statement */
        snprintf(body, sizeof body,
                 "{\"place_id\":\"%s\",\"visited_at\":\"2026-01-05T10:00:00+01:00\",\"count\":1}",
                 place);
        struct response *r = post("/v1/visits", body, NULL);
        if (account(w, r)) {
            json_t *doc = response_json(r);
            snprintf(w->visits[w->visit_count++], 40, "%s",
                     json_string_value(json_object_get(doc, "id")));
            json_decref(doc);
        }
        response_free(r);
        /* a referral: a transaction; retried with its key until acknowledged */
        char key[80];
        snprintf(key, sizeof key, "%s-%ld", w->tag, i);
        snprintf(body, sizeof body,
                 "{\"to_org\":\"caf-gers\",\"need\":\"taxes\",\"beneficiary\":{\"first_name\":"
                 "\"A\",\"last_name\":\"B\",\"contact_preference\":\"referring_partner\"},"
                 "\"consent\":{\"given\":true,\"method\":\"oral\",\"recorded_at\":"
                 "\"2026-01-05T10:00:00+01:00\"},\"notes\":\"%s\"}",
                 w->tag);
        for (int attempt = 0; attempt < 300; attempt++) {
            r = post("/v1/referrals", body, key);
            bool acknowledged = account(w, r);
            long status = r->status;
            response_free(r);
            if (acknowledged) {
                snprintf(w->keys[w->key_count++], sizeof w->keys[0], "%s", key);
                break;
            }
            if (status != 503)
                break;
            usleep(50 * 1000);
        }
    }
    return NULL;
}

static void *kill_backends(void *arg)
{
    long *kills = arg;
    PGconn *c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    while (!atomic_load(&stopping)) {
        PGresult *res =
            PQexec(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                      "WHERE usename = current_user AND datname = current_database() "
                      "AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            *kills += atol(PQgetvalue(res, 0, 0));
        PQclear(res);
        usleep(150 * 1000);
    }
    PQfinish(c);
    return NULL;
}

static long count_rows(PGconn *c, const char *sql, const char *param)
{
    const char *params[] = {param};
    PGresult *res = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    long n = PQresultStatus(res) == PGRES_TUPLES_OK ? atol(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return n;
}

/* Runs the write load for `seconds` while `fault` runs (it stops when
 * `stopping` is set), then checks every answer and every row. `what` names
 * the fault in the log; `faults` is what the fault thread counted. */
static void load_under(void *(*fault)(void *), long *faults, int seconds, const char *what)
{
    token = test_token("france-services-mirande", "activity:write referrals:write referrals:read");
    PGconn *c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *res = PQexec(c, "SELECT id FROM places WHERE deleted_at IS NULL LIMIT 1");
    cr_assert(PQntuples(res) == 1, "a place");
    snprintf(place, sizeof place, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c); /* the fault would end it: the rows are counted on a new one */

    static struct writer writers[WRITERS];
    static char visits[WRITERS][MAX_IDS][40];
    pthread_t threads[WRITERS], faulting;
    atomic_store(&stopping, false);
    for (int i = 0; i < WRITERS; i++) {
        memset(&writers[i], 0, sizeof writers[i]);
        writers[i].n = i;
        writers[i].visits = visits[i];
        snprintf(writers[i].tag, sizeof writers[i].tag, "%.8s-%d-%ld-%d", what, (int)getpid(),
                 (long)time(NULL), i);
        pthread_create(&threads[i], NULL, write_load, &writers[i]);
    }
    pthread_create(&faulting, NULL, fault, faults);
    sleep(seconds);
    atomic_store(&stopping, true);
    pthread_join(faulting, NULL);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
    c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));

    long created = 0, unavailable = 0, other = 0, no_retry = 0, lost = 0, duplicated = 0, acked = 0;
    for (int i = 0; i < WRITERS; i++) {
        struct writer *w = &writers[i];
        created += w->created;
        unavailable += w->unavailable;
        other += w->other;
        no_retry += w->missing_retry_after;
        for (long v = 0; v < w->visit_count; v++)
            lost +=
                count_rows(c, "SELECT count(*) FROM visits WHERE id = $1::uuid", w->visits[v]) != 1;
        for (long k = 0; k < w->key_count; k++) {
            acked++;
            const char *params[] = {w->keys[k]};
            PGresult *r =
                PQexecParams(c,
                             "SELECT count(*) FROM referrals x JOIN idempotency_keys k ON "
                             "k.resource_id = x.id WHERE k.org = "
                             "'france-services-mirande' AND k.key = $1",
                             1, NULL, params, NULL, NULL, 0);
            long n = PQresultStatus(r) == PGRES_TUPLES_OK ? atol(PQgetvalue(r, 0, 0)) : -1;
            PQclear(r);
            lost += n < 1;
            duplicated += n > 1;
        }
        /* no referral of this writer without its key: a retry never doubled one */
        long rows = count_rows(c, "SELECT count(*) FROM referrals WHERE notes = $1", w->tag);
        duplicated += rows > w->key_count ? rows - w->key_count : 0;
    }
    cr_log_info("%s: %ld; answers: %ld 201, %ld 503, %ld other; referrals "
                "acknowledged: %ld; lost: %ld; duplicated: %ld",
                what, *faults, created, unavailable, other, acked, lost, duplicated);
    cr_expect_gt(*faults, 0, "%s", what);
    cr_expect_gt(unavailable, 0, "the fault was felt (503s)");
    cr_expect_gt(created, 0, "writes went through between the kills");
    cr_expect_eq(other, 0, "only 201 and 503");
    cr_expect_eq(no_retry, 0, "every 503 has Retry-After");
    cr_expect_eq(lost, 0, "every acknowledged write has its row");
    cr_expect_eq(duplicated, 0, "no referral twice");
    PQfinish(c);
    free(token);
    /* and the service is whole again */
    struct response *r = http_get(server.base_url, "/readyz", NULL);
    cr_expect_eq(r->status, 200);
    response_free(r);
}

Test(backends, killed_backends_cost_503s_not_acknowledged_writes)
{
    long kills = 0;
    load_under(kill_backends, &kills, SECONDS, "backends killed");
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Restarts PostgreSQL twice under the load, fast then immediate (a crash:
 * recovery replays the WAL), and measures, after each, how long until a
 * write is acknowledged again. */
static double recovery_s[2];
static bool cluster_failed;

static void *restart_database(void *arg)
{
    long *restarts = arg;
    static const char *const modes[] = {"fast", "immediate"};
    for (int i = 0; i < 2 && !atomic_load(&stopping); i++) {
        usleep(800 * 1000);
        if (!test_cluster("stop", modes[i])) {
            cluster_failed = true;
            break;
        }
        usleep(500 * 1000);
        if (!test_cluster("start", "fast")) {
            cluster_failed = true;
            break;
        }
        double up = now_s();
        (*restarts)++;
        recovery_s[i] = -1;
        char body[256];
        snprintf(body, sizeof body,
                 "{\"place_id\":\"%s\",\"visited_at\":\"2026-01-05T10:00:00+01:00\",\"count\":1}",
                 place);
        while (now_s() - up < 20) {
            struct response *r = post("/v1/visits", body, NULL);
            long status = r->status;
            response_free(r);
            if (status == 201) {
                recovery_s[i] = now_s() - up;
                break;
            }
            usleep(20 * 1000);
        }
    }
    return NULL;
}

Test(backends, restarted_database_costs_503s_not_acknowledged_writes, .timeout = 180)
{
    long restarts = 0;
    load_under(restart_database, &restarts, 8, "database restarts");
    cr_assert(!cluster_failed, "db/cluster.sh stop/start on TEST_PG_DIR, TEST_PG_PORT");
    cr_expect_eq(restarts, 2, "restarted fast, then immediate");
    for (int i = 0; i < 2; i++) {
        cr_log_info("writes acknowledged again %.2f s after restart %d", recovery_s[i], i + 1);
        cr_expect(recovery_s[i] >= 0 && recovery_s[i] <= 5.0,
                  "restart %d: writes back %.2f s after the database (at most 5 s)", i + 1,
                  recovery_s[i]);
    }
}
