/* Reconditioned devices: POST /v1/devices, GET /v1/devices/{id}, and their
 * events (POST and GET /v1/devices/{id}/events): the chain collected → wiped
 * → refurbished → distributed → returned → wiped → …, the rule that no
 * device reaches a household unwiped (409 not-wiped), the other impossible
 * moves (409 impossible-move), the details of each event checked member by
 * member, the history, 404s and the scope.
 *
 * The database is shared with other tests running in parallel: every device
 * here is created by the test that uses it (an inventory_ref with a nonce). */
#include "support/expect.h"
#include "support/fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NO_SUCH_ID       "00000000-0000-4000-8000-000000000000"
#define PROBLEM          "urn:inclusion-api:problem:"
#define NOT_WIPED_DETAIL "This device was not wiped: no resident receives someone else's data."
#define ORG              "france-services-mirande"
#define REFURBISHER      "la-poste-gers"
#define DISTRIBUTOR      "caf-gers"

/* three organisations with devices:write: the collecting partner, a
 * refurbisher, a distributor; then tokens without the scope */
static char *collector, *refurbisher, *distributor, *activity_only, *builder;

static void start(void)
{
    fixture_start();
    fixture_token(&collector, ORG, "devices:write");
    fixture_token(&refurbisher, REFURBISHER, "devices:write");
    fixture_token(&distributor, DISTRIBUTOR, "devices:write");
    fixture_token(&activity_only, ORG, "activity:write");
    fixture_token(&builder, ORG, "places:read places:write");
}

TestSuite(devices, .init = start, .fini = fixture_stop, .timeout = 90);

/* ---- helpers ------------------------------------------------------------ */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static bool has_error(struct response *r, const char *field, const char *message)
{
    json_t *body = response_json(r), *e;
    size_t i;
    bool found = false;
    json_array_foreach(json_object_get(body, "errors"), i, e)
    {
        const char *f = json_str(e, "field"), *m = json_str(e, "message");
        if (f && strcmp(f, field) == 0 && (!message || (m && strcmp(m, message) == 0)))
            found = true;
    }
    json_decref(body);
    return found;
}

/* An entry of errors names prefix or a field below it (prefix. or prefix[). */
static bool has_error_under(struct response *r, const char *prefix)
{
    json_t *body = response_json(r), *e;
    size_t i, n = strlen(prefix);
    bool found = false;
    json_array_foreach(json_object_get(body, "errors"), i, e)
    {
        const char *f = json_str(e, "field");
        if (f && strncmp(f, prefix, n) == 0 && (f[n] == '\0' || f[n] == '.' || f[n] == '['))
            found = true;
    }
    json_decref(body);
    return found;
}

/* A problem of this status and type (the URN's last part) whose detail
 * contains `word` (unless NULL); frees r. */
static void expect_problem(struct response *r, long status, const char *type, const char *word,
                           const char *what)
{
    char urn[128];
    snprintf(urn, sizeof urn, PROBLEM "%s", type);
    json_t *body = response_json(r);
    cr_expect_eq(r->status, status, "%s: %ld %s", what, r->status, r->body);
    cr_expect_str_eq(or_empty(json_str(body, "type")), urn, "%s: %s", what, r->body);
    if (word)
        cr_expect(json_str(body, "detail") && strstr(json_str(body, "detail"), word),
                  "%s: the detail names %s: %s", what, word, r->body);
    json_decref(body);
    response_free(r);
}

/* A 422 validation problem naming field (and message unless NULL); frees r. */
static void expect_422(struct response *r, const char *field, const char *message, const char *what)
{
    cr_expect(has_error(r, field, message), "%s: names %s%s%s: %s", what, field,
              message ? " with " : "", message ? message : "", r->body);
    expect_problem(r, 422, "validation", NULL, what);
}

static json_t *device_doc(const char *inventory_ref)
{
    char at[40];
    rfc3339_utc(time(NULL) - 86400, at, sizeof at);
    return json_pack("{s:s, s:s, s:s, s:s}", "type", "laptop", "origin", "company", "collected_at",
                     at, "inventory_ref", inventory_ref);
}

/* A new device collected by ORG (asserts 201); its id into id. */
static void create_device(char *id, size_t cap)
{
    char ref[64];
    test_nonce("dev", ref, sizeof ref);
    struct response *r = api_call_json("POST", "/v1/devices", collector, device_doc(ref));
    cr_assert_eq(r->status, 201, "create: %ld %s", r->status, r->body);
    json_t *d = response_json(r);
    response_free(r);
    snprintf(id, cap, "%s", or_empty(json_str(d, "id")));
    json_decref(d);
    cr_assert(id[0], "the device has an id");
}

static struct response *post_event(const char *token, const char *id, json_t *doc)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/devices/%s/events", id);
    return api_call_json("POST", path, token, doc);
}

