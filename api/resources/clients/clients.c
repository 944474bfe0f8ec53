/* Handlers of the API clients: translate HTTP to the queries of clients_sql.h
 * and back. No Idempotency-Key here: a replayed answer would have to keep the
 * secret it showed, and the secret is kept nowhere. */
#include "clients.h"

#include "cursor.h"
#include "guard.h"
#include "clients_sql.h"
#include "paging.h"
#include "secrets.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#define SECRET_BYTES 32 /* 256 bits */
#define MAX_SCOPES   16

const char *const clients_list_query[] = {"org", "limit", "cursor", NULL};

static bool is_client_id(const char *id)
{
    size_t n = strlen(id);
    return n >= 8 && n <= 64 && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Checks `scopes`: a non-empty array of distinct known scopes. Returns it as
 * JSON text (caller frees) or NULL after adding an error. */
static char *check_scopes(const json_t *scopes, json_t *errors)
{
    size_t n = json_array_size(scopes);
    if (!json_is_array(scopes) || n == 0 || n > MAX_SCOPES) {
        validate_error_msg(errors, "scopes", MSG_CLIENT_SCOPES, MAX_SCOPES);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(scopes, i));
        if (!s || !auth_scope_exists(s)) {
            validate_error_msg(errors, "scopes", MSG_CLIENT_SCOPE_ITEM, i);
            return NULL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, json_string_value(json_array_get(scopes, j))) == 0) {
                validate_error_msg(errors, "scopes", MSG_CLIENT_SCOPE_REPEATED, s);
                return NULL;
            }
    }
    return json_dumps(scopes, JSON_COMPACT);
}

/* Answers `status` with the client row, plus its new secret when not NULL. */
static void answer_client(struct req *r, int status, PGresult *res, const char *secret)
{
    json_t *client = json_loads(PQgetvalue(res, 0, CLIENT_COL_JSON), 0, NULL);
    http_set_header(r, "ETag", PQgetvalue(res, 0, CLIENT_COL_ETAG));
    if (secret)
        json_object_set_new(client, "client_secret", json_string(secret));
    http_json(r, status, client);
}

void clients_create(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    static const char *const fields[] = {"org", "name", "scopes", NULL};
    static const char *const read_only[] = {"client_id",  "client_secret", "active",
                                            "created_at", "updated_at",    NULL};
    json_t *errors = json_array();
    PGresult *res = NULL;
    char *scopes = NULL, *secret = NULL;
    validate_fields(body, fields, read_only, errors);
    const char *org = json_string_value(json_object_get(body, "org"));
    if (!json_object_get(body, "org"))
        validate_error_msg(errors, "org", MSG_FIELD_REQUIRED);
    else if (!org || !auth_is_slug(org))
        validate_error_msg(errors, "org", MSG_FIELD_ORG_SLUG_DIRECTORY);
    const char *name = validate_string(body, "name", true, 1, 200, errors);
    if (!json_object_get(body, "scopes"))
        validate_error_msg(errors, "scopes", MSG_FIELD_REQUIRED);
    else
        scopes = check_scopes(json_object_get(body, "scopes"), errors);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        goto out;
    }
    char id[33], hash[65];
    secret = secrets_random(SECRET_BYTES);
    if (!secret || !secrets_random_hex(16, id)) {
        json_decref(errors);
        http_problem_msg(r, 500, "internal", MSG_CLIENT_NO_RANDOM);
        goto out;
    }
    secrets_sha256_hex(secret, hash);
    const char *params[] = {id, org, name, scopes, hash};
    res = http_sql(r, CLIENT_SQL_INSERT, 5, params, true);
    if (!res) {
        json_decref(errors);
    } else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        validate_error_msg(errors, "org", MSG_FIELD_NOT_IN_DIRECTORY);
        http_invalid(r, 422, errors);
    } else {
        json_decref(errors);
        char location[128];
        snprintf(location, sizeof location, "/v1/clients/%s", id);
        http_set_header(r, "Location", location);
        answer_client(r, 201, res, secret);
    }
out:
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    free(scopes);
    PQclear(res);
    json_decref(body);
}

