/* The dashboard (issue #19): GET /tableau-de-bord and its assets (CSP, media
 * types, no inline script or style), and its share links: POST/GET/DELETE
 * /v1/dashboard-links, the secret shown once and stored hashed, `Authorization:
 * Link SECRET` reading the indicators as the organisation with indicators:read
 * alone, held to its commune and period, refused elsewhere, 401 once revoked.
 * The page's script is tested in a browser (tests/browser/test_dashboard.mjs). */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *caf, *admin, *places;

static void start(void)
{
    fixture_start();
    fixture_token(&caf, "caf-gers", "indicators:read");
    fixture_token(&admin, "la-poste-gers", "indicators:read admin");
    fixture_token(&places, "caf-gers", "places:read");
}

TestSuite(dashboard_links, .init = start, .fini = fixture_stop, .timeout = 60);

static const char *header(const struct response *r, const char *name)
{
    static char value[1024];
    return response_header(r, name, value, sizeof value);
}

static struct response *with_token(const char *method, const char *path, const char *token,
                                   const char *body)
{
    char auth[2048];
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    return http_request(method, url(path), headers, body);
}

static struct response *with_link(const char *path, const char *secret)
{
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Link %s", secret);
    const char *headers[] = {auth, NULL};
    return http_request("GET", url(path), headers, NULL);
}

/* Creates a link of caf-gers; returns its secret (caller frees), its id in id. */
static char *create(const char *body, char id[64])
{
    struct response *r = with_token("POST", "/v1/dashboard-links", caf, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *j = response_json(r);
    const char *secret = json_string_value(json_object_get(j, "secret"));
    cr_assert_not_null(secret);
    cr_expect_eq(strlen(secret), 43, "256 bits in base64url");
    char want_url[128];
    snprintf(want_url, sizeof want_url, "/tableau-de-bord?lien=%s", secret);
    cr_expect_str_eq(json_string_value(json_object_get(j, "url")), want_url);
    cr_expect_str_eq(header(r, "Cache-Control"), "no-store");
    snprintf(id, 64, "%s", json_string_value(json_object_get(j, "id")));
    char location[128];
    snprintf(location, sizeof location, "/v1/dashboard-links/%s", id);
    cr_expect_str_eq(header(r, "Location"), location);
    char *copy = strdup(secret);
    json_decref(j);
    response_free(r);
    return copy;
}

Test(dashboard_links, dashboard_page_has_its_csp_and_files_of_its_own)
{
    struct response *r = http_request("GET", url("/tableau-de-bord?lien=abc"), NULL, NULL);
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "text/html; charset=utf-8");
    cr_expect_not_null(strstr(header(r, "Content-Security-Policy"), "default-src 'self'"));
    cr_expect_str_eq(header(r, "Referrer-Policy"), "no-referrer");
    cr_expect_str_eq(header(r, "X-Content-Type-Options"), "nosniff");
    const char *want[] = {"src=\"/assets/tableau-de-bord.js\"",
                          "href=\"/assets/tableau-de-bord.css\"",
                          "src=\"/assets/leaflet.js\"",
                          "for=\"jeton\"",
                          "for=\"periode\"",
                          "for=\"filtre\"",
                          "for=\"indicateur-carte\""};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(r->body, want[i]), "%s", want[i]);
    cr_expect_null(strstr(r->body, "<script>"));
    cr_expect_null(strstr(r->body, "<style"));
    cr_expect_null(strstr(r->body, "style="));
    cr_expect_null(strstr(r->body, "src=\"http"));
    response_free(r);

    r = http_request("GET", url("/assets/tableau-de-bord.js"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "text/javascript; charset=utf-8");
    cr_expect_not_null(strstr(r->body, "'Link ' + link"));
    cr_expect_null(strstr(r->body, "innerHTML"), "texts from the API go through textContent");
    response_free(r);
    r = http_request("GET", url("/assets/tableau-de-bord.css"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "text/css; charset=utf-8");
    cr_expect_not_null(strstr(r->body, "@media print"));
    response_free(r);
}

Test(dashboard_links, a_link_reads_the_indicators_and_nothing_else_until_revoked)
{
    char id[64];
    char *secret = create("{\"label\":\"Comité de pilotage\"}", id);

    struct response *r = with_link("/v1/indicators?from=2026-01-01&to=2026-03-31", secret);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    r = with_link("/v1/indicators/satisfaction_mean/series?from=2026-01-01&to=2026-03-31", secret);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    r = with_link("/v1/targets", secret);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    /* never more than a token with indicators:read: by-place is admin's */
    r = with_link("/v1/indicators/by-place?code=satisfaction_mean&from=2026-01-01&to=2026-03-31",
                  secret);
    cr_expect_eq(r->status, 403, "%s", r->body);
    response_free(r);
    /* nothing but the indicators: not the links (which take indicators:read) */
    r = with_link("/v1/dashboard-links", secret);
    cr_expect_eq(r->status, 403, "%s", r->body);
    cr_expect_not_null(strstr(r->body, "only reads the indicators"));
    response_free(r);
    {
        char auth[256];
        snprintf(auth, sizeof auth, "Authorization: Link %s", secret);
        const char *headers[] = {auth, "Accept-Language: fr", NULL};
        r = http_request("GET", url("/v1/dashboard-links"), headers, NULL);
        cr_expect_eq(r->status, 403, "%s", r->body);
        cr_expect_not_null(
            strstr(r->body, "Un lien de tableau de bord ne lit que les indicateurs."), "%s",
            r->body);
        response_free(r);
    }
    r = with_link("/v1/places", secret);
    cr_expect_eq(r->status, 403, "%s", r->body);
    response_free(r);

    /* the list: no secret, no hash */
    r = with_token("GET", "/v1/dashboard-links", caf, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_not_null(strstr(r->body, id));
    cr_expect_null(strstr(r->body, secret));
    cr_expect_null(strstr(r->body, "sha256"));
    response_free(r);
    /* another organisation neither sees nor revokes it */
    r = with_token("GET", "/v1/dashboard-links", admin, NULL);
    cr_expect_null(strstr(r->body, id));
    response_free(r);
    char path[128];
    snprintf(path, sizeof path, "/v1/dashboard-links/%s", id);
    r = with_token("DELETE", path, admin, NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
    r = with_token("DELETE", path, places, NULL);
    cr_expect_eq(r->status, 403, "indicators:read is needed");
    response_free(r);

    r = with_token("DELETE", path, caf, NULL);
    cr_expect_eq(r->status, 204);
    response_free(r);
    r = with_link("/v1/indicators?from=2026-01-01&to=2026-03-31", secret);
    cr_expect_eq(r->status, 401, "revoked");
    cr_expect_not_null(header(r, "WWW-Authenticate"));
    response_free(r);
    r = with_token("GET", "/v1/dashboard-links", caf, NULL);
    cr_expect_not_null(strstr(r->body, "revoked_at"));
    response_free(r);
    r = with_token("DELETE", "/v1/dashboard-links/not-a-uuid", caf, NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
    free(secret);
}

Test(dashboard_links, a_link_is_held_to_its_commune_and_period)
{
    char id[64];
    char *secret =
        create("{\"label\":\"Mairie de Mirande\",\"commune\":\"32256\",\"from\":\"2026-10-01\","
               "\"to\":\"2026-12-31\"}",
               id);
    /* the link's commune and period replace the request's */
    struct response *r = with_link("/v1/indicators?from=2026-01-01&to=2026-12-31", secret);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *j = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(j, "from")), "2026-10-01");
    cr_expect_str_eq(json_string_value(json_object_get(j, "to")), "2026-12-31");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "filters"), "commune")),
                     "32256");
    json_decref(j);
    response_free(r);
    r = with_link("/v1/indicators?commune=32013", secret);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_expect_not_null(strstr(r->body, "\"commune\":\"32256\""));
    response_free(r);
    /* nothing of other communes, nor of the territory */
    r = with_link("/v1/indicators/by-commune?code=satisfaction_mean", secret);
    cr_expect_eq(r->status, 403, "%s", r->body);
    response_free(r);
    r = with_link("/v1/targets", secret);
    cr_expect_eq(r->status, 403, "%s", r->body);
    response_free(r);
    r = with_link("/v1/indicators?org=caf-gers", secret);
    cr_expect_eq(r->status, 403, "%s", r->body);
    response_free(r);
    /* revoked: an organisation holds 100 links at most, and the test database stays */
    char path[128];
    snprintf(path, sizeof path, "/v1/dashboard-links/%s", id);
    r = with_token("DELETE", path, caf, NULL);
    cr_expect_eq(r->status, 204);
    response_free(r);
    free(secret);
}

