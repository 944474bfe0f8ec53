/* Handlers of the dashboard's share links: translate HTTP to the queries of
 * dashboard_links_sql.h and back. No Idempotency-Key: a replayed answer would
 * have to keep the secret it showed, and the secret is kept nowhere. */
#include "dashboard_links.h"

#include "dashboard_links_sql.h"
#include "dates.h"
#include "guard.h"
#include "secrets.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_BYTES 32 /* 256 bits */

static bool is_commune(const char *s)
{
    return strlen(s) == 5 && s[0] == '3' && s[1] == '2' && strspn(s, "0123456789") == 5;
}

/* `from` and `to`: both or neither, real dates, to >= from, a year at most. */
static void check_period(const json_t *body, const char **from, const char **to, json_t *errors)
{
    const json_t *f = json_object_get(body, "from"), *t = json_object_get(body, "to");
    *from = json_string_value(f);
    *to = json_string_value(t);
    if (!f && !t)
        return;
    long a = 0, b = 0;
    bool ok_from = *from && dates_parse(*from, &a), ok_to = *to && dates_parse(*to, &b);
    if (!ok_from)
        validate_error_msg(errors, "from", MSG_LINK_FROM);
    if (!ok_to)
        validate_error_msg(errors, "to", MSG_LINK_TO);
    if (ok_from && ok_to && (b < a || b - a > 365))
        validate_error_msg(errors, "to", MSG_LINK_TO_RANGE);
}

/* A calendar month, quarter or year, first day to last: the only periods the
 * indicators give with a commune under strict disclosure. */
static bool is_calendar_period(const char *from, const char *to)
{
    int fy, fm, fd, ty, tm, td;
    if (sscanf(from, "%4d-%2d-%2d", &fy, &fm, &fd) != 3 ||
        sscanf(to, "%4d-%2d-%2d", &ty, &tm, &td) != 3 || fd != 1 || fy != ty)
        return false;
    long last = 0;
    char after[11];
    if (!dates_parse(to, &last))
        return false;
    dates_format(last + 1, after);
    if (strcmp(after + 8, "01") != 0) /* `to` is not a month's last day */
        return false;
    int months = tm - fm + 1;
    return months == 1 || (months == 3 && fm % 3 == 1) || (months == 12 && fm == 1);
}

void dashboard_links_create(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    static const char *const fields[] = {"label", "commune", "from", "to", NULL};
    static const char *const read_only[] = {"id",  "org",        "secret",     "url",
                                            "key", "created_at", "revoked_at", NULL};
    json_t *errors = json_array();
    PGresult *res = NULL;
    char *secret = NULL;
    validate_fields(body, fields, read_only, errors);
    const char *label = validate_string(body, "label", true, 1, 200, errors);
    const json_t *c = json_object_get(body, "commune");
    const char *commune = json_string_value(c);
    if (c && !json_is_null(c) && (!commune || !is_commune(commune)))
        validate_error_msg(errors, "commune", MSG_LINK_COMMUNE);
    const char *from = NULL, *to = NULL;
    check_period(body, &from, &to, errors);
    if (commune && from && to && json_array_size(errors) == 0 && !is_calendar_period(from, to))
        validate_error_msg(errors, "from", MSG_LINK_CALENDAR_PERIOD);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        goto out;
    }
    char hash[65];
    secret = secrets_random(SECRET_BYTES);
    if (!secret) {
        json_decref(errors);
        http_problem_msg(r, 500, "internal", MSG_LINK_NO_RANDOM);
        goto out;
    }
    secrets_sha256_hex(secret, hash);
    const char *params[] = {r->who.org, label, hash, commune, from, to, http_subject(r)};
    res = http_sql(r, LINK_SQL_INSERT, 7, params, true);
    if (!res) {
        json_decref(errors);
    } else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        validate_error_msg(errors, "commune", MSG_FIELD_NOT_GERS_COMMUNE);
        http_invalid(r, 422, errors);
    } else if (PQntuples(res) == 0) {
        json_decref(errors);
        http_problem_msg(r, 409, "too-many-links", MSG_LINK_TOO_MANY);
    } else {
        json_decref(errors);
        json_t *link = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        char location[96], *url = NULL;
        snprintf(location, sizeof location, "/v1/dashboard-links/%s", PQgetvalue(res, 0, 1));
        http_set_header(r, "Location", location);
        http_set_header(r, "ETag", PQgetvalue(res, 0, 2));
        http_set_header(r, "Cache-Control", "no-store");
        if (asprintf(&url, "/tableau-de-bord?lien=%s", secret) < 0)
            url = NULL;
        json_object_set_new(link, "secret", json_string(secret));
        json_object_set_new(link, "url", url ? json_string(url) : json_null());
        free(url);
        http_json(r, 201, link);
    }
out:
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    PQclear(res);
    json_decref(body);
}

void dashboard_links_list(struct req *r)
{
    const char *params[] = {r->who.org};
    PGresult *res = http_sql(r, LINK_SQL_LIST, 1, params, false);
    if (!res)
        return;
    json_t *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(items, json_loads(PQgetvalue(res, i, 0), 0, NULL));
    PQclear(res);
    http_json(r, 200, json_pack("{s:o}", "items", items));
}

void dashboard_links_revoke(struct req *r)
{
    if (!validate_uuid(r->params[0])) {
        http_problem_msg(r, 404, "not-found", MSG_LINK_NOT_FOUND);
        return;
    }
    const char *params[] = {r->params[0], r->who.org};
    PGresult *res = http_sql(r, LINK_SQL_REVOKE, 2, params, false);
    if (!res)
        return;
    if (PQntuples(res) == 0)
        http_problem_msg(r, 404, "not-found", MSG_LINK_NOT_FOUND);
    else
        http_empty(r, 204);
    PQclear(res);
}
