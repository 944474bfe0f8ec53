/* DATABASE_READ_URL: which pool a request borrows from, without a real replica.
 *
 * The "replica" is the test database itself under another application_name
 * (the URL's wins over the service's default): the service opens its read
 * pool there read-only (default_transaction_read_only=on), so a route marked
 * replica_ok that wrote would fail here as it would on a standby. The proof
 * is threefold: /metrics counts the connections borrowed per pool, the
 * replica's application_name shows in pg_stat_activity, and a write succeeds
 * (it could not on the read-only pool). With DATABASE_READ_URL on a dead
 * port, reads fall back to the primary and still answer 200. */
#include "support/expect.h"
#include "support/fixture.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char app_name[64];  /* the replica pool's application_name, unique to this process */
static char read_env[600]; /* DATABASE_READ_URL=... */
static char *reader, *writer;

static const char *test_database_url(void)
{
    const char *dsn = getenv("TEST_DATABASE_URL");
    return dsn ? dsn : "postgresql://inclusion:inclusion@127.0.0.1:54321/inclusion";
}

static void tokens(void)
{
    fixture_token(&reader, "france-services-mirande", "places:read workshops:read");
    fixture_token(&writer, "france-services-mirande", "places:read activity:write");
}

static void start_same_database(void)
{
    const char *dsn = test_database_url();
    snprintf(app_name, sizeof app_name, "inclusion-api-read-test-%d", (int)getpid());
    snprintf(read_env, sizeof read_env, "DATABASE_READ_URL=%s%sapplication_name=%s", dsn,
             strchr(dsn, '?') ? "&" : "?", app_name);
    const char *env[] = {read_env, NULL};
    fixture_start_with(env);
    tokens();
}

/* A loopback port nobody listens on: bound by the system, then closed. */
static int dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void start_dead_replica(void)
{
    snprintf(read_env, sizeof read_env,
             "DATABASE_READ_URL=postgresql://inclusion:inclusion@127.0.0.1:%d/inclusion",
             dead_port());
    const char *env[] = {read_env, NULL};
    fixture_start_with(env);
    tokens();
}

TestSuite(read_replica, .init = start_same_database, .fini = fixture_stop, .timeout = 60);
TestSuite(read_replica_down, .init = start_dead_replica, .fini = fixture_stop, .timeout = 60);

/* The value of one sample line of /metrics ("name{labels}"), -1 when absent. */
static long metric(const char *sample)
{
    char metrics[128];
    snprintf(metrics, sizeof metrics, "%s/metrics", server.metrics_url);
    struct response *r = http_request_raw("GET", metrics, NULL, NULL); /* metrics listener */
    cr_assert_eq(r->status, 200);
    long value = -1;
    for (const char *p = r->body; (p = strstr(p, sample)) != NULL; p++)
        if ((p == r->body || p[-1] == '\n') && p[strlen(sample)] == ' ') {
            value = atol(p + strlen(sample) + 1);
            break;
        }
    response_free(r);
    return value;
}

#define PRIMARY   "db_pool_acquired_total{pool=\"primary\"}"
#define REPLICA   "db_pool_acquired_total{pool=\"replica\"}"
#define FALLBACKS "db_replica_fallbacks_total"

static struct response *get(const char *path, const char *token)
{
    return http_get(server.base_url, path, token);
}

/* The id of a seeded place (the list's first). */
static void some_place(char *id, size_t cap)
{
    struct response *r = get("/v1/places?limit=1", reader);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *doc = response_json(r);
    const char *text =
        json_string_value(json_object_get(json_array_get(json_object_get(doc, "items"), 0), "id"));
    cr_assert_not_null(text, "a seeded place");
    snprintf(id, cap, "%s", text);
    json_decref(doc);
    response_free(r);
}

