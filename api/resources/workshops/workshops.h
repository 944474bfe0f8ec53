/* /v1/workshops: the campaign's shared calendar of workshops, and their
 * registrations with a waiting list (registrations.c). */
#ifndef WORKSHOPS_H
#define WORKSHOPS_H

#include "codes.h"
#include "http.h"

void workshops_list(struct req *r);
void workshops_get(struct req *r);
void workshops_create(struct req *r);
void workshops_update(struct req *r);
void workshops_cancel(struct req *r);

void registrations_list(struct req *r);
void registrations_get(struct req *r);
void registrations_create(struct req *r);
void registrations_create_series(struct req *r); /* POST /v1/series/{id}/registrations */
void registrations_update(struct req *r);
void registrations_delete(struct req *r);

void workshops_calendar(struct req *r); /* GET /v1/calendar.ics (calendar.c) */

/* The filters of the calendar, in this order: theme, audience, commune (INSEE
 * code), place_id; each NULL: any. */
enum { CALENDAR_FILTERS = 4 };

/* Adds an error for each filter that is not valid; true when all are. */
bool calendar_check_filters(const char *const filters[CALENDAR_FILTERS], json_t *errors);

/* Answers the calendar of the workshops that pass `filters` (checked). */
void calendar_answer(struct req *r, const char *const filters[CALENDAR_FILTERS]);

/* Calendar links (calendar_links.c): subscriptions to the calendar that
 * outlive any token, each behind an opaque secret kept only as its SHA-256. */
void calendar_links_create(struct req *r); /* POST /v1/calendar-links */
void calendar_links_list(struct req *r);   /* GET /v1/calendar-links */
void calendar_links_delete(struct req *r); /* DELETE /v1/calendar-links/{id} */
void calendar_links_feed(struct req *r);   /* GET /v1/calendar-links/{secret}/calendar.ics */

extern const char *const workshops_list_query[];
extern const char *const calendar_query[];
/* The themes and audiences: formats/codes.c (CODES_THEMES, CODES_AUDIENCES). */

#endif
