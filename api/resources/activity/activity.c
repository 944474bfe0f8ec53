/* The inputs of the indicators that partners record: visits (counts only),
 * guided self-assessments (pseudonymous), satisfaction answers (anonymous),
 * and the published skill list the assessments rate. */
#include "activity.h"

#include "activity_sql.h"
#include "idempotency.h"
#include "skills.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs the check query `sql` (one boolean column per reference, in the order
 * of `fields`) and names each reference that does not hold. False after
 * having answered (database). */
static bool check_references(struct req *r, const char *sql, int n, const char *const *params,
                             const char *const *fields, const enum msg_id *messages, json_t *errors)
{
    PGresult *res = http_sql(r, sql, n, params, false);
    if (!res)
        return false;
    for (int i = 0; fields[i]; i++)
        if (strcmp(PQgetvalue(res, 0, i), "t") != 0)
            validate_error_msg(errors, fields[i], messages[i]);
    PQclear(res);
    return true;
}

/* Answers 422 when errors holds any, else runs the insert and answers 201
 * (kept under the Idempotency-Key k when one was sent). */
static void insert_or_refuse(struct req *r, const struct idempotency *k, json_t *errors,
                             const char *sql, int n, const char *const *params)
{
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, json_incref(errors));
        return;
    }
    PGresult *res = http_sql(r, sql, n, params, false);
    if (res)
        idempotency_record(r, k, 201, PQgetvalue(res, 0, 0), NULL, NULL);
    PQclear(res);
}

/* A pseudonymous reference: no e-mail address in it. */
static const char *pseudonym(const json_t *body, const char *field, json_t *errors)
{
    const char *ref = validate_string(body, field, true, 1, 100, errors);
    if (ref && strchr(ref, '@')) {
        validate_error_msg(errors, field, MSG_FIELD_PSEUDONYMOUS);
        return NULL;
    }
    return ref;
}

/* ---- GET /v1/reference/skills -------------------------------------------- */

void activity_skills(struct req *r)
{
    bool fr = r->lang == LANG_FR;
    json_t *list = json_array(), *levels = json_array();
    for (int i = 0; i < SKILLS_COUNT; i++)
        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s}", "code", skills[i].code, "label",
                                        fr ? skills[i].label : skills[i].label_en, "description",
                                        fr ? skills[i].description : skills[i].description_en));
    for (int i = 0; i <= SKILLS_MAX_LEVEL; i++)
        json_array_append_new(levels,
                              json_pack("{s:i, s:s}", "level", i, "label",
                                        fr ? skill_level_labels[i] : skill_level_labels_en[i]));
    char autonomy[200];
    msg_format(autonomy, sizeof autonomy, r->lang, MSG_SKILLS_AUTONOMY, SKILLS_AUTONOMY_SUM);
    http_language(r);
    http_json_cached(r, "application/json",
                     json_pack("{s:o, s:o, s:s, s:s}", "skills", list, "levels", levels, "score",
                               msg_text(MSG_SKILLS_SCORE, r->lang), "autonomy", autonomy),
                     NULL, 3600);
}

/* ---- POST /v1/visits ------------------------------------------------------ */

static const char *const visit_purposes[] = {
    "information", "administrative_procedure", "digital_support", "equipment", "workshop", "other",
    NULL};

void activity_visit(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"place_id", "stop_id", "visited_at",
                                           "count",    "purpose", NULL};
    static const char *const read_only[] = {"id", "org", "created_at", NULL};
    validate_fields(body, writable, read_only, errors);
    const char *place = validate_uuid_member(body, "place_id", false, MSG_FIELD_UUID_PLACE, errors);
    const char *stop = validate_uuid_member(body, "stop_id", false, MSG_FIELD_UUID_STOP, errors);
    bool has_place = json_object_get(body, "place_id"), has_stop = json_object_get(body, "stop_id");
    if (has_place && has_stop)
        validate_error_msg(errors, "place_id", MSG_ACTIVITY_PLACE_OR_STOP);
    else if (!has_place && !has_stop)
        validate_error_msg(errors, "place_id", MSG_ACTIVITY_PLACE_OR_STOP_REQUIRED);
    const char *at = validate_time(body, "visited_at", true, errors);
    long count = 0;
    validate_integer(body, "count", true, 1, 10000, errors, &count);
    const char *purpose = validate_enum(body, "purpose", false, visit_purposes, errors);
    char count_text[16];
    snprintf(count_text, sizeof count_text, "%ld", count);
    const char *params[] = {r->who.org, place, stop, at, count_text, purpose};
    static const char *const fields[] = {"place_id", "stop_id", "visited_at", NULL};
    static const enum msg_id messages[] = {MSG_FIELD_NO_SUCH_PLACE, MSG_FIELD_NO_SUCH_STOP,
                                           MSG_FIELD_NOT_IN_FUTURE};
    if (json_array_size(errors) > 0 ||
        check_references(r, ACTIVITY_SQL_VISIT_CHECK, 3, params + 1, fields, messages, errors))
        insert_or_refuse(r, &k, errors, ACTIVITY_SQL_VISIT_INSERT, 6, params);
    json_decref(errors);
    json_decref(body);
}

/* ---- POST /v1/assessments ------------------------------------------------- */

