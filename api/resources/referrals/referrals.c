/* Handlers of /v1/referrals: one partner sends a resident to another. Only
 * the two partners ever see a referral (404 for anyone else); every read of its
 * personal fields is logged; its history is append-only. */
#include "referrals.h"

#include "fields.h"
#include "codes.h"
#include "cursor.h"
#include "guard.h"
#include "idempotency.h"
#include "paging.h"
#include "referrals_sql.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The needs, statuses and event types: formats/codes.c, beside their labels. */

/* Records a read of the personal fields or free texts of the referral `id`,
 * with why (`reason`: read, events, replay; list is in REFERRAL_SQL_FEED). */
static bool log_access(struct req *r, const char *id, const char *reason)
{
    const char *params[] = {id, r->who.org, http_subject(r), reason};
    PGresult *res = http_sql(r, REFERRAL_SQL_LOG_ACCESS, 4, params, false);
    PQclear(res);
    return res != NULL;
}

/* An Idempotency-Key replay of a creation or of an event shows the referral
 * (or its free texts) again: a read, logged as such. */
static bool log_replay(struct req *r, const char *referral_id)
{
    return !referral_id || log_access(r, referral_id, "replay");
}

/* ---- creating ----------------------------------------------------------- */

struct referral_input {
    const char *to_org, *need, *first_name, *last_name, *phone, *email, *preference, *method,
        *recorded_at, *notes, *place_id;
    char e164[FIELDS_E164_SIZE];
};

/* A number already in E.164, of any country (a resident with a foreign
 * mobile): "+", then 8 to 15 digits, the first not 0. Copied into out. */
static bool e164(const char *s, char *out, size_t cap)
{
    size_t digits = strlen(s + 1);
    if (s[0] != '+' || s[1] == '0' || digits < 8 || digits > 15 || digits + 2 > cap ||
        strspn(s + 1, "0123456789") != digits)
        return false;
    memcpy(out, s, digits + 2);
    return true;
}

/* The beneficiary: only what the receiver needs to call back. */
static void read_beneficiary(json_t *b, struct referral_input *in, json_t *errors)
{
    if (!json_is_object(b)) {
        validate_error_msg(errors, "beneficiary", MSG_FIELD_REQUIRED_OBJECT);
        return;
    }
    static const char *const members[] = {"first_name", "last_name",          "phone",
                                          "email",      "contact_preference", NULL};
    const char *key;
    json_t *value;
    json_object_foreach(b, key, value) if (!validate_in_list(key, members))
    {
        char field[96];
        snprintf(field, sizeof field, "beneficiary.%.60s", key);
        validate_error_msg(errors, field, MSG_REFERRAL_NOT_COLLECTED);
    }
    json_t *sub = json_array();
    in->first_name = validate_string(b, "first_name", true, 1, 100, sub);
    in->last_name = validate_string(b, "last_name", true, 1, 100, sub);
    const char *phone = validate_string(b, "phone", false, 1, 30, sub);
    in->email = validate_string(b, "email", false, 3, 254, sub);
    const char *why = NULL;
    if (phone && !fields_phone(phone, in->e164, sizeof in->e164, &why) &&
        !e164(phone, in->e164, sizeof in->e164))
        validate_error_msg(sub, "phone", MSG_REFERRAL_PHONE, why);
    in->phone = phone ? in->e164 : NULL;
    if (in->email && !fields_email(in->email, &why))
        validate_error(sub, "email", "%s", why);
    static const char *const preferences[] = {"phone", "email", "referring_partner", NULL};
    in->preference = json_string_value(json_object_get(b, "contact_preference"));
    if (!validate_in_list(in->preference, preferences))
        validate_error_msg(sub, "contact_preference", MSG_REFERRAL_CONTACT_PREFERENCE);
    else if (strcmp(in->preference, "phone") == 0 && !json_object_get(b, "phone"))
        validate_error_msg(sub, "phone", MSG_REFERRAL_PHONE_REQUIRED);
    else if (strcmp(in->preference, "email") == 0 && !json_object_get(b, "email"))
        validate_error_msg(sub, "email", MSG_REFERRAL_EMAIL_REQUIRED);
    validate_nest(errors, "beneficiary", sub);
}

