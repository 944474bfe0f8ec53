/* The guard in process (support/inproc.h), called directly on hand-built
 * requests: where the token comes from, the 401s before the database, the
 * 403 of a missing scope with its challenge, and ownership. */
#include "guard.h"
#include "route.h"
#include "support/inproc.h"
#include "support/server.h"
#include "support/tokens.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void no_handler(struct req *r)
{
    (void)r;
}

static const struct route places_read = {
    .method = "GET", .pattern = "/v1/places", .scope = "places:read", .handle = no_handler};
static const struct route calendar = {.method = "GET",
                                      .pattern = "/v1/calendar.ics",
                                      .scope = "workshops:read",
                                      .handle = no_handler,
                                      .flags = ROUTE_TOKEN_IN_QUERY | ROUTE_REPLICA_OK};

/* A request to `route` with an identity of `org` carrying `scope`, as
 * guard_admit leaves it for a valid token. */
static void as(struct inproc *t, const struct route *route, const char *org, const char *scope)
{
    inproc_init(t, route->method, route->pattern);
    t->req.route = route;
    snprintf(t->req.who.org, sizeof t->req.who.org, "%s", org);
    snprintf(t->req.who.scope, sizeof t->req.who.scope, "%s", scope);
}

static const char *problem_type(const struct inproc *t, char *buf, size_t cap)
{
    json_t *body = inproc_body(t);
    snprintf(buf, cap, "%s", body ? json_string_value(json_object_get(body, "type")) : "");
    json_decref(body);
    return buf;
}

Test(guard, a_missing_scope_is_403_with_an_insufficient_scope_challenge)
{
    struct inproc t;
    as(&t, &places_read, "caf-gers", "places:read referrals:read");
    cr_expect_not(guard_require_scope(&t.req, "places:write"));
    cr_expect(t.req.answered);
    cr_expect_eq(t.out.status, 403);
    char type[128];
    cr_expect_str_eq(problem_type(&t, type, sizeof type),
                     "urn:inclusion-api:problem:insufficient-scope");
    cr_expect_str_eq(inproc_answer_header(&t, "WWW-Authenticate"),
                     "Bearer realm=\"inclusion-api\", error=\"insufficient_scope\", "
                     "scope=\"places:write\"");
    inproc_free(&t);
}

Test(guard, a_scope_held_as_a_whole_word_admits_without_answering)
{
    struct inproc t;
    as(&t, &places_read, "caf-gers", "places:read referrals:read");
    cr_expect(guard_require_scope(&t.req, "referrals:read"));
    cr_expect_not(t.req.answered);
    cr_expect_null(inproc_answer_header(&t, "WWW-Authenticate"));
    inproc_free(&t);

    as(&t, &places_read, "caf-gers", "places:readonly");
    cr_expect_not(guard_require_scope(&t.req, "places:read"), "a prefix is not the scope");
    cr_expect_eq(t.out.status, 403);
    inproc_free(&t);
}

Test(guard, only_the_owner_or_admin_may_change_an_object)
{
    struct inproc t;
    as(&t, &places_read, "caf-gers", "places:write");
    cr_expect(guard_owns(&t.req, "caf-gers"));
    cr_expect_not(t.req.answered);
    inproc_free(&t);

    as(&t, &places_read, "gers-numerique", "admin places:write");
    cr_expect(guard_owns(&t.req, "caf-gers"), "admin may");
    cr_expect_not(t.req.answered);
    inproc_free(&t);

    as(&t, &places_read, "la-poste-gers", "places:write");
    cr_expect_not(guard_owns(&t.req, "caf-gers"));
    cr_expect_eq(t.out.status, 403);
    char type[128];
    cr_expect_str_eq(problem_type(&t, type, sizeof type), "urn:inclusion-api:problem:not-owner");
    inproc_free(&t);
}

Test(guard, no_authorization_header_is_401_missing_token)
{
    struct inproc t;
    as(&t, &places_read, "", "");
    cr_expect_not(guard_admit(&t.req));
    cr_expect_eq(t.out.status, 401);
    char type[128];
    cr_expect_str_eq(problem_type(&t, type, sizeof type),
                     "urn:inclusion-api:problem:missing-token");
    cr_expect_str_eq(inproc_answer_header(&t, "WWW-Authenticate"),
                     "Bearer realm=\"inclusion-api\"");
    inproc_free(&t);
}

