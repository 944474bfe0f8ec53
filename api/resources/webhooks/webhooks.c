/* /v1/webhooks: partners subscribe a URL to events (issue #17). The events
 * are written by triggers in the transaction of each change
 * (db/functions/webhooks.sql) and delivered by the workers of `serve`
 * (core/webhook_send.c); here, the subscriptions and what became of their
 * deliveries. An organisation sees only its own subscriptions: another's is
 * 404. The signing secret is shown once, at creation and at rotation. */
#include "webhooks.h"

#include "validate.h"
#include "webhooks_sql.h"

#include "webhook_send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const event_types[] = {"referral.received",      "referral.updated",
                                          "registration.confirmed", "registration.waitlisted",
                                          "registration.promoted",  "registration.cancelled",
                                          "workshop.changed",       "workshop.cancelled",
                                          "place.changed",          NULL};

const char *const webhooks_deliveries_query[] = {"status", NULL};

/* `events`: "*" or a list of event types (or ["*"]); the JSON array text to
 * store (caller frees), NULL after an error. */
static char *read_events(json_t *body, bool required, json_t *errors)
{
    json_t *v = json_object_get(body, "events");
    if (!v) {
        if (required)
            validate_error_msg(errors, "events", MSG_FIELD_REQUIRED);
        return NULL;
    }
    if (json_is_string(v) && strcmp(json_string_value(v), "*") == 0)
        return strdup("[\"*\"]");
    bool ok = json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= 20;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        ok = ok && s && (validate_in_list(s, event_types) || strcmp(s, "*") == 0);
    }
    if (!ok) {
        validate_error_msg(errors, "events", MSG_WEBHOOK_EVENTS);
        return NULL;
    }
    return json_dumps(v, JSON_COMPACT);
}

/* `url`, checked against SSRF (core/webhook_send.h); NULL after an error. */
static const char *read_url(struct req *r, json_t *body, bool required, json_t *errors)
{
    const char *url = validate_string(body, "url", required, 1, 2000, errors);
    if (!url)
        return NULL;
    struct webhook_target t;
    const char *why = webhook_url_check(url, r->app->cfg->webhook_allow_http,
                                        r->app->cfg->webhook_allow_private, &t);
    if (why) {
        validate_error(errors, "url", "%s", why);
        return NULL;
    }
    return url;
}

static bool known_id(struct req *r)
{
    if (validate_uuid(r->params[0]))
        return true;
    http_problem_msg(r, 404, "not-found", MSG_WEBHOOK_NOT_FOUND);
    return false;
}

void webhooks_create(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"url", "events", "description", NULL};
    static const char *const read_only[] = {
        "id", "active", "disabled_reason", "secret", "created_at", "updated_at", NULL};
    validate_fields(body, writable, read_only, errors);
    const char *url = read_url(r, body, true, errors);
    char *events = read_events(body, true, errors);
    const char *description = validate_string(body, "description", false, 0, 500, errors);
    char *secret = NULL;
    PGresult *res = NULL;
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, json_incref(errors));
        goto out;
    }
    if (!(secret = webhook_new_secret())) {
        http_problem_msg(r, 500, "internal", MSG_WEBHOOK_NO_SECRET);
        goto out;
    }
    const char *params[] = {r->who.org, url, events, description, secret};
    if (!(res = http_sql(r, WEBHOOKS_SQL_INSERT, 5, params, false)))
        goto out;
    if (PQntuples(res) == 0) {
        http_problem_msg(r, 409, "too-many-subscriptions", MSG_WEBHOOK_TOO_MANY);
        goto out;
    }
    json_t *sub = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    json_object_set_new(sub, "secret", json_string(secret));
    char location[80];
    snprintf(location, sizeof location, "/v1/webhooks/%s", PQgetvalue(res, 0, 1));
    http_set_header(r, "Location", location);
    http_json(r, 201, sub);
out:
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    free(events);
    PQclear(res);
    json_decref(errors);
    json_decref(body);
}

void webhooks_list(struct req *r)
{
    const char *params[] = {r->who.org};
    PGresult *res = http_sql(r, WEBHOOKS_SQL_LIST, 1, params, false);
    if (res)
        http_json(r, 200,
                  json_pack("{s:o, s:n}", "items", json_loads(PQgetvalue(res, 0, 0), 0, NULL),
                            "next_cursor"));
    PQclear(res);
}

/* Answers the one-row JSON of `sql` ($1 id, $2 org), 404 when no row. */
static void answer_row(struct req *r, PGresult *res, int status)
{
    if (res && PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_WEBHOOK_NOT_FOUND);
    else if (res)
        http_json_text(r, status, PQgetvalue(res, 0, 0));
    PQclear(res);
}

