/* Handlers of /v1/workshops: the shared calendar. */
#include "workshops.h"

#include "cursor.h"
#include "fields.h"
#include "geojson.h"
#include "guard.h"
#include "idempotency.h"
#include "paging.h"
#include "rrule.h"
#include "validate.h"
#include "workshops_sql.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const workshops_list_query[] = {
    "from", "to",        "theme",     "audience", "commune", "place_id", "series_id",
    "near", "radius_km", "has_seats", "status",   "limit",   "cursor",   NULL};

static void not_found(struct req *r)
{
    http_problem_msg(r, 404, "not-found", MSG_WORKSHOP_NOT_FOUND);
}

/* What an anonymous reader (PUBLIC_READS, no token) sees of a workshop: the
 * public calendar. A list of the members shown rather than of those hidden,
 * so that a member added later stays private until it is named here. Never
 * shown: participants and registrations (never part of a workshop anyway)
 * and waitlist_count (the registrations' queue, for partners). */
static const char *const workshop_public_members[] = {
    "id",        "series_id",  "owner",      "place_id",    "stop_id",
    "title",     "theme",      "audience",   "starts_at",   "ends_at",
    "capacity",  "seats_left", "status",     "description", "accessibility",
    "price_eur", "place",      "created_at", "updated_at",  NULL};

/* A workshop (stolen) as the caller may see it: whole with a token, its
 * public members without one. */
static json_t *shown(const struct req *r, json_t *workshop)
{
    if (r->who.org[0] || !workshop)
        return workshop;
    json_t *shown_members = json_object();
    for (size_t i = 0; workshop_public_members[i]; i++) {
        json_t *v = json_object_get(workshop, workshop_public_members[i]);
        if (v)
            json_object_set(shown_members, workshop_public_members[i], v);
    }
    json_decref(workshop);
    return shown_members;
}

/* ---- reading ------------------------------------------------------------ */

struct list_query {
    const char *params[16];
    int n;
    char text[4][96];
    char *keys[2];
};

static int add(struct list_query *q, const char *value)
{
    q->params[q->n++] = value;
    return q->n;
}

static int add_copy(struct list_query *q, int slot, const char *value)
{
    snprintf(q->text[slot], sizeof q->text[slot], "%s", value);
    return add(q, q->text[slot]);
}

static void read_filters(struct req *r, struct list_query *q, FILE *where, json_t *errors)
{
    const char *from = http_query(r, "from"), *to = http_query(r, "to"), *why = NULL;
    if (from && !validate_rfc3339(from))
        validate_error_msg(errors, "from", MSG_FIELD_RFC3339_SUCH_AS, "2026-12-08T00:00:00+01:00");
    else
        fprintf(where, WORKSHOP_SQL_LIST_FROM, add(q, from));
    if (to && !validate_rfc3339(to))
        validate_error_msg(errors, "to", MSG_FIELD_RFC3339_SUCH_AS, "2026-12-15T00:00:00+01:00");
    else if (to)
        fprintf(where, WORKSHOP_SQL_LIST_TO, add(q, to));
    const char *theme = http_query(r, "theme");
    if (theme && !validate_in_list(theme, codes_of(CODES_THEMES)))
        validate_code_error(errors, "theme", CODES_THEMES);
    else if (theme)
        fprintf(where, WORKSHOP_SQL_LIST_THEME, add(q, theme));
    const char *audience = http_query(r, "audience");
    if (audience && !validate_in_list(audience, codes_of(CODES_AUDIENCES)))
        validate_code_error(errors, "audience", CODES_AUDIENCES);
    else if (audience)
        fprintf(where, WORKSHOP_SQL_LIST_AUDIENCE, add(q, audience));
    const char *commune = http_query(r, "commune");
    if (commune && !fields_insee_code(commune, &why))
        validate_error(errors, "commune", "%s", why);
    else if (commune)
        fprintf(where, WORKSHOP_SQL_LIST_COMMUNE, add(q, commune));
    const char *ids[] = {"place_id", "series_id"};
    for (int i = 0; i < 2; i++) {
        const char *id = http_query(r, ids[i]);
        if (id && !validate_uuid(id))
            validate_error_msg(errors, ids[i], MSG_FIELD_UUID);
        else if (id)
            fprintf(where, WORKSHOP_SQL_LIST_ID, ids[i], add(q, id));
    }
    const char *seats = http_query(r, "has_seats");
    if (seats && strcmp(seats, "true") != 0 && strcmp(seats, "false") != 0)
        validate_error_msg(errors, "has_seats", MSG_FIELD_TRUE_OR_FALSE);
    else if (seats)
        fprintf(where, WORKSHOP_SQL_LIST_HAS_SEATS, strcmp(seats, "true") == 0 ? "true" : "false");
    const char *status = http_query(r, "status");
    static const char *const statuses[] = {"scheduled", "cancelled", "completed", NULL};
    if (status && !validate_in_list(status, statuses))
        validate_error_msg(errors, "status", MSG_WORKSHOP_STATUS);
    else if (status)
        fprintf(where, WORKSHOP_SQL_LIST_STATUS, add(q, status));
}

