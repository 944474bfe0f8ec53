/* The contract for people and for tools: /openapi.json is the bundle the
 * build made (OPENAPI_JSON, build/openapi.json), /docs the page rendered
 * from it, served with its Content-Security-Policy and loading only
 * /docs/redoc.js, which the service serves too (cacheable). The browser test
 * (tests/browser/) loads the page in Chromium. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>

TestSuite(docs, .init = fixture_start, .fini = fixture_stop, .timeout = 60);

Test(docs, openapi_json_is_the_bundle_of_the_build)
{
    const char *path = getenv("OPENAPI_JSON");
    json_error_t error;
    json_t *bundle = json_load_file(path ? path : "build/openapi.json", 0, &error);
    cr_assert_not_null(bundle, "the bundle: %s", error.text);
    struct response *r = http_get(server.base_url, "/openapi.json", NULL);
    cr_assert_eq(r->status, 200);
    char ct[64];
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct), "application/json");
    json_t *served = response_json(r);
    cr_expect(json_equal(served, bundle), "GET /openapi.json is build/openapi.json");
    cr_expect_str_eq(json_string_value(json_object_get(served, "openapi")), "3.1.0");
    json_decref(served);
    json_decref(bundle);
    response_free(r);
}

Test(docs, the_page_is_served_with_its_csp_and_loads_only_the_service)
{
    struct response *r = http_get(server.base_url, "/docs", NULL);
    cr_assert_eq(r->status, 200);
    char ct[64], csp[256];
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct), "text/html; charset=utf-8");
    cr_expect_str_eq(response_header(r, "Content-Security-Policy", csp, sizeof csp),
                     "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                     "font-src 'self' data:; object-src 'none'; base-uri 'none'; "
                     "frame-ancestors 'none'");
    cr_expect(strstr(r->body, "<script type=\"module\" src=\"/docs/redoc.js\"></script>") != NULL,
              "the page loads the service's script");
    cr_expect(strstr(r->body, "inclusion-api") != NULL, "the contract's title is rendered");
    /* no inline script, nothing loaded from elsewhere */
    size_t scripts = 0;
    for (const char *p = r->body; (p = strstr(p, "<script")) != NULL; p++)
        scripts++;
    cr_expect_eq(scripts, 1, "one script element, external");
    cr_expect(strstr(r->body, "src=\"https://") == NULL && strstr(r->body, "src=\"//") == NULL);
    cr_expect(strstr(r->body, "cdn.redocly.com") == NULL);
    response_free(r);
}

Test(docs, the_script_is_served_and_cacheable)
{
    struct response *r = http_get(server.base_url, "/docs/redoc.js", NULL);
    cr_assert_eq(r->status, 200);
    char ct[64], etag[96], if_none[128];
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct),
                     "text/javascript; charset=utf-8");
    cr_expect(strstr(r->body, "hydrate") != NULL);
    cr_expect(strstr(r->body, "cdn.redoc.ly/redoc/logo") == NULL, "no logo from a CDN");
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag));
    response_free(r);
    snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag);
    const char *headers[] = {if_none, NULL};
    r = http_request("GET", url("/docs/redoc.js"), headers, NULL);
    cr_expect_eq(r->status, 304);
    response_free(r);
}
