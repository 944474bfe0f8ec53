/* /v1/workshops: creation (single, at a mobile unit's stop, recurring across
 * the DST change) with every validation error, the list's filters and pages,
 * GET, PATCH (ownership, If-Match, capacity and the waiting list) and cancel.
 *
 * The database is shared with other tests running in parallel: every workshop
 * here is created by the test that reads it, at a place the test creates
 * (except where the seeded France services de Mirande is the point), in 2031
 * (so it stays in the future), with a unique title; lists are always narrowed
 * to the test's own place or series, never compared with global counts. */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FS_SOURCE "anct-france-services"
/* France services de Mirande (source_id 1717), inside the commune 32256. */
#define MIRANDE_LAT 43.513985
#define MIRANDE_LON 0.400199
#define MIELAN_LAT  43.42524
#define MIELAN_LON  0.30991
#define AUCH_POINT  "43.662545,0.6082926"

static char *reader, *owner, *other, *admin, *partner, *places_writer;

static void start(void)
{
    fixture_start();
    fixture_token(&reader, "france-services-mirande", "workshops:read places:read");
    fixture_token(&owner, "france-services-mirande",
                  "workshops:read workshops:write registrations:write places:read places:write");
    fixture_token(&other, "france-services-mielan",
                  "workshops:read workshops:write registrations:write places:read");
    fixture_token(&admin, "gers-numerique",
                  "admin workshops:read workshops:write "
                  "registrations:write places:read places:write");
    fixture_token(&partner, "caf-gers", "workshops:read registrations:write");
    fixture_token(&places_writer, "france-services-mirande", "places:read places:write");
}

TestSuite(workshops, .init = start, .fini = fixture_stop, .timeout = 120);
TestSuite(workshops_validation, .init = start, .fini = fixture_stop, .timeout = 120);
TestSuite(workshops_list, .init = start, .fini = fixture_stop, .timeout = 120);
TestSuite(workshops_write, .init = start, .fini = fixture_stop, .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

static struct response *call_doc(const char *method, const char *path, const char *token,
                                 json_t *doc, const char *extra_header)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    struct response *r = api_call(true, method, path, token, text, extra_header);
    free(text);
    return r;
}

static bool str_is(json_t *obj, const char *key, const char *value)
{
    const char *v = json_str(obj, key);
    return v && strcmp(v, value) == 0;
}

static long long integer(json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

static double num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

static bool close_to(double a, double b, double eps)
{
    return a - b < eps && b - a < eps;
}

static json_t *find_id(json_t *items, const char *id)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) if (str_is(item, "id", id)) return item;
    return NULL;
}

/* The id of France services de Mirande (copied into buf). */
static const char *mirande_fs(char *buf, size_t cap)
{
    struct response *r = http_get(server.base_url, "/v1/places?commune=32256&typology=RFS", reader);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    response_free(r);
    size_t i;
    json_t *item;
    buf[0] = '\0';
    json_array_foreach(json_object_get(body, "items"), i,
                       item) if (str_is(item, "source", FS_SOURCE) &&
                                 str_is(item, "source_id", "1717"))
        snprintf(buf, cap, "%s", json_str(item, "id"));
    json_decref(body);
    cr_assert(buf[0], "France services de Mirande is seeded");
    return buf;
}

/* A place of france-services-mirande in Mirande (itinerant or not). */
static void create_place(bool itinerant, char *id, size_t cap)
{
    char tag[64], name[128];
    test_nonce("w", tag, sizeof tag);
    snprintf(name, sizeof name, "Salle d'ateliers %s", tag);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s]}", "source", "integration-tests",
        "source_id", tag, "pivot", "00000000000000", "name", name, "street", "1 rue de l'Essai",
        "postal_code", "32300", "commune", "Mirande", "insee_code", "32256", "latitude",
        MIRANDE_LAT, "longitude", MIRANDE_LON, "itinerance", itinerant ? "itinerant" : "fixe");
    post_created("/v1/places", places_writer, doc, NULL, id, cap);
}

static void remove_place(const char *id)
{
    char path[128], auth[4096];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    const char *headers[] = {bearer_header(admin, auth, sizeof auth), NULL};
    struct response *r = http_request_raw("DELETE", url(path), headers, NULL);
    response_free(r);
}

/* A stop of the unit `place` (in Miélan), returns its id in buf. */
static void create_stop(const char *place, const char *starts, const char *ends, char *id,
                        size_t cap)
{
    char path[128], auth[4096];
    snprintf(path, sizeof path, "/v1/places/%s/stops", place);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "starts_at", starts, "ends_at", ends,
                            "insee_code", "32252", "address", "Place de la mairie", "latitude",
                            MIELAN_LAT, "longitude", MIELAN_LON);
    char *text = json_dumps(doc, JSON_COMPACT);
    const char *headers[] = {bearer_header(places_writer, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    struct response *r = http_request("POST", url(path), headers, text);
    free(text);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "stop: %s", r->body);
    json_t *created = response_json(r);
    snprintf(id, cap, "%s", json_str(created, "id"));
    json_decref(created);
    response_free(r);
}

/* A valid workshop body at `place` (NULL: no place_id). */
static json_t *workshop_doc(const char *place, const char *starts, const char *ends, int capacity)
{
    char tag[64], title[128];
    test_nonce("w", tag, sizeof tag);
    snprintf(title, sizeof title, "Atelier d'essai %s", tag);
    json_t *doc = json_pack("{s:s, s:s, s:[s, s], s:s, s:s, s:i}", "title", title, "theme", "email",
                            "audience", "seniors", "beginners", "starts_at", starts, "ends_at",
                            ends, "capacity", capacity);
    if (place)
        json_object_set_new(doc, "place_id", json_string(place));
    return doc;
}

/* POSTs doc (stolen) as token; asserts 201; returns the body. */
static json_t *create(const char *token, json_t *doc)
{
    struct response *r = call_doc("POST", "/v1/workshops", token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "create: %ld %s", r->status, r->body);
    json_t *created = response_json(r);
    response_free(r);
    cr_assert_not_null(created);
    return created;
}

static json_t *create_at(const char *place, const char *starts, const char *ends, int capacity)
{
    return create(owner, workshop_doc(place, starts, ends, capacity));
}

/* GET path as reader; asserts 200 and a list; returns the body. */
static json_t *list(const char *path)
{
    struct response *r = api_call(true, "GET", path, reader, NULL, NULL);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    cr_assert(json_is_array(json_object_get(body, "items")), "%s has items", path);
    return body;
}

static json_t *items_of(json_t *body)
{
    return json_object_get(body, "items");
}

