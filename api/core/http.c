#include "http.h"

#include "core_sql.h"
#include "log.h"
#include "route.h"
#include "validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

const char *http_query(const struct req *r, const char *name)
{
    return u_map_get(r->in->map_url, name);
}

bool http_query_only(struct req *r, const char *const *allowed)
{
    const char **keys = u_map_enum_keys(r->in->map_url);
    json_t *errors = json_array();
    for (size_t i = 0; keys && keys[i]; i++) {
        bool known = false;
        for (size_t j = 0; allowed && allowed[j] && !known; j++)
            known = strcmp(keys[i], allowed[j]) == 0;
        if (!known)
            validate_error_msg(errors, keys[i], MSG_FIELD_UNKNOWN_QUERY);
    }
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return true;
    }
    http_invalid(r, 400, errors);
    return false;
}

const char *http_header(const struct req *r, const char *name)
{
    return u_map_get_case(r->in->map_header, name);
}

void http_set_header(struct req *r, const char *name, const char *value)
{
    u_map_put(r->out->map_header, name, value);
}

static void set_body(struct req *r, int status, const char *content_type, const char *body,
                     size_t len)
{
    ulfius_set_binary_body_response(r->out, (unsigned)status, body, len);
    http_set_header(r, "Content-Type", content_type);
    r->answered = true;
}

void http_empty(struct req *r, int status)
{
    ulfius_set_empty_body_response(r->out, (unsigned)status);
    r->answered = true;
}

const char *http_subject(const struct req *r)
{
    return r->who.sub[0] ? r->who.sub : "unknown";
}

void http_json_text(struct req *r, int status, const char *json)
{
    http_text(r, status, "application/json", json, strlen(json));
}

void http_text(struct req *r, int status, const char *content_type, const char *body, size_t len)
{
    set_body(r, status, content_type, body, len);
}

static void send_json(struct req *r, int status, const char *content_type, json_t *body)
{
    char *text = json_dumps(body, HTTP_JSON_FLAGS);
    json_decref(body);
    if (!text) {
        static const char fallback[] = "{\"type\":\"urn:inclusion-api:problem:internal\","
                                       "\"title\":\"Internal Server Error\",\"status\":500,"
                                       "\"detail\":\"The response could not be encoded.\"}";
        set_body(r, 500, "application/problem+json", fallback, sizeof fallback - 1);
        return;
    }
    set_body(r, status, content_type, text, strlen(text));
    free(text);
}

/* FNV-1a, 64 bits: a cache validator, not a security measure. */
static unsigned long long fnv1a(const char *data, size_t len)
{
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The q-value of one element of a comma-separated list ("gzip;q=0.5"): 1
 * without one, 0 for a malformed one. */
static double q_value(const char *element, size_t len)
{
    const char *semi = memchr(element, ';', len);
    while (semi) {
        const char *p = semi + 1;
        while (p < element + len && *p == ' ')
            p++;
        if (element + len - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char number[8] = "";
            size_t n = (size_t)(element + len - p - 2);
            memcpy(number, p + 2, n < sizeof number - 1 ? n : sizeof number - 1);
            char *end;
            double q = strtod(number, &end);
            return end == number || q < 0 || q > 1 ? 0 : q;
        }
        semi = memchr(p, ';', (size_t)(element + len - p));
    }
    return 1;
}

/* The q-value the list `header` gives `name` (case-insensitive); -1 when the
 * list does not name it. */
static double listed_q(const char *header, const char *name)
{
    size_t name_len = strlen(name);
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        size_t token = strcspn(p, ";,");
        while (token && p[token - 1] == ' ')
            token--;
        if (token == name_len && strncasecmp(p, name, name_len) == 0)
            return q_value(p, len);
        p += len;
    }
    return -1;
}

bool http_accepts_gzip(const char *accept_encoding)
{
    if (!accept_encoding)
        return false;
    double gzip = listed_q(accept_encoding, "gzip");
    if (gzip < 0)
        gzip = listed_q(accept_encoding, "x-gzip");
    if (gzip < 0)
        gzip = listed_q(accept_encoding, "*");
    return gzip > 0;
}

bool http_accept_names(const struct req *r, const char *media_type)
{
    const char *accept = http_header(r, "Accept");
    return accept && listed_q(accept, media_type) > 0;
}

void http_vary(struct req *r, const char *field)
{
    const char *current = u_map_get_case(r->out->map_header, "Vary");
    if (!current) {
        http_set_header(r, "Vary", field);
        return;
    }
    if (listed_q(current, field) >= 0)
        return;
    char joined[256];
    snprintf(joined, sizeof joined, "%s, %s", current, field);
    http_set_header(r, "Vary", joined);
}

