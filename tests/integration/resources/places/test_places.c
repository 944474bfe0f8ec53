/* /v1/places: every filter of the list, JSON and GeoJSON, ETags and 304,
 * pagination (by id and by distance) while places are inserted, and the writes
 * (POST, PATCH as a merge patch, DELETE as a tombstone) with their validation,
 * ownership and scopes.
 *
 * The database is shared with other tests running in parallel: assertions on
 * seeded data only use what nobody changes (the 27 France Services and the 4
 * demo places of api/seed_places.c); every place a test needs it creates with
 * a unique name and source_id, and deletes at the end. */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FS_SOURCE       "anct-france-services"
#define DEMO_SOURCE     "inclusion-api-demo"
#define DEMO_PLACES     5 /* 2 médiathèques, a tiers-lieu, the Cœur d'Astarac hall, the bus */
#define FRANCE_SERVICES 27
/* The point the seed gives Auch (the médiathèque and the bus stand there). */
#define AUCH_POINT "43.662545,0.6082926"
/* France services de Mirande: inside the commune 32256. */
#define MIRANDE_LAT 43.513985
#define MIRANDE_LON 0.400199
/* France services La Poste d'Auch - Garros: far (16 km) from Mirande. */
#define AUCH_LAT 43.635558
#define AUCH_LON 0.592823

static char *reader, *writer, *other, *admin, *write_only;

static void start(void)
{
    fixture_start();
    fixture_token(&reader, "france-services-mirande", "places:read");
    fixture_token(&writer, "france-services-mirande", "places:read places:write");
    fixture_token(&other, "france-services-mielan", "places:read places:write");
    fixture_token(&admin, "gers-numerique", "admin places:read places:write");
    fixture_token(&write_only, "france-services-mirande", "places:write");
}

TestSuite(places, .init = start, .fini = fixture_stop, .timeout = 120);
TestSuite(places_paging, .init = start, .fini = fixture_stop, .timeout = 120);
TestSuite(places_write, .init = start, .fini = fixture_stop, .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

/* A token unique to this test process and run: letters and digits only. */
static struct response *send_json(const char *method, const char *path, const char *token,
                                  const char *body, const char *extra_header)
{
    char auth[4096];
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", extra_header, NULL};
    return http_request(method, url(path), headers, body);
}

static struct response *send_doc(const char *method, const char *path, const char *token,
                                 json_t *doc, const char *extra_header)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    struct response *r = send_json(method, path, token, text, extra_header);
    free(text);
    return r;
}

/* GET path with the reader's token; asserts 200; returns the parsed body. */
static json_t *get_ok(const char *path)
{
    struct response *r = http_get(server.base_url, path, reader);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r);
    cr_assert_not_null(body, "GET %s: not JSON", path);
    response_free(r);
    return body;
}

static json_t *items_of(json_t *body)
{
    json_t *items = json_object_get(body, "items");
    cr_assert(json_is_array(items), "a list has items");
    return items;
}

static bool str_is(json_t *obj, const char *key, const char *value)
{
    const char *v = json_str(obj, key);
    return v && strcmp(v, value) == 0;
}

/* The item with source (may be NULL: any) and source_id, or NULL. */
static json_t *find_source(json_t *items, const char *source, const char *source_id)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) if ((!source || str_is(item, "source", source)) &&
                                           str_is(item, "source_id", source_id)) return item;
    return NULL;
}

static json_t *find_id(json_t *items, const char *id)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) if (str_is(item, "id", id)) return item;
    return NULL;
}

static size_t count_source(json_t *items, const char *source)
{
    size_t i, n = 0;
    json_t *item;
    json_array_foreach(items, i, item) if (str_is(item, "source", source)) n++;
    return n;
}

static bool array_has(json_t *array, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v) if (json_string_value(v) &&
                                        strcmp(json_string_value(v), value) == 0) return true;
    return false;
}

static void expect_400(const char *path, const char *field)
{
    struct response *r = http_get(server.base_url, path, reader);
    cr_expect_eq(r->status, 400, "%s: %ld %s", path, r->status, r->body);
    cr_expect(names_field(r, field), "%s names %s: %s", path, field, r->body);
    response_free(r);
}

static double num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

static bool close_to(double a, double b, double eps)
{
    return a - b < eps && b - a < eps;
}

/* A time 1 ms before the RFC 3339 time `ts`, in UTC, for updated_since. */
static void time_before(const char *ts, char *out, size_t cap)
{
    double t = rfc3339_seconds(ts) - 0.001;
    time_t whole = (time_t)t;
    struct tm tm;
    gmtime_r(&whole, &tm);
    int micros = (int)((t - (double)whole) * 1e6);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

/* "+" of a time as %2B, for a query string. */
static void encode_time(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 4 < cap; p++) {
        if (*p == '+') {
            memcpy(out + o, "%2B", 3);
            o += 3;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

/* A valid place in Mirande named after `tag`, with source_id `tag`. */
static json_t *place_doc(const char *tag)
{
    char name[128];
    snprintf(name, sizeof name, "Lieu d'essai %s", tag);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                     "integration-tests", "source_id", tag, "pivot", "00000000000000", "name", name,
                     "street", "1 rue de l'Essai", "postal_code", "32300", "commune", "Mirande",
                     "insee_code", "32256", "latitude", MIRANDE_LAT, "longitude", MIRANDE_LON);
}

/* POSTs doc (stolen) as token; asserts 201; returns the created place. */
static json_t *create(const char *token, json_t *doc)
{
    struct response *r = send_doc("POST", "/v1/places", token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "create: %ld %s", r->status, r->body);
    json_t *created = response_json(r);
    response_free(r);
    cr_assert_not_null(json_str(created, "id"));
    return created;
}

static json_t *create_tagged(const char *token, char *tag, size_t cap)
{
    test_nonce("t", tag, cap);
    return create(token, place_doc(tag));
}

/* Deletes a place this test created (admin may delete anything). */
static void remove_place(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    struct response *r = send_json("DELETE", path, admin, NULL, NULL);
    cr_expect_eq(r->status, 204, "cleanup of %s: %ld", id, r->status);
    response_free(r);
}

/* The live places whose text matches `tag`. */
static size_t count_matching(const char *tag)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/places?q=%s", tag);
    json_t *body = get_ok(path);
    size_t n = json_array_size(items_of(body));
    json_decref(body);
    return n;
}

/* ---- filters -------------------------------------------------------------- */

Test(places, q_is_case_and_accent_insensitive)
{
    const char *paths[] = {"/v1/places?q=MIELAN", "/v1/places?q=mi%C3%A9lan",
                           "/v1/places?q=MI%C3%89LAN", "/v1/places?q=services%20de%20mielan", NULL};
    for (size_t i = 0; paths[i]; i++) {
        json_t *body = get_ok(paths[i]);
        json_t *items = items_of(body);
        json_t *fs = find_source(items, FS_SOURCE, "2002");
        cr_expect_not_null(fs, "%s finds France services de Miélan", paths[i]);
        if (fs)
            cr_expect_str_eq(json_str(fs, "name"), "France services de Miélan");
        cr_expect_null(find_source(items, FS_SOURCE, "1717"), "%s: not Mirande", paths[i]);
        json_decref(body);
    }
    /* the street and the postal code are searched too */
    json_t *body = get_ok("/v1/places?q=padouen");
    cr_expect_not_null(find_source(items_of(body), FS_SOURCE, "2002"), "street: Place du Padouen");
    json_decref(body);
}

Test(places, q_treats_like_wildcards_as_text)
{
    const char *paths[] = {"/v1/places?q=%25%25", "/v1/places?q=__", "/v1/places?q=%5C%25", NULL};
    for (size_t i = 0; paths[i]; i++) {
        json_t *body = get_ok(paths[i]);
        cr_expect_eq(count_source(items_of(body), FS_SOURCE), 0,
                     "%s matches no France Services (no place has these characters)", paths[i]);
        json_decref(body);
    }
}

Test(places, commune_and_postal_code_filters)
{
    json_t *body = get_ok("/v1/places?commune=32256&limit=1000");
    json_t *items = items_of(body);
    cr_expect_not_null(find_source(items, FS_SOURCE, "1717"), "France services de Mirande");
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-mediatheque-mirande"));
    cr_expect_null(find_source(items, FS_SOURCE, "2002"), "not Miélan");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) cr_expect(str_is(item, "insee_code", "32256"),
                                                 "only Mirande: %s", json_str(item, "insee_code"));
    json_decref(body);

    body = get_ok("/v1/places?postal_code=32170");
    items = items_of(body);
    cr_expect_not_null(find_source(items, FS_SOURCE, "2002"), "France services de Miélan");
    json_array_foreach(items, i, item) cr_expect(str_is(item, "postal_code", "32170"));
    json_decref(body);

    body = get_ok("/v1/places?postal_code=32000&commune=32013&typology=BIB");
    items = items_of(body);
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-mediatheque-auch"));
    cr_expect_null(find_source(items, DEMO_SOURCE, "demo-bus-numerique"), "filters combine");
    json_decref(body);
}

