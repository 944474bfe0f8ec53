/* The whole département as GeoJSON, streamed (issue #18, stream.h): GeoJSON
 * without limit, cursor or updated_since answers every place that matches as
 * one FeatureCollection, chunked, as PostgreSQL returns the rows; no ETag,
 * Last-Modified and its 304, gzip when accepted (the same document once
 * gunzipped); a HEAD; a client that goes away mid-stream
 * leaves no connection borrowed (DB_POOL_SIZE=1: the next reads still get
 * one).
 *
 * The database is shared with tests running in parallel: the places compared
 * are the seeded France services (typology RFS, never changed by a test). The
 * suite stream_large has a database of its own with 20,000 more places (20 MB
 * of GeoJSON, more than the sockets' buffers hold: a client that goes away
 * does so while the server is still reading the cursor). */
#include "support/expect.h"
#include "support/fixture.h"

#include "support/private_db.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#define GEO "Accept: application/geo+json"

static void start_one_connection(void)
{
    static const char *const env[] = {"DB_POOL_SIZE=1", NULL};
    fixture_start_with(env);
}

TestSuite(stream, .init = fixture_start, .fini = fixture_stop, .timeout = 120);
TestSuite(stream_pool, .init = start_one_connection, .fini = fixture_stop, .timeout = 60);

#define LARGE_PLACES 20000

static struct private_db large;

/* A database of its own: migrated, seeded, and LARGE_PLACES places more in
 * Auch; a server on it with one pooled connection. */
static void start_large(void)
{
    private_db_create(&large, "inclusion_stream");
    const char *env[] = {large.env_url, NULL};
    const char *migrate[] = {"migrate", NULL}, *seed[] = {"seed", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(migrate, env, &output), 0, "%s", output);
    free(output);
    output = NULL;
    cr_assert_eq(run_binary(seed, env, &output), 0, "%s", output);
    free(output);
    PGconn *c = PQconnectdb(large.url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    char n[16];
    snprintf(n, sizeof n, "%d", LARGE_PLACES);
    const char *params[] = {n};
    PGresult *res = PQexecParams(
        c,
        "INSERT INTO places (owner, source, source_id, pivot, name, street, postal_code, commune, "
        "insee_code, location, typologies, itinerance, services, fees, data_updated_on) "
        "SELECT 'gers-numerique', 'stream-test', 'stream-' || g, '00000000000000', "
        "'Lieu de test ' || g, g || ' rue de la République', '32000', 'Auch', '32013', "
        "ST_SetSRID(ST_MakePoint(0.5 + (g % 100) / 1000.0, 43.6 + (g / 100) / 1000.0), "
        "4326)::geography, ARRAY['ASSO'], ARRAY['fixe'], "
        "ARRAY['aide_aux_demarches_administratives'], ARRAY['gratuit'], current_date "
        "FROM generate_series(1, $1::int) g",
        1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(c);
    /* two connections, for streams that never hold one */
    const char *server_env[] = {large.env_url, "DB_POOL_SIZE=2", "RATE_LIMIT_IP_PER_S=0", NULL};
    fixture_start_with(server_env);
}

static void stop_large(void)
{
    fixture_stop();
    private_db_drop(&large);
}

TestSuite(stream_large, .init = start_large, .fini = stop_large, .timeout = 180);

static const char *header(const struct response *r, const char *name)
{
    static char value[1024];
    return response_header(r, name, value, sizeof value);
}

static struct response *get(const char *path, const char *h1, const char *h2)
{
    const char *headers[] = {h1, h2, NULL};
    return http_request("GET", url(path), headers, NULL);
}

Test(stream, whole_list_is_one_feature_collection_in_chunks)
{
    struct response *r = get("/v1/places?typology=RFS", GEO, "Accept-Encoding: identity");
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "application/geo+json");
    cr_expect_str_eq(header(r, "Transfer-Encoding"), "chunked");
    cr_expect_null(header(r, "Content-Length"));
    cr_expect_null(header(r, "ETag"), "a stream has no ETag");
    cr_expect_null(header(r, "Content-Encoding"));
    cr_expect_not_null(header(r, "Last-Modified"));
    cr_expect_str_eq(header(r, "Cache-Control"), "public, max-age=60, stale-while-revalidate=300");
    cr_expect_str_eq(header(r, "Vary"), "Accept, Accept-Encoding, Authorization");
    json_t *geo = response_json(r);
    response_free(r);
    cr_assert(json_is_object(geo), "the stream parses as JSON");
    cr_expect_str_eq(json_string_value(json_object_get(geo, "type")), "FeatureCollection");
    cr_expect(json_is_null(json_object_get(geo, "next_cursor")));
    json_t *features = json_object_get(geo, "features");

    /* the same places, in the same order, as the JSON page of them */
    r = get("/v1/places?typology=RFS&limit=1000", NULL, NULL);
    cr_assert_eq(r->status, 200);
    json_t *page = response_json(r);
    response_free(r);
    json_t *items = json_object_get(page, "items");
    cr_assert_geq(json_array_size(items), 27, "the 27 France services at least");
    cr_assert_eq(json_array_size(features), json_array_size(items));
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *f = json_array_get(features, i);
        cr_expect_str_eq(json_string_value(json_object_get(f, "type")), "Feature");
        cr_expect_str_eq(json_string_value(json_object_get(f, "id")),
                         json_string_value(json_object_get(json_array_get(items, i), "id")));
    }
    json_decref(page);
    json_decref(geo);

    /* every place, by Accept as by format */
    r = get("/v1/places?format=geojson", NULL, NULL);
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Transfer-Encoding"), "chunked");
    geo = response_json(r);
    cr_expect_geq(json_array_size(json_object_get(geo, "features")), 27);
    json_decref(geo);
    response_free(r);
}

