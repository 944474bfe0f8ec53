/* Unit tests of the OpenAPI response validator (tests/support/openapi_check.c),
 * against a small inline spec written to a temporary file. Owned with the
 * validator by the test support layer. */
#include "support/openapi_check.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Local "$ref"s are left in on purpose: the validator must resolve them. */
static const char SPEC[] =
    "{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"},\n"
    " \"paths\": {\n"
    "  \"/v1/organizations\": {\n"
    "   \"get\": {\"responses\": {\n"
    "     \"200\": {\"description\": \"list\", \"content\": {\"application/json\":"
    "       {\"schema\": {\"$ref\": \"#/components/schemas/OrgList\"}}}},\n"
    "     \"4XX\": {\"$ref\": \"#/components/responses/Problem\"}}},\n"
    "   \"post\": {\"responses\": {\n"
    "     \"201\": {\"description\": \"made\", \"content\": {\"application/json\":"
    "       {\"schema\": {\"$ref\": \"#/components/schemas/Org\"}}}},\n"
    "     \"default\": {\"$ref\": \"#/components/responses/Problem\"}}}},\n"
    "  \"/v1/organizations/{slug}\": {\n"
    "   \"get\": {\"responses\": {\n"
    "     \"200\": {\"description\": \"one\", \"content\": {\"application/json\":"
    "       {\"schema\": {\"$ref\": \"#/components/schemas/Org\"}}}},\n"
    "     \"404\": {\"$ref\": \"#/components/responses/Problem\"}}},\n"
    "   \"delete\": {\"responses\": {\"204\": {\"description\": \"gone\"}}}},\n"
    "  \"/v1/organizations/me\": {\n"
    "   \"get\": {\"responses\": {\n"
    "     \"200\": {\"description\": \"me\", \"content\": {\"application/json\":"
    "       {\"schema\": {\"type\": \"object\", \"required\": [\"me\"],"
    "        \"properties\": {\"me\": {\"const\": true}}}}}}}}},\n"
    "  \"/v1/health\": {\n"
    "   \"get\": {\"responses\": {\n"
    "     \"200\": {\"description\": \"ok\", \"content\": {\"text/plain\":"
    "       {\"schema\": {\"type\": \"string\"}}}}}}},\n"
    "  \"/v1/shapes/{id}\": {\n"
    "   \"get\": {\"responses\": {\n"
    "     \"200\": {\"description\": \"shape\", \"content\": {\"application/geo+json\":"
    "       {\"schema\": {\"$ref\": \"#/components/schemas/Shape\"}}}}}}}\n"
    " },\n"
    " \"components\": {\n"
    "  \"schemas\": {\n"
    "   \"Org\": {\"type\": \"object\", \"additionalProperties\": false,\n"
    "    \"required\": [\"slug\", \"name\", \"created_at\"],\n"
    "    \"properties\": {\n"
    "     \"slug\": {\"type\": \"string\", \"pattern\": \"^[a-z0-9]+(?:-[a-z0-9]+)*$\","
    "       \"minLength\": 2, \"maxLength\": 8},\n"
    "     \"name\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 5, \"title\": \"N\"},\n"
    "     \"status\": {\"type\": \"string\", \"enum\": [\"active\", \"suspended\"]},\n"
    "     \"website\": {\"type\": [\"string\", \"null\"], \"format\": \"uri\"},\n"
    "     \"created_at\": {\"type\": \"string\", \"format\": \"date-time\"},\n"
    "     \"founded\": {\"type\": \"string\", \"format\": \"date\"},\n"
    "     \"ref\": {\"type\": \"string\", \"pattern\": \"\\\\d{3}\"},\n"
    "     \"note\": {\"type\": \"string\", \"pattern\": \"^[^\\\\x00-\\\\x1F\\\\x7F]*$\"},\n"
    "     \"fee\": {\"type\": \"number\", \"multipleOf\": 0.01, \"minimum\": 0},\n"
    "     \"seats\": {\"type\": \"integer\", \"exclusiveMinimum\": 0, \"maximum\": 100},\n"
    "     \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"minItems\": 1,"
    "       \"maxItems\": 2}}},\n"
    "   \"OrgList\": {\"type\": \"object\", \"required\": [\"items\"],\n"
    "    \"properties\": {\"items\": {\"type\": \"array\","
    "       \"items\": {\"$ref\": \"#/components/schemas/Org\"}},\n"
    "     \"next\": {\"type\": [\"string\", \"null\"]}}},\n"
    "   \"Problem\": {\"type\": \"object\", \"required\": [\"title\", \"status\"],\n"
    "    \"properties\": {\"title\": {\"type\": \"string\"},\n"
    "     \"status\": {\"type\": \"integer\", \"minimum\": 400, \"maximum\": 599}}},\n"
    "   \"Shape\": {\"allOf\": [{\"properties\": {\"type\": {\"type\": \"string\"}}}],\n"
    "    \"properties\": {\"id\": {\"type\": \"string\"}},\n"
    "    \"unevaluatedProperties\": false,\n"
    "    \"oneOf\": [\n"
    "     {\"required\": [\"radius\"], \"properties\": {\"radius\": {\"type\": \"number\"}}},\n"
    "     {\"required\": [\"side\"], \"properties\": {\"side\": {\"type\": \"number\"}}}],\n"
    "    \"not\": {\"required\": [\"forbidden\"]}}},\n"
    "  \"responses\": {\n"
    "   \"Problem\": {\"description\": \"problem\", \"content\": {\"application/problem+json\":"
    "     {\"schema\": {\"$ref\": \"#/components/schemas/Problem\"}}}}}}}\n";