Test(places, typology_filter)
{
    json_t *body = get_ok("/v1/places?typology=RFS&limit=1000");
    json_t *items = items_of(body);
    cr_expect_eq(count_source(items, FS_SOURCE), FRANCE_SERVICES, "the 27 France Services");
    cr_expect_eq(count_source(items, DEMO_SOURCE), 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) cr_expect(
        array_has(json_object_get(item, "typologies"), "RFS"), "%s", json_str(item, "name"));
    json_decref(body);

    body = get_ok("/v1/places?typology=BIB&limit=1000");
    items = items_of(body);
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-mediatheque-mirande"));
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-mediatheque-auch"));
    cr_expect_eq(count_source(items, FS_SOURCE), 0);
    cr_expect_eq(count_source(items, DEMO_SOURCE), 2, "only the two médiathèques");
    json_array_foreach(items, i, item)
        cr_expect(array_has(json_object_get(item, "typologies"), "BIB"));
    json_decref(body);
}

Test(places, service_and_public_filters)
{
    json_t *body = get_ok("/v1/places?service=maitrise_des_outils_numeriques_du_quotidien"
                          "&limit=1000");
    json_t *items = items_of(body);
    cr_expect_eq(count_source(items, DEMO_SOURCE), DEMO_PLACES, "every demo place");
    cr_expect_eq(count_source(items, FS_SOURCE), 0, "France Services do not list it");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) cr_expect(array_has(
        json_object_get(item, "services"), "maitrise_des_outils_numeriques_du_quotidien"));
    json_decref(body);

    body = get_ok("/v1/places?service=aide_aux_demarches_administratives&limit=1000");
    items = items_of(body);
    cr_expect_eq(count_source(items, FS_SOURCE), FRANCE_SERVICES);
    cr_expect_eq(count_source(items, DEMO_SOURCE), DEMO_PLACES);
    json_decref(body);

    /* no seeded place names its publics: a place of ours does */
    char tag[64], path[256];
    test_nonce("t", tag, sizeof tag);
    json_t *doc = place_doc(tag);
    json_object_set_new(doc, "publics", json_pack("[s, s]", "seniors", "jeunes"));
    json_t *created = create(writer, doc);
    snprintf(path, sizeof path, "/v1/places?public=seniors&q=%s", tag);
    body = get_ok(path);
    cr_expect_not_null(find_id(items_of(body), json_str(created, "id")), "public=seniors finds it");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/places?public=femmes&q=%s", tag);
    body = get_ok(path);
    cr_expect_eq(json_array_size(items_of(body)), 0, "public=femmes does not");
    json_decref(body);
    body = get_ok("/v1/places?public=seniors&limit=1000");
    cr_expect_eq(count_source(items_of(body), FS_SOURCE), 0);
    json_decref(body);
    remove_place(json_str(created, "id"));
    json_decref(created);
}

Test(places, itinerant_filter)
{
    json_t *body = get_ok("/v1/places?itinerant=true&limit=1000");
    json_t *items = items_of(body);
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-bus-numerique"), "the demo bus");
    cr_expect_eq(count_source(items, FS_SOURCE), 0);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
        cr_expect(array_has(json_object_get(item, "itinerance"), "itinerant"));
    json_decref(body);

    body = get_ok("/v1/places?itinerant=false&limit=1000");
    items = items_of(body);
    cr_expect_null(find_source(items, DEMO_SOURCE, "demo-bus-numerique"));
    cr_expect_eq(count_source(items, FS_SOURCE), FRANCE_SERVICES);
    cr_expect_eq(count_source(items, DEMO_SOURCE), DEMO_PLACES - 1, "all but the bus");
    json_array_foreach(items, i, item)
        cr_expect(!array_has(json_object_get(item, "itinerance"), "itinerant"));
    json_decref(body);
}

Test(places, near_sorts_by_distance_within_the_radius)
{
    json_t *body = get_ok("/v1/places?near=" AUCH_POINT "&radius_km=10&limit=1000");
    json_t *items = items_of(body);
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-mediatheque-auch"));
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-bus-numerique"));
    json_t *garros = find_source(items, FS_SOURCE, "1271");
    cr_assert_not_null(garros, "France services La Poste d'Auch - Garros is 3.2 km away");
    double d = num(garros, "distance_m");
    cr_expect(d > 3150 && d < 3350, "Garros at about 3249 m: %g", d);
    cr_expect_null(find_source(items, FS_SOURCE, "1717"), "Mirande is farther than 10 km");
    json_t *mediatheque = find_source(items, DEMO_SOURCE, "demo-mediatheque-auch");
    if (mediatheque)
        cr_expect(num(mediatheque, "distance_m") < 1, "on the point itself");
    double previous = -1;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        json_t *dm = json_object_get(item, "distance_m");
        cr_assert(json_is_number(dm), "every item has distance_m: %s", json_str(item, "name"));
        cr_expect(json_number_value(dm) >= previous, "ascending: %g after %g",
                  json_number_value(dm), previous);
        cr_expect(json_number_value(dm) <= 10000, "within 10 km: %g", json_number_value(dm));
        previous = json_number_value(dm);
    }
    json_decref(body);

    /* the default radius is 20 km; a larger one reaches Mirande */
    body = get_ok("/v1/places?near=" AUCH_POINT "&limit=1000");
    json_array_foreach(items_of(body), i, item)
        cr_expect(num(item, "distance_m") <= 20000, "default radius: %g", num(item, "distance_m"));
    json_decref(body);
    body = get_ok("/v1/places?near=" AUCH_POINT "&radius_km=40&typology=RFS&limit=1000");
    json_t *mirande = find_source(items_of(body), FS_SOURCE, "1717");
    cr_expect_not_null(mirande, "Mirande within 40 km");
    if (mirande)
        cr_expect_gt(num(mirande, "distance_m"), 10000);
    json_decref(body);
    /* without near, no distance */
    body = get_ok("/v1/places?commune=32013");
    json_array_foreach(items_of(body), i, item) cr_expect_null(json_object_get(item, "distance_m"));
    json_decref(body);
}

Test(places, bbox_filter)
{
    const double min_lon = 0.35, min_lat = 43.49, max_lon = 0.45, max_lat = 43.55;
    json_t *body = get_ok("/v1/places?bbox=0.35,43.49,0.45,43.55&limit=1000");
    json_t *items = items_of(body);
    cr_expect_not_null(find_source(items, FS_SOURCE, "1717"), "France services de Mirande");
    cr_expect_not_null(find_source(items, DEMO_SOURCE, "demo-mediatheque-mirande"));
    cr_expect_null(find_source(items, FS_SOURCE, "2002"), "Miélan is south of the box");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        double lat = num(item, "latitude"), lon = num(item, "longitude");
        cr_expect(lat >= min_lat && lat <= max_lat && lon >= min_lon && lon <= max_lon,
                  "%s at %g,%g is inside", json_str(item, "name"), lat, lon);
    }
    json_decref(body);
}

/* Whether the seeded place (source, source_id) is in the list for `query`. */
static bool listed(const char *query, const char *source, const char *source_id)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/places?limit=1000&%s", query);
    json_t *body = get_ok(path);
    bool found = find_source(items_of(body), source, source_id) != NULL;
    json_decref(body);
    return found;
}