/* gunzips `data` into a new NUL-terminated buffer (*len bytes), or NULL. */
static char *gunzip(const char *data, size_t size, size_t *len)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return NULL;
    size_t cap = 64u << 20;
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

/* The stream of `path` gzipped (Accept-Encoding: gzip) is the identity
 * stream, compressed. */
static void expect_gzip_stream(const char *path, size_t min_len)
{
    const char *identity_headers[] = {GEO, "Accept-Encoding: identity", NULL};
    const char *gzip_headers[] = {GEO, "Accept-Encoding: gzip", NULL};
    struct response *plain = http_request("GET", url(path), identity_headers, NULL);
    struct response *gz = http_request_raw("GET", url(path), gzip_headers, NULL);
    cr_assert_eq(plain->status, 200);
    cr_assert_eq(gz->status, 200);
    cr_expect_str_eq(header(gz, "Content-Encoding"), "gzip");
    cr_expect_str_eq(header(gz, "Transfer-Encoding"), "chunked");
    cr_expect_null(header(gz, "ETag"));
    cr_expect_str_eq(header(gz, "Vary"), "Accept, Accept-Encoding, Authorization");
    cr_expect_lt(gz->body_len, plain->body_len / 4, "%zu of %zu", gz->body_len, plain->body_len);
    cr_expect_geq(plain->body_len, min_len);
    size_t len = 0;
    char *unzipped = gunzip(gz->body, gz->body_len, &len);
    cr_assert_not_null(unzipped, "a complete gzip stream");
    cr_expect_eq(len, plain->body_len);
    cr_expect(len == plain->body_len && memcmp(unzipped, plain->body, len) == 0,
              "the same document");
    free(unzipped);
    response_free(plain);
    response_free(gz);
}

Test(stream, gzip_when_accepted)
{
    expect_gzip_stream("/v1/places?typology=RFS", 10000);
}

Test(stream, empty_list_is_an_empty_collection)
{
    struct response *r = get("/v1/places?typology=RFS&commune=32001&q=nowhere-at-all", GEO, NULL);
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(r->body,
                     "{\"type\":\"FeatureCollection\",\"features\":[],\"next_cursor\":null}");
    response_free(r);
}

Test(stream, limit_keeps_the_page_with_etag_and_gzip)
{
    struct response *r =
        get("/v1/places?typology=RFS&limit=1000", GEO, "Accept-Encoding: identity");
    cr_assert_eq(r->status, 200);
    cr_expect_not_null(header(r, "ETag"));
    cr_expect_not_null(header(r, "Content-Length"));
    response_free(r);
}

Test(stream, head_and_304)
{
    struct response *r = http_request("HEAD", url("/v1/places?typology=RFS"),
                                      (const char *const[]){GEO, NULL}, NULL);
    cr_assert_eq(r->status, 200);
    cr_expect_eq(r->body_len, 0);
    cr_expect_str_eq(header(r, "Content-Type"), "application/geo+json");
    cr_expect_null(header(r, "ETag"));
    char modified[128], since[160];
    cr_assert_not_null(response_header(r, "Last-Modified", modified, sizeof modified));
    response_free(r);

    snprintf(since, sizeof since, "If-Modified-Since: %s", modified);
    r = get("/v1/places?typology=RFS", GEO, since);
    cr_expect_eq(r->status, 304);
    cr_expect_eq(r->body_len, 0, "304 has no body");
    cr_expect_null(header(r, "Content-Length"), "never Content-Length: 0");
    cr_expect_str_eq(header(r, "Last-Modified"), modified);
    response_free(r);

    /* If-None-Match decides when present (RFC 9110 §13.2.2): nothing matches */
    r = get("/v1/places?typology=RFS", GEO, "If-None-Match: \"anything\"");
    cr_expect_eq(r->status, 200);
    response_free(r);
    /* before Last-Modified: the body */
    r = get("/v1/places?typology=RFS", GEO, "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT");
    cr_expect_eq(r->status, 200);
    cr_expect_gt(r->body_len, 0);
    response_free(r);
}

/* Sends a GET of every place as GeoJSON and reads the headers and a few
 * bytes of the body; returns the socket, still open. */
