/* Handlers of the dated stops of mobile units (the bus numérique):
 * /v1/places/{id}/stops and /v1/stops. */
#include "stops.h"

#include "cursor.h"
#include "fields.h"
#include "geojson.h"
#include "guard.h"
#include "idempotency.h"
#include "paging.h"
#include "stops_sql.h"
#include "validate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RADIUS_M "20000"
#define MAX_RADIUS_KM    200.0

const char *const stops_list_query[] = {"from", "to", "near", "radius_km", "limit", "cursor", NULL};
const char *const place_stops_query[] = {"from", "to", "limit", "cursor", NULL};

struct stop_query {
    const char *params[8];
    char point[64], radius[32], limit[16];
    char *cursor_keys[2];
    int limit_n;
};

static void read_window(struct req *r, struct stop_query *q, json_t *errors)
{
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    if (from && !validate_rfc3339(from))
        validate_error_msg(errors, "from", MSG_FIELD_RFC3339_SUCH_AS, "2026-12-08T00:00:00+01:00");
    if (to && !validate_rfc3339(to))
        validate_error_msg(errors, "to", MSG_FIELD_RFC3339_SUCH_AS, "2026-12-15T00:00:00+01:00");
    /* Defaults, in SQL: from now, for 7 days after `from`. */
    q->params[0] = from;
    q->params[1] = to;
}

static void read_near(struct req *r, struct stop_query *q, json_t *errors)
{
    const char *near = http_query(r, "near"), *radius = http_query(r, "radius_km"), *why = NULL;
    if (!near) {
        if (radius)
            validate_error_msg(errors, "radius_km", MSG_FIELD_GOES_WITH_NEAR);
        return;
    }
    double lat, lon, km = 20;
    char *end;
    errno = 0;
    lat = strtod(near, &end);
    if (end == near || *end != ',' || errno) {
        validate_error_msg(errors, "near", MSG_FIELD_NEAR);
        return;
    }
    const char *second = end + 1;
    lon = strtod(second, &end);
    if (end == second || *end || !fields_latitude(lat, &why) || !fields_longitude(lon, &why)) {
        validate_error_msg(errors, "near", MSG_FIELD_NEAR);
        return;
    }
    if (!fields_in_france(lat, lon)) {
        validate_error_msg(errors, "near", MSG_FIELDS_NEAR_SWAPPED);
        return;
    }
    if (radius) {
        km = strtod(radius, &end);
        if (end == radius || *end || !isfinite(km) || km <= 0 || km > MAX_RADIUS_KM) {
            validate_error_msg(errors, "radius_km", MSG_FIELD_RADIUS, MAX_RADIUS_KM);
            return;
        }
    }
    snprintf(q->point, sizeof q->point, "SRID=4326;POINT(%.7f %.7f)", lon, lat);
    snprintf(q->radius, sizeof q->radius, "%.3f", km * 1000);
    q->params[3] = q->point;
    q->params[4] = q->radius;
}

static void list(struct req *r, const char *place_id)
{
    struct stop_query q = {0};
    json_t *errors = json_array();
    read_window(r, &q, errors);
    read_near(r, &q, errors);
    paging_read_limit(r, errors, &q.limit_n);
    const char *cursor = http_query(r, "cursor");
    if (cursor &&
        (!cursor_decode(cursor, 2, 64, q.cursor_keys) || !validate_uuid(q.cursor_keys[1]) ||
         strspn(q.cursor_keys[0], "0123456789-:. +") != strlen(q.cursor_keys[0])))
        validate_error_msg(errors, "cursor", MSG_FIELD_CURSOR);
    if (json_array_size(errors) > 0) {
        free(q.cursor_keys[0]);
        free(q.cursor_keys[1]);
        http_invalid(r, 400, errors);
        return;
    }
    json_decref(errors);
    snprintf(q.limit, sizeof q.limit, "%d", q.limit_n + 1);
    q.params[2] = place_id;
    q.params[5] = q.cursor_keys[0];
    q.params[6] = q.cursor_keys[1];
    q.params[7] = q.limit;
    /* from defaults to now, to to from + 7 days */
    PGresult *res = NULL;
    PGresult *w = http_sql(r, STOPS_SQL_WINDOW, 2, q.params, false);
    if (w) {
        char from[64], to[64];
        snprintf(from, sizeof from, "%s", PQgetvalue(w, 0, 0));
        snprintf(to, sizeof to, "%s", PQgetvalue(w, 0, 1));
        q.params[0] = from;
        q.params[1] = to;
        res = http_sql(r, STOPS_SQL_LIST, 8, q.params, false);
        PQclear(w);
    }
    free(q.cursor_keys[0]);
    free(q.cursor_keys[1]);
    if (!res)
        return;
    int rows = PQntuples(res);
    char *next = NULL;
    if (rows > q.limit_n) {
        const char *keys[] = {PQgetvalue(res, q.limit_n - 1, 1), PQgetvalue(res, q.limit_n - 1, 2)};
        next = cursor_encode(keys, 2);
    }
    /* JSON items, or with Accept: application/geo+json a FeatureCollection */
    bool geojson = http_accept_names(r, "application/geo+json");
    json_t *items = json_array();
    for (int i = 0; i < rows && i < q.limit_n; i++) {
        json_t *stop = json_loads(PQgetvalue(res, i, 0), 0, NULL);
        json_array_append_new(items, geojson ? geojson_feature(stop, NULL, "latitude", "longitude")
                                             : stop);
    }
    paging_answer_cached(r, items, next, geojson);
    PQclear(res);
    free(next);
}