static void read_consent(json_t *c, struct referral_input *in, json_t *errors)
{
    if (!json_is_object(c)) {
        validate_error_msg(errors, "consent", MSG_FIELD_REQUIRED_OBJECT);
        return;
    }
    static const char *const members[] = {"given", "method", "recorded_at", NULL};
    const char *key;
    json_t *value;
    json_object_foreach(c, key, value) if (!validate_in_list(key, members))
        validate_error_msg(errors, "consent", MSG_REFERRAL_CONSENT_MEMBER, key);
    if (!json_is_true(json_object_get(c, "given")))
        validate_error_msg(errors, "consent.given", MSG_REFERRAL_CONSENT_GIVEN);
    static const char *const methods[] = {"oral", "written", "digital", NULL};
    in->method = json_string_value(json_object_get(c, "method"));
    if (!validate_in_list(in->method, methods))
        validate_error_msg(errors, "consent.method", MSG_REFERRAL_CONSENT_METHOD);
    in->recorded_at = json_string_value(json_object_get(c, "recorded_at"));
    if (!in->recorded_at || !validate_rfc3339(in->recorded_at)) {
        validate_error_msg(errors, "consent.recorded_at", MSG_FIELD_RFC3339_TIME);
        in->recorded_at = NULL;
    }
}

static void read_referral(json_t *body, const char *from_org, struct referral_input *in,
                          json_t *errors)
{
    memset(in, 0, sizeof *in);
    static const char *const writable[] = {"to_org", "need",     "beneficiary", "consent",
                                           "notes",  "place_id", NULL};
    static const char *const read_only[] = {"id",         "from_org",  "status", "created_at",
                                            "updated_at", "closed_at", NULL};
    validate_fields(body, writable, read_only, errors);
    in->to_org = json_string_value(json_object_get(body, "to_org"));
    if (!in->to_org || !auth_is_slug(in->to_org))
        validate_error_msg(errors, "to_org", MSG_REFERRAL_TO_ORG_REQUIRED);
    else if (strcmp(in->to_org, from_org) == 0)
        validate_error_msg(errors, "to_org", MSG_REFERRAL_TO_ORG_SELF);
    in->need = json_string_value(json_object_get(body, "need"));
    if (!validate_in_list(in->need, codes_of(CODES_NEEDS)))
        validate_code_error(errors, "need", CODES_NEEDS);
    read_beneficiary(json_object_get(body, "beneficiary"), in, errors);
    read_consent(json_object_get(body, "consent"), in, errors);
    in->notes = validate_string(body, "notes", false, 1, 1000, errors);
    const json_t *place = json_object_get(body, "place_id");
    in->place_id = json_string_value(place);
    if (place && (!in->place_id || !validate_uuid(in->place_id)))
        validate_error_msg(errors, "place_id", MSG_FIELD_UUID_PLACE);
}

/* The references the body makes, as REFERRAL_SQL_CREATE found them. */
static void reference_errors(PGresult *res, json_t *errors)
{
    if (strcmp(PQgetvalue(res, 0, REF_CREATE_COL_TO_OK), "t") != 0)
        validate_error_msg(errors, "to_org", MSG_FIELD_NOT_IN_DIRECTORY);
    if (strcmp(PQgetvalue(res, 0, REF_CREATE_COL_PLACE_OK), "t") != 0)
        validate_error_msg(errors, "place_id", MSG_FIELD_NO_SUCH_PLACE);
    if (strcmp(PQgetvalue(res, 0, REF_CREATE_COL_TIME_OK), "t") != 0)
        validate_error_msg(errors, "consent.recorded_at", MSG_FIELD_NOT_IN_FUTURE);
}

/* One statement, sent once (REFERRAL_SQL_CREATE): the key, the references,
 * the referral, its first event and the kept answer, or what the key or the
 * references decide instead. */
