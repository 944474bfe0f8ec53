/* Handlers of /v1/places: translate HTTP to places_query / place_input /
 * places_sql.h and back. */
#include "places.h"

#include "geojson.h"
#include "guard.h"
#include "idempotency.h"
#include "merge_patch.h"
#include "paging.h"
#include "place_input.h"
#include "places_csv.h"
#include "places_query.h"
#include "places_sql.h"
#include "slug.h"
#include "stream.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_SECONDS 60

const char *const places_list_query[] = {"q",         "commune", "postal_code", "typology",
                                         "service",   "public",  "itinerant",   "near",
                                         "radius_km", "bbox",    "open_at",     "updated_since",
                                         "format",    "limit",   "cursor",      NULL};

static void not_found(struct req *r)
{
    http_problem_msg(r, 404, "not-found", MSG_PLACE_NOT_FOUND);
}

/* The JSON or GeoJSON page, from the rows' JSON texts as PostgreSQL built
 * them (no parsing here). Returns a string the caller frees. */
static char *page_text(const struct places_query *q, PGresult *res, int rows, const char *next)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fputs(q->format == FORMAT_GEOJSON ? "{\"type\":\"FeatureCollection\",\"features\":["
                                      : "{\"items\":[",
          out);
    for (int i = 0; i < rows; i++) {
        int col = PQgetisnull(res, i, PQ_COL_TOMBSTONE) ? PQ_COL_JSON : PQ_COL_TOMBSTONE;
        fprintf(out, "%s%s", i ? "," : "", PQgetvalue(res, i, col));
    }
    /* a cursor is base64url: nothing to escape */
    if (next)
        fprintf(out, "],\"next_cursor\":\"%s\"}", next);
    else
        fputs("],\"next_cursor\":null}", out);
    fclose(out);
    return text;
}

/* The CSV page of the national standard. Returns a string the caller frees. */
static char *page_csv(PGresult *res, int rows)
{
    json_t *items = json_array();
    for (int i = 0; i < rows; i++)
        json_array_append_new(items, json_loads(PQgetvalue(res, i, PQ_COL_JSON), 0, NULL));
    char *csv = places_csv_export(items);
    json_decref(items);
    return csv;
}

/* The whole list as GeoJSON, streamed batch by batch (stream.h): no ETag;
 * Last-Modified and its 304 as a page has them; gzip when accepted. */
static void stream_features(struct req *r, const struct places_query *q)
{
    PGresult *changed = http_sql(r, PLACES_SQL_LAST_MODIFIED, 0, NULL, false);
    if (!changed)
        return;
    struct http_stream s = {.content_type = "application/geo+json",
                            .head = "{\"type\":\"FeatureCollection\",\"features\":[",
                            .separator = ",",
                            .tail = "],\"next_cursor\":null}",
                            .sql = q->sql,
                            .next_sql = q->next_sql,
                            .after_columns = q->after_columns,
                            .nparams = q->nparams,
                            .params = q->params,
                            .last_modified = atoll(PQgetvalue(changed, 0, 0)),
                            .max_age = CACHE_SECONDS,
                            .varies_by_accept = true};
    PQclear(changed);
    http_stream_rows(r, &s);
}

void places_list(struct req *r)
{
    struct places_query q;
    json_t *errors = json_array();
    places_query_read(r, &q, errors);
    if (json_array_size(errors) > 0) {
        places_query_free(&q);
        http_invalid(r, 400, errors);
        return;
    }
    json_decref(errors);
    if (q.whole) {
        stream_features(r, &q);
        places_query_free(&q);
        return;
    }
    PGresult *res = http_sql(r, q.sql, q.nparams, q.params, false);
    if (!res) {
        places_query_free(&q);
        return;
    }
    int rows = PQntuples(res) > q.limit ? q.limit : PQntuples(res);
    char *next = PQntuples(res) > q.limit ? places_query_next_cursor(&q, res, q.limit - 1) : NULL;
    char *body = q.format == FORMAT_CSV ? page_csv(res, rows) : page_text(&q, res, rows, next);
    PQclear(res);
    /* Last-Modified: the last change of any place (one that left the list too) */
    PGresult *changed = http_sql(r, PLACES_SQL_LAST_MODIFIED, 0, NULL, false);
    if (changed) {
        paging_link(r, next);
        static const char *const types[] = {"application/json", "application/geo+json",
                                            "text/csv; charset=utf-8"};
        char disposition[96];
        time_t now = time(NULL);
        struct tm today;
        gmtime_r(&now, &today);
        strftime(disposition, sizeof disposition,
                 "attachment; filename=\"lieux-gers-%Y-%m-%d.csv\"", &today);
        struct http_cache c = {.content_type = types[q.format],
                               .last_modified = atoll(PQgetvalue(changed, 0, 0)),
                               .max_age = CACHE_SECONDS,
                               .varies_by_accept = true,
                               .disposition = q.format == FORMAT_CSV ? disposition : NULL};
        http_cached(r, &c, body, strlen(body));
    }
    PQclear(changed);
    free(body);
    free(next);
    places_query_free(&q);
}