#define CREATED "\"created_at\": \"2024-05-01T12:00:00Z\""

/* An Org that uses every property. */
#define ORG_OK                                                                                     \
    "{\"slug\": \"acme-2\", \"name\": \"Acme\", " CREATED ","                                      \
    " \"website\": \"https://acme.example/\", \"fee\": 19.99, \"seats\": 3, \"tags\": [\"a\"],"    \
    " \"ref\": \"AB-123\", \"founded\": \"2020-02-29\", \"status\": \"active\"}"

/* Two-byte UTF-8 for U+00E9, one code point. */
#define E_ACUTE "\xc3\xa9"

static char g_err[2048];

static void write_spec(const char *text)
{
    char path[] = "/tmp/openapi_check_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp failed");
    FILE *f = fdopen(fd, "w");
    cr_assert(f != NULL, "fdopen failed");
    cr_assert(fputs(text, f) >= 0);
    cr_assert(fclose(f) == 0);
    int rc = openapi_load(path);
    unlink(path);
    cr_assert(rc == 0, "openapi_load failed on the inline spec");
}

static void setup(void)
{
    write_spec(SPEC);
}

static void teardown(void)
{
    openapi_unload();
}

static bool check(const char *method, const char *path, int status, const char *content_type,
                  const char *body)
{
    g_err[0] = '\0';
    return openapi_check_response(method, path, status, content_type, body, body ? strlen(body) : 0,
                                  g_err, sizeof g_err);
}

/* GET /v1/organizations/acme answered 200 with a JSON `body`. */
static bool check_one(const char *body)
{
    return check("GET", "/v1/organizations/acme", 200, "application/json", body);
}

/* An Org with `member` (a `"name": value` fragment) added or replacing the one of ORG_OK. */
static bool check_org(const char *member)
{
    char body[1024];
    snprintf(body, sizeof body, "{%s, \"slug\": \"acme\", \"name\": \"Acme\", " CREATED "}",
             member);
    /* Later duplicates would be rejected, so `member` must not name slug/name/created_at. */
    return check_one(body);
}

