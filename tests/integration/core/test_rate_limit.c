/* Rate limiting: per organisation behind a token, per client address on the
 * public routes; 429 with Retry-After; others unaffected; back after waiting. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *caf, *poste;

static void start(void)
{
    static const char *const env[] = {"RATE_LIMIT_ORG_PER_S=1", "RATE_LIMIT_ORG_BURST=5",
                                      "RATE_LIMIT_IP_PER_S=1", "RATE_LIMIT_IP_BURST=3", NULL};
    fixture_start_with(env);
    fixture_token(&caf, "caf-gers", "places:read");
    fixture_token(&poste, "la-poste-gers", "places:read");
}

TestSuite(rate_limit, .init = start, .fini = fixture_stop, .timeout = 60);

static long get_status(const char *path, const char *token, char *retry_after, size_t cap)
{
    struct response *r = http_get(server.base_url, path, token);
    long status = r->status;
    if (retry_after && !response_header(r, "Retry-After", retry_after, cap))
        retry_after[0] = '\0';
    if (status == 429) {
        json_t *body = response_json(r);
        cr_expect_str_eq(json_string_value(json_object_get(body, "type")),
                         "urn:inclusion-api:problem:rate-limited");
        json_decref(body);
    }
    response_free(r);
    return status;
}

Test(rate_limit, an_organisation_over_its_rate_gets_429_and_others_do_not)
{
    char retry[16] = "";
    int ok = 0;
    for (int i = 0; i < 5; i++)
        ok += get_status("/v1/organizations?limit=1", caf, NULL, 0) == 200;
    cr_expect_eq(ok, 5, "the burst of 5 passes: %d", ok);
    cr_expect_eq(get_status("/v1/organizations?limit=1", caf, retry, sizeof retry), 429);
    cr_expect(atoi(retry) >= 1, "Retry-After in whole seconds: \"%s\"", retry);
    cr_expect_eq(get_status("/v1/organizations?limit=1", poste, NULL, 0), 200,
                 "another organisation is not affected");
    cr_expect_eq(get_status("/healthz", NULL, NULL, 0), 200, "operators' routes are not limited");
    sleep((unsigned)atoi(retry));
    cr_expect_eq(get_status("/v1/organizations?limit=1", caf, NULL, 0), 200,
                 "back after Retry-After");
}

Test(rate_limit, public_routes_are_limited_per_address_but_not_health)
{
    char retry[16] = "";
    int ok = 0;
    for (int i = 0; i < 3; i++)
        ok += get_status("/v1/reference/skills", NULL, NULL, 0) == 200;
    cr_expect_eq(ok, 3, "the burst of 3 passes: %d", ok);
    cr_expect_eq(get_status("/v1/reference/skills", NULL, retry, sizeof retry), 429);
    cr_expect(atoi(retry) >= 1, "Retry-After: \"%s\"", retry);
    for (int i = 0; i < 10; i++)
        cr_expect_eq(get_status("/healthz", NULL, NULL, 0), 200, "health %d", i);
    cr_expect_eq(get_status("/v1/organizations?limit=1", poste, NULL, 0), 200,
                 "routes behind a token count per organisation, not per address");
}
