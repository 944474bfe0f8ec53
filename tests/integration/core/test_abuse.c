/* The OWASP API Security Top 10 (2023), one check at least per item, against
 * the real server. Other suites go deeper on each (tokens, referrals,
 * rate limits, mutations, the contract test); this one is the map. */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *caf, *poste, *travail;

static void start(void)
{
    fixture_start();
    fixture_token(&caf, "caf-gers", "referrals:read referrals:write places:read places:write");
    fixture_token(&poste, "la-poste-gers", "referrals:read referrals:write places:read");
    fixture_token(&travail, "france-travail-gers", "referrals:read referrals:write");
}

TestSuite(owasp, .init = start, .fini = fixture_stop, .timeout = 60);

static long status_of(const char *method, const char *path, const char *token, const char *body,
                      const char *extra)
{
    struct response *r = api_call(true, method, path, token, body, extra);
    long status = r->status;
    response_free(r);
    return status;
}

#define REFERRAL_BODY                                                                              \
    "{\"to_org\":\"france-travail-gers\",\"need\":\"employment\",\"beneficiary\":{"                \
    "\"first_name\":\"Paul\",\"last_name\":\"Secret\",\"contact_preference\":"                     \
    "\"referring_partner\"},\"consent\":{\"given\":true,\"method\":\"oral\",\"recorded_at\":"      \
    "\"2026-01-05T10:00:00+01:00\"}}"

/* API1 Broken Object Level Authorization: the CAF cannot read a La Poste →
 * France Travail referral, nor its history, nor move it: 404, no hint. */
Test(owasp, api1_object_level_authorization)
{
    char key[96];
    snprintf(key, sizeof key, "Idempotency-Key: owasp-%d-%ld", (int)getpid(), (long)time(NULL));
    struct response *r = api_call(true, "POST", "/v1/referrals", poste, REFERRAL_BODY, key);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *ref = response_json(r);
    response_free(r);
    char path[160];
    snprintf(path, sizeof path, "/v1/referrals/%s", json_string_value(json_object_get(ref, "id")));
    r = api_call(true, "GET", path, caf, NULL, NULL);
    cr_expect_eq(r->status, 404);
    cr_expect(strstr(r->body, "Secret") == NULL, "nothing of it leaks");
    response_free(r);
    strcat(path, "/events");
    cr_expect_eq(status_of("GET", path, caf, NULL, NULL), 404);
    cr_expect_eq(status_of("POST", path, caf, "{\"type\":\"accepted\"}", NULL), 404);
    cr_expect_eq(status_of("GET", path, travail, NULL, NULL), 200, "the receiver sees it");
    json_decref(ref);
}

/* API2 Broken Authentication: no token, a token signed with another secret,
 * an unsigned one ("alg": "none"), an expired one: 401. */
Test(owasp, api2_authentication)
{
    cr_expect_eq(status_of("GET", "/v1/referrals", NULL, NULL, NULL), 401);
    char *claims = test_claims("caf-gers", "referrals:read", 3600);
    static const char other[] = "another-secret-0123456789-0123456789-0123";
    char *forged =
        jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256", other, sizeof other - 1);
    char *none = jws_sign("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, "none", NULL, 0);
    char *old = test_claims("caf-gers", "referrals:read", -3600);
    char *expired = jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", old, "HS256", TEST_JWT_SECRET,
                             strlen(TEST_JWT_SECRET));
    const char *bad[] = {forged, none, expired, "not.a.token"};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(status_of("GET", "/v1/referrals", bad[i], NULL, NULL), 401, "token %zu", i);
    free(claims);
    free(old);
    free(forged);
    free(none);
    free(expired);
}

/* API3 Broken Object Property Level Authorization: server-owned members
 * (id, from_org, status) and unknown ones are refused, each named. */
Test(owasp, api3_object_property_level_authorization)
{
    const char *body = "{\"id\":\"00000000-0000-4000-8000-000000000000\",\"from_org\":"
                       "\"la-poste-gers\",\"status\":\"completed\",\"is_admin\":true,"
                       "\"to_org\":\"france-travail-gers\",\"need\":\"employment\"}";
    struct response *r =
        api_call(true, "POST", "/v1/referrals", caf, body, "Idempotency-Key: owasp-api3");
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(names_field(r, "id") && names_field(r, "from_org") && names_field(r, "status") &&
                  names_field(r, "is_admin"),
              "%s", r->body);
    response_free(r);
}

/* API4 Unrestricted Resource Consumption: a page of a million, a body over
 * the limit, a 10,000-element array: refused before any work. */