static void read_near(struct req *r, struct list_query *q, FILE *where, json_t *errors)
{
    const char *near = http_query(r, "near"), *radius = http_query(r, "radius_km"), *why = NULL;
    if (!near) {
        if (radius)
            validate_error_msg(errors, "radius_km", MSG_FIELD_GOES_WITH_NEAR);
        return;
    }
    double lat = 0, lon = 0, km = 20;
    char tail;
    if (sscanf(near, "%lf,%lf%c", &lat, &lon, &tail) != 2 || !fields_latitude(lat, &why) ||
        !fields_longitude(lon, &why)) {
        validate_error_msg(errors, "near", MSG_FIELD_NEAR);
        return;
    }
    if (!fields_in_france(lat, lon)) {
        validate_error_msg(errors, "near", MSG_FIELDS_NEAR_SWAPPED);
        return;
    }
    if (radius &&
        (sscanf(radius, "%lf%c", &km, &tail) != 1 || !isfinite(km) || km <= 0 || km > 200)) {
        validate_error_msg(errors, "radius_km", MSG_FIELD_RADIUS, 200.0);
        return;
    }
    char point[96], metres[32];
    snprintf(point, sizeof point, "SRID=4326;POINT(%.7f %.7f)", lon, lat);
    snprintf(metres, sizeof metres, "%.3f", km * 1000);
    int pt = add_copy(q, 0, point), m = add_copy(q, 1, metres);
    fprintf(where, WORKSHOP_SQL_LIST_NEAR, pt, m);
}

void workshops_list(struct req *r)
{
    struct list_query q = {0};
    json_t *errors = json_array();
    int limit;
    char *where_text = NULL;
    size_t where_len = 0;
    FILE *where = open_memstream(&where_text, &where_len);
    read_filters(r, &q, where, errors);
    read_near(r, &q, where, errors);
    paging_read_limit(r, errors, &limit);
    const char *cursor = http_query(r, "cursor");
    if (cursor && (!cursor_decode(cursor, 2, 64, q.keys) || !validate_uuid(q.keys[1]) ||
                   strspn(q.keys[0], "0123456789-:. +") != strlen(q.keys[0])))
        validate_error_msg(errors, "cursor", MSG_FIELD_CURSOR);
    else if (cursor)
        fprintf(where, WORKSHOP_SQL_LIST_AFTER, add(&q, q.keys[0]), add(&q, q.keys[1]));
    fclose(where);
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
    char *sql = NULL;
    size_t sql_len = 0;
    FILE *out = open_memstream(&sql, &sql_len);
    fprintf(out, WORKSHOP_SQL_LIST, where_text, add(&q, limit_text));
    fclose(out);
    free(where_text);
    PGresult *res = NULL;
    if (json_array_size(errors) > 0)
        http_invalid(r, 400, json_incref(errors));
    else
        res = http_sql(r, sql, q.n, q.params, false);
    json_decref(errors);
    free(sql);
    if (res) {
        int rows = PQntuples(res);
        char *next = NULL;
        if (rows > limit) {
            const char *keys[] = {PQgetvalue(res, limit - 1, 1), PQgetvalue(res, limit - 1, 2)};
            next = cursor_encode(keys, 2);
        }
        bool geojson = http_accept_names(r, "application/geo+json");
        json_t *items = json_array();
        for (int i = 0; i < rows && i < limit; i++) {
            json_t *w = shown(r, json_loads(PQgetvalue(res, i, 0), 0, NULL));
            json_array_append_new(
                items, geojson ? geojson_feature(w, "place", "latitude", "longitude") : w);
        }
        paging_answer_cached(r, items, next, geojson);
        free(next);
        PQclear(res);
    }
    free(q.keys[0]);
    free(q.keys[1]);
}

