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
