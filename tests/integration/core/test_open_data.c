/* Open data and HTTP a cache can use (issue #18): the reads of places, stops,
 * workshops and calendar.ics without a token (PUBLIC_READS), what an
 * anonymous reader sees of a workshop, Cache-Control anonymous and with a
 * token, Vary, ETag and Last-Modified with their 304s (no body, never
 * Content-Length: 0), gzip (decompressed here and compared with the identity
 * body), Content-Disposition of the CSV, GeoJSON Features, the `near` hint;
 * PUBLIC_READS=0; anonymous reads limited per address.
 *
 * The database is shared with tests running in parallel: the places read are
 * the seeded France services (never changed by a test); the workshop whose
 * projection is checked is created here, in 2031, with two registrations. */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#define PLACES_RFS "/v1/places?typology=RFS&limit=1000"
/* France services de Mirande (source_id 1717) is in the commune 32256. */
#define MIRANDE_RFS "/v1/places?commune=32256&typology=RFS"

static char *reader, *owner, *caf;

static void start(void)
{
    fixture_start();
    fixture_token(&reader, "france-services-mirande", "places:read workshops:read");
    fixture_token(&owner, "france-services-mirande",
                  "places:read workshops:read workshops:write registrations:write");
    fixture_token(&caf, "caf-gers", "referrals:read");
}

static void start_closed(void)
{
    static const char *const env[] = {"PUBLIC_READS=0", NULL};
    fixture_start_with(env);
    fixture_token(&reader, "france-services-mirande", "places:read workshops:read");
}

static void start_limited(void)
{
    static const char *const env[] = {"RATE_LIMIT_IP_PER_S=1", "RATE_LIMIT_IP_BURST=3", NULL};
    fixture_start_with(env);
    fixture_token(&reader, "france-services-mirande", "places:read workshops:read");
}

TestSuite(open_data, .init = start, .fini = fixture_stop, .timeout = 120);
TestSuite(open_data_closed, .init = start_closed, .fini = fixture_stop, .timeout = 60);
TestSuite(open_data_limited, .init = start_limited, .fini = fixture_stop, .timeout = 60);

/* ---- helpers ------------------------------------------------------------ */

/* GET path with a token (or none) and up to two more headers, checked against
 * the contract unless `raw` (a gzip body is not JSON to the checker). */
static struct response *get(bool raw, const char *path, const char *token, const char *h1,
                            const char *h2)
{
    char auth[4096];
    const char *headers[4] = {NULL};
    size_t n = 0;
    if (token)
        headers[n++] = bearer_header(token, auth, sizeof auth);
    if (h1)
        headers[n++] = h1;
    if (h2)
        headers[n++] = h2;
    return raw ? http_request_raw("GET", url(path), headers, NULL)
               : http_request("GET", url(path), headers, NULL);
}

static const char *header(const struct response *r, const char *name)
{
    static char value[1024];
    return response_header(r, name, value, sizeof value);
}

/* The response's header `name` copied into buf (asserted present). */
static const char *must_header(const struct response *r, const char *name, char *buf, size_t cap)
{
    const char *v = response_header(r, name, buf, cap);
    cr_assert_not_null(v, "%s is missing", name);
    return v;
}

/* Whether the comma-separated Vary names `field`. */
static bool varies_by(const struct response *r, const char *field)
{
    const char *vary = header(r, "Vary");
    if (!vary)
        return false;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", vary);
    char *save = NULL;
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (strcasecmp(t, field) == 0)
            return true;
    return false;
}

/* gunzips `data` into a new NUL-terminated buffer (*len bytes), or NULL. */
static char *gunzip(const char *data, size_t size, size_t *len)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return NULL;
    size_t cap = 1 << 20;
    char *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)size;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)(cap - 1);
    int rc = inflate(&z, Z_FINISH);
    *len = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    out[*len] = '\0';
    return out;
}