void workshops_get(struct req *r)
{
    const char *id = r->params[0];
    if (!validate_uuid(id)) {
        not_found(r);
        return;
    }
    const char *params[] = {id};
    PGresult *res = http_sql(r, WORKSHOP_SQL_GET, 1, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        not_found(r);
    } else {
        /* JSON to a token: the row's ETag, the one If-Match compares; the
         * other representations (the public projection, a Feature) their own */
        bool geojson = http_accept_names(r, "application/geo+json"), anonymous = !r->who.org[0];
        json_t *w = shown(r, json_loads(PQgetvalue(res, 0, WS_COL_JSON), 0, NULL));
        if (geojson)
            w = geojson_feature(w, "place", "latitude", "longitude");
        char *text = json_dumps(w, HTTP_JSON_FLAGS);
        json_decref(w);
        const char *row_etag = PQgetvalue(res, 0, WS_COL_ETAG);
        char etag[96];
        snprintf(etag, sizeof etag, "%.*s%s%s\"", (int)strlen(row_etag) - 1, row_etag,
                 anonymous ? "-public" : "", geojson ? "-geo" : "");
        struct http_cache c = {.content_type =
                                   geojson ? "application/geo+json" : "application/json",
                               .etag = etag,
                               .max_age = 60,
                               .varies_by_accept = true};
        if (text)
            http_cached(r, &c, text, strlen(text));
        else
            http_problem_msg(r, 500, "internal", MSG_ENCODING_FAILED);
        free(text);
    }
    PQclear(res);
}

/* ---- writing ------------------------------------------------------------ */

/* The checked members of a workshop body, as SQL parameters. */
struct workshop_input {
    const char *place_id, *stop_id, *title, *theme, *starts_at, *ends_at, *description,
        *accessibility, *recurrence;
    char *audience; /* JSON array, owned */
    char capacity[16], price[32];
    bool has_capacity, has_price;
};

static const char *const workshop_writable[] = {
    "place_id", "stop_id",     "title",         "theme",     "audience",   "starts_at", "ends_at",
    "capacity", "description", "accessibility", "price_eur", "recurrence", NULL};
static const char *const workshop_read_only[] = {
    "id",     "series_id", "owner",      "seats_left", "waitlist_count",
    "status", "place",     "created_at", "updated_at", NULL};

static void check_audience(const json_t *v, struct workshop_input *in, json_t *errors)
{
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 11) {
        validate_error_msg(errors, "audience", MSG_FIELD_ARRAY_OF_CODES,
                           codes_name(CODES_AUDIENCES));
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!validate_in_list(json_string_value(item), codes_of(CODES_AUDIENCES))) {
            validate_error_msg(errors, "audience", MSG_FIELD_ITEM_ONE_OF_CODES, i,
                               codes_name(CODES_AUDIENCES));
            return;
        }
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(v, j), item)) {
                validate_error_msg(errors, "audience", MSG_PLACE_ITEM_REPEATED, i, j);
                return;
            }
    }
    in->audience = json_dumps(v, JSON_COMPACT);
}

