/* The router in process (support/inproc.h): hand-built ulfius requests
 * through router_dispatch with the real route table and no database, socket
 * or server: 404, 405 with Allow, OPTIONS and the CORS preflight, HEAD of a
 * GET, unknown query parameters, the token checks that come before the
 * database, request ids, and the limits on URLs and headers. */
#include "support/inproc.h"
#include "support/server.h"
#include "support/tokens.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define PROBLEM "urn:inclusion-api:problem:"

/* Asserts a problem+json answer of `status` and `code`, and returns its body. */
static json_t *problem_of(const struct inproc *t, long status, const char *code)
{
    cr_assert_eq((long)t->out.status, status, "status %ld, expected %ld", (long)t->out.status,
                 status);
    cr_assert_str_eq(inproc_answer_header(t, "Content-Type"), "application/problem+json");
    json_t *body = inproc_body(t);
    cr_assert_not_null(body, "a problem is JSON");
    cr_expect_eq(json_integer_value(json_object_get(body, "status")), status);
    char type[128];
    snprintf(type, sizeof type, PROBLEM "%s", code);
    cr_expect_str_eq(json_string_value(json_object_get(body, "type")), type);
    return body;
}

static void expect_problem(const struct inproc *t, long status, const char *code)
{
    json_decref(problem_of(t, status, code));
}

Test(router, an_unknown_path_is_a_problem_404)
{
    struct inproc t;
    inproc_init(&t, "GET", "/v1/nowhere");
    inproc_dispatch(&t);
    expect_problem(&t, 404, "not-found");
    cr_expect_null(inproc_answer_header(&t, "Allow"));
    inproc_free(&t);

    /* a known prefix is not a path: /v1/places/{id}/stops/x matches nothing */
    inproc_init(&t, "GET", "/v1/places/abc/stops/x");
    inproc_dispatch(&t);
    expect_problem(&t, 404, "not-found");
    inproc_free(&t);
}

Test(router, a_wrong_method_is_405_with_allow_listing_every_method_of_the_path)
{
    struct inproc t;
    inproc_init(&t, "DELETE", "/v1/organizations");
    inproc_dispatch(&t);
    expect_problem(&t, 405, "method-not-allowed");
    cr_expect_str_eq(inproc_answer_header(&t, "Allow"), "GET, HEAD, POST");
    inproc_free(&t);

    /* a path with a parameter: every route whose pattern matches counts */
    inproc_init(&t, "PUT", "/v1/places/0d6c1f6e-0000-4000-8000-000000000001");
    inproc_dispatch(&t);
    expect_problem(&t, 405, "method-not-allowed");
    cr_expect_str_eq(inproc_answer_header(&t, "Allow"), "GET, HEAD, PATCH, DELETE");
    inproc_free(&t);
}

Test(router, options_lists_the_methods_without_a_token)
{
    struct inproc t;
    inproc_init(&t, "OPTIONS", "/v1/organizations");
    cr_expect_eq(inproc_dispatch(&t), 204);
    cr_expect_str_eq(inproc_answer_header(&t, "Allow"), "GET, HEAD, POST, OPTIONS");
    cr_expect_null(inproc_answer_header(&t, "Access-Control-Allow-Origin"),
                   "no CORS headers without an allowed Origin");
    cr_expect_null(inproc_answer_header(&t, "Access-Control-Allow-Methods"));
    cr_expect_str_eq(inproc_answer_header(&t, "Vary"), "Origin");
    cr_expect_eq(t.out.binary_body_length, 0);
    inproc_free(&t);
}