static long replica_backends(void)
{
    PGconn *c = PQconnectdb(test_database_url());
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    const char *params[] = {app_name};
    PGresult *res =
        PQexecParams(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", 1,
                     NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return n;
}

Test(read_replica, a_get_of_places_borrows_from_the_replica_and_a_post_from_the_primary)
{
    cr_expect_eq(metric(FALLBACKS), 0);
    long primary = metric(PRIMARY), replica = metric(REPLICA);
    struct response *r = get("/v1/places?limit=5", reader);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    cr_expect_eq(metric(REPLICA), replica + 1, "the GET borrowed from the replica's pool");
    cr_expect_eq(metric(PRIMARY), primary, "and not from the primary's");
    cr_expect_geq(replica_backends(), 1, "a connection under %s in pg_stat_activity", app_name);

    char place[64], at[40], body[256], auth[4096];
    some_place(place, sizeof place);
    primary = metric(PRIMARY);
    replica = metric(REPLICA);
    rfc3339_utc(time(NULL) - 3600, at, sizeof at);
    snprintf(body, sizeof body, "{\"place_id\":\"%s\",\"visited_at\":\"%s\",\"count\":1}", place,
             at);
    const char *headers[] = {bearer_header(writer, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    r = http_request("POST", url("/v1/visits"), headers, body);
    cr_expect_eq(r->status, 201, "the write succeeded, so not on the read-only pool: %s", r->body);
    response_free(r);
    cr_expect_eq(metric(PRIMARY), primary + 1, "the POST borrowed from the primary's pool");
    cr_expect_eq(metric(REPLICA), replica, "and not from the replica's");
    cr_expect_eq(metric(FALLBACKS), 0);
}

/* Every route marked replica_ok answers on a read-only connection: none of
 * them writes. Referrals, registrations and devices stay on the primary. */
Test(read_replica, every_replica_route_reads_only)
{
    char place[64], path[256];
    some_place(place, sizeof place);
    struct response *r = get("/v1/workshops?limit=1", reader);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *doc = response_json(r);
    char workshop[64] = "";
    const char *wid =
        json_string_value(json_object_get(json_array_get(json_object_get(doc, "items"), 0), "id"));
    if (wid)
        snprintf(workshop, sizeof workshop, "%s", wid);
    json_decref(doc);
    response_free(r);

    const char *paths[] = {"/v1/places?limit=3",
                           "/v1/places?format=geojson&limit=3",
                           "/v1/places?format=csv&limit=3",
                           "/v1/places?q=mediatheque&limit=3",
                           "/v1/places?near=43.6625,0.6083&radius_km=20&limit=3",
                           "/v1/stops?limit=3",
                           "/v1/organizations?limit=3",
                           "/v1/organizations/caf-gers",
                           "/v1/reference/skills",
                           "/v1/workshops?limit=3",
                           "/v1/calendar.ics",
                           NULL};
    long replica = metric(REPLICA), primary = metric(PRIMARY);
    long sent = 0;
    for (size_t i = 0; paths[i]; i++, sent++) {
        r = get(paths[i], reader);
        cr_expect_eq(r->status, 200, "%s: %ld %s", paths[i], r->status, r->body);
        response_free(r);
    }
    snprintf(path, sizeof path, "/v1/places/%s", place);
    r = get(path, reader);
    cr_expect_eq(r->status, 200, "%s: %s", path, r->body);
    response_free(r);
    snprintf(path, sizeof path, "/v1/places/%s/stops", place);
    r = get(path, reader);
    cr_expect_eq(r->status, 200, "%s: %s", path, r->body);
    response_free(r);
    sent += 2;
    if (workshop[0]) {
        snprintf(path, sizeof path, "/v1/workshops/%s", workshop);
        r = get(path, reader);
        cr_expect_eq(r->status, 200, "%s: %s", path, r->body);
        response_free(r);
        sent++;
    }
    /* /v1/reference/skills may not need the database at all. */
    cr_expect_geq(metric(REPLICA), replica + sent - 1, "all of them on the replica's pool");
    cr_expect_eq(metric(PRIMARY), primary, "none on the primary's");
}

Test(read_replica, referrals_stay_on_the_primary)
{
    char *partner = test_token("france-services-mirande", "referrals:read");
    long primary = metric(PRIMARY), replica = metric(REPLICA);
    struct response *r = get("/v1/referrals?limit=1", partner);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    free(partner);
    cr_expect_eq(metric(PRIMARY), primary + 1);
    cr_expect_eq(metric(REPLICA), replica);
}

Test(read_replica_down, reads_fall_back_to_the_primary_when_the_replica_is_unreachable)
{
    for (int i = 0; i < 3; i++) {
        struct response *r = get("/v1/places?limit=2", reader);
        cr_expect_eq(r->status, 200, "GET %d answered %ld: %s", i, r->status, r->body);
        response_free(r);
    }
    struct response *r = http_request("GET", url("/readyz"), NULL, NULL);
    cr_expect_eq(r->status, 200, "ready: the primary answers (%s)", r->body);
    response_free(r);
    cr_expect_eq(metric(REPLICA), 0, "the replica never gave a connection");
    cr_expect_geq(metric(FALLBACKS), 3, "each read fell back");
    cr_expect_geq(metric(PRIMARY), 3, "and was served by the primary");
}