static size_t count_of(const char *path)
{
    json_t *body = list(path);
    size_t n = json_array_size(items_of(body));
    json_decref(body);
    return n;
}

static bool listed(const char *path, const char *id)
{
    json_t *body = list(path);
    bool found = find_id(items_of(body), id) != NULL;
    json_decref(body);
    return found;
}

static json_t *get_workshop(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s", id);
    struct response *r = api_call(true, "GET", path, reader, NULL, NULL);
    cr_assert_eq(r->status, 200, "GET %s: %s", path, r->body);
    json_t *body = response_json(r);
    response_free(r);
    return body;
}

static struct response *register_one(const char *token, const char *workshop, const char *ref)
{
    char path[128], body[256];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    snprintf(body, sizeof body, "{\"participant_ref\":\"%s\",\"display_name\":\"Personne %s\"}",
             ref, ref);
    return api_call(true, "POST", path, token, body, NULL);
}

static json_t *registered(const char *workshop, const char *ref)
{
    struct response *r = register_one(owner, workshop, ref);
    cr_assert_eq(r->status, 201, "register %s: %s", ref, r->body);
    json_t *body = response_json(r);
    response_free(r);
    return body;
}

static json_t *registrations_of(const char *workshop)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    struct response *r = api_call(true, "GET", path, owner, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    response_free(r);
    return body;
}

static struct response *patch(const char *id, const char *token, const char *body,
                              const char *extra_header)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s", id);
    return api_call(true, "PATCH", path, token, body, extra_header);
}

static struct response *cancel(const char *id, const char *token)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s/cancel", id);
    return api_call(true, "POST", path, token, NULL, NULL);
}

/* POST doc (stolen); expects 422 naming `field` (or `alt`, when not NULL). */
static void expect_422(json_t *doc, const char *field, const char *alt, const char *what)
{
    struct response *r = call_doc("POST", "/v1/workshops", owner, doc, NULL);
    json_decref(doc);
    cr_expect_eq(r->status, 422, "%s: %ld %s", what, r->status, r->body);
    cr_expect(names_field(r, field) || (alt && names_field(r, alt)), "%s names %s: %s", what, field,
              r->body);
    response_free(r);
}

static void expect_400(const char *path, const char *field)
{
    struct response *r = api_call(true, "GET", path, reader, NULL, NULL);
    cr_expect_eq(r->status, 400, "%s: %ld %s", path, r->status, r->body);
    cr_expect(names_field(r, field), "%s names %s: %s", path, field, r->body);
    response_free(r);
}

/* ---- creating --------------------------------------------------------------- */

