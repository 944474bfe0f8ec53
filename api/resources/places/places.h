/* /v1/places: places of digital mediation, for the map and the front desks. */
#ifndef PLACES_H
#define PLACES_H

#include "http.h"
#include "place_input.h"

void places_list(struct req *r);
void places_get(struct req *r);
void places_create(struct req *r);
void places_update(struct req *r);
void places_delete(struct req *r);
void places_import(struct req *r); /* POST /v1/places/import (places_import.c) */

/* Checks a place's INSEE code against the communes of the Gers: a 32xxx code
 * must be in the table, the commune named as the table names it, the point
 * within 1 km of its outline. Appends to `errors`; false after having answered
 * 503/500 when the check could not run. */
bool places_check_commune(struct req *r, const struct place_input *in, json_t *errors);

/* The query parameters GET /v1/places accepts, NULL-terminated. */
extern const char *const places_list_query[];
extern const char *const places_import_query[];

#endif
