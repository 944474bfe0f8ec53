#include "http.h"

#include "core_sql.h"
#include "log.h"
#include "route.h"
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

void http_text_cached(struct req *r, const char *content_type, const char *text, size_t len,
                      const char *etag, int max_age)
{
    char computed[40], cache[40];
    snprintf(computed, sizeof computed, "\"%016llx%08zx\"", fnv1a(text, len), len);
    snprintf(cache, sizeof cache, "max-age=%d", max_age);
    if (!etag)
        etag = computed;
    http_set_header(r, "ETag", etag);
    http_set_header(r, "Cache-Control", cache);
    if (validate_etag_matches(http_header(r, "If-None-Match"), etag))
        http_empty(r, 304);
    else
        set_body(r, 200, content_type, text, len);
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
    case 503: return MSG_TITLE_503;
    case 504: return MSG_TITLE_504;
    default: return status >= 500 ? MSG_TITLE_500 : MSG_TITLE_OTHER;
    }
}

void http_vary(struct req *r, const char *field)
{
    const char *have = u_map_get_case(r->out->map_header, "Vary");
    if (!have || !*have) {
        http_set_header(r, "Vary", field);
        return;
    }
    size_t n = strlen(field);
    for (const char *p = have; (p = strcasestr(p, field)) != NULL; p += n)
        if ((p == have || p[-1] == ' ' || p[-1] == ',') &&
            (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return;
    char merged[256];
    snprintf(merged, sizeof merged, "%s, %s", have, field);
    http_set_header(r, "Vary", merged);
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
static bool within_limit(struct req *r, size_t max)
{
    const char *declared = http_header(r, "Content-Length");
    if ((declared && strtoull(declared, NULL, 10) > max) || r->in->binary_body_length > max) {
        http_problem_msg(r, 413, "body-too-large", MSG_BODY_TOO_LARGE, max);
        return false;
    }
    return true;
}

const char *http_read_text(struct req *r, const char *media_type, size_t max, size_t *len)
{
    if (!within_limit(r, max))
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
    if (!within_limit(r, r->app->cfg->max_body_bytes))
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
    if (app->replica && r->route && r->route->replica_ok) {
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
                        const char *not_found)
{
    const char *id = r->params[0];
    const char *params[8] = {id};
    if (nextra < 0 || nextra >= 8) {
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return NULL;
    }
    if (!validate_uuid(id)) {
        http_problem(r, 404, "not-found", not_found);
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
    http_problem(r, 404, "not-found", not_found);
    return NULL;
}