/* Posts an event (asserts 201, checks its common members); returns it. */
static json_t *event_ok(const char *token, const char *org, const char *id, json_t *doc,
                        const char *from, const char *to)
{
    char type[32];
    snprintf(type, sizeof type, "%s", or_empty(json_str(doc, "type")));
    struct response *r = post_event(token, id, doc);
    cr_assert_eq(r->status, 201, "%s: %ld %s", type, r->status, r->body);
    json_t *e = response_json(r);
    response_free(r);
    cr_expect(json_is_integer(json_object_get(e, "id")), "%s: an integer id", type);
    cr_expect_str_eq(or_empty(json_str(e, "device_id")), id);
    cr_expect_str_eq(or_empty(json_str(e, "type")), type);
    cr_expect_str_eq(or_empty(json_str(e, "org")), org, "%s: the acting organisation", type);
    cr_expect_str_eq(or_empty(json_str(e, "actor")), "test", "%s: the token's sub", type);
    cr_expect_str_eq(or_empty(json_str(e, "from_status")), from, "%s: from", type);
    cr_expect_str_eq(or_empty(json_str(e, "to_status")), to, "%s: to", type);
    cr_expect(json_str(e, "at") != NULL, "%s: at", type);
    cr_expect(json_object_get(e, "details") != NULL, "%s: details", type);
    cr_expect_eq(json_object_size(e), 9, "%s: the 9 members of the Event: %zu", type,
                 json_object_size(e));
    return e;
}

/* The device (asserts 200). */
static json_t *get_device(const char *token, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/devices/%s", id);
    struct response *r = api_call_json("GET", path, token, NULL);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    json_t *d = response_json(r);
    response_free(r);
    return d;
}

static void expect_device(const char *id, const char *status, bool wiped, const char *what)
{
    json_t *d = get_device(collector, id);
    cr_expect_str_eq(or_empty(json_str(d, "status")), status, "%s: status", what);
    cr_expect(json_is_boolean(json_object_get(d, "wiped")) &&
                  json_is_true(json_object_get(d, "wiped")) == wiped,
              "%s: wiped %d", what, wiped);
    cr_expect_str_eq(or_empty(json_str(d, "collected_by")), ORG, "%s: still collected by %s", what,
                     ORG);
    json_decref(d);
}

/* The history (asserts 200 and next_cursor null). Whether the creation is an
 * event is not said: a leading `collected` one (from_status null) is checked
 * and dropped, so the items are the events POSTed. */
static json_t *history(const char *token, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/devices/%s/events", id);
    struct response *r = api_call_json("GET", path, token, NULL);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    json_t *items = json_incref(json_object_get(body, "items"));
    cr_expect(json_is_null(json_object_get(body, "next_cursor")), "next_cursor null");
    json_decref(body);
    cr_assert(json_is_array(items), "items");
    json_t *first = json_array_get(items, 0);
    if (first && !json_str(first, "from_status") &&
        strcmp(or_empty(json_str(first, "type")), "collected") == 0) {
        cr_expect_str_eq(or_empty(json_str(first, "to_status")), "collected");
        cr_expect_str_eq(or_empty(json_str(first, "org")), ORG);
        json_array_remove(items, 0);
    }
    return items;
}

static json_t *wiped_doc(void)
{
    char cert[64];
    test_nonce("dev", cert, sizeof cert);
    return json_pack("{s:s, s:{s:s, s:s}}", "type", "wiped", "details", "method",
                     "software_overwrite", "certificate_ref", cert);
}

static json_t *refurbished_doc(void)
{
    return json_pack("{s:s, s:{s:s, s:[s, s]}}", "type", "refurbished", "details", "grade", "B",
                     "parts_replaced", "batterie", "clavier");
}

/* A distribution in Mirande; price < 0: no price member. */
static json_t *distributed_doc(const char *mode, double price)
{
    json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "distributed", "details", "mode",
                            mode, "commune", "32256", "household_ref", "foyer-mirande-0042");
    if (price >= 0)
        json_object_set_new(json_object_get(doc, "details"), "price", json_real(price));
    return doc;
}

static json_t *bare_doc(const char *type)
{
    return json_pack("{s:s}", "type", type);
}

/* ---- creation and reading ------------------------------------------------------ */

