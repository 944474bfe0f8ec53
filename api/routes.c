/* Every route of the API, in one table: path, method, scope, handler, accepted
 * query, token in the query, and replica_ok (last column: the read may come from
 * DATABASE_READ_URL's replica). openapi/openapi.yaml documents exactly these (a
 * test compares them).
 *
 * replica_ok is true for the public-map reads only (places, stops, workshops,
 * organisations, the skills reference): a few seconds of replication lag is
 * harmless there. Everything else stays on the primary: all writes; referrals
 * (partners read right after writing, and the sync feed's xmin rule needs the
 * primary's snapshot); registrations and devices (read right after writing);
 * the indicators; /readyz (it checks the primary's schema). */
#include "route.h"

#include "activity/activity.h"
#include "devices/devices.h"
#include "indicators/indicators.h"
#include "ops/ops.h"
#include "organizations/organizations.h"
#include "places/places.h"
#include "referrals/referrals.h"
#include "places/stops.h"
#include "webhooks/webhooks.h"
#include "workshops/workshops.h"

static const char *const list_organizations[] = {"kind", "limit", "cursor", NULL};

/* One route a line: a table to scan. */
/* clang-format off */
const struct route routes[] = {
    {"GET", "/healthz", NULL, ops_healthz, NULL, false, false, false},
    {"GET", "/readyz", NULL, ops_readyz, NULL, false, false, false},
    {"GET", "/openapi.yaml", NULL, ops_openapi, NULL, false, false, false},
    {"GET", "/v1/organizations", ROUTE_ANY_TOKEN, organizations_list, list_organizations, false, true, false},
    {"POST", "/v1/organizations", "admin", organizations_create, NULL, false, false, false},
    {"GET", "/v1/organizations/{slug}", ROUTE_ANY_TOKEN, organizations_get, NULL, false, true, false},
    {"PATCH", "/v1/organizations/{slug}", "admin", organizations_update, NULL, false, false, false},
    {"GET", "/v1/places", "places:read", places_list, places_list_query, false, true, false},
    {"POST", "/v1/places", "places:write", places_create, NULL, false, false, false},
    {"POST", "/v1/places/import", "places:write", places_import, places_import_query, false, false, true},
    {"GET", "/v1/places/{id}", "places:read", places_get, NULL, false, true, false},
    {"PATCH", "/v1/places/{id}", "places:write", places_update, NULL, false, false, false},
    {"DELETE", "/v1/places/{id}", "places:write", places_delete, NULL, false, false, false},
    {"GET", "/v1/places/{id}/stops", "places:read", stops_of_place, place_stops_query, false, true, false},
    {"POST", "/v1/places/{id}/stops", "places:write", stops_create, NULL, false, false, false},
    {"GET", "/v1/stops", "places:read", stops_list, stops_list_query, false, true, false},
    {"GET", "/v1/workshops", "workshops:read", workshops_list, workshops_list_query, false, true, false},
    {"GET", "/v1/calendar.ics", "workshops:read", workshops_calendar, calendar_query, true, true, false},
    {"GET", "/v1/reference/skills", NULL, activity_skills, NULL, false, true, false},
    {"POST", "/v1/visits", "activity:write", activity_visit, NULL, false, false, false},
    {"POST", "/v1/assessments", "activity:write", activity_assessment, NULL, false, false, false},
    {"POST", "/v1/feedback", "activity:write", activity_feedback, NULL, false, false, false},
    {"POST", "/v1/devices", "devices:write", devices_create, NULL, false, false, false},
    {"GET", "/v1/devices/{id}", "devices:write", devices_get, NULL, false, false, false},
    {"POST", "/v1/devices/{id}/events", "devices:write", devices_add_event, NULL, false, false, false},
    {"GET", "/v1/devices/{id}/events", "devices:write", devices_events, NULL, false, false, false},
    {"GET", "/v1/indicators", "indicators:read", indicators_list, indicators_query, false, false, false},
    {"GET", "/v1/indicators/routes", "indicators:read", indicators_routes, indicators_routes_query, false, false, false},
    {"GET", "/v1/indicators/{code}/series", "indicators:read", indicators_series, indicators_series_query, false, false, false},
    {"PUT", "/v1/targets/{code}", "admin", indicators_put_target, NULL, false, false, false},
    {"GET", "/v1/referrals", "referrals:read", referrals_list, referrals_list_query, false, false, false},
    {"POST", "/v1/referrals", "referrals:write", referrals_create, NULL, false, false, false},
    {"GET", "/v1/referrals/{id}", "referrals:read", referrals_get, NULL, false, false, false},
    {"POST", "/v1/referrals/{id}/events", "referrals:write", referrals_add_event, NULL, false, false, false},
    {"GET", "/v1/referrals/{id}/events", "referrals:read", referrals_events, NULL, false, false, false},
    {"GET", "/v1/referrals/{id}/access-log", "referrals:read", referrals_access_log, NULL, false, false, false},
    {"POST", "/v1/series/{id}/registrations", "registrations:write", registrations_create_series, NULL, false, false, false},
    {"POST", "/v1/workshops", "workshops:write", workshops_create, NULL, false, false, false},
    {"GET", "/v1/workshops/{id}", "workshops:read", workshops_get, NULL, false, true, false},
    {"PATCH", "/v1/workshops/{id}", "workshops:write", workshops_update, NULL, false, false, false},
    {"POST", "/v1/workshops/{id}/cancel", "workshops:write", workshops_cancel, NULL, false, false, false},
    {"GET", "/v1/workshops/{id}/registrations", ROUTE_ANY_TOKEN, registrations_list, NULL, false, false, false},
    {"POST", "/v1/workshops/{id}/registrations", "registrations:write", registrations_create, NULL, false, false, false},
    {"GET", "/v1/workshops/{id}/registrations/{rid}", ROUTE_ANY_TOKEN, registrations_get, NULL, false, false, false},
    {"PATCH", "/v1/workshops/{id}/registrations/{rid}", "workshops:write", registrations_update, NULL, false, false, false},
    {"DELETE", "/v1/workshops/{id}/registrations/{rid}", "registrations:write", registrations_delete, NULL, false, false, false},
    {"POST", "/v1/webhooks", "webhooks:write", webhooks_create, NULL, false, false, false},
    {"GET", "/v1/webhooks", "webhooks:write", webhooks_list, NULL, false, false, false},
    {"GET", "/v1/webhooks/{id}", "webhooks:write", webhooks_get, NULL, false, false, false},
    {"PATCH", "/v1/webhooks/{id}", "webhooks:write", webhooks_update, NULL, false, false, false},
    {"DELETE", "/v1/webhooks/{id}", "webhooks:write", webhooks_delete, NULL, false, false, false},
    {"POST", "/v1/webhooks/{id}/secret", "webhooks:write", webhooks_rotate, NULL, false, false, false},
    {"POST", "/v1/webhooks/{id}/ping", "webhooks:write", webhooks_ping, NULL, false, false, false},
    {"GET", "/v1/webhooks/{id}/deliveries", "webhooks:write", webhooks_deliveries, webhooks_deliveries_query, false, false, false},
    {"POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/retry", "webhooks:write", webhooks_retry, NULL, false, false, false},
};
/* clang-format on */

const size_t routes_count = sizeof routes / sizeof routes[0];
