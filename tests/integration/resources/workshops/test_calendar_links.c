/* Calendar links (POST /v1/calendar-links): a URL whose secret outlives any
 * token, serving calendar.ics with the link's filters, listed without its
 * secret, revoked by DELETE (404 from then on); and a token in the query
 * (access_token) accepted only when its scopes are exactly workshops:read. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *owner, *reader, *broad, *other, *writer_only;
static char place[64];
static char title[96];

static struct response *call(const char *method, const char *token, const char *path,
                             const char *body)
{
    char auth[4096];
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    return http_request(method, url(path), headers, body);
}

static void start(void)
{
    fixture_start();
    fixture_token(&owner, "france-services-mirande", "places:read workshops:read workshops:write");
    fixture_token(&reader, "caf-gers", "workshops:read");
    fixture_token(&broad, "caf-gers", "workshops:read registrations:write");
    fixture_token(&other, "la-poste-gers", "workshops:read");
    fixture_token(&writer_only, "caf-gers", "registrations:write");
    struct response *r = http_get(server.base_url, "/v1/places?commune=32256&typology=RFS", owner);
    json_t *body = response_json(r);
    snprintf(place, sizeof place, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(body, "items"), 0), "id")));
    json_decref(body);
    response_free(r);
    /* one workshop of theme first_steps, to be found (or not) in the feeds */
    snprintf(title, sizeof title, "Lien de calendrier %d", getpid());
    char workshop[1024];
    snprintf(workshop, sizeof workshop,
             "{\"place_id\":\"%s\",\"title\":\"%s\",\"theme\":\"first_steps\",\"audience\":["
             "\"beginners\"],\"starts_at\":\"2031-10-07T14:00:00+02:00\",\"ends_at\":\"2031-10-"
             "07T16:00:00+02:00\",\"capacity\":5}",
             place, title);
    r = call("POST", owner, "/v1/workshops", workshop);
    cr_assert_eq(r->status, 201, "%s", r->body);
    response_free(r);
}

TestSuite(calendar_links, .init = start, .fini = fixture_stop, .timeout = 60);