void clients_list(struct req *r)
{
    json_t *errors = json_array();
    int limit;
    paging_read_limit(r, errors, &limit);
    const char *org = http_query(r, "org");
    if (org && !auth_is_slug(org))
        validate_error_msg(errors, "org", MSG_FIELD_ORG_SLUG);
    char *after = NULL;
    const char *cursor = http_query(r, "cursor");
    if (cursor && !cursor_decode(cursor, 1, 64, &after))
        validate_error_msg(errors, "cursor", MSG_FIELD_CURSOR);
    if (json_array_size(errors) > 0) {
        free(after);
        http_invalid(r, 400, errors);
        return;
    }
    json_decref(errors);
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
    const char *params[] = {org, after, limit_text};
    PGresult *res = http_sql(r, CLIENT_SQL_LIST, 3, params, false);
    free(after);
    if (!res)
        return;
    int rows = PQntuples(res);
    char *next = NULL;
    if (rows > limit) {
        const char *last = PQgetvalue(res, limit - 1, CLIENT_COL_ID);
        next = cursor_encode(&last, 1);
    }
    paging_answer_rows(r, res, CLIENT_COL_JSON, rows < limit ? rows : limit, next);
    PQclear(res);
    free(next);
}

void clients_get(struct req *r)
{
    if (!is_client_id(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
        return;
    }
    const char *params[] = {r->params[0]};
    PGresult *res = http_sql(r, CLIENT_SQL_GET, 1, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
    else
        answer_client(r, 200, res, NULL);
    PQclear(res);
}

void clients_update(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    PGresult *res = NULL;
    char *scopes = NULL;
    json_t *errors = json_array();
    if (!is_client_id(r->params[0])) {
        json_decref(errors);
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
        goto out;
    }
    static const char *const fields[] = {"name", "scopes", "active", NULL};
    static const char *const read_only[] = {"client_id",  "org",        "client_secret",
                                            "created_at", "updated_at", NULL};
    validate_fields(body, fields, read_only, errors);
    const char *name = validate_string(body, "name", false, 1, 200, errors);
    if (json_object_get(body, "scopes"))
        scopes = check_scopes(json_object_get(body, "scopes"), errors);
    const json_t *active = json_object_get(body, "active");
    if (active && !json_is_boolean(active))
        validate_error_msg(errors, "active", MSG_FIELD_TRUE_OR_FALSE);
    if (json_object_size(body) == 0)
        validate_error_msg(errors, "body", MSG_CLIENT_NO_CHANGE);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        goto out;
    }
    json_decref(errors);
    const char *params[] = {r->params[0], name, scopes,
                            active ? (json_is_true(active) ? "true" : "false") : NULL};
    res = http_sql(r, CLIENT_SQL_UPDATE, 4, params, false);
    if (res && PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
    else if (res) {
        guard_directory_changed(r);
        answer_client(r, 200, res, NULL);
    }
out:
    free(scopes);
    PQclear(res);
    json_decref(body);
}

void clients_delete(struct req *r)
{
    if (!is_client_id(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
        return;
    }
    const char *params[] = {r->params[0]};
    PGresult *res = http_sql(r, CLIENT_SQL_DELETE, 1, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
    } else {
        guard_directory_changed(r);
        http_empty(r, 204);
    }
    PQclear(res);
}

void clients_rotate_secret(struct req *r)
{
    if (!is_client_id(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
        return;
    }
    char *secret = secrets_random(SECRET_BYTES);
    if (!secret) {
        http_problem_msg(r, 500, "internal", MSG_CLIENT_NO_RANDOM_ROTATE);
        return;
    }
    char hash[65], overlap[16];
    secrets_sha256_hex(secret, hash);
    snprintf(overlap, sizeof overlap, "%d", r->app->cfg->client_secret_overlap_s);
    const char *params[] = {r->params[0], hash, overlap};
    PGresult *res = http_sql(r, CLIENT_SQL_ROTATE, 3, params, false);
    if (res && PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_CLIENT_NOT_FOUND);
    else if (res)
        answer_client(r, 200, res, secret);
    memset(secret, 0, strlen(secret));
    free(secret);
    PQclear(res);
}