static int begin_stream(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server.port)};
    inet_pton(AF_INET, "127.0.0.1", &at.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&at, sizeof at), 0);
    const char request[] = "GET /v1/places?format=geojson HTTP/1.1\r\nHost: localhost\r\n\r\n";
    cr_assert_eq(send(fd, request, sizeof request - 1, 0), (ssize_t)(sizeof request - 1));
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    cr_assert_gt(n, 0);
    buf[n] = '\0';
    cr_expect(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%s", buf);
    return fd;
}

/* The same, then closes the socket. */
static void walk_away(void)
{
    close(begin_stream());
}

static long in_use(void)
{
    char metrics[128];
    snprintf(metrics, sizeof metrics, "%s/metrics", server.metrics_url);
    const char *sample = "db_pool_connections_in_use ";
    long value = -1;
    /* the server notices a closed socket on its next write: give it a moment */
    for (int tries = 0; tries < 50 && value != 0; tries++) {
        struct response *r = http_request_raw("GET", metrics, NULL, NULL);
        const char *p = strstr(r->body, sample);
        value = p ? atol(p + strlen(sample)) : -1;
        response_free(r);
        if (value != 0)
            usleep(20000);
    }
    return value;
}

Test(stream_pool, a_client_that_goes_away_leaves_the_connection)
{
    for (int i = 0; i < 3; i++) {
        walk_away();
        /* the one connection of the pool is back: a read that needs it (a
         * borrowed one would make it wait 2 s and answer 503) */
        struct response *r = get("/v1/places?typology=RFS&limit=2", NULL, NULL);
        cr_expect_eq(r->status, 200, "round %d", i);
        response_free(r);
        r = get("/v1/places?typology=RFS", GEO, NULL);
        cr_expect_eq(r->status, 200, "round %d", i);
        json_t *geo = response_json(r);
        cr_expect(json_is_object(geo), "a whole stream after one cut short");
        json_decref(geo);
        response_free(r);
    }
}

/* Every feature has an id, and no id comes twice. */
static void expect_each_id_once(json_t *features)
{
    json_t *seen = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        const char *id = json_string_value(json_object_get(f, "id"));
        cr_assert_not_null(id);
        cr_expect_null(json_object_get(seen, id), "%s twice", id);
        json_object_set_new(seen, id, json_true());
    }
    json_decref(seen);
}

Test(stream_large, every_place_in_one_stream_and_a_cut_one_returns_its_connection)
{
    /* cut short three times, 20 MB into the stream, 512 bytes read at most */
    for (int i = 0; i < 3; i++) {
        walk_away();
        cr_expect_eq(in_use(), 0, "round %d: the stream's connection is back", i);
        struct response *r = get("/v1/places?typology=RFS", GEO, NULL);
        cr_expect_eq(r->status, 200, "round %d: the stream's turn is back", i);
        response_free(r);
    }
    /* gzipped: the same 20 MB, in many deflate blocks */
    expect_gzip_stream("/v1/places?typology=ASSO", 10u * 1000 * 1000);
    /* then read whole: every place, each once */
    struct response *r = get("/v1/places", GEO, NULL);
    cr_assert_eq(r->status, 200);
    cr_expect_gt(r->body_len, 10u * 1000 * 1000, "%zu bytes", r->body_len);
    json_t *geo = response_json(r);
    response_free(r);
    cr_assert(json_is_object(geo), "the stream parses as JSON");
    json_t *features = json_object_get(geo, "features");
    cr_expect_geq(json_array_size(features), LARGE_PLACES + 27);
    expect_each_id_once(features);
    json_decref(geo);
}

Test(stream_large, nearest_first_in_batches_each_place_once_in_order)
{
    struct response *r = get("/v1/places?near=43.65,0.55&radius_km=30", GEO, NULL);
    cr_assert_eq(r->status, 200);
    json_t *geo = response_json(r);
    response_free(r);
    json_t *features = json_object_get(geo, "features");
    cr_expect_geq(json_array_size(features), LARGE_PLACES, "every test place is within 30 km");
    expect_each_id_once(features);
    double before = -1;
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        double d =
            json_number_value(json_object_get(json_object_get(f, "properties"), "distance_m"));
        cr_expect_geq(d, before, "feature %zu: %f after %f", i, d, before);
        before = d;
    }
    json_decref(geo);
}

Test(stream_large, a_stream_holds_no_connection_between_its_batches)
{
    /* clients that stop reading: their streams hold a batch each, no connection */
    int held[3];
    for (int i = 0; i < 3; i++)
        held[i] = begin_stream();
    cr_expect_eq(in_use(), 0, "no connection held by the three stalled streams");
    struct response *r = get("/v1/places?typology=RFS&limit=5", NULL, NULL);
    cr_expect_eq(r->status, 200, "a page has a connection");
    response_free(r);
    /* another stream while the three wait: whole, with the pool of two */
    r = get("/v1/places?typology=RFS", GEO, NULL);
    cr_expect_eq(r->status, 200);
    json_t *geo = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(geo, "features")), 27, "the 27 France services");
    json_decref(geo);
    response_free(r);
    for (int i = 0; i < 3; i++)
        close(held[i]);
    cr_expect_eq(in_use(), 0);
}
