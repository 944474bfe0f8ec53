/* mobile_unit_visits (issue #14): the people counted by the mobile units are
 * the visits recorded at a stop of a mobile unit and the visits recorded at
 * an itinerant place itself (`itinerance` holds `itinerant`, the bus
 * numérique), each visit once; a visit at a fixed place never counts. Read
 * from the rollups (one filter: org) and from the inputs (two filters), after
 * new visits and after a place becomes itinerant.
 *
 * The database is shared: the test records everything as an organisation of
 * its own and reads with org=<its slug>. */
#include "support/expect.h"
#include "support/fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIRANDE "32256"
#define MIELAN  "32252"

static char *admin;

static void start(void)
{
    /* small-cell suppression alone: the tests read their own organisation's days */
    static const char *const env[] = {"INDICATORS_DISCLOSURE=cell", NULL};
    fixture_start_with(env);
    fixture_token(&admin, "gers-numerique", "admin");
}

TestSuite(mobile_unit_visits, .init = start, .fini = fixture_stop, .timeout = 120);

struct unit {
    char org[64];
    char *token;
    char fixed[64], bus[64], stop[64];
};

static void create_place(struct unit *u, bool itinerant, char *id, size_t cap)
{
    char tag[64], name[128];
    test_nonce("muv", tag, sizeof tag);
    snprintf(name, sizeof name, "Lieu des visites %s", tag);
    post_created("/v1/places", u->token,
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s]}", "source",
                           "integration-tests", "source_id", tag, "pivot", "00000000000000", "name",
                           name, "street", "1 rue de l'Essai", "postal_code", "32300", "commune",
                           "Mirande", "insee_code", MIRANDE, "latitude", 43.513985, "longitude",
                           0.400199, "itinerance", itinerant ? "itinerant" : "fixe"),
                 NULL, id, cap);
}

/* An organisation of its own; a fixed place and a mobile unit in Mirande, the
 * unit's stop in Miélan. */
static void unit_build(struct unit *u)
{
    memset(u, 0, sizeof *u);
    test_nonce("test-muv-", u->org, sizeof u->org);
    for (char *p = u->org; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    post_created("/v1/organizations", admin,
                 json_pack("{s:s, s:s, s:s}", "slug", u->org, "name", "Association des visites",
                           "kind", "association"),
                 NULL, NULL, 0);
    u->token = test_token(u->org, "places:read places:write activity:write indicators:read");
    create_place(u, false, u->fixed, sizeof u->fixed);
    create_place(u, true, u->bus, sizeof u->bus);
    char path[160];
    snprintf(path, sizeof path, "/v1/places/%s/stops", u->bus);
    post_created(path, u->token,
                 json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "starts_at",
                           "2031-03-04T09:30:00+01:00", "ends_at", "2031-03-04T12:30:00+01:00",
                           "insee_code", MIELAN, "address", "Place de la mairie", "latitude",
                           43.42938, "longitude", 0.309431),
                 NULL, u->stop, sizeof u->stop);
}

/* `count` people an hour ago at the stop ("stop_id") or at a place ("place_id"). */
static void visit(struct unit *u, const char *member, const char *id, int count)
{
    char at[40];
    rfc3339_utc(time(NULL) - 3600, at, sizeof at);
    post_created("/v1/visits", u->token,
                 json_pack("{s:s, s:s, s:i, s:s}", member, id, "visited_at", at, "count", count,
                           "purpose", "digital_support"),
                 NULL, NULL, 0);
}

/* The sample_size of mobile_unit_visits for org=<the unit's> and `extra`
 * (another filter, "" for none): the people counted. */
static long counted(struct unit *u, const char *extra)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/indicators?org=%s%s", u->org, extra);
    struct response *r = api_call(true, "GET", path, u->token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r);
    long n = -1;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i, item)
    {
        if (strcmp(json_str(item, "code"), "mobile_unit_visits") == 0)
            n = (long)json_integer_value(json_object_get(item, "sample_size"));
    }
    json_decref(body);
    response_free(r);
    return n;
}

Test(mobile_unit_visits, count_the_stops_and_the_itinerant_places_once_each)
{
    struct unit u;
    unit_build(&u);
    visit(&u, "stop_id", u.stop, 5);
    visit(&u, "place_id", u.bus, 6);
    visit(&u, "place_id", u.fixed, 7);
    char bus[128], fixed[128];
    snprintf(bus, sizeof bus, "&place_id=%s", u.bus);
    snprintf(fixed, sizeof fixed, "&place_id=%s", u.fixed);

    cr_expect_eq(counted(&u, ""), 11, "the stop's 5 and the unit's own 6 (rollups)");
    cr_expect_eq(counted(&u, bus), 11, "place_id = the unit: its stop's and its own (inputs)");
    cr_expect_eq(counted(&u, fixed), 0, "a fixed place's visits never count");
    cr_expect_eq(counted(&u, "&commune=" MIRANDE), 6, "in Mirande: the unit's own visits");
    cr_expect_eq(counted(&u, "&commune=" MIELAN), 5, "in Miélan: the stop's");

    /* a visit recorded after a read shows at the next one */
    visit(&u, "place_id", u.bus, 4);
    cr_expect_eq(counted(&u, ""), 15, "the new visit at the unit (rollups)");
    cr_expect_eq(counted(&u, bus), 15, "the new visit at the unit (inputs)");

    /* the fixed place becomes itinerant: its visits count from then on */
    char path[128];
    snprintf(path, sizeof path, "/v1/places/%s", u.fixed);
    struct response *r =
        api_call_json("PATCH", path, u.token, json_pack("{s:[s]}", "itinerance", "itinerant"));
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    response_free(r);
    cr_expect_eq(counted(&u, ""), 22, "the place now itinerant (rollups)");
    cr_expect_eq(counted(&u, fixed), 7, "the place now itinerant (inputs)");
    cr_expect_eq(counted(&u, "&commune=" MIRANDE), 17, "in Mirande: both places' own visits");
    free(u.token);
}
