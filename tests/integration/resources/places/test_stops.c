/* The dated stops of mobile units: GET /v1/stops (time window, near, pages),
 * GET /v1/places/{id}/stops, and POST /v1/places/{id}/stops with its checks.
 *
 * Seeded: the demo bus (inclusion-api-demo / demo-bus-numerique) stops on
 * Tuesdays in Miélan and Thursdays in Marciac, 09:30-12:30 Paris time, from
 * December 2026 to June 2027. Nobody changes these. The stops this file
 * creates are on places it creates, in 2031, far from the seeded window. */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEMO_SOURCE "inclusion-api-demo"
#define DEC_WEEK    "from=2026-12-01T00:00:00%2B01:00&to=2026-12-08T00:00:00%2B01:00"
#define DEC_MONTH   "from=2026-12-01T00:00:00%2B01:00&to=2027-01-01T00:00:00%2B01:00"
/* Points the seed uses: ST_PointOnSurface of each commune. */
#define MIELAN_LAT  43.42524
#define MIELAN_LON  0.30991
#define MARCIAC_LAT 43.52129
#define MARCIAC_LON 0.14991
#define AUCH_LAT    43.662545
#define AUCH_LON    0.6082926

static char *reader, *writer, *other, *admin;

static void start(void)
{
    fixture_start();
    fixture_token(&reader, "france-services-mirande", "places:read");
    fixture_token(&writer, "france-services-mirande", "places:read places:write");
    fixture_token(&other, "france-services-mielan", "places:read places:write");
    fixture_token(&admin, "gers-numerique", "admin places:read places:write");
}

TestSuite(stops, .init = start, .fini = fixture_stop, .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

static bool str_is(json_t *obj, const char *key, const char *value)
{
    const char *v = json_str(obj, key);
    return v && strcmp(v, value) == 0;
}

static double num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

static bool close_to(double a, double b, double eps)
{
    return a - b < eps && b - a < eps;
}

static json_t *get_ok(const char *path)
{
    struct response *r = http_get(server.base_url, path, reader);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r);
    cr_assert_not_null(body);
    cr_assert(json_is_array(json_object_get(body, "items")), "%s has items", path);
    response_free(r);
    return body;
}

static json_t *items_of(json_t *body)
{
    return json_object_get(body, "items");
}

static void expect_400(const char *path, const char *field)
{
    struct response *r = http_get(server.base_url, path, reader);
    cr_expect_eq(r->status, 400, "%s: %ld %s", path, r->status, r->body);
    cr_expect(names_field(r, field), "%s names %s: %s", path, field, r->body);
    response_free(r);
}

static struct response *send_doc(const char *method, const char *path, const char *token,
                                 json_t *doc)
{
    char auth[4096];
    char *text = json_dumps(doc, JSON_COMPACT);
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    struct response *r = http_request(method, url(path), headers, text);
    free(text);
    return r;
}

/* The id of the demo bus (copied into buf). */
static const char *bus_id(char *buf, size_t cap)
{
    json_t *body = get_ok("/v1/places?itinerant=true&commune=32013&limit=1000");
    size_t i;
    json_t *item;
    buf[0] = '\0';
    json_array_foreach(items_of(body), i, item) if (str_is(item, "source", DEMO_SOURCE) &&
                                                    str_is(item, "source_id", "demo-bus-numerique"))
        snprintf(buf, cap, "%s", json_str(item, "id"));
    json_decref(body);
    cr_assert(buf[0], "the demo bus is seeded");
    return buf;
}

/* A place of `token`'s organisation in Mirande; itinerant or fixed. Returns its id. */
static void create_place(const char *token, bool itinerant, char *id, size_t cap)
{
    char tag[64], name[128];
    test_nonce("s", tag, sizeof tag);
    snprintf(name, sizeof name, "Unité mobile d'essai %s", tag);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s]}", "source",
                            "integration-tests", "source_id", tag, "pivot", "00000000000000",
                            "name", name, "street", "1 rue de l'Essai", "postal_code", "32300",
                            "commune", "Mirande", "insee_code", "32256", "latitude", 43.513985,
                            "longitude", 0.400199, "itinerance", itinerant ? "itinerant" : "fixe");
    struct response *r = send_doc("POST", "/v1/places", token, doc);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *created = response_json(r);
    snprintf(id, cap, "%s", json_str(created, "id"));
    json_decref(created);
    response_free(r);
}