Test(devices, a_device_is_created_collected_and_read_back)
{
    char ref[64], at[40], location[256], expected[256];
    test_nonce("dev", ref, sizeof ref);
    rfc3339_utc(time(NULL) - 3 * 86400, at, sizeof at);
    struct response *r =
        api_call_json("POST", "/v1/devices", collector,
                      json_pack("{s:s, s:s, s:s, s:s}", "type", "tablet", "origin",
                                "administration", "collected_at", at, "inventory_ref", ref));
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    json_t *d = response_json(r);
    snprintf(expected, sizeof expected, "/v1/devices/%s", or_empty(json_str(d, "id")));
    cr_expect_str_eq(or_empty(response_header(r, "Location", location, sizeof location)), expected);
    response_free(r);
    cr_expect(json_str(d, "id") && json_str(d, "id")[0], "an id");
    cr_expect_str_eq(or_empty(json_str(d, "collected_by")), ORG);
    cr_expect_str_eq(or_empty(json_str(d, "type")), "tablet");
    cr_expect_str_eq(or_empty(json_str(d, "origin")), "administration");
    cr_expect_str_eq(or_empty(json_str(d, "inventory_ref")), ref);
    cr_expect_str_eq(or_empty(json_str(d, "status")), "collected");
    cr_expect(json_is_false(json_object_get(d, "wiped")), "not wiped");
    cr_expect_eq(rfc3339_seconds(json_str(d, "collected_at")), rfc3339_seconds(at));
    cr_expect(json_str(d, "created_at") && json_str(d, "updated_at"), "created_at, updated_at");
    cr_expect_eq(json_object_size(d), 10, "the 10 members of the Device: %zu", json_object_size(d));

    /* read back, by the collector and by another organisation with devices:write */
    json_t *back = get_device(collector, json_str(d, "id"));
    cr_expect(json_equal(back, d), "GET gives the Device created");
    json_decref(back);
    back = get_device(refurbisher, json_str(d, "id"));
    cr_expect(json_equal(back, d), "another partner reads the same Device");
    json_decref(back);

    /* inventory_ref is optional: null when absent */
    r = api_call_json("POST", "/v1/devices", collector,
                      json_pack("{s:s, s:s, s:s}", "type", "smartphone", "origin", "individual",
                                "collected_at", at));
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    json_t *plain = response_json(r);
    response_free(r);
    cr_expect(json_is_null(json_object_get(plain, "inventory_ref")), "inventory_ref null");
    json_t *events = history(collector, json_str(d, "id"));
    cr_expect_eq(json_array_size(events), 0, "no event recorded yet");
    json_decref(events);
    json_decref(plain);
    json_decref(d);
}

Test(devices, a_new_device_is_checked_member_by_member)
{
    char ref[64], ahead[40], long_ref[66];
    test_nonce("dev", ref, sizeof ref);
    struct {
        const char *member;
        json_t *value;
    } bad[] = {
        {"type", json_string("printer")},
        {"type", json_null()},
        {"origin", json_string("school")},
        {"collected_at", json_string("last week")},
        {"inventory_ref", json_string("")},
        {"inventory_ref", NULL},
        {"collected_at", NULL},
        {"status", json_string("wiped")},
        {"wiped", json_true()},
        {"collected_by", json_string(DISTRIBUTOR)},
        {"id", json_string(NO_SUCH_ID)},
        {"serial_number", json_string("SN-1")},
    };
    memset(long_ref, 'i', 65);
    long_ref[65] = '\0';
    bad[5].value = json_string(long_ref);
    rfc3339_utc(time(NULL) + 3600, ahead, sizeof ahead);
    bad[6].value = json_string(ahead);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = device_doc(ref);
        json_object_set_new(doc, bad[i].member, bad[i].value);
        const char *message = i >= 7 && i <= 10 ? "is read-only"
                              : i == 11         ? "is not a known field"
                                                : NULL;
        expect_422(api_call_json("POST", "/v1/devices", collector, doc), bad[i].member, message,
                   bad[i].member);
    }
    const char *required[] = {"type", "origin", "collected_at"};
    for (size_t i = 0; i < 3; i++) {
        json_t *doc = device_doc(ref);
        json_object_del(doc, required[i]);
        expect_422(api_call_json("POST", "/v1/devices", collector, doc), required[i], NULL,
                   required[i]);
    }
}

/* ---- the chain ---------------------------------------------------------------- */

