/* The route type, and the table of every route that the top of the program
 * (api/routes.c) defines: the only list that knows every resource. */
#ifndef ROUTE_H
#define ROUTE_H

#include <stdbool.h>
#include <stddef.h>

struct req;

/* Route scope: NULL for public routes (no token); ROUTE_ANY_TOKEN for any valid
 * token; otherwise the scope the token must carry. */
#define ROUTE_ANY_TOKEN ""

/* A route's flags. */
enum {
    /* also accepts `access_token` (RFC 6750 §2.3), for calendar apps */
    ROUTE_TOKEN_IN_QUERY = 1 << 0,
    /* Reads that need not see the caller's own writes: served from the
     * replica's pool when DATABASE_READ_URL is set (http.c's ensure_connection
     * decides, from this flag alone). Never on a route that writes. */
    ROUTE_REPLICA_OK = 1 << 1,
    /* Open data (Licence Ouverte): with PUBLIC_READS=1, a request without any
     * token (no Authorization, no access_token) is served anonymously, with an
     * empty r->who, rate limited per address; a token sent is still verified.
     * Only GET routes whose handlers show nothing private to an empty r->who. */
    ROUTE_OPEN_DATA = 1 << 2,
    /* Takes a body up to IMPORT_MAX_BYTES (a CSV import) instead of
     * MAX_BODY_BYTES: http_body_limit. */
    ROUTE_LARGE_BODY = 1 << 3,
};

struct route {
    const char *method;  /* GET, POST, PATCH, DELETE; GET also answers HEAD */
    const char *pattern; /* "/v1/organizations/{slug}" */
    const char *scope;
    void (*handle)(struct req *r);
    const char *const *query; /* accepted query parameters, NULL-terminated; NULL: none */
    unsigned flags;           /* ROUTE_* below, or 0 */
};

extern const struct route routes[];
extern const size_t routes_count;

#endif
