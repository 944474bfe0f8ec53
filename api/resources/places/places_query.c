#include "places_query.h"

#include "cursor.h"
#include "fields.h"
#include "mednum.h"
#include "paging.h"
#include "places_sql.h"
#include "stream.h"
#include "validate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_LIMIT         100
#define MAX_LIMIT             1000
#define DEFAULT_GEOJSON_LIMIT 1000
#define MAX_GEOJSON_LIMIT     5000
#define DEFAULT_RADIUS_KM     "20"
#define MAX_RADIUS_KM         200.0

/* Adds a parameter (copied into q's storage when `copy`), returns its number. */
static int param(struct places_query *q, const char *value, bool copy)
{
    if (copy) {
        snprintf(q->owned[q->nparams], sizeof q->owned[0], "%s", value);
        value = q->owned[q->nparams];
    }
    q->params[q->nparams++] = value;
    return q->nparams;
}

/* Parses "a,b[,c,d]" into `count` finite numbers. */
static bool numbers(const char *text, double *out, int count)
{
    const char *p = text;
    for (int i = 0; i < count; i++) {
        char *end;
        errno = 0;
        out[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(out[i]))
            return false;
        p = end;
        if (i + 1 < count && *p++ != ',')
            return false;
    }
    return *p == '\0';
}

static void read_format(struct req *r, struct places_query *q, json_t *errors)
{
    const char *format = http_query(r, "format");
    q->format = FORMAT_JSON;
    if (format) {
        if (strcmp(format, "geojson") == 0)
            q->format = FORMAT_GEOJSON;
        else if (strcmp(format, "csv") == 0)
            q->format = FORMAT_CSV;
        else if (strcmp(format, "json") != 0)
            validate_error_msg(errors, "format", MSG_PLACE_FORMAT);
    } else if (http_accept_names(r, "application/geo+json")) {
        q->format = FORMAT_GEOJSON;
    } else if (http_accept_names(r, "text/csv")) {
        q->format = FORMAT_CSV;
    }
}

static void read_limit(struct req *r, struct places_query *q, json_t *errors)
{
    bool geojson = q->format == FORMAT_GEOJSON;
    paging_read_limit_within(r, errors, geojson ? DEFAULT_GEOJSON_LIMIT : DEFAULT_LIMIT,
                             geojson ? MAX_GEOJSON_LIMIT : MAX_LIMIT, &q->limit);
}

/* An enumeration filter: the code must be one of the list. */
static void code_filter(struct req *r, struct places_query *q, FILE *where, const char *name,
                        enum mednum_list list, const char *column, json_t *errors)
{
    const char *code = http_query(r, name);
    if (!code)
        return;
    if (!mednum_label(list, code)) {
        validate_error_msg(errors, name, MSG_PLACE_NOT_A_CODE);
        return;
    }
    fprintf(where, PLACES_SQL_WHERE_CODE, param(q, code, false), column);
}

static void text_filters(struct req *r, struct places_query *q, FILE *where, json_t *errors)
{
    const char *text = http_query(r, "q"), *why = NULL;
    if (text) {
        size_t len = validate_utf8_length(text);
        if (len < 2 || len > 100)
            validate_error_msg(errors, "q", MSG_PLACE_Q_LENGTH);
        else
            fprintf(where, PLACES_SQL_WHERE_TEXT, param(q, text, false));
    }
    const char *commune = http_query(r, "commune");
    if (commune && !fields_insee_code(commune, &why))
        validate_error_msg(errors, "commune", MSG_FIELD_INSEE, why);
    else if (commune)
        fprintf(where, PLACES_SQL_WHERE_INSEE_CODE, param(q, commune, false));
    const char *postal = http_query(r, "postal_code");
    if (postal && !fields_postal_code(postal, &why))
        validate_error(errors, "postal_code", "%s", why);
    else if (postal)
        fprintf(where, PLACES_SQL_WHERE_POSTAL_CODE, param(q, postal, false));
    const char *itinerant = http_query(r, "itinerant");
    if (itinerant && strcmp(itinerant, "true") != 0 && strcmp(itinerant, "false") != 0)
        validate_error_msg(errors, "itinerant", MSG_FIELD_TRUE_OR_FALSE);
    else if (itinerant)
        fputs(strcmp(itinerant, "true") == 0 ? PLACES_SQL_WHERE_ITINERANT
                                             : PLACES_SQL_WHERE_NOT_ITINERANT,
              where);
    code_filter(r, q, where, "typology", MEDNUM_TYPOLOGIE, "typologies", errors);
    code_filter(r, q, where, "service", MEDNUM_SERVICES, "services", errors);
    code_filter(r, q, where, "public", MEDNUM_PUBLICS, "publics", errors);
}