#define ASSERT_PASS(expr) cr_assert((expr), "unexpected failure: %s", g_err)
#define ASSERT_FAIL(expr, needle)                                                                  \
    do {                                                                                           \
        cr_assert(!(expr), "unexpected success for %s", #expr);                                    \
        cr_assert(strstr(g_err, (needle)) != NULL, "message lacks \"%s\": %s", (needle), g_err);   \
    } while (0)

TestSuite(openapi_check, .init = setup, .fini = teardown);

Test(openapi_check, valid_response_passes)
{
    ASSERT_PASS(check_one(ORG_OK));
    ASSERT_PASS(
        check("GET", "/v1/organizations/acme", 200, "Application/JSON; charset=utf-8", ORG_OK));
    cr_assert_str_empty(g_err);
}

Test(openapi_check, operation_not_found)
{
    ASSERT_FAIL(check("PUT", "/v1/organizations/acme", 200, "application/json", ORG_OK),
                "operation not in the spec");
    cr_assert(strstr(g_err, "/v1/organizations/{slug}") != NULL, "%s", g_err);
    ASSERT_FAIL(check("GET", "/v2/organizations", 200, "application/json", "{}"),
                "no path template");
    ASSERT_FAIL(check("GET", "/v1/organizations/acme/members", 200, "application/json", "{}"),
                "no path template");
    /* {slug} needs a non-empty segment */
    ASSERT_FAIL(check("GET", "/v1/organizations/", 200, "application/json", "{}"),
                "no path template");
}

Test(openapi_check, query_string_is_ignored)
{
    ASSERT_PASS(check("GET", "/v1/organizations?limit=2&after=x/y", 200, "application/json",
                      "{\"items\": [], \"next\": \"abc\"}"));
}

Test(openapi_check, status_not_documented)
{
    ASSERT_FAIL(check("GET", "/v1/organizations/acme", 500, "application/problem+json",
                      "{\"title\": \"boom\", \"status\": 500}"),
                "status 500 is not documented");
    ASSERT_FAIL(check("GET", "/v1/organizations/acme", 409, "application/problem+json",
                      "{\"title\": \"x\", \"status\": 409}"),
                "not documented");
}

Test(openapi_check, status_default)
{
    ASSERT_PASS(check("POST", "/v1/organizations", 503, "application/problem+json",
                      "{\"title\": \"busy\", \"status\": 503}"));
    ASSERT_FAIL(check("POST", "/v1/organizations", 503, "application/json",
                      "{\"title\": \"busy\", \"status\": 503}"),
                "not documented");
}

Test(openapi_check, status_range_4xx)
{
    ASSERT_PASS(check("GET", "/v1/organizations", 422, "application/problem+json",
                      "{\"title\": \"bad\", \"status\": 422}"));
    ASSERT_FAIL(check("GET", "/v1/organizations", 422, "application/problem+json",
                      "{\"title\": \"bad\", \"status\": \"422\"}"),
                "at \"/status\"");
    ASSERT_FAIL(check("GET", "/v1/organizations", 422, "application/problem+json",
                      "{\"title\": \"bad\", \"status\": 200}"),
                "below the minimum 400");
    /* no 5XX and no default on this operation */
    ASSERT_FAIL(check("GET", "/v1/organizations", 502, "application/problem+json",
                      "{\"title\": \"bad\", \"status\": 502}"),
                "not documented");
}

Test(openapi_check, wrong_content_type)
{
    ASSERT_FAIL(check("GET", "/v1/organizations/acme", 200, "text/html", "<p>hi</p>"),
                "Content-Type \"text/html\" is not documented");
    ASSERT_FAIL(check("GET", "/v1/organizations/acme", 200, NULL, ORG_OK), "no Content-Type");
    ASSERT_FAIL(check("GET", "/v1/organizations/acme", 404, "application/json",
                      "{\"title\": \"nope\", \"status\": 404}"),
                "application/problem+json");
}

Test(openapi_check, non_json_body_checks_media_type_only)
{
    ASSERT_PASS(check("GET", "/v1/health", 200, "text/plain; charset=utf-8", "ok, not JSON"));
    ASSERT_FAIL(check("GET", "/v1/health", 200, "application/json", "\"ok\""), "not documented");
}

Test(openapi_check, invalid_json_body)
{
    ASSERT_FAIL(check_one("{\"slug\":"), "not valid JSON");
    ASSERT_FAIL(check_one(""), "not valid JSON");
}

Test(openapi_check, missing_required_property)
{
    ASSERT_FAIL(check_one("{\"slug\": \"acme\", " CREATED "}"),
                "missing required property \"name\"");
    cr_assert(strstr(g_err, "at \"\" (root)") != NULL, "%s", g_err);
    ASSERT_FAIL(
        check("GET", "/v1/organizations", 422, "application/problem+json", "{\"title\": \"bad\"}"),
        "missing required property \"status\"");
}

Test(openapi_check, additional_properties_false)
{
    ASSERT_FAIL(check_org("\"color\": \"red\""), "unexpected property \"color\"");
    cr_assert(strstr(g_err, "at \"/color\"") != NULL, "%s", g_err);
    /* the same property in an open schema is fine */
    ASSERT_PASS(check("GET", "/v1/organizations", 422, "application/problem+json",
                      "{\"title\": \"bad\", \"status\": 422, \"color\": \"red\"}"));
}

Test(openapi_check, wrong_type)
{
    ASSERT_FAIL(check_one("{\"slug\": \"acme\", \"name\": 5, " CREATED "}"),
                "at \"/name\": expected type string, got integer 5");
    ASSERT_FAIL(check_one("[]"), "expected type object");
    ASSERT_PASS(check_org("\"seats\": 7.0"));
    ASSERT_FAIL(check_org("\"seats\": 7.5"), "expected type integer");
}

Test(openapi_check, null_allowed_by_type_array)
{
    ASSERT_PASS(check_org("\"website\": null"));
    ASSERT_FAIL(check_org("\"website\": 5"), "expected type string or null");
    ASSERT_FAIL(check_org("\"website\": \"not a uri\""), "\"uri\"");
    ASSERT_FAIL(check_one("{\"slug\": \"acme\", \"name\": null, " CREATED "}"),
                "expected type string, got null");
}

Test(openapi_check, enum_values)
{
    ASSERT_PASS(check_org("\"status\": \"suspended\""));
    ASSERT_FAIL(check_org("\"status\": \"deleted\""), "not one of the enum values");
    cr_assert(strstr(g_err, "at \"/status\"") != NULL, "%s", g_err);
}

Test(openapi_check, const_value)
{
    ASSERT_PASS(check("GET", "/v1/organizations/me", 200, "application/json", "{\"me\": true}"));
    ASSERT_FAIL(check("GET", "/v1/organizations/me", 200, "application/json", "{\"me\": 1}"),
                "not the constant true");
}

Test(openapi_check, date_time_good)
{
    const char *good[] = {"2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456+02:00",
                          "2024-02-29T23:59:59-05:30", "2024-05-01t12:00:00z"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, "{\"slug\": \"acme\", \"name\": \"A\", \"created_at\": \"%s\"}",
                 good[i]);
        ASSERT_PASS(check_one(body));
    }
}