Test(places, open_at_tuesday_morning_versus_sunday)
{
    json_t *tuesday = get_ok("/v1/places?limit=1000&open_at=2026-12-08T10:00:00%2B01:00");
    json_t *sunday = get_ok("/v1/places?limit=1000&open_at=2026-12-13T10:00:00%2B01:00");
    json_t *t = items_of(tuesday), *s = items_of(sunday);
    cr_expect_eq(count_source(t, FS_SOURCE), FRANCE_SERVICES,
                 "every France Services opens Tuesday 10:00");
    cr_expect_not_null(find_source(t, DEMO_SOURCE, "demo-mediatheque-auch"), "Tu-Fr 10:00-18:00");
    cr_expect_not_null(find_source(t, DEMO_SOURCE, "demo-bus-numerique"), "Tu 09:30-12:30");
    cr_expect_not_null(find_source(t, DEMO_SOURCE, "demo-tiers-lieu-fleurance"));
    cr_expect_null(find_source(t, DEMO_SOURCE, "demo-mediatheque-mirande"),
                   "Mirande opens Tuesday at 14:00");
    cr_expect_eq(count_source(s, FS_SOURCE) + count_source(s, DEMO_SOURCE), 0,
                 "no seeded place opens on Sunday");
    cr_expect_gt(json_array_size(t), json_array_size(s));
    size_t i;
    json_t *item;
    json_array_foreach(t, i, item) cr_expect_not_null(
        json_str(item, "opening_hours"), "open means it has hours: %s", json_str(item, "name"));
    json_decref(tuesday);
    json_decref(sunday);
}

Test(places, open_at_follows_each_place_s_opening_hours)
{
    /* France services de Miélan: Fr 09:00-12:00 only (Paris time) */
    cr_expect(listed("open_at=2026-12-11T10:00:00%2B01:00", FS_SOURCE, "2002"), "Fri 10:00");
    cr_expect(listed("open_at=2026-12-11T09:00:00Z", FS_SOURCE, "2002"), "Fri 10:00 as UTC");
    cr_expect(listed("open_at=2026-12-11T08:00:00Z", FS_SOURCE, "2002"), "Fri 09:00 opens");
    cr_expect(!listed("open_at=2026-12-11T07:59:00Z", FS_SOURCE, "2002"), "Fri 08:59 closed");
    cr_expect(listed("open_at=2026-12-11T10:59:00Z", FS_SOURCE, "2002"), "Fri 11:59 open");
    cr_expect(!listed("open_at=2026-12-11T11:00:00Z", FS_SOURCE, "2002"), "Fri 12:00 closes");
    cr_expect(!listed("open_at=2026-12-11T15:00:00%2B01:00", FS_SOURCE, "2002"),
              "no Friday afternoon");
    cr_expect(listed("open_at=2026-12-10T15:00:00%2B01:00", FS_SOURCE, "2002"),
              "Thursday afternoon");
    cr_expect(listed("open_at=2026-12-11T14:00:00%2B05:00", FS_SOURCE, "2002"),
              "another offset: 10:00 in Paris");
    /* summer time: Paris is UTC+2 in July (2026-07-10 is a Friday) */
    cr_expect(listed("open_at=2026-07-10T07:30:00Z", FS_SOURCE, "2002"), "09:30 CEST");
    cr_expect(!listed("open_at=2026-07-10T10:30:00Z", FS_SOURCE, "2002"), "12:30 CEST");
    /* France services de Mirande: Mo-Th 14:00-16:00, Fr 13:30-16:00 in the afternoon */
    cr_expect(listed("open_at=2026-12-11T13:45:00%2B01:00", FS_SOURCE, "1717"), "Fri 13:45");
    cr_expect(!listed("open_at=2026-12-07T13:45:00%2B01:00", FS_SOURCE, "1717"), "Mon 13:45");
    cr_expect(listed("open_at=2026-12-07T14:00:00%2B01:00&commune=32256", FS_SOURCE, "1717"),
              "Mon 14:00, combined with commune");
    cr_expect(!listed("open_at=2026-12-12T10:00:00%2B01:00", FS_SOURCE, "1717"), "Saturday");
}

Test(places, open_at_a_public_holiday_closes_places_with_ph_off)
{
    /* 2026-12-25 is a Friday; the Médiathèque du Grand Auch (Tu-Fr 10:00-18:00; PH off) */
    cr_expect(listed("open_at=2026-12-18T11:00:00%2B01:00", DEMO_SOURCE, "demo-mediatheque-auch"),
              "an ordinary Friday");
    cr_expect(!listed("open_at=2026-12-25T11:00:00%2B01:00", DEMO_SOURCE, "demo-mediatheque-auch"),
              "Christmas: PH off");
    /* places without "PH off" stay open */
    cr_expect(listed("open_at=2026-12-25T11:00:00%2B01:00", FS_SOURCE, "2390"),
              "France services de Marciac (Mo-Fr 09:00-17:00)");
    cr_expect(
        listed("open_at=2026-12-25T11:00:00%2B01:00", DEMO_SOURCE, "demo-tiers-lieu-fleurance"),
        "the tiers-lieu has no PH off");
    /* a moving holiday: Ascension 2027 is Thursday 6 May (Easter on 28 March) */
    cr_expect(
        !listed("open_at=2027-05-06T15:00:00%2B02:00", DEMO_SOURCE, "demo-mediatheque-mirande"),
        "Ascension");
    cr_expect(
        listed("open_at=2027-05-13T15:00:00%2B02:00", DEMO_SOURCE, "demo-mediatheque-mirande"),
        "the Thursday after");
    /* the holiday is the Paris date: 2026-12-24 23:30 UTC is already the 25th in Paris */
    cr_expect(!listed("open_at=2026-12-24T23:30:00Z", FS_SOURCE, "2390"), "night");
}