/* near + radius_km; returns the parameter number of the point, or 0. */
static int near_filter(struct req *r, struct places_query *q, FILE *where, json_t *errors)
{
    const char *near = http_query(r, "near"), *radius = http_query(r, "radius_km");
    double point[2], km = atof(DEFAULT_RADIUS_KM);
    if (!near) {
        if (radius)
            validate_error_msg(errors, "radius_km", MSG_FIELD_GOES_WITH_NEAR);
        return 0;
    }
    const char *why = NULL;
    if (!numbers(near, point, 2) || !fields_latitude(point[0], &why) ||
        !fields_longitude(point[1], &why)) {
        validate_error_msg(errors, "near", MSG_FIELD_NEAR);
        return 0;
    }
    if (!fields_in_france(point[0], point[1])) {
        validate_error_msg(errors, "near", MSG_FIELDS_NEAR_SWAPPED);
        return 0;
    }
    if (radius && (!numbers(radius, &km, 1) || km <= 0 || km > MAX_RADIUS_KM)) {
        validate_error_msg(errors, "radius_km", MSG_FIELD_RADIUS, MAX_RADIUS_KM);
        return 0;
    }
    char text[64];
    snprintf(text, sizeof text, "SRID=4326;POINT(%.7f %.7f)", point[1], point[0]);
    int point_param = param(q, text, true);
    snprintf(text, sizeof text, "%.3f", km * 1000);
    /* Distances are on the sphere, as the <-> operator measures them. */
    fprintf(where, PLACES_SQL_WHERE_NEAR, point_param, param(q, text, true));
    return point_param;
}

static void bbox_filter(struct req *r, struct places_query *q, FILE *where, json_t *errors)
{
    const char *bbox = http_query(r, "bbox"), *why = NULL;
    double b[4];
    if (!bbox)
        return;
    if (!numbers(bbox, b, 4) || !fields_longitude(b[0], &why) || !fields_latitude(b[1], &why) ||
        !fields_longitude(b[2], &why) || !fields_latitude(b[3], &why) || b[0] >= b[2] ||
        b[1] >= b[3]) {
        validate_error_msg(errors, "bbox", MSG_PLACE_BBOX);
        return;
    }
    char text[192];
    snprintf(text, sizeof text,
             "SRID=4326;POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", b[0], b[1],
             b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]);
    fprintf(where, PLACES_SQL_WHERE_BBOX, param(q, text, true));
}

static void time_filters(struct req *r, struct places_query *q, FILE *where, json_t *errors)
{
    const char *open_at = http_query(r, "open_at");
    if (open_at && !validate_rfc3339(open_at))
        validate_error_msg(errors, "open_at", MSG_FIELD_RFC3339);
    else if (open_at) {
        int n = param(q, open_at, false);
        fprintf(where, PLACES_SQL_WHERE_OPEN_AT, n, n, n, n);
    }
    const char *since = http_query(r, "updated_since");
    if (since && !validate_rfc3339(since))
        validate_error_msg(errors, "updated_since", MSG_FIELD_RFC3339);
    else if (since) {
        q->order = ORDER_BY_UPDATE;
        fprintf(where, PLACES_SQL_WHERE_UPDATED_SINCE, param(q, since, false));
    }
}