Test(router, a_preflight_from_an_allowed_origin_gets_the_cors_headers)
{
    struct inproc t;
    inproc_init(&t, "OPTIONS", "/v1/places");
    inproc_header(&t, "Origin", INPROC_ORIGIN);
    inproc_header(&t, "Access-Control-Request-Method", "POST");
    cr_expect_eq(inproc_dispatch(&t), 204);
    cr_expect_str_eq(inproc_answer_header(&t, "Access-Control-Allow-Origin"), INPROC_ORIGIN);
    cr_expect_str_eq(inproc_answer_header(&t, "Access-Control-Allow-Methods"),
                     "GET, HEAD, POST, OPTIONS");
    cr_expect_str_eq(inproc_answer_header(&t, "Access-Control-Allow-Headers"),
                     "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, "
                     "X-Request-Id");
    cr_expect_str_eq(inproc_answer_header(&t, "Access-Control-Max-Age"), "600");
    inproc_free(&t);

    /* another origin: the methods, and no CORS header */
    inproc_init(&t, "OPTIONS", "/v1/places");
    inproc_header(&t, "Origin", "https://evil.example");
    cr_expect_eq(inproc_dispatch(&t), 204);
    cr_expect_str_eq(inproc_answer_header(&t, "Allow"), "GET, HEAD, POST, OPTIONS");
    cr_expect_null(inproc_answer_header(&t, "Access-Control-Allow-Origin"));
    cr_expect_null(inproc_answer_header(&t, "Access-Control-Allow-Methods"));
    inproc_free(&t);
}

Test(router, head_is_answered_by_the_get_route)
{
    struct inproc t;
    inproc_init(&t, "HEAD", "/healthz");
    cr_expect_eq(inproc_dispatch(&t), 200);
    cr_expect_str_eq(inproc_answer_header(&t, "Content-Type"), "application/json");
    cr_expect_null(inproc_answer_header(&t, "Allow"));
    inproc_free(&t);

    /* HEAD where no GET is routed: 405 like any other method */
    inproc_init(&t, "HEAD", "/v1/visits");
    inproc_dispatch(&t);
    expect_problem(&t, 405, "method-not-allowed");
    cr_expect_str_eq(inproc_answer_header(&t, "Allow"), "POST");
    inproc_free(&t);
}

Test(router, an_unknown_query_parameter_is_400_naming_it)
{
    struct inproc t;
    inproc_init(&t, "GET", "/healthz?verbose=1");
    inproc_dispatch(&t);
    json_t *body = problem_of(&t, 400, "bad-request");
    json_t *errors = json_object_get(body, "errors");
    cr_assert_eq(json_array_size(errors), 1, "one error: verbose");
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                     "verbose");
    json_decref(body);
    inproc_free(&t);
}

Test(router, the_token_is_checked_before_the_query)
{
    struct inproc t;
    inproc_init(&t, "GET", "/v1/places?bogus=1");
    inproc_dispatch(&t);
    expect_problem(&t, 401, "missing-token");
    inproc_free(&t);
}

Test(router, a_route_behind_a_token_without_one_is_401_with_a_challenge)
{
    struct inproc t;
    inproc_init(&t, "GET", "/v1/places");
    inproc_dispatch(&t);
    expect_problem(&t, 401, "missing-token");
    cr_expect_str_eq(inproc_answer_header(&t, "WWW-Authenticate"),
                     "Bearer realm=\"inclusion-api\"");
    cr_expect_str_eq(inproc_answer_header(&t, "Cache-Control"), "no-store");
    inproc_free(&t);
}

/* Asserts that `authorization` is refused with 401 and `reason` in the challenge. */
static void expect_refused(const char *authorization, const char *reason)
{
    struct inproc t;
    inproc_init(&t, "GET", "/v1/places");
    inproc_header(&t, "Authorization", authorization);
    inproc_dispatch(&t);
    expect_problem(&t, 401, "invalid-token");
    char challenge[256];
    snprintf(challenge, sizeof challenge,
             "Bearer realm=\"inclusion-api\", error=\"invalid_token\", error_description=\"%s\"",
             reason);
    cr_expect_str_eq(inproc_answer_header(&t, "WWW-Authenticate"), challenge, "%s", authorization);
    inproc_free(&t);
}