Test(guard, the_bearer_scheme_is_case_insensitive_and_the_token_checked)
{
    char *claims = test_claims("caf-gers", "places:read", -3600);
    char *expired = jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256",
                             TEST_JWT_SECRET, sizeof TEST_JWT_SECRET - 1);
    char header[4096];
    snprintf(header, sizeof header, "bearer   %s", expired);
    struct inproc t;
    as(&t, &places_read, "", "");
    inproc_header(&t, "Authorization", header);
    cr_expect_not(guard_admit(&t.req));
    cr_expect_eq(t.out.status, 401);
    cr_expect_str_eq(inproc_answer_header(&t, "WWW-Authenticate"),
                     "Bearer realm=\"inclusion-api\", error=\"invalid_token\", "
                     "error_description=\"token has expired\"",
                     "the token after \"bearer\" and spaces was read and found expired");
    inproc_free(&t);
    free(expired);
    free(claims);
}

Test(guard, access_token_in_the_query_only_where_the_route_allows_it)
{
    char *bad = "eyJhbGciOiJIUzI1NiJ9.e30.AAAA";
    struct inproc t;
    char target[256];
    snprintf(target, sizeof target, "/v1/calendar.ics?access_token=%s", bad);
    inproc_init(&t, "GET", target);
    t.req.route = &calendar;
    cr_expect_not(guard_admit(&t.req));
    cr_expect_eq(t.out.status, 401);
    char type[128];
    cr_expect_str_eq(problem_type(&t, type, sizeof type), "urn:inclusion-api:problem:invalid-token",
                     "the query's token was checked");
    inproc_free(&t);

    snprintf(target, sizeof target, "/v1/places?access_token=%s", bad);
    inproc_init(&t, "GET", target);
    t.req.route = &places_read;
    cr_expect_not(guard_admit(&t.req));
    cr_expect_str_eq(problem_type(&t, type, sizeof type), "urn:inclusion-api:problem:missing-token",
                     "the query's token was ignored");
    inproc_free(&t);
}

Test(guard, a_token_in_the_query_has_exactly_the_scope_workshops_read)
{
    char *narrow = test_token("caf-gers", "workshops:read");
    char *broad = test_token("caf-gers", "workshops:read referrals:read");
    struct inproc t;
    char target[4096], header[4096];
    snprintf(target, sizeof target, "/v1/calendar.ics?access_token=%s", narrow);
    inproc_init(&t, "GET", target);
    t.req.route = &calendar;
    cr_expect(guard_verify(&t.req), "the calendar's scope alone");
    cr_expect_not(t.req.answered);
    inproc_free(&t);

    snprintf(target, sizeof target, "/v1/calendar.ics?access_token=%s", broad);
    inproc_init(&t, "GET", target);
    t.req.route = &calendar;
    cr_expect_not(guard_verify(&t.req), "a token that can do more");
    cr_expect_eq(t.out.status, 401);
    cr_expect_str_eq(inproc_answer_header(&t, "WWW-Authenticate"),
                     "Bearer realm=\"inclusion-api\", error=\"invalid_token\", "
                     "error_description=\"a token in the query must have exactly the scope "
                     "workshops:read\"");
    inproc_free(&t);

    /* in the header, the same token is not concerned */
    inproc_init(&t, "GET", "/v1/calendar.ics");
    t.req.route = &calendar;
    snprintf(header, sizeof header, "Bearer %s", broad);
    inproc_header(&t, "Authorization", header);
    cr_expect(guard_verify(&t.req));
    inproc_free(&t);
    free(narrow);
    free(broad);
}

/* ---- anonymous open-data admission (PUBLIC_READS) ------------------------ */

static const struct route open_places = {.method = "GET",
                                         .pattern = "/v1/places",
                                         .scope = "places:read",
                                         .handle = no_handler,
                                         .flags = ROUTE_REPLICA_OK | ROUTE_OPEN_DATA};
