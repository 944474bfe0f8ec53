/* SIGTERM under a write load, then a new instance: clients retry what was not
 * acknowledged with the same Idempotency-Key, against whichever instance is
 * up (as behind a load balancer). Nothing acknowledged is lost, nothing is
 * created twice, and the old instance drains within SHUTDOWN_TIMEOUT_S. */
#include "support/fixture.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITERS  4
#define MAX_KEYS 4000

TestSuite(restart, .timeout = 120);

static pthread_mutex_t base_lock = PTHREAD_MUTEX_INITIALIZER;
static char base_url[64]; /* the instance up now; "" between instances */
static atomic_bool stopping;
static char *token;

struct writer {
    char tag[64];
    long acknowledged, retries;
    char keys[MAX_KEYS][128];
};

static void *write_load(void *arg)
{
    struct writer *w = arg;
    char auth[4096], body[512], key[128], target[128];
    snprintf(body, sizeof body,
             "{\"to_org\":\"caf-gers\",\"need\":\"taxes\",\"beneficiary\":{\"first_name\":\"A\","
             "\"last_name\":\"B\",\"contact_preference\":\"referring_partner\"},\"consent\":"
             "{\"given\":true,\"method\":\"oral\",\"recorded_at\":\"2026-01-05T10:00:00+01:00\"},"
             "\"notes\":\"%s\"}",
             w->tag);
    for (long i = 0; !atomic_load(&stopping) && w->acknowledged < MAX_KEYS; i++) {
        snprintf(key, sizeof key, "Idempotency-Key: %s-%ld", w->tag, i);
        const char *headers[] = {bearer_header(token, auth, sizeof auth),
                                 "Content-Type: application/json", key, NULL};
        for (int attempt = 0; attempt < 400; attempt++) { /* 20 s at most */
            pthread_mutex_lock(&base_lock);
            snprintf(target, sizeof target, "%s/v1/referrals", base_url);
            bool up = base_url[0] != '\0';
            pthread_mutex_unlock(&base_lock);
            long status = 0;
            if (up) {
                struct response *r = http_request_raw("POST", target, headers, body);
                status = r->status;
                response_free(r);
            }
            if (status == 201) {
                /* the key's value, after "Idempotency-Key: " */
                snprintf(w->keys[w->acknowledged++], sizeof w->keys[0], "%s", key + 17);
                break;
            }
            w->retries++;
            usleep(50 * 1000);
        }
    }
    return NULL;
}

static void set_base(const char *url)
{
    pthread_mutex_lock(&base_lock);
    snprintf(base_url, sizeof base_url, "%s", url);
    pthread_mutex_unlock(&base_lock);
}

Test(restart, sigterm_then_a_new_instance_loses_nothing_and_doubles_nothing)
{
    static const char *const env[] = {"RATE_LIMIT_ORG_PER_S=0", "SHUTDOWN_TIMEOUT_S=10", NULL};
    token = test_token("france-services-mirande", "referrals:write referrals:read");
    struct test_server first, second;
    cr_assert(server_start(&first, env), "the first instance starts");
    set_base(first.base_url);
    static struct writer writers[WRITERS];
    pthread_t threads[WRITERS];
    atomic_store(&stopping, false);
    for (int i = 0; i < WRITERS; i++) {
        memset(&writers[i], 0, sizeof writers[i]);
        snprintf(writers[i].tag, sizeof writers[i].tag, "restart-%d-%ld-%d", (int)getpid(),
                 (long)time(NULL), i);
        pthread_create(&threads[i], NULL, write_load, &writers[i]);
    }
    sleep(2);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    set_base("");
    int code = server_stop(&first); /* SIGTERM; requests in flight finish */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double drain = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_expect_eq(code, 0, "the first instance exits 0");
    cr_expect_lt(drain, 10.0, "drained within 10 s: %.2f s", drain);
    cr_assert(server_start(&second, env), "a new instance starts");
    set_base(second.base_url);
    sleep(2);
    atomic_store(&stopping, true);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
    cr_expect_eq(server_stop(&second), 0);

    PGconn *c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    long acknowledged = 0, retries = 0, lost = 0, doubled = 0;
    for (int i = 0; i < WRITERS; i++) {
        struct writer *w = &writers[i];
        acknowledged += w->acknowledged;
        retries += w->retries;
        for (long k = 0; k < w->acknowledged; k++) {
            const char *params[] = {w->keys[k]};
            PGresult *res = PQexecParams(c,
                                         "SELECT count(*) FROM referrals x JOIN idempotency_keys k "
                                         "ON k.resource_id = x.id WHERE k.key = $1",
                                         1, NULL, params, NULL, NULL, 0);
            lost += PQresultStatus(res) != PGRES_TUPLES_OK || atol(PQgetvalue(res, 0, 0)) != 1;
            PQclear(res);
        }
        const char *params[] = {w->tag};
        PGresult *res = PQexecParams(c, "SELECT count(*) FROM referrals WHERE notes = $1", 1, NULL,
                                     params, NULL, NULL, 0);
        long rows = atol(PQgetvalue(res, 0, 0));
        PQclear(res);
        doubled += rows > w->acknowledged ? rows - w->acknowledged : 0;
        lost += rows < w->acknowledged ? w->acknowledged - rows : 0;
    }
    PQfinish(c);
    free(token);
    cr_log_info("restart: drained in %.2f s; %ld referrals acknowledged after %ld retries; "
                "%ld lost, %ld doubled",
                drain, acknowledged, retries, lost, doubled);
    cr_expect_gt(acknowledged, 0);
    cr_expect_gt(retries, 0, "some requests met the restart and were retried");
    cr_expect_eq(lost, 0, "no acknowledged write lost");
    cr_expect_eq(doubled, 0, "no referral created twice");
}
