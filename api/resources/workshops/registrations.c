/* Handlers of /v1/workshops/{id}/registrations: seats that never overbook
 * (the database decides, see REGISTRATION_SQL_INSERT), a fair waiting list,
 * attendance. Participants are visible to the workshop's owner and, for its
 * own registrations, to the registering partner; to nobody else. */
#include "workshops.h"

#include "fields.h"
#include "guard.h"
#include "idempotency.h"
#include "paging.h"
#include "validate.h"
#include "workshops_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void workshop_not_found(struct req *r)
{
    http_problem_msg(r, 404, "not-found", MSG_WORKSHOP_NOT_FOUND);
}

static void registration_not_found(struct req *r)
{
    http_problem_msg(r, 404, "not-found", MSG_REGISTRATION_NOT_FOUND);
}

/* The workshop's owner, whether it is cancelled and whether it has started;
 * NULL after having answered 404 (or 503). Locks it when `lock`. */
static PGresult *find_workshop(struct req *r, bool lock)
{
    const char *id = r->params[0];
    if (!validate_uuid(id)) {
        workshop_not_found(r);
        return NULL;
    }
    const char *params[] = {id};
    PGresult *res =
        http_sql(r, lock ? REGISTRATION_SQL_WORKSHOP_FOR_UPDATE : REGISTRATION_SQL_WORKSHOP, 1,
                 params, false);
    if (res && PQntuples(res) == 0) {
        workshop_not_found(r);
        PQclear(res);
        return NULL;
    }
    return res;
}

/* A registration body, checked: the parameters $3..$7 of REGISTRATION_SQL_INSERT. */
struct registration_input {
    const char *ref, *name, *phone, *email, *needs;
    char e164[FIELDS_E164_SIZE];
};

static void read_registration(json_t *body, struct registration_input *in, json_t *errors)
{
    static const char *const writable[] = {"participant_ref", "display_name", "phone",
                                           "email",           "needs",        NULL};
    static const char *const read_only[] = {"id",         "workshop_id",       "registered_by",
                                            "status",     "waitlist_position", "attended",
                                            "created_at", "updated_at",        NULL};
    memset(in, 0, sizeof *in);
    validate_fields(body, writable, read_only, errors);
    in->ref = validate_string(body, "participant_ref", true, 1, 100, errors);
    in->name = validate_string(body, "display_name", true, 1, 100, errors);
    const char *phone = validate_string(body, "phone", false, 1, 30, errors);
    in->email = validate_string(body, "email", false, 3, 254, errors);
    in->needs = validate_string(body, "needs", false, 1, 500, errors);
    const char *why = NULL;
    if (phone && !fields_phone(phone, in->e164, sizeof in->e164, &why))
        validate_error(errors, "phone", "%s", why);
    in->phone = phone ? in->e164 : NULL;
    if (in->email && !fields_email(in->email, &why))
        validate_error(errors, "email", "%s", why);
}

void registrations_create(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array();
    PGresult *res = NULL, *workshop = NULL;
    struct registration_input in;
    read_registration(body, &in, errors);
    if (!validate_uuid(r->params[0])) {
        workshop_not_found(r);
        goto out;
    }
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    const char *params[] = {r->params[0], r->who.org, in.ref,  in.name,
                            in.phone,     in.email,   in.needs};
    res = http_sql(r, REGISTRATION_SQL_INSERT, 7, params, true);
    if (!res)
        goto out;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        http_problem_msg(r, 409, "already-registered", MSG_REGISTRATION_ALREADY);
    } else if (PQntuples(res) == 1) {
        char location[128];
        snprintf(location, sizeof location, "/v1/workshops/%s/registrations/%s", r->params[0],
                 PQgetvalue(res, 0, 1));
        idempotency_record_json(r, &k, 201, json_loads(PQgetvalue(res, 0, 0), 0, NULL), location,
                                PQgetvalue(res, 0, 1));
    } else if ((workshop = find_workshop(r, false))) {
        /* Nothing written: the workshop is cancelled or has started. */
        bool cancelled = strcmp(PQgetvalue(workshop, 0, 1), "t") == 0;
        http_problem_msg(r, 409, cancelled ? "cancelled" : "started",
                         cancelled ? MSG_WORKSHOP_CANCELLED : MSG_REGISTRATION_CLOSED);
    }