/* A sort key as PostgreSQL wrote it: a float8 distance or a timestamptz. */
static bool plausible_key(enum places_order order, const char *key)
{
    if (order == ORDER_BY_DISTANCE) {
        char *end;
        double d = strtod(key, &end);
        return *key && !*end && isfinite(d) && d >= 0;
    }
    size_t n = strlen(key);
    return n >= 19 && n <= 40 && strspn(key, "0123456789-:. +") == n;
}

/* The cursor holds the sort key of the last row: [mode, key, id]. */
static void cursor_filter(struct req *r, struct places_query *q, FILE *where, int point,
                          json_t *errors)
{
    const char *cursor = http_query(r, "cursor");
    static const char *const modes[] = {"id", "distance", "update"};
    if (!cursor)
        return;
    if (!cursor_decode(cursor, 3, 64, q->cursor_keys) ||
        strcmp(q->cursor_keys[0], modes[q->order]) != 0 || !validate_uuid(q->cursor_keys[2]) ||
        (q->order != ORDER_BY_ID && !plausible_key(q->order, q->cursor_keys[1]))) {
        validate_error_msg(errors, "cursor", MSG_FIELD_CURSOR_QUERY);
        return;
    }
    int id = param(q, q->cursor_keys[2], false);
    if (q->order == ORDER_BY_ID) {
        fprintf(where, PLACES_SQL_AFTER_ID, id);
        return;
    }
    int key = param(q, q->cursor_keys[1], false);
    if (q->order == ORDER_BY_DISTANCE)
        fprintf(where, PLACES_SQL_AFTER_DISTANCE, point, key, id);
    else
        fprintf(where, PLACES_SQL_AFTER_UPDATE, key, id);
}

/* The first column: a place, a GeoJSON feature, or (in a sync feed) a tombstone
 * (then in the fourth). Built only for the rows of the page (k), never for
 * every candidate: PostgreSQL computes a select list before sorting. Built in
 * one json_build_object each, never through jsonb (parsing the place's JSON
 * into jsonb to add the distance or drop the coordinates cost 45% of the
 * GeoJSON page's time and 30% of a nearest-first page's). */
static void select_list(FILE *sql, const struct places_query *q)
{
    const char *distance = q->order == ORDER_BY_DISTANCE ? PLACES_SQL_LIST_DISTANCE : "";
    if (q->format == FORMAT_GEOJSON)
        fprintf(sql, PLACES_SQL_LIST_FEATURE, places_sql()->properties_args, distance);
    else
        fprintf(sql, PLACES_SQL_LIST_PLACE, places_sql()->json_args, distance);
    const char *tombstone = PLACES_SQL_LIST_NO_TOMBSTONE;
    if (q->order == ORDER_BY_UPDATE)
        tombstone = q->format == FORMAT_GEOJSON ? PLACES_SQL_LIST_TOMBSTONE_FEATURE
                                                : PLACES_SQL_LIST_TOMBSTONE;
    fprintf(sql, PLACES_SQL_LIST_COLUMNS, tombstone);
}

/* The statement of a page: sort key `key`, filters `where_text`, the limit
 * in parameter `limit_param`. */