Test(devices, the_whole_chain_from_collection_to_a_second_distribution_and_recycling)
{
    char id[64], at[40];
    create_device(id, sizeof id);
    expect_device(id, "collected", false, "collected");

    rfc3339_utc(time(NULL) - 3600, at, sizeof at);
    json_t *doc = wiped_doc();
    json_object_set_new(doc, "at", json_string(at));
    char cert[64];
    snprintf(cert, sizeof cert, "%s",
             or_empty(json_str(json_object_get(doc, "details"), "certificate_ref")));
    json_t *e = event_ok(collector, ORG, id, doc, "collected", "wiped");
    cr_expect_eq(rfc3339_seconds(json_str(e, "at")), rfc3339_seconds(at), "the given at");
    cr_expect_str_eq(or_empty(json_str(json_object_get(e, "details"), "method")),
                     "software_overwrite");
    cr_expect_str_eq(or_empty(json_str(json_object_get(e, "details"), "certificate_ref")), cert);
    json_decref(e);
    expect_device(id, "wiped", true, "wiped");

    e = event_ok(refurbisher, REFURBISHER, id, refurbished_doc(), "wiped", "refurbished");
    cr_expect(fabs(rfc3339_seconds(json_str(e, "at")) - (double)time(NULL)) < 120,
              "at defaults to now");
    cr_expect_str_eq(or_empty(json_str(json_object_get(e, "details"), "grade")), "B");
    cr_expect_eq(json_array_size(json_object_get(json_object_get(e, "details"), "parts_replaced")),
                 2);
    json_decref(e);
    expect_device(id, "refurbished", true, "refurbished");

    e = event_ok(distributor, DISTRIBUTOR, id, distributed_doc("sale", 25.5), "refurbished",
                 "distributed");
    json_t *details = json_object_get(e, "details");
    cr_expect_str_eq(or_empty(json_str(details, "mode")), "sale");
    cr_expect(fabs(json_number_value(json_object_get(details, "price")) - 25.5) < 1e-9,
              "price 25.5");
    cr_expect_str_eq(or_empty(json_str(details, "commune")), "32256");
    cr_expect_str_eq(or_empty(json_str(details, "household_ref")), "foyer-mirande-0042");
    json_decref(e);
    expect_device(id, "distributed", true, "distributed");

    json_decref(
        event_ok(distributor, DISTRIBUTOR, id, bare_doc("returned"), "distributed", "returned"));
    expect_device(id, "returned", false, "returned: a household used it");

    doc = wiped_doc();
    json_object_set_new(json_object_get(doc, "details"), "method",
                        json_string("cryptographic_erase"));
    json_decref(event_ok(refurbisher, REFURBISHER, id, doc, "returned", "wiped"));
    expect_device(id, "wiped", true, "wiped again");

    doc = distributed_doc("donation", -1);
    json_object_set_new(json_object_get(doc, "details"), "commune", json_string("32013"));
    e = event_ok(distributor, DISTRIBUTOR, id, doc, "wiped", "distributed");
    cr_expect_str_eq(or_empty(json_str(json_object_get(e, "details"), "mode")), "donation");
    cr_expect_str_eq(or_empty(json_str(json_object_get(e, "details"), "commune")), "32013");
    json_decref(e);
    expect_device(id, "distributed", true, "given away");

    json_decref(
        event_ok(distributor, DISTRIBUTOR, id, bare_doc("returned"), "distributed", "returned"));
    expect_device(id, "returned", false, "returned again");
    json_decref(event_ok(collector, ORG, id, bare_doc("recycled"), "returned", "recycled"));
    json_t *d = get_device(collector, id);
    cr_expect_str_eq(or_empty(json_str(d, "status")), "recycled");
    json_decref(d);

    json_t *events = history(refurbisher, id);
    cr_expect_eq(json_array_size(events), 8, "eight events: %zu", json_array_size(events));
    json_decref(events);
}

Test(devices, every_move_the_spec_allows_is_accepted)
{
    /* wiped → distributed directly (no refurbishing), as a loan at price 0 */
    char id[64];
    create_device(id, sizeof id);
    json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
    json_decref(
        event_ok(distributor, DISTRIBUTOR, id, distributed_doc("loan", 0), "wiped", "distributed"));
    /* recycled from collected, from wiped, from refurbished */
    const char *before[] = {"collected", "wiped", "refurbished"};
    for (int k = 0; k < 3; k++) {
        create_device(id, sizeof id);
        if (k >= 1)
            json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
        if (k >= 2)
            json_decref(
                event_ok(refurbisher, REFURBISHER, id, refurbished_doc(), "wiped", "refurbished"));
        json_decref(
            event_ok(refurbisher, REFURBISHER, id, bare_doc("recycled"), before[k], "recycled"));
        json_t *d = get_device(collector, id);
        cr_expect_str_eq(or_empty(json_str(d, "status")), "recycled", "recycled from %s",
                         before[k]);
        json_decref(d);
    }
    /* a distribution at one of the partner's live places, without a price (donation) */
    char tag[64], place[64];
    test_nonce("dev", tag, sizeof tag);
    struct response *r =
        api_call_json("POST", "/v1/places", builder,
                      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                                "integration-tests", "source_id", tag, "pivot", "00000000000000",
                                "name", "Ressourcerie d'essai", "street", "1 rue de l'Essai",
                                "postal_code", "32300", "commune", "Mirande", "insee_code", "32256",
                                "latitude", 43.513985, "longitude", 0.400199));
    cr_assert_eq(r->status, 201, "place: %ld %s", r->status, r->body);
    json_t *p = response_json(r);
    response_free(r);
    snprintf(place, sizeof place, "%s", or_empty(json_str(p, "id")));
    json_decref(p);
    create_device(id, sizeof id);
    json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
    json_t *doc = distributed_doc("donation", -1);
    json_object_set_new(json_object_get(doc, "details"), "place_id", json_string(place));
    json_t *e = event_ok(distributor, DISTRIBUTOR, id, doc, "wiped", "distributed");
    cr_expect_str_eq(or_empty(json_str(json_object_get(e, "details"), "place_id")), place);
    json_decref(e);
}

