/* Every route of the API, in one table: method, path, scope, handler, accepted
 * query and flags (route.h: ROUTE_TOKEN_IN_QUERY, ROUTE_REPLICA_OK — the read
 * may come from DATABASE_READ_URL's replica —, ROUTE_OPEN_DATA,
 * ROUTE_LARGE_BODY). openapi/openapi.yaml documents exactly these (a test
 * compares them).
 *
 * ROUTE_REPLICA_OK is set for the public-map reads only (places, stops, workshops,
 * organisations, the skills reference): a few seconds of replication lag is
 * harmless there. Everything else stays on the primary: all writes; referrals
 * (partners read right after writing, and the sync feed's xmin rule needs the
 * primary's snapshot); registrations and devices (read right after writing);
 * the indicators; /readyz (it checks the primary's schema).
 *
 * ROUTE_OPEN_DATA marks the open data of the public map: places, stops,
 * workshops and the calendar, read without a token when PUBLIC_READS=1 (the
 * router's anonymous open-data admission).
 *
 * A calendar link's feed (/v1/calendar-links/{secret}/calendar.ics) is a
 * public route: the secret in its path is the credential, and it stays on
 * the primary so that a revoked link answers 404 at once. */
#include "route.h"

#include "activity/activity.h"
#include "clients/clients.h"
#include "dashboard_links/dashboard_links.h"
#include "communes/communes.h"
#include "devices/devices.h"
#include "indicators/indicators.h"
#include "oauth/oauth.h"
#include "ops/ops.h"
#include "organizations/organizations.h"
#include "places/places.h"
#include "reference/reference.h"
#include "referrals/referrals.h"
#include "places/stops.h"
#include "web/web.h"
#include "webhooks/webhooks.h"
#include "workshops/workshops.h"

static const char *const list_organizations[] = {"kind", "limit", "cursor", NULL};

