/* Rate limits come before the work they protect: failed authentications are
 * counted per address, apart, and an address over that budget gets 429 before
 * its token is even read; an organisation over its rate gets 429 before the
 * guard looks it up in the database, which PostgreSQL itself confirms (the
 * server's connections run no statement while it is throttled). */
#include "support/fixture.h"
#include "support/private_db.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROTECTED "/v1/organizations?limit=1"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* GET PROTECTED with `token`; the status, and Retry-After and the problem
 * type of a 429 checked. */
static long get_with(const char *token)
{
    char auth[4096];
    const char *headers[] = {bearer_header(token, auth, sizeof auth), NULL};
    struct response *r = http_request("GET", url(PROTECTED), headers, NULL);
    long status = r->status;
    if (status == 429) {
        char retry[16] = "";
        response_header(r, "Retry-After", retry, sizeof retry);
        cr_expect(atoi(retry) >= 1, "429 with Retry-After in whole seconds: \"%s\"", retry);
        json_t *body = response_json(r);
        cr_expect_str_eq(json_string_value(json_object_get(body, "type")),
                         "urn:inclusion-api:problem:rate-limited");
        json_decref(body);
    }
    response_free(r);
    return status;
}

/* The status of one GET PROTECTED sent from the local address `from`
 * ("127.0.0.2"): libcurl's requests all come from 127.0.0.1. */
static int status_from(const char *from, const char *token)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in local = {.sin_family = AF_INET}, remote = {.sin_family = AF_INET};
    inet_pton(AF_INET, from, &local.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    remote.sin_port = htons((uint16_t)server.port);
    cr_assert_eq(bind(fd, (struct sockaddr *)&local, sizeof local), 0, "bind %s", from);
    cr_assert_eq(connect(fd, (struct sockaddr *)&remote, sizeof remote), 0);
    char request[4096];
    int n = snprintf(request, sizeof request,
                     "GET " PROTECTED " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
                     token);
    cr_assert_eq(write(fd, request, (size_t)n), n);
    char answer[64] = "";
    size_t got = 0;
    for (ssize_t r; got < 12 && (r = read(fd, answer + got, sizeof answer - 1 - got)) > 0;)
        got += (size_t)r;
    close(fd);
    int status = 0;
    cr_assert_eq(sscanf(answer, "HTTP/1.1 %d", &status), 1, "a status line: \"%s\"", answer);
    return status;
}

/* A token with a good shape and a bad signature. */
static char *forged(void)
{
    char *claims = test_claims("caf-gers", "places:read", 600);
    static const char wrong[] = "not-the-secret-0123456789-0123456789-0123456789";
    char *token =
        jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256", wrong, sizeof wrong - 1);
    free(claims);
    return token;
}

/* ---- failed authentications, per address -------------------------------------- */

#define FAIL_PER_S  1
#define FAIL_BURST  10
#define BAD_REQUEST 700

TestSuite(limits_auth, .fini = fixture_stop, .timeout = 120);

Test(limits_auth, bad_tokens_from_one_address_get_429_once_its_failure_budget_is_spent)
{
    static const char *const env[] = {"RATE_LIMIT_AUTH_FAIL_PER_S=1",
                                      "RATE_LIMIT_AUTH_FAIL_BURST=10", NULL};
    fixture_start_with(env);
    char *bad = forged();
    char *good = test_token("caf-gers", "places:read");
    long unauthorized = 0, limited = 0, other = 0;
    double start = now_s();
    for (int i = 0; i < BAD_REQUEST; i++) {
        long status = get_with(bad);
        unauthorized += status == 401;
        limited += status == 429;
        other += status != 401 && status != 429;
    }
    double elapsed = now_s() - start;
    /* The budget: the burst, plus what the rate earned meanwhile. */
    long budget = FAIL_BURST + (long)(elapsed * FAIL_PER_S) + 1;
    cr_expect_eq(other, 0, "401 or 429, nothing else");
    cr_expect_geq(unauthorized, FAIL_BURST, "the burst of failures is answered 401");
    cr_expect_leq(unauthorized, budget, "%ld × 401 in %.1f s: the budget is %ld", unauthorized,
                  elapsed, budget);
    cr_expect_eq(limited, BAD_REQUEST - unauthorized, "the rest are 429: %ld", limited);

    /* Limited before authentication: even a valid token from that address waits. */
    cr_expect_eq(get_with(good), 429, "the address is limited before its token is read");
    /* Another address is not. */
    cr_expect_eq(status_from("127.0.0.2", good), 200, "127.0.0.2 is another address");
    cr_expect_eq(status_from("127.0.0.2", bad), 401, "with its own failure budget");
    free(bad);
    free(good);
}