/* ---- refusals ------------------------------------------------------------------- */

Test(devices, refurbishing_or_distributing_a_device_never_wiped_is_409_not_wiped)
{
    char id[64];
    create_device(id, sizeof id);
    struct response *r = post_event(refurbisher, id, refurbished_doc());
    json_t *body = response_json(r);
    cr_expect_str_eq(or_empty(json_str(body, "detail")), NOT_WIPED_DETAIL, "the spec's detail");
    json_decref(body);
    expect_problem(r, 409, "not-wiped", NULL, "refurbishing a collected device");
    const char *modes[] = {"sale", "loan", "donation"};
    for (size_t i = 0; i < 3; i++)
        expect_problem(post_event(distributor, id, distributed_doc(modes[i], i == 0 ? 25.5 : -1)),
                       409, "not-wiped", NULL, modes[i]);
    expect_device(id, "collected", false, "still collected");
    json_t *events = history(collector, id);
    cr_expect_eq(json_array_size(events), 0, "nothing recorded");
    json_decref(events);
}

Test(devices, a_returned_device_must_be_wiped_again_before_it_leaves)
{
    char id[64];
    create_device(id, sizeof id);
    json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
    json_decref(event_ok(distributor, DISTRIBUTOR, id, distributed_doc("loan", -1), "wiped",
                         "distributed"));
    json_decref(
        event_ok(distributor, DISTRIBUTOR, id, bare_doc("returned"), "distributed", "returned"));
    expect_problem(post_event(distributor, id, distributed_doc("donation", -1)), 409, "not-wiped",
                   NULL, "distributing a returned device");
    expect_problem(post_event(refurbisher, id, refurbished_doc()), 409, "not-wiped", NULL,
                   "refurbishing a returned device");
    expect_device(id, "returned", false, "still returned");
    /* once wiped again it may leave */
    json_decref(event_ok(refurbisher, REFURBISHER, id, wiped_doc(), "returned", "wiped"));
    json_decref(event_ok(distributor, DISTRIBUTOR, id, distributed_doc("donation", -1), "wiped",
                         "distributed"));
}

Test(devices, other_impossible_moves_are_409_naming_the_current_status)
{
    char id[64];
    create_device(id, sizeof id);
    expect_problem(post_event(collector, id, bare_doc("returned")), 409, "impossible-move",
                   "collected", "returned from collected");
    json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
    expect_problem(post_event(collector, id, wiped_doc()), 409, "impossible-move", "wiped",
                   "wiped twice");
    expect_problem(post_event(collector, id, bare_doc("returned")), 409, "impossible-move", "wiped",
                   "returned from wiped");
    json_decref(event_ok(refurbisher, REFURBISHER, id, refurbished_doc(), "wiped", "refurbished"));
    expect_problem(post_event(refurbisher, id, refurbished_doc()), 409, "impossible-move",
                   "refurbished", "refurbished twice");
    expect_problem(post_event(refurbisher, id, wiped_doc()), 409, "impossible-move", "refurbished",
                   "wiped from refurbished");
    json_decref(event_ok(distributor, DISTRIBUTOR, id, distributed_doc("sale", 40), "refurbished",
                         "distributed"));
    json_t *from_distributed[] = {distributed_doc("sale", 40), refurbished_doc(), wiped_doc(),
                                  bare_doc("recycled")};
    for (size_t i = 0; i < 4; i++)
        expect_problem(post_event(distributor, id, from_distributed[i]), 409, "impossible-move",
                       "distributed", "a move from distributed");
    expect_device(id, "distributed", true, "still distributed");

    /* nothing after recycled, from a wiped device or a collected one */
    char done[64];
    create_device(done, sizeof done);
    json_decref(event_ok(collector, ORG, done, wiped_doc(), "collected", "wiped"));
    json_decref(event_ok(collector, ORG, done, bare_doc("recycled"), "wiped", "recycled"));
    json_t *after[] = {wiped_doc(), refurbished_doc(), distributed_doc("donation", -1),
                       bare_doc("returned"), bare_doc("recycled")};
    for (size_t i = 0; i < 5; i++)
        expect_problem(post_event(refurbisher, done, after[i]), 409, "impossible-move", "recycled",
                       "after recycled");
    create_device(done, sizeof done);
    json_decref(event_ok(collector, ORG, done, bare_doc("recycled"), "collected", "recycled"));
    json_t *after_collected[] = {wiped_doc(), bare_doc("returned"), bare_doc("recycled")};
    for (size_t i = 0; i < 3; i++)
        expect_problem(post_event(collector, done, after_collected[i]), 409, "impossible-move",
                       "recycled", "after recycled (never wiped)");
    json_t *d = get_device(collector, done);
    cr_expect_str_eq(or_empty(json_str(d, "status")), "recycled");
    json_decref(d);
}