Test(places, bad_filters_are_400_naming_the_parameter)
{
    const char *cases[][2] = {
        {"/v1/places?q=a", "q"},
        {"/v1/places?q=", "q"},
        {"/v1/places?commune=3225", "commune"},
        {"/v1/places?commune=Mirande", "commune"},
        {"/v1/places?postal_code=3230", "postal_code"},
        {"/v1/places?postal_code=32300x", "postal_code"},
        {"/v1/places?typology=XYZ", "typology"},
        {"/v1/places?typology=rfs", "typology"},
        {"/v1/places?service=cuisine", "service"},
        {"/v1/places?public=everyone", "public"},
        {"/v1/places?itinerant=yes", "itinerant"},
        {"/v1/places?itinerant=", "itinerant"},
        {"/v1/places?near=43.6", "near"},
        {"/v1/places?near=91,0.5", "near"},
        {"/v1/places?near=43.6,181", "near"},
        {"/v1/places?near=abc,def", "near"},
        {"/v1/places?near=43.6,0.5,1", "near"},
        {"/v1/places?near=nan,0.5", "near"},
        {"/v1/places?near=43.6,0.5&radius_km=0", "radius_km"},
        {"/v1/places?near=43.6,0.5&radius_km=-3", "radius_km"},
        {"/v1/places?near=43.6,0.5&radius_km=201", "radius_km"},
        {"/v1/places?near=43.6,0.5&radius_km=ten", "radius_km"},
        {"/v1/places?radius_km=5", "radius_km"},
        {"/v1/places?bbox=0.35,43.49,0.45", "bbox"},
        {"/v1/places?bbox=0.45,43.49,0.35,43.55", "bbox"},
        {"/v1/places?bbox=0.35,43.55,0.45,43.49", "bbox"},
        {"/v1/places?bbox=0.35,43.49,0.45,43.55,1", "bbox"},
        {"/v1/places?bbox=-200,43.49,0.45,43.55", "bbox"},
        {"/v1/places?open_at=tomorrow", "open_at"},
        {"/v1/places?open_at=2026-12-08T10:00:00", "open_at"},
        {"/v1/places?open_at=2026-02-30T10:00:00Z", "open_at"},
        {"/v1/places?updated_since=2026-13-01T00:00:00Z", "updated_since"},
        {"/v1/places?updated_since=yesterday", "updated_since"},
        {"/v1/places?near=43.6,0.5&updated_since=2026-01-01T00:00:00Z", "near"},
        {"/v1/places?format=xml", "format"},
        {"/v1/places?format=GEOJSON", "format"},
        {"/v1/places?cursor=not-a-cursor", "cursor"},
        {"/v1/places?limit=ten", "limit"},
        /* offsets PostgreSQL cannot represent (beyond +-15:59) */
        {"/v1/places?open_at=2026-12-08T10:00:00%2B23:00", "open_at"},
        {"/v1/places?updated_since=2026-12-08T10:00:00%2B20:00", "updated_since"},
        /* well-formed cursors (base64url of a JSON array) with keys the API never wrote:
         * ["id","x","not-a-uuid"], ["distance","abc","not-a-uuid"], ["update","abc","x"] */
        {"/v1/places?cursor=WyJpZCIsIngiLCJub3QtYS11dWlkIl0", "cursor"},
        {"/v1/places?near=43.6,0.5&cursor=WyJkaXN0YW5jZSIsImFiYyIsIm5vdC1hLXV1aWQiXQ", "cursor"},
        {"/v1/places?updated_since=2026-01-01T00:00:00Z&cursor=WyJ1cGRhdGUiLCJhYmMiLCJ4Il0",
         "cursor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_400(cases[i][0], cases[i][1]);
}

Test(places, unknown_parameter_is_400)
{
    expect_400("/v1/places?colour=blue", "colour");
    expect_400("/v1/places?typology=RFS&sort=name", "sort");
    expect_400("/v1/places?Q=mielan", "Q");
}

Test(places, limit_bounds)
{
    expect_400("/v1/places?limit=0", "limit");
    expect_400("/v1/places?limit=-1", "limit");
    expect_400("/v1/places?limit=1001", "limit");
    expect_400("/v1/places?format=geojson&limit=5001", "limit");
    expect_400("/v1/places?format=geojson&limit=0", "limit");
    json_t *body = get_ok("/v1/places?limit=1000&typology=RFS");
    cr_expect_eq(json_array_size(items_of(body)), FRANCE_SERVICES);
    json_decref(body);
    body = get_ok("/v1/places?format=geojson&limit=5000&typology=RFS");
    cr_expect_eq(json_array_size(json_object_get(body, "features")), FRANCE_SERVICES);
    json_decref(body);
    body = get_ok("/v1/places?limit=1&typology=RFS");
    cr_expect_eq(json_array_size(items_of(body)), 1);
    cr_expect(json_is_string(json_object_get(body, "next_cursor")), "more pages");
    json_decref(body);
    /* 1001 is over the JSON maximum but within GeoJSON's */
    body = get_ok("/v1/places?format=geojson&limit=1001&typology=RFS");
    cr_expect_eq(json_array_size(json_object_get(body, "features")), FRANCE_SERVICES);
    json_decref(body);
}

/* The GeoJSON features of `path` against the JSON items of the same query. */
static void expect_geojson_matches(const char *geo_path, const char *const *headers,
                                   const char *json_path)
{
    json_t *plain = get_ok(json_path);
    json_t *items = items_of(plain);
    cr_assert_gt(json_array_size(items), 0);

    char auth[4096];
    const char *all[4] = {bearer_header(reader, auth, sizeof auth), NULL, NULL, NULL};
    for (size_t i = 0; headers && headers[i] && i < 2; i++)
        all[i + 1] = headers[i];
    struct response *r = http_request("GET", url(geo_path), all, NULL);
    cr_assert_eq(r->status, 200, "%s: %s", geo_path, r->body);
    char ct[128];
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct), "application/geo+json");
    json_t *geo = response_json(r);
    response_free(r);
    cr_assert_not_null(geo);
    cr_expect_str_eq(json_str(geo, "type"), "FeatureCollection");
    json_t *features = json_object_get(geo, "features");
    cr_assert(json_is_array(features));
    cr_expect_eq(json_array_size(features), json_array_size(items), "same places");
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        cr_expect_str_eq(json_str(f, "type"), "Feature");
        json_t *item = find_id(items, json_str(f, "id"));
        cr_assert_not_null(item, "feature %s is a JSON item", json_str(f, "id"));
        json_t *geometry = json_object_get(f, "geometry");
        cr_expect_str_eq(json_str(geometry, "type"), "Point");
        json_t *c = json_object_get(geometry, "coordinates");
        cr_assert_eq(json_array_size(c), 2);
        double lon = json_number_value(json_array_get(c, 0)),
               lat = json_number_value(json_array_get(c, 1));
        cr_expect(close_to(lon, num(item, "longitude"), 1e-6) &&
                      close_to(lat, num(item, "latitude"), 1e-6),
                  "[lon, lat] = [%g, %g] for %g, %g", lon, lat, num(item, "longitude"),
                  num(item, "latitude"));
        json_t *props = json_object_get(f, "properties");
        cr_expect(json_is_object(props));
        cr_expect_str_eq(json_str(props, "name"), json_str(item, "name"));
        cr_expect_str_eq(json_str(props, "insee_code"), json_str(item, "insee_code"));
        cr_expect_null(json_object_get(props, "latitude"), "no coordinates in properties");
        cr_expect_null(json_object_get(props, "longitude"));
    }
    json_decref(geo);
    json_decref(plain);
}

Test(places, geojson_by_format_or_accept)
{
    /* queries on seeded data only: other tests create places in Mirande meanwhile */
    expect_geojson_matches("/v1/places?typology=RFS&format=geojson", NULL,
                           "/v1/places?typology=RFS");
    const char *accept[] = {"Accept: application/geo+json", NULL};
    expect_geojson_matches("/v1/places?commune=32252", accept, "/v1/places?commune=32252");
    expect_geojson_matches("/v1/places?near=" AUCH_POINT "&radius_km=5&format=geojson", NULL,
                           "/v1/places?near=" AUCH_POINT "&radius_km=5");

    /* JSON by default, and format=json wins over Accept */
    char auth[4096], ct[128];
    const char *headers[] = {bearer_header(reader, auth, sizeof auth),
                             "Accept: application/geo+json", NULL};
    struct response *r =
        http_request("GET", url("/v1/places?commune=32252&format=json"), headers, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct), "application/json");
    json_t *body = response_json(r);
    cr_expect(json_is_array(json_object_get(body, "items")));
    json_decref(body);
    response_free(r);
    r = http_get(server.base_url, "/v1/places?commune=32252", reader);
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct), "application/json");
    response_free(r);
}

Test(places, bad_format_is_400)
{
    expect_400("/v1/places?format=xml", "format");
    expect_400("/v1/places?format=", "format");
}

Test(places, list_has_an_etag_and_answers_304)
{
    const char *path = "/v1/places?typology=RFS&limit=1000";
    struct response *r = http_get(server.base_url, path, reader);
    cr_assert_eq(r->status, 200);
    char etag[128], cache[64], again[128];
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag));
    cr_expect_str_eq(response_header(r, "Cache-Control", cache, sizeof cache),
                     "private, max-age=60", "read with a token");
    response_free(r);
    r = http_get(server.base_url, path, reader);
    cr_expect_str_eq(response_header(r, "ETag", again, sizeof again), etag, "a stable ETag");
    response_free(r);

    char if_none[160], auth[4096];
    snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag);
    const char *conditional[] = {bearer_header(reader, auth, sizeof auth), if_none, NULL};
    r = http_request("GET", url(path), conditional, NULL);
    cr_expect_eq(r->status, 304);
    cr_expect_eq(r->body_len, 0, "304 has no body");
    cr_expect_not_null(response_header(r, "ETag", again, sizeof again));
    response_free(r);

    snprintf(if_none, sizeof if_none, "If-None-Match: \"other\", W/%s", etag);
    r = http_request("GET", url(path), conditional, NULL);
    cr_expect_eq(r->status, 304, "a list with a weak match");
    response_free(r);

    /* another query has another ETag */
    snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag);
    r = http_request("GET", url("/v1/places?typology=BIB"), conditional, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_gt(r->body_len, 0);
    response_free(r);

    /* GeoJSON too */
    r = http_get(server.base_url, "/v1/places?typology=RFS&format=geojson&limit=1000", reader);
    cr_expect_str_eq(response_header(r, "Cache-Control", cache, sizeof cache),
                     "private, max-age=60", "read with a token");
    cr_expect_not_null(response_header(r, "ETag", again, sizeof again));
    cr_expect_str_neq(again, etag, "GeoJSON is another representation");
    response_free(r);
}