static char *list_sql(const struct places_query *q, const char *key, int point,
                      const char *where_text, int limit_param)
{
    const char *live = q->order == ORDER_BY_UPDATE ? PLACES_SQL_ALL : PLACES_SQL_LIVE;
    char *text = NULL;
    size_t len = 0;
    FILE *sql = open_memstream(&text, &len);
    if (q->order == ORDER_BY_DISTANCE)
        /* Nearest first: the GiST index is walked in distance order (KNN) to
         * find the page's farthest distance; then the rows up to it, ties
         * included, are sorted by (distance, id) so that pages never skip or
         * repeat co-located places. */
        fprintf(sql, PLACES_SQL_LIST_KNN, key, live, where_text, key, limit_param);
    select_list(sql, q);
    fprintf(sql, PLACES_SQL_LIST_FROM, key,
            q->order == ORDER_BY_DISTANCE ? PLACES_SQL_LIST_CUT : "", live, where_text);
    if (q->order == ORDER_BY_DISTANCE)
        fprintf(sql, PLACES_SQL_LIST_WITHIN_CUT, point, key);
    fprintf(sql, PLACES_SQL_LIST_ORDER, key, limit_param);
    fclose(sql);
    return text;
}

void places_query_read(struct req *r, struct places_query *q, json_t *errors)
{
    memset(q, 0, sizeof *q);
    read_format(r, q, errors);
    read_limit(r, q, errors);
    char *where_text = NULL;
    size_t where_len = 0;
    FILE *where = open_memstream(&where_text, &where_len);
    text_filters(r, q, where, errors);
    int point = near_filter(r, q, where, errors);
    bbox_filter(r, q, where, errors);
    time_filters(r, q, where, errors);
    if (point && q->order == ORDER_BY_UPDATE)
        validate_error_msg(errors, "near", MSG_PLACE_NEAR_UPDATED_SINCE);
    else if (point)
        q->order = ORDER_BY_DISTANCE;
    if (q->format == FORMAT_CSV && q->order == ORDER_BY_UPDATE)
        validate_error_msg(errors, "format", MSG_PLACE_CSV_DELETIONS);
    cursor_filter(r, q, where, point, errors);
    fclose(where);
    q->whole = q->format == FORMAT_GEOJSON && q->order != ORDER_BY_UPDATE &&
               !http_query(r, "limit") && !http_query(r, "cursor");

    char key[64];
    if (q->order == ORDER_BY_DISTANCE)
        snprintf(key, sizeof key, PLACES_SQL_KEY_DISTANCE, point);
    else
        snprintf(key, sizeof key, "%s",
                 q->order == ORDER_BY_UPDATE ? PLACES_SQL_KEY_UPDATE : PLACES_SQL_KEY_ID);
    char limit[16];
    snprintf(limit, sizeof limit, "%d", q->whole ? HTTP_STREAM_BATCH_ROWS : q->limit + 1);
    int limit_param = param(q, limit, true);
    q->sql = list_sql(q, key, point, where_text, limit_param);
    if (q->whole) {
        /* the batches after the first: after the last row's id (column 1)
         * and, nearest first, its distance (column 2), which http_stream_rows
         * passes as the parameters that follow q's */
        char *next_where = NULL;
        size_t next_len = 0;
        FILE *next = open_memstream(&next_where, &next_len);
        fputs(where_text, next);
        if (q->order == ORDER_BY_DISTANCE)
            fprintf(next, PLACES_SQL_AFTER_DISTANCE, point, q->nparams + 2, q->nparams + 1);
        else
            fprintf(next, PLACES_SQL_AFTER_ID, q->nparams + 1);
        fclose(next);
        q->next_sql = list_sql(q, key, point, next_where, limit_param);
        q->after_columns = q->order == ORDER_BY_DISTANCE ? 2 : 1;
        free(next_where);
    }
    free(where_text);
}

char *places_query_next_cursor(const struct places_query *q, PGresult *res, int last)
{
    static const char *const modes[] = {"id", "distance", "update"};
    const char *keys[] = {modes[q->order], PQgetvalue(res, last, PQ_COL_KEY),
                          PQgetvalue(res, last, PQ_COL_ID)};
    return cursor_encode(keys, 3);
}

void places_query_free(struct places_query *q)
{
    free(q->sql);
    free(q->next_sql);
    for (int i = 0; i < 3; i++)
        free(q->cursor_keys[i]);
    memset(q, 0, sizeof *q);
}