Test(devices, a_wiped_or_refurbished_event_is_checked_detail_by_detail)
{
    char id[64], long_cert[102];
    create_device(id, sizeof id);
    json_t *doc = wiped_doc();
    json_object_del(json_object_get(doc, "details"), "certificate_ref");
    expect_422(post_event(collector, id, doc), "details.certificate_ref", NULL, "no certificate");
    memset(long_cert, 'c', 101);
    long_cert[101] = '\0';
    doc = wiped_doc();
    json_object_set_new(json_object_get(doc, "details"), "certificate_ref", json_string(long_cert));
    expect_422(post_event(collector, id, doc), "details.certificate_ref", NULL, "101 characters");
    doc = wiped_doc();
    json_object_set_new(json_object_get(doc, "details"), "method", json_string("hammer"));
    expect_422(post_event(collector, id, doc), "details.method", NULL, "a bad method");
    doc = wiped_doc();
    json_object_del(json_object_get(doc, "details"), "method");
    expect_422(post_event(collector, id, doc), "details.method", NULL, "no method");
    doc = wiped_doc();
    json_object_set_new(json_object_get(doc, "details"), "operator", json_string("Jean"));
    expect_422(post_event(collector, id, doc), "details.operator", "is not a known field",
               "an unknown detail");
    /* without details: `details` or its required members are named (the spec says
     * neither which) */
    doc = wiped_doc();
    json_object_del(doc, "details");
    struct response *r = post_event(collector, id, doc);
    cr_expect(has_error(r, "details", NULL) || has_error(r, "details.method", NULL),
              "no details at all: %s", r->body);
    expect_problem(r, 422, "validation", NULL, "no details at all");
    expect_device(id, "collected", false, "none of these wiped it");

    json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
    doc = refurbished_doc();
    json_object_set_new(json_object_get(doc, "details"), "grade", json_string("D"));
    expect_422(post_event(refurbisher, id, doc), "details.grade", NULL, "grade D");
    doc = refurbished_doc();
    json_object_del(json_object_get(doc, "details"), "grade");
    expect_422(post_event(refurbisher, id, doc), "details.grade", NULL, "no grade");
    json_t *parts = json_array();
    for (int i = 0; i < 21; i++)
        json_array_append_new(parts, json_string("vis"));
    doc = refurbished_doc();
    json_object_set_new(json_object_get(doc, "details"), "parts_replaced", parts);
    expect_422(post_event(refurbisher, id, doc), "details.parts_replaced", NULL, "21 parts");
    /* a bad part is named details.parts_replaced or below it (….1, …[1]: not said) */
    doc = refurbished_doc();
    json_object_set_new(json_object_get(doc, "details"), "parts_replaced",
                        json_pack("[s, s]", "écran", ""));
    r = post_event(refurbisher, id, doc);
    cr_expect(has_error_under(r, "details.parts_replaced"), "an empty part: %s", r->body);
    expect_problem(r, 422, "validation", NULL, "an empty part");
    doc = refurbished_doc();
    json_object_set_new(json_object_get(doc, "details"), "parts_replaced", json_string("écran"));
    expect_422(post_event(refurbisher, id, doc), "details.parts_replaced", NULL, "not an array");
    expect_device(id, "wiped", true, "none of these refurbished it");
}

Test(devices, a_distribution_is_checked_detail_by_detail)
{
    char id[64];
    create_device(id, sizeof id);
    json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
    expect_422(post_event(distributor, id, distributed_doc("sale", -1)), "details.price", NULL,
               "a sale without a price");
    expect_422(post_event(distributor, id, distributed_doc("donation", 10)), "details.price", NULL,
               "a donation at 10 euros");
    expect_422(post_event(distributor, id, distributed_doc("loan", 5)), "details.price", NULL,
               "a loan at 5 euros");
    const double prices[] = {12.345, -1e-2, 10000.01, -5};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        json_t *doc = distributed_doc("sale", 0);
        json_object_set_new(json_object_get(doc, "details"), "price", json_real(prices[i]));
        expect_422(post_event(distributor, id, doc), "details.price", NULL, "a bad price");
    }
    json_t *doc = distributed_doc("sale", 0);
    json_object_set_new(json_object_get(doc, "details"), "price", json_string("25.50"));
    expect_422(post_event(distributor, id, doc), "details.price", NULL, "a price as a string");

    struct {
        const char *member;
        json_t *value;
        const char *field, *message;
    } bad[] = {
        {"commune", json_string("99999"), "details.commune", "no such commune"},
        {"commune", json_string("31555"), "details.commune", "no such commune"},
        {"commune", NULL, "details.commune", NULL},
        {"household_ref", json_string("josette.dupin@example.fr"), "details.household_ref", NULL},
        {"household_ref", json_string(""), "details.household_ref", NULL},
        {"household_ref", NULL, "details.household_ref", NULL},
        {"mode", json_string("gift"), "details.mode", NULL},
        {"mode", NULL, "details.mode", NULL},
        {"place_id", json_string(NO_SUCH_ID), "details.place_id", NULL},
        {"household_name", json_string("Dupin"), "details.household_name", "is not a known field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        doc = distributed_doc("donation", -1);
        json_t *details = json_object_get(doc, "details");
        if (bad[i].value)
            json_object_set_new(details, bad[i].member, bad[i].value);
        else
            json_object_del(details, bad[i].member);
        expect_422(post_event(distributor, id, doc), bad[i].field, bad[i].message, bad[i].field);
    }
    expect_device(id, "wiped", true, "none of these distributed it");

    /* the limits themselves are prices */
    json_decref(event_ok(distributor, DISTRIBUTOR, id, distributed_doc("sale", 10000), "wiped",
                         "distributed"));
}

