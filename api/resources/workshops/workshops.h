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

extern const char *const workshops_list_query[];
extern const char *const calendar_query[];
/* The themes and audiences: formats/codes.c (CODES_THEMES, CODES_AUDIENCES). */

#endif
