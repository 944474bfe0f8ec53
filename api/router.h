/* The route table and the one ulfius callback that dispatches every request:
 * request id, CORS, 404/405, the token guard, the handler, metrics, the log line. */
#ifndef ROUTER_H
#define ROUTER_H

#include "http.h"

#include <stddef.h>
#include <ulfius.h>

/* Route scope: NULL for public routes (no token); ROUTE_ANY_TOKEN for any valid
 * token; otherwise the scope the token must carry. */
#define ROUTE_ANY_TOKEN ""

struct route {
    const char *method;  /* GET, POST, PATCH, DELETE; GET also answers HEAD */
    const char *pattern; /* "/v1/organizations/{slug}" */
    const char *scope;
    void (*handle)(struct req *r);
    const char *const *query; /* accepted query parameters, NULL-terminated; NULL: none */
    bool token_in_query;      /* also accepts `access_token` (RFC 6750 §2.3), for calendar apps */
    /* Reads that need not see the caller's own writes: served from the
     * replica's pool when DATABASE_READ_URL is set (http.c's ensure_connection
     * decides, from this field alone). Never true for a route that writes. */
    bool replica_ok;
};

extern const struct route routes[];
extern const size_t routes_count;

/* The ulfius default endpoint; user_data is the struct app. */
int router_dispatch(const struct _u_request *in, struct _u_response *out, void *user_data);

/* Matches a path against a pattern; on success fills params (pointing into
 * `path`, which is modified) and returns true. Exposed for unit tests. */
bool router_match(const char *pattern, char *path, const char **params, size_t max_params);

#endif