static const struct route open_calendar = {.method = "GET",
                                           .pattern = "/v1/calendar.ics",
                                           .scope = "workshops:read",
                                           .handle = no_handler,
                                           .flags = ROUTE_TOKEN_IN_QUERY | ROUTE_REPLICA_OK |
                                                    ROUTE_OPEN_DATA};

static void anonymous(struct inproc *t, const struct route *route, const char *target,
                      int public_reads)
{
    inproc_init(t, route->method, target);
    t->req.route = route;
    t->cfg.public_reads = public_reads;
}

Test(guard, only_an_open_route_read_without_any_token_is_anonymous)
{
    struct inproc t;
    anonymous(&t, &open_places, "/v1/places", 1);
    cr_expect(guard_anonymous_open_data(&t.req));
    cr_expect_not(t.req.answered, "it answers nothing");
    inproc_free(&t);

    anonymous(&t, &open_places, "/v1/places", 0);
    cr_expect_not(guard_anonymous_open_data(&t.req), "PUBLIC_READS=0");
    inproc_free(&t);

    anonymous(&t, &places_read, "/v1/places", 1);
    cr_expect_not(guard_anonymous_open_data(&t.req), "a route that is not open data");
    inproc_free(&t);

    anonymous(&t, &open_places, "/v1/places", 1);
    inproc_header(&t, "Authorization", "Bearer not.a.token");
    cr_expect_not(guard_anonymous_open_data(&t.req), "a token sent is verified");
    inproc_free(&t);

    anonymous(&t, &open_places, "/v1/places", 1);
    inproc_header(&t, "Authorization", "");
    cr_expect_not(guard_anonymous_open_data(&t.req), "even an empty Authorization");
    inproc_free(&t);

    anonymous(&t, &open_calendar, "/v1/calendar.ics?access_token=x", 1);
    cr_expect_not(guard_anonymous_open_data(&t.req), "the calendar's query token too");
    inproc_free(&t);

    anonymous(&t, &open_places, "/v1/places?access_token=x", 1);
    cr_expect(guard_anonymous_open_data(&t.req),
              "where the query carries no token, access_token is an unknown parameter (400)");
    inproc_free(&t);
}

/* The client credentials of the token endpoint (RFC 6749 §2.3.1). */
static int basic(const char *header, char **id, char **secret)
{
    struct inproc t;
    inproc_init(&t, "POST", "/oauth/token");
    if (header)
        inproc_header(&t, "Authorization", header);
    int rc = guard_basic_credentials(&t.req, id, secret);
    inproc_free(&t);
    return rc;
}

Test(guard_basic, credentials_decoded_or_refused)
{
    char *id = NULL, *secret = NULL;
    cr_expect_eq(basic(NULL, &id, &secret), 0, "no header");
    cr_expect_eq(basic("Basic Y2xpZW50OnNlY3JldA==", &id, &secret), 1); /* client:secret */
    cr_expect_str_eq(id, "client");
    cr_expect_str_eq(secret, "secret");
    free(id);
    free(secret);
    /* each part form-urlencoded: "a%3Ab:s+t" is id "a:b", secret "s t" */
    cr_expect_eq(basic("basic YSUzQWI6cyt0", &id, &secret), 1, "the scheme is case-insensitive");
    cr_expect_str_eq(id, "a:b");
    cr_expect_str_eq(secret, "s t");
    free(id);
    free(secret);
    cr_expect_eq(basic("Basic Y2xpZW50c2VjcmV0", &id, &secret), -1, "no colon");
    cr_expect_null(id);
    cr_expect_eq(basic("Basic !!!!", &id, &secret), -1, "not base64");
    cr_expect_eq(basic("Basic Y2xp", &id, &secret), -1, "no colon either");
    cr_expect_eq(basic("Basic ", &id, &secret), -1, "empty");
    cr_expect_eq(basic("Bearer abc.def.ghi", &id, &secret), -1, "another scheme");
    cr_expect_eq(basic("Basic YSUwMDpi", &id, &secret), -1, "a%00 decodes to a NUL");
}
