/* The campaign's dashboard: GET /v1/indicators (JSON or CSV) and the
 * coordinators' targets, PUT /v1/targets/{code}. */
#ifndef INDICATORS_H
#define INDICATORS_H

#include "http.h"

void indicators_list(struct req *r);       /* GET /v1/indicators */
void indicators_series(struct req *r);     /* GET /v1/indicators/{code}/series */
void indicators_routes(struct req *r);     /* GET /v1/indicators/routes */
void indicators_by_commune(struct req *r); /* GET /v1/indicators/by-commune */
void indicators_by_place(struct req *r);   /* GET /v1/indicators/by-place */
void indicators_by_org(struct req *r);     /* GET /v1/indicators/by-org */
void indicators_targets(struct req *r);    /* GET /v1/targets */
void indicators_put_target(struct req *r); /* PUT /v1/targets/{code} */

extern const char *const indicators_query[];
extern const char *const indicators_series_query[];
extern const char *const indicators_routes_query[];
extern const char *const indicators_targets_query[];
extern const char *const indicators_by_query[];

#endif