static void remove_place(const char *id)
{
    char path[128], auth[4096];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    const char *headers[] = {bearer_header(admin, auth, sizeof auth), NULL};
    struct response *r = http_request("DELETE", url(path), headers, NULL);
    cr_expect_eq(r->status, 204, "cleanup: %ld", r->status);
    response_free(r);
}

static json_t *stop_doc(const char *starts, const char *ends, const char *insee, double lat,
                        double lon)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "starts_at", starts, "ends_at", ends,
                     "insee_code", insee, "address", "Place de la mairie", "latitude", lat,
                     "longitude", lon);
}

static struct response *post_stop(const char *place_id, const char *token, json_t *doc)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/places/%s/stops", place_id);
    return send_doc("POST", path, token, doc);
}

static size_t stops_of(const char *place_id, const char *window)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/places/%s/stops?%s", place_id, window);
    json_t *body = get_ok(path);
    size_t n = json_array_size(items_of(body));
    json_decref(body);
    return n;
}

#define Y2031 "from=2031-01-01T00:00:00Z&to=2031-12-31T00:00:00Z"

/* ---- reading ------------------------------------------------------------- */

Test(stops, the_demo_bus_stops_in_the_first_week_of_december)
{
    char bus[64];
    bus_id(bus, sizeof bus);
    json_t *body = get_ok("/v1/stops?" DEC_WEEK);
    json_t *items = items_of(body);
    json_t *mielan = NULL, *marciac = NULL;
    size_t i, of_bus = 0;
    json_t *s;
    double previous = 0;
    json_array_foreach(items, i, s)
    {
        double starts = rfc3339_seconds(json_str(s, "starts_at")),
               ends = rfc3339_seconds(json_str(s, "ends_at"));
        cr_expect_geq(starts, previous, "ordered by starts_at");
        previous = starts;
        cr_expect(ends > rfc3339_seconds("2026-12-01T00:00:00+01:00") &&
                      starts < rfc3339_seconds("2026-12-08T00:00:00+01:00"),
                  "overlaps the window");
        if (!str_is(s, "place_id", bus))
            continue;
        of_bus++;
        if (str_is(s, "insee_code", "32252"))
            mielan = s;
        if (str_is(s, "insee_code", "32233"))
            marciac = s;
    }
    cr_expect_eq(of_bus, 2, "two stops of the bus that week");
    cr_assert_not_null(mielan, "Miélan on Tuesday");
    cr_assert_not_null(marciac, "Marciac on Thursday");
    cr_expect_eq(rfc3339_seconds(json_str(mielan, "starts_at")),
                 rfc3339_seconds("2026-12-01T09:30:00+01:00"));
    cr_expect_eq(rfc3339_seconds(json_str(mielan, "ends_at")),
                 rfc3339_seconds("2026-12-01T12:30:00+01:00"));
    cr_expect_eq(rfc3339_seconds(json_str(marciac, "starts_at")),
                 rfc3339_seconds("2026-12-03T09:30:00+01:00"));
    cr_expect_str_eq(json_str(mielan, "commune"), "Miélan");
    cr_expect_str_eq(json_str(marciac, "commune"), "Marciac");
    cr_expect_str_eq(json_str(mielan, "place_name"), "Bus numérique du Gers (démo)");
    cr_expect_str_eq(json_str(mielan, "address"), "Place de la mairie");
    cr_expect(close_to(num(mielan, "latitude"), MIELAN_LAT, 1e-4) &&
                  close_to(num(mielan, "longitude"), MIELAN_LON, 1e-4),
              "at Miélan: %g,%g", num(mielan, "latitude"), num(mielan, "longitude"));
    cr_expect_not_null(json_str(mielan, "id"));
    json_decref(body);
}