/* Reads the body; `creating` requires what a new workshop needs. */
static void read_workshop(json_t *body, bool creating, struct workshop_input *in, json_t *errors)
{
    memset(in, 0, sizeof *in);
    validate_fields(body, workshop_writable, workshop_read_only, errors);
    const json_t *place = json_object_get(body, "place_id"),
                 *stop = json_object_get(body, "stop_id");
    if (creating && !place == !stop)
        validate_error_msg(errors, place ? "stop_id" : "place_id", MSG_WORKSHOP_PLACE_OR_STOP);
    in->place_id = json_string_value(place);
    in->stop_id = json_string_value(stop);
    if (place && (!in->place_id || !validate_uuid(in->place_id)))
        validate_error_msg(errors, "place_id", MSG_FIELD_UUID_PLACE);
    if (stop && (!in->stop_id || !validate_uuid(in->stop_id)))
        validate_error_msg(errors, "stop_id", MSG_FIELD_UUID_STOP);
    if (!creating && (place || stop))
        validate_error_msg(errors, place ? "place_id" : "stop_id", MSG_WORKSHOP_PLACE_FIXED);
    in->title = validate_string(body, "title", creating, 1, 200, errors);
    const json_t *theme = json_object_get(body, "theme");
    in->theme = json_string_value(theme);
    if ((theme || creating) && !validate_in_list(in->theme, codes_of(CODES_THEMES)))
        validate_code_error(errors, "theme", CODES_THEMES);
    const json_t *audience = json_object_get(body, "audience");
    if (audience || creating)
        check_audience(audience, in, errors);
    const char *names[] = {"starts_at", "ends_at"};
    const char **times[] = {&in->starts_at, &in->ends_at};
    for (int i = 0; i < 2; i++) {
        *times[i] = validate_string(body, names[i], creating, 10, 40, errors);
        if (*times[i] && !validate_rfc3339(*times[i])) {
            validate_error_msg(errors, names[i], MSG_FIELD_RFC3339);
            *times[i] = NULL;
        }
    }
    const json_t *capacity = json_object_get(body, "capacity");
    if (capacity || creating) {
        json_int_t n = json_integer_value(capacity);
        if (!json_is_integer(capacity) || n < 1 || n > 500)
            validate_error_msg(errors, "capacity", MSG_FIELD_INT_RANGE, 1, 500);
        snprintf(in->capacity, sizeof in->capacity, "%lld", (long long)n);
        in->has_capacity = json_is_integer(capacity);
    }
    const json_t *price = json_object_get(body, "price_eur");
    if (price) {
        double eur = json_number_value(price);
        if (!json_is_number(price) || !isfinite(eur) || eur < 0 || eur > 10000 ||
            fabs(eur * 100 - round(eur * 100)) > 1e-6)
            validate_error_msg(errors, "price_eur", MSG_WORKSHOP_PRICE);
        snprintf(in->price, sizeof in->price, "%.2f", eur);
        in->has_price = true;
    }
    in->description = validate_string(body, "description", false, 1, 4000, errors);
    in->accessibility = validate_string(body, "accessibility", false, 1, 1000, errors);
    in->recurrence = validate_string(body, "recurrence", false, 1, 200, errors);
    if (!creating && in->recurrence)
        validate_error_msg(errors, "recurrence", MSG_WORKSHOP_RECURRENCE_CREATE);
    if (in->recurrence && in->stop_id)
        validate_error_msg(errors, "recurrence", MSG_WORKSHOP_RECURRENCE_STOP);
}

/* The local (Europe/Paris) dates of a recurrence, as a JSON array; NULL with
 * an error in `errors` when the rule is not one we expand. Caller frees. */
static char *occurrence_dates(struct req *r, const struct workshop_input *in, json_t *errors,
                              bool *failed)
{
    const char *params[] = {in->starts_at};
    PGresult *res = http_sql(r, WORKSHOP_SQL_LOCAL_DATE, 1, params, false);
    if (!res) {
        *failed = true;
        return NULL;
    }
    struct rrule_date start = {0}, dates[RRULE_MAX_OCCURRENCES];
    sscanf(PQgetvalue(res, 0, 0), "%d-%d-%d", &start.year, &start.month, &start.day);
    PQclear(res);
    int count = 0;
    char err[160];
    if (rrule_expand(in->recurrence, start, dates, &count, err, sizeof err) != 0) {
        validate_error(errors, "recurrence", "%s", err);
        return NULL;
    }
    json_t *list = json_array();
    for (int i = 0; i < count; i++) {
        char day[16];
        snprintf(day, sizeof day, "%04d-%02d-%02d", dates[i].year, dates[i].month, dates[i].day);
        json_array_append_new(list, json_string(day));
    }
    char *text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return text;
}