void webhooks_get(struct req *r)
{
    if (!known_id(r))
        return;
    const char *params[] = {r->params[0], r->who.org};
    answer_row(r, http_sql(r, WEBHOOKS_SQL_GET, 2, params, false), 200);
}

void webhooks_update(struct req *r)
{
    if (!known_id(r))
        return;
    json_t *body = http_read_object(r);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"url", "events", "active", "description", NULL};
    static const char *const read_only[] = {"id",         "disabled_reason", "secret",
                                            "created_at", "updated_at",      NULL};
    validate_fields(body, writable, read_only, errors);
    const char *url = read_url(r, body, false, errors);
    char *events = read_events(body, false, errors);
    const char *description = validate_string(body, "description", false, 0, 500, errors);
    json_t *active = json_object_get(body, "active");
    if (active && !json_is_boolean(active))
        validate_error_msg(errors, "active", MSG_FIELD_TRUE_OR_FALSE);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, json_incref(errors));
    } else {
        const char *params[] = {r->params[0],
                                r->who.org,
                                url,
                                events,
                                active ? (json_is_true(active) ? "t" : "f") : NULL,
                                description,
                                json_object_get(body, "description") ? "t" : "f"};
        answer_row(r, http_sql(r, WEBHOOKS_SQL_UPDATE, 7, params, false), 200);
    }
    free(events);
    json_decref(errors);
    json_decref(body);
}

void webhooks_delete(struct req *r)
{
    if (!known_id(r))
        return;
    const char *params[] = {r->params[0], r->who.org};
    PGresult *res = http_sql(r, WEBHOOKS_SQL_DELETE, 2, params, false);
    if (res && PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_WEBHOOK_NOT_FOUND);
    else if (res)
        http_empty(r, 204);
    PQclear(res);
}

void webhooks_rotate(struct req *r)
{
    if (!known_id(r))
        return;
    char *secret = webhook_new_secret();
    if (!secret) {
        http_problem_msg(r, 500, "internal", MSG_WEBHOOK_NO_SECRET);
        return;
    }
    char overlap[16];
    snprintf(overlap, sizeof overlap, "%d", r->app->cfg->webhook_secret_overlap_s);
    const char *params[] = {r->params[0], r->who.org, secret, overlap};
    answer_row(r, http_sql(r, WEBHOOKS_SQL_ROTATE, 4, params, false), 200);
    memset(secret, 0, strlen(secret));
    free(secret);
}

void webhooks_ping(struct req *r)
{
    if (!known_id(r))
        return;
    const char *params[] = {r->params[0], r->who.org};
    PGresult *res = http_sql(r, WEBHOOKS_SQL_PING, 2, params, false);
    if (res && PQgetisnull(res, 0, 0))
        http_problem_msg(r, 404, "not-found", MSG_WEBHOOK_NOT_FOUND);
    else if (res)
        http_json(r, 202, json_pack("{s:s}", "event_id", PQgetvalue(res, 0, 0)));
    PQclear(res);
}

void webhooks_deliveries(struct req *r)
{
    if (!known_id(r))
        return;
    static const char *const statuses[] = {"pending", "delivered", "failed", NULL};
    const char *status = http_query(r, "status");
    if (status && !validate_in_list(status, statuses)) {
        json_t *errors = json_array();
        validate_error_msg(errors, "status", MSG_WEBHOOK_DELIVERY_STATUS);
        http_invalid(r, 400, errors);
        return;
    }
    const char *params[] = {r->params[0], r->who.org, status};
    PGresult *res = http_sql(r, WEBHOOKS_SQL_DELIVERIES, 3, params, false);
    if (res && strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        http_problem_msg(r, 404, "not-found", MSG_WEBHOOK_NOT_FOUND);
    else if (res)
        http_json(r, 200,
                  json_pack("{s:o, s:n}", "items", json_loads(PQgetvalue(res, 0, 1), 0, NULL),
                            "next_cursor"));
    PQclear(res);
}

void webhooks_retry(struct req *r)
{
    const char *delivery = r->params[1];
    size_t len = strlen(delivery);
    if (!known_id(r))
        return;
    if (len == 0 || len > 18 || strspn(delivery, "0123456789") != len) {
        http_problem_msg(r, 404, "not-found", MSG_WEBHOOK_DELIVERY_NOT_FOUND);
        return;
    }
    const char *params[] = {r->params[0], r->who.org, delivery};
    PGresult *res = http_sql(r, WEBHOOKS_SQL_RETRY, 3, params, false);
    if (res && PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_WEBHOOK_DELIVERY_NOT_FOUND);
    else if (res)
        http_json_text(r, 202, PQgetvalue(res, 0, 0));
    PQclear(res);
}