void referrals_create(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_prepare(r, true, &k);
    if (!body)
        return;
    PGresult *res = NULL;
    json_t *errors = json_array();
    struct referral_input in;
    read_referral(body, r->who.org, &in, errors);
    if (json_array_size(errors) > 0) {
        if (!idempotency_look_up(r, &k)) {
            http_invalid(r, 422, errors);
            errors = NULL;
        }
        goto out;
    }
    const char *params[] = {
        r->who.org,    http_subject(r), k.key,          k.route,      k.target,   k.hash,
        in.to_org,     in.need,         in.first_name,  in.last_name, in.phone,   in.email,
        in.preference, in.method,       in.recorded_at, in.notes,     in.place_id};
    if (!(res = http_sql(r, REFERRAL_SQL_CREATE, 17, params, true)))
        goto out;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        idempotency_constraint_failed(r, res);
        goto out;
    }
    if (idempotency_settle(r, &k, res))
        goto out;
    if (PQgetisnull(res, 0, REF_CREATE_COL_ID)) {
        reference_errors(res, errors);
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    char location[96];
    snprintf(location, sizeof location, "/v1/referrals/%s", PQgetvalue(res, 0, REF_CREATE_COL_ID));
    http_set_header(r, "Location", location);
    http_json_text(r, 201, PQgetvalue(res, 0, REF_CREATE_COL_DOC));
out:
    PQclear(res);
    json_decref(errors);
    json_decref(body);
}

/* ---- reading and moving -------------------------------------------------- */

/* Opens a transaction and locks the referral r->params[0] when the acting
 * organisation is one of its partners (404 otherwise); a referral still sent
 * after REFERRAL_EXPIRY_DAYS is expired first. Returns the row (re-read after
 * an expiry), or NULL after having answered. */
static PGresult *lock_referral(struct req *r)
{
    char days[16];
    snprintf(days, sizeof days, "%d", r->app->cfg->referral_expiry_days);
    const char *extra[] = {r->who.org, days};
    PGresult *res = http_sql_lock(r, REFERRAL_SQL_LOCK, 2, extra, MSG_REFERRAL_NOT_FOUND);
    if (res && strcmp(PQgetvalue(res, 0, REF_COL_EXPIRED), "t") == 0) {
        PQclear(res);
        const char *due[] = {NULL, days, r->params[0]};
        PGresult *expired = http_sql(r, REFERRAL_SQL_EXPIRE_DUE, 3, due, false);
        if (!expired)
            return NULL;
        PQclear(expired);
        const char *params[] = {r->params[0], r->who.org, days};
        res = http_sql(r, REFERRAL_SQL_LOCK, 3, params, false);
    }
    return res;
}

void referrals_get(struct req *r)
{
    PGresult *row = lock_referral(r);
    if (!row)
        return;
    if (log_access(r, r->params[0], "read") && http_commit(r)) {
        http_json_text(r, 200, PQgetvalue(row, 0, REF_COL_JSON));
    }
    PQclear(row);
}

/* What a move needs: who may make it, from which statuses, to which. */
struct move {
    const char *type;
    bool by_sender, by_receiver;
    const char *const *from; /* NULL: any status */
    const char *to;          /* NULL: the status stays */
};

static const char *const from_sent[] = {"sent", NULL};
static const char *const from_accepted[] = {"accepted", NULL};
static const char *const from_started[] = {"started", NULL};
static const char *const open_statuses[] = {"sent", "accepted", "started", NULL};

static const struct move moves[] = {
    {"accepted", false, true, from_sent, "accepted"},
    {"declined", false, true, from_sent, "declined"},
    {"started", false, true, from_accepted, "started"},
    {"completed", false, true, from_started, "completed"},
    {"cancelled", true, false, open_statuses, "cancelled"},
    {"note", true, true, NULL, NULL},
    {"consent_withdrawn", true, true, NULL, NULL},
};

/* A withdrawal reaches the answers kept for Idempotency-Key replays too: the
 * creation's now shows the referral as it is, without the personal fields;
 * the events' lose their free texts. */
static bool erase_stored_responses(struct req *r)
{
    char days[16];
    snprintf(days, sizeof days, "%d", r->app->cfg->referral_expiry_days);
    const char *params[] = {r->params[0], r->who.org, days};
    PGresult *now = http_sql(r, REFERRAL_SQL_LOCK, 3, params, false);
    bool ok = now &&
              idempotency_rewrite(r, r->params[0], "POST /v1/referrals",
                                  PQgetvalue(now, 0, REF_COL_JSON)) &&
              idempotency_erase(r, r->params[0], "POST /v1/referrals/{id}/events",
                                "{\"reason\": null, \"note\": null}");
    PQclear(now);
    return ok;
}

