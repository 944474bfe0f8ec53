/* Every route of the API, in one table: path, method, scope, handler.
 * openapi/openapi.yaml documents exactly these (a test compares them). */
#include "router.h"

#include "ops.h"
#include "organizations.h"

const struct route routes[] = {
    {"GET", "/healthz", NULL, ops_healthz},
    {"GET", "/readyz", NULL, ops_readyz},
    {"GET", "/metrics", NULL, ops_metrics},
    {"GET", "/openapi.yaml", NULL, ops_openapi},
    {"GET", "/v1/organizations", ROUTE_ANY_TOKEN, organizations_list},
    {"POST", "/v1/organizations", "admin", organizations_create},
    {"GET", "/v1/organizations/{slug}", ROUTE_ANY_TOKEN, organizations_get},
    {"PATCH", "/v1/organizations/{slug}", "admin", organizations_update},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