Test(places, item_has_an_etag_and_answers_304)
{
    json_t *body = get_ok("/v1/places?postal_code=32170&typology=RFS");
    json_t *fs = find_source(items_of(body), FS_SOURCE, "2002");
    cr_assert_not_null(fs);
    char path[128], etag[128], cache[64], if_none[160], auth[4096];
    snprintf(path, sizeof path, "/v1/places/%s", json_str(fs, "id"));
    struct response *r = http_get(server.base_url, path, reader);
    cr_assert_eq(r->status, 200);
    json_t *item = response_json(r);
    cr_expect(json_equal(item, fs), "the item is the list's item");
    json_decref(item);
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag));
    cr_expect_str_eq(response_header(r, "Cache-Control", cache, sizeof cache),
                     "private, max-age=60", "read with a token");
    response_free(r);
    snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag);
    const char *conditional[] = {bearer_header(reader, auth, sizeof auth), if_none, NULL};
    r = http_request("GET", url(path), conditional, NULL);
    cr_expect_eq(r->status, 304);
    cr_expect_eq(r->body_len, 0);
    response_free(r);
    json_decref(body);
}

Test(places, scopes_and_tokens)
{
    struct response *r = http_get(server.base_url, "/v1/places?typology=RFS", write_only);
    char value[256];
    cr_expect_eq(r->status, 403, "places:write alone cannot read: %s", r->body);
    cr_expect_not_null(response_header(r, "WWW-Authenticate", value, sizeof value));
    cr_expect(strstr(value, "insufficient_scope") && strstr(value, "places:read"), "%s", value);
    response_free(r);
    /* open data (PUBLIC_READS=1, the default): no token needed, a bad one refused */
    r = http_get(server.base_url, "/v1/places?limit=1", NULL);
    cr_expect_eq(r->status, 200);
    response_free(r);
    r = http_get(server.base_url, "/v1/places/00000000-0000-4000-8000-000000000000", NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
    r = http_get(server.base_url, "/v1/places/00000000-0000-4000-8000-000000000000", "not.a.token");
    cr_expect_eq(r->status, 401);
    response_free(r);
    r = http_get(server.base_url, "/v1/places/00000000-0000-4000-8000-000000000000", write_only);
    cr_expect_eq(r->status, 403);
    response_free(r);

    char tag[64];
    test_nonce("t", tag, sizeof tag);
    json_t *doc = place_doc(tag);
    r = send_doc("POST", "/v1/places", reader, doc, NULL);
    cr_expect_eq(r->status, 403, "places:read cannot write");
    response_free(r);
    char *admin_only = test_token("gers-numerique", "admin");
    r = http_get(server.base_url, "/v1/places?typology=RFS", admin_only);
    cr_expect_eq(r->status, 403, "admin is not places:read");
    response_free(r);
    free(admin_only);
    json_decref(doc);
    cr_expect_eq(count_matching(tag), 0, "nothing was written");
}

/* ---- pagination -------------------------------------------------------------- */

/* Follows next_cursor from `first` (a path with its query) until the end, with
 * between pages an optional callback; returns the items of every page. */
static json_t *walk(const char *first, void (*between)(int page), int max_pages)
{
    json_t *all = json_array();
    char path[1024];
    snprintf(path, sizeof path, "%s", first);
    for (int page = 0;; page++) {
        cr_assert_lt(page, max_pages, "too many pages for %s", first);
        struct response *r = http_get(server.base_url, path, reader);
        cr_assert_eq(r->status, 200, "%s: %s", path, r->body);
        json_t *body = response_json(r);
        json_array_extend(all, items_of(body));
        const char *next = json_str(body, "next_cursor");
        char link[2048];
        if (!next) {
            cr_expect_null(response_header(r, "Link", link, sizeof link),
                           "no Link on the last page");
            json_decref(body);
            response_free(r);
            break;
        }
        cr_expect_not_null(response_header(r, "Link", link, sizeof link));
        cr_expect(strstr(link, next) && strstr(link, "rel=\"next\""), "Link: %s", link);
        snprintf(path, sizeof path, "%s&cursor=%s", first, next);
        json_decref(body);
        response_free(r);
        if (between)
            between(page);
    }
    return all;
}

static void expect_unique_ascending_ids(json_t *items)
{
    size_t i;
    json_t *item;
    const char *previous = "";
    json_array_foreach(items, i, item)
    {
        const char *id = json_str(item, "id");
        cr_assert_not_null(id);
        cr_expect(strcmp(previous, id) < 0, "ids ascend without repeats: %s then %s", previous, id);
        previous = id;
    }
}

Test(places_paging, walking_every_page_returns_each_place_once)
{
    json_t *all = walk("/v1/places?limit=100", NULL, 1000);
    expect_unique_ascending_ids(all);
    cr_expect_eq(count_source(all, FS_SOURCE), FRANCE_SERVICES);
    cr_expect_eq(count_source(all, DEMO_SOURCE), DEMO_PLACES);
    json_decref(all);
    all = walk("/v1/places?limit=4&typology=RFS", NULL, 20);
    expect_unique_ascending_ids(all);
    cr_expect_eq(json_array_size(all), FRANCE_SERVICES);
    json_decref(all);
}

static char paging_tag[64];
static json_t *paging_created;

static void insert_one(int page)
{
    (void)page;
    if (json_array_size(paging_created) >= 12)
        return;
    char tag[96];
    test_nonce("t", tag, 48);
    snprintf(tag + strlen(tag), sizeof tag - strlen(tag), "x%s", paging_tag);
    json_t *created = create(writer, place_doc(tag));
    json_array_append_new(paging_created, created);
}

Test(places_paging, pages_stay_stable_while_places_are_inserted)
{
    test_nonce("t", paging_tag, sizeof paging_tag);
    paging_created = json_array();
    for (int i = 0; i < 7; i++)
        insert_one(0);
    json_t *before = json_copy(paging_created);
    char first[256];
    snprintf(first, sizeof first, "/v1/places?limit=2&q=%s", paging_tag);
    json_t *all = walk(first, insert_one, 50);
    expect_unique_ascending_ids(all);
    size_t i;
    json_t *place;
    json_array_foreach(before, i, place) cr_expect_not_null(find_id(all, json_str(place, "id")),
                                                            "a place there from the start is seen");
    json_array_foreach(all, i, place)
        cr_expect_not_null(find_id(paging_created, json_str(place, "id")), "only ours");
    cr_expect_gt(json_array_size(paging_created), json_array_size(before), "places were inserted");
    json_array_foreach(paging_created, i, place) remove_place(json_str(place, "id"));
    json_decref(all);
    json_decref(before);
    json_decref(paging_created);
}

Test(places_paging, near_pages_follow_the_distance)
{
    json_t *all =
        walk("/v1/places?near=" AUCH_POINT "&radius_km=200&typology=RFS&limit=4", NULL, 20);
    cr_expect_eq(json_array_size(all), FRANCE_SERVICES, "each France Services once");
    double previous = -1;
    size_t i;
    json_t *item;
    json_array_foreach(all, i, item)
    {
        cr_expect(num(item, "distance_m") >= previous, "distance ascends across pages");
        previous = num(item, "distance_m");
        for (size_t j = 0; j < i; j++)
            cr_expect(!str_is(json_array_get(all, j), "id", json_str(item, "id")), "no repeat");
    }
    json_decref(all);

    /* the médiathèque and the bus stand on the same point: ties break by id */
    all = walk("/v1/places?near=" AUCH_POINT "&radius_km=0.5&limit=1", NULL, 50);
    cr_expect_not_null(find_source(all, DEMO_SOURCE, "demo-mediatheque-auch"));
    cr_expect_not_null(find_source(all, DEMO_SOURCE, "demo-bus-numerique"));
    json_array_foreach(all, i, item) for (size_t j = 0; j < i; j++) cr_expect(
        !str_is(json_array_get(all, j), "id", json_str(item, "id")), "no repeat on a tie");
    json_decref(all);
}

Test(places_paging, a_cursor_belongs_to_its_ordering)
{
    json_t *body = get_ok("/v1/places?typology=RFS&limit=2");
    const char *next = json_str(body, "next_cursor");
    cr_assert_not_null(next);
    char path[512];
    snprintf(path, sizeof path, "/v1/places?near=" AUCH_POINT "&limit=2&cursor=%s", next);
    expect_400(path, "cursor");
    snprintf(path, sizeof path, "/v1/places?updated_since=2020-01-01T00:00:00Z&cursor=%s", next);
    expect_400(path, "cursor");
    json_decref(body);
}

/* ---- writes --------------------------------------------------------------- */

Test(places_write, create_echoes_the_fields_and_normalises_the_phone)
{
    char tag[64];
    test_nonce("t", tag, sizeof tag);
    json_t *doc = place_doc(tag);
    json_object_set_new(doc, "phone", json_string("05 62 66 86 87"));
    json_object_set_new(doc, "emails", json_pack("[s]", "mirande@france-services.gouv.fr"));
    json_object_set_new(doc, "websites", json_pack("[s]", "https://www.mirande.fr/services"));
    json_object_set_new(doc, "opening_hours", json_string("Mo-Fr 09:00-12:00; PH off"));
    json_object_set_new(doc, "typologies", json_pack("[s, s]", "MUNI", "ASSO"));
    json_object_set_new(doc, "services", json_pack("[s]", "aide_aux_demarches_administratives"));
    json_object_set_new(doc, "publics", json_pack("[s]", "seniors"));
    json_object_set_new(doc, "fees", json_pack("[s]", "gratuit"));
    json_object_set_new(doc, "summary", json_string("Un lieu d'essai, créé par un test."));
    json_object_set_new(doc, "address_complement", json_string("Bâtiment B"));
    json_object_set_new(doc, "booking_url", json_string("https://rdv.example.fr/mirande?x=1"));
    json_object_set_new(doc, "data_updated_on", json_string("2026-11-01"));
    json_object_set_new(doc, "other_labels", json_pack("[s]", "Label départemental"));
    char *sent = json_dumps(doc, JSON_COMPACT);

    struct response *r = send_json("POST", "/v1/places", writer, sent, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *created = response_json(r);
    char location[160], etag[128], expected[160];
    snprintf(expected, sizeof expected, "/v1/places/%s", json_str(created, "id"));
    cr_expect_str_eq(response_header(r, "Location", location, sizeof location), expected);
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag));
    response_free(r);

    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value)
    {
        if (strcmp(key, "phone") == 0)
            continue;
        json_t *got = json_object_get(created, key);
        if (json_is_number(value))
            cr_expect(close_to(json_number_value(value), json_number_value(got), 1e-7), "%s", key);
        else
            cr_expect(json_equal(value, got), "%s echoed", key);
    }
    cr_expect_str_eq(json_str(created, "phone"), "+33562668687", "E.164");
    cr_expect_str_eq(json_str(created, "owner"), "france-services-mirande",
                     "owned by the token's org");
    cr_expect_not_null(json_str(created, "created_at"));
    cr_expect_not_null(json_str(created, "updated_at"));
    cr_expect_eq(json_array_size(json_object_get(created, "specific_support")), 0,
                 "lists default to []");

    /* GET answers the same place with the same ETag */
    r = http_get(server.base_url, expected, reader);
    cr_assert_eq(r->status, 200);
    char got_etag[128];
    cr_expect_str_eq(response_header(r, "ETag", got_etag, sizeof got_etag), etag);
    json_t *fetched = response_json(r);
    cr_expect(json_equal(fetched, created), "GET = POST's body");
    json_decref(fetched);
    response_free(r);

    /* and the list finds it */
    char path[256];
    snprintf(path, sizeof path, "/v1/places?q=%s&public=seniors&commune=32256", tag);
    json_t *body = get_ok(path);
    cr_expect_eq(json_array_size(items_of(body)), 1);
    json_decref(body);

    remove_place(json_str(created, "id"));
    free(sent);
    json_decref(created);
    json_decref(doc);
}

