/* Idempotency-Key (api/core/idempotency.h) on every POST that accepts it, one
 * parameterised test per route: invalid keys are 400; a key held by another
 * transaction is 409 in-flight (the test holds the key's advisory lock from
 * its own connection while it sends the request); the first request creates;
 * the same key with the same document (other whitespace, member order and
 * escapes) replays the first status, body and Location with
 * `Idempotent-Replayed: true` and creates nothing more (rows counted in the
 * database); another document, another route or other path ids under the key
 * are 422 idempotency-key-reused; another organisation's identical key is its
 * own.
 *
 * The database is shared with tests running in parallel: every row counted
 * carries a nonce of this test, or hangs on an object this test created. */
#include "support/expect.h"
#include "support/fixture.h"

#include <criterion/parameterized.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROBLEM    "urn:inclusion-api:problem:"
#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"
#define ORG_A      "france-services-mirande"
#define ORG_B      "la-poste-gers"
#define SCOPES                                                                                     \
    "referrals:write activity:write devices:write places:write workshops:write "                   \
    "registrations:write"

static char *writer_a, *writer_b, *admin_a, *admin_b;

static void start(void)
{
    fixture_start();
    writer_a = test_token(ORG_A, SCOPES);
    writer_b = test_token(ORG_B, SCOPES);
    admin_a = test_token(ORG_A, "admin activity:write");
    admin_b = test_token(ORG_B, "admin activity:write");
}

static void stop(void)
{
    char **all[] = {&writer_a, &writer_b, &admin_a, &admin_b};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        free(*all[i]);
        *all[i] = NULL;
    }
    fixture_stop();
}

TestSuite(idempotency, .init = start, .fini = stop, .timeout = 120);

/* ---- what a case needs -------------------------------------------------- */

enum {
    NEED_PLACE = 1,
    NEED_MOBILE = 2,
    NEED_WORKSHOP = 4,
    NEED_SERIES = 8,
    NEED_REFERRAL = 16,
    NEED_DEVICE = 32
};

/* The objects of one test: its places (A's fixed one, A's and B's mobile
 * units), a workshop and a series on A's place, a referral A → B, a device of
 * A's; and the time of its documents. */
struct ctx {
    char place[40], mobile_a[40], mobile_b[40], workshop[40], series[40], referral[40], device[40],
        recorded[32];
};

/* Variants of a case's document: the first request, another document under
 * the same key, and the other organisation's. */
enum variant { FIRST, OTHER_DOC, OTHER_ORG };

struct idem_case {
    const char *name;
    int needs;
    bool admin;       /* admin tokens instead of the writers' */
    const char *path; /* the route's pattern, {id} for the path's id when it has one */
    /* the path's id (A's, or B's when other_org) */
    const char *(*id)(const struct ctx *c, bool other_org);
    json_t *(*doc)(const struct ctx *c, const char *nonce, enum variant v);
    const char *count_sql; /* $1: the marker */
    /* what count_sql counts for the document with `nonce` */
    const char *(*marker)(const struct ctx *c, const char *nonce);
    long creates; /* rows the first request adds */
};

static const char *by_nonce(const struct ctx *c, const char *nonce)
{
    (void)c;
    return nonce;
}

static const char *place_marker(const struct ctx *c, const char *nonce)
{
    (void)nonce;
    return c->place;
}

static const char *mobile_marker(const struct ctx *c, const char *nonce)
{
    (void)nonce;
    return c->mobile_a;
}

static const char *device_marker(const struct ctx *c, const char *nonce)
{
    (void)nonce;
    return c->device;
}

static const char *referral_id(const struct ctx *c, bool other_org)
{
    (void)other_org;
    return c->referral;
}

static const char *device_id(const struct ctx *c, bool other_org)
{
    (void)other_org;
    return c->device;
}

static const char *mobile_id(const struct ctx *c, bool other_org)
{
    return other_org ? c->mobile_b : c->mobile_a;
}

static const char *workshop_id(const struct ctx *c, bool other_org)
{
    (void)other_org;
    return c->workshop;
}

static const char *series_id(const struct ctx *c, bool other_org)
{
    (void)other_org;
    return c->series;
}