/* The id of the seeded France services de Mirande. */
static void mirande(char *id, size_t cap)
{
    struct response *r = get(false, MIRANDE_RFS, NULL, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    json_t *items = json_object_get(body, "items");
    cr_assert_geq(json_array_size(items), 1);
    snprintf(id, cap, "%s", json_str(json_array_get(items, 0), "id"));
    json_decref(body);
    response_free(r);
}

/* ---- open data ---------------------------------------------------------- */

Test(open_data, every_open_read_answers_without_a_token)
{
    char place[64], path[160];
    mirande(place, sizeof place);
    snprintf(path, sizeof path, "/v1/places/%s", place);
    char stops[160];
    snprintf(stops, sizeof stops, "/v1/places/%s/stops", place);
    const char *paths[] = {"/v1/places?limit=2",
                           path,
                           "/v1/places?limit=2&format=geojson",
                           "/v1/places?limit=2&format=csv",
                           "/v1/stops",
                           stops,
                           "/v1/workshops?limit=2",
                           "/v1/calendar.ics",
                           NULL};
    for (size_t i = 0; paths[i]; i++) {
        struct response *r = get(false, paths[i], NULL, NULL, NULL);
        cr_expect_eq(r->status, 200, "%s: %ld %s", paths[i], r->status, r->body);
        cr_expect_str_eq(header(r, "Cache-Control"),
                         "public, max-age=60, stale-while-revalidate=300", "%s", paths[i]);
        cr_expect_null(header(r, "WWW-Authenticate"), "%s", paths[i]);
        response_free(r);
    }
}

Test(open_data, a_token_sent_is_still_checked)
{
    const char *paths[] = {"/v1/places?limit=2", "/v1/stops", "/v1/workshops", "/v1/calendar.ics",
                           NULL};
    for (size_t i = 0; paths[i]; i++) {
        struct response *r = get(false, paths[i], "not.a.token", NULL, NULL);
        cr_expect_eq(r->status, 401, "%s: %ld", paths[i], r->status);
        cr_expect_not_null(header(r, "WWW-Authenticate"), "%s", paths[i]);
        response_free(r);
    }
    struct response *r = get(false, "/v1/calendar.ics?access_token=not.a.token", NULL, NULL, NULL);
    cr_expect_eq(r->status, 401, "the calendar's query token is checked too");
    response_free(r);
    /* a token without the route's scope: 403, as before */
    r = get(false, "/v1/places?limit=2", caf, NULL, NULL);
    cr_expect_eq(r->status, 403);
    response_free(r);
    /* and the writes still need one */
    r = http_request("POST", url("/v1/places"),
                     (const char *const[]){"Content-Type: application/json", NULL}, "{}");
    cr_expect_eq(r->status, 401);
    response_free(r);
}

Test(open_data, cache_control_anonymous_public_with_a_token_private)
{
    struct response *r = get(false, "/v1/places?limit=2", NULL, NULL, NULL);
    cr_expect_str_eq(header(r, "Cache-Control"), "public, max-age=60, stale-while-revalidate=300");
    response_free(r);
    r = get(false, "/v1/places?limit=2", reader, NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Cache-Control"), "private, max-age=60");
    response_free(r);
    r = get(false, "/v1/workshops?limit=2", reader, NULL, NULL);
    cr_expect_str_eq(header(r, "Cache-Control"), "private, max-age=60");
    response_free(r);
    /* personal data behind a token keeps no-store */
    r = get(false, "/v1/referrals?limit=1", caf, NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    cr_expect_str_eq(header(r, "Cache-Control"), "no-store");
    response_free(r);
    /* an error of an open route is not stored */
    r = get(false, "/v1/places/00000000-0000-4000-8000-000000000000", NULL, NULL, NULL);
    cr_expect_eq(r->status, 404);
    cr_expect_str_eq(header(r, "Cache-Control"), "no-store");
    response_free(r);
}

Test(open_data, vary_names_what_the_body_depends_on)
{
    const char *by_accept[] = {"/v1/places?limit=2", "/v1/stops", "/v1/workshops?limit=2", NULL};
    for (size_t i = 0; by_accept[i]; i++) {
        struct response *r = get(false, by_accept[i], NULL, NULL, NULL);
        cr_expect(varies_by(r, "Accept"), "%s: Vary %s", by_accept[i], header(r, "Vary"));
        cr_expect(varies_by(r, "Accept-Encoding"), "%s", by_accept[i]);
        cr_expect(varies_by(r, "Authorization"), "%s", by_accept[i]);
        response_free(r);
    }
    struct response *r = get(false, "/v1/calendar.ics", NULL, NULL, NULL);
    cr_expect(!varies_by(r, "Accept"), "one format: %s", header(r, "Vary"));
    cr_expect(varies_by(r, "Accept-Encoding"));
    response_free(r);
    /* the same URL, three formats by Accept */
    const char *accepts[] = {"Accept: application/json", "Accept: application/geo+json",
                             "Accept: text/csv"};
    const char *types[] = {"application/json", "application/geo+json", "text/csv"};
    char etags[3][128];
    for (int i = 0; i < 3; i++) {
        r = get(false, "/v1/places?limit=3", NULL, accepts[i], NULL);
        cr_expect_eq(r->status, 200);
        cr_expect(strncmp(header(r, "Content-Type"), types[i], strlen(types[i])) == 0, "%s",
                  header(r, "Content-Type"));
        must_header(r, "ETag", etags[i], sizeof etags[i]);
        response_free(r);
    }
    cr_expect_str_neq(etags[0], etags[1]);
    cr_expect_str_neq(etags[1], etags[2]);
}

Test(open_data, not_modified_by_etag_has_no_body_and_not_a_zero_length)
{
    char etag[128], length[32], inm[200];
    struct response *r = get(false, PLACES_RFS, NULL, NULL, NULL);
    cr_assert_eq(r->status, 200);
    must_header(r, "ETag", etag, sizeof etag);
    size_t full = r->body_len;
    response_free(r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    r = get(false, PLACES_RFS, NULL, inm, NULL);
    cr_expect_eq(r->status, 304);
    cr_expect_eq(r->body_len, 0, "a 304 has no body");
    cr_expect_null(header(r, "Content-Type"));
    cr_expect_str_eq(header(r, "ETag"), etag);
    cr_expect_str_eq(header(r, "Cache-Control"), "public, max-age=60, stale-while-revalidate=300");
    cr_expect(varies_by(r, "Accept"));
    /* libmicrohttpd always writes one: the 200's length (RFC 9110 §8.6), never 0 */
    if (response_header(r, "Content-Length", length, sizeof length))
        cr_expect_eq(strtoull(length, NULL, 10), full, "Content-Length %s, the 200 had %zu", length,
                     full);
    response_free(r);
    /* HEAD likewise */
    const char *headers[] = {inm, NULL};
    r = http_request("HEAD", url(PLACES_RFS), headers, NULL);
    cr_expect_eq(r->status, 304);
    response_free(r);
    /* one place: its version's ETag */
    char place[64], path[128];
    mirande(place, sizeof place);
    snprintf(path, sizeof path, "/v1/places/%s", place);
    r = get(false, path, NULL, NULL, NULL);
    must_header(r, "ETag", etag, sizeof etag);
    response_free(r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    r = get(false, path, NULL, inm, NULL);
    cr_expect_eq(r->status, 304);
    cr_expect_eq(r->body_len, 0);
    cr_expect(!response_header(r, "Content-Length", length, sizeof length) ||
                  strcmp(length, "0") != 0,
              "never Content-Length: 0");
    response_free(r);
}

Test(open_data, last_modified_and_if_modified_since)
{
    char place[64], path[128], modified[64], etag[128], ims[128], inm[200];
    mirande(place, sizeof place);
    snprintf(path, sizeof path, "/v1/places/%s", place);
    const char *paths[] = {path, PLACES_RFS, NULL};
    for (size_t i = 0; paths[i]; i++) {
        struct response *r = get(false, paths[i], NULL, NULL, NULL);
        cr_assert_eq(r->status, 200);
        must_header(r, "Last-Modified", modified, sizeof modified);
        must_header(r, "ETag", etag, sizeof etag);
        struct tm tm = {0};
        const char *end = strptime(modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cr_expect(end && *end == '\0', "an IMF-fixdate: %s", modified);
        time_t when = timegm(&tm);
        cr_expect_leq(when, time(NULL) + 1, "not in the future");
        response_free(r);

        /* not modified since that time */
        snprintf(ims, sizeof ims, "If-Modified-Since: %s", modified);
        r = get(false, paths[i], NULL, ims, NULL);
        cr_expect_eq(r->status, 304, "%s", paths[i]);
        cr_expect_eq(r->body_len, 0);
        response_free(r);
        /* modified since a second before */
        time_t before = when - 1;
        struct tm b;
        gmtime_r(&before, &b);
        strftime(ims, sizeof ims, "If-Modified-Since: %a, %d %b %Y %H:%M:%S GMT", &b);
        r = get(false, paths[i], NULL, ims, NULL);
        cr_expect_eq(r->status, 200, "%s", paths[i]);
        cr_expect_gt(r->body_len, 0);
        response_free(r);
        /* If-None-Match wins (RFC 9110 §13.2.2): a stale tag, a fresh date: 200 */
        snprintf(ims, sizeof ims, "If-Modified-Since: %s", modified);
        r = get(false, paths[i], NULL, "If-None-Match: \"stale\"", ims);
        cr_expect_eq(r->status, 200, "%s: If-None-Match decides", paths[i]);
        response_free(r);
        /* and a matching tag with an old date: 304 */
        snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
        r = get(false, paths[i], NULL, inm, "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT");
        cr_expect_eq(r->status, 304, "%s", paths[i]);
        response_free(r);
        /* a malformed date is ignored */
        r = get(false, paths[i], NULL, "If-Modified-Since: yesterday", NULL);
        cr_expect_eq(r->status, 200);
        response_free(r);
    }
}

Test(open_data, gzip_round_trip_and_an_etag_per_encoding)
{
    struct response *plain = get(false, PLACES_RFS, NULL, NULL, NULL);
    cr_assert_eq(plain->status, 200);
    cr_assert_gt(plain->body_len, 1024, "a body worth compressing");
    cr_expect_null(header(plain, "Content-Encoding"), "no gzip unless asked");
    char etag[128], gz_etag[128], expected[160];
    must_header(plain, "ETag", etag, sizeof etag);

    struct response *gz = get(true, PLACES_RFS, NULL, "Accept-Encoding: gzip, deflate", NULL);
    cr_assert_eq(gz->status, 200);
    cr_expect_str_eq(header(gz, "Content-Encoding"), "gzip");
    cr_expect(varies_by(gz, "Accept-Encoding"));
    must_header(gz, "ETag", gz_etag, sizeof gz_etag);
    snprintf(expected, sizeof expected, "%.*s-gz\"", (int)strlen(etag) - 1, etag);
    cr_expect_str_eq(gz_etag, expected, "the encodings have their own ETags");
    cr_expect_lt(gz->body_len, plain->body_len);
    size_t len = 0;
    char *unzipped = gunzip(gz->body, gz->body_len, &len);
    cr_assert_not_null(unzipped, "a gzip stream");
    cr_expect_eq(len, plain->body_len);
    cr_expect(memcmp(unzipped, plain->body, len) == 0, "the same body");
    free(unzipped);

    /* If-None-Match matches either form */
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", gz_etag);
    struct response *r = get(true, PLACES_RFS, NULL, "Accept-Encoding: gzip", inm);
    cr_expect_eq(r->status, 304);
    cr_expect_eq(r->body_len, 0);
    cr_expect_str_eq(header(r, "ETag"), gz_etag);
    response_free(r);
    r = get(false, PLACES_RFS, NULL, inm, NULL);
    cr_expect_eq(r->status, 304, "the gzip tag names the identity body's version too");
    response_free(r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    r = get(true, PLACES_RFS, NULL, "Accept-Encoding: gzip", inm);
    cr_expect_eq(r->status, 304);
    response_free(r);

    /* q-values: gzip;q=0 refuses, * allows, a higher q elsewhere does not matter */
    const char *refusing[] = {"Accept-Encoding: gzip;q=0", "Accept-Encoding: br, gzip; q=0.0",
                              "Accept-Encoding: identity", "Accept-Encoding: *;q=0", NULL};
    for (size_t i = 0; refusing[i]; i++) {
        r = get(false, PLACES_RFS, NULL, refusing[i], NULL);
        cr_expect_null(header(r, "Content-Encoding"), "%s", refusing[i]);
        cr_expect_eq(r->body_len, plain->body_len, "%s", refusing[i]);
        response_free(r);
    }
    const char *allowing[] = {"Accept-Encoding: gzip;q=0.5, br;q=1", "Accept-Encoding: *",
                              "Accept-Encoding: x-gzip", NULL};
    for (size_t i = 0; allowing[i]; i++) {
        r = get(true, PLACES_RFS, NULL, allowing[i], NULL);
        cr_expect_str_eq(header(r, "Content-Encoding"), "gzip", "%s", allowing[i]);
        response_free(r);
    }
    /* a small body stays as it is */
    r = get(true, "/v1/places?q=zzzzqqqq", NULL, "Accept-Encoding: gzip", NULL);
    cr_expect_lt(r->body_len, 1025);
    cr_expect_null(header(r, "Content-Encoding"), "1 KiB or less: not compressed");
    response_free(r);
    response_free(gz);
    response_free(plain);
}

Test(open_data, the_csv_is_an_attachment)
{
    struct response *r = get(false, "/v1/places?typology=RFS&format=csv", NULL, NULL, NULL);
    cr_assert_eq(r->status, 200);
    const char *d = header(r, "Content-Disposition");
    cr_assert_not_null(d);
    cr_expect(strncmp(d, "attachment; filename=\"lieux-gers-", 33) == 0, "%s", d);
    cr_expect(strlen(d) == strlen("attachment; filename=\"lieux-gers-2026-12-08.csv\""), "%s", d);
    cr_expect(strstr(d, ".csv\"") != NULL, "%s", d);
    response_free(r);
    r = get(false, "/v1/places?typology=RFS", NULL, NULL, NULL);
    cr_expect_null(header(r, "Content-Disposition"), "JSON is not an attachment");
    response_free(r);
}

/* What a workshop holds for partners (waitlist_count, the registrations'
 * queue) never reaches an anonymous reader, nor any participant. */
Test(open_data, anonymous_workshop_reads_show_public_members_only)
{
    char place[64], tag[64], title[128];
    mirande(place, sizeof place);
    test_nonce("open", tag, sizeof tag);
    snprintf(title, sizeof title, "Atelier ouvert %s", tag);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", place, "title", title,
                  "theme", "email", "audience", "seniors", "starts_at", "2031-05-06T14:00:00+02:00",
                  "ends_at", "2031-05-06T16:00:00+02:00", "capacity", 1);
    struct response *r = api_call_json("POST", "/v1/workshops", owner, doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *created = response_json(r);
    response_free(r);
    char id[64], path[128], list[256];
    snprintf(id, sizeof id, "%s", json_str(created, "id"));
    json_decref(created);
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", id);
    const char *people[] = {"Personne Confidentielle Un", "Personne Confidentielle Deux"};
    for (int i = 0; i < 2; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"participant_ref\":\"%s-%d\",\"display_name\":\"%s\"}", tag,
                 i, people[i]);
        r = api_call(true, "POST", path, owner, body, NULL);
        cr_assert_eq(r->status, 201, "%s", r->body);
        response_free(r);
    }

    static const char *const public_members[] = {
        "id",        "series_id",  "owner",      "place_id",    "stop_id",
        "title",     "theme",      "audience",   "starts_at",   "ends_at",
        "capacity",  "seats_left", "status",     "description", "accessibility",
        "price_eur", "place",      "created_at", "updated_at",  NULL};
    snprintf(path, sizeof path, "/v1/workshops/%s", id);
    snprintf(list, sizeof list,
             "/v1/workshops?place_id=%s&from=2031-05-06T00:00:00Z&to=2031-05-07T00:00:00Z", place);
    const char *reads[] = {path, list, NULL};
    for (size_t i = 0; reads[i]; i++) {
        r = get(false, reads[i], NULL, NULL, NULL);
        cr_assert_eq(r->status, 200, "%s: %s", reads[i], r->body);
        cr_expect(strstr(r->body, "Confidentielle") == NULL, "no participant: %s", r->body);
        cr_expect(strstr(r->body, "waitlist") == NULL, "%s", r->body);
        cr_expect(strstr(r->body, "registration") == NULL, "%s", r->body);
        cr_expect(strstr(r->body, "participant") == NULL, "%s", r->body);
        json_t *body = response_json(r), *w = body;
        if (i == 1) {
            w = NULL;
            size_t k;
            json_t *item;
            json_array_foreach(json_object_get(body, "items"), k,
                               item) if (strcmp(json_str(item, "id"), id) == 0) w = item;
        }
        cr_assert_not_null(w, "%s lists the workshop", reads[i]);
        const char *key;
        json_t *value;
        json_object_foreach(w, key, value)
        {
            bool known = false;
            for (size_t m = 0; public_members[m]; m++)
                known = known || strcmp(key, public_members[m]) == 0;
            cr_expect(known, "%s is not a public member", key);
        }
        cr_expect_eq(json_integer_value(json_object_get(w, "seats_left")), 0);
        json_decref(body);
        response_free(r);
    }
    /* with a token: the partners' member, and its own ETag for If-Match */
    char etag[128], anonymous_etag[128];
    r = get(false, path, reader, NULL, NULL);
    cr_assert_eq(r->status, 200);
    json_t *w = response_json(r);
    cr_expect_eq(json_integer_value(json_object_get(w, "waitlist_count")), 1);
    json_decref(w);
    must_header(r, "ETag", etag, sizeof etag);
    cr_expect(strstr(etag, "-public") == NULL, "%s", etag);
    response_free(r);
    r = get(false, path, NULL, NULL, NULL);
    must_header(r, "ETag", anonymous_etag, sizeof anonymous_etag);
    cr_expect_str_neq(etag, anonymous_etag, "two representations, two ETags");
    response_free(r);
    /* GeoJSON, anonymously, without the partners' member either */
    r = get(false, path, NULL, "Accept: application/geo+json", NULL);
    cr_expect_eq(r->status, 200);
    cr_expect(strstr(r->body, "waitlist") == NULL, "%s", r->body);
    response_free(r);

    r = api_call(true, "POST", "/v1/workshops/00000000-0000-4000-8000-000000000000/cancel", NULL,
                 NULL, NULL);
    cr_expect_eq(r->status, 401, "writes still need a token");
    response_free(r);
    snprintf(path, sizeof path, "/v1/workshops/%s/cancel", id);
    r = api_call(true, "POST", path, owner, "{}", NULL);
    response_free(r);
}

Test(open_data, geojson_wherever_a_client_maps_something)
{
    char place[64], path[128];
    mirande(place, sizeof place);
    snprintf(path, sizeof path, "/v1/places/%s", place);
    struct response *r = get(false, path, NULL, NULL, NULL);
    json_t *json = response_json(r);
    char etag[128];
    must_header(r, "ETag", etag, sizeof etag);
    response_free(r);
    r = get(false, path, NULL, "Accept: application/geo+json", NULL);
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "application/geo+json");
    cr_expect_str_neq(header(r, "ETag"), etag, "a Feature is another representation");
    json_t *feature = response_json(r);
    response_free(r);
    cr_expect_str_eq(json_str(feature, "type"), "Feature");
    cr_expect_str_eq(json_str(feature, "id"), place);
    json_t *coordinates = json_object_get(json_object_get(feature, "geometry"), "coordinates");
    cr_expect_float_eq(json_number_value(json_array_get(coordinates, 0)),
                       json_number_value(json_object_get(json, "longitude")), 1e-7, "lon first");
    cr_expect_float_eq(json_number_value(json_array_get(coordinates, 1)),
                       json_number_value(json_object_get(json, "latitude")), 1e-7);
    json_t *properties = json_object_get(feature, "properties");
    cr_expect_str_eq(json_str(properties, "name"), json_str(json, "name"));
    cr_expect_null(json_object_get(properties, "latitude"));
    cr_expect_null(json_object_get(properties, "id"));
    json_decref(feature);
    json_decref(json);

    const char *collections[] = {"/v1/stops?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
                                 "/v1/workshops?from=2026-01-01T00:00:00Z", NULL};
    for (size_t i = 0; collections[i]; i++) {
        r = get(false, collections[i], NULL, "Accept: application/geo+json", NULL);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_expect_str_eq(header(r, "Content-Type"), "application/geo+json");
        json_t *fc = response_json(r);
        cr_expect_str_eq(json_str(fc, "type"), "FeatureCollection");
        cr_expect_not_null(json_object_get(fc, "next_cursor"));
        json_t *first = json_array_get(json_object_get(fc, "features"), 0);
        if (first)
            cr_expect_str_eq(json_str(first, "type"), "Feature");
        json_decref(fc);
        response_free(r);
    }
    /* the sync feed in GeoJSON */
    r = get(false, "/v1/places?updated_since=2020-01-01T00:00:00Z&format=geojson&limit=5", NULL,
            NULL, NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    r = get(false, "/v1/places?updated_since=2020-01-01T00:00:00Z&format=csv", NULL, NULL, NULL);
    cr_expect_eq(r->status, 400, "CSV cannot carry deletions");
    response_free(r);
}

Test(open_data, near_swapped_gets_a_hint)
{
    const char *paths[] = {"/v1/places?near=0.5855,43.6465", "/v1/stops?near=0.5855,43.6465",
                           "/v1/workshops?near=0.5855,43.6465", NULL};
    for (size_t i = 0; paths[i]; i++) {
        struct response *r = get(false, paths[i], NULL, NULL, NULL);
        cr_expect_eq(r->status, 400, "%s", paths[i]);
        cr_expect(names_field(r, "near"), "%s", r->body);
        cr_expect(strstr(r->body, "near is latitude,longitude; did you swap them?") != NULL, "%s",
                  r->body);
        response_free(r);
    }
    struct response *r = get(false, "/v1/places?near=43.6465,0.5855&limit=1", NULL, NULL, NULL);
    cr_expect_eq(r->status, 200, "latitude first is right: %s", r->body);
    response_free(r);
}

/* ---- PUBLIC_READS=0 ----------------------------------------------------- */

Test(open_data_closed, every_read_needs_its_token_again)
{
    const char *paths[] = {"/v1/places",       "/v1/places/00000000-0000-4000-8000-000000000000",
                           "/v1/stops",        "/v1/workshops",
                           "/v1/calendar.ics", NULL};
    for (size_t i = 0; paths[i]; i++) {
        struct response *r = get(false, paths[i], NULL, NULL, NULL);
        cr_expect_eq(r->status, 401, "%s: %ld", paths[i], r->status);
        cr_expect_str_eq(header(r, "Cache-Control"), "no-store");
        response_free(r);
    }
    struct response *r = get(false, "/v1/places?limit=1", reader, NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Cache-Control"), "private, max-age=60");
    response_free(r);
}

/* ---- anonymous reads are limited per address ---------------------------- */

Test(open_data_limited, anonymous_reads_spend_the_address_budget)
{
    int limited = 0;
    for (int i = 0; i < 8; i++) {
        struct response *r = get(false, "/v1/places?limit=1", NULL, NULL, NULL);
        if (r->status == 429) {
            limited++;
            cr_expect_not_null(header(r, "Retry-After"));
        } else {
            cr_expect_eq(r->status, 200);
        }
        response_free(r);
    }
    cr_expect_geq(limited, 4, "a burst of 3 at 1 per second: %d limited of 8", limited);
    /* with a token, the organisation's budget instead */
    struct response *r = get(false, "/v1/places?limit=1", reader, NULL, NULL);
    cr_expect_eq(r->status, 200, "%ld", r->status);
    response_free(r);
}
