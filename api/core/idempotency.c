/* Idempotency-Key: the rules are in idempotency.h. */
#include "idempotency.h"

#include "idempotency_sql.h"
#include "log.h"
#include "route.h"
#include "validate.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool valid_key(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++)
        if (key[i] < 0x21 || key[i] > 0x7E)
            return false;
    return true;
}

static void hex_sha256(const void *data, size_t len, char out[65])
{
    unsigned char digest[32];
    unsigned int n = 0;
    EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* A number's text depends on its value only: a real without a fraction (1.0,
 * 1e2) is written as the integer it is, the others with 17 digits. */
static json_t *canonical_numbers(json_t *v)
{
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d == floor(d) && fabs(d) < 9007199254740992.0) /* 2^53: exact */
            return json_integer((json_int_t)d);
    } else if (json_is_object(v)) {
        const char *name;
        json_t *member;
        json_object_foreach(v, name, member)
            json_object_set_new(v, name, canonical_numbers(member));
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            json_array_set_new(v, i, canonical_numbers(json_array_get(v, i)));
    }
    return json_incref(v);
}

/* The hex SHA-256 of the document's canonical serialisation. */
static bool document_hash(const json_t *doc, char out[65])
{
    json_t *copy = json_deep_copy(doc);
    json_t *canonical = copy ? canonical_numbers(copy) : NULL;
    json_decref(copy);
    char *text = canonical ? json_dumps(canonical, JSON_COMPACT | JSON_SORT_KEYS |
                                                       JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY)
                           : NULL;
    json_decref(canonical);
    if (!text)
        return false;
    hex_sha256(text, strlen(text), out);
    free(text);
    return true;
}

/* The route and the path's ids the key is bound to. */
static void bind_route(const struct req *r, struct idempotency *k)
{
    snprintf(k->route, sizeof k->route, "%s %s", r->route->method, r->route->pattern);
    size_t used = 0, ids = 0;
    k->target[0] = '\0';
    for (const char *p = r->route->pattern; *p && ids < HTTP_MAX_PATH_PARAMS; p++)
        if (*p == '{' && r->params[ids]) {
            int n = snprintf(k->target + used, sizeof k->target - used, "%s%s", ids ? "/" : "",
                             r->params[ids]);
            used += n > 0 ? (size_t)n : 0;
            if (used >= sizeof k->target)
                used = sizeof k->target - 1;
            ids++;
        }
}

static void in_flight(struct req *r)
{
    http_problem_msg(r, 409, "in-flight", MSG_IDEMPOTENCY_IN_FLIGHT);
}

/* The kept answer, again. */
static void replay(struct req *r, PGresult *kept)
{
    if (!PQgetisnull(kept, 0, IDEM_COL_LOCATION))
        http_set_header(r, "Location", PQgetvalue(kept, 0, IDEM_COL_LOCATION));
    http_set_header(r, "Idempotent-Replayed", "true");
    http_json_text(r, atoi(PQgetvalue(kept, 0, IDEM_COL_STATUS)),
                   PQgetvalue(kept, 0, IDEM_COL_RESPONSE));
}

/* The kept record was made by this request: same route, same ids, same
 * document (records from before migration 009 hold the hash of the body's
 * bytes instead). */
static bool same_request(const struct req *r, const struct idempotency *k, PGresult *kept)
{
    if (strcmp(PQgetvalue(kept, 0, IDEM_COL_ROUTE), k->route) != 0 ||
        strcmp(PQgetvalue(kept, 0, IDEM_COL_TARGET), k->target) != 0)
        return false;
    if (!PQgetisnull(kept, 0, IDEM_COL_DOC_HASH))
        return strcmp(PQgetvalue(kept, 0, IDEM_COL_DOC_HASH), k->hash) == 0;
    char bytes[65];
    hex_sha256(r->in->binary_body ? r->in->binary_body : "", r->in->binary_body_length, bytes);
    return strcmp(PQgetvalue(kept, 0, IDEM_COL_BODY_HASH), bytes) == 0;
}

json_t *idempotency_begin(struct req *r, bool required, struct idempotency *k)
{
    return idempotency_begin_with(r, required, k, NULL);
}

json_t *idempotency_prepare(struct req *r, bool required, struct idempotency *k)
{
    k->key = http_header(r, "Idempotency-Key");
    k->hash[0] = k->route[0] = k->target[0] = '\0';
    if (!k->key && !required)
        return http_read_object(r);
    if (!valid_key(k->key)) {
        json_t *errors = json_array();
        validate_error_msg(errors, "Idempotency-Key",
                           k->key ? MSG_FIELD_IDEMPOTENCY_KEY : MSG_FIELD_REQUIRED);
        http_invalid(r, 400, errors);
        return NULL;
    }
    json_t *body = http_read_object(r);
    if (!body)
        return NULL;
    if (!document_hash(body, k->hash)) {
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        json_decref(body);
        return NULL;
    }
    bind_route(r, k);
    return body;
}