/* A place's Last-Modified from its ETag ("<updated_at in microseconds>"). */
static long long place_last_modified(const char *etag)
{
    return etag[0] == '"' ? atoll(etag + 1) / 1000000 : 0;
}

void places_get(struct req *r)
{
    const char *id = r->params[0];
    if (!validate_uuid(id)) {
        not_found(r);
        return;
    }
    const char *params[] = {id};
    PGresult *res = http_sql(r, PLACES_SQL_GET, 1, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        not_found(r);
        PQclear(res);
        return;
    }
    /* JSON under the row's ETag (the one If-Match compares), or with Accept:
     * application/geo+json a Feature under its "-geo" variant */
    const char *row_etag = PQgetvalue(res, 0, PLACE_COL_ETAG);
    bool geojson = http_accept_names(r, "application/geo+json");
    char etag[64];
    snprintf(etag, sizeof etag, "%.*s%s\"", (int)strlen(row_etag) - 1, row_etag,
             geojson ? "-geo" : "");
    json_t *place = json_loads(PQgetvalue(res, 0, PLACE_COL_JSON), 0, NULL);
    if (geojson)
        place = geojson_feature(place, NULL, "latitude", "longitude");
    char *text = json_dumps(place, HTTP_JSON_FLAGS);
    json_decref(place);
    struct http_cache c = {.content_type = geojson ? "application/geo+json" : "application/json",
                           .etag = etag,
                           .last_modified = place_last_modified(row_etag),
                           .max_age = CACHE_SECONDS,
                           .varies_by_accept = true};
    if (text)
        http_cached(r, &c, text, strlen(text));
    else
        http_problem_msg(r, 500, "internal", MSG_ENCODING_FAILED);
    free(text);
    PQclear(res);
}

bool places_check_commune(struct req *r, const struct place_input *in, json_t *errors)
{
    const char *insee = in->values[PC_INSEE_CODE];
    if (!insee)
        return true;
    const char *params[] = {insee, in->values[PC_LATITUDE], in->values[PC_LONGITUDE]};
    PGresult *res = http_sql(r, PLACES_SQL_CHECK_COMMUNE, 3, params, false);
    if (!res)
        return false;
    bool known = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    bool inside = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    const char *commune = in->values[PC_COMMUNE]; /* NULL when missing or malformed */
    char given[128] = "", expected[128];
    if (commune)
        slug_from_name(commune, given, sizeof given);
    slug_from_name(PQgetvalue(res, 0, 2), expected, sizeof expected);
    if (!known && strncmp(insee, "32", 2) == 0)
        validate_error_msg(errors, "insee_code", MSG_FIELD_NOT_GERS_COMMUNE);
    else if (known && commune && strcmp(given, expected) != 0)
        validate_error_msg(errors, "commune", MSG_PLACE_COMMUNE_NAME, insee, PQgetvalue(res, 0, 2));
    else if (known && !inside)
        validate_error_msg(errors, "latitude", MSG_FIELD_OUTSIDE_COMMUNE, insee);
    PQclear(res);
    return true;
}

/* Validates `doc` into *in and against the communes, appending to `errors`
 * (stolen) what the caller already found: the format checks and the reference
 * checks all run (the reference checks on the fields that are well formed),
 * so that one 422 names every bad field. Returns false after having answered
 * that 422 (or 503/500 when the check could not run). */