Test(stops, the_window_is_an_overlap)
{
    char bus[64], path[256];
    bus_id(bus, sizeof bus);
    /* from during the Miélan stop (09:30-12:30), to exactly when Marciac starts */
    snprintf(
        path, sizeof path,
        "/v1/places/%s/stops?from=2026-12-01T10:00:00%%2B01:00&to=2026-12-03T09:30:00%%2B01:00",
        bus);
    json_t *body = get_ok(path);
    json_t *items = items_of(body);
    cr_expect_eq(json_array_size(items), 1, "Miélan (still running), not Marciac (starts at to)");
    cr_expect(str_is(json_array_get(items, 0), "insee_code", "32252"));
    json_decref(body);
    /* from exactly when the Miélan stop ends: no longer there */
    snprintf(path, sizeof path,
             "/v1/places/%s/stops?from=2026-12-01T11:30:00Z&to=2026-12-03T10:00:00%%2B01:00", bus);
    body = get_ok(path);
    items = items_of(body);
    cr_expect_eq(json_array_size(items), 1, "only Marciac");
    cr_expect(str_is(json_array_get(items, 0), "insee_code", "32233"));
    json_decref(body);
    /* to defaults to from + 7 days */
    snprintf(path, sizeof path, "/v1/places/%s/stops?from=2026-12-01T00:00:00%%2B01:00", bus);
    body = get_ok(path);
    cr_expect_eq(json_array_size(items_of(body)), 2, "Dec 1 and Dec 3 only");
    json_decref(body);
    /* a window without stops: Christmas week's Friday to Monday */
    snprintf(
        path, sizeof path,
        "/v1/places/%s/stops?from=2026-12-25T00:00:00%%2B01:00&to=2026-12-28T00:00:00%%2B01:00",
        bus);
    body = get_ok(path);
    cr_expect_eq(json_array_size(items_of(body)), 0);
    json_decref(body);
}

Test(stops, near_and_radius_filter_the_stops)
{
    char bus[64];
    bus_id(bus, sizeof bus);
    json_t *body = get_ok("/v1/stops?" DEC_MONTH "&near=43.42524,0.30991&radius_km=5");
    json_t *items = items_of(body);
    size_t i, of_bus = 0;
    json_t *s;
    json_array_foreach(items, i, s)
    {
        cr_expect(str_is(s, "insee_code", "32252"), "only Miélan within 5 km: %s",
                  json_str(s, "commune"));
        if (str_is(s, "place_id", bus))
            of_bus++;
    }
    cr_expect_eq(of_bus, 5, "the five Tuesdays of December 2026");
    json_decref(body);

    body = get_ok("/v1/stops?" DEC_MONTH "&near=43.52129,0.14991&radius_km=2");
    of_bus = 0;
    json_array_foreach(items_of(body), i, s)
    {
        cr_expect(str_is(s, "insee_code", "32233"), "only Marciac");
        if (str_is(s, "place_id", bus))
            of_bus++;
    }
    cr_expect_eq(of_bus, 5, "the five Thursdays of December 2026");
    json_decref(body);

    /* Auch is 30 km away from both */
    body = get_ok("/v1/stops?" DEC_MONTH "&near=43.662545,0.6082926&radius_km=10");
    json_array_foreach(items_of(body), i, s)
        cr_expect(!str_is(s, "place_id", bus), "no bus stop near Auch");
    json_decref(body);
    /* a wide radius has both */
    body = get_ok("/v1/stops?" DEC_WEEK "&near=43.47,0.23&radius_km=50");
    of_bus = 0;
    json_array_foreach(items_of(body), i, s) if (str_is(s, "place_id", bus)) of_bus++;
    cr_expect_eq(of_bus, 2);
    json_decref(body);
}