void http_cache_control(struct req *r, int max_age)
{
    if (r->route && r->route->scope && !(r->route->flags & ROUTE_OPEN_DATA))
        return; /* behind a token: the router's no-store */
    char value[96];
    if (r->who.org[0])
        snprintf(value, sizeof value, "private, max-age=%d", max_age);
    else
        snprintf(value, sizeof value, "public, max-age=%d, stale-while-revalidate=300", max_age);
    http_set_header(r, "Cache-Control", value);
}

void http_date(long long seconds, char *out, size_t cap)
{
    time_t t = (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

long long http_if_modified_since(const struct req *r)
{
    const char *text = http_header(r, "If-Modified-Since");
    struct tm tm = {0};
    const char *end = text ? strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
    if (!end || *end)
        return -1;
    return (long long)timegm(&tm);
}

/* `text` gzipped into a new buffer (*out_len bytes) the caller frees, or NULL. */
static unsigned char *gzip(const char *text, size_t len, size_t *out_len)
{
    z_stream z = {0};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len) + 32;
    unsigned char *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)text;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = out ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

#define GZIP_MIN_BYTES 1024

void http_cached(struct req *r, const struct http_cache *c, const char *text, size_t len)
{
    char computed[40], identity[80], gzipped[84], modified[40];
    snprintf(computed, sizeof computed, "\"%016llx%08zx\"", fnv1a(text, len), len);
    snprintf(identity, sizeof identity, "%s", c->etag ? c->etag : computed);
    size_t quote = strlen(identity);
    if (quote >= 2 && identity[quote - 1] == '"')
        snprintf(gzipped, sizeof gzipped, "%.*s-gz\"", (int)(quote - 1), identity);
    else
        snprintf(gzipped, sizeof gzipped, "%s", identity);

    http_cache_control(r, c->max_age);
    if (c->varies_by_accept)
        http_vary(r, "Accept");
    http_vary(r, "Accept-Encoding");
    if (r->route && (r->route->flags & ROUTE_OPEN_DATA))
        http_vary(r, "Authorization");
    bool compress = len > GZIP_MIN_BYTES && http_accepts_gzip(http_header(r, "Accept-Encoding"));
    http_set_header(r, "ETag", compress ? gzipped : identity);
    if (c->last_modified > 0) {
        http_date(c->last_modified, modified, sizeof modified);
        http_set_header(r, "Last-Modified", modified);
    }
    if (c->disposition)
        http_set_header(r, "Content-Disposition", c->disposition);

    const char *if_none_match = http_header(r, "If-None-Match");
    bool not_modified;
    if (if_none_match)
        not_modified = validate_etag_matches(if_none_match, identity) ||
                       validate_etag_matches(if_none_match, gzipped);
    else
        not_modified = c->last_modified > 0 && http_if_modified_since(r) >= c->last_modified;
    size_t zlen = 0;
    unsigned char *z = compress ? gzip(text, len, &zlen) : NULL;
    if (compress && !z) /* gzip failed (memory): the identity body under its own ETag */
        http_set_header(r, "ETag", identity);
    if (z)
        http_set_header(r, "Content-Encoding", "gzip");
    if (not_modified) {
        /* libmicrohttpd writes a Content-Length in every 304 (and never its
         * body): given an empty body it would write "Content-Length: 0", which
         * RFC 9110 §8.6 forbids; given the 200's body it writes that body's
         * length, which §8.6 allows, and sends no byte of it. */
        ulfius_set_binary_body_response(r->out, 304, z ? (const char *)z : text, z ? zlen : len);
        r->answered = true;
    } else {
        set_body(r, 200, c->content_type, z ? (const char *)z : text, z ? zlen : len);
    }
    free(z);
}

void http_text_cached(struct req *r, const char *content_type, const char *text, size_t len,
                      const char *etag, int max_age)
{
    struct http_cache c = {.content_type = content_type, .etag = etag, .max_age = max_age};
    http_cached(r, &c, text, len);
}

void http_json_cached(struct req *r, const char *content_type, json_t *body, const char *etag,
                      int max_age)
{
    char *text = json_dumps(body, HTTP_JSON_FLAGS);
    json_decref(body);
    if (!text) {
        http_problem_msg(r, 500, "internal", MSG_ENCODING_FAILED);
        return;
    }
    http_text_cached(r, content_type, text, strlen(text), etag, max_age);
    free(text);
}

void http_json(struct req *r, int status, json_t *body)
{
    send_json(r, status, "application/json", body);
}

static enum msg_id status_title(int status)
{
    switch (status) {
    case 400: return MSG_TITLE_400;
    case 401: return MSG_TITLE_401;
    case 403: return MSG_TITLE_403;
    case 404: return MSG_TITLE_404;
    case 405: return MSG_TITLE_405;
    case 409: return MSG_TITLE_409;
    case 412: return MSG_TITLE_412;
    case 413: return MSG_TITLE_413;
    case 414: return MSG_TITLE_414;
    case 415: return MSG_TITLE_415;
    case 422: return MSG_TITLE_422;
    case 429: return MSG_TITLE_429;
    case 431: return MSG_TITLE_431;
    case 501: return MSG_TITLE_501;
    case 503: return MSG_TITLE_503;
    case 504: return MSG_TITLE_504;
    default: return status >= 500 ? MSG_TITLE_500 : MSG_TITLE_OTHER;
    }
}

void http_language(struct req *r)
{
    http_set_header(r, "Content-Language", lang_code(r->lang));
    http_vary(r, "Accept-Language");
}

static json_t *problem(struct req *r, int status, const char *code, const char *detail)
{
    char type[96];
    snprintf(type, sizeof type, "urn:inclusion-api:problem:%s", code);
    http_language(r);
    return json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title",
                     msg_text(status_title(status), r->lang), "status", status, "detail", detail);
}

