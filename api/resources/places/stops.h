/* Dated stops of mobile units (the bus numérique). */
#ifndef STOPS_H
#define STOPS_H

#include "http.h"

void stops_list(struct req *r);     /* GET /v1/stops */
void stops_of_place(struct req *r); /* GET /v1/places/{id}/stops */
void stops_create(struct req *r);   /* POST /v1/places/{id}/stops */

extern const char *const stops_list_query[];
extern const char *const place_stops_query[];

#endif