void referrals_add_event(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin_with(r, false, &k, log_replay);
    if (!body)
        return;
    json_t *errors = json_array();
    PGresult *row = NULL, *res = NULL;
    static const char *const writable[] = {"type", "reason", "note", NULL};
    static const char *const read_only[] = {"id", "referral_id", "org",       "actor",
                                            "at", "from_status", "to_status", NULL};
    /* The referral first (404): whether consent is withdrawn decides the texts. */
    if (!(row = lock_referral(r)))
        goto out;
    bool withdrawn = strcmp(PQgetvalue(row, 0, REF_COL_WITHDRAWN), "t") == 0;
    validate_fields(body, writable, read_only, errors);
    const char *type = json_string_value(json_object_get(body, "type"));
    const struct move *move = NULL;
    for (size_t i = 0; type && i < sizeof moves / sizeof moves[0]; i++)
        if (strcmp(moves[i].type, type) == 0)
            move = &moves[i];
    if (!move)
        validate_code_error(errors, "type", CODES_REFERRAL_MOVES);
    const char *reason = NULL, *note = NULL;
    if (withdrawn || (move && strcmp(type, "consent_withdrawn") == 0)) {
        /* A withdrawal erases the free texts and records none of its own; once
         * consent is withdrawn, none is recorded any more (a note event
         * neither: it is nothing but its text). */
        for (const char *const *text = (const char *const[]){"reason", "note", NULL}; *text; text++)
            if (json_object_get(body, *text) ||
                (withdrawn && move && strcmp(type, "note") == 0 && strcmp(*text, "note") == 0))
                validate_error_msg(errors, *text,
                                   withdrawn ? MSG_REFERRAL_NOT_RECORDED_WITHDRAWN
                                             : MSG_REFERRAL_NOT_RECORDED_WITH_WITHDRAWAL);
    } else {
        reason =
            validate_string(body, "reason", move && strcmp(type, "declined") == 0, 1, 500, errors);
        note = validate_string(body, "note", move && strcmp(type, "note") == 0, 1, 1000, errors);
    }
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        errors = NULL;
        goto out;
    }
    bool sender = strcmp(PQgetvalue(row, 0, REF_COL_FROM), r->who.org) == 0;
    const char *status = PQgetvalue(row, 0, REF_COL_STATUS);
    if ((sender && !move->by_sender) || (!sender && !move->by_receiver)) {
        http_problem_msg(r, 403, "not-your-move",
                         sender ? MSG_REFERRAL_RECEIVER_MOVE : MSG_REFERRAL_SENDER_MOVE,
                         move->type);
        goto out;
    }
    bool allowed = move->from ? validate_in_list(status, move->from) : true;
    if (strcmp(move->type, "consent_withdrawn") == 0 && withdrawn)
        allowed = false;
    if (!allowed) {
        http_problem_msg(r, 409, "impossible-move",
                         withdrawn && strcmp(move->type, "consent_withdrawn") == 0
                             ? MSG_REFERRAL_IMPOSSIBLE_MOVE_WITHDRAWN
                             : MSG_REFERRAL_IMPOSSIBLE_MOVE,
                         status, move->type);
        goto out;
    }
    const char *params[] = {r->params[0],
                            r->who.org,
                            http_subject(r),
                            move->type,
                            move->to ? move->to : status,
                            reason,
                            note,
                            strcmp(move->type, "consent_withdrawn") == 0 ? "true" : "false"};
    res = http_sql(r, REFERRAL_SQL_MOVE, 8, params, false);
    if (res && strcmp(move->type, "consent_withdrawn") == 0 && !erase_stored_responses(r))
        goto out;
    if (res)
        idempotency_record(r, &k, 201, PQgetvalue(res, 0, 0), NULL, r->params[0]);
out:
    PQclear(row);
    PQclear(res);
    json_decref(errors);
    json_decref(body);
}

