/* What every route shares: problem+json errors, 404/405, HEAD, OPTIONS, CORS,
 * request ids, bodies (415, 413, 400), and the operator routes. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>

static char *admin;

static void start(void)
{
    const char *env[] = {"MAX_BODY_BYTES=2048", "CORS_ALLOWED_ORIGINS=https://carto.gers.example",
                         NULL};
    fixture_start_with(env);
    fixture_token(&admin, "gers-numerique", "admin");
}

TestSuite(http, .init = start, .fini = fixture_stop, .timeout = 60);

static void expect_problem(struct response *r, long status)
{
    char ct[128];
    cr_expect_eq(r->status, status, "status %ld, expected %ld: %s", r->status, status, r->body);
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct), "application/problem+json");
    json_t *body = response_json(r);
    cr_assert_not_null(body, "problem body must be JSON: %s", r->body);
    cr_expect_eq(json_integer_value(json_object_get(body, "status")), status);
    cr_expect_not_null(json_string_value(json_object_get(body, "type")));
    cr_expect_not_null(json_string_value(json_object_get(body, "title")));
    cr_expect_not_null(json_string_value(json_object_get(body, "detail")));
    json_decref(body);
}

/* POSTs `body` with `content_type` as admin. */
static struct response *post(const char *content_type, const char *body)
{
    char auth[4096], ct[128];
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
    const char *headers[] = {bearer_header(admin, auth, sizeof auth), ct, NULL};
    return http_request("POST", url("/v1/organizations"), headers, body);
}

/* The `field` of the first entry of a problem's errors array. */
static char *first_error_field(struct response *r)
{
    json_t *body = response_json(r);
    const char *field = json_string_value(
        json_object_get(json_array_get(json_object_get(body, "errors"), 0), "field"));
    char *copy = field ? strdup(field) : NULL;
    json_decref(body);
    return copy;
}

Test(http, unknown_path_is_a_problem_404)
{
    struct response *r = http_request_raw("GET", url("/v1/nothing-here"), NULL, NULL);
    expect_problem(r, 404);
    response_free(r);
    r = http_request_raw("GET", url("/v1/organizations/"), NULL, NULL);
    expect_problem(r, 404);
    response_free(r);
}

Test(http, wrong_method_is_405_with_allow)
{
    struct response *r = http_request_raw("DELETE", url("/v1/organizations"), NULL, NULL);
    char allow[128];
    expect_problem(r, 405);
    cr_expect_str_eq(response_header(r, "Allow", allow, sizeof allow), "GET, HEAD, POST");
    response_free(r);
    r = http_request_raw("PUT", url("/healthz"), NULL, NULL);
    expect_problem(r, 405);
    cr_expect_str_eq(response_header(r, "Allow", allow, sizeof allow), "GET, HEAD");
    response_free(r);
}

