/* Every route of the API, in one table: path, method, scope, handler.
 * openapi/openapi.yaml documents exactly these (a test compares them). */
#include "router.h"

#include "ops.h"
#include "organizations.h"

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
};

const size_t routes_count = sizeof routes / sizeof routes[0];
