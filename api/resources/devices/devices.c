/* /v1/devices: the traceability of reconditioned equipment, from collection
 * to a household. A device passes between partners (the collecting one, a
 * refurbisher, a distributor): any organisation with devices:write may record
 * its events, each signed with the acting organisation. The rule that
 * matters: nothing is refurbished or distributed unless wiped since it last
 * held someone's data. */
#include "devices.h"

#include "devices_sql.h"
#include "idempotency.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const origins[] = {"individual", "administration", "company", NULL};

void devices_create(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"type", "origin", "collected_at", "inventory_ref", NULL};
    static const char *const read_only[] = {"id",         "collected_by", "status", "wiped",
                                            "created_at", "updated_at",   NULL};
    validate_fields(body, writable, read_only, errors);
    const char *params[] = {r->who.org,
                            http_subject(r),
                            validate_code(body, "type", true, CODES_DEVICE_TYPES, errors),
                            validate_enum(body, "origin", true, origins, errors),
                            validate_time(body, "collected_at", true, errors),
                            validate_string(body, "inventory_ref", false, 1, 64, errors)};
    PGresult *res = NULL;
    if (json_array_size(errors) == 0 && (res = http_sql(r, DEVICES_SQL_INSERT, 6, params, false))) {
        if (strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
            validate_error_msg(errors, "collected_at", MSG_FIELD_NOT_IN_FUTURE);
        } else {
            char location[80];
            snprintf(location, sizeof location, "/v1/devices/%s", PQgetvalue(res, 0, 1));
            idempotency_record(r, &k, 201, PQgetvalue(res, 0, 0), location, PQgetvalue(res, 0, 1));
        }
    }
    if (json_array_size(errors) > 0)
        http_invalid(r, 422, json_incref(errors));
    PQclear(res);
    json_decref(errors);
    json_decref(body);
}

void devices_get(struct req *r)
{
    if (!validate_uuid(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_DEVICE_NOT_FOUND);
        return;
    }
    const char *params[] = {r->params[0]};
    PGresult *res = http_sql(r, DEVICES_SQL_GET, 1, params, false);
    if (res && PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_DEVICE_NOT_FOUND);
    else if (res)
        http_json_text(r, 200, PQgetvalue(res, 0, 0));
    PQclear(res);
}

void devices_events(struct req *r)
{
    if (!validate_uuid(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_DEVICE_NOT_FOUND);
        return;
    }
    const char *params[] = {r->params[0]};
    PGresult *res = http_sql(r, DEVICES_SQL_EVENTS, 1, params, false);
    if (res && strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem_msg(r, 404, "not-found", MSG_DEVICE_NOT_FOUND);
    } else if (res) {
        json_t *items = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
        http_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
    }
    PQclear(res);
}

/* ---- events ---------------------------------------------------------------- */

/* A move of the device: from which statuses, to which. */
struct device_move {
    const char *type;
    const char *const *from;
    bool needs_wiped; /* refused with 409 not-wiped when the device is not */
};

static const char *const from_unwiped[] = {"collected", "returned", NULL};
static const char *const from_wiped[] = {"wiped", NULL};
static const char *const from_ready[] = {"wiped", "refurbished", NULL};
static const char *const from_distributed[] = {"distributed", NULL};
static const char *const from_kept[] = {"collected", "wiped", "refurbished", "returned", NULL};

static const struct device_move device_moves[] = {
    {"wiped", from_unwiped, false},    {"refurbished", from_wiped, true},
    {"distributed", from_ready, true}, {"returned", from_distributed, false},
    {"recycled", from_kept, false},
};

/* Euros with at most two decimals, 0..10000. */
static bool read_price(const json_t *details, json_t *sub, double *price)
{
    const json_t *v = json_object_get(details, "price");
    if (!v)
        return false;
    double p = json_number_value(v);
    double cents = p * 100.0;
    if (!json_is_number(v) || p < 0 || p > 10000 || fabs(cents - round(cents)) > 1e-6) {
        validate_error_msg(sub, "price", MSG_DEVICE_PRICE);
        return false;
    }
    *price = p;
    return true;
}

/* The details of a move, checked for its type and rewritten canonically into
 * *text (the caller frees it); the commune of a distribution into *commune
 * (borrowed from details). Errors named details.<member>. */