Test(places_write, source_defaults_and_source_id_is_generated)
{
    char tag[64];
    test_nonce("t", tag, sizeof tag);
    json_t *doc = place_doc(tag);
    json_object_del(doc, "source");
    json_object_del(doc, "source_id");
    json_object_del(doc, "latitude");
    json_object_del(doc, "longitude");
    json_t *created = create(writer, doc);
    cr_expect_str_eq(json_str(created, "source"), "inclusion-api");
    cr_expect(json_str(created, "source_id") && strlen(json_str(created, "source_id")) > 0);
    cr_expect(json_is_null(json_object_get(created, "latitude")), "no coordinates given");
    remove_place(json_str(created, "id"));
    json_decref(created);
}

Test(places_write, missing_required_fields_are_422_naming_each)
{
    char tag[64], body[256];
    test_nonce("t", tag, sizeof tag);
    snprintf(body, sizeof body, "{\"source\":\"integration-tests\",\"source_id\":\"%s\"}", tag);
    struct response *r = send_json("POST", "/v1/places", writer, body, NULL);
    cr_expect_eq(r->status, 422, "%s", r->body);
    const char *required[] = {"pivot", "name", "street", "postal_code", "commune", NULL};
    for (size_t i = 0; required[i]; i++)
        cr_expect(names_field(r, required[i]), "names %s: %s", required[i], r->body);
    cr_expect(!names_field(r, "source_id"));
    cr_expect(!names_field(r, "latitude"), "coordinates are optional");
    response_free(r);

    /* latitude without longitude */
    json_t *doc = place_doc(tag);
    json_object_del(doc, "longitude");
    r = send_doc("POST", "/v1/places", writer, doc, NULL);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "longitude"), "%s", r->body);
    response_free(r);
    json_decref(doc);

    /* nothing was written: the source_id is still free */
    json_t *created = create(writer, place_doc(tag));
    remove_place(json_str(created, "id"));
    json_decref(created);
}

Test(places_write, each_bad_field_is_422_naming_it_and_nothing_is_written)
{
    const char *cases[][3] = {
        {"emails", "[\"aubiet@france-service.gouv,fr\"]", "emails"},
        {"emails", "[\"gerssolidaire.org\"]", "emails"},
        {"emails", "[\"a@mairie.fr\", \"a@mairie.fr\"]", "emails"},
        {"emails", "\"a@mairie.fr\"", "emails"},
        {"phone", "\"+330562660408\"", "phone"},
        {"phone", "\"05 62 66\"", "phone"},
        {"phone", "\"téléphone\"", "phone"},
        {"websites", "[\"www.mirande.fr\"]", "websites"},
        {"websites", "[\"https://exa mple.fr\"]", "websites"},
        {"booking_url", "\"javascript:alert(1)\"", "booking_url"},
        {"accessibility_url", "\"http://localhost/a\"", "accessibility_url"},
        {"postal_code", "\"3230\"", "postal_code"},
        {"postal_code", "\"32 300\"", "postal_code"},
        {"postal_code", "32300", "postal_code"},
        {"insee_code", "\"3225\"", "insee_code"},
        {"insee_code", "\"2C001\"", "insee_code"},
        {"typologies", "[\"XYZ\"]", "typologies"},
        {"typologies", "\"RFS\"", "typologies"},
        {"services", "[\"cuisine\"]", "services"},
        {"publics", "[\"tous\"]", "publics"},
        {"itinerance", "[\"volant\"]", "itinerance"},
        {"fees", "[1]", "fees"},
        {"opening_hours", "\"Mo-Fr 9h-12h\"", "opening_hours"},
        {"opening_hours", "\"Mo-Fr 09:00-25:00\"", "opening_hours"},
        {"latitude", "91", "latitude"},
        {"latitude", "\"43.5\"", "latitude"},
        {"longitude", "181", "longitude"},
        {"pivot", "\"123\"", "pivot"},
        {"pivot", "\"12345678901234\"", "pivot"},
        {"name", "\"\"", "name"},
        {"name", "42", "name"},
        {"street", "\"rue\\u0001\"", "street"},
        {"data_updated_on", "\"2026-02-30\"", "data_updated_on"},
        {"data_updated_on", "\"01/11/2026\"", "data_updated_on"},
        {"colour", "\"blue\"", "colour"},
        {"owner", "\"caf-gers\"", "owner"},
        {"id", "\"00000000-0000-4000-8000-000000000000\"", "id"},
        {"created_at", "\"2020-01-01T00:00:00Z\"", "created_at"},
        {"distance_m", "3", "distance_m"},
    };
    char tag[64];
    test_nonce("t", tag, sizeof tag);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = place_doc(tag);
        json_t *value = json_loads(cases[i][1], JSON_DECODE_ANY, NULL);
        cr_assert_not_null(value, "case %zu", i);
        json_object_set_new(doc, cases[i][0], value);
        struct response *r = send_doc("POST", "/v1/places", writer, doc, NULL);
        cr_expect_eq(r->status, 422, "%s = %s: %ld %s", cases[i][0], cases[i][1], r->status,
                     r->body);
        cr_expect(names_field(r, cases[i][2]), "%s = %s names %s: %s", cases[i][0], cases[i][1],
                  cases[i][2], r->body);
        response_free(r);
        json_decref(doc);
    }
    cr_expect_eq(count_matching(tag), 0, "nothing was written");
    json_t *created = create(writer, place_doc(tag));
    remove_place(json_str(created, "id"));
    json_decref(created);
}

