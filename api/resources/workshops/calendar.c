/* GET /v1/calendar.ics: the campaign's workshops as an RFC 5545 calendar
 * residents subscribe to (from 30 days ago on, 1,000 events at most). */
#include "workshops.h"

#include "fields.h"
#include "ical.h"
#include "validate.h"
#include "workshops_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const calendar_query[] = {"theme",    "audience",     "commune",
                                      "place_id", "access_token", NULL};

bool calendar_check_filters(const char *const filters[CALENDAR_FILTERS], json_t *errors)
{
    const char *why = NULL;
    if (filters[0] && !validate_in_list(filters[0], codes_of(CODES_THEMES)))
        validate_code_error(errors, "theme", CODES_THEMES);
    if (filters[1] && !validate_in_list(filters[1], codes_of(CODES_AUDIENCES)))
        validate_code_error(errors, "audience", CODES_AUDIENCES);
    if (filters[2] && !fields_insee_code(filters[2], &why))
        validate_error(errors, "commune", "%s", why);
    if (filters[3] && !validate_uuid(filters[3]))
        validate_error_msg(errors, "place_id", MSG_FIELD_UUID);
    return json_array_size(errors) == 0;
}

void workshops_calendar(struct req *r)
{
    const char *params[CALENDAR_FILTERS] = {http_query(r, "theme"), http_query(r, "audience"),
                                            http_query(r, "commune"), http_query(r, "place_id")};
    json_t *errors = json_array();
    if (!calendar_check_filters(params, errors)) {
        http_invalid(r, 400, errors);
        return;
    }
    json_decref(errors);
    calendar_answer(r, params);
}

void calendar_answer(struct req *r, const char *const params[CALENDAR_FILTERS])
{
    PGresult *res = http_sql(r, CALENDAR_SQL_EVENTS, CALENDAR_FILTERS, params, false);
    if (!res)
        return;
    int rows = PQntuples(res);
    struct ical_event *events = calloc((size_t)rows + 1, sizeof *events);
    char(*uids)[64] = calloc((size_t)rows + 1, sizeof *uids);
    const char *(*categories)[16] = calloc((size_t)rows + 1, sizeof *categories);
    char **audience_copies = calloc((size_t)rows + 1, sizeof *audience_copies);
    for (int i = 0; i < rows; i++) {
        struct ical_event *e = &events[i];
        snprintf(uids[i], sizeof uids[i], "%s@inclusion-api.gers", PQgetvalue(res, i, 0));
        e->uid = uids[i];
        e->summary = PQgetvalue(res, i, 1);
        e->description = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
        e->location = PQgetvalue(res, i, 3);
        e->has_geo = !PQgetisnull(res, i, 4);
        e->latitude = atof(PQgetvalue(res, i, 4));
        e->longitude = atof(PQgetvalue(res, i, 5));
        e->starts_utc = atoll(PQgetvalue(res, i, 6));
        e->ends_utc = atoll(PQgetvalue(res, i, 7));
        e->stamp_utc = atoll(PQgetvalue(res, i, 8));
        e->sequence = atoll(PQgetvalue(res, i, 9));
        e->cancelled = strcmp(PQgetvalue(res, i, 10), "t") == 0;
        /* categories: the theme, then each audience */
        size_t n = 0;
        categories[i][n++] = PQgetvalue(res, i, 11);
        audience_copies[i] = strdup(PQgetvalue(res, i, 12));
        char *save = NULL;
        for (char *a = strtok_r(audience_copies[i], ",", &save); a && n < 15;
             a = strtok_r(NULL, ",", &save))
            categories[i][n++] = a;
        categories[i][n] = NULL;
        e->categories = categories[i];
    }
    size_t len = 0;
    char *text = ical_calendar("Ateliers numériques du Gers", events, (size_t)rows, &len);
    for (int i = 0; i < rows; i++)
        free(audience_copies[i]);
    free(audience_copies);
    free(categories);
    free(uids);
    free(events);
    PQclear(res);
    if (!text) {
        http_problem_msg(r, 500, "internal", MSG_CALENDAR_NOT_WRITTEN);
        return;
    }
    struct http_cache c = {.content_type = "text/calendar; charset=utf-8",
                           .max_age = 60,
                           .disposition = "inline; filename=\"ateliers-gers.ics\""};
    http_cached(r, &c, text, len);
    free(text);
}