Test(devices, an_unknown_type_a_future_at_or_details_where_none_belong_are_422)
{
    char id[64], ahead[40];
    create_device(id, sizeof id);
    expect_422(post_event(collector, id, bare_doc("lost")), "type", NULL, "type lost");
    json_t *doc = wiped_doc();
    json_object_del(doc, "type");
    expect_422(post_event(collector, id, doc), "type", NULL, "no type");
    rfc3339_utc(time(NULL) + 3600, ahead, sizeof ahead);
    doc = wiped_doc();
    json_object_set_new(doc, "at", json_string(ahead));
    expect_422(post_event(collector, id, doc), "at", NULL, "an hour ahead");
    doc = wiped_doc();
    json_object_set_new(doc, "at", json_string("hier"));
    expect_422(post_event(collector, id, doc), "at", NULL, "not a time");
    doc = wiped_doc();
    json_object_set_new(doc, "details", json_string("software_overwrite"));
    expect_422(post_event(collector, id, doc), "details", NULL, "details not an object");
    doc = bare_doc("recycled");
    json_object_set_new(doc, "details", json_pack("{s:s}", "reason", "broken"));
    expect_422(post_event(collector, id, doc), "details.reason", "is not a known field",
               "recycled takes no details");
    doc = wiped_doc();
    json_object_set_new(doc, "org", json_string(DISTRIBUTOR));
    expect_422(post_event(collector, id, doc), "org", NULL, "org is the token's");
    doc = wiped_doc();
    json_object_set_new(doc, "price", json_integer(3));
    expect_422(post_event(collector, id, doc), "price", NULL, "an unknown member");
    expect_device(id, "collected", false, "nothing happened");
}

/* ---- the history ----------------------------------------------------------------- */

Test(devices, the_history_lists_every_event_oldest_first_with_statuses_and_org)
{
    char id[64], at[3][40];
    create_device(id, sizeof id);
    for (int i = 0; i < 3; i++)
        rfc3339_utc(time(NULL) - 3000 + 600 * i, at[i], sizeof at[i]);
    json_t *docs[4] = {wiped_doc(), refurbished_doc(), distributed_doc("loan", -1),
                       bare_doc("returned")};
    for (int i = 0; i < 3; i++)
        json_object_set_new(docs[i], "at", json_string(at[i]));
    const char *tokens[4] = {collector, refurbisher, distributor, distributor};
    const char *orgs[4] = {ORG, REFURBISHER, DISTRIBUTOR, DISTRIBUTOR};
    const char *types[4] = {"wiped", "refurbished", "distributed", "returned"};
    const char *statuses[5] = {"collected", "wiped", "refurbished", "distributed", "returned"};
    json_t *posted[4];
    for (int i = 0; i < 4; i++)
        posted[i] = event_ok(tokens[i], orgs[i], id, docs[i], statuses[i], statuses[i + 1]);

    /* read by an organisation that did not collect it */
    json_t *items = history(refurbisher, id);
    cr_assert_eq(json_array_size(items), 4, "four events: %zu", json_array_size(items));
    json_int_t previous = 0;
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(items, i);
        cr_expect_str_eq(or_empty(json_str(e, "type")), types[i], "event %zu", i);
        cr_expect_str_eq(or_empty(json_str(e, "from_status")), statuses[i], "event %zu from", i);
        cr_expect_str_eq(or_empty(json_str(e, "to_status")), statuses[i + 1], "event %zu to", i);
        cr_expect_str_eq(or_empty(json_str(e, "org")), orgs[i], "event %zu org", i);
        cr_expect_str_eq(or_empty(json_str(e, "device_id")), id);
        cr_expect_gt(json_integer_value(json_object_get(e, "id")), previous, "ids ascend");
        previous = json_integer_value(json_object_get(e, "id"));
        if (i < 3)
            cr_expect_eq(rfc3339_seconds(json_str(e, "at")), rfc3339_seconds(at[i]), "event %zu at",
                         i);
        cr_expect(json_equal(e, posted[i]), "the history has the event as it was answered: %zu", i);
        json_decref(posted[i]);
    }
    json_t *details = json_object_get(json_array_get(items, 1), "details");
    cr_expect_str_eq(or_empty(json_str(details, "grade")), "B");
    details = json_object_get(json_array_get(items, 3), "details");
    cr_expect(json_is_null(details) || (json_is_object(details) && json_object_size(details) == 0),
              "returned has no details");
    json_decref(items);
}