Test(limits_auth, valid_tokens_do_not_spend_the_failure_budget)
{
    static const char *const env[] = {"RATE_LIMIT_AUTH_FAIL_PER_S=1",
                                      "RATE_LIMIT_AUTH_FAIL_BURST=10", NULL};
    fixture_start_with(env);
    char *good = test_token("caf-gers", "places:read");
    for (int i = 0; i < 3 * FAIL_BURST; i++)
        cr_expect_eq(get_with(good), 200, "request %d", i);
    free(good);
}

/* ---- a throttled organisation, seen from PostgreSQL ---------------------------- */

static struct private_db db;
static char server_url[700];
static char *caf, *poste;

static void start_private(void)
{
    private_db_create(&db, "inclusion_limits");
    /* One pooled connection, named: every statement of the server runs on it. */
    snprintf(server_url, sizeof server_url, "%s?application_name=limits-server", db.env_url);
    const char *env[] = {server_url, "RATE_LIMIT_ORG_PER_S=1", "RATE_LIMIT_ORG_BURST=3",
                         "DB_POOL_SIZE=1", NULL};
    const char *seed[] = {"seed", NULL}, *seed_env[] = {db.env_url, NULL};
    char *output = NULL;
    fixture_start_with(env); /* migrates */
    cr_assert_eq(run_binary(seed, seed_env, &output), 0, "seed: %s", output);
    free(output);
    fixture_token(&caf, "caf-gers", "places:read");
    fixture_token(&poste, "la-poste-gers", "places:read");
}

static void stop_private(void)
{
    fixture_stop();
    private_db_drop(&db);
}

TestSuite(limits_org, .init = start_private, .fini = stop_private, .timeout = 120);

/* The server's sessions on its database as PostgreSQL sees them: their pids,
 * and when each last started a statement. */
static char *sessions(PGconn *c)
{
    PGresult *res = PQexec(c, "SELECT count(*) || ' sessions: ' || coalesce(string_agg(pid || '@' "
                              "|| coalesce(query_start::text, '-'), ', ' ORDER BY pid), '') "
                              "FROM pg_stat_activity "
                              "WHERE datname = current_database() "
                              "AND application_name = 'limits-server'");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    char *text = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return text;
}

Test(limits_org, a_throttled_organisation_runs_no_statement)
{
    PGconn *c = PQconnectdb(db.url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    /* The burst, from a full bucket: the bucket holds less than one token
     * until a second after the first of these at the earliest. */
    double first = now_s();
    for (int i = 0; i < 3; i++)
        cr_assert_eq(get_with(caf), 200, "request %d of the burst", i);
    char *before = sessions(c);
    cr_assert(strncmp(before, "1 sessions: ", 12) == 0, "the pool's one connection: %s", before);
    int limited = 0, sent = 0;
    while (now_s() - first < 0.9) {
        limited += get_with(caf) == 429;
        sent++;
    }
    char *after = sessions(c);
    cr_expect_geq(sent, 1, "at least one request while throttled");
    cr_expect_eq(limited, sent, "throttled: %d of %d answered 429", limited, sent);
    cr_expect_str_eq(after, before,
                     "no statement on the database while the organisation is throttled");
    /* The pool is there for the others: another organisation is served. */
    cr_expect_eq(get_with(poste), 200);
    char *served = sessions(c);
    cr_expect_str_neq(served, before, "and its request did run statements");
    free(before);
    free(after);
    free(served);
    PQfinish(c);
}
