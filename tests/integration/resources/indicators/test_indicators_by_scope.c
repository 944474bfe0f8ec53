/* GET /v1/indicators/by-commune (by-place, by-org): every commune's figure
 * in one call, equal to the single calls with `commune=` (value, numerator,
 * denominator, sample size, withheld or not) on generated data (gen-data
 * --scale 0.002, a database of its own), under disclosure control (strict,
 * the default): for a year and a month, three indicators, every commune with
 * data and a sample of those without; the GeoJSON carries the same
 * properties with each commune's outline; by-place and by-org need `admin`. */
#include "support/expect.h"
#include "support/fixture.h"
#include "support/private_db.h"
#include "support/server.h"
#include "support/tokens.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct private_db db;
static char *reader, *admin;

static void start(void)
{
    private_db_create(&db, "inclusion_by_scope");
    const char *env[] = {db.env_url, "RATE_LIMIT_ORG_PER_S=0", NULL};
    fixture_start_with(env); /* migrates */
    const char *seed[] = {"seed", NULL};
    const char *gen[] = {"gen-data", "--scale", "0.002", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(seed, env, &output), 0, "seed: %s", output);
    free(output);
    output = NULL;
    cr_assert_eq(run_binary(gen, env, &output), 0, "gen-data: %s", output);
    free(output);
    fixture_token(&reader, "gers-numerique", "indicators:read");
    fixture_token(&admin, "gers-numerique", "admin");
}

static void stop(void)
{
    fixture_stop();
    private_db_drop(&db);
}

TestSuite(indicators_by_scope, .init = start, .fini = stop, .timeout = 300);

static json_t *get_json(const char *path, const char *token, const char *accept, long status)
{
    struct response *r = api_call(true, "GET", path, token, NULL, accept);
    cr_assert_eq(r->status, status, "GET %s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    return body;
}

/* The member `key` of a and b are the same JSON (numbers compared as numbers). */
static void same(json_t *a, json_t *b, const char *key, const char *what)
{
    json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
    if (json_is_number(x) && json_is_number(y))
        cr_expect(fabs(json_number_value(x) - json_number_value(y)) < 1e-9, "%s: %s %g vs %g", what,
                  key, json_number_value(x), json_number_value(y));
    else
        cr_expect(json_equal(x, y), "%s: %s differs", what, key);
}

static json_t *single(const char *code, const char *commune, const char *from, const char *to)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/indicators?commune=%s&from=%s&to=%s", commune, from, to);
    json_t *body = get_json(path, reader, NULL, 200), *found = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i,
                       item) if (strcmp(json_str(item, "code"), code) == 0) found =
        json_incref(item);
    json_decref(body);
    cr_assert_not_null(found, "%s in the single call", code);
    return found;
}

static void compare(const char *code, const char *from, const char *to, int *with_data,
                    int *withheld)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/indicators/by-commune?code=%s&from=%s&to=%s", code, from, to);
    json_t *body = get_json(path, reader, NULL, 200);
    json_t *items = json_object_get(body, "items");
    cr_assert_gt(json_array_size(items), 400, "%s: every commune of the Gers", path);
    size_t i;
    json_t *item;
    int without = 0;
    json_array_foreach(items, i, item)
    {
        bool hidden = json_is_true(json_object_get(item, "suppressed"));
        json_int_t n = json_integer_value(json_object_get(item, "sample_size"));
        bool has = hidden || n > 0;
        if (!has && (without++ % 40) != 0)
            continue; /* a sample of the communes without data */
        *with_data += has;
        *withheld += hidden;
        const char *commune = json_str(item, "commune");
        json_t *one = single(code, commune, from, to);
        char what[160];
        snprintf(what, sizeof what, "%s %s %s..%s", code, commune, from, to);
        static const char *const keys[] = {"value", "numerator", "denominator", "sample_size",
                                           "suppressed"};
        for (int k = 0; k < 5; k++)
            same(item, one, keys[k], what);
        if (!json_equal(json_object_get(item, "suppressed"), json_object_get(one, "suppressed"))) {
            char *a = json_dumps(item, JSON_COMPACT), *b = json_dumps(one, JSON_COMPACT);
            cr_log_warn("by: %s\nsingle: %s", a, b);
            free(a);
            free(b);
        }
        json_decref(one);
    }
    json_decref(body);
}

Test(indicators_by_scope, every_commune_equals_its_single_call)
{
    static const char *const codes[] = {"devices_distributed", "autonomy_rate",
                                        "referral_completion_rate"};
    int with_data = 0, withheld = 0;
    for (int c = 0; c < 3; c++) {
        compare(codes[c], "2025-01-01", "2025-12-31", &with_data, &withheld);
        compare(codes[c], "2025-03-01", "2025-03-31", &with_data, &withheld);
    }
    cr_expect_gt(with_data, 20, "communes with data compared (%d)", with_data);
    cr_expect_gt(withheld, 0, "some withheld (%d)", withheld);
}

Test(indicators_by_scope, geojson_outlines_with_the_same_properties)
{
    const char *path = "/v1/indicators/by-commune?code=devices_distributed&from=2025-01-01"
                       "&to=2025-12-31";
    json_t *plain = get_json(path, reader, NULL, 200);
    json_t *geo = get_json(path, reader, "Accept: application/geo+json", 200);
    cr_expect_str_eq(json_str(geo, "type"), "FeatureCollection");
    json_t *features = json_object_get(geo, "features"), *items = json_object_get(plain, "items");
    cr_assert_eq(json_array_size(features), json_array_size(items), "a feature per commune");
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        cr_expect_str_eq(json_str(json_object_get(f, "geometry"), "type"), "MultiPolygon");
        cr_expect(json_equal(json_object_get(f, "properties"), json_array_get(items, i)),
                  "feature %zu: the item's properties", i);
    }
    json_decref(plain);
    json_decref(geo);
}

Test(indicators_by_scope, places_and_organisations_for_admin_calendar_periods_only)
{
    const char *q = "?code=devices_distributed&from=2025-01-01&to=2025-12-31";
    char path[200];
    snprintf(path, sizeof path, "/v1/indicators/by-place%s", q);
    json_decref(get_json(path, reader, NULL, 403));
    json_t *body = get_json(path, admin, NULL, 200);
    cr_expect_gt(json_array_size(json_object_get(body, "items")), 0, "places with data");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/indicators/by-org%s", q);
    json_decref(get_json(path, reader, NULL, 403));
    body = get_json(path, admin, NULL, 200);
    cr_expect_gt(json_array_size(json_object_get(body, "items")), 0, "organisations with data");
    json_decref(body);
    json_decref(get_json("/v1/indicators/by-commune?code=devices_distributed&from=2025-01-01"
                         "&to=2025-01-19",
                         reader, NULL, 422));
    json_decref(get_json("/v1/indicators/by-commune?code=nope&from=2025-01-01&to=2025-12-31",
                         reader, NULL, 404));
    json_decref(
        get_json("/v1/indicators/by-commune?from=2025-01-01&to=2025-12-31", reader, NULL, 400));
}