Test(openapi_check, date_time_bad)
{
    const char *bad[] = {"2024-05-01 12:00:00Z",     "2024-05-01T12:00:00",
                         "2023-02-29T00:00:00Z",     "2024-05-01T24:00:00Z",
                         "2024-05-01T12:00:00.Z",    "2024-05-01",
                         "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00Zjunk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, "{\"slug\": \"acme\", \"name\": \"A\", \"created_at\": \"%s\"}",
                 bad[i]);
        ASSERT_FAIL(check_one(body), "at \"/created_at\"");
        cr_assert(strstr(g_err, "date-time") != NULL, "%s: %s", bad[i], g_err);
    }
    ASSERT_FAIL(check_org("\"founded\": \"2021-02-29\""), "\"date\"");
}

Test(openapi_check, pattern)
{
    ASSERT_FAIL(check_one("{\"slug\": \"Acme\", \"name\": \"A\", " CREATED "}"),
                "does not match pattern");
    cr_assert(strstr(g_err, "at \"/slug\"") != NULL, "%s", g_err);
    ASSERT_FAIL(check_one("{\"slug\": \"ac--me\", \"name\": \"A\", " CREATED "}"),
                "does not match pattern");
    /* unanchored search, \d spelled the ECMA way */
    ASSERT_PASS(check_org("\"ref\": \"xx-123-yy\""));
    ASSERT_FAIL(check_org("\"ref\": \"xx-12-yy\""), "does not match pattern \"\\d{3}\"");
    /* \xHH in a bracket: no control character, digits and letters fine */
    ASSERT_PASS(check_org("\"note\": \"dev1795760238p2881n001 x0 \\u00e9\""));
    ASSERT_FAIL(check_org("\"note\": \"a\\tb\""), "does not match pattern");
    ASSERT_FAIL(check_org("\"note\": \"a\\u007fb\""), "does not match pattern");
}