Test(workshops, create_echoes_the_workshop_at_its_place)
{
    char place[64], location[256], etag[128], path[128];
    mirande_fs(place, sizeof place);
    json_t *doc = workshop_doc(place, "2031-02-04T14:00:00+01:00", "2031-02-04T16:00:00+01:00", 12);
    json_object_set_new(doc, "description", json_string("Créer et relever sa messagerie."));
    json_object_set_new(doc, "accessibility", json_string("Salle de plain-pied."));
    json_object_set_new(doc, "price_eur", json_real(2.5));
    char title[128];
    snprintf(title, sizeof title, "%s", json_str(doc, "title"));
    struct response *r = call_doc("POST", "/v1/workshops", owner, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *w = response_json(r);
    cr_assert_not_null(json_str(w, "id"));
    snprintf(path, sizeof path, "/v1/workshops/%s", json_str(w, "id"));
    cr_expect_not_null(response_header(r, "Location", location, sizeof location));
    cr_expect(strstr(location, path) != NULL, "Location %s names %s", location, path);
    cr_expect_not_null(response_header(r, "ETag", etag, sizeof etag), "an ETag");
    response_free(r);

    cr_expect_str_eq(json_str(w, "title"), title);
    cr_expect_str_eq(json_str(w, "theme"), "email");
    json_t *audience = json_object_get(w, "audience");
    cr_expect_eq(json_array_size(audience), 2);
    cr_expect_str_eq(json_string_value(json_array_get(audience, 0)), "seniors");
    cr_expect_str_eq(json_string_value(json_array_get(audience, 1)), "beginners");
    cr_expect_eq(rfc3339_seconds(json_str(w, "starts_at")),
                 rfc3339_seconds("2031-02-04T13:00:00Z"));
    cr_expect_eq(rfc3339_seconds(json_str(w, "ends_at")), rfc3339_seconds("2031-02-04T15:00:00Z"));
    cr_expect_eq(integer(w, "capacity"), 12);
    cr_expect_eq(integer(w, "seats_left"), 12, "seats_left = capacity");
    cr_expect_eq(integer(w, "waitlist_count"), 0);
    cr_expect_str_eq(json_str(w, "status"), "scheduled");
    cr_expect_str_eq(json_str(w, "owner"), "france-services-mirande", "the token's organisation");
    cr_expect_str_eq(json_str(w, "place_id"), place);
    cr_expect(json_is_null(json_object_get(w, "stop_id")), "no stop");
    cr_expect(json_is_null(json_object_get(w, "series_id")), "no series");
    cr_expect_str_eq(json_str(w, "description"), "Créer et relever sa messagerie.");
    cr_expect_str_eq(json_str(w, "accessibility"), "Salle de plain-pied.");
    cr_expect(close_to(num(w, "price_eur"), 2.5, 1e-9), "price %g", num(w, "price_eur"));
    json_t *p = json_object_get(w, "place");
    cr_assert(json_is_object(p), "a place object");
    cr_expect_str_eq(json_str(p, "name"), "France services de Mirande");
    cr_expect_str_eq(json_str(p, "commune"), "Mirande");
    cr_expect_str_eq(json_str(p, "insee_code"), "32256");
    cr_expect(close_to(num(p, "latitude"), MIRANDE_LAT, 1e-4) &&
                  close_to(num(p, "longitude"), MIRANDE_LON, 1e-4),
              "at Mirande: %g,%g", num(p, "latitude"), num(p, "longitude"));

    /* GET gives the same workshop and ETag */
    r = api_call(true, "GET", path, reader, NULL, NULL);
    cr_expect_eq(r->status, 200);
    char again[128];
    cr_expect_str_eq(response_header(r, "ETag", again, sizeof again), etag);
    json_t *got = response_json(r);
    cr_expect(json_equal(got, w), "GET = POST's body: %s", r->body);
    json_decref(got);
    response_free(r);

    /* the price defaults to 0 */
    json_t *free_one =
        create_at(place, "2031-02-05T14:00:00+01:00", "2031-02-05T16:00:00+01:00", 3);
    cr_expect(close_to(num(free_one, "price_eur"), 0, 1e-9), "free by default");
    json_decref(free_one);
    json_decref(w);
}

Test(workshops, at_a_stop_the_place_is_the_unit_where_it_stops)
{
    char unit[64], stop_id[64];
    create_place(true, unit, sizeof unit);
    create_stop(unit, "2031-10-14T09:30:00+02:00", "2031-10-14T12:30:00+02:00", stop_id,
                sizeof stop_id);
    json_t *doc = workshop_doc(NULL, "2031-10-14T10:00:00+02:00", "2031-10-14T12:00:00+02:00", 6);
    json_object_set_new(doc, "stop_id", json_string(stop_id));
    json_t *w = create(owner, doc);
    cr_expect_str_eq(json_str(w, "stop_id"), stop_id);
    cr_expect_str_eq(json_str(w, "place_id"), unit, "the place is the unit (the bus)");
    json_t *p = json_object_get(w, "place");
    cr_expect(json_str(p, "name") && strstr(json_str(p, "name"), "Salle d'ateliers"),
              "the unit's name");
    cr_expect_str_eq(json_str(p, "commune"), "Miélan", "where it stops, not its base");
    cr_expect_str_eq(json_str(p, "insee_code"), "32252");
    cr_expect_str_eq(json_str(p, "address"), "Place de la mairie");
    cr_expect(close_to(num(p, "latitude"), MIELAN_LAT, 1e-5) &&
                  close_to(num(p, "longitude"), MIELAN_LON, 1e-5),
              "at the stop: %g,%g", num(p, "latitude"), num(p, "longitude"));

    /* the list finds it by the stop's commune and point, not the unit's */
    char path[512];
    snprintf(path, sizeof path, "/v1/workshops?commune=32252&place_id=%s&from=2031-01-01T00:00:00Z",
             unit);
    cr_expect(listed(path, json_str(w, "id")), "commune=32252 (the stop)");
    snprintf(path, sizeof path, "/v1/workshops?commune=32256&place_id=%s&from=2031-01-01T00:00:00Z",
             unit);
    cr_expect(!listed(path, json_str(w, "id")), "commune=32256 (the unit's base) does not");
    snprintf(path, sizeof path,
             "/v1/workshops?near=%f,%f&radius_km=2&place_id=%s&from=2031-01-01T00:00:00Z",
             MIELAN_LAT, MIELAN_LON, unit);
    cr_expect(listed(path, json_str(w, "id")), "near Miélan");
    json_decref(w);

    /* an unknown stop */
    doc = workshop_doc(NULL, "2031-10-14T10:00:00+02:00", "2031-10-14T12:00:00+02:00", 6);
    json_object_set_new(doc, "stop_id", json_string("00000000-0000-4000-8000-000000000000"));
    expect_422(doc, "stop_id", NULL, "an unknown stop");
    remove_place(unit);
}

Test(workshops, weekly_recurrence_keeps_local_time_across_dst)
{
    char place[64], location[256];
    create_place(false, place, sizeof place);
    /* DST starts on Sunday 30 March 2031 */
    json_t *doc = workshop_doc(place, "2031-03-18T09:00:00+01:00", "2031-03-18T11:30:00+01:00", 8);
    json_object_set_new(doc, "recurrence", json_string("FREQ=WEEKLY;COUNT=4"));
    struct response *r = call_doc("POST", "/v1/workshops", owner, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *body = response_json(r);
    const char *series = json_str(body, "series_id");
    cr_assert_not_null(series, "a series_id: %s", r->body);
    cr_expect_not_null(response_header(r, "Location", location, sizeof location));
    cr_expect(strstr(location, series) != NULL, "Location names the series: %s", location);
    response_free(r);
    json_t *items = json_object_get(body, "items");
    cr_assert_eq(json_array_size(items), 4, "four occurrences");
    const char *starts[] = {"2031-03-18T09:00:00+01:00", "2031-03-25T09:00:00+01:00",
                            "2031-04-01T09:00:00+02:00", "2031-04-08T09:00:00+02:00"};
    const char *ends[] = {"2031-03-18T11:30:00+01:00", "2031-03-25T11:30:00+01:00",
                          "2031-04-01T11:30:00+02:00", "2031-04-08T11:30:00+02:00"};
    for (size_t i = 0; i < 4; i++) {
        json_t *w = json_array_get(items, i);
        cr_expect_eq(rfc3339_seconds(json_str(w, "starts_at")), rfc3339_seconds(starts[i]),
                     "occurrence %zu starts at 09:00 local (%s): %s", i, starts[i],
                     json_str(w, "starts_at"));
        cr_expect_eq(rfc3339_seconds(json_str(w, "ends_at")), rfc3339_seconds(ends[i]),
                     "occurrence %zu ends: %s", i, json_str(w, "ends_at"));
        cr_expect_str_eq(json_str(w, "series_id"), series);
        cr_expect_eq(integer(w, "capacity"), 8);
        cr_expect_eq(integer(w, "seats_left"), 8);
        for (size_t j = 0; j < i; j++)
            cr_expect(!str_is(json_array_get(items, j), "id", json_str(w, "id")), "distinct ids");
    }
    /* the series is listed by series_id */
    char path[256];
    snprintf(path, sizeof path, "/v1/workshops?series_id=%s&from=2031-01-01T00:00:00Z", series);
    json_t *listed_body = list(path);
    json_t *listed_items = items_of(listed_body);
    cr_expect_eq(json_array_size(listed_items), 4);
    for (size_t i = 0; i < json_array_size(listed_items); i++)
        cr_expect_eq(rfc3339_seconds(json_str(json_array_get(listed_items, i), "starts_at")),
                     rfc3339_seconds(starts[i]), "ordered by start");
    json_decref(listed_body);
    json_decref(body);
    remove_place(place);
}

Test(workshops, weekly_recurrence_by_day)
{
    char place[64];
    create_place(false, place, sizeof place);
    /* Tuesday 4 March 2031 */
    json_t *doc = workshop_doc(place, "2031-03-04T14:00:00+01:00", "2031-03-04T16:00:00+01:00", 5);
    json_object_set_new(doc, "recurrence", json_string("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4"));
    json_t *body = create(owner, doc);
    json_t *items = json_object_get(body, "items");
    cr_assert_eq(json_array_size(items), 4, "%s", json_dumps(body, 0));
    const char *starts[] = {"2031-03-04T14:00:00+01:00", "2031-03-06T14:00:00+01:00",
                            "2031-03-11T14:00:00+01:00", "2031-03-13T14:00:00+01:00"};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(rfc3339_seconds(json_str(json_array_get(items, i), "starts_at")),
                     rfc3339_seconds(starts[i]), "occurrence %zu: %s", i, starts[i]);
    json_decref(body);
    remove_place(place);
}

Test(workshops_validation, bad_recurrences_are_422_naming_recurrence)
{
    char place[64];
    mirande_fs(place, sizeof place);
    const char *rules[] = {"FREQ=MONTHLY;COUNT=2",
                           "FREQ=WEEKLY",
                           "FREQ=WEEKLY;COUNT=0",
                           "FREQ=WEEKLY;COUNT=53",
                           "FREQ=WEEKLY;BYDAY=MO;COUNT=2", /* starts on a Tuesday */
                           "FREQ=WEEKLY;COUNT=2;UNTIL=20310401",
                           "freq=weekly;count=2",
                           "FREQ=WEEKLY; COUNT=2",
                           "FREQ=WEEKLY;COUNT=2;BYMONTH=3",
                           "",
                           NULL};
    for (size_t i = 0; rules[i]; i++) {
        json_t *doc =
            workshop_doc(place, "2031-03-04T14:00:00+01:00", "2031-03-04T16:00:00+01:00", 5);
        json_object_set_new(doc, "recurrence", json_string(rules[i]));
        expect_422(doc, "recurrence", NULL, rules[i]);
    }
    json_t *doc = workshop_doc(place, "2031-03-04T14:00:00+01:00", "2031-03-04T16:00:00+01:00", 5);
    json_object_set_new(doc, "recurrence", json_integer(4));
    expect_422(doc, "recurrence", NULL, "a number");
}

Test(workshops_validation, every_bad_field_is_422_naming_it)
{
    char place[64];
    mirande_fs(place, sizeof place);
    const char *S = "2031-03-04T14:00:00+01:00", *E = "2031-03-04T16:00:00+01:00";
    json_t *doc;

    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "title", json_string(""));
    expect_422(doc, "title", NULL, "an empty title");
    doc = workshop_doc(place, S, E, 5);
    json_object_del(doc, "title");
    expect_422(doc, "title", NULL, "no title");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "theme", json_string("astrology"));
    expect_422(doc, "theme", NULL, "an unknown theme");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "audience", json_array());
    expect_422(doc, "audience", NULL, "an empty audience");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "audience", json_pack("[s, s]", "seniors", "martians"));
    expect_422(doc, "audience", NULL, "an unknown audience");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "audience", json_string("seniors"));
    expect_422(doc, "audience", NULL, "an audience that is not an array");
    doc = workshop_doc(place, S, E, 0);
    expect_422(doc, "capacity", NULL, "capacity 0");
    doc = workshop_doc(place, S, E, 501);
    expect_422(doc, "capacity", NULL, "capacity 501");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "capacity", json_real(5.5));
    expect_422(doc, "capacity", NULL, "capacity 5.5");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "price_eur", json_real(1.234));
    expect_422(doc, "price_eur", NULL, "price 1.234");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "price_eur", json_integer(-1));
    expect_422(doc, "price_eur", NULL, "price -1");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "price_eur", json_string("3"));
    expect_422(doc, "price_eur", NULL, "price as a string");
    doc = workshop_doc(place, "2031-03-04 14:00", E, 5);
    expect_422(doc, "starts_at", NULL, "starts_at malformed");
    doc = workshop_doc(place, "demain matin à 9h", E, 5);
    expect_422(doc, "starts_at", NULL, "starts_at in words");
    doc = workshop_doc(place, S, "2031-03-04T13:00:00+01:00", 5);
    expect_422(doc, "ends_at", NULL, "ends_at before starts_at");
    doc = workshop_doc(place, S, S, 5);
    expect_422(doc, "ends_at", NULL, "ends_at = starts_at");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "stop_id", json_string("00000000-0000-4000-8000-000000000000"));
    expect_422(doc, "stop_id", "place_id", "both place_id and stop_id");
    doc = workshop_doc(NULL, S, E, 5);
    expect_422(doc, "place_id", "stop_id", "neither place_id nor stop_id");
    doc = workshop_doc("00000000-0000-4000-8000-000000000000", S, E, 5);
    expect_422(doc, "place_id", NULL, "an unknown place");
    doc = workshop_doc("pas-un-uuid", S, E, 5);
    expect_422(doc, "place_id", NULL, "a place_id that is not a UUID");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "seats_left", json_integer(3));
    expect_422(doc, "seats_left", NULL, "read-only seats_left");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "status", json_string("cancelled"));
    expect_422(doc, "status", NULL, "read-only status");
    doc = workshop_doc(place, S, E, 5);
    json_object_set_new(doc, "colour", json_string("bleu"));
    expect_422(doc, "colour", NULL, "an unknown member");

    /* a deleted place cannot hold workshops */
    char gone[64];
    create_place(false, gone, sizeof gone);
    remove_place(gone);
    doc = workshop_doc(gone, S, E, 5);
    expect_422(doc, "place_id", NULL, "a deleted place");

    /* the body must be a JSON object */
    struct response *r = api_call(true, "POST", "/v1/workshops", owner, "[1,2]", NULL);
    cr_expect_eq(r->status, 400, "an array: %ld", r->status);
    response_free(r);
    r = api_call(true, "POST", "/v1/workshops", owner, "{\"title\":", NULL);
    cr_expect_eq(r->status, 400, "broken JSON: %ld", r->status);
    response_free(r);
}