out:
    PQclear(res);
    PQclear(workshop);
    json_decref(errors);
    json_decref(body);
}

/* POST /v1/series/{series_id}/registrations: every session of the series that
 * is still to come, or none. The sessions are locked in order of their start,
 * so that two series registrations never wait on each other in a cycle. */
void registrations_create_series(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array(), *items = json_array();
    PGresult *sessions = NULL;
    struct registration_input in;
    read_registration(body, &in, errors);
    const char *series[] = {r->params[0]};
    if (!validate_uuid(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_SERIES_NOT_FOUND);
        goto out;
    }
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    if (!http_begin(r) ||
        !(sessions = http_sql(r, REGISTRATION_SQL_SERIES_SESSIONS, 1, series, false)))
        goto out;
    int count = PQntuples(sessions);
    if (count == 0) {
        http_problem_msg(r, 404, "not-found", MSG_SERIES_OVER);
        goto out;
    }
    for (int i = 0; i < count; i++)
        if (strcmp(PQgetvalue(sessions, i, 1), "t") != 0) {
            http_problem_msg(r, 409, "started", MSG_SERIES_STARTED);
            goto out;
        }
    for (int i = 0; i < count; i++) {
        const char *params[] = {
            PQgetvalue(sessions, i, 0), r->who.org, in.ref, in.name, in.phone, in.email, in.needs};
        PGresult *res = http_sql(r, REGISTRATION_SQL_INSERT, 7, params, true);
        if (!res)
            goto out;
        bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
        if (ok)
            json_array_append_new(items, json_loads(PQgetvalue(res, 0, 0), 0, NULL));
        PQclear(res);
        if (!ok) { /* rolled back by the router: none is kept */
            http_problem_msg(r, 409, "already-registered", MSG_SERIES_ALREADY);
            goto out;
        }
    }
    char location[96];
    snprintf(location, sizeof location, "/v1/workshops?series_id=%s", r->params[0]);
    idempotency_record_json(r, &k, 201,
                            json_pack("{s:s, s:O}", "series_id", r->params[0], "items", items),
                            location, r->params[0]);
out:
    PQclear(sessions);
    json_decref(items);
    json_decref(errors);
    json_decref(body);
}

/* Who may see the participants of the workshop r->params[0]: its owner (with
 * workshops:write) or admin sees all (*all = true); a partner with
 * registrations:write its own. Otherwise answers 403 (or 404) and returns false. */
static bool may_see_participants(struct req *r, bool *all)
{
    PGresult *workshop = find_workshop(r, false);
    if (!workshop)
        return false;
    *all = (strcmp(PQgetvalue(workshop, 0, 0), r->who.org) == 0 &&
            auth_has_scope(&r->who, "workshops:write")) ||
           auth_has_scope(&r->who, "admin");
    PQclear(workshop);
    if (*all || auth_has_scope(&r->who, "registrations:write"))
        return true;
    http_problem_msg(r, 403, "not-allowed", MSG_REGISTRATION_NOT_ALLOWED);
    return false;
}

void registrations_get(struct req *r)
{
    bool all = false;
    if (!may_see_participants(r, &all))
        return;
    if (!validate_uuid(r->params[1])) {
        registration_not_found(r);
        return;
    }
    const char *params[] = {r->params[0], r->params[1], all ? NULL : r->who.org};
    PGresult *res = http_sql(r, REGISTRATION_SQL_GET, 3, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0) /* another partner's registration is not revealed */
        registration_not_found(r);
    else
        http_json(r, 200, json_loads(PQgetvalue(res, 0, 0), 0, NULL));
    PQclear(res);
}

void registrations_list(struct req *r)
{
    PGresult *res = NULL;
    bool owner = false;
    if (!may_see_participants(r, &owner))
        return;
    const char *params[] = {r->params[0], owner ? NULL : r->who.org};
    res = http_sql(r, REGISTRATION_SQL_LIST, 2, params, false);
    if (!res)
        return;
    http_json(r, 200,
              json_pack("{s:o, s:n}", "items", json_loads(PQgetvalue(res, 0, 0), 0, NULL),
                        "next_cursor"));
    PQclear(res);
}

/* The acting organisation owns the workshop or has admin: guard_owns's rule,
 * without its answer. */