Test(dashboard_links, bad_secrets_and_bad_bodies_are_refused)
{
    struct response *r = with_link("/v1/indicators", "short");
    cr_expect_eq(r->status, 401);
    response_free(r);
    r = with_link("/v1/indicators", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    cr_expect_eq(r->status, 401, "unknown link");
    response_free(r);
    r = with_token(
        "POST", "/v1/dashboard-links", caf,
        "{\"label\":\"\",\"commune\":\"75001\",\"from\":\"2026-13-01\",\"secret\":\"x\"}");
    cr_expect_eq(r->status, 422);
    const char *fields[] = {"label", "commune", "from", "to", "secret"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"field\":\"%s\"", fields[i]);
        cr_expect_not_null(strstr(r->body, want), "%s named in %s", fields[i], r->body);
    }
    response_free(r);
    /* with a commune, a calendar period only (strict disclosure) */
    r = with_token("POST", "/v1/dashboard-links", caf,
                   "{\"label\":\"x\",\"commune\":\"32256\",\"from\":\"2026-10-02\","
                   "\"to\":\"2026-12-31\"}");
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect_not_null(strstr(r->body, "calendar month, quarter or year ending on to"));
    response_free(r);
    r = with_token("POST", "/v1/dashboard-links", caf, "{\"label\":\"x\",\"commune\":\"32999\"}");
    cr_expect_eq(r->status, 422, "no such commune: %s", r->body);
    response_free(r);
}