/* The place a workshop happens at: the given place, or the stop's unit. */
static bool resolve_place(struct req *r, const struct workshop_input *in, char *place, size_t cap,
                          json_t *errors)
{
    const char *params[] = {in->place_id, in->stop_id, in->starts_at, in->ends_at};
    PGresult *res = http_sql(r, WORKSHOP_SQL_WHERE, 4, params, false);
    if (!res)
        return false;
    if (PQntuples(res) == 0) {
        validate_error_msg(errors, in->place_id ? "place_id" : "stop_id",
                           MSG_WORKSHOP_NO_PLACE_OR_STOP);
    } else {
        snprintf(place, cap, "%s", PQgetvalue(res, 0, 0));
        if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
            validate_error_msg(errors, "starts_at", MSG_WORKSHOP_WITHIN_STOP);
        if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
            validate_error_msg(errors, "starts_at", MSG_FIELD_IN_FUTURE);
    }
    PQclear(res);
    return true;
}

void workshops_create(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    struct workshop_input in;
    json_t *errors = json_array();
    char place[40] = "", *dates = NULL, series[40] = "";
    bool failed = false;
    PGresult *res = NULL;
    read_workshop(body, true, &in, errors);
    if (json_array_size(errors) == 0)
        failed = !resolve_place(r, &in, place, sizeof place, errors);
    if (!failed && json_array_size(errors) == 0 && in.recurrence)
        dates = occurrence_dates(r, &in, errors, &failed);
    if (failed)
        goto out;
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    if (dates) {
        PGresult *uuid = http_sql(r, WORKSHOP_SQL_NEW_SERIES, 0, NULL, false);
        if (!uuid)
            goto out;
        snprintf(series, sizeof series, "%s", PQgetvalue(uuid, 0, 0));
        PQclear(uuid);
    }
    const char *params[] = {r->who.org,
                            place,
                            in.stop_id,
                            in.title,
                            in.theme,
                            in.audience,
                            in.starts_at,
                            in.ends_at,
                            in.capacity,
                            in.description,
                            in.accessibility,
                            in.has_price ? in.price : "0",
                            dates ? series : NULL,
                            dates};
    res = http_sql(r, WORKSHOP_SQL_INSERT, 14, params, true);
    if (res && PQresultStatus(res) != PGRES_TUPLES_OK) {
        json_t *bad = json_array();
        validate_error_msg(bad, "ends_at", MSG_FIELD_AFTER_STARTS_AT);
        http_invalid(r, 422, bad);
    } else if (res && dates) {
        json_t *items = json_array();
        for (int i = 0; i < PQntuples(res); i++)
            json_array_append_new(items, json_loads(PQgetvalue(res, i, WS_COL_JSON), 0, NULL));
        char location[96];
        snprintf(location, sizeof location, "/v1/workshops?series_id=%s", series);
        idempotency_record_json(r, &k, 201,
                                json_pack("{s:s, s:o}", "series_id", series, "items", items),
                                location, series);
    } else if (res) {
        char location[96];
        snprintf(location, sizeof location, "/v1/workshops/%s", PQgetvalue(res, 0, WS_COL_ID));
        http_set_header(r, "ETag", PQgetvalue(res, 0, WS_COL_ETAG));
        idempotency_record_json(r, &k, 201, json_loads(PQgetvalue(res, 0, WS_COL_JSON), 0, NULL),
                                location, PQgetvalue(res, 0, WS_COL_ID));
    }
out:
    PQclear(res);
    free(dates);
    free(in.audience);
    json_decref(errors);
    json_decref(body);
}

/* Locks the workshop r->params[0] for the transaction when the actor owns it
 * (or is admin). Returns its row (JSON, id, ETag, owner, capacity, confirmed,
 * cancelled, ended), or NULL after having answered. */
static PGresult *lock_own_workshop(struct req *r)
{
    PGresult *res = http_sql_lock(r, WORKSHOP_SQL_LOCK, 0, NULL, MSG_WORKSHOP_NOT_FOUND);
    if (res && guard_owns(r, PQgetvalue(res, 0, WS_COL_OWNER)))
        return res;
    PQclear(res);
    return NULL;
}

/* True when `starts_at` is in the future; otherwise answers 422 (or 503) and
 * returns false (*failed is set when the database did not answer). */
static bool starts_in_future(struct req *r, const char *starts_at, bool *failed)
{
    const char *params[] = {starts_at};
    PGresult *res = http_sql(r, WORKSHOP_SQL_IN_FUTURE, 1, params, false);
    if (!res) {
        *failed = true;
        return false;
    }
    bool future = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!future) {
        json_t *errors = json_array();
        validate_error_msg(errors, "starts_at", MSG_FIELD_IN_FUTURE);
        http_invalid(r, 422, errors);
    }
    return future;
}