Test(places_write, the_commune_is_checked_against_the_gers)
{
    char tag[64];
    test_nonce("t", tag, sizeof tag);
    /* a Gers code that is not a commune */
    json_t *doc = place_doc(tag);
    json_object_set_new(doc, "insee_code", json_string("32999"));
    struct response *r = send_doc("POST", "/v1/places", writer, doc, NULL);
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(names_field(r, "insee_code"), "%s", r->body);
    response_free(r);
    json_decref(doc);
    /* Mirande's code with Auch's coordinates */
    doc = place_doc(tag);
    json_object_set_new(doc, "latitude", json_real(AUCH_LAT));
    json_object_set_new(doc, "longitude", json_real(AUCH_LON));
    r = send_doc("POST", "/v1/places", writer, doc, NULL);
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(names_field(r, "latitude"), "%s", r->body);
    response_free(r);
    json_decref(doc);
    /* Miélan's coordinates in Mirande (9 km apart) */
    doc = place_doc(tag);
    json_object_set_new(doc, "latitude", json_real(43.42938));
    json_object_set_new(doc, "longitude", json_real(0.309431));
    r = send_doc("POST", "/v1/places", writer, doc, NULL);
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(names_field(r, "latitude"));
    response_free(r);
    json_decref(doc);
    cr_expect_eq(count_matching(tag), 0, "nothing was written");

    /* a commune outside the Gers is not in the table and is not checked */
    char tag2[64];
    test_nonce("t", tag2, sizeof tag2);
    doc = place_doc(tag2);
    json_object_set_new(doc, "insee_code", json_string("31555"));
    json_object_set_new(doc, "postal_code", json_string("31000"));
    json_object_set_new(doc, "commune", json_string("Toulouse"));
    json_object_set_new(doc, "latitude", json_real(43.6045));
    json_object_set_new(doc, "longitude", json_real(1.4440));
    json_t *created = create(writer, doc);
    remove_place(json_str(created, "id"));
    json_decref(created);

    /* the same source_id is still free */
    created = create(writer, place_doc(tag));
    remove_place(json_str(created, "id"));
    json_decref(created);
}

Test(places_write, the_same_source_and_source_id_twice_is_409)
{
    char tag[64];
    json_t *created = create_tagged(writer, tag, sizeof tag);
    json_t *doc = place_doc(tag);
    json_object_set_new(doc, "name", json_string("Un autre nom"));
    struct response *r = send_doc("POST", "/v1/places", other, doc, NULL);
    cr_expect_eq(r->status, 409, "%s", r->body);
    cr_expect(strstr(r->body, "places_source") == NULL && strstr(r->body, "duplicate") == NULL,
              "no SQL: %s", r->body);
    response_free(r);
    /* another source may use the same source_id */
    json_object_set_new(doc, "source", json_string("integration-tests-bis"));
    json_t *second = create(other, doc);
    remove_place(json_str(second, "id"));
    remove_place(json_str(created, "id"));
    json_decref(second);
    json_decref(created);
}

static struct response *patch(const char *id, const char *token, const char *body,
                              const char *if_match)
{
    char path[128], auth[4096];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/merge-patch+json", if_match, NULL};
    return http_request("PATCH", url(path), headers, body);
}

Test(places_write, patch_changes_one_field_and_null_removes_an_optional_one)
{
    char tag[64];
    test_nonce("t", tag, sizeof tag);
    json_t *doc = place_doc(tag);
    json_object_set_new(doc, "phone", json_string("0562668687"));
    json_object_set_new(doc, "summary", json_string("Avant"));
    json_object_set_new(doc, "services", json_pack("[s]", "aide_aux_demarches_administratives"));
    json_t *created = create(writer, doc);
    const char *id = json_str(created, "id");

    struct response *r = patch(id, writer, "{\"summary\":\"Après\"}", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *updated = response_json(r);
    response_free(r);
    cr_expect_str_eq(json_str(updated, "summary"), "Après");
    const char *key;
    json_t *value;
    json_object_foreach(created, key,
                        value) if (strcmp(key, "summary") != 0 && strcmp(key, "updated_at") != 0)
        cr_expect(json_equal(value, json_object_get(updated, key)), "%s unchanged", key);
    cr_expect_gt(rfc3339_seconds(json_str(updated, "updated_at")),
                 rfc3339_seconds(json_str(created, "updated_at")));
    json_decref(updated);

    r = patch(id, writer, "{\"phone\":null,\"services\":null,\"emails\":[\"contact@mirande.fr\"]}",
              NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    updated = response_json(r);
    response_free(r);
    cr_expect(json_is_null(json_object_get(updated, "phone")), "null removes the phone");
    cr_expect_eq(json_array_size(json_object_get(updated, "services")), 0, "null empties a list");
    cr_expect(array_has(json_object_get(updated, "emails"), "contact@mirande.fr"));
    cr_expect_str_eq(json_str(updated, "summary"), "Après", "untouched by the second patch");
    json_decref(updated);

    /* a new phone is normalised too */
    r = patch(id, writer, "{\"phone\":\"+33 (0)5 62 03 01 09\"}", NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    updated = response_json(r);
    cr_expect_str_eq(json_str(updated, "phone"), "+33562030109");
    json_decref(updated);
    response_free(r);

    /* a required field cannot be removed, a bad value is refused, nothing changes */
    r = patch(id, writer, "{\"name\":null}", NULL);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "name"), "%s", r->body);
    response_free(r);
    r = patch(id, writer, "{\"summary\":\"Jamais\",\"emails\":[\"gerssolidaire.org\"]}", NULL);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "emails"), "%s", r->body);
    cr_expect(!names_field(r, "summary"));
    response_free(r);
    r = patch(id, writer, "{\"latitude\":43.635558,\"longitude\":0.592823}", NULL);
    cr_expect_eq(r->status, 422, "coordinates moved out of Mirande");
    cr_expect(names_field(r, "latitude"), "%s", r->body);
    response_free(r);
    r = patch(id, writer, "{\"owner\":\"france-services-mielan\"}", NULL);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "owner"), "%s", r->body);
    response_free(r);
    r = patch(id, writer, "{\"colour\":\"blue\"}", NULL);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "colour"), "%s", r->body);
    response_free(r);
    char path[128];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    json_t *now = get_ok(path);
    cr_expect_str_eq(json_str(now, "summary"), "Après", "the refused patches wrote nothing");
    cr_expect_str_eq(json_str(now, "owner"), "france-services-mirande");
    cr_expect(close_to(num(now, "latitude"), MIRANDE_LAT, 1e-7));
    json_decref(now);

    remove_place(id);
    json_decref(created);
}

Test(places_write, patch_honours_if_match)
{
    char tag[64], path[128], etag[128], if_match[160], new_etag[128];
    json_t *created = create_tagged(writer, tag, sizeof tag);
    const char *id = json_str(created, "id");
    snprintf(path, sizeof path, "/v1/places/%s", id);
    struct response *r = http_get(server.base_url, path, reader);
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag));
    response_free(r);

    r = patch(id, writer, "{\"summary\":\"Périmé\"}", "If-Match: \"1\"");
    cr_expect_eq(r->status, 412, "a stale If-Match: %s", r->body);
    response_free(r);
    json_t *now = get_ok(path);
    cr_expect(json_is_null(json_object_get(now, "summary")), "412 wrote nothing");
    json_decref(now);

    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    r = patch(id, writer, "{\"summary\":\"À jour\"}", if_match);
    cr_expect_eq(r->status, 200, "%s", r->body);
    cr_assert_not_null(response_header(r, "ETag", new_etag, sizeof new_etag));
    cr_expect_str_neq(new_etag, etag, "a new ETag");
    response_free(r);

    r = http_get(server.base_url, path, reader);
    char current[128];
    cr_expect_str_eq(response_header(r, "ETag", current, sizeof current), new_etag,
                     "the PATCH's ETag is the item's");
    response_free(r);

    r = patch(id, writer, "{\"summary\":\"Encore\"}", if_match);
    cr_expect_eq(r->status, 412, "the old ETag no longer matches");
    response_free(r);
    r = patch(id, writer, "{\"summary\":\"Toujours\"}", "If-Match: *");
    cr_expect_eq(r->status, 200, "If-Match: * matches a live place: %s", r->body);
    response_free(r);

    /* DELETE honours it too */
    r = send_json("DELETE", path, writer, NULL, "If-Match: \"1\"");
    cr_expect_eq(r->status, 412);
    response_free(r);
    remove_place(id);
    json_decref(created);
}