static bool read_place(struct req *r, json_t *doc, const char *owner, struct place_input *in,
                       json_t *errors)
{
    place_input_from_json(doc, owner, in, errors);
    if (!places_check_commune(r, in, errors)) {
        json_decref(errors);
        return false;
    }
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return true;
    }
    http_invalid(r, 422, errors);
    return false;
}

/* Answers 200 with one place row (its JSON and ETag). */
static void answer_place(struct req *r, PGresult *res)
{
    http_set_header(r, "ETag", PQgetvalue(res, 0, PLACE_COL_ETAG));
    http_json(r, 200, json_loads(PQgetvalue(res, 0, PLACE_COL_JSON), 0, NULL));
}

void places_create(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array();
    validate_fields(body, place_writable_fields, place_read_only_fields, errors);
    struct place_input in;
    if (read_place(r, body, r->who.org, &in, errors)) {
        PGresult *res =
            http_sql(r, PLACES_SQL_INSERT, PC_COUNT, (const char *const *)in.values, true);
        if (res && PQresultStatus(res) != PGRES_TUPLES_OK)
            http_problem_msg(r, 409, "conflict", MSG_PLACE_SOURCE_TAKEN);
        else if (res) {
            char location[96];
            snprintf(location, sizeof location, "/v1/places/%s", PQgetvalue(res, 0, PLACE_COL_ID));
            http_set_header(r, "ETag", PQgetvalue(res, 0, PLACE_COL_ETAG));
            idempotency_record_json(r, &k, 201,
                                    json_loads(PQgetvalue(res, 0, PLACE_COL_JSON), 0, NULL),
                                    location, PQgetvalue(res, 0, PLACE_COL_ID));
        }
        PQclear(res);
    }
    place_input_free(&in);
    json_decref(body);
}

/* Locks the live place r->params[0] in a new transaction and checks that the
 * actor may change it and that If-Match (when sent) matches. Returns the row,
 * or NULL after having answered. */
static PGresult *lock_own_place(struct req *r)
{
    PGresult *res = http_sql_lock(r, PLACES_SQL_GET_FOR_UPDATE, 0, NULL, MSG_PLACE_NOT_FOUND);
    const char *if_match = http_header(r, "If-Match");
    if (!res || !guard_owns(r, PQgetvalue(res, 0, PLACE_COL_EXTRA)))
        ;
    else if (if_match && !validate_etag_matches(if_match, PQgetvalue(res, 0, PLACE_COL_ETAG)))
        http_problem_msg(r, 412, "precondition-failed", MSG_PLACE_IF_MATCH);
    else
        return res;
    PQclear(res);
    return NULL;
}

void places_update(struct req *r)
{
    json_t *patch = http_read_object(r);
    if (!patch)
        return;
    PGresult *current = lock_own_place(r), *updated = NULL;
    json_t *errors = json_array(), *merged = NULL;
    struct place_input in = {0};
    if (!current)
        goto out;
    validate_fields(patch, place_writable_fields, place_read_only_fields, errors);
    json_t *doc = json_loads(PQgetvalue(current, 0, PLACE_COL_JSON), 0, NULL);
    merged = merge_patch_apply(doc, patch);
    json_decref(doc);
    bool valid = read_place(r, merged, PQgetvalue(current, 0, PLACE_COL_EXTRA), &in, errors);
    errors = NULL; /* read_place took it */
    if (!valid)
        goto out;
    const char *params[PC_COUNT + 1];
    memcpy(params, in.values, sizeof in.values);
    params[PC_COUNT] = r->params[0];
    updated = http_sql(r, PLACES_SQL_UPDATE, PC_COUNT + 1, params, true);
    if (updated && PQresultStatus(updated) != PGRES_TUPLES_OK)
        http_problem_msg(r, 409, "conflict", MSG_PLACE_SOURCE_TAKEN);
    else if (updated && http_commit(r))
        answer_place(r, updated);
out: /* an open transaction is rolled back when the router returns the connection */
    json_decref(errors);
    json_decref(merged);
    json_decref(patch);
    place_input_free(&in);
    PQclear(current);
    PQclear(updated);
}

void places_delete(struct req *r)
{
    PGresult *current = lock_own_place(r);
    if (!current)
        return;
    PQclear(current);
    const char *params[] = {r->params[0]};
    PGresult *res = http_sql(r, PLACES_SQL_DELETE, 1, params, false);
    if (res && http_commit(r))
        http_empty(r, 204);
    PQclear(res);
}