/* A list of the referral's history or its access log, to its partners; a read
 * of the history (its notes and reasons) is logged with why `why`. */
static void list_of(struct req *r, const char *sql, const char *why)
{
    PGresult *row = lock_referral(r), *res = NULL;
    if (!row)
        return;
    const char *params[] = {r->params[0]};
    res = http_sql(r, sql, 1, params, false);
    if (res && (!why || log_access(r, r->params[0], why)) && http_commit(r)) {
        json_t *items = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        http_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
    }
    PQclear(row);
    PQclear(res);
}

void referrals_events(struct req *r)
{
    list_of(r, REFERRAL_SQL_EVENTS, "events");
}

void referrals_access_log(struct req *r)
{
    list_of(r, REFERRAL_SQL_ACCESS_LOG, NULL);
}

/* ---- the sync feed -------------------------------------------------------- */

const char *const referrals_list_query[] = {"direction", "status", "need", "updated_since",
                                            "limit",     "cursor", NULL};

/* Reads the feed's query into params ($2..$8 of REFERRAL_SQL_FEED); the
 * cursor's two keys are allocated into keys (the caller frees them). */
static void read_feed_query(struct req *r, const char **params, char **keys, int *limit,
                            json_t *errors)
{
    static const char *const directions[] = {"inbound", "outbound", NULL};
    params[1] = http_query(r, "direction");
    if (params[1] && !validate_in_list(params[1], directions))
        validate_error_msg(errors, "direction", MSG_REFERRAL_DIRECTION);
    params[2] = http_query(r, "status");
    if (params[2] && !validate_in_list(params[2], codes_of(CODES_REFERRAL_STATUSES)))
        validate_code_error(errors, "status", CODES_REFERRAL_STATUSES);
    params[3] = http_query(r, "need");
    if (params[3] && !validate_in_list(params[3], codes_of(CODES_NEEDS)))
        validate_code_error(errors, "need", CODES_NEEDS);
    params[4] = http_query(r, "updated_since");
    if (params[4] && !validate_rfc3339(params[4]))
        validate_error_msg(errors, "updated_since", MSG_FIELD_RFC3339_TIME);
    paging_read_limit(r, errors, limit);
    const char *cursor = http_query(r, "cursor");
    if (cursor && (!cursor_decode(cursor, 2, 20, keys) || !keys[0][0] || !keys[1][0] ||
                   strspn(keys[0], "0123456789") != strlen(keys[0]) ||
                   strspn(keys[1], "0123456789") != strlen(keys[1])))
        validate_error_msg(errors, "cursor", MSG_FIELD_CURSOR);
    else if (cursor) {
        params[5] = keys[0];
        params[6] = keys[1];
    }
}

void referrals_list(struct req *r)
{
    const char *params[9] = {r->who.org};
    char *keys[2] = {NULL, NULL}, limit_text[16], days[16];
    int limit = 0;
    json_t *errors = json_array();
    read_feed_query(r, params, keys, &limit, errors);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    snprintf(days, sizeof days, "%d", r->app->cfg->referral_expiry_days);
    params[7] = limit_text;
    params[8] = http_subject(r);
    const char *due[] = {r->who.org, days, NULL};
    PGresult *expired = NULL, *res = NULL;
    if (json_array_size(errors) > 0) {
        http_invalid(r, 400, errors);
        errors = NULL;
    } else if (http_begin(r) && (expired = http_sql(r, REFERRAL_SQL_EXPIRE_DUE, 3, due, false)) &&
               (res = http_sql(r, REFERRAL_SQL_FEED, 9, params, false)) && http_commit(r)) {
        int count = atoi(PQgetvalue(res, 0, 1));
        char *next = NULL;
        if (count > 0) {
            const char *last[] = {PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3)};
            next = cursor_encode(last, 2);
        } else if (params[5]) {
            next = strdup(http_query(r, "cursor"));
        }
        if (count == limit)
            paging_link(r, next);
        paging_answer_array(r, PQgetvalue(res, 0, 0), next);
        free(next);
    }
    PQclear(expired);
    PQclear(res);
    json_decref(errors);
    free(keys[0]);
    free(keys[1]);
}