Test(http, head_answers_like_get_without_body)
{
    struct response *r = http_request("HEAD", url("/healthz"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_eq(r->body_len, 0);
    response_free(r);
    /* described in the contract beside each GET (checked), a problem too */
    r = http_request("HEAD", url("/v1/reference/needs"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_eq(r->body_len, 0);
    response_free(r);
    r = http_request("HEAD", url("/v1/reference/no-such-list"), NULL, NULL);
    cr_expect_eq(r->status, 404);
    cr_expect_eq(r->body_len, 0);
    response_free(r);
    r = http_request("OPTIONS", url("/v1/places/00000000-0000-4000-8000-000000000000"), NULL, NULL);
    char allow[128];
    cr_expect_eq(r->status, 204);
    cr_expect_str_eq(response_header(r, "Allow", allow, sizeof allow),
                     "GET, HEAD, PATCH, DELETE, OPTIONS");
    response_free(r);
}

Test(http, options_lists_methods_and_cors_preflight)
{
    const char *headers[] = {"Origin: https://carto.gers.example",
                             "Access-Control-Request-Method: GET", NULL};
    /* checked against the contract: OPTIONS is described on every path */
    struct response *r = http_request("OPTIONS", url("/v1/organizations"), headers, NULL);
    char value[256];
    cr_expect_eq(r->status, 204);
    cr_expect_str_eq(response_header(r, "Allow", value, sizeof value), "GET, HEAD, POST, OPTIONS");
    cr_expect_str_eq(response_header(r, "Access-Control-Allow-Origin", value, sizeof value),
                     "https://carto.gers.example");
    cr_expect_not_null(response_header(r, "Access-Control-Allow-Headers", value, sizeof value));
    response_free(r);
}

Test(http, cors_only_for_allowed_origins)
{
    const char *good[] = {"Origin: https://carto.gers.example", NULL};
    const char *bad[] = {"Origin: https://evil.example", NULL};
    char value[256];
    struct response *r = http_request("GET", url("/healthz"), good, NULL);
    cr_expect_str_eq(response_header(r, "Access-Control-Allow-Origin", value, sizeof value),
                     "https://carto.gers.example");
    response_free(r);
    r = http_request("GET", url("/healthz"), bad, NULL);
    cr_expect_null(response_header(r, "Access-Control-Allow-Origin", value, sizeof value));
    response_free(r);
}

Test(http, request_id_is_echoed_or_generated)
{
    const char *given[] = {"X-Request-Id: front-desk-42.a_b", NULL};
    const char *hostile[] = {"X-Request-Id: <script>alert(1)</script>", NULL};
    char value[128];
    struct response *r = http_request("GET", url("/healthz"), given, NULL);
    cr_expect_str_eq(response_header(r, "X-Request-Id", value, sizeof value), "front-desk-42.a_b");
    response_free(r);
    r = http_request("GET", url("/healthz"), NULL, NULL);
    cr_expect_not_null(response_header(r, "X-Request-Id", value, sizeof value));
    cr_expect_eq(strlen(value), 32, "a generated id is 32 hex digits: %s", value);
    response_free(r);
    r = http_request("GET", url("/healthz"), hostile, NULL);
    response_header(r, "X-Request-Id", value, sizeof value);
    cr_expect(strchr(value, '<') == NULL, "an unsafe id is replaced: %s", value);
    response_free(r);
    /* errors carry it too */
    r = http_request_raw("GET", url("/nope"), given, NULL);
    cr_expect_str_eq(response_header(r, "X-Request-Id", value, sizeof value), "front-desk-42.a_b");
    response_free(r);
}

Test(http, body_must_be_json)
{
    struct response *r = post("text/plain", "slug=x");
    expect_problem(r, 415);
    response_free(r);
    r = post("application/x-www-form-urlencoded", "slug=x&name=y&kind=autre");
    expect_problem(r, 415);
    response_free(r);
    r = post("application/json; charset=latin1", "{}");
    expect_problem(r, 415);
    response_free(r);
}

Test(http, body_over_the_limit_is_413)
{
    char *big = malloc(4096);
    memset(big, ' ', 4095);
    big[0] = '{';
    big[4094] = '}';
    big[4095] = '\0';
    struct response *r = post("application/json", big);
    expect_problem(r, 413);
    response_free(r);
    /* the same without Content-Length (chunked): the received bytes are counted */
    char auth[4096];
    const char *headers[] = {bearer_header(admin, auth, sizeof auth),
                             "Content-Type: application/json", "Transfer-Encoding: chunked", NULL};
    r = http_request("POST", url("/v1/organizations"), headers, big);
    expect_problem(r, 413);
    response_free(r);
    free(big);
}

Test(http, malformed_bodies_are_400_naming_the_body)
{
    const char *bodies[] = {"{\"slug\": ",
                            "[1,2]",
                            "\"text\"",
                            "{\"a\":1,\"a\":2}",
                            "{\"slug\":\"x\"} trailing",
                            "",
                            "{\"name\":\"\\u0000\"}",
                            NULL};
    for (size_t i = 0; bodies[i]; i++) {
        struct response *r = post("application/json", bodies[i]);
        expect_problem(r, 400);
        char *field = first_error_field(r);
        cr_expect(field && strcmp(field, "body") == 0, "body %zu: the error names the body", i);
        free(field);
        response_free(r);
    }
}

Test(http, invalid_utf8_is_refused)
{
    struct response *r =
        post("application/json", "{\"slug\":\"ab\xff\xfe\",\"name\":\"n\",\"kind\":\"autre\"}");
    expect_problem(r, 400);
    response_free(r);
}

Test(http, operator_routes)
{
    struct response *r = http_request("GET", url("/healthz"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    response_free(r);
    r = http_request("GET", url("/readyz"), NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    r = http_request("GET", url("/openapi.yaml"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect(strstr(r->body, "openapi: 3.1") != NULL);
    response_free(r);
    char metrics[128];
    snprintf(metrics, sizeof metrics, "%s/metrics", server.metrics_url);
    r = http_request_raw("GET", metrics, NULL, NULL); /* the metrics listener's */
    cr_expect_eq(r->status, 200);
    cr_expect(strstr(r->body, "http_requests_total{route=\"GET /healthz\",status=\"200\"}") != NULL,
              "%s", r->body);
    cr_expect(strstr(r->body, "http_request_duration_seconds_bucket{route=\"GET /readyz\"") !=
              NULL);
    cr_expect(strstr(r->body, "db_pool_connections_in_use") != NULL);
    response_free(r);
}

Test(http, errors_never_leak_internals)
{
    struct response *r =
        post("application/json", "{\"slug\":\"caf-gers\",\"name\":\"Dup\",\"kind\":\"caf\"}");
    cr_expect_eq(r->status, 409);
    cr_expect(strstr(r->body, "duplicate key") == NULL &&
                  strstr(r->body, "organizations_pkey") == NULL,
              "no SQL in errors: %s", r->body);
    response_free(r);
}

/* Oversized requests are answered, not dropped: headers over 16 KiB are the
 * router's 431 problem; past what a connection's 32 KiB of memory holds
 * (about 30 KiB) libmicrohttpd's own 431; a URL over 16 KiB is 414, and 300
 * query parameters get their 400 naming them (about 600 fit). */
static void expect_431(size_t big, bool problem)
{
    char *header = malloc(big + 16);
    memcpy(header, "X-Big: ", 7);
    memset(header + 7, 'a', big);
    header[7 + big] = '\0';
    const char *headers[] = {header, NULL};
    struct response *r = http_request_raw("GET", url("/healthz"), headers, NULL);
    cr_expect_eq(r->status, 431, "headers of %zu bytes: %ld", big, r->status);
    if (problem) {
        json_t *body = response_json(r);
        cr_expect_str_eq(json_string_value(json_object_get(body, "type")),
                         "urn:inclusion-api:problem:headers-too-large");
        json_decref(body);
    }
    response_free(r);
    free(header);
}

Test(http, oversized_headers_and_urls_are_answered)
{
    expect_431(20 * 1024, true);
    expect_431(70 * 1024, false);
    struct response *r;

    size_t len = 17 * 1024;
    char *path = malloc(len + 256);
    int prefix = sprintf(path, "%s/healthz?q=", server.base_url);
    memset(path + prefix, 'a', len);
    path[(size_t)prefix + len] = '\0';
    r = http_request_raw("GET", path, NULL, NULL);
    cr_expect_eq(r->status, 414, "a URL over 16 KiB: %ld", r->status);
    response_free(r);

    /* 300 parameters (2 KiB): each is named in the 400 */
    char *query = malloc(16 * 1024 + 256);
    size_t used = (size_t)sprintf(query, "%s/healthz?", server.base_url);
    for (int i = 0; i < 300; i++)
        used += (size_t)sprintf(query + used, "%sp%d=1", i ? "&" : "", i);
    r = http_request_raw("GET", query, NULL, NULL);
    cr_expect_eq(r->status, 400, "many parameters: %ld", r->status);
    cr_expect(strstr(r->body, "\"p299\"") != NULL, "the last one is named");
    response_free(r);
    free(query);
    free(path);
}
