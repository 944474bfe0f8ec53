/* The pages (issue #18): GET / and its links, GET /carte and its assets with
 * their Content-Security-Policy, media types and cache headers, 404 for an
 * unknown asset, MAP_TILES_URL in the page and in img-src, and the communes
 * as GeoJSON (GET /v1/communes, no token). The page's script itself is tested
 * in a browser (tests/browser/). */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdio.h>
#include <string.h>

#define TILES "https://tuiles.example.fr/{z}/{x}/{y}.png"

static void start_tiles(void)
{
    static const char *const env[] = {"MAP_TILES_URL=" TILES, NULL};
    fixture_start_with(env);
}

TestSuite(web, .init = fixture_start, .fini = fixture_stop, .timeout = 60);
TestSuite(web_tiles, .init = start_tiles, .fini = fixture_stop, .timeout = 60);

static const char *header(const struct response *r, const char *name)
{
    static char value[1024];
    return response_header(r, name, value, sizeof value);
}

static struct response *get(const char *path)
{
    return http_request("GET", url(path), NULL, NULL);
}

#define CSP                                                                                        \
    "default-src 'self'; img-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors "    \
    "'none'"

Test(web, home_links_the_map_the_docs_and_the_health)
{
    struct response *r = get("/");
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "text/html; charset=utf-8");
    cr_expect_str_eq(header(r, "Content-Security-Policy"), CSP);
    cr_expect_not_null(strstr(r->body, "<html lang=\"fr\">"));
    cr_expect_not_null(strstr(r->body, "href=\"/carte\""));
    cr_expect_not_null(strstr(r->body, "href=\"/docs\""));
    cr_expect_not_null(strstr(r->body, "href=\"/tableau-de-bord\""));
    cr_expect_not_null(strstr(r->body, "href=\"/healthz\""));
    cr_expect_null(strstr(r->body, "<script"), "no script on the home page");
    cr_expect_null(strstr(r->body, "style="), "no inline style");
    response_free(r);
}

Test(web, map_page_has_its_csp_and_only_files_of_its_own)
{
    struct response *r = get("/carte");
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "text/html; charset=utf-8");
    cr_expect_str_eq(header(r, "Content-Security-Policy"), CSP);
    cr_expect_str_eq(header(r, "X-Content-Type-Options"), "nosniff");
    cr_expect_str_eq(header(r, "Cache-Control"), "public, max-age=300, stale-while-revalidate=300");
    cr_expect_not_null(header(r, "ETag"));
    cr_expect_not_null(strstr(r->body, "<html lang=\"fr\">"));
    cr_expect_not_null(strstr(r->body, "data-tiles=\"\""), "no tiles by default");
    const char *want[] = {"src=\"/assets/leaflet.js\"", "src=\"/assets/carte.js\"",
                          "href=\"/assets/leaflet.css\"", "href=\"/assets/carte.css\""};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(r->body, want[i]), "%s", want[i]);
    /* CSP default-src 'self': no inline script or style, nothing from elsewhere */
    cr_expect_null(strstr(r->body, "<script>"));
    cr_expect_null(strstr(r->body, "<style"));
    cr_expect_null(strstr(r->body, "style="));
    cr_expect_null(strstr(r->body, " onclick="));
    cr_expect_null(strstr(r->body, "src=\"http"));
    cr_expect_null(strstr(r->body, "href=\"http"));
    /* every control of the filters has a label */
    const char *labels[] = {"for=\"recherche\"",  "for=\"service\"", "for=\"public\"",
                            "for=\"accessible\"", "for=\"ouvert\"",  "for=\"itinerant\""};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        cr_expect_not_null(strstr(r->body, labels[i]), "%s", labels[i]);
    char etag[128], if_none[160];
    snprintf(etag, sizeof etag, "%s", header(r, "ETag"));
    response_free(r);

    snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag);
    const char *conditional[] = {if_none, NULL};
    r = http_request("GET", url("/carte"), conditional, NULL);
    cr_expect_eq(r->status, 304);
    cr_expect_eq(r->body_len, 0);
    response_free(r);
}