Test(openapi_check, string_lengths_count_code_points)
{
    ASSERT_FAIL(check_one("{\"slug\": \"a\", \"name\": \"A\", " CREATED "}"),
                "fewer than minLength 2");
    /* name: maxLength 5; "\xc3\xa9" is one code point in two bytes */
    ASSERT_PASS(check_one("{\"slug\": \"ab\", " CREATED
                          ", \"name\": \"" E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE "\"}"));
    ASSERT_FAIL(check_one("{\"slug\": \"ab\", " CREATED
                          ", \"name\": \"" E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE "\"}"),
                "6 characters, more than maxLength 5");
}

Test(openapi_check, numbers)
{
    ASSERT_PASS(check_org("\"fee\": 19.99"));
    ASSERT_PASS(check_org("\"fee\": 0.3"));
    ASSERT_PASS(check_org("\"fee\": 1234567.89"));
    ASSERT_FAIL(check_org("\"fee\": 19.999"), "not a multiple of 0.01");
    ASSERT_FAIL(check_org("\"fee\": -1"), "below the minimum 0");
    ASSERT_FAIL(check_org("\"seats\": 0"), "exclusiveMinimum");
    ASSERT_FAIL(check_org("\"seats\": 101"), "above the maximum 100");
}

Test(openapi_check, items)
{
    ASSERT_PASS(check("GET", "/v1/organizations", 200, "application/json",
                      "{\"items\": [" ORG_OK ", " ORG_OK "], \"next\": null}"));
    ASSERT_FAIL(check("GET", "/v1/organizations", 200, "application/json",
                      "{\"items\": [" ORG_OK ", {\"slug\": \"x y\", \"name\": \"B\", " CREATED
                      "}]}"),
                "at \"/items/1/slug\"");
    ASSERT_FAIL(check_org("\"tags\": [\"a\", 2]"), "at \"/tags/1\"");
    ASSERT_FAIL(check_org("\"tags\": [\"a\", \"b\", \"c\"]"), "more than maxItems 2");
    ASSERT_FAIL(check_org("\"tags\": []"), "fewer than minItems 1");
}

Test(openapi_check, head_is_checked_as_get_without_body)
{
    ASSERT_PASS(check("HEAD", "/v1/organizations/acme", 200, "application/json", NULL));
    ASSERT_PASS(check("HEAD", "/v1/organizations/acme", 200, NULL, NULL));
    ASSERT_FAIL(check("HEAD", "/v1/organizations/acme", 200, "text/html", NULL), "text/html");
    ASSERT_FAIL(check("HEAD", "/v1/organizations/acme", 500, "application/json", NULL),
                "not documented");
    ASSERT_FAIL(check("HEAD", "/v1/nothing", 200, "application/json", NULL), "no path template");
    /* the GET of the same response with no body would fail */
    ASSERT_FAIL(check_one(NULL), "not valid JSON");
}

Test(openapi_check, no_content_statuses)
{
    ASSERT_PASS(check("DELETE", "/v1/organizations/acme", 204, NULL, NULL));
    ASSERT_FAIL(check("DELETE", "/v1/organizations/acme", 200, "application/json", "{}"),
                "status 200 is not documented");
}

