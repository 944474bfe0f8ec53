#include "router.h"

#include "guard.h"
#include "log.h"
#include "webhook_send.h"

#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MAX_PATH         2048
#define MAX_URL          (16 * 1024) /* path and query */
#define MAX_HEADER_BYTES (16 * 1024) /* all request headers, names and values */

bool router_match(const char *pattern, char *path, const char **params, size_t max_params)
{
    if (pattern[0] != '/' || path[0] != '/')
        return false;
    const char *p = pattern + 1;
    char *s = path + 1;
    size_t n = 0;
    for (;;) {
        size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
        bool p_last = p[plen] == '\0', s_last = s[slen] == '\0';
        if (p[0] == '{') {
            if (slen == 0 || n == max_params)
                return false;
            params[n++] = s;
        } else if (plen != slen || strncmp(p, s, plen) != 0) {
            return false;
        }
        if (p_last || s_last)
            return p_last && s_last;
        s[slen] = '\0'; /* ends a parameter's text */
        p += plen + 1;
        s += slen + 1;
    }
}

static bool valid_request_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static void assign_request_id(struct req *r)
{
    const char *given = http_header(r, "X-Request-Id");
    if (given && valid_request_id(given)) {
        snprintf(r->request_id, sizeof r->request_id, "%s", given);
    } else {
        unsigned char raw[16];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
            memset(raw, 0, sizeof raw);
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < sizeof raw; i++) {
            r->request_id[2 * i] = hex[raw[i] >> 4];
            r->request_id[2 * i + 1] = hex[raw[i] & 15];
        }
        r->request_id[2 * sizeof raw] = '\0';
    }
    http_set_header(r, "X-Request-Id", r->request_id);
}

static const char *allowed_origin(const struct req *r)
{
    const char *origin = http_header(r, "Origin");
    for (char **o = r->app->cfg->cors_origins; origin && o && *o; o++)
        if (strcmp(*o, origin) == 0)
            return origin;
    return NULL;
}

/* Whether `path` matches `pattern`, as router_match decides, touching neither
 * (router_match, which cuts the path into its parameters, runs once, for the
 * route found). */
static bool matches(const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    if (*p++ != '/' || *s++ != '/')
        return false;
    for (;;) {           /* at the start of a segment of each */
        if (*p == '{') { /* a parameter: any segment but an empty one */
            if (*s == '/' || *s == '\0')
                return false;
            while (*p && *p != '/')
                p++;
            while (*s && *s != '/')
                s++;
        } else {
            while (*p && *p != '/' && *p == *s) {
                p++;
                s++;
            }
            if ((*p && *p != '/') || (*s && *s != '/'))
                return false;
        }
        if (*p != *s) /* one path has another segment */
            return false;
        if (*p == '\0')
            return true;
        p++;
        s++;
    }
}

/* Splits a path into params for every route whose pattern matches; collects
 * the allowed methods; returns the route for `method`, or NULL. */
static const struct route *find_route(struct req *r, const char *method, char *allow,
                                      size_t allow_len, bool *path_known)
{
    const struct route *found = NULL;
    *path_known = false;
    allow[0] = '\0';
    for (size_t i = 0; i < routes_count; i++) {
        if (!matches(routes[i].pattern, r->in->url_path))
            continue;
        *path_known = true;
        size_t used = strlen(allow);
        snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0) {
            used = strlen(allow);
            snprintf(allow + used, allow_len - used, ", HEAD");
        }
        bool same = strcmp(routes[i].method, method) == 0 ||
                    (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0);
        if (same && !found) {
            found = &routes[i];
            router_match(routes[i].pattern, r->path, r->params, HTTP_MAX_PATH_PARAMS);
        }
    }
    return found;
}

/* The bytes of the request's header names and values. */
static size_t header_bytes(const struct req *r)
{
    const struct _u_map *headers = r->in->map_header;
    size_t total = 0;
    for (int i = 0; headers && i < headers->nb_values; i++)
        total += strlen(headers->keys[i]) + headers->lengths[i] + 4;
    return total;
}

/* The client's address as a rate-limit key: "127.0.0.1"; an IPv6 client by
 * its /64 ("2001:db8:1:2::/64"), which one subscriber holds whole and can
 * walk through at will; an IPv4-mapped one (a dual-stack listener) as IPv4.
 * "unknown" without one. */
