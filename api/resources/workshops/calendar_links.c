/* Calendar links: a subscription to the calendar (calendar.c) that outlives
 * any token. POST /v1/calendar-links returns the URL
 * /v1/calendar-links/{secret}/calendar.ics once; its secret is 256 random
 * bits (base64url) of which the database keeps only the SHA-256, as for the
 * API clients' secrets. The feed is a public route: the secret is the
 * credential, and DELETE makes it 404. No Idempotency-Key on the creation: a
 * replayed answer would have to keep the secret, kept nowhere. */
#include "workshops.h"

#include "secrets.h"
#include "validate.h"
#include "workshops_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_BYTES 32 /* 256 bits, 43 base64url characters */
#define SECRET_CHARS 43

/* Answers 201 with the link, its secret's URL added. */
static void answer_created(struct req *r, const char *json, const char *secret)
{
    json_t *link = json_loads(json, 0, NULL);
    if (!link) {
        http_problem_msg(r, 500, "internal", MSG_CALENDAR_LINK_READ_BACK);
        return;
    }
    /* The service's public URL (TOKEN_ISSUER) when it has one; a path otherwise. */
    const char *base = r->app->cfg->token_issuer ? r->app->cfg->token_issuer : "";
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    char feed[512], location[128];
    snprintf(feed, sizeof feed, "%.*s/v1/calendar-links/%s/calendar.ics", (int)base_len, base,
             secret);
    json_object_set_new(link, "url", json_string(feed));
    snprintf(location, sizeof location, "/v1/calendar-links/%s",
             json_string_value(json_object_get(link, "id")));
    http_set_header(r, "Location", location);
    memset(feed, 0, sizeof feed);
    http_json(r, 201, link);
}

void calendar_links_create(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    static const char *const fields[] = {"label", "theme", "audience", "commune", "place_id", NULL};
    static const char *const read_only[] = {"id", "url", "created_at", NULL};
    json_t *errors = json_array();
    validate_fields(body, fields, read_only, errors);
    const char *label = validate_string(body, "label", false, 1, 200, errors);
    const char *filters[CALENDAR_FILTERS] = {NULL};
    static const char *const names[CALENDAR_FILTERS] = {"theme", "audience", "commune", "place_id"};
    for (int i = 0; i < CALENDAR_FILTERS; i++) {
        const json_t *v = json_object_get(body, names[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            validate_error_msg(errors, names[i], MSG_FIELD_NOT_STRING);
        filters[i] = json_string_value(v);
    }
    calendar_check_filters(filters, errors);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        json_decref(body);
        return;
    }
    json_decref(errors);
    char *secret = secrets_random(SECRET_BYTES);
    if (!secret) {
        http_problem_msg(r, 500, "internal", MSG_CALENDAR_LINK_NO_RANDOM);
        json_decref(body);
        return;
    }
    char hash[65];
    secrets_sha256_hex(secret, hash);
    const char *params[] = {r->who.org, label,      filters[0], filters[1],
                            filters[2], filters[3], hash};
    PGresult *res = http_sql(r, CALENDAR_LINK_SQL_INSERT, 7, params, false);
    if (res && PQntuples(res) == 0)
        http_problem_msg(r, 409, "too-many-calendar-links", MSG_CALENDAR_LINK_TOO_MANY,
                         CALENDAR_LINK_SQL_MAX);
    else if (res)
        answer_created(r, PQgetvalue(res, 0, 0), secret);
    memset(secret, 0, strlen(secret));
    free(secret);
    PQclear(res);
    json_decref(body);
}

void calendar_links_list(struct req *r)
{
    const char *params[] = {r->who.org};
    PGresult *res = http_sql(r, CALENDAR_LINK_SQL_LIST, 1, params, false);
    if (!res)
        return;
    json_t *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(items, json_loads(PQgetvalue(res, i, 0), 0, NULL));
    PQclear(res);
    json_t *body = json_object();
    json_object_set_new(body, "items", items);
    http_json(r, 200, body);
}

void calendar_links_delete(struct req *r)
{
    if (!validate_uuid(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_CALENDAR_LINK_NOT_FOUND);
        return;
    }
    const char *params[] = {r->params[0], r->who.org};
    PGresult *res = http_sql(r, CALENDAR_LINK_SQL_DELETE, 2, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found",
                         MSG_CALENDAR_LINK_NOT_FOUND); /* another organisation's, too */
    else
        http_empty(r, 204);
    PQclear(res);
}

static bool is_secret(const char *s)
{
    return strlen(s) == SECRET_CHARS &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               SECRET_CHARS;
}

void calendar_links_feed(struct req *r)
{
    if (!is_secret(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_CALENDAR_NO_FEED);
        return;
    }
    char hash[65];
    secrets_sha256_hex(r->params[0], hash);
    const char *params[] = {hash};
    PGresult *res = http_sql(r, CALENDAR_LINK_SQL_FEED, 1, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        http_problem_msg(r, 404, "not-found", MSG_CALENDAR_NO_FEED);
        PQclear(res);
        return;
    }
    const char *filters[CALENDAR_FILTERS];
    for (int i = 0; i < CALENDAR_FILTERS; i++)
        filters[i] = PQgetisnull(res, 0, i) ? NULL : PQgetvalue(res, 0, i);
    calendar_answer(r, filters);
    PQclear(res);
    /* The URL is a credential: no shared cache keeps the calendar (nor serves
     * it after a revocation) */
    if (r->out->status == 200 || r->out->status == 304)
        http_set_header(r, "Cache-Control", "private, max-age=60");
}