Test(owasp, api4_resource_consumption)
{
    cr_expect_eq(status_of("GET", "/v1/places?limit=1000000", caf, NULL, NULL), 400);
    char *big = malloc(2 * 1024 * 1024 + 64);
    strcpy(big, "{\"name\":\"");
    memset(big + 9, 'x', 2 * 1024 * 1024);
    strcpy(big + 9 + 2 * 1024 * 1024, "\"}");
    char auth[4096];
    const char *headers[] = {bearer_header(caf, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    struct response *r = http_request_raw("POST", url("/v1/places"), headers, big);
    cr_expect_eq(r->status, 413);
    response_free(r);
    free(big);
    char *array = malloc(10000 * 2 + 64);
    size_t used = (size_t)sprintf(array, "{\"services\":[");
    for (int i = 0; i < 10000; i++)
        used += (size_t)sprintf(array + used, "%s1", i ? "," : "");
    strcpy(array + used, "]}");
    long status = status_of("POST", "/v1/places", caf, array, NULL);
    cr_expect_eq(status, 422, "%ld", status);
    free(array);
}

/* API5 Broken Function Level Authorization: a partner cannot read the
 * indicators, change a target, or add an organisation. */
Test(owasp, api5_function_level_authorization)
{
    cr_expect_eq(status_of("GET", "/v1/indicators", caf, NULL, NULL), 403);
    cr_expect_eq(status_of("PUT", "/v1/targets/satisfaction_mean", caf,
                           "{\"kind\":\"at_least\",\"value\":1}", NULL),
                 403);
    cr_expect_eq(status_of("POST", "/v1/organizations", caf,
                           "{\"slug\":\"owasp\",\"name\":\"O\",\"kind\":\"autre\"}", NULL),
                 403);
}

/* API6 Unrestricted Access to Sensitive Business Flows: replaying a
 * referral creation creates nothing more; the key is the partner's own. */
Test(owasp, api6_business_flows)
{
    char key[96];
    snprintf(key, sizeof key, "Idempotency-Key: owasp6-%d-%ld", (int)getpid(), (long)time(NULL));
    struct response *first = api_call(true, "POST", "/v1/referrals", poste, REFERRAL_BODY, key);
    cr_assert_eq(first->status, 201);
    for (int i = 0; i < 5; i++) {
        struct response *again = api_call(true, "POST", "/v1/referrals", poste, REFERRAL_BODY, key);
        cr_expect_eq(again->status, 201);
        cr_expect_str_eq(again->body, first->body, "the same referral, replayed");
        response_free(again);
    }
    response_free(first);
}

/* API7 Server Side Request Forgery: the service fetches no URL it is given;
 * a place's web address may not even point at an IP address or localhost. */
Test(owasp, api7_no_url_is_fetched_or_internal)
{
    const char *urls[] = {"http://127.0.0.1:54321/", "http://localhost/admin",
                          "http://169.254.169.254/latest/meta-data/"};
    for (size_t i = 0; i < 3; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"websites\":[\"%s\"]}", urls[i]);
        struct response *r = api_call(true, "POST", "/v1/places", caf, body, NULL);
        cr_expect_eq(r->status, 422);
        cr_expect(strstr(r->body, "\"websites") != NULL, "%s: %s", urls[i], r->body);
        response_free(r);
    }
}

/* API8 Security Misconfiguration: errors carry no SQL or internals; no CORS
 * for an origin that is not allowed; private answers are not cached. */
Test(owasp, api8_configuration)
{
    struct response *r = api_call(true, "GET", "/v1/referrals/00000000-0000-4000-8000-000000000000",
                                  caf, NULL, "Origin: https://evil.example");
    char value[128];
    cr_expect_null(response_header(r, "Access-Control-Allow-Origin", value, sizeof value));
    cr_expect_str_eq(response_header(r, "Cache-Control", value, sizeof value), "no-store");
    cr_expect(strstr(r->body, "SELECT") == NULL && strstr(r->body, "referrals") == NULL, "%s",
              r->body);
    response_free(r);
}

/* API9 Improper Inventory Management: the contract served is the one in the
 * repository (the unit suite checks that routes and operations match). */
Test(owasp, api9_inventory)
{
    struct response *r = http_request_raw("GET", url("/openapi.yaml"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    FILE *f = fopen("openapi/openapi.yaml", "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    cr_expect_eq((long)r->body_len, size, "the document served is openapi/openapi.yaml");
    response_free(r);
}

/* API10 Unsafe Consumption of APIs: what partners' systems send in the
 * national standard's CSV is validated like any body (a bad row is named). */
Test(owasp, api10_imported_data_is_validated)
{
    char auth[4096];
    const char *headers[] = {bearer_header(caf, auth, sizeof auth), "Content-Type: text/csv", NULL};
    const char *csv = "id,nom,commune,code_postal,latitude,longitude\n"
                      "x1,\"=HYPERLINK(\"\"http://evil\"\")\",Auch,3200,999,0.58\n";
    struct response *r = http_request("POST", url("/v1/places/import?dry_run=true"), headers, csv);
    cr_expect_eq(r->status, 422, "%ld %s", r->status, r->body);
    response_free(r);
}
