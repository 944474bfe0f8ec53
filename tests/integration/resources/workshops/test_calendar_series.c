/* A whole series at once (all sessions or none), and GET /v1/calendar.ics
 * read back by a strict RFC 5545 reader: CRLF, 75-octet folding, one VEVENT
 * per workshop with a stable UID, STATUS:CANCELLED, the token in the query. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *owner, *partner, *calendar_reader;
static char place[64];

static void start(void)
{
    fixture_start();
    fixture_token(&owner, "france-services-mirande",
                  "places:read workshops:read workshops:write registrations:write");
    fixture_token(&partner, "caf-gers", "workshops:read registrations:write");
    fixture_token(&calendar_reader, "caf-gers", "workshops:read");
    struct response *r = http_get(server.base_url, "/v1/places?commune=32256&typology=RFS", owner);
    json_t *body = response_json(r);
    snprintf(place, sizeof place, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(body, "items"), 0), "id")));
    json_decref(body);
    response_free(r);
}

TestSuite(calendar_series, .init = start, .fini = fixture_stop, .timeout = 60);

static struct response *post(const char *token, const char *path, const char *body)
{
    char auth[4096];
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    return http_request("POST", url(path), headers, body);
}

/* Creates a weekly series of `count` sessions in 2031; returns its JSON. */
static json_t *series(const char *title, int count, int capacity)
{
    char body[1024];
    snprintf(
        body, sizeof body,
        "{\"place_id\":\"%s\",\"title\":\"%s\",\"theme\":\"first_steps\",\"audience\":["
        "\"beginners\"],"
        "\"starts_at\":\"2031-09-02T14:00:00+02:00\",\"ends_at\":\"2031-09-02T16:00:00+02:00\","
        "\"capacity\":%d,\"recurrence\":\"FREQ=WEEKLY;COUNT=%d\"}",
        place, title, capacity, count);
    struct response *r = post(owner, "/v1/workshops", body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *created = response_json(r);
    response_free(r);
    return created;
}

Test(calendar_series, a_series_registers_all_or_nothing)
{
    char title[64], path[160], body[256];
    snprintf(title, sizeof title, "Premiers clics en serie %d", getpid());
    json_t *s = series(title, 3, 1);
    const char *id = json_string_value(json_object_get(s, "series_id"));
    snprintf(path, sizeof path, "/v1/series/%s/registrations", id);
    snprintf(body, sizeof body, "{\"participant_ref\":\"serie-a-%d\",\"display_name\":\"A\"}",
             getpid());
    struct response *r = post(partner, path, body);
    cr_expect_eq(r->status, 201, "%s", r->body);
    json_t *got = response_json(r);
    json_t *items = json_object_get(got, "items");
    cr_expect_eq(json_array_size(items), 3);
    for (size_t i = 0; i < json_array_size(items); i++)
        cr_expect_str_eq(json_string_value(json_object_get(json_array_get(items, i), "status")),
                         "confirmed");
    json_decref(got);
    response_free(r);
    /* B is waitlisted everywhere (1 seat each) */
    snprintf(body, sizeof body, "{\"participant_ref\":\"serie-b-%d\",\"display_name\":\"B\"}",
             getpid());
    r = post(partner, path, body);
    cr_expect_eq(r->status, 201);
    got = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(got, "items"), 2), "status")),
                     "waitlisted");
    json_decref(got);
    response_free(r);
    /* A again: already registered on every session: 409, and nothing more */
    snprintf(body, sizeof body, "{\"participant_ref\":\"serie-a-%d\",\"display_name\":\"A\"}",
             getpid());
    r = post(partner, path, body);
    cr_expect_eq(r->status, 409, "%s", r->body);
    response_free(r);
    /* a participant registered on one session only: the whole series is refused, nothing kept */
    const char *second =
        json_string_value(json_object_get(json_array_get(json_object_get(s, "items"), 1), "id"));
    char one[160];
    snprintf(one, sizeof one, "/v1/workshops/%s/registrations", second);
    snprintf(body, sizeof body, "{\"participant_ref\":\"serie-c-%d\",\"display_name\":\"C\"}",
             getpid());
    r = post(partner, one, body);
    cr_expect_eq(r->status, 201);
    response_free(r);
    r = post(partner, path, body);
    cr_expect_eq(r->status, 409);
    response_free(r);
    const char *first =
        json_string_value(json_object_get(json_array_get(json_object_get(s, "items"), 0), "id"));
    snprintf(one, sizeof one, "/v1/workshops/%s", first);
    r = http_get(server.base_url, one, owner);
    got = response_json(r);
    cr_expect_eq(json_integer_value(json_object_get(got, "waitlist_count")), 1,
                 "only B waits on the first session: C's series attempt left nothing");
    json_decref(got);
    response_free(r);
    r = post(partner, "/v1/series/00000000-0000-0000-0000-000000000000/registrations", body);
    cr_expect_eq(r->status, 404);
    response_free(r);
    json_decref(s);
}