static void read_details(const char *type, json_t *details, char **text, const char **commune,
                         json_t *errors)
{
    json_t *sub = json_array(), *clean = json_object();
    static const char *const wiped[] = {"method", "certificate_ref", NULL};
    static const char *const refurbished[] = {"grade", "parts_replaced", NULL};
    static const char *const distributed[] = {"mode",          "price",    "commune",
                                              "household_ref", "place_id", NULL};
    static const char *const none[] = {NULL};
    const char *const *members = strcmp(type, "wiped") == 0         ? wiped
                                 : strcmp(type, "refurbished") == 0 ? refurbished
                                 : strcmp(type, "distributed") == 0 ? distributed
                                                                    : none;
    validate_fields(details, members, NULL, sub);
    if (strcmp(type, "wiped") == 0) {
        const char *method = validate_code(details, "method", true, CODES_ERASURE_METHODS, sub);
        const char *certificate = validate_string(details, "certificate_ref", true, 1, 100, sub);
        json_object_set_new(clean, "method", json_string(method ? method : ""));
        json_object_set_new(clean, "certificate_ref", json_string(certificate ? certificate : ""));
    } else if (strcmp(type, "refurbished") == 0) {
        static const char *const grades[] = {"A", "B", "C", NULL};
        const char *grade = validate_enum(details, "grade", true, grades, sub);
        json_t *parts = json_object_get(details, "parts_replaced");
        bool parts_ok = !parts || (json_is_array(parts) && json_array_size(parts) <= 20);
        size_t i;
        json_t *part;
        json_array_foreach(parts, i, part)
        {
            size_t len = json_is_string(part) ? validate_utf8_length(json_string_value(part)) : 0;
            parts_ok = parts_ok && len >= 1 && len <= 50;
        }
        if (!parts_ok)
            validate_error_msg(sub, "parts_replaced", MSG_DEVICE_PARTS);
        json_object_set_new(clean, "grade", json_string(grade ? grade : ""));
        json_object_set_new(clean, "parts_replaced",
                            parts && parts_ok ? json_deep_copy(parts) : json_array());
    } else if (strcmp(type, "distributed") == 0) {
        static const char *const modes[] = {"sale", "loan", "donation", NULL};
        const char *mode = validate_enum(details, "mode", true, modes, sub);
        double price = 0;
        bool priced = read_price(details, sub, &price);
        if (mode && strcmp(mode, "sale") == 0 && !json_object_get(details, "price"))
            validate_error_msg(sub, "price", MSG_DEVICE_PRICE_REQUIRED);
        else if (mode && strcmp(mode, "sale") != 0 && priced && price != 0)
            validate_error_msg(sub, "price", MSG_DEVICE_PRICE_ZERO, mode);
        *commune = validate_string(details, "commune", true, 1, 5, sub);
        if (*commune && (strlen(*commune) != 5 || strspn(*commune, "0123456789AB") != 5)) {
            validate_error_msg(sub, "commune", MSG_DEVICE_COMMUNE);
            *commune = NULL;
        }
        const char *household = validate_string(details, "household_ref", true, 1, 100, sub);
        if (household && strchr(household, '@'))
            validate_error_msg(sub, "household_ref", MSG_FIELD_PSEUDONYMOUS);
        const char *place =
            validate_uuid_member(details, "place_id", false, MSG_FIELD_UUID_PLACE, sub);
        json_object_set_new(clean, "mode", json_string(mode ? mode : ""));
        json_object_set_new(clean, "price", json_real(priced ? price : 0));
        json_object_set_new(clean, "commune", json_string(*commune ? *commune : ""));
        json_object_set_new(clean, "household_ref", json_string(household ? household : ""));
        json_object_set_new(clean, "place_id", place ? json_string(place) : json_null());
    }
    *text = json_dumps(clean, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(clean);
    validate_nest(errors, "details", sub);
}

void devices_add_event(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"type", "at", "details", NULL};
    static const char *const read_only[] = {"id",          "device_id", "org", "actor",
                                            "from_status", "to_status", NULL};
    validate_fields(body, writable, read_only, errors);
    const char *type = json_string_value(json_object_get(body, "type"));
    const struct device_move *move = NULL;
    for (size_t i = 0; type && i < sizeof device_moves / sizeof device_moves[0]; i++)
        if (strcmp(device_moves[i].type, type) == 0)
            move = &device_moves[i];
    if (!move)
        validate_error_msg(errors, "type", MSG_DEVICE_EVENT_TYPE);
    const char *at = validate_time(body, "at", false, errors);
    json_t *details = json_object_get(body, "details");
    if (details && !json_is_object(details))
        validate_error_msg(errors, "details", MSG_FIELD_OBJECT);
    char *details_text = NULL;
    const char *commune = NULL;
    if (move)
        read_details(move->type, json_is_object(details) ? details : NULL, &details_text, &commune,
                     errors);
    PGresult *row = NULL, *res = NULL;
    if (!(row = http_sql_lock(r, DEVICES_SQL_LOCK, 0, NULL, MSG_DEVICE_NOT_FOUND)))
        goto out;
    if (json_array_size(errors) == 0) {
        /* the references: the commune, the place, `at` not in the future */
        json_t *place = json_object_get(details, "place_id");
        const char *refs[] = {commune, json_string_value(place), at};
        if (!(res = http_sql(r, DEVICES_SQL_CHECK, 3, refs, false)))
            goto out;
        if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
            validate_error_msg(errors, "details.commune", MSG_FIELD_NO_SUCH_COMMUNE);
        if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
            validate_error_msg(errors, "details.place_id", MSG_FIELD_NO_SUCH_PLACE);
        if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
            validate_error_msg(errors, "at", MSG_FIELD_NOT_IN_FUTURE);
        PQclear(res);
        res = NULL;
    }
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, json_incref(errors));
        goto out;
    }
    const char *status = PQgetvalue(row, 0, 0);
    bool wiped = strcmp(PQgetvalue(row, 0, 1), "t") == 0;
    if (move->needs_wiped && !wiped) {
        http_problem_msg(r, 409, "not-wiped", MSG_DEVICE_NOT_WIPED);
        goto out;
    }
    if (!validate_in_list(status, move->from)) {
        http_problem_msg(r, 409, "impossible-move", MSG_DEVICE_IMPOSSIBLE_MOVE, status, move->type);
        goto out;
    }
    const char *params[] = {r->params[0], move->type,   r->who.org, http_subject(r),
                            at,           details_text, commune};
    res = http_sql(r, DEVICES_SQL_MOVE, 7, params, false);
    if (res)
        idempotency_record(r, &k, 201, PQgetvalue(res, 0, 0), NULL, r->params[0]);
out:
    PQclear(row);
    PQclear(res);
    free(details_text);
    json_decref(errors);
    json_decref(body);
}