Test(workshops_validation, scopes)
{
    char place[64];
    mirande_fs(place, sizeof place);
    json_t *doc = workshop_doc(place, "2031-03-04T14:00:00+01:00", "2031-03-04T16:00:00+01:00", 5);
    struct response *r = call_doc("POST", "/v1/workshops", reader, doc, NULL);
    cr_expect_eq(r->status, 403, "workshops:read cannot create: %ld", r->status);
    response_free(r);
    r = call_doc("POST", "/v1/workshops", NULL, doc, NULL);
    cr_expect_eq(r->status, 401, "a token is needed: %ld", r->status);
    response_free(r);
    json_decref(doc);
    char *places_only = test_token("france-services-mirande", "places:read");
    r = api_call(true, "GET", "/v1/workshops", places_only, NULL, NULL);
    cr_expect_eq(r->status, 403, "workshops:read is needed to list: %ld", r->status);
    response_free(r);
    free(places_only);
}

/* ---- reading ---------------------------------------------------------------- */

Test(workshops, get_unknown_or_malformed_is_404)
{
    const char *ids[] = {"00000000-0000-4000-8000-000000000000", "not-a-uuid",
                         "00000000-0000-4000-8000-00000000000", NULL};
    for (size_t i = 0; ids[i]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/workshops/%s", ids[i]);
        struct response *r = api_call(true, "GET", path, reader, NULL, NULL);
        cr_expect_eq(r->status, 404, "GET %s: %ld", ids[i], r->status);
        response_free(r);
        r = patch(ids[i], owner, "{\"title\":\"x\"}", NULL);
        cr_expect_eq(r->status, 404, "PATCH %s: %ld", ids[i], r->status);
        response_free(r);
        r = cancel(ids[i], owner);
        cr_expect_eq(r->status, 404, "cancel %s: %ld", ids[i], r->status);
        response_free(r);
    }
}