void http_problem(struct req *r, int status, const char *code, const char *detail)
{
    if (status == 503)
        http_set_header(r, "Retry-After", "1");
    send_json(r, status, "application/problem+json", problem(r, status, code, detail));
}

void http_problem_msg(struct req *r, int status, const char *code, enum msg_id id, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, id);
    msg_vformat(detail, sizeof detail, r->lang, id, ap);
    va_end(ap);
    http_problem(r, status, code, detail);
}

void http_invalid(struct req *r, int status, json_t *errors)
{
    json_t *body = problem(
        r, status, status == 400 ? "bad-request" : "validation",
        msg_text(status == 400 ? MSG_BAD_REQUEST_SEE_ERRORS : MSG_VALIDATION_SEE_ERRORS, r->lang));
    json_object_set_new(body, "errors", errors);
    send_json(r, status, "application/problem+json", body);
}

/* Whether the Content-Type's media type is `want` (or, when want is NULL,
 * application/json or application/<x>+json), with at most a utf-8 charset. */
static bool media_type_is(const char *ct, const char *want)
{
    if (!ct)
        return false;
    size_t type_len = strcspn(ct, ";");
    while (type_len && ct[type_len - 1] == ' ')
        type_len--;
    bool match = want ? type_len == strlen(want) && strncasecmp(ct, want, type_len) == 0
                      : (type_len == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
                            (type_len > 17 && strncasecmp(ct, "application/", 12) == 0 &&
                             strncasecmp(ct + type_len - 5, "+json", 5) == 0);
    const char *params = strchr(ct, ';');
    if (!match || !params)
        return match;
    const char *charset = strcasestr(params, "charset=");
    if (!charset)
        return true;
    charset += 8;
    return strncasecmp(charset, "utf-8", 5) == 0 || strncasecmp(charset, "\"utf-8\"", 7) == 0;
}

/* 413 when the body is over `max` bytes, by Content-Length (before the body
 * is parsed) or by bytes received. */
bool http_body_fits(struct req *r)
{
    size_t max = http_body_limit(r);
    const char *declared = http_header(r, "Content-Length");
    if ((declared && strtoull(declared, NULL, 10) > max) || r->in->binary_body_length > max) {
        http_problem_msg(r, 413, "body-too-large", MSG_BODY_TOO_LARGE, max);
        return false;
    }
    return true;
}

size_t http_body_limit(const struct req *r)
{
    const struct config *cfg = r->app->cfg;
    return r->route && (r->route->flags & ROUTE_LARGE_BODY) ? cfg->import_max_bytes
                                                            : cfg->max_body_bytes;
}

const char *http_read_text(struct req *r, const char *media_type, size_t *len)
{
    if (!http_body_fits(r))
        return NULL;
    if (!media_type_is(http_header(r, "Content-Type"), media_type)) {
        http_problem_msg(r, 415, "unsupported-media-type", MSG_BODY_MEDIA_TYPE, media_type);
        return NULL;
    }
    *len = r->in->binary_body_length;
    return r->in->binary_body ? r->in->binary_body : "";
}

json_t *http_read_object(struct req *r)
{
    if (!http_body_fits(r))
        return NULL;
    if (!media_type_is(http_header(r, "Content-Type"), NULL)) {
        http_problem_msg(r, 415, "unsupported-media-type", MSG_BODY_MEDIA_TYPE, "application/json");
        return NULL;
    }
    json_error_t error;
    json_t *body =
        json_loadb(r->in->binary_body, r->in->binary_body_length, JSON_REJECT_DUPLICATES, &error);
    json_t *errors = json_array();
    if (!body) {
        validate_error_msg(errors, "body", MSG_FIELD_INVALID_JSON, error.line, error.column,
                           error.text);
    } else if (!json_is_object(body)) {
        validate_error_msg(errors, "body", MSG_FIELD_NOT_OBJECT);
        json_decref(body);
        body = NULL;
    }
    if (body) {
        json_decref(errors);
        return body;
    }
    http_invalid(r, 400, errors);
    return NULL;
}

static void answer_db_failure(struct req *r, const char *sqlstate, bool unavailable)
{
    log_event(unavailable ? LOG_WARN : LOG_ERROR, "database statement failed",
              json_pack("{s:s, s:s}", "request_id", r->request_id, "sqlstate",
                        sqlstate ? sqlstate : "none"));
    if (unavailable)
        http_problem_msg(r, 503, "database-unavailable", MSG_DATABASE_UNAVAILABLE);
    else
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
}

/* Borrows the request's connection. The one place that picks a pool: the
 * replica's for a route marked replica_ok in routes.c (when DATABASE_READ_URL
 * is set), the primary's for everything else. When the replica cannot give a
 * connection (down, in reconnection backoff, or its pool exhausted for 2 s),
 * a replica_ok read falls back to the primary rather than answering 503: the
 * primary can answer every read, and a dead replica must not take the public
 * map down with it. Only a primary that cannot give one answers 503. */
static bool ensure_connection(struct req *r)
{
    if (r->db)
        return true;
    struct app *app = r->app;
    if (app->replica && r->route && (r->route->flags & ROUTE_REPLICA_OK)) {
        r->db = db_pool_acquire(app->replica, &r->db_slot);
        if (r->db) {
            r->db_pool = app->replica;
            return true;
        }
        atomic_fetch_add_explicit(&app->replica_fallbacks, 1, memory_order_relaxed);
    }
    r->db = db_pool_acquire(app->pool, &r->db_slot);
    r->db_pool = app->pool;
    if (!r->db)
        http_problem_msg(r, 503, "database-unavailable", MSG_DATABASE_UNAVAILABLE);
    return r->db != NULL;
}

bool http_connection(struct req *r)
{
    return ensure_connection(r);
}

PGresult *http_sql(struct req *r, const char *sql, int nparams, const char *const *params,
                   bool constraint_ok)
{
    if (!ensure_connection(r))
        return NULL;
    PGresult *res = db_pool_exec(r->db_pool, r->db_slot, sql, nparams, params);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return res;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (constraint_ok && state && strncmp(state, "23", 2) == 0)
        return res;
    if (state && strncmp(state, "22", 2) == 0) {
        /* A data exception: a value of the request that passed our checks but
         * not PostgreSQL's (a date out of its range, say). The client's fault. */
        PQclear(res);
        http_problem_msg(r, 400, "bad-request", MSG_VALUE_OUT_OF_RANGE);
        return NULL;
    }
    if (state && strcmp(state, "57014") == 0 && PQstatus(r->db) == CONNECTION_OK) {
        /* statement_timeout (DB_STATEMENT_TIMEOUT_MS) ended the statement: the
         * database is up and the same request would time out again. Not 503
         * with Retry-After, which would invite an immediate retry. */
        log_event(LOG_WARN, "database statement timed out",
                  json_pack("{s:s}", "request_id", r->request_id));
        PQclear(res);
        http_problem_msg(r, 504, "query-too-expensive", MSG_QUERY_TOO_EXPENSIVE);
        return NULL;
    }
    char copy[6] = "";
    if (state)
        snprintf(copy, sizeof copy, "%s", state);
    bool unavailable = db_is_unavailable(r->db, res);
    PQclear(res);
    answer_db_failure(r, state ? copy : NULL, unavailable);
    return NULL;
}

bool http_sql_command(struct req *r, const char *sql)
{
    PGresult *res = http_sql(r, sql, 0, NULL, false);
    PQclear(res);
    return res != NULL;
}

bool http_begin(struct req *r)
{
    if (r->db && PQtransactionStatus(r->db) == PQTRANS_INTRANS)
        return true;
    return http_sql_command(r, CORE_SQL_BEGIN);
}

bool http_commit(struct req *r)
{
    return http_sql_command(r, CORE_SQL_COMMIT);
}

bool http_rollback(struct req *r)
{
    return http_sql_command(r, CORE_SQL_ROLLBACK);
}

PGresult *http_sql_lock(struct req *r, const char *sql, int nextra, const char *const *extra,
                        enum msg_id not_found)
{
    const char *id = r->params[0];
    const char *params[8] = {id};
    if (nextra < 0 || nextra >= 8) {
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return NULL;
    }
    if (!validate_uuid(id)) {
        http_problem_msg(r, 404, "not-found", not_found);
        return NULL;
    }
    for (int i = 0; i < nextra; i++)
        params[i + 1] = extra[i];
    PGresult *res = NULL;
    if (!http_begin(r) || !(res = http_sql(r, sql, 1 + nextra, params, false)))
        return NULL;
    if (PQntuples(res) == 1)
        return res;
    PQclear(res);
    http_problem_msg(r, 404, "not-found", not_found);
    return NULL;
}