static bool owns_workshop(const struct req *r, PGresult *workshop)
{
    return strcmp(PQgetvalue(workshop, 0, 0), r->who.org) == 0 || auth_has_scope(&r->who, "admin");
}

/* Another partner's registration does not exist for the caller: neither the
 * registering organisation nor the workshop's owner (nor admin) sees it, so
 * a change to it is answered 404, as a random id is (GET does the same). */
static bool hidden_registration(struct req *r, PGresult *workshop, PGresult *reg)
{
    if (strcmp(PQgetvalue(reg, 0, 0), r->who.org) == 0 || owns_workshop(r, workshop))
        return false;
    registration_not_found(r);
    return true;
}

/* The registration r->params[1] of the locked workshop, with who registered it. */
static PGresult *find_registration(struct req *r)
{
    if (!validate_uuid(r->params[1])) {
        registration_not_found(r);
        return NULL;
    }
    const char *params[] = {r->params[0], r->params[1]};
    PGresult *res = http_sql(r, REGISTRATION_SQL_FIND, 2, params, false);
    if (res && PQntuples(res) == 0) {
        registration_not_found(r);
        PQclear(res);
        return NULL;
    }
    return res;
}

void registrations_delete(struct req *r)
{
    PGresult *workshop = NULL, *reg = NULL, *res = NULL;
    if (!http_begin(r) || !(workshop = find_workshop(r, true)) || !(reg = find_registration(r)))
        goto out;
    /* The registering partner or the workshop's owner (or admin); for anyone
     * else the registration does not exist. */
    if (hidden_registration(r, workshop, reg))
        goto out;
    if (strcmp(PQgetvalue(reg, 0, 1), "cancelled") == 0) {
        http_problem_msg(r, 409, "cancelled", MSG_REGISTRATION_CANCELLED);
        goto out;
    }
    if (strcmp(PQgetvalue(workshop, 0, 2), "t") == 0) {
        http_problem_msg(r, 409, "started", MSG_REGISTRATION_FROZEN);
        goto out;
    }
    const char *params[] = {r->params[0], r->params[1]};
    res = http_sql(r, REGISTRATION_SQL_CANCEL, 2, params, false);
    if (res && http_commit(r))
        http_empty(r, 204);
out:
    PQclear(workshop);
    PQclear(reg);
    PQclear(res);
}

void registrations_update(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    PGresult *workshop = NULL, *reg = NULL, *res = NULL;
    json_t *errors = json_array();
    static const char *const writable[] = {"attended", NULL};
    static const char *const read_only[] = {"id",
                                            "workshop_id",
                                            "registered_by",
                                            "status",
                                            "participant_ref",
                                            "display_name",
                                            "phone",
                                            "email",
                                            "needs",
                                            "waitlist_position",
                                            "created_at",
                                            "updated_at",
                                            NULL};
    validate_fields(body, writable, read_only, errors);
    const json_t *attended = json_object_get(body, "attended");
    if (!json_is_boolean(attended))
        validate_error_msg(errors, "attended", MSG_FIELD_REQUIRED_BOOLEAN);
    if (!http_begin(r) || !(workshop = find_workshop(r, true)) || !(reg = find_registration(r)))
        goto out;
    /* The owner (or admin) records attendance; the registering partner sees
     * its registration and is refused (403); to anyone else it is 404. */
    if (hidden_registration(r, workshop, reg) || !guard_owns(r, PQgetvalue(workshop, 0, 0)))
        goto out;
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    if (strcmp(PQgetvalue(workshop, 0, 2), "t") != 0) {
        http_problem_msg(r, 409, "not-started", MSG_REGISTRATION_NOT_STARTED);
        goto out;
    }
    if (strcmp(PQgetvalue(reg, 0, 1), "confirmed") != 0) {
        http_problem_msg(r, 409, "not-confirmed", MSG_REGISTRATION_NOT_CONFIRMED);
        goto out;
    }
    const char *params[] = {r->params[1], json_is_true(attended) ? "true" : "false"};
    res = http_sql(r, REGISTRATION_SQL_ATTEND, 2, params, false);
    if (res && http_commit(r))
        http_json(r, 200, json_loads(PQgetvalue(res, 0, 0), 0, NULL));
out:
    PQclear(workshop);
    PQclear(reg);
    PQclear(res);
    json_decref(errors);
    json_decref(body);
}