void router_client_address(const struct req *r, char *out, size_t cap)
{
    const struct sockaddr *sa = r->in->client_address;
    snprintf(out, cap, "unknown");
    if (sa && sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    } else if (sa && sa->sa_family == AF_INET6) {
        struct in6_addr a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a)) {
            inet_ntop(AF_INET, &a.s6_addr[12], out, (socklen_t)cap);
            return;
        }
        memset(&a.s6_addr[8], 0, 8);
        if (inet_ntop(AF_INET6, &a, out, (socklen_t)cap))
            snprintf(out + strlen(out), cap - strlen(out), "/64");
    }
}

static double monotonic_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Answers 429 with Retry-After (whole seconds, at least 1). */
static bool too_many(struct req *r, double retry)
{
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%d", (int)retry + 1);
    http_set_header(r, "Retry-After", seconds);
    http_problem_msg(r, 429, "rate-limited", MSG_RATE_LIMITED);
    return false;
}

/* Takes a token from `limit` for `key`; answers 429 and returns false when
 * there is none. */
static bool within_limit(struct req *r, struct ratelimit *limit, const char *key)
{
    double retry = 0;
    if (!limit || ratelimit_take(limit, key, monotonic_now(), &retry))
        return true;
    return too_many(r, retry);
}

/* A 401 spends the address's budget of failed authentications. */
static void count_failure(struct req *r, const char *address)
{
    if (r->out->status == 401 && r->app->auth_fail_limit)
        ratelimit_take(r->app->auth_fail_limit, address, monotonic_now(), NULL);
}

/* Admits a request to a route, cheapest checks first, each before the work it
 * protects; all but the last run when the headers have arrived, before any
 * body is read:
 *   1. the client's address: on a public route its request budget
 *      (RATE_LIMIT_IP_*; the probes /healthz and /readyz are not limited), on
 *      a route behind a token its budget of failed authentications
 *      (RATE_LIMIT_AUTH_FAIL_*, which only 401s spend): no token read, no
 *      database;
 *   2. the token's signature and claims (guard_verify): no database;
 *   3. the organisation's budget (RATE_LIMIT_ORG_*): no database;
 *   4. after the body, the organisation in the directory and the scope
 *      (guard_confirm): the first query.
 * Anonymous open-data admission: an open_data route read without any token
 * while PUBLIC_READS=1 (guard_anonymous_open_data) is admitted like a public
 * route, by its address's request budget alone.
 * Requests behind a token are not otherwise limited per address: partners
 * behind one proxy or NAT share one, and each is limited as an organisation. */
static bool admit_before_body(struct req *r)
{
    char address[64], key[96];
    router_client_address(r, address, sizeof address);
    if (!r->route->scope || guard_anonymous_open_data(r)) {
        if (strcmp(r->route->pattern, "/healthz") == 0 || strcmp(r->route->pattern, "/readyz") == 0)
            return true;
        return within_limit(r, r->app->ip_limit, address);
    }
    double retry = 0;
    if (r->app->auth_fail_limit &&
        !ratelimit_peek(r->app->auth_fail_limit, address, monotonic_now(), &retry))
        return too_many(r, retry);
    if (!guard_verify(r)) {
        count_failure(r, address);
        return false;
    }
    snprintf(key, sizeof key, "org:%s", r->who.org);
    return within_limit(r, r->app->org_limit, key);
}

static bool admit_after_body(struct req *r)
{
    if (guard_confirm(r))
        return true;
    char address[64];
    router_client_address(r, address, sizeof address);
    count_failure(r, address);
    return false;
}

/* The messages built in formats/ follow the request's language: the thread's
 * current language is set at the start of each phase (a thread serves other
 * connections between the phases of one request) and reset to English by
 * router_finish. */