Test(devices, an_unknown_device_or_an_id_that_is_not_a_uuid_is_404)
{
    const char *ids[] = {NO_SUCH_ID, "not-a-uuid", "12345"};
    for (size_t i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/devices/%s", ids[i]);
        expect_problem(api_call_json("GET", path, collector, NULL), 404, "not-found", NULL, path);
        snprintf(path, sizeof path, "/v1/devices/%s/events", ids[i]);
        expect_problem(api_call_json("GET", path, collector, NULL), 404, "not-found", NULL, path);
        expect_problem(post_event(collector, ids[i], wiped_doc()), 404, "not-found", NULL, path);
        expect_problem(post_event(collector, ids[i], bare_doc("recycled")), 404, "not-found", NULL,
                       path);
    }
}

Test(devices, every_device_route_needs_devices_write)
{
    char id[64], ref[64];
    create_device(id, sizeof id);
    test_nonce("dev", ref, sizeof ref);
    char *places = test_token(ORG, "places:read places:write");
    const char *refused[] = {activity_only, places};
    for (size_t i = 0; i < 2; i++) {
        char path[128];
        struct response *r = api_call_json("POST", "/v1/devices", refused[i], device_doc(ref));
        cr_expect_eq(r->status, 403, "create: %ld %s", r->status, r->body);
        response_free(r);
        snprintf(path, sizeof path, "/v1/devices/%s", id);
        r = api_call_json("GET", path, refused[i], NULL);
        cr_expect_eq(r->status, 403, "read: %ld", r->status);
        response_free(r);
        snprintf(path, sizeof path, "/v1/devices/%s/events", id);
        r = api_call_json("GET", path, refused[i], NULL);
        cr_expect_eq(r->status, 403, "history: %ld", r->status);
        response_free(r);
        r = post_event(refused[i], id, wiped_doc());
        cr_expect_eq(r->status, 403, "event: %ld", r->status);
        response_free(r);
    }
    free(places);
    char path[128];
    struct response *r = api_call_json("POST", "/v1/devices", NULL, device_doc(ref));
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    snprintf(path, sizeof path, "/v1/devices/%s", id);
    r = api_call_json("GET", path, NULL, NULL);
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    r = post_event(NULL, id, wiped_doc());
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    expect_device(id, "collected", false, "nobody without the scope wiped it");
}

Test(devices, a_refused_event_changes_neither_the_status_nor_the_history)
{
    char id[64];
    create_device(id, sizeof id);
    json_decref(event_ok(collector, ORG, id, wiped_doc(), "collected", "wiped"));
    json_t *before = get_device(collector, id), *events_before = history(collector, id);
    cr_assert_eq(json_array_size(events_before), 1);

    expect_problem(post_event(collector, id, wiped_doc()), 409, "impossible-move", "wiped",
                   "wiped twice");
    expect_problem(post_event(distributor, id, bare_doc("returned")), 409, "impossible-move",
                   "wiped", "returned");
    json_t *doc = refurbished_doc();
    json_object_set_new(json_object_get(doc, "details"), "grade", json_string("Z"));
    expect_422(post_event(refurbisher, id, doc), "details.grade", NULL, "grade Z");
    expect_422(post_event(distributor, id, distributed_doc("sale", -1)), "details.price", NULL,
               "no price");
    doc = distributed_doc("donation", -1);
    json_object_set_new(json_object_get(doc, "details"), "commune", json_string("99999"));
    expect_422(post_event(distributor, id, doc), "details.commune", NULL, "no such commune");
    struct response *r = post_event(activity_only, id, bare_doc("recycled"));
    cr_expect_eq(r->status, 403);
    response_free(r);

    json_t *after = get_device(collector, id), *events_after = history(collector, id);
    cr_expect(json_equal(before, after), "the device is unchanged (status, wiped, updated_at)");
    cr_expect(json_equal(events_before, events_after), "the history is unchanged");
    json_decref(before);
    json_decref(after);
    json_decref(events_before);
    json_decref(events_after);

    /* and on a device never wiped */
    create_device(id, sizeof id);
    before = get_device(collector, id);
    expect_problem(post_event(distributor, id, distributed_doc("sale", 25.5)), 409, "not-wiped",
                   NULL, "not wiped");
    after = get_device(collector, id);
    cr_expect(json_equal(before, after), "the device is unchanged");
    events_after = history(collector, id);
    cr_expect_eq(json_array_size(events_after), 0, "no event");
    json_decref(before);
    json_decref(after);
    json_decref(events_after);
}