Test(web, assets_have_their_media_types)
{
    static const struct {
        const char *path, *type, *contains;
    } assets[] = {
        {"/assets/carte.js", "text/javascript; charset=utf-8", "/v1/communes"},
        {"/assets/leaflet.js", "text/javascript; charset=utf-8", "Leaflet"},
        {"/assets/carte.css", "text/css; charset=utf-8", "@media print"},
        {"/assets/leaflet.css", "text/css; charset=utf-8", ".leaflet-container"},
        {"/assets/accueil.css", "text/css; charset=utf-8", "font-family"},
        {"/assets/favicon.svg", "image/svg+xml", "<svg"},
    };
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
        struct response *r = get(assets[i].path);
        cr_expect_eq(r->status, 200, "%s", assets[i].path);
        cr_expect_str_eq(header(r, "Content-Type"), assets[i].type, "%s", assets[i].path);
        cr_expect_str_eq(header(r, "X-Content-Type-Options"), "nosniff");
        cr_expect_str_eq(header(r, "Cache-Control"),
                         "public, max-age=3600, stale-while-revalidate=300");
        cr_expect_not_null(header(r, "ETag"));
        cr_expect_not_null(strstr(r->body, assets[i].contains), "%s", assets[i].path);
        response_free(r);
    }
    /* gzipped when asked */
    const char *gz[] = {"Accept-Encoding: gzip", NULL};
    struct response *r = http_request_raw("GET", url("/assets/leaflet.js"), gz, NULL);
    cr_expect_str_eq(header(r, "Content-Encoding"), "gzip");
    cr_expect_lt(r->body_len, 140000 / 2);
    response_free(r);
}

Test(web, unknown_asset_is_404)
{
    const char *paths[] = {"/assets/nope.js", "/assets/carte.html", "/assets/001_organizations.sql",
                           "/assets/openapi.yaml"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct response *r = get(paths[i]);
        cr_expect_eq(r->status, 404, "%s", paths[i]);
        response_free(r);
    }
}

Test(web, communes_as_geojson_without_a_token)
{
    struct response *r = get("/v1/communes");
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "application/geo+json");
    cr_expect_str_eq(header(r, "Cache-Control"),
                     "public, max-age=3600, stale-while-revalidate=300");
    json_t *geo = response_json(r);
    response_free(r);
    cr_assert(json_is_object(geo));
    cr_expect_str_eq(json_string_value(json_object_get(geo, "type")), "FeatureCollection");
    json_t *features = json_object_get(geo, "features");
    cr_expect_eq(json_array_size(features), 462, "the communes of the Gers");
    bool mirande = false;
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_t *props = json_object_get(f, "properties");
        if (strcmp(json_string_value(json_object_get(f, "id")), "32256") == 0) {
            mirande = true;
            cr_expect_str_eq(json_string_value(json_object_get(props, "name")), "Mirande");
            /* [longitude, latitude]: Mirande is at about 0.40 E, 43.51 N */
            json_t *g = json_object_get(f, "geometry");
            json_t *ring = json_array_get(json_object_get(g, "coordinates"), 0);
            json_t *point = json_array_get(ring, 0);
            if (strcmp(json_string_value(json_object_get(g, "type")), "MultiPolygon") == 0)
                point = json_array_get(point, 0);
            double lon = json_real_value(json_array_get(point, 0));
            double lat = json_real_value(json_array_get(point, 1));
            cr_expect(lon > 0.2 && lon < 0.6 && lat > 43.3 && lat < 43.7, "%f %f", lon, lat);
        }
    }
    cr_expect(mirande);
    json_decref(geo);
}

Test(web_tiles, tiles_are_in_the_page_and_in_img_src)
{
    struct response *r = get("/carte");
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Security-Policy"),
                     "default-src 'self'; img-src 'self' https://tuiles.example.fr; "
                     "base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    cr_expect_not_null(strstr(r->body, "data-tiles=\"" TILES "\""));
    response_free(r);
}