/* idempotency_settle, with the replay hook run before a replay. */
static bool settle(struct req *r, const struct idempotency *k, PGresult *kept,
                   idempotency_on_replay on_replay)
{
    if (strcmp(PQgetvalue(kept, 0, IDEM_COL_LOCKED), "t") != 0) {
        in_flight(r);
        return true;
    }
    if (PQgetisnull(kept, 0, IDEM_COL_STATUS))
        return false;
    if (same_request(r, k, kept)) {
        const char *id = PQgetisnull(kept, 0, IDEM_COL_RESOURCE_ID)
                             ? NULL
                             : PQgetvalue(kept, 0, IDEM_COL_RESOURCE_ID);
        if (!on_replay || (on_replay(r, id) && http_commit(r)))
            replay(r, kept);
    } else
        http_problem_msg(r, 422, "idempotency-key-reused",
                         strcmp(PQgetvalue(kept, 0, IDEM_COL_ROUTE), k->route) != 0 ||
                                 strcmp(PQgetvalue(kept, 0, IDEM_COL_TARGET), k->target) != 0
                             ? MSG_IDEMPOTENCY_OTHER_ROUTE
                             : MSG_IDEMPOTENCY_OTHER_BODY);
    return true;
}

bool idempotency_settle(struct req *r, const struct idempotency *k, PGresult *kept)
{
    return settle(r, k, kept, NULL);
}

bool idempotency_look_up(struct req *r, const struct idempotency *k)
{
    const char *params[] = {r->who.org, k->key};
    PGresult *kept = http_sql(r, IDEMPOTENCY_SQL_BEGIN, 2, params, false);
    bool answered = !kept || settle(r, k, kept, NULL);
    PQclear(kept);
    return answered;
}

json_t *idempotency_begin_with(struct req *r, bool required, struct idempotency *k,
                               idempotency_on_replay on_replay)
{
    json_t *body = idempotency_prepare(r, required, k);
    if (!body || !k->key)
        return body;
    const char *params[] = {r->who.org, k->key};
    PGresult *kept = NULL;
    if (!http_begin(r) || !(kept = http_sql(r, IDEMPOTENCY_SQL_BEGIN, 2, params, false)) ||
        settle(r, k, kept, on_replay)) {
        PQclear(kept);
        json_decref(body);
        return NULL;
    }
    PQclear(kept);
    return body;
}

void idempotency_constraint_failed(struct req *r, PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
    if (state && strcmp(state, "23505") == 0 && table && strcmp(table, "idempotency_keys") == 0) {
        in_flight(r);
        return;
    }
    log_event(LOG_ERROR, "constraint violated",
              json_pack("{s:s, s:s, s:s}", "request_id", r->request_id, "sqlstate",
                        state ? state : "", "table", table ? table : ""));
    http_problem_msg(r, 500, "internal", MSG_INTERNAL);
}

void idempotency_record(struct req *r, const struct idempotency *k, int status, const char *json,
                        const char *location, const char *resource_id)
{
    if (k && k->key) {
        char status_text[8];
        snprintf(status_text, sizeof status_text, "%d", status);
        const char *params[] = {r->who.org,  k->key, k->route, k->target,  k->hash,
                                status_text, json,   location, resource_id};
        PGresult *res = http_sql(r, IDEMPOTENCY_SQL_RECORD, 9, params, true);
        if (!res)
            return;
        bool taken = PQresultStatus(res) != PGRES_COMMAND_OK;
        PQclear(res);
        if (taken) { /* another request with the key committed after our lookup */
            in_flight(r);
            return;
        }
    }
    if (r->db && PQtransactionStatus(r->db) == PQTRANS_INTRANS && !http_commit(r))
        return;
    if (location)
        http_set_header(r, "Location", location);
    http_json_text(r, status, json);
}

void idempotency_record_json(struct req *r, const struct idempotency *k, int status, json_t *body,
                             const char *location, const char *resource_id)
{
    char *text = json_dumps(body, HTTP_JSON_FLAGS);
    json_decref(body);
    if (!text) {
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return;
    }
    idempotency_record(r, k, status, text, location, resource_id);
    free(text);
}

static bool update(struct req *r, const char *sql, const char *resource_id, const char *route,
                   const char *value)
{
    const char *params[] = {resource_id, route, value};
    PGresult *res = http_sql(r, sql, 3, params, false);
    PQclear(res);
    return res != NULL;
}

bool idempotency_rewrite(struct req *r, const char *resource_id, const char *route,
                         const char *response)
{
    return update(r, IDEMPOTENCY_SQL_REWRITE, resource_id, route, response);
}

bool idempotency_erase(struct req *r, const char *resource_id, const char *route,
                       const char *members)
{
    return update(r, IDEMPOTENCY_SQL_ERASE_MEMBERS, resource_id, route, members);
}