bool router_headers(struct req *r)
{
    lang_set_current(r->lang);
    const char *method = r->in->http_verb;
    const char *origin = allowed_origin(r);
    if (r->app->cfg->cors_origins && r->app->cfg->cors_origins[0])
        http_vary(r, "Origin");
    if (origin) {
        http_set_header(r, "Access-Control-Allow-Origin", origin);
        http_set_header(r, "Access-Control-Expose-Headers",
                        "ETag, Idempotent-Replayed, Link, Location, Retry-After, X-Request-Id");
    }
    if (strlen(r->in->url_path) >= MAX_PATH || strlen(r->in->http_url) > MAX_URL) {
        http_problem_msg(r, 414, "uri-too-long", MSG_URI_TOO_LONG);
        return false;
    }
    if (header_bytes(r) > MAX_HEADER_BYTES) {
        http_problem_msg(r, 431, "headers-too-large", MSG_HEADERS_TOO_LARGE);
        return false;
    }
    snprintf(r->path, sizeof r->path, "%s", r->in->url_path);
    char allow[128];
    bool path_known = false;
    r->route = find_route(r, method, allow, sizeof allow, &path_known);
    if (!path_known) {
        http_problem_msg(r, 404, "not-found", MSG_NOTHING_AT_PATH);
        return false;
    }
    if (!r->route && strcmp(method, "OPTIONS") == 0) {
        size_t used = strlen(allow);
        snprintf(allow + used, sizeof allow - used, ", OPTIONS");
        http_set_header(r, "Allow", allow);
        if (origin) {
            http_set_header(r, "Access-Control-Allow-Methods", allow);
            http_set_header(r, "Access-Control-Allow-Headers",
                            "Authorization, Content-Type, Idempotency-Key, If-Match, "
                            "If-None-Match, X-Request-Id");
            http_set_header(r, "Access-Control-Max-Age", "600");
        }
        http_empty(r, 204);
        return false;
    }
    if (!r->route) {
        http_set_header(r, "Allow", allow);
        http_problem_msg(r, 405, "method-not-allowed", MSG_METHOD_NOT_ALLOWED, allow);
        return false;
    }
    /* Answers behind a token are private: never stored by a shared browser or
     * proxy, unless a handler says otherwise (public map data). */
    if (r->route->scope)
        http_set_header(r, "Cache-Control", "no-store");
    return admit_before_body(r);
}

void router_body(struct req *r)
{
    lang_set_current(r->lang);
    if (r->route->scope && !guard_anonymous_open_data(r) && !admit_after_body(r))
        return;
    if (!http_query_only(r, r->route->query))
        return;
    r->route->handle(r);
    if (!r->answered)
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
}

void router_begin(struct req *r, const struct _u_request *in, struct _u_response *out,
                  struct app *app)
{
    *r = (struct req){.in = in, .out = out, .app = app};
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    assign_request_id(r);
    r->lang = lang_negotiate(http_header(r, "Accept-Language"), app->cfg->default_language);
    if (atomic_load(&app->draining))
        http_set_header(r, "Connection", "close");
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void router_finish(struct req *r)
{
    if (r->db)
        db_pool_release(r->db_pool, r->db_slot);
    r->db = NULL;
    double elapsed = seconds_since(&r->started);
    size_t route_index = r->route ? (size_t)(r->route - routes) : routes_count;
    int status = (int)r->out->status;
    metrics_observe(r->app->metrics, route_index, status, elapsed);
    /* a write that succeeded may have written webhook events (the triggers);
     * a request cut before its headers ended has no route (and no method) */
    if (r->route && status < 400 && strcmp(r->route->method, "GET") != 0)
        webhook_workers_wake(r->app->webhooks);
    enum log_level level = status >= 500 ? LOG_ERROR : LOG_INFO;
    if (!log_enabled(level)) {
        lang_set_current(LANG_EN);
        return;
    }
    json_t *fields =
        json_pack("{s:s, s:o, s:s, s:i, s:f}", "request_id", r->request_id, "method",
                  log_bytes(r->in->http_verb), "route", r->route ? r->route->pattern : "unmatched",
                  "status", status, "duration_ms", elapsed * 1000);
    if (r->who.org[0])
        json_object_set_new(fields, "org", json_string(r->who.org));
    log_event(level, "request", fields);
    lang_set_current(LANG_EN);
}

int router_dispatch(const struct _u_request *in, struct _u_response *out, void *user_data)
{
    struct req r;
    router_begin(&r, in, out, user_data);
    if (router_headers(&r))
        router_body(&r);
    router_finish(&r);
    return U_CALLBACK_COMPLETE;
}