/* ---- the documents (members deliberately not in sorted order) ------------ */

static json_t *referral_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:b, s:s, s:s}, s:s}", "to_org",
                     "caf-gers", "need", v == OTHER_DOC ? "housing" : "caf_procedures",
                     "beneficiary", "first_name", "Josette", "last_name", "Dupin-Écoute", "phone",
                     "06 12 34 56 78", "contact_preference", "phone", "consent", "given", 1,
                     "method", "oral", "recorded_at", c->recorded, "notes", nonce);
}

static json_t *referral_event_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    (void)c;
    (void)v;
    return json_pack("{s:s, s:s}", "type", "note", "note", nonce);
}

static json_t *visit_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    (void)nonce;
    return json_pack("{s:s, s:s, s:i, s:s}", "place_id", c->place, "visited_at", c->recorded,
                     "count", 3 + (int)v, "purpose", "information");
}

static json_t *assessment_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    return json_pack(
        "{s:s, s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}}",
        "participant_ref", nonce, "phase", "before", "taken_at", c->recorded, "levels",
        "device_basics", 1, "browsing", 2, "online_search", 1, "email", (int)v, "documents", 1,
        "online_procedures", 0, "franceconnect", 0, "passwords", 1, "fraud", 2, "personal_data", 1,
        "smartphone_apps", 2, "video_calls", 3);
}

static json_t *feedback_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    return json_pack("{s:s, s:s, s:i, s:s}", "subject_type", "place", "subject_id", c->place,
                     "rating", 4 - (int)v, "comment", nonce);
}

static json_t *device_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "type", v == OTHER_DOC ? "laptop" : "tablet", "origin",
                     "individual", "collected_at", c->recorded, "inventory_ref", nonce);
}

static json_t *device_event_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    (void)c;
    if (v == OTHER_ORG) /* the refurbisher's next move */
        return json_pack("{s:s, s:{s:s}}", "type", "refurbished", "details", "grade", "A");
    return json_pack("{s:s, s:{s:s, s:s}}", "type", "wiped", "details", "method",
                     "software_overwrite", "certificate_ref", nonce);
}

static json_t *organization_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    (void)c;
    return json_pack("{s:s, s:s, s:s}", "slug", nonce, "name",
                     v == OTHER_DOC ? "Autre association" : "Association d'essai", "kind",
                     "association");
}

static json_t *place_doc(const char *nonce, bool itinerant)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s]}", "source",
                     "integration-tests", "source_id", nonce, "pivot", "00000000000000", "name",
                     "Tiers-lieu d'essai", "street", "1 rue de l'Essai", "postal_code", "32300",
                     "commune", "Mirande", "insee_code", "32256", "latitude", 43.513985,
                     "longitude", 0.400199, "itinerance", itinerant ? "itinerant" : "fixe");
}

static json_t *place_doc_of(const struct ctx *c, const char *nonce, enum variant v)
{
    (void)c;
    return place_doc(nonce, v == OTHER_DOC);
}

static json_t *stop_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    (void)c;
    (void)nonce;
    char starts[40], ends[40];
    snprintf(starts, sizeof starts, "2031-0%d-10T09:00:00+02:00", 4 + (int)v);
    snprintf(ends, sizeof ends, "2031-0%d-10T12:00:00+02:00", 4 + (int)v);
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "starts_at", starts, "ends_at", ends,
                     "insee_code", "32256", "address", "Place de la mairie", "latitude", 43.513985,
                     "longitude", 0.400199);
}

static json_t *workshop_doc_of(const char *place, const char *title, int day, const char *rule)
{
    char starts[40], ends[40];
    snprintf(starts, sizeof starts, "2031-09-%02dT14:00:00+02:00", day);
    snprintf(ends, sizeof ends, "2031-09-%02dT16:00:00+02:00", day);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", place, "title",
                            title, "theme", "first_steps", "audience", "beginners", "starts_at",
                            starts, "ends_at", ends, "capacity", 10);
    if (rule)
        json_object_set_new(doc, "recurrence", json_string(rule));
    return doc;
}