Test(workshops_list, filters)
{
    char place[64], path[512];
    create_place(false, place, sizeof place);
    json_t *a = create_at(place, "2031-05-06T10:00:00+02:00", "2031-05-06T12:00:00+02:00", 5);
    json_t *doc = workshop_doc(place, "2031-05-13T10:00:00+02:00", "2031-05-13T12:00:00+02:00", 5);
    json_object_set_new(doc, "theme", json_string("smartphone"));
    json_object_set_new(doc, "audience", json_pack("[s]", "parents"));
    json_t *b = create(owner, doc);
    const char *ida = json_str(a, "id"), *idb = json_str(b, "id");

    /* from/to: an overlap with the window */
    snprintf(path, sizeof path,
             "/v1/workshops?place_id=%s&from=2031-05-01T00:00:00Z&to=2031-05-08T00:00:00Z", place);
    json_t *body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1, "only A in the first week");
    cr_expect(find_id(items_of(body), ida) != NULL);
    json_decref(body);
    snprintf(
        path, sizeof path,
        "/v1/"
        "workshops?place_id=%s&from=2031-05-06T11:00:00%%2B02:00&to=2031-05-13T10:00:00%%2B02:00",
        place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1, "A still running; B starts at `to`");
    cr_expect(find_id(items_of(body), ida) != NULL);
    json_decref(body);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&from=2031-05-06T12:00:00%%2B02:00",
             place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1, "A has ended at from");
    cr_expect(find_id(items_of(body), idb) != NULL);
    json_decref(body);
    /* without from: upcoming ones (both are) */
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s", place);
    cr_expect_eq(count_of(path), 2, "both upcoming");

    /* theme, audience */
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&theme=email", place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1);
    cr_expect(find_id(items_of(body), ida) != NULL, "theme=email: A");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&theme=smartphone", place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1);
    cr_expect(find_id(items_of(body), idb) != NULL, "theme=smartphone: B");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&audience=seniors", place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1);
    cr_expect(find_id(items_of(body), ida) != NULL, "audience=seniors: A");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&audience=parents", place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1);
    cr_expect(find_id(items_of(body), idb) != NULL, "audience=parents: B");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&audience=job_seekers", place);
    cr_expect_eq(count_of(path), 0);

    /* commune (INSEE) */
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&commune=32256", place);
    cr_expect_eq(count_of(path), 2, "both in Mirande");
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&commune=32013", place);
    cr_expect_eq(count_of(path), 0, "none in Auch");
    body = list("/v1/workshops?commune=32256&from=2031-05-06T00:00:00Z&to=2031-05-07T00:00:00Z"
                "&limit=100");
    cr_expect(find_id(items_of(body), ida) != NULL, "commune alone finds A");
    size_t i;
    json_t *it;
    json_array_foreach(items_of(body), i, it)
        cr_expect(str_is(json_object_get(it, "place"), "insee_code", "32256"), "only Mirande");
    json_decref(body);

    /* near / radius_km */
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&near=%f,%f&radius_km=1", place,
             MIRANDE_LAT, MIRANDE_LON);
    cr_expect_eq(count_of(path), 2, "near Mirande");
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&near=" AUCH_POINT "&radius_km=10",
             place);
    cr_expect_eq(count_of(path), 0, "Auch is 23 km away");
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&near=" AUCH_POINT "&radius_km=30",
             place);
    cr_expect_eq(count_of(path), 2, "within 30 km of Auch");
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&near=" AUCH_POINT, place);
    cr_expect_eq(count_of(path), 0, "the default radius is 20 km (Mirande is 23 km away)");

    /* has_seats: a full workshop disappears */
    json_t *full = create_at(place, "2031-05-20T10:00:00+02:00", "2031-05-20T12:00:00+02:00", 1);
    const char *idf = json_str(full, "id");
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&has_seats=true", place);
    cr_expect(listed(path, idf), "seats left before");
    json_t *reg = registered(idf, "seul");
    json_decref(reg);
    cr_expect(!listed(path, idf), "full: not listed with has_seats=true");
    cr_expect(listed(path, ida), "A still has seats");
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&has_seats=false", place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1, "has_seats=false: the full one only");
    cr_expect(find_id(items_of(body), idf) != NULL);
    json_decref(body);

    /* status */
    struct response *r = cancel(idb, owner);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&status=cancelled", place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 1, "status=cancelled: B");
    cr_expect(find_id(items_of(body), idb) != NULL);
    json_decref(body);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&status=scheduled", place);
    body = list(path);
    cr_expect_eq(json_array_size(items_of(body)), 2, "A and the full one");
    cr_expect(find_id(items_of(body), idb) == NULL);
    json_decref(body);
    snprintf(path, sizeof path, "/v1/workshops?place_id=%s&status=completed", place);
    cr_expect_eq(count_of(path), 0);

    /* a place_id with nothing */
    cr_expect_eq(count_of("/v1/workshops?place_id=00000000-0000-4000-8000-000000000000"), 0);

    json_decref(a);
    json_decref(b);
    json_decref(full);
    remove_place(place);
}