void workshops_update(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    struct workshop_input in;
    json_t *errors = json_array();
    PGresult *row = NULL, *res = NULL;
    bool failed = false;
    read_workshop(body, false, &in, errors);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    if (!(row = lock_own_workshop(r)))
        goto out;
    const char *if_match = http_header(r, "If-Match");
    int confirmed = atoi(PQgetvalue(row, 0, 5)), capacity = atoi(PQgetvalue(row, 0, 4));
    if (if_match && !validate_etag_matches(if_match, PQgetvalue(row, 0, WS_COL_ETAG))) {
        http_problem_msg(r, 412, "precondition-failed", MSG_WORKSHOP_IF_MATCH);
        goto out;
    }
    if (strcmp(PQgetvalue(row, 0, 6), "t") == 0) {
        http_problem_msg(r, 409, "cancelled", MSG_WORKSHOP_CANCELLED);
        goto out;
    }
    if (in.starts_at && !starts_in_future(r, in.starts_at, &failed))
        goto out;
    if (in.has_capacity && atoi(in.capacity) < confirmed) {
        http_problem_msg(r, 409, "capacity-below-confirmed", MSG_WORKSHOP_CAPACITY_BELOW,
                         confirmed);
        goto out;
    }
    const char *params[] = {r->params[0],
                            in.title,
                            in.theme,
                            in.audience,
                            in.starts_at,
                            in.ends_at,
                            in.has_capacity ? in.capacity : NULL,
                            in.description,
                            in.accessibility,
                            in.has_price ? in.price : NULL};
    res = http_sql(r, WORKSHOP_SQL_UPDATE, 10, params, true);
    if (res && PQresultStatus(res) != PGRES_COMMAND_OK) {
        json_t *bad = json_array();
        validate_error_msg(bad, "ends_at", MSG_FIELD_AFTER_STARTS_AT);
        http_invalid(r, 422, bad);
        goto out;
    }
    if (!res)
        goto out;
    PQclear(res);
    res = NULL;
    /* More seats: the waiting list moves up, first arrived first. */
    if (in.has_capacity && atoi(in.capacity) > capacity) {
        char more[16];
        snprintf(more, sizeof more, "%d", atoi(in.capacity) - capacity);
        const char *promote[] = {r->params[0], more};
        res = http_sql(r, REGISTRATION_SQL_PROMOTE, 2, promote, false);
        if (!res)
            goto out;
        PQclear(res);
    }
    const char *key[] = {r->params[0]};
    res = http_sql(r, WORKSHOP_SQL_GET, 1, key, false);
    if (res && http_commit(r)) {
        http_set_header(r, "ETag", PQgetvalue(res, 0, WS_COL_ETAG));
        http_json(r, 200, json_loads(PQgetvalue(res, 0, WS_COL_JSON), 0, NULL));
    }
out:
    PQclear(row);
    PQclear(res);
    free(in.audience);
    json_decref(errors);
    json_decref(body);
}

void workshops_cancel(struct req *r)
{
    PGresult *row = lock_own_workshop(r), *res = NULL;
    if (!row)
        return;
    if (strcmp(PQgetvalue(row, 0, 6), "t") == 0 || strcmp(PQgetvalue(row, 0, 7), "t") == 0) {
        bool cancelled = strcmp(PQgetvalue(row, 0, 6), "t") == 0;
        http_problem_msg(r, 409, cancelled ? "cancelled" : "completed",
                         cancelled ? MSG_WORKSHOP_ALREADY_CANCELLED : MSG_WORKSHOP_OVER);
        PQclear(row);
        return;
    }
    PQclear(row);
    const char *params[] = {r->params[0]};
    res = http_sql(r, WORKSHOP_SQL_CANCEL, 1, params, false);
    if (!res)
        return;
    PQclear(res);
    res = http_sql(r, WORKSHOP_SQL_GET, 1, params, false);
    if (res && http_commit(r)) {
        http_set_header(r, "ETag", PQgetvalue(res, 0, WS_COL_ETAG));
        http_json(r, 200, json_loads(PQgetvalue(res, 0, WS_COL_JSON), 0, NULL));
    }
    PQclear(res);
}