/* Creates a link with `body` as `token`; returns its JSON (201 asserted). */
static json_t *create(const char *token, const char *body)
{
    struct response *r = call("POST", token, "/v1/calendar-links", body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *link = response_json(r);
    char location[160], expected[160];
    snprintf(expected, sizeof expected, "/v1/calendar-links/%s",
             json_string_value(json_object_get(link, "id")));
    cr_expect_str_eq(response_header(r, "Location", location, sizeof location), expected);
    response_free(r);
    return link;
}

/* The path of a link's feed, from its `url`. */
static const char *feed_path(const json_t *link)
{
    const char *u = json_string_value(json_object_get(link, "url"));
    cr_assert_not_null(u);
    const char *path = strstr(u, "/v1/calendar-links/");
    cr_assert_not_null(path, "%s", u);
    return path;
}

static bool lists(const char *token, const char *id)
{
    struct response *r = call("GET", token, "/v1/calendar-links", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_expect_null(strstr(r->body, "calendar.ics"), "never the URL: %s", r->body);
    cr_expect_null(strstr(r->body, "secret"), "never the secret: %s", r->body);
    json_t *body = response_json(r);
    bool found = false;
    json_t *item;
    size_t i;
    json_array_foreach(json_object_get(body, "items"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
            found = true;
    }
    json_decref(body);
    response_free(r);
    return found;
}

Test(calendar_links, a_link_serves_its_filtered_calendar_without_a_token_until_revoked)
{
    json_t *link = create(reader, "{\"label\":\"Accueil d'Auch\",\"theme\":\"first_steps\"}");
    const char *id = json_string_value(json_object_get(link, "id"));
    const char *path = feed_path(link);
    const char *secret = path + strlen("/v1/calendar-links/");
    cr_expect_eq(strcspn(secret, "/"), 43, "256 bits in base64url: %s", secret);
    cr_expect_str_eq(json_string_value(json_object_get(link, "theme")), "first_steps");

    /* no token at all */
    struct response *r = http_request("GET", url(path), NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char value[128];
    cr_expect_str_eq(response_header(r, "Content-Type", value, sizeof value),
                     "text/calendar; charset=utf-8");
    cr_expect_str_eq(response_header(r, "Cache-Control", value, sizeof value),
                     "private, max-age=60", "the URL is a credential: no shared cache");
    cr_expect(strstr(r->body, "BEGIN:VCALENDAR") != NULL);
    cr_expect(strstr(r->body, title) != NULL, "the workshop of the link's theme is there");
    response_free(r);

    /* another theme's link does not show it */
    json_t *email = create(reader, "{\"theme\":\"email\"}");
    r = http_request("GET", url(feed_path(email)), NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_expect(strstr(r->body, title) == NULL, "filtered out by the link's theme");
    response_free(r);

    /* listed by its organisation, without its secret; not by another one */
    cr_expect(lists(reader, id));
    cr_expect_not(lists(other, id));

    /* another organisation cannot revoke it, and cannot know it exists */
    char one[160];
    snprintf(one, sizeof one, "/v1/calendar-links/%s", id);
    r = call("DELETE", other, one, NULL);
    cr_expect_eq(r->status, 404, "%s", r->body);
    response_free(r);
    r = http_request("GET", url(path), NULL, NULL);
    cr_expect_eq(r->status, 200, "still live");
    response_free(r);

    /* revoked: 404 at once, and gone from the list */
    r = call("DELETE", reader, one, NULL);
    cr_expect_eq(r->status, 204, "%s", r->body);
    response_free(r);
    r = http_request("GET", url(path), NULL, NULL);
    cr_expect_eq(r->status, 404, "%s", r->body);
    response_free(r);
    cr_expect_not(lists(reader, id));
    r = call("DELETE", reader, one, NULL);
    cr_expect_eq(r->status, 404, "already revoked");
    response_free(r);
    json_decref(email);
    json_decref(link);
}

Test(calendar_links, a_link_outlives_the_token_that_created_it)
{
    /* a token that expires (past the 60 s leeway) 2 seconds from now */
    long now = (long)time(NULL);
    char claims[256];
    snprintf(claims, sizeof claims,
             "{\"sub\":\"test\",\"org\":\"caf-gers\",\"scope\":\"workshops:read\",\"iat\":%ld,"
             "\"exp\":%ld}",
             now - 120, now - 60 + 2);
    char *token = jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256", TEST_JWT_SECRET,
                           strlen(TEST_JWT_SECRET));
    json_t *link = create(token, "{}");
    sleep(4);
    struct response *r = call("GET", token, "/v1/calendar-links", NULL);
    cr_expect_eq(r->status, 401, "the token has expired: %s", r->body);
    response_free(r);
    r = http_request("GET", url(feed_path(link)), NULL, NULL);
    cr_expect_eq(r->status, 200, "the link has not: %s", r->body);
    cr_expect(strstr(r->body, title) != NULL, "no filter: every workshop");
    response_free(r);
    json_decref(link);
    free(token);
}

Test(calendar_links, bad_filters_are_named_at_once_and_the_scope_is_needed)
{
    struct response *r =
        call("POST", reader, "/v1/calendar-links",
             "{\"theme\":\"astrology\",\"commune\":\"99999x\",\"place_id\":\"nope\","
             "\"audience\":3,\"url\":\"https://example.org\"}");
    cr_expect_eq(r->status, 422, "%s", r->body);
    const char *fields[] = {"theme", "commune", "place_id", "audience", "url"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char quoted[32];
        snprintf(quoted, sizeof quoted, "\"%s\"", fields[i]);
        cr_expect(strstr(r->body, quoted) != NULL, "%s named: %s", fields[i], r->body);
    }
    response_free(r);
    r = call("POST", writer_only, "/v1/calendar-links", "{}");
    cr_expect_eq(r->status, 403, "%s", r->body);
    response_free(r);
    r = http_request("GET", url("/v1/calendar-links/not-a-secret/calendar.ics"), NULL, NULL);
    cr_expect_eq(r->status, 404, "%s", r->body);
    response_free(r);
    r = http_request("GET",
                     url("/v1/calendar-links/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"
                         "calendar.ics"),
                     NULL, NULL);
    cr_expect_eq(r->status, 404, "a secret of the right shape that was never issued: %s", r->body);
    response_free(r);
}

Test(calendar_links, a_token_in_the_query_must_be_for_the_calendar_only)
{
    char path[4096], challenge[256];
    snprintf(path, sizeof path, "/v1/calendar.ics?theme=first_steps&access_token=%s", reader);
    struct response *r = http_request("GET", url(path), NULL, NULL);
    cr_expect_eq(r->status, 200, "scopes exactly workshops:read: %s", r->body);
    cr_expect(strstr(r->body, title) != NULL);
    response_free(r);

    snprintf(path, sizeof path, "/v1/calendar.ics?theme=first_steps&access_token=%s", broad);
    r = http_request("GET", url(path), NULL, NULL);
    cr_expect_eq(r->status, 401, "a token that can do more stays out of URLs: %s", r->body);
    cr_expect_str_eq(response_header(r, "WWW-Authenticate", challenge, sizeof challenge),
                     "Bearer realm=\"inclusion-api\", error=\"invalid_token\", "
                     "error_description=\"a token in the query must have exactly the scope "
                     "workshops:read\"");
    response_free(r);

    /* the same token in the header is fine */
    r = call("GET", broad, "/v1/calendar.ics?theme=first_steps", NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
}