/* The 12 levels of `levels` into out; errors named levels.<code>. */
static bool read_levels(const json_t *body, int out[SKILLS_COUNT], json_t *errors)
{
    json_t *levels = json_object_get(body, "levels");
    if (!json_is_object(levels)) {
        validate_error_msg(errors, "levels", levels ? MSG_ACTIVITY_LEVELS : MSG_FIELD_REQUIRED);
        return false;
    }
    json_t *sub = json_array();
    const char *key;
    json_t *value;
    json_object_foreach(levels, key, value) if (skills_index(key) < 0)
        validate_error_msg(sub, key, MSG_ACTIVITY_NOT_A_SKILL);
    for (int i = 0; i < SKILLS_COUNT; i++) {
        long level = 0;
        out[i] = validate_integer(levels, skills[i].code, true, 0, SKILLS_MAX_LEVEL, sub, &level)
                     ? (int)level
                     : 0;
    }
    bool ok = json_array_size(sub) == 0;
    validate_nest(errors, "levels", sub);
    return ok;
}

static const char *const phases[] = {"before", "after", "follow_up", NULL};

void activity_assessment(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"participant_ref", "workshop_id", "series_id", "phase",
                                           "taken_at",        "levels",      NULL};
    static const char *const read_only[] = {"id", "org", "score", "autonomous", "created_at", NULL};
    validate_fields(body, writable, read_only, errors);
    const char *participant = pseudonym(body, "participant_ref", errors);
    const char *workshop =
        validate_uuid_member(body, "workshop_id", false, MSG_FIELD_UUID_WORKSHOP, errors);
    const char *series =
        validate_uuid_member(body, "series_id", false, MSG_FIELD_UUID_SERIES, errors);
    const char *phase = validate_enum(body, "phase", true, phases, errors);
    const char *at = validate_time(body, "taken_at", true, errors);
    int levels[SKILLS_COUNT];
    char *levels_text = NULL, sum_text[16] = "", score_text[16] = "";
    if (read_levels(body, levels, errors)) {
        json_t *canonical = json_object();
        int sum = 0;
        for (int i = 0; i < SKILLS_COUNT; i++) {
            json_object_set_new(canonical, skills[i].code, json_integer(levels[i]));
            sum += levels[i];
        }
        levels_text = json_dumps(canonical, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(canonical);
        int tenths = skills_score_tenths(levels);
        snprintf(sum_text, sizeof sum_text, "%d", sum);
        snprintf(score_text, sizeof score_text, "%d.%d", tenths / 10, tenths % 10);
    }
    const char *params[] = {
        r->who.org,  participant,
        workshop,    series,
        phase,       at,
        levels_text, sum_text,
        score_text,  levels_text && skills_autonomous(levels) ? "true" : "false"};
    const char *checks[] = {workshop, series, at};
    static const char *const fields[] = {"workshop_id", "series_id", "taken_at", NULL};
    static const enum msg_id messages[] = {MSG_FIELD_NO_SUCH_WORKSHOP, MSG_FIELD_NO_SUCH_SERIES,
                                           MSG_FIELD_NOT_IN_FUTURE};
    if (json_array_size(errors) > 0 ||
        check_references(r, ACTIVITY_SQL_ASSESSMENT_CHECK, 3, checks, fields, messages, errors))
        insert_or_refuse(r, &k, errors, ACTIVITY_SQL_ASSESSMENT_INSERT, 10, params);
    free(levels_text);
    json_decref(errors);
    json_decref(body);
}

/* ---- POST /v1/feedback ---------------------------------------------------- */

static const char *const subjects[] = {"workshop", "referral", "place", NULL};

void activity_feedback(struct req *r)
{
    struct idempotency k;
    json_t *body = idempotency_begin(r, false, &k);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"subject_type", "subject_id", "rating", "comment", NULL};
    static const char *const read_only[] = {"id", "org", "created_at", NULL};
    validate_fields(body, writable, read_only, errors);
    const char *type = validate_enum(body, "subject_type", true, subjects, errors);
    const char *id = validate_uuid_member(body, "subject_id", true, MSG_FIELD_UUID_SUBJECT, errors);
    long rating = 0;
    validate_integer(body, "rating", true, 1, 5, errors, &rating);
    const char *comment = validate_string(body, "comment", false, 1, 500, errors);
    char rating_text[4];
    snprintf(rating_text, sizeof rating_text, "%ld", rating);
    const char *params[] = {r->who.org, type, id, rating_text, comment};
    const char *checks[] = {type, id, r->who.org};
    static const char *const fields[] = {"subject_id", NULL};
    const enum msg_id messages[] = {!type                           ? MSG_FIELD_NO_SUCH_SUBJECT
                                    : strcmp(type, "workshop") == 0 ? MSG_FIELD_NO_SUCH_WORKSHOP
                                    : strcmp(type, "referral") == 0 ? MSG_FIELD_NO_SUCH_REFERRAL
                                                                    : MSG_FIELD_NO_SUCH_PLACE};
    if (json_array_size(errors) > 0 ||
        check_references(r, ACTIVITY_SQL_FEEDBACK_CHECK, 3, checks, fields, messages, errors))
        insert_or_refuse(r, &k, errors, ACTIVITY_SQL_FEEDBACK_INSERT, 5, params);
    json_decref(errors);
    json_decref(body);
}
