/* Handlers for the partner directory: translate HTTP to the queries of
 * organizations_sql.h and back. */
#include "organizations.h"

#include "cursor.h"
#include "guard.h"
#include "idempotency.h"
#include "organizations_sql.h"
#include "paging.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"france_services",
                                    "caf",
                                    "la_poste",
                                    "france_travail",
                                    "mediatheque",
                                    "association",
                                    "collectivite",
                                    "conseiller_numerique",
                                    "etat",
                                    "tiers_lieu",
                                    "autre",
                                    NULL};

/* Answers 200 with one organisation row (its JSON and ETag). */
static void answer_row(struct req *r, PGresult *res)
{
    http_set_header(r, "ETag", PQgetvalue(res, 0, ORG_COL_ETAG));
    http_json(r, 200, json_loads(PQgetvalue(res, 0, ORG_COL_JSON), 0, NULL));
}

void organizations_list(struct req *r)
{
    json_t *errors = json_array();
    int limit;
    paging_read_limit(r, errors, &limit);
    const char *kind = http_query(r, "kind");
    if (kind && !validate_in_list(kind, kinds))
        validate_error_msg(errors, "kind", MSG_ORG_KIND);
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
    const char *params[] = {kind, after, limit_text};
    PGresult *res = http_sql(r, ORG_SQL_LIST, 3, params, false);
    free(after);
    if (!res)
        return;
    int rows = PQntuples(res);
    char *next = NULL;
    if (rows > limit) {
        const char *last = PQgetvalue(res, limit - 1, ORG_COL_SLUG);
        next = cursor_encode(&last, 1);
    }
    paging_answer_rows(r, res, ORG_COL_JSON, rows < limit ? rows : limit, next);
    PQclear(res);
    free(next);
}

void organizations_get(struct req *r)
{
    const char *slug = r->params[0];
    if (!auth_is_slug(slug)) {
        http_problem_msg(r, 404, "not-found", MSG_ORG_NOT_FOUND);
        return;
    }
    const char *params[] = {slug};
    PGresult *res = http_sql(r, ORG_SQL_GET, 1, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        http_problem_msg(r, 404, "not-found", MSG_ORG_NOT_FOUND);
        PQclear(res);
        return;
    }
    /* the row's ETag, 304 when If-None-Match names it (behind a token: the
     * router's no-store stays) */
    json_t *org = json_loads(PQgetvalue(res, 0, ORG_COL_JSON), 0, NULL);
    char *text = json_dumps(org, HTTP_JSON_FLAGS);
    json_decref(org);
    struct http_cache c = {.content_type = "application/json",
                           .etag = PQgetvalue(res, 0, ORG_COL_ETAG)};
    if (text)
        http_cached(r, &c, text, strlen(text));
    else
        http_problem_msg(r, 500, "internal", MSG_ENCODING_FAILED);
    free(text);
    PQclear(res);
}

/* Checks name and kind in body; `required` for creation. */
static void check_fields(json_t *body, bool required, json_t *errors)
{
    validate_string(body, "name", required, 1, 200, errors);
    const json_t *kind = json_object_get(body, "kind");
    if (!kind && required)
        validate_error_msg(errors, "kind", MSG_FIELD_REQUIRED);
    else if (kind && !(json_is_string(kind) && validate_in_list(json_string_value(kind), kinds)))
        validate_error_msg(errors, "kind", MSG_ORG_KIND);
}

void organizations_create(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    static const char *const fields[] = {"slug", "name", "kind", NULL};
    static const char *const read_only[] = {"created_at", "updated_at", NULL};
    json_t *errors = json_array();
    validate_fields(body, fields, read_only, errors);
    const char *slug = json_string_value(json_object_get(body, "slug"));
    if (!json_object_get(body, "slug"))
        validate_error_msg(errors, "slug", MSG_FIELD_REQUIRED);
    else if (!slug || !auth_is_slug(slug))
        validate_error_msg(errors, "slug", MSG_ORG_SLUG);
    check_fields(body, true, errors);
    if (json_array_size(errors) > 0) {
        json_decref(body);
        http_invalid(r, 422, errors);
        return;
    }
    json_decref(errors);
    const char *params[] = {slug, json_string_value(json_object_get(body, "name")),
                            json_string_value(json_object_get(body, "kind"))};
    PGresult *res = http_sql(r, ORG_SQL_INSERT, 3, params, true);
    json_decref(body);
    if (!res)
        return;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        http_problem_msg(r, 409, "conflict", MSG_ORG_SLUG_TAKEN);
    } else {
        char location[128];
        snprintf(location, sizeof location, "/v1/organizations/%s",
                 PQgetvalue(res, 0, ORG_COL_SLUG));
        http_set_header(r, "ETag", PQgetvalue(res, 0, ORG_COL_ETAG));
        idempotency_record_json(r, &k, 201, json_loads(PQgetvalue(res, 0, ORG_COL_JSON), 0, NULL),
                                location, NULL);
    }
    PQclear(res);
}

/* Validates a PATCH body; answers 422 and returns false when it is not valid. */
static bool check_patch(struct req *r, json_t *body)
{
    static const char *const fields[] = {"name", "kind", "active", NULL};
    static const char *const read_only[] = {"slug", "created_at", "updated_at", NULL};
    json_t *errors = json_array();
    validate_fields(body, fields, read_only, errors);
    check_fields(body, false, errors);
    const json_t *active = json_object_get(body, "active");
    if (active && !json_is_boolean(active))
        validate_error_msg(errors, "active", MSG_FIELD_TRUE_OR_FALSE);
    if (json_object_size(body) == 0)
        validate_error_msg(errors, "body", MSG_ORG_NO_CHANGE);
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return true;
    }
    http_invalid(r, 422, errors);
    return false;
}

void organizations_update(struct req *r)
{
    const char *slug = r->params[0];
    json_t *body = http_read_object(r);
    if (!body)
        return;
    PGresult *current = NULL, *updated = NULL;
    const char *key[] = {slug};
    if (!auth_is_slug(slug)) {
        http_problem_msg(r, 404, "not-found", MSG_ORG_NOT_FOUND);
        goto out;
    }
    if (!http_begin(r) || !(current = http_sql(r, ORG_SQL_GET_FOR_UPDATE, 1, key, false)))
        goto out;
    const char *if_match = http_header(r, "If-Match");
    if (PQntuples(current) == 0) {
        http_problem_msg(r, 404, "not-found", MSG_ORG_NOT_FOUND);
    } else if (if_match && !validate_etag_matches(if_match, PQgetvalue(current, 0, ORG_COL_ETAG))) {
        http_problem_msg(r, 412, "precondition-failed", MSG_ORG_IF_MATCH);
    } else if (check_patch(r, body)) {
        const json_t *active = json_object_get(body, "active");
        const char *params[] = {slug, json_string_value(json_object_get(body, "name")),
                                json_string_value(json_object_get(body, "kind")),
                                active ? (json_is_true(active) ? "true" : "false") : NULL};
        updated = http_sql(r, ORG_SQL_UPDATE, 4, params, false);
        if (updated && http_commit(r)) {
            guard_directory_changed(r);
            answer_row(r, updated);
        }
    }
out: /* an open transaction is rolled back when the router returns the connection */
    PQclear(current);
    PQclear(updated);
    json_decref(body);
}