Test(workshops_list, bad_parameters_are_400_naming_them)
{
    expect_400("/v1/workshops?from=yesterday", "from");
    expect_400("/v1/workshops?from=2031-05-01", "from");
    expect_400("/v1/workshops?to=2031-13-01T00:00:00Z", "to");
    expect_400("/v1/workshops?theme=astrology", "theme");
    expect_400("/v1/workshops?audience=martians", "audience");
    expect_400("/v1/workshops?commune=3225", "commune");
    expect_400("/v1/workshops?commune=mirande", "commune");
    expect_400("/v1/workshops?place_id=abc", "place_id");
    expect_400("/v1/workshops?series_id=abc", "series_id");
    expect_400("/v1/workshops?near=91,0", "near");
    expect_400("/v1/workshops?near=43.5", "near");
    expect_400("/v1/workshops?near=43.5,0.4,1", "near");
    expect_400("/v1/workshops?near=43.5,0.4&radius_km=0", "radius_km");
    expect_400("/v1/workshops?near=43.5,0.4&radius_km=201", "radius_km");
    expect_400("/v1/workshops?near=43.5,0.4&radius_km=abc", "radius_km");
    expect_400("/v1/workshops?radius_km=5", "radius_km");
    expect_400("/v1/workshops?has_seats=yes", "has_seats");
    expect_400("/v1/workshops?status=done", "status");
    expect_400("/v1/workshops?limit=0", "limit");
    expect_400("/v1/workshops?limit=abc", "limit");
    expect_400("/v1/workshops?cursor=bm90LWEtY3Vyc29y", "cursor");
    expect_400("/v1/workshops?cursor=%25%25", "cursor");
    expect_400("/v1/workshops?colour=blue", "colour");
    /* several at once: each is named */
    struct response *r =
        api_call(true, "GET", "/v1/workshops?theme=x&status=y", reader, NULL, NULL);
    cr_expect_eq(r->status, 400);
    cr_expect(names_field(r, "theme") && names_field(r, "status"), "%s", r->body);
    response_free(r);
}

/* Walks every page of `first` (which has a query string); returns all items. */
static json_t *walk(const char *first, int max_pages, int *pages)
{
    json_t *all = json_array();
    char path[1024];
    snprintf(path, sizeof path, "%s", first);
    for (*pages = 1;; (*pages)++) {
        cr_assert_leq(*pages, max_pages, "too many pages for %s", first);
        struct response *r = api_call(true, "GET", path, reader, NULL, NULL);
        cr_assert_eq(r->status, 200, "%s: %s", path, r->body);
        json_t *body = response_json(r);
        json_array_extend(all, items_of(body));
        const char *next = json_str(body, "next_cursor");
        char link[2048];
        if (!next) {
            cr_expect_null(response_header(r, "Link", link, sizeof link), "no Link at the end");
            json_decref(body);
            response_free(r);
            break;
        }
        cr_expect_not_null(response_header(r, "Link", link, sizeof link), "a Link");
        cr_expect(strstr(link, "rel=\"next\"") != NULL, "Link: %s", link);
        snprintf(path, sizeof path, "%s&cursor=%s", first, next);
        json_decref(body);
        response_free(r);
    }
    return all;
}

Test(workshops_list, pages_walk_every_workshop_once)
{
    char place[64], first[256];
    create_place(false, place, sizeof place);
    json_t *created[7];
    /* three at the same start (the id breaks the tie), four at distinct starts */
    const char *starts[] = {"2031-06-10T10:00:00Z", "2031-06-10T10:00:00Z", "2031-06-10T10:00:00Z",
                            "2031-06-09T10:00:00Z", "2031-06-11T10:00:00Z", "2031-06-12T10:00:00Z",
                            "2031-06-08T10:00:00Z"};
    for (int i = 0; i < 7; i++) {
        char ends[32];
        snprintf(ends, sizeof ends, "%.11s12:00:00Z", starts[i]);
        created[i] = create_at(place, starts[i], ends, 4);
    }
    int pages = 0;
    snprintf(first, sizeof first, "/v1/workshops?place_id=%s&limit=2", place);
    json_t *all = walk(first, 10, &pages);
    cr_expect_eq(json_array_size(all), 7, "every workshop");
    cr_expect_eq(pages, 4, "7 items by 2: 4 pages");
    for (int i = 0; i < 7; i++) {
        size_t seen = 0, j;
        json_t *it;
        json_array_foreach(all, j, it) if (str_is(it, "id", json_str(created[i], "id"))) seen++;
        cr_expect_eq(seen, 1, "workshop %d appears once", i);
    }
    double previous = 0;
    const char *previous_id = "";
    size_t j;
    json_t *it;
    json_array_foreach(all, j, it)
    {
        double t = rfc3339_seconds(json_str(it, "starts_at"));
        cr_expect(t > previous || (t == previous && strcmp(json_str(it, "id"), previous_id) > 0),
                  "ordered by (starts_at, id)");
        previous = t;
        previous_id = json_str(it, "id");
    }
    json_decref(all);
    /* limit=1: seven pages; limit=7: one */
    snprintf(first, sizeof first, "/v1/workshops?place_id=%s&limit=1", place);
    all = walk(first, 10, &pages);
    cr_expect_eq(json_array_size(all), 7);
    cr_expect_eq(pages, 7);
    json_decref(all);
    snprintf(first, sizeof first, "/v1/workshops?place_id=%s&limit=7", place);
    all = walk(first, 10, &pages);
    cr_expect_eq(json_array_size(all), 7);
    cr_expect_eq(pages, 1, "no next_cursor when everything fits");
    json_decref(all);
    for (int i = 0; i < 7; i++)
        json_decref(created[i]);
    remove_place(place);
}

/* ---- PATCH ------------------------------------------------------------------ */

Test(workshops_write, the_owner_changes_the_title_with_if_match)
{
    char place[64], etag[128], new_etag[128], if_match[160];
    create_place(false, place, sizeof place);
    json_t *doc = workshop_doc(place, "2031-07-01T10:00:00+02:00", "2031-07-01T12:00:00+02:00", 5);
    struct response *r = call_doc("POST", "/v1/workshops", owner, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag));
    json_t *w = response_json(r);
    response_free(r);
    const char *id = json_str(w, "id");

    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    r = patch(id, owner, "{\"title\":\"Nouveau titre\",\"price_eur\":1.5}", if_match);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_expect_not_null(response_header(r, "ETag", new_etag, sizeof new_etag));
    cr_expect_str_neq(new_etag, etag, "a new ETag");
    json_t *updated = response_json(r);
    response_free(r);
    cr_expect_str_eq(json_str(updated, "title"), "Nouveau titre");
    cr_expect(close_to(num(updated, "price_eur"), 1.5, 1e-9));
    cr_expect_str_eq(json_str(updated, "theme"), "email", "the rest stays");
    cr_expect_eq(integer(updated, "capacity"), 5);
    cr_expect_eq(rfc3339_seconds(json_str(updated, "starts_at")),
                 rfc3339_seconds(json_str(w, "starts_at")));
    json_decref(updated);
    json_t *now = get_workshop(id);
    cr_expect_str_eq(json_str(now, "title"), "Nouveau titre", "stored");
    json_decref(now);

    /* the old ETag no longer matches */
    r = patch(id, owner, "{\"title\":\"Encore\"}", if_match);
    cr_expect_eq(r->status, 412, "stale If-Match: %ld %s", r->status, r->body);
    response_free(r);
    now = get_workshop(id);
    cr_expect_str_eq(json_str(now, "title"), "Nouveau titre", "412 wrote nothing");
    json_decref(now);
    /* a registration changes the workshop (seats): its ETag too */
    json_t *reg = registered(id, "etag-1");
    json_decref(reg);
    snprintf(if_match, sizeof if_match, "If-Match: %s", new_etag);
    r = patch(id, owner, "{\"title\":\"Encore\"}", if_match);
    cr_expect_eq(r->status, 412, "a registration happened since: %ld", r->status);
    response_free(r);

    /* validation on PATCH */
    const char *bad[][2] = {{"{\"title\":\"\"}", "title"},
                            {"{\"capacity\":0}", "capacity"},
                            {"{\"capacity\":501}", "capacity"},
                            {"{\"theme\":\"astrology\"}", "theme"},
                            {"{\"price_eur\":1.234}", "price_eur"},
                            {"{\"recurrence\":\"FREQ=WEEKLY;COUNT=2\"}", "recurrence"},
                            {"{\"place_id\":\"00000000-0000-4000-8000-000000000000\"}", "place_id"},
                            {"{\"seats_left\":9}", "seats_left"},
                            {"{\"colour\":\"bleu\"}", "colour"},
                            {"{\"ends_at\":\"2031-07-01T09:00:00+02:00\"}", "ends_at"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = patch(id, owner, bad[i][0], NULL);
        cr_expect_eq(r->status, 422, "%s: %ld %s", bad[i][0], r->status, r->body);
        cr_expect(names_field(r, bad[i][1]), "%s names %s: %s", bad[i][0], bad[i][1], r->body);
        response_free(r);
    }
    json_decref(w);
    remove_place(place);
}