Test(openapi_check, literal_path_preferred_over_template)
{
    ASSERT_PASS(check("GET", "/v1/organizations/me", 200, "application/json", "{\"me\": true}"));
    ASSERT_FAIL(check("GET", "/v1/organizations/me", 200, "application/json", ORG_OK),
                "missing required property \"me\"");
    cr_assert(strstr(g_err, "(/v1/organizations/me)") != NULL, "%s", g_err);
    ASSERT_FAIL(check("GET", "/v1/organizations/mine", 200, "application/json", "{\"me\": true}"),
                "(/v1/organizations/{slug})");
    /* the literal path has no DELETE and wins anyway */
    ASSERT_FAIL(check("DELETE", "/v1/organizations/me", 204, NULL, NULL),
                "operation not in the spec");
}

Test(openapi_check, composition)
{
    const char *path = "/v1/shapes/s1";
    const char *ct = "application/geo+json";
    ASSERT_PASS(check("GET", path, 200, ct, "{\"id\": \"s1\", \"type\": \"c\", \"radius\": 2}"));
    ASSERT_PASS(check("GET", path, 200, ct, "{\"side\": 2.5}"));
    ASSERT_FAIL(check("GET", path, 200, ct, "{\"radius\": 1, \"side\": 2}"),
                "matches 2 oneOf schemas");
    ASSERT_FAIL(check("GET", path, 200, ct, "{\"id\": \"s1\"}"), "none of the oneOf");
    ASSERT_FAIL(check("GET", path, 200, ct, "{\"radius\": \"big\"}"), "at \"/radius\"");
    ASSERT_FAIL(check("GET", path, 200, ct, "{\"radius\": 1, \"forbidden\": 0}"), "under \"not\"");
    /* unevaluatedProperties sees what allOf, properties and the passing oneOf evaluated */
    ASSERT_FAIL(check("GET", path, 200, ct, "{\"radius\": 1, \"colour\": \"red\"}"),
                "unexpected property \"colour\" (unevaluatedProperties is false)");
}

Test(openapi_check, operations_listing)
{
    char **ops = NULL;
    size_t n = openapi_operations(&ops);
    const char *want[] = {"DELETE /v1/organizations/{slug}", "GET /v1/health",
                          "GET /v1/organizations",           "GET /v1/organizations/me",
                          "GET /v1/organizations/{slug}",    "GET /v1/shapes/{id}",
                          "POST /v1/organizations"};
    cr_assert_eq(n, sizeof want / sizeof want[0], "got %zu operations", n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(ops[i], want[i]);
    openapi_free_list(ops, n);
}

Test(openapi_check, not_loaded_and_bad_files)
{
    openapi_unload();
    ASSERT_FAIL(check("GET", "/v1/health", 200, "text/plain", "ok"), "no OpenAPI document");
    char **ops = NULL;
    cr_assert_eq(openapi_operations(&ops), 0);
    openapi_free_list(ops, 0);
    cr_assert_eq(openapi_load("/nonexistent/openapi.json"), -1);
    cr_assert_eq(openapi_load("/dev/null"), -1);
    write_spec("{\"openapi\": \"3.1.0\", \"paths\": {}}");
    ASSERT_FAIL(check("GET", "/v1/health", 200, "text/plain", "ok"), "no path template");
}

Test(openapi_check, spec_errors_are_reported)
{
    openapi_unload();
    write_spec("{\"openapi\": \"3.1.0\", \"paths\": {\"/x\": {\"get\": {\"responses\": {\"200\":"
               " {\"content\": {\"application/json\": {\"schema\": {\"properties\":"
               " {\"a\": {\"pattern\": \"(\"}, \"b\": {\"$ref\": \"#/components/nope\"}}}}}}}}}}}");
    ASSERT_PASS(check("GET", "/x", 200, "application/json", "{\"a\": 1}"));
    ASSERT_FAIL(check("GET", "/x", 200, "application/json", "{\"a\": \"s\"}"), "does not compile");
    ASSERT_FAIL(check("GET", "/x", 200, "application/json", "{\"b\": 1}"), "does not resolve");
}
