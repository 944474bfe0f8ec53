/* PostgreSQL goes away under a running server: 503 with Retry-After (never a
 * 500, never a crash), /healthz stays up, and service comes back by itself.
 * Runs alone (it stops the test cluster): tests/run.sh runs it after the rest. */
#include "support/cluster.h"
#include "support/fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

TestSuite(faults, .init = fixture_start, .fini = fixture_stop, .timeout = 120);

static void cluster(const char *command, const char *mode)
{
    cr_assert(test_cluster(command, mode), "db/cluster.sh %s (%s) on TEST_PG_DIR, TEST_PG_PORT",
              command, mode);
}

static long organisations_status(const char *token, char *retry_after, size_t cap)
{
    struct response *r = http_get(server.base_url, "/v1/organizations?limit=2", token);
    long status = r->status;
    if (retry_after && !response_header(r, "Retry-After", retry_after, cap))
        retry_after[0] = '\0';
    response_free(r);
    return status;
}

/* The 503's title and Content-Language when asked in `lang` (issue 20: the
 * 503s of api/core/ in both languages). */
static void expect_503_in(const char *token, const char *lang, const char *title)
{
    char auth[4096], al[64], language[16] = "";
    snprintf(al, sizeof al, "Accept-Language: %s", lang);
    const char *headers[] = {bearer_header(token, auth, sizeof auth), al, NULL};
    struct response *r = http_request("GET", url("/v1/organizations?limit=2"), headers, NULL);
    cr_expect_eq(r->status, 503);
    json_t *body = response_json(r);
    const char *got = json_string_value(json_object_get(body, "title"));
    cr_expect_str_eq(got ? got : "", title, "503 in %s: %s", lang, r->body);
    cr_expect_str_eq(
        response_header(r, "Content-Language", language, sizeof language) ? language : "", lang);
    json_decref(body);
    response_free(r);
}

static void outage(const char *mode)
{
    char *token = test_token("caf-gers", "referrals:read");
    cr_assert_eq(organisations_status(token, NULL, 0), 200);

    cluster("stop", mode);
    for (int i = 0; i < 5; i++) {
        char retry[32];
        cr_expect_eq(organisations_status(token, retry, sizeof retry), 503, "%s: 503 while down",
                     mode);
        cr_expect_str_eq(retry, "1");
    }
    expect_503_in(token, "fr", "Service indisponible");
    expect_503_in(token, "en", "Service Unavailable");
    struct response *r = http_get(server.base_url, "/readyz", NULL);
    cr_expect_eq(r->status, 503);
    response_free(r);
    r = http_get(server.base_url, "/healthz", NULL);
    cr_expect_eq(r->status, 200, "the process stays alive");
    response_free(r);

    cluster("start", "fast");
    time_t back = time(NULL);
    long status = 0;
    while (time(NULL) - back < 10 && (status = organisations_status(token, NULL, 0)) != 200) {
        cr_expect_eq(status, 503, "only 503 during recovery");
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    cr_expect_eq(status, 200, "%s: service is back within 10 s of the database", mode);
    /* every pooled connection works again, not just one */
    for (int i = 0; i < 20; i++)
        cr_expect_eq(organisations_status(token, NULL, 0), 200);
    free(token);
}

Test(faults, database_fast_shutdown_then_recovery)
{
    outage("fast");
}

Test(faults, database_crash_then_recovery)
{
    outage("immediate");
}