/* One route a line: a table to scan. */
/* clang-format off */
const struct route routes[] = {
    {"GET", "/healthz", NULL, ops_healthz, NULL, 0},
    {"GET", "/readyz", NULL, ops_readyz, NULL, 0},
    {"GET", "/", NULL, web_home, NULL, 0},
    {"GET", "/carte", NULL, web_carte, NULL, 0},
    {"GET", "/tableau-de-bord", NULL, web_dashboard, web_dashboard_query, 0},
    {"GET", "/assets/{name}", NULL, web_asset, NULL, 0},
    {"GET", "/openapi.yaml", NULL, ops_openapi, NULL, 0},
    {"GET", "/openapi.json", NULL, ops_openapi_json, NULL, 0},
    {"GET", "/docs", NULL, ops_docs, NULL, 0},
    {"GET", "/docs/redoc.js", NULL, ops_docs_script, NULL, 0},
    {"POST", "/oauth/token", NULL, oauth_token, NULL, 0},
    {"POST", "/oauth/revoke", NULL, oauth_revoke, NULL, 0},
    {"GET", "/.well-known/oauth-authorization-server", NULL, oauth_metadata, NULL, 0},
    {"GET", "/.well-known/jwks.json", NULL, oauth_jwks, NULL, 0},
    {"GET", "/v1/clients", "admin", clients_list, clients_list_query, 0},
    {"POST", "/v1/clients", "admin", clients_create, NULL, 0},
    {"GET", "/v1/clients/{id}", "admin", clients_get, NULL, 0},
    {"PATCH", "/v1/clients/{id}", "admin", clients_update, NULL, 0},
    {"DELETE", "/v1/clients/{id}", "admin", clients_delete, NULL, 0},
    {"POST", "/v1/clients/{id}/secret", "admin", clients_rotate_secret, NULL, 0},
    {"GET", "/v1/organizations", ROUTE_ANY_TOKEN, organizations_list, list_organizations, ROUTE_REPLICA_OK},
    {"POST", "/v1/organizations", "admin", organizations_create, NULL, 0},
    {"GET", "/v1/organizations/{slug}", ROUTE_ANY_TOKEN, organizations_get, NULL, ROUTE_REPLICA_OK},
    {"PATCH", "/v1/organizations/{slug}", "admin", organizations_update, NULL, 0},
    {"GET", "/v1/communes", NULL, communes_geojson, NULL, ROUTE_REPLICA_OK},
    {"GET", "/v1/places", "places:read", places_list, places_list_query, ROUTE_REPLICA_OK | ROUTE_OPEN_DATA},
    {"POST", "/v1/places", "places:write", places_create, NULL, 0},
    {"POST", "/v1/places/import", "places:write", places_import, places_import_query, ROUTE_LARGE_BODY},
    {"GET", "/v1/places/{id}", "places:read", places_get, NULL, ROUTE_REPLICA_OK | ROUTE_OPEN_DATA},
    {"PATCH", "/v1/places/{id}", "places:write", places_update, NULL, 0},
    {"DELETE", "/v1/places/{id}", "places:write", places_delete, NULL, 0},
    {"GET", "/v1/places/{id}/stops", "places:read", stops_of_place, place_stops_query, ROUTE_REPLICA_OK | ROUTE_OPEN_DATA},
    {"POST", "/v1/places/{id}/stops", "places:write", stops_create, NULL, 0},
    {"GET", "/v1/stops", "places:read", stops_list, stops_list_query, ROUTE_REPLICA_OK | ROUTE_OPEN_DATA},
    {"GET", "/v1/workshops", "workshops:read", workshops_list, workshops_list_query, ROUTE_REPLICA_OK | ROUTE_OPEN_DATA},
    {"GET", "/v1/calendar.ics", "workshops:read", workshops_calendar, calendar_query, ROUTE_TOKEN_IN_QUERY | ROUTE_REPLICA_OK | ROUTE_OPEN_DATA},
    {"GET", "/v1/calendar-links", "workshops:read", calendar_links_list, NULL, 0},
    {"POST", "/v1/calendar-links", "workshops:read", calendar_links_create, NULL, 0},
    {"DELETE", "/v1/calendar-links/{id}", "workshops:read", calendar_links_delete, NULL, 0},
    {"GET", "/v1/calendar-links/{secret}/calendar.ics", NULL, calendar_links_feed, NULL, 0},
    {"GET", "/v1/reference/skills", NULL, activity_skills, NULL, ROUTE_REPLICA_OK},
    {"GET", "/v1/reference/{list}", NULL, reference_list, NULL, 0},
    {"POST", "/v1/visits", "activity:write", activity_visit, NULL, 0},
    {"POST", "/v1/assessments", "activity:write", activity_assessment, NULL, 0},
    {"POST", "/v1/feedback", "activity:write", activity_feedback, NULL, 0},
    {"POST", "/v1/devices", "devices:write", devices_create, NULL, 0},
    {"GET", "/v1/devices/{id}", "devices:write", devices_get, NULL, 0},
    {"POST", "/v1/devices/{id}/events", "devices:write", devices_add_event, NULL, 0},
    {"GET", "/v1/devices/{id}/events", "devices:write", devices_events, NULL, 0},
    {"GET", "/v1/indicators", "indicators:read", indicators_list, indicators_query, 0},
    {"GET", "/v1/indicators/by-commune", "indicators:read", indicators_by_commune, indicators_by_query, 0},
    {"GET", "/v1/indicators/by-place", "admin", indicators_by_place, indicators_by_query, 0},
    {"GET", "/v1/indicators/by-org", "admin", indicators_by_org, indicators_by_query, 0},
    {"GET", "/v1/indicators/routes", "indicators:read", indicators_routes, indicators_routes_query, 0},
    {"GET", "/v1/indicators/{code}/series", "indicators:read", indicators_series, indicators_series_query, 0},
    {"GET", "/v1/dashboard-links", "indicators:read", dashboard_links_list, NULL, 0},
    {"POST", "/v1/dashboard-links", "indicators:read", dashboard_links_create, NULL, 0},
    {"DELETE", "/v1/dashboard-links/{id}", "indicators:read", dashboard_links_revoke, NULL, 0},
    {"GET", "/v1/targets", "indicators:read", indicators_targets, indicators_targets_query, 0},
    {"PUT", "/v1/targets/{code}", "admin", indicators_put_target, NULL, 0},
    {"GET", "/v1/referrals", "referrals:read", referrals_list, referrals_list_query, 0},
    {"POST", "/v1/referrals", "referrals:write", referrals_create, NULL, 0},
    {"GET", "/v1/referrals/{id}", "referrals:read", referrals_get, NULL, 0},
    {"POST", "/v1/referrals/{id}/events", "referrals:write", referrals_add_event, NULL, 0},
    {"GET", "/v1/referrals/{id}/events", "referrals:read", referrals_events, NULL, 0},
    {"GET", "/v1/referrals/{id}/access-log", "referrals:read", referrals_access_log, NULL, 0},
    {"POST", "/v1/webhooks", "webhooks:write", webhooks_create, NULL, 0},
    {"GET", "/v1/webhooks", "webhooks:write", webhooks_list, NULL, 0},
    {"GET", "/v1/webhooks/{id}", "webhooks:write", webhooks_get, NULL, 0},
    {"PATCH", "/v1/webhooks/{id}", "webhooks:write", webhooks_update, NULL, 0},
    {"DELETE", "/v1/webhooks/{id}", "webhooks:write", webhooks_delete, NULL, 0},
    {"POST", "/v1/webhooks/{id}/secret", "webhooks:write", webhooks_rotate, NULL, 0},
    {"POST", "/v1/webhooks/{id}/ping", "webhooks:write", webhooks_ping, NULL, 0},
    {"GET", "/v1/webhooks/{id}/deliveries", "webhooks:write", webhooks_deliveries, webhooks_deliveries_query, 0},
    {"POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/retry", "webhooks:write", webhooks_retry, NULL, 0},
    {"POST", "/v1/series/{id}/registrations", "registrations:write", registrations_create_series, NULL, 0},
    {"POST", "/v1/workshops", "workshops:write", workshops_create, NULL, 0},
    {"GET", "/v1/workshops/{id}", "workshops:read", workshops_get, NULL, ROUTE_REPLICA_OK | ROUTE_OPEN_DATA},
    {"PATCH", "/v1/workshops/{id}", "workshops:write", workshops_update, NULL, 0},
    {"POST", "/v1/workshops/{id}/cancel", "workshops:write", workshops_cancel, NULL, 0},
    {"GET", "/v1/workshops/{id}/registrations", ROUTE_ANY_TOKEN, registrations_list, NULL, 0},
    {"POST", "/v1/workshops/{id}/registrations", "registrations:write", registrations_create, NULL, 0},
    {"GET", "/v1/workshops/{id}/registrations/{rid}", ROUTE_ANY_TOKEN, registrations_get, NULL, 0},
    {"PATCH", "/v1/workshops/{id}/registrations/{rid}", "workshops:write", registrations_update, NULL, 0},
    {"DELETE", "/v1/workshops/{id}/registrations/{rid}", "registrations:write", registrations_delete, NULL, 0},
};
/* clang-format on */

const size_t routes_count = sizeof routes / sizeof routes[0];