Test(workshops_write, another_organisation_is_403)
{
    char place[64];
    create_place(false, place, sizeof place);
    json_t *w = create_at(place, "2031-07-02T10:00:00+02:00", "2031-07-02T12:00:00+02:00", 5);
    const char *id = json_str(w, "id");
    struct response *r = patch(id, other, "{\"title\":\"Détourné\"}", NULL);
    cr_expect_eq(r->status, 403, "another organisation: %ld %s", r->status, r->body);
    response_free(r);
    r = cancel(id, other);
    cr_expect_eq(r->status, 403, "another organisation cannot cancel: %ld", r->status);
    response_free(r);
    r = patch(id, reader, "{\"title\":\"Détourné\"}", NULL);
    cr_expect_eq(r->status, 403, "workshops:read cannot patch: %ld", r->status);
    response_free(r);
    json_t *now = get_workshop(id);
    cr_expect_str_eq(json_str(now, "title"), json_str(w, "title"), "nothing written");
    cr_expect_str_eq(json_str(now, "status"), "scheduled");
    json_decref(now);
    r = patch(id, admin, "{\"title\":\"Corrigé par l'admin\"}", NULL);
    cr_expect_eq(r->status, 200, "admin may: %s", r->body);
    response_free(r);
    json_decref(w);
    remove_place(place);
}

Test(workshops_write, capacity_below_confirmed_is_409)
{
    char place[64];
    create_place(false, place, sizeof place);
    json_t *w = create_at(place, "2031-07-03T10:00:00+02:00", "2031-07-03T12:00:00+02:00", 3);
    const char *id = json_str(w, "id");
    for (int i = 0; i < 3; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "cap-%d", i);
        json_decref(registered(id, ref));
    }
    struct response *r = patch(id, owner, "{\"capacity\":2}", NULL);
    cr_expect_eq(r->status, 409, "3 confirmed, capacity 2: %ld %s", r->status, r->body);
    response_free(r);
    json_t *now = get_workshop(id);
    cr_expect_eq(integer(now, "capacity"), 3, "unchanged");
    cr_expect_eq(integer(now, "seats_left"), 0);
    json_decref(now);
    r = patch(id, owner, "{\"capacity\":3}", NULL);
    cr_expect_eq(r->status, 200, "= confirmed is fine: %s", r->body);
    response_free(r);
    json_decref(w);
    remove_place(place);
}

