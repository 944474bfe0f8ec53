/* The whole département as GeoJSON, streamed (issue #18, stream.h): GeoJSON
 * without limit, cursor or updated_since answers every place that matches as
 * one FeatureCollection, chunked, as PostgreSQL returns the rows; no ETag, no
 * gzip, Last-Modified and its 304; a HEAD; a client that goes away mid-stream
 * leaves no connection borrowed (DB_POOL_SIZE=1: the next reads still get
 * one).
 *
 * The database is shared with tests running in parallel: the places compared
 * are the seeded France services (typology RFS, never changed by a test). */
#include "support/expect.h"
#include "support/fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GEO "Accept: application/geo+json"

static void start_one_connection(void)
{
    static const char *const env[] = {"DB_POOL_SIZE=1", NULL};
    fixture_start_with(env);
}

TestSuite(stream, .init = fixture_start, .fini = fixture_stop, .timeout = 120);
TestSuite(stream_pool, .init = start_one_connection, .fini = fixture_stop, .timeout = 60);

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
    struct response *r = get("/v1/places?typology=RFS", GEO, "Accept-Encoding: gzip");
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(header(r, "Content-Type"), "application/geo+json");
    cr_expect_str_eq(header(r, "Transfer-Encoding"), "chunked");
    cr_expect_null(header(r, "Content-Length"));
    cr_expect_null(header(r, "ETag"), "a stream has no ETag");
    cr_expect_null(header(r, "Content-Encoding"), "a stream is never gzipped");
    cr_expect_not_null(header(r, "Last-Modified"));
    cr_expect_str_eq(header(r, "Cache-Control"), "public, max-age=60, stale-while-revalidate=300");
    cr_expect_str_eq(header(r, "Vary"), "Accept, Authorization");
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

/* Sends a GET of every place as GeoJSON, reads the headers and a few bytes of
 * the body, and closes the socket. */
static void walk_away(void)
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
    close(fd);
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