Test(places_write, only_the_owner_or_admin_may_change_a_place)
{
    char tag[64], path[128];
    json_t *created = create_tagged(writer, tag, sizeof tag);
    const char *id = json_str(created, "id");
    snprintf(path, sizeof path, "/v1/places/%s", id);

    struct response *r = patch(id, other, "{\"summary\":\"Détourné\"}", NULL);
    cr_expect_eq(r->status, 403, "another organisation: %s", r->body);
    response_free(r);
    json_t *now = get_ok(path);
    cr_expect(json_is_null(json_object_get(now, "summary")), "403 wrote nothing");
    json_decref(now);

    r = patch(id, admin, "{\"summary\":\"Corrigé par l'admin\"}", NULL);
    cr_expect_eq(r->status, 200, "admin may: %s", r->body);
    json_t *updated = response_json(r);
    cr_expect_str_eq(json_str(updated, "summary"), "Corrigé par l'admin");
    cr_expect_str_eq(json_str(updated, "owner"), "france-services-mirande", "the owner stays");
    json_decref(updated);
    response_free(r);

    r = send_json("DELETE", path, other, NULL, NULL);
    cr_expect_eq(r->status, 403, "another organisation cannot delete");
    response_free(r);
    now = get_ok(path);
    json_decref(now);

    /* seeded places belong to their organisations */
    json_t *body = get_ok("/v1/places?postal_code=32170&typology=RFS");
    json_t *fs = find_source(items_of(body), FS_SOURCE, "2002");
    cr_assert_not_null(fs);
    cr_expect_str_eq(json_str(fs, "owner"), "france-services-mielan");
    r = patch(json_str(fs, "id"), writer, "{\"summary\":\"Détourné\"}", NULL);
    cr_expect_eq(r->status, 403, "Mirande cannot change Miélan's France Services");
    response_free(r);
    json_decref(body);

    r = patch(id, reader, "{\"summary\":\"x\"}", NULL);
    cr_expect_eq(r->status, 403, "places:read cannot patch");
    response_free(r);

    r = send_json("DELETE", path, admin, NULL, NULL);
    cr_expect_eq(r->status, 204, "admin may delete");
    response_free(r);
    json_decref(created);
}

Test(places_write, unknown_or_malformed_ids_are_404)
{
    const char *ids[] = {"00000000-0000-4000-8000-000000000000", "not-a-uuid",
                         "00000000-0000-4000-8000-00000000000", "00000000000040008000000000000000",
                         NULL};
    for (size_t i = 0; ids[i]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/places/%s", ids[i]);
        struct response *r = http_get(server.base_url, path, reader);
        cr_expect_eq(r->status, 404, "GET %s", ids[i]);
        response_free(r);
        r = patch(ids[i], writer, "{\"summary\":\"x\"}", NULL);
        cr_expect_eq(r->status, 404, "PATCH %s: %s", ids[i], r->body);
        response_free(r);
        r = send_json("DELETE", path, writer, NULL, NULL);
        cr_expect_eq(r->status, 404, "DELETE %s", ids[i]);
        response_free(r);
    }
}

Test(places_write, delete_leaves_a_tombstone_for_updated_since)
{
    char tag[64], path[128], since[96], query[256];
    json_t *created = create_tagged(writer, tag, sizeof tag);
    const char *id = json_str(created, "id");
    snprintf(path, sizeof path, "/v1/places/%s", id);
    time_before(json_str(created, "created_at"), since, sizeof since);

    /* before: updated_since shows the live place */
    snprintf(query, sizeof query, "/v1/places?updated_since=%s&limit=1000", since);
    json_t *body = get_ok(query);
    json_t *item = find_id(items_of(body), id);
    cr_expect_not_null(item, "a new place is a change");
    if (item)
        cr_expect_str_eq(json_str(item, "name"), json_str(created, "name"));
    json_decref(body);

    struct response *r = send_json("DELETE", path, writer, NULL, NULL);
    cr_expect_eq(r->status, 204, "%s", r->body);
    cr_expect_eq(r->body_len, 0);
    response_free(r);

    r = http_get(server.base_url, path, reader);
    cr_expect_eq(r->status, 404, "gone");
    response_free(r);
    cr_expect_eq(count_matching(tag), 0, "the list no longer shows it");
    r = send_json("DELETE", path, writer, NULL, NULL);
    cr_expect_eq(r->status, 404, "deleting twice");
    response_free(r);
    r = patch(id, writer, "{\"summary\":\"x\"}", NULL);
    cr_expect_eq(r->status, 404, "a tombstone cannot be patched");
    response_free(r);

    /* the sync feed: ordered by update, with the tombstone */
    body = get_ok(query);
    json_t *items = items_of(body);
    json_t *tombstone = find_id(items, id);
    cr_assert_not_null(tombstone, "updated_since shows the deletion: %s", query);
    cr_expect_eq(json_object_size(tombstone), 3, "{id, deleted, updated_at} only");
    cr_expect_str_eq(json_str(tombstone, "id"), id);
    cr_expect(json_is_true(json_object_get(tombstone, "deleted")));
    cr_expect_gt(rfc3339_seconds(json_str(tombstone, "updated_at")),
                 rfc3339_seconds(json_str(created, "updated_at")));
    double previous = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        double t = rfc3339_seconds(json_str(it, "updated_at"));
        cr_expect_geq(t, previous, "ordered by updated_at");
        cr_expect_gt(t, rfc3339_seconds(since), "after updated_since");
        previous = t;
    }
    encode_time(json_str(tombstone, "updated_at"), since, sizeof since);
    json_decref(body);

    /* a later updated_since no longer has it */
    snprintf(query, sizeof query, "/v1/places?updated_since=%s&limit=1000", since);
    body = get_ok(query);
    cr_expect_null(find_id(items_of(body), id), "updated_since is exclusive");
    json_decref(body);

    /* the source_id of a deleted place stays taken: its tombstone is kept */
    json_t *doc = place_doc(tag);
    r = send_doc("POST", "/v1/places", writer, doc, NULL);
    cr_expect_eq(r->status, 409, "re-creating a deleted source_id: %ld %s", r->status, r->body);
    response_free(r);
    json_decref(doc);
    json_decref(created);
}

Test(places_write, updated_since_pages_through_changes)
{
    char since[96], first[256];
    json_t *created[5];
    char tag[64];
    created[0] = create_tagged(writer, tag, sizeof tag);
    time_before(json_str(created[0], "created_at"), since, sizeof since);
    for (int i = 1; i < 5; i++)
        created[i] = create_tagged(writer, tag, sizeof tag);
    snprintf(first, sizeof first, "/v1/places?updated_since=%s&limit=2", since);
    json_t *all = walk(first, NULL, 500);
    for (int i = 0; i < 5; i++) {
        size_t seen = 0, j;
        json_t *it;
        json_array_foreach(all, j, it) if (str_is(it, "id", json_str(created[i], "id"))) seen++;
        cr_expect_eq(seen, 1, "place %d appears once in the feed", i);
    }
    size_t i;
    json_t *it;
    double previous = 0;
    json_array_foreach(all, i, it)
    {
        double t = rfc3339_seconds(json_str(it, "updated_at"));
        cr_expect_geq(t, previous, "ordered by updated_at across pages");
        previous = t;
    }
    json_decref(all);
    for (int k = 0; k < 5; k++) {
        remove_place(json_str(created[k], "id"));
        json_decref(created[k]);
    }
}