Test(router, an_invalid_or_expired_token_is_401_with_the_reason)
{
    expect_refused("Basic Y2FmOmdlcnM=", "the Authorization scheme must be Bearer");
    expect_refused("Bearer not-a-token", "token is not a signed JWT");
    /* a dashboard link's secret: 43 base64url characters, checked before any
     * database (tests/integration/resources/dashboard_links for the rest) */
    expect_refused("Link short", "link secret is malformed");
    expect_refused("Link AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", "link secret is malformed");
    expect_refused("Link AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "link secret is malformed");
    char *claims = test_claims("caf-gers", "places:read", 600);
    char *forged = jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256",
                            "another-secret-0123456789-0123456789", 36);
    char header[4096];
    snprintf(header, sizeof header, "Bearer %s", forged);
    expect_refused(header, "token signature is not valid");
    free(forged);
    free(claims);
    claims = test_claims("caf-gers", "places:read", -3600);
    char *expired = jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256",
                             TEST_JWT_SECRET, sizeof TEST_JWT_SECRET - 1);
    snprintf(header, sizeof header, "Bearer %s", expired);
    expect_refused(header, "token has expired");
    free(expired);
    free(claims);
}

Test(router, the_calendar_takes_its_token_from_the_query_too)
{
    struct inproc t;
    inproc_init(&t, "GET", "/v1/calendar.ics?access_token=not-a-token");
    inproc_dispatch(&t);
    expect_problem(&t, 401, "invalid-token");
    inproc_free(&t);

    /* elsewhere access_token is no token, and no known parameter either */
    inproc_init(&t, "GET", "/v1/places?access_token=not-a-token");
    inproc_dispatch(&t);
    expect_problem(&t, 401, "missing-token");
    inproc_free(&t);
}

Test(router, a_valid_request_id_is_echoed_and_any_other_replaced)
{
    struct inproc t;
    inproc_init(&t, "GET", "/v1/nowhere");
    inproc_header(&t, "X-Request-Id", "gers-42.retry_1");
    inproc_dispatch(&t);
    cr_expect_str_eq(inproc_answer_header(&t, "X-Request-Id"), "gers-42.retry_1");
    inproc_free(&t);

    const char *refused[] = {"has space", "semi;colon", "", NULL};
    for (size_t i = 0; refused[i]; i++) {
        inproc_init(&t, "GET", "/healthz");
        inproc_header(&t, "X-Request-Id", refused[i]);
        cr_expect_eq(inproc_dispatch(&t), 200);
        const char *id = inproc_answer_header(&t, "X-Request-Id");
        cr_assert_not_null(id);
        cr_expect_eq(strlen(id), 32, "a new id of 32 hex digits, not \"%s\": %s", refused[i], id);
        cr_expect_eq(strspn(id, "0123456789abcdef"), 32, "%s", id);
        inproc_free(&t);
    }
    char long_id[66];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    inproc_init(&t, "GET", "/healthz");
    inproc_header(&t, "X-Request-Id", long_id);
    inproc_dispatch(&t);
    cr_expect_eq(strlen(inproc_answer_header(&t, "X-Request-Id")), 32, "65 characters is too long");
    inproc_free(&t);
}

Test(router, a_path_over_2_kib_is_414_and_headers_over_16_kib_are_431)
{
    char *path = malloc(2100);
    memset(path, 'a', 2099);
    path[0] = '/';
    path[2099] = '\0';
    struct inproc t;
    inproc_init(&t, "GET", path);
    inproc_dispatch(&t);
    expect_problem(&t, 414, "uri-too-long");
    inproc_free(&t);
    free(path);

    char *value = malloc(17 * 1024);
    memset(value, 'x', 17 * 1024 - 1);
    value[17 * 1024 - 1] = '\0';
    inproc_init(&t, "GET", "/healthz");
    inproc_header(&t, "X-Padding", value);
    inproc_dispatch(&t);
    expect_problem(&t, 431, "headers-too-large");
    inproc_free(&t);
    free(value);
}