static json_t *workshop_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    return workshop_doc_of(c->place, nonce, 2 + (int)v, NULL);
}

static json_t *registration_doc(const struct ctx *c, const char *nonce, enum variant v)
{
    (void)c;
    return json_pack("{s:s, s:s, s:s}", "participant_ref", nonce, "display_name",
                     v == OTHER_DOC ? "M. E." : "Mme D.", "phone", "05 62 66 00 00");
}

/* ---- the table: every POST that accepts Idempotency-Key ------------------ */

#define COUNT(table, column) "SELECT count(*) FROM " table " WHERE " column " = $1"

static const struct idem_case cases[] = {
    {"referrals", 0, false, "/v1/referrals", NULL, referral_doc, COUNT("referrals", "notes"),
     by_nonce, 1},
    {"referral events", NEED_REFERRAL, false, "/v1/referrals/{id}/events", referral_id,
     referral_event_doc, COUNT("referral_events", "note"), by_nonce, 1},
    {"visits", NEED_PLACE, false, "/v1/visits", NULL, visit_doc, COUNT("visits", "place_id::text"),
     place_marker, 1},
    {"assessments", 0, false, "/v1/assessments", NULL, assessment_doc,
     COUNT("assessments", "participant_ref"), by_nonce, 1},
    {"feedback", NEED_PLACE, false, "/v1/feedback", NULL, feedback_doc,
     COUNT("feedback", "comment"), by_nonce, 1},
    {"devices", 0, false, "/v1/devices", NULL, device_doc, COUNT("devices", "inventory_ref"),
     by_nonce, 1},
    {"device events", NEED_DEVICE, false, "/v1/devices/{id}/events", device_id, device_event_doc,
     COUNT("device_events", "device_id::text"), device_marker, 1},
    {"organizations", 0, true, "/v1/organizations", NULL, organization_doc,
     COUNT("organizations", "slug"), by_nonce, 1},
    {"places", 0, false, "/v1/places", NULL, place_doc_of, COUNT("places", "source_id"), by_nonce,
     1},
    {"stops", NEED_MOBILE, false, "/v1/places/{id}/stops", mobile_id, stop_doc,
     COUNT("place_stops", "place_id::text"), mobile_marker, 1},
    {"workshops", NEED_PLACE, false, "/v1/workshops", NULL, workshop_doc,
     COUNT("workshops", "title"), by_nonce, 1},
    {"registrations", NEED_WORKSHOP, false, "/v1/workshops/{id}/registrations", workshop_id,
     registration_doc, COUNT("registrations", "participant_ref"), by_nonce, 1},
    {"series registrations", NEED_SERIES, false, "/v1/series/{id}/registrations", series_id,
     registration_doc, COUNT("registrations", "participant_ref"), by_nonce, 3},
};

/* ---- helpers -------------------------------------------------------------- */