void stops_list(struct req *r)
{
    list(r, NULL);
}

/* The place of r->params[0] if it is live; answers 404 otherwise. Returns its
 * owner and whether it is itinerant through the result (caller PQclears). */
static PGresult *find_place(struct req *r)
{
    const char *id = r->params[0];
    if (!validate_uuid(id)) {
        http_problem_msg(r, 404, "not-found", MSG_PLACE_NOT_FOUND);
        return NULL;
    }
    const char *params[] = {id};
    PGresult *res = http_sql(r, STOPS_SQL_PLACE, 1, params, false);
    if (res && PQntuples(res) == 0) {
        http_problem_msg(r, 404, "not-found", MSG_PLACE_NOT_FOUND);
        PQclear(res);
        return NULL;
    }
    return res;
}

void stops_of_place(struct req *r)
{
    PGresult *place = find_place(r);
    if (!place)
        return;
    PQclear(place);
    list(r, r->params[0]);
}

static const char *number_text(const json_t *v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.7f", json_number_value(v));
    return buf;
}

void stops_create(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    PGresult *place = find_place(r), *check = NULL, *res = NULL;
    json_t *errors = json_array();
    if (!place)
        goto out;
    if (!guard_owns(r, PQgetvalue(place, 0, 0)))
        goto out;
    static const char *const fields[] = {"starts_at", "ends_at",   "insee_code", "address",
                                         "latitude",  "longitude", NULL};
    static const char *const read_only[] = {"id", "place_id", "place_name", "commune", NULL};
    validate_fields(body, fields, read_only, errors);
    if (strcmp(PQgetvalue(place, 0, 1), "t") != 0)
        validate_error_msg(errors, "place_id", MSG_STOP_NOT_ITINERANT);
    const char *starts = validate_string(body, "starts_at", true, 20, 40, errors);
    const char *ends = validate_string(body, "ends_at", true, 20, 40, errors);
    if (starts && !validate_rfc3339(starts))
        validate_error_msg(errors, "starts_at", MSG_FIELD_RFC3339_SUCH_AS,
                           "2026-12-08T09:30:00+01:00");
    if (ends && !validate_rfc3339(ends))
        validate_error_msg(errors, "ends_at", MSG_FIELD_RFC3339_SUCH_AS,
                           "2026-12-08T12:30:00+01:00");
    const char *insee = validate_string(body, "insee_code", true, 5, 5, errors);
    const char *address = validate_string(body, "address", true, 1, 250, errors);
    const json_t *lat = json_object_get(body, "latitude"),
                 *lon = json_object_get(body, "longitude");
    const char *why = NULL;
    bool lat_ok = json_is_number(lat) && fields_latitude(json_number_value(lat), &why),
         lon_ok = json_is_number(lon) && fields_longitude(json_number_value(lon), &why);
    if (!lat_ok)
        validate_error_msg(errors, "latitude", MSG_STOP_DEGREES_REQUIRED);
    if (!lon_ok)
        validate_error_msg(errors, "longitude", MSG_STOP_DEGREES_REQUIRED);
    char lat_text[32], lon_text[32];
    /* the reference checks too, on the values that are well formed, so that
     * one answer names every error */
    const char *checked[] = {insee, starts && validate_rfc3339(starts) ? starts : NULL,
                             ends && validate_rfc3339(ends) ? ends : NULL,
                             lat_ok ? number_text(lat, lat_text, sizeof lat_text) : NULL,
                             lon_ok ? number_text(lon, lon_text, sizeof lon_text) : NULL};
    check = http_sql(r, STOPS_SQL_CHECK, 5, checked, false);
    if (!check)
        goto out;
    if (strcmp(PQgetvalue(check, 0, 0), "t") != 0)
        validate_error_msg(errors, "insee_code", MSG_FIELD_NOT_GERS_COMMUNE);
    else if (strcmp(PQgetvalue(check, 0, 1), "t") != 0)
        validate_error_msg(errors, "latitude", MSG_FIELD_OUTSIDE_COMMUNE, insee);
    if (strcmp(PQgetvalue(check, 0, 2), "t") != 0)
        validate_error_msg(errors, "ends_at", MSG_FIELD_AFTER_STARTS_AT);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    const char *params[] = {r->params[0], starts, ends, insee, address, lat_text, lon_text};
    res = http_sql(r, STOPS_SQL_INSERT, 7, params, true);
    if (res && PQresultStatus(res) != PGRES_TUPLES_OK) {
        http_problem_msg(r, 409, "conflict", MSG_STOP_TAKEN);
    } else if (res) {
        char location[128];
        snprintf(location, sizeof location, "/v1/places/%s/stops", r->params[0]);
        idempotency_record_json(r, &k, 201, json_loads(PQgetvalue(res, 0, 0), 0, NULL), location,
                                r->params[0]);
    }
out:
    json_decref(errors);
    json_decref(body);
    PQclear(place);
    PQclear(check);
    PQclear(res);
}