Test(stops, pages_walk_every_stop_once_in_order)
{
    char bus[64], path[512], link[2048];
    bus_id(bus, sizeof bus);
    const char *firsts[] = {"/v1/stops?" DEC_MONTH "&limit=3", NULL, NULL};
    char place_first[256];
    snprintf(place_first, sizeof place_first, "/v1/places/%s/stops?%s&limit=2", bus, DEC_MONTH);
    firsts[1] = place_first;
    for (size_t f = 0; firsts[f]; f++) {
        json_t *seen = json_array();
        snprintf(path, sizeof path, "%s", firsts[f]);
        for (int page = 0;; page++) {
            cr_assert_lt(page, 100);
            struct response *r = http_get(server.base_url, path, reader);
            cr_assert_eq(r->status, 200, "%s: %s", path, r->body);
            json_t *body = response_json(r);
            json_array_extend(seen, items_of(body));
            const char *next = json_str(body, "next_cursor");
            if (!next) {
                cr_expect_null(response_header(r, "Link", link, sizeof link));
                json_decref(body);
                response_free(r);
                break;
            }
            cr_expect_not_null(response_header(r, "Link", link, sizeof link));
            cr_expect(strstr(link, next) != NULL, "Link: %s", link);
            snprintf(path, sizeof path, "%s&cursor=%s", firsts[f], next);
            json_decref(body);
            response_free(r);
        }
        size_t i, of_bus = 0;
        json_t *s;
        double previous = 0;
        json_array_foreach(seen, i, s)
        {
            double t = rfc3339_seconds(json_str(s, "starts_at"));
            cr_expect_geq(t, previous, "ascending starts_at across pages");
            previous = t;
            for (size_t j = 0; j < i; j++)
                cr_expect(!str_is(json_array_get(seen, j), "id", json_str(s, "id")), "no repeat");
            if (str_is(s, "place_id", bus))
                of_bus++;
        }
        cr_expect_eq(of_bus, 10, "%s: 5 Tuesdays and 5 Thursdays", firsts[f]);
        json_decref(seen);
    }
}

