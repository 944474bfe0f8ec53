/* Every route of the API, in one table: path, method, scope, handler.
 * openapi/openapi.yaml documents exactly these (a test compares them). */
#include "router.h"

#include "ops.h"
#include "organizations.h"
#include "places.h"
#include "stops.h"

static const char *const list_organizations[] = {"kind", "limit", "cursor", NULL};

const struct route routes[] = {
    {"GET", "/healthz", NULL, ops_healthz, NULL},
    {"GET", "/readyz", NULL, ops_readyz, NULL},
    {"GET", "/metrics", NULL, ops_metrics, NULL},
    {"GET", "/openapi.yaml", NULL, ops_openapi, NULL},
    {"GET", "/v1/organizations", ROUTE_ANY_TOKEN, organizations_list, list_organizations},
    {"POST", "/v1/organizations", "admin", organizations_create, NULL},
    {"GET", "/v1/organizations/{slug}", ROUTE_ANY_TOKEN, organizations_get, NULL},
    {"PATCH", "/v1/organizations/{slug}", "admin", organizations_update, NULL},
    {"GET", "/v1/places", "places:read", places_list, places_list_query},
    {"POST", "/v1/places", "places:write", places_create, NULL},
    {"POST", "/v1/places/import", "places:write", places_import, places_import_query},
    {"GET", "/v1/places/{id}", "places:read", places_get, NULL},
    {"PATCH", "/v1/places/{id}", "places:write", places_update, NULL},
    {"DELETE", "/v1/places/{id}", "places:write", places_delete, NULL},
    {"GET", "/v1/places/{id}/stops", "places:read", stops_of_place, place_stops_query},
    {"POST", "/v1/places/{id}/stops", "places:write", stops_create, NULL},
    {"GET", "/v1/stops", "places:read", stops_list, stops_list_query},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