static PGconn *db(void)
{
    const char *dsn = getenv("TEST_DATABASE_URL");
    cr_assert_not_null(dsn, "TEST_DATABASE_URL");
    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

static long count_rows(const char *sql, const char *marker)
{
    PGconn *c = db();
    const char *params[] = {marker};
    PGresult *res = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return n;
}

/* Takes (lock) or releases the advisory lock the service takes for `key` of
 * `org` (IDEMPOTENCY_SQL_LOCK_ID), on the test's own session. */
static void key_lock(PGconn *c, const char *org, const char *key, bool lock)
{
    char both[512];
    snprintf(both, sizeof both, "%s\n%s", org, key);
    const char *params[] = {both};
    PGresult *res = PQexecParams(c,
                                 lock ? "SELECT pg_advisory_lock(hashtextextended($1, 0))"
                                      : "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
                                 1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
}

static struct response *post(const char *path, const char *token, const char *text, const char *key)
{
    char header[400];
    if (key)
        snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    return api_call(true, "POST", path, token, text, key ? header : NULL);
}

static bool has_header(const struct response *r, const char *name, const char *value)
{
    char got[512];
    return response_header(r, name, got, sizeof got) && strcmp(got, value) == 0;
}

static bool problem_is(const struct response *r, const char *type)
{
    json_t *body = response_json(r);
    bool is = json_is_string(json_object_get(body, "type")) &&
              strcmp(json_string_value(json_object_get(body, "type")), type) == 0;
    json_decref(body);
    return is;
}

/* The same document written otherwise: members in reverse order (nested ones
 * too), indented, non-ASCII escaped. */
static json_t *reversed(json_t *v)
{
    if (json_is_object(v)) {
        size_t n = json_object_size(v), i = 0;
        const char **names = calloc(n ? n : 1, sizeof *names);
        const char *name;
        json_t *member, *out = json_object();
        json_object_foreach(v, name, member) names[i++] = name;
        while (i-- > 0)
            json_object_set_new(out, names[i], reversed(json_object_get(v, names[i])));
        free(names);
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        for (size_t i = 0; i < json_array_size(v); i++)
            json_array_append_new(out, reversed(json_array_get(v, i)));
        return out;
    }
    return json_incref(v);
}

static void prepare(const struct idem_case *k, struct ctx *c)
{
    char nonce[64];
    memset(c, 0, sizeof *c);
    rfc3339_utc(time(NULL) - 3600, c->recorded, sizeof c->recorded);
    if (k->needs & (NEED_PLACE | NEED_WORKSHOP | NEED_SERIES)) {
        test_nonce("idem-place", nonce, sizeof nonce);
        post_created("/v1/places", writer_a, place_doc(nonce, false), NULL, c->place,
                     sizeof c->place);
    }
    if (k->needs & NEED_MOBILE) {
        test_nonce("idem-mobile", nonce, sizeof nonce);
        post_created("/v1/places", writer_a, place_doc(nonce, true), NULL, c->mobile_a,
                     sizeof c->mobile_a);
        test_nonce("idem-mobile", nonce, sizeof nonce);
        post_created("/v1/places", writer_b, place_doc(nonce, true), NULL, c->mobile_b,
                     sizeof c->mobile_b);
    }
    if (k->needs & NEED_WORKSHOP) {
        test_nonce("idem-workshop", nonce, sizeof nonce);
        post_created("/v1/workshops", writer_a, workshop_doc_of(c->place, nonce, 20, NULL), NULL,
                     c->workshop, sizeof c->workshop);
    }
    if (k->needs & NEED_SERIES) {
        test_nonce("idem-series", nonce, sizeof nonce);
        json_t *doc = workshop_doc_of(c->place, nonce, 1, "FREQ=WEEKLY;COUNT=3");
        char *text = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        struct response *r = api_call(true, "POST", "/v1/workshops", writer_a, text, NULL);
        cr_assert_eq(r->status, 201, "series: %ld %s", r->status, r->body);
        json_t *body = response_json(r);
        snprintf(c->series, sizeof c->series, "%s",
                 json_string_value(json_object_get(body, "series_id")));
        json_decref(body);
        response_free(r);
        free(text);
    }
    if (k->needs & NEED_REFERRAL) {
        char header[128];
        test_nonce("idem-referral", nonce, sizeof nonce);
        snprintf(header, sizeof header, "Idempotency-Key: %s", nonce);
        json_t *doc = referral_doc(c, nonce, FIRST);
        json_object_set_new(doc, "to_org", json_string(ORG_B));
        post_created("/v1/referrals", writer_a, doc, header, c->referral, sizeof c->referral);
    }
    if (k->needs & NEED_DEVICE) {
        test_nonce("idem-device", nonce, sizeof nonce);
        post_created("/v1/devices", writer_a, device_doc(c, nonce, FIRST), NULL, c->device,
                     sizeof c->device);
    }
}

/* The case's path with `id` for its {id}. */
static void path_of(const struct idem_case *k, const char *id, char *buf, size_t cap)
{
    const char *at = strstr(k->path, "{id}");
    if (at)
        snprintf(buf, cap, "%.*s%s%s", (int)(at - k->path), k->path, id, at + 4);
    else
        snprintf(buf, cap, "%s", k->path);
}

static char *text_of(json_t *doc, size_t flags)
{
    char *text = json_dumps(doc, flags);
    json_decref(doc);
    return text;
}

/* ---- the rules, route by route ------------------------------------------- */

/* The parameters are the cases' indices: the test runs in another process
 * (BoxFort), where the parent's pointers mean nothing. */
ParameterizedTestParameters(idempotency, every_rule_on_every_post)
{
    static int indices[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        indices[i] = (int)i;
    return cr_make_param_array(int, indices, sizeof indices / sizeof indices[0]);
}

ParameterizedTest(int *index, idempotency, every_rule_on_every_post)
{
    const struct idem_case *k = &cases[*index];
    struct ctx c;
    prepare(k, &c);
    const char *token = k->admin ? admin_a : writer_a, *other = k->admin ? admin_b : writer_b;
    char nonce[64], nonce2[64], nonce3[64], key[64], path[256], path_b[256];
    test_nonce("idem", nonce, sizeof nonce);
    test_nonce("idem", nonce2, sizeof nonce2);
    test_nonce("idem", nonce3, sizeof nonce3);
    test_nonce("idem-key-", key, sizeof key);
    path_of(k, k->id ? k->id(&c, false) : NULL, path, sizeof path);
    path_of(k, k->id ? k->id(&c, true) : NULL, path_b, sizeof path_b);
    json_t *doc = k->doc(&c, nonce, FIRST);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *text2 = text_of(reversed(doc), JSON_INDENT(3) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    cr_assert_str_neq(text, text2, "the replay's text differs from the first");
    const char *marker = k->marker(&c, nonce);
    long before = count_rows(k->count_sql, marker);

    /* invalid keys: 400 naming the header, nothing created */
    char too_long[300];
    memset(too_long, 'k', 256);
    too_long[256] = '\0';
    const char *bad[] = {"a key with spaces", too_long};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct response *r = post(path, token, text, bad[i]);
        cr_expect_eq(r->status, 400, "%s: bad key #%zu: %ld %s", k->name, i, r->status, r->body);
        cr_expect(names_field(r, "Idempotency-Key"), "%s: names the header: %s", k->name, r->body);
        response_free(r);
    }
    cr_expect_eq(count_rows(k->count_sql, marker), before, "%s: nothing for a bad key", k->name);

    /* in flight: the test holds the key's lock */
    PGconn *holder = db();
    key_lock(holder, ORG_A, key, true);
    struct response *r = post(path, token, text, key);
    cr_expect_eq(r->status, 409, "%s: in flight: %ld %s", k->name, r->status, r->body);
    cr_expect(problem_is(r, PROBLEM "in-flight"), "%s: %s", k->name, r->body);
    response_free(r);
    key_lock(holder, ORG_A, key, false);
    PQfinish(holder);
    cr_expect_eq(count_rows(k->count_sql, marker), before, "%s: nothing while in flight", k->name);

    /* the first request creates */
    struct response *first = post(path, token, text, key);
    cr_assert_eq(first->status, 201, "%s: first: %ld %s", k->name, first->status, first->body);
    cr_expect(!response_header(first, "Idempotent-Replayed", (char[8]){0}, 8),
              "%s: the first answer is no replay", k->name);
    char location[512] = "", location2[512] = "";
    bool has_location = response_header(first, "Location", location, sizeof location) != NULL;
    long created = count_rows(k->count_sql, marker);
    cr_expect_eq(created, before + k->creates, "%s: the first creates %ld", k->name, k->creates);

    /* the same document, written otherwise: the first answer again */
    r = post(path, token, text2, key);
    cr_expect_eq(r->status, first->status, "%s: replayed status: %ld %s", k->name, r->status,
                 r->body);
    cr_expect_str_eq(r->body, first->body, "%s: the same body, byte for byte", k->name);
    cr_expect(has_header(r, "Idempotent-Replayed", "true"), "%s: Idempotent-Replayed", k->name);
    cr_expect_eq(response_header(r, "Location", location2, sizeof location2) != NULL, has_location,
                 "%s: Location replayed as it was", k->name);
    cr_expect_str_eq(location2, location, "%s: the same Location", k->name);
    response_free(r);
    cr_expect_eq(count_rows(k->count_sql, marker), created, "%s: nothing more", k->name);

    /* another document under the key */
    char *other_text = text_of(k->doc(&c, nonce2, OTHER_DOC), JSON_COMPACT);
    r = post(path, token, other_text, key);
    cr_expect_eq(r->status, 422, "%s: another document: %ld %s", k->name, r->status, r->body);
    cr_expect(problem_is(r, PROBLEM "idempotency-key-reused"), "%s: %s", k->name, r->body);
    response_free(r);
    free(other_text);
    cr_expect_eq(count_rows(k->count_sql, marker), created, "%s: nothing for it", k->name);
    cr_expect_eq(count_rows(k->count_sql, k->marker(&c, nonce2)),
                 strcmp(k->marker(&c, nonce2), marker) == 0 ? created : 0, "%s: not created",
                 k->name);

    /* the key on another route, or on other ids of the same route */
    const char *elsewhere = strcmp(k->path, "/v1/feedback") == 0 ? "/v1/visits" : "/v1/feedback";
    r = post(elsewhere, token, text, key);
    cr_expect_eq(r->status, 422, "%s: on %s: %ld %s", k->name, elsewhere, r->status, r->body);
    cr_expect(problem_is(r, PROBLEM "idempotency-key-reused"), "%s: %s", k->name, r->body);
    response_free(r);
    if (k->id) {
        char other_path[256];
        path_of(k, NO_SUCH_ID, other_path, sizeof other_path);
        r = post(other_path, token, text, key);
        cr_expect_eq(r->status, 422, "%s: other ids: %ld %s", k->name, r->status, r->body);
        cr_expect(problem_is(r, PROBLEM "idempotency-key-reused"), "%s: %s", k->name, r->body);
        response_free(r);
    }
    cr_expect_eq(count_rows(k->count_sql, marker), created, "%s: still nothing more", k->name);

    /* another organisation's identical key is its own */
    char *b_text = text_of(k->doc(&c, nonce3, OTHER_ORG), JSON_COMPACT);
    r = post(path_b, other, b_text, key);
    cr_expect_eq(r->status, 201, "%s: another organisation: %ld %s", k->name, r->status, r->body);
    cr_expect(!response_header(r, "Idempotent-Replayed", (char[8]){0}, 8),
              "%s: executed, not replayed", k->name);
    cr_expect_str_neq(r->body, first->body, "%s: its own answer", k->name);
    response_free(r);
    free(b_text);

    /* and the first organisation's key still replays */
    r = post(path, token, text, key);
    cr_expect_eq(r->status, 201, "%s: replay again: %ld %s", k->name, r->status, r->body);
    cr_expect_str_eq(r->body, first->body, "%s", k->name);
    response_free(r);

    response_free(first);
    free(text);
    free(text2);
    json_decref(doc);
}

/* Optional everywhere but the referral POST: without the header, each request
 * is its own (two identical requests create two objects). */
Test(idempotency, without_a_key_each_request_is_its_own)
{
    char nonce[64];
    test_nonce("idem-nokey", nonce, sizeof nonce);
    struct ctx c;
    memset(&c, 0, sizeof c);
    rfc3339_utc(time(NULL) - 3600, c.recorded, sizeof c.recorded);
    char *text = text_of(device_doc(&c, nonce, FIRST), JSON_COMPACT);
    for (int i = 0; i < 2; i++) {
        struct response *r = post("/v1/devices", writer_a, text, NULL);
        cr_expect_eq(r->status, 201, "%ld %s", r->status, r->body);
        cr_expect(!response_header(r, "Idempotent-Replayed", (char[8]){0}, 8));
        response_free(r);
    }
    free(text);
    cr_expect_eq(count_rows(COUNT("devices", "inventory_ref"), nonce), 2);
}

/* A withdrawal of consent reaches the answers kept for replays: the creation's
 * shows the referral without its personal fields, the notes' lose their text. */
Test(idempotency, a_withdrawal_reaches_the_kept_answers)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    rfc3339_utc(time(NULL) - 3600, c.recorded, sizeof c.recorded);
    char ref_key[64], ref_nonce[64], note_key[64], note[64], path[128];
    test_nonce("idem-ref-key", ref_key, sizeof ref_key);
    test_nonce("idem-ref", ref_nonce, sizeof ref_nonce);
    test_nonce("idem-note-key", note_key, sizeof note_key);
    test_nonce("idem-note", note, sizeof note);
    json_t *doc = referral_doc(&c, ref_nonce, FIRST);
    json_object_set_new(doc, "to_org", json_string(ORG_B));
    char *ref_text = text_of(doc, JSON_COMPACT);
    struct response *r = post("/v1/referrals", writer_a, ref_text, ref_key);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    json_t *created = response_json(r);
    snprintf(path, sizeof path, "/v1/referrals/%s/events",
             json_string_value(json_object_get(created, "id")));
    json_decref(created);
    response_free(r);

    char *note_text = text_of(referral_event_doc(&c, note, FIRST), JSON_COMPACT);
    r = post(path, writer_a, note_text, note_key);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    cr_expect(strstr(r->body, note) != NULL, "the note is in the answer");
    response_free(r);
    r = api_call(true, "POST", path, writer_b, "{\"type\":\"consent_withdrawn\"}", NULL);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    response_free(r);

    /* the creation's replay: the referral as it is, without the resident */
    r = post("/v1/referrals", writer_a, ref_text, ref_key);
    cr_expect_eq(r->status, 201, "%ld %s", r->status, r->body);
    cr_expect(has_header(r, "Idempotent-Replayed", "true"));
    json_t *referral = response_json(r);
    json_t *beneficiary = json_object_get(referral, "beneficiary");
    cr_expect(json_is_null(json_object_get(beneficiary, "last_name")), "erased: %s", r->body);
    cr_expect(json_is_string(json_object_get(json_object_get(referral, "consent"), "withdrawn_at")),
              "shows the withdrawal: %s", r->body);
    cr_expect(strstr(r->body, "Josette") == NULL && strstr(r->body, ref_nonce) == NULL,
              "no personal field nor note left: %s", r->body);
    json_decref(referral);
    response_free(r);

    /* the note's replay: the event without its text */
    r = post(path, writer_a, note_text, note_key);
    cr_expect_eq(r->status, 201, "%ld %s", r->status, r->body);
    cr_expect(has_header(r, "Idempotent-Replayed", "true"));
    json_t *event = response_json(r);
    cr_expect(json_is_null(json_object_get(event, "note")), "the note is erased: %s", r->body);
    cr_expect_str_eq(json_string_value(json_object_get(event, "type")), "note");
    cr_expect(strstr(r->body, note) == NULL, "nowhere: %s", r->body);
    json_decref(event);
    response_free(r);
    free(ref_text);
    free(note_text);
}

/* A record kept before migration 009 (route by default, the hash of the body's
 * bytes) still replays the same bytes, and only them. */
Test(idempotency, records_from_before_009_compare_the_bytes)
{
    char key[64], header[128];
    test_nonce("idem-legacy", key, sizeof key);
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    const char *text = "{\"to_org\":\"caf-gers\",\"need\":\"housing\"}";
    PGconn *c = db();
    const char *params[] = {ORG_A, key, text};
    PGresult *res = PQexecParams(
        c,
        "INSERT INTO idempotency_keys (org, key, body_hash, status, response, location) VALUES "
        "($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'), 201, '{\"kept\":true}', "
        "'/v1/referrals/kept')",
        3, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(c);
    /* unchecked: the kept body is no referral */
    struct response *r = api_call(false, "POST", "/v1/referrals", writer_a, text, header);
    cr_expect_eq(r->status, 201, "%ld %s", r->status, r->body);
    cr_expect_str_eq(r->body, "{\"kept\":true}");
    cr_expect(has_header(r, "Location", "/v1/referrals/kept"));
    cr_expect(has_header(r, "Idempotent-Replayed", "true"));
    response_free(r);
    r = api_call(true, "POST", "/v1/referrals", writer_a,
                 "{\"need\":\"housing\",\"to_org\":\"caf-gers\"}", header);
    cr_expect_eq(r->status, 422, "other bytes: %ld %s", r->status, r->body);
    cr_expect(problem_is(r, PROBLEM "idempotency-key-reused"), "%s", r->body);
    response_free(r);
}