Test(stops, bad_queries_are_400_naming_the_parameter)
{
    char bus[64], path[256];
    bus_id(bus, sizeof bus);
    const char *cases[][2] = {
        {"/v1/stops?from=tomorrow", "from"},
        {"/v1/stops?from=2026-12-01", "from"},
        {"/v1/stops?to=2026-12-32T00:00:00Z", "to"},
        {"/v1/stops?near=43.4", "near"},
        {"/v1/stops?near=43.4,0.3,1", "near"},
        {"/v1/stops?near=95,0.3", "near"},
        {"/v1/stops?near=43.4,0.3&radius_km=0", "radius_km"},
        {"/v1/stops?near=43.4,0.3&radius_km=500", "radius_km"},
        {"/v1/stops?near=43.4,0.3&radius_km=nan", "radius_km"},
        {"/v1/stops?radius_km=5", "radius_km"},
        {"/v1/stops?limit=0", "limit"},
        {"/v1/stops?limit=201", "limit"},
        {"/v1/stops?limit=x", "limit"},
        {"/v1/stops?cursor=garbage", "cursor"},
        {"/v1/stops?colour=blue", "colour"},
        /* an offset PostgreSQL cannot represent (beyond +-15:59) */
        {"/v1/stops?from=2026-12-08T10:00:00%2B20:00", "from"},
        {"/v1/stops?to=2026-12-08T10:00:00-18:00", "to"},
        /* a well-formed cursor (base64url of ["abc","x"]) the API never wrote */
        {"/v1/stops?cursor=WyJhYmMiLCJ4Il0", "cursor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_400(cases[i][0], cases[i][1]);
    snprintf(path, sizeof path, "/v1/places/%s/stops?near=43.4,0.3", bus);
    expect_400(path, "near");
    snprintf(path, sizeof path, "/v1/places/%s/stops?from=x", bus);
    expect_400(path, "from");
    json_t *body = get_ok("/v1/stops?" DEC_WEEK "&limit=200");
    json_decref(body);
}

Test(stops, stops_of_an_unknown_place_are_404)
{
    const char *paths[] = {"/v1/places/00000000-0000-4000-8000-000000000000/stops",
                           "/v1/places/not-a-uuid/stops", NULL};
    for (size_t i = 0; paths[i]; i++) {
        struct response *r = http_get(server.base_url, paths[i], reader);
        cr_expect_eq(r->status, 404, "%s", paths[i]);
        response_free(r);
    }
    struct response *r = http_get(server.base_url, "/v1/stops", NULL);
    cr_expect_eq(r->status, 200, "open data: no token needed");
    response_free(r);
    r = http_get(server.base_url, "/v1/stops", "not.a.token");
    cr_expect_eq(r->status, 401, "a token sent is checked");
    response_free(r);
    char *write_only = test_token("france-services-mirande", "places:write");
    r = http_get(server.base_url, "/v1/stops", write_only);
    cr_expect_eq(r->status, 403, "places:read is needed");
    response_free(r);
    free(write_only);
}

/* ---- writing -------------------------------------------------------------- */

Test(stops, a_mobile_unit_adds_its_stops)
{
    char unit[64], path[256], location[256];
    create_place(writer, true, unit, sizeof unit);
    json_t *doc = stop_doc("2031-03-04T09:30:00+01:00", "2031-03-04T12:30:00+01:00", "32252",
                           43.42938, 0.309431);
    struct response *r = post_stop(unit, writer, doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    snprintf(path, sizeof path, "/v1/places/%s/stops", unit);
    cr_expect_str_eq(response_header(r, "Location", location, sizeof location), path);
    json_t *created = response_json(r);
    response_free(r);
    cr_expect_str_eq(json_str(created, "place_id"), unit);
    cr_expect(json_str(created, "place_name") &&
              strstr(json_str(created, "place_name"), "Unité mobile"));
    cr_expect_str_eq(json_str(created, "insee_code"), "32252");
    cr_expect_str_eq(json_str(created, "commune"), "Miélan");
    cr_expect_str_eq(json_str(created, "address"), "Place de la mairie");
    cr_expect_eq(rfc3339_seconds(json_str(created, "starts_at")),
                 rfc3339_seconds("2031-03-04T08:30:00Z"));
    cr_expect_eq(rfc3339_seconds(json_str(created, "ends_at")),
                 rfc3339_seconds("2031-03-04T11:30:00Z"));
    cr_expect(close_to(num(created, "latitude"), 43.42938, 1e-7));
    cr_expect(close_to(num(created, "longitude"), 0.309431, 1e-7));
    json_decref(doc);

    /* it is listed, for the place and in /v1/stops */
    snprintf(path, sizeof path, "/v1/places/%s/stops?" Y2031, unit);
    json_t *body = get_ok(path);
    cr_expect_eq(json_array_size(items_of(body)), 1);
    cr_expect(json_equal(json_array_get(items_of(body), 0), created), "the same stop");
    json_decref(body);
    /* every page: earlier runs on the same database left stops at the same place and time */
    size_t i, found = 0;
    json_t *s;
    char page[512] = "/v1/stops?from=2031-03-04T10:00:00%2B01:00&to=2031-03-05T00:00:00%2B01:00"
                     "&near=43.42938,0.309431&radius_km=1&limit=200";
    for (int n = 0; n < 100 && page[0]; n++) {
        body = get_ok(page);
        json_array_foreach(items_of(body), i, s) if (str_is(s, "id", json_str(created, "id")))
            found++;
        const char *next = json_str(body, "next_cursor");
        if (next)
            snprintf(page, sizeof page,
                     "/v1/stops?from=2031-03-04T10:00:00%%2B01:00&to=2031-03-05T00:00:00%%2B01:00"
                     "&near=43.42938,0.309431&radius_km=1&limit=200&cursor=%s",
                     next);
        else
            page[0] = '\0';
        json_decref(body);
    }
    cr_expect_eq(found, 1, "in /v1/stops near Miélan");

    /* a second stop, the same day in another commune; admin may add one too */
    doc = stop_doc("2031-03-04T14:00:00+01:00", "2031-03-04T17:00:00+01:00", "32233", MARCIAC_LAT,
                   MARCIAC_LON);
    r = post_stop(unit, admin, doc);
    cr_expect_eq(r->status, 201, "admin: %s", r->body);
    response_free(r);
    json_decref(doc);
    cr_expect_eq(stops_of(unit, Y2031), 2);

    /* once the place is deleted, its stops are gone */
    remove_place(unit);
    body = get_ok("/v1/stops?from=2031-03-04T00:00:00Z&to=2031-03-05T00:00:00Z");
    json_array_foreach(items_of(body), i, s)
        cr_expect(!str_is(s, "place_id", unit), "no stop of a deleted place");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/places/%s/stops", unit);
    r = http_get(server.base_url, path, reader);
    cr_expect_eq(r->status, 404);
    response_free(r);
    doc = stop_doc("2031-03-11T09:30:00+01:00", "2031-03-11T12:30:00+01:00", "32252", 43.42938,
                   0.309431);
    r = post_stop(unit, writer, doc);
    cr_expect_eq(r->status, 404, "no stops for a deleted place");
    response_free(r);
    json_decref(doc);
    json_decref(created);
}

Test(stops, the_same_start_twice_is_409)
{
    char unit[64];
    create_place(writer, true, unit, sizeof unit);
    json_t *doc = stop_doc("2031-05-06T09:30:00+02:00", "2031-05-06T12:30:00+02:00", "32252",
                           MIELAN_LAT, MIELAN_LON);
    struct response *r = post_stop(unit, writer, doc);
    cr_expect_eq(r->status, 201, "%s", r->body);
    response_free(r);
    r = post_stop(unit, writer, doc);
    cr_expect_eq(r->status, 409, "%s", r->body);
    cr_expect(strstr(r->body, "place_stops") == NULL, "no SQL: %s", r->body);
    response_free(r);
    json_decref(doc);
    /* the same instant written in UTC */
    doc =
        stop_doc("2031-05-06T07:30:00Z", "2031-05-06T11:00:00Z", "32233", MARCIAC_LAT, MARCIAC_LON);
    r = post_stop(unit, writer, doc);
    cr_expect_eq(r->status, 409, "the same instant: %s", r->body);
    response_free(r);
    json_decref(doc);
    cr_expect_eq(stops_of(unit, Y2031), 1);
    remove_place(unit);
}

Test(stops, invalid_stops_are_422_and_write_nothing)
{
    char unit[64], fixed[64];
    create_place(writer, true, unit, sizeof unit);
    create_place(writer, false, fixed, sizeof fixed);

    /* a fixed place has no stops */
    json_t *doc = stop_doc("2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32252",
                           MIELAN_LAT, MIELAN_LON);
    struct response *r = post_stop(fixed, writer, doc);
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(names_field(r, "place_id"), "%s", r->body);
    response_free(r);
    json_decref(doc);
    cr_expect_eq(stops_of(fixed, Y2031), 0);

    struct {
        const char *starts, *ends, *insee;
        double lat, lon;
        const char *field;
    } cases[] = {
        {"2031-06-03T12:30:00+02:00", "2031-06-03T09:30:00+02:00", "32252", MIELAN_LAT, MIELAN_LON,
         "ends_at"},
        {"2031-06-03T09:30:00+02:00", "2031-06-03T09:30:00+02:00", "32252", MIELAN_LAT, MIELAN_LON,
         "ends_at"},
        {"2031-06-03T09:30:00+02:00", "2031-06-03T07:00:00Z", "32252", MIELAN_LAT, MIELAN_LON,
         "ends_at"},
        {"2031-06-03 09:30", "2031-06-03T12:30:00+02:00", "32252", MIELAN_LAT, MIELAN_LON,
         "starts_at"},
        {"2031-06-03T09:30:00+02:00", "midi et demi", "32252", MIELAN_LAT, MIELAN_LON, "ends_at"},
        /* an offset PostgreSQL cannot represent */
        {"2031-06-03T09:30:00+20:00", "2031-06-03T12:30:00+02:00", "32252", MIELAN_LAT, MIELAN_LON,
         "starts_at"},
        /* Miélan's code with Auch's coordinates */
        {"2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32252", AUCH_LAT, AUCH_LON,
         "latitude"},
        /* Miélan's code with Marciac's coordinates (16 km away) */
        {"2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32252", MARCIAC_LAT,
         MARCIAC_LON, "latitude"},
        {"2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32999", MIELAN_LAT, MIELAN_LON,
         "insee_code"},
        {"2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "31555", 43.6045, 1.444,
         "insee_code"},
        {"2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "3225", MIELAN_LAT, MIELAN_LON,
         "insee_code"},
        {"2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32252", 91, MIELAN_LON,
         "latitude"},
        {"2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32252", MIELAN_LAT, 200,
         "longitude"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        doc = stop_doc(cases[i].starts, cases[i].ends, cases[i].insee, cases[i].lat, cases[i].lon);
        r = post_stop(unit, writer, doc);
        cr_expect_eq(r->status, 422, "case %zu: %ld %s", i, r->status, r->body);
        cr_expect(names_field(r, cases[i].field), "case %zu names %s: %s", i, cases[i].field,
                  r->body);
        response_free(r);
        json_decref(doc);
    }

    /* missing fields, unknown and read-only members */
    doc = json_pack("{s:s}", "address", "Ici");
    r = post_stop(unit, writer, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 422);
    const char *required[] = {"starts_at", "ends_at", "insee_code", "latitude", "longitude", NULL};
    for (size_t i = 0; required[i]; i++)
        cr_expect(names_field(r, required[i]), "names %s: %s", required[i], r->body);
    response_free(r);
    doc = stop_doc("2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32252", MIELAN_LAT,
                   MIELAN_LON);
    json_object_set_new(doc, "colour", json_string("blue"));
    json_object_set_new(doc, "place_id", json_string(fixed));
    r = post_stop(unit, writer, doc);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "colour"), "%s", r->body);
    cr_expect(names_field(r, "place_id"), "%s", r->body);
    response_free(r);
    json_object_del(doc, "colour");
    json_object_del(doc, "place_id");
    json_object_set_new(doc, "address", json_string(""));
    r = post_stop(unit, writer, doc);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "address"), "%s", r->body);
    response_free(r);
    json_decref(doc);

    cr_expect_eq(stops_of(unit, Y2031), 0, "nothing was written");
    /* and the valid stop still goes in */
    doc = stop_doc("2031-06-03T09:30:00+02:00", "2031-06-03T12:30:00+02:00", "32252", MIELAN_LAT,
                   MIELAN_LON);
    r = post_stop(unit, writer, doc);
    cr_expect_eq(r->status, 201, "%s", r->body);
    response_free(r);
    json_decref(doc);
    remove_place(unit);
    remove_place(fixed);
}

Test(stops, only_the_owner_or_admin_adds_stops)
{
    char unit[64], bus[64];
    create_place(writer, true, unit, sizeof unit);
    json_t *doc = stop_doc("2031-07-01T09:30:00+02:00", "2031-07-01T12:30:00+02:00", "32252",
                           MIELAN_LAT, MIELAN_LON);
    struct response *r = post_stop(unit, other, doc);
    cr_expect_eq(r->status, 403, "another organisation: %s", r->body);
    response_free(r);
    r = post_stop(unit, reader, doc);
    cr_expect_eq(r->status, 403, "places:read only");
    response_free(r);
    r = post_stop(bus_id(bus, sizeof bus), writer, doc);
    cr_expect_eq(r->status, 403, "the demo bus belongs to gers-numerique");
    response_free(r);
    r = post_stop("00000000-0000-4000-8000-000000000000", writer, doc);
    cr_expect_eq(r->status, 404);
    response_free(r);
    cr_expect_eq(stops_of(unit, Y2031), 0);
    cr_expect_eq(stops_of(bus, Y2031), 0, "nothing on the bus either");
    json_decref(doc);
    remove_place(unit);
}