Test(workshops_write, raising_capacity_promotes_the_waiting_list_in_order)
{
    char place[64];
    create_place(false, place, sizeof place);
    json_t *w = create_at(place, "2031-07-04T10:00:00+02:00", "2031-07-04T12:00:00+02:00", 2);
    const char *id = json_str(w, "id");
    char ids[6][64];
    for (int i = 0; i < 6; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "p%d", i);
        json_t *reg = registered(id, ref);
        snprintf(ids[i], sizeof ids[i], "%s", json_str(reg, "id"));
        if (i < 2) {
            cr_expect_str_eq(json_str(reg, "status"), "confirmed");
        } else {
            cr_expect_str_eq(json_str(reg, "status"), "waitlisted");
            cr_expect_eq(integer(reg, "waitlist_position"), i - 1);
        }
        json_decref(reg);
    }
    json_t *now = get_workshop(id);
    cr_expect_eq(integer(now, "seats_left"), 0);
    cr_expect_eq(integer(now, "waitlist_count"), 4);
    json_decref(now);

    struct response *r = patch(id, owner, "{\"capacity\":4}", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *updated = response_json(r);
    response_free(r);
    cr_expect_eq(integer(updated, "capacity"), 4);
    cr_expect_eq(integer(updated, "seats_left"), 0, "two promoted: still full");
    cr_expect_eq(integer(updated, "waitlist_count"), 2);
    json_decref(updated);

    json_t *regs = registrations_of(id);
    json_t *items = json_object_get(regs, "items");
    cr_assert_eq(json_array_size(items), 6);
    for (int i = 0; i < 6; i++) {
        json_t *reg = find_id(items, ids[i]);
        cr_assert_not_null(reg);
        if (i < 4) {
            cr_expect_str_eq(json_str(reg, "status"), "confirmed", "p%d confirmed", i);
            cr_expect(json_is_null(json_object_get(reg, "waitlist_position")));
        } else {
            cr_expect_str_eq(json_str(reg, "status"), "waitlisted", "p%d still waiting", i);
            cr_expect_eq(integer(reg, "waitlist_position"), i - 3, "p%d moved up", i);
        }
    }
    json_decref(regs);

    /* more than the waiting list: everyone confirmed, seats left */
    r = patch(id, owner, "{\"capacity\":10}", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    updated = response_json(r);
    response_free(r);
    cr_expect_eq(integer(updated, "seats_left"), 4);
    cr_expect_eq(integer(updated, "waitlist_count"), 0);
    json_decref(updated);
    regs = registrations_of(id);
    size_t i;
    json_t *reg;
    json_array_foreach(json_object_get(regs, "items"), i, reg)
        cr_expect_str_eq(json_str(reg, "status"), "confirmed");
    json_decref(regs);
    /* lowering it again (not below confirmed) promotes nobody and keeps counts */
    r = patch(id, owner, "{\"capacity\":7}", NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    updated = response_json(r);
    cr_expect_eq(integer(updated, "seats_left"), 1);
    json_decref(updated);
    response_free(r);
    json_decref(w);
    remove_place(place);
}

/* ---- cancel ------------------------------------------------------------------ */

Test(workshops_write, cancel_cancels_every_registration)
{
    char place[64];
    create_place(false, place, sizeof place);
    json_t *w = create_at(place, "2031-07-05T10:00:00+02:00", "2031-07-05T12:00:00+02:00", 2);
    const char *id = json_str(w, "id");
    for (int i = 0; i < 3; i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "c%d", i);
        json_decref(registered(id, ref));
    }
    struct response *r = cancel(id, owner);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *cancelled = response_json(r);
    char etag[128];
    cr_expect_not_null(response_header(r, "ETag", etag, sizeof etag));
    response_free(r);
    cr_expect_str_eq(json_str(cancelled, "status"), "cancelled");
    cr_expect_str_eq(json_str(cancelled, "id"), id);
    cr_expect_eq(integer(cancelled, "waitlist_count"), 0);
    json_decref(cancelled);
    json_t *now = get_workshop(id);
    cr_expect_str_eq(json_str(now, "status"), "cancelled");
    json_decref(now);

    json_t *regs = registrations_of(id);
    cr_expect_eq(json_array_size(json_object_get(regs, "items")), 3);
    size_t i;
    json_t *reg;
    json_array_foreach(json_object_get(regs, "items"), i, reg)
    {
        cr_expect_str_eq(json_str(reg, "status"), "cancelled", "registration %zu", i);
        cr_expect(json_is_null(json_object_get(reg, "waitlist_position")));
    }
    json_decref(regs);

    r = cancel(id, owner);
    cr_expect_eq(r->status, 409, "second cancel: %ld %s", r->status, r->body);
    response_free(r);
    r = register_one(owner, id, "late");
    cr_expect_eq(r->status, 409, "registering on a cancelled workshop: %ld %s", r->status, r->body);
    response_free(r);
    r = register_one(partner, id, "late-partner");
    cr_expect_eq(r->status, 409, "for a partner too: %ld", r->status);
    response_free(r);
    r = patch(id, owner, "{\"title\":\"Ressuscité\"}", NULL);
    cr_expect_eq(r->status, 409, "PATCH of a cancelled workshop: %ld %s", r->status, r->body);
    response_free(r);
    r = patch(id, owner, "{\"capacity\":5}", NULL);
    cr_expect_eq(r->status, 409, "nor its capacity: %ld", r->status);
    response_free(r);
    regs = registrations_of(id);
    cr_expect_eq(json_array_size(json_object_get(regs, "items")), 3, "nothing added");
    json_decref(regs);
    json_decref(w);
    remove_place(place);
}

/* ---- rules added after the review ------------------------------------------- */

TestSuite(workshops_rules, .init = start, .fini = fixture_stop, .timeout = 120);

Test(workshops_rules, workshops_start_in_the_future)
{
    char place[64];
    mirande_fs(place, sizeof place);
    expect_422(workshop_doc(place, "2020-03-04T14:00:00+01:00", "2020-03-04T16:00:00+01:00", 5),
               "starts_at", NULL, "a workshop in the past");
    json_t *w = create_at(place, "2031-05-06T14:00:00+02:00", "2031-05-06T16:00:00+02:00", 5);
    struct response *r = patch(json_str(w, "id"), owner,
                               "{\"starts_at\":\"2020-03-04T14:00:00+01:00\","
                               "\"ends_at\":\"2020-03-04T16:00:00+01:00\"}",
                               NULL);
    cr_expect_eq(r->status, 422, "moved into the past: %s", r->body);
    cr_expect(names_field(r, "starts_at"));
    response_free(r);
    json_decref(w);
}

Test(workshops_rules, a_workshop_at_a_stop_falls_within_the_stop)
{
    char unit[64], stop_id[64];
    create_place(true, unit, sizeof unit);
    create_stop(unit, "2031-10-21T09:30:00+02:00", "2031-10-21T12:30:00+02:00", stop_id,
                sizeof stop_id);
    json_t *doc = workshop_doc(NULL, "2031-11-14T10:00:00+01:00", "2031-11-14T11:00:00+01:00", 5);
    json_object_set_new(doc, "stop_id", json_string(stop_id));
    expect_422(doc, "starts_at", NULL, "a workshop a month after its stop");
    doc = workshop_doc(NULL, "2031-10-21T10:00:00+02:00", "2031-10-21T11:00:00+02:00", 5);
    json_object_set_new(doc, "stop_id", json_string(stop_id));
    json_object_set_new(doc, "recurrence", json_string("FREQ=WEEKLY;COUNT=3"));
    expect_422(doc, "recurrence", NULL, "a series at one dated stop");
    doc = workshop_doc(NULL, "2031-10-21T10:00:00+02:00", "2031-10-21T11:00:00+02:00", 5);
    json_object_set_new(doc, "stop_id", json_string(stop_id));
    json_decref(create(owner, doc));
}

Test(workshops_rules, a_cancelled_workshop_has_no_seats)
{
    char place[64], path[160];
    mirande_fs(place, sizeof place);
    json_t *w = create_at(place, "2031-05-13T14:00:00+02:00", "2031-05-13T16:00:00+02:00", 5);
    struct response *r = cancel(json_str(w, "id"), owner);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *cancelled = response_json(r);
    cr_expect_eq(integer(cancelled, "seats_left"), 0);
    json_decref(cancelled);
    response_free(r);
    snprintf(path, sizeof path,
             "/v1/workshops?place_id=%s&from=2031-05-13T00:00:00%%2B02:00&has_seats=true", place);
    cr_expect(!listed(path, json_str(w, "id")), "a cancelled workshop is not listed with seats");
    json_decref(w);
}

Test(workshops_rules, an_audience_is_named_once)
{
    char place[64];
    mirande_fs(place, sizeof place);
    json_t *doc = workshop_doc(place, "2031-05-20T14:00:00+02:00", "2031-05-20T16:00:00+02:00", 5);
    json_object_set_new(doc, "audience", json_pack("[s, s]", "seniors", "seniors"));
    expect_422(doc, "audience", NULL, "a repeated audience");
}