/* Unfolds `text` strictly; returns the logical lines (caller frees each and the array). */
static char **unfold(const char *text, size_t len, size_t *count)
{
    char **lines = calloc(4096, sizeof *lines);
    *count = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *crlf = strstr(p, "\r\n");
        cr_assert_not_null(crlf, "every line ends with CRLF");
        size_t n = (size_t)(crlf - p);
        cr_assert_leq(n, 75, "a physical line of at most 75 octets: %.*s", (int)n, p);
        cr_assert(memchr(p, '\n', n) == NULL, "no bare LF");
        if (*p == ' ') {
            cr_assert_gt(*count, 0, "a continuation follows a line");
            char *prev = lines[*count - 1];
            size_t plen = strlen(prev);
            lines[*count - 1] = realloc(prev, plen + n);
            memcpy(lines[*count - 1] + plen, p + 1, n - 1);
            lines[*count - 1][plen + n - 1] = '\0';
        } else {
            lines[*count] = strndup(p, n);
            (*count)++;
        }
        p = crlf + 2;
    }
    return lines;
}

Test(calendar_series, the_calendar_is_strict_rfc5545)
{
    char title[96], body[1024];
    snprintf(title, sizeof title,
             "Calendrier; une ligne, très longue — pour plier les lignes à 75 octets %d", getpid());
    json_t *s = series(title, 2, 5);
    const char *cancelled_id =
        json_string_value(json_object_get(json_array_get(json_object_get(s, "items"), 1), "id"));
    char path[2048];
    snprintf(path, sizeof path, "/v1/workshops/%s/cancel", cancelled_id);
    struct response *r = post(owner, path, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    response_free(r);

    /* the token in the query, as calendar apps send it (a token of the
     * calendar's scope alone: test_calendar_links.c) */
    snprintf(path, sizeof path, "/v1/calendar.ics?theme=first_steps&access_token=%s",
             calendar_reader);
    r = http_request("GET", url(path), NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char ct[64];
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct),
                     "text/calendar; charset=utf-8");
    size_t count = 0;
    char **lines = unfold(r->body, r->body_len, &count);
    cr_expect_str_eq(lines[0], "BEGIN:VCALENDAR");
    cr_expect_str_eq(lines[count - 1], "END:VCALENDAR");
    char escaped[160];
    snprintf(escaped, sizeof escaped,
             "Calendrier\\; une ligne\\, très longue — pour plier les lignes à 75 octets %d",
             getpid());
    int depth = 0, events = 0, ours = 0, ours_cancelled = 0;
    char uid[128] = "";
    bool in_ours = false;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(lines[i], "BEGIN:", 6) == 0)
            depth++;
        if (strncmp(lines[i], "END:", 4) == 0)
            depth--;
        cr_expect_geq(depth, 0);
        if (strcmp(lines[i], "BEGIN:VEVENT") == 0) {
            events++;
            in_ours = false;
        }
        if (strncmp(lines[i], "UID:", 4) == 0)
            snprintf(uid, sizeof uid, "%s", lines[i] + 4);
        if (strncmp(lines[i], "SUMMARY:", 8) == 0 && strcmp(lines[i] + 8, escaped) == 0) {
            in_ours = true;
            ours++;
            cr_expect(strstr(uid, "@inclusion-api.gers") != NULL, "a stable UID: %s", uid);
        }
        if (in_ours && strcmp(lines[i], "STATUS:CANCELLED") == 0)
            ours_cancelled++;
    }
    cr_expect_eq(depth, 0, "BEGIN/END balance");
    cr_expect_geq(events, 2);
    cr_expect_eq(ours, 2, "both sessions, the summary escaped (; and ,)");
    cr_expect_eq(ours_cancelled, 1, "the cancelled session says so");
    for (size_t i = 0; i < count; i++)
        free(lines[i]);
    free(lines);
    response_free(r);

    r = http_request("GET", url("/v1/calendar.ics?access_token=not-a-token"), NULL, NULL);
    cr_expect_eq(r->status, 401);
    response_free(r);
    r = http_request("GET", url("/v1/calendar.ics?theme=astrology"), NULL, NULL);
    cr_expect_eq(r->status, 400, "open data without a token: the filter is checked");
    response_free(r);
    snprintf(path, sizeof path, "/v1/workshops?access_token=%s", partner);
    r = http_request_raw("GET", url(path), NULL, NULL);
    cr_expect_eq(r->status, 400, "the query token is for the calendar only: %s", r->body);
    cr_expect(strstr(r->body, "access_token") != NULL, "%s", r->body);
    response_free(r);
    json_decref(s);
    (void)body;
}
