/* The inputs of the indicators, first part: GET /v1/reference/skills (public,
 * cacheable), POST /v1/visits, POST /v1/assessments and POST /v1/feedback:
 * what each accepts and answers, every refusal named by field, the scope.
 *
 * The database is shared with other tests running in parallel: every place,
 * stop, workshop and referral here is created by the test that uses it, and
 * rows are counted through them (a place's id, a participant_ref with a nonce),
 * never globally. */
#include "support/expect.h"
#include "support/fixture.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"
#define VALIDATION "urn:inclusion-api:problem:validation"
#define ORG        "france-services-mirande"

static char *writer, *reader, *builder, *referrer, *caf, *poste, *admin;

/* The spec's order. */
static const char *const codes[12] = {
    "device_basics", "browsing",          "online_search",   "email",
    "documents",     "online_procedures", "franceconnect",   "passwords",
    "fraud",         "personal_data",     "smartphone_apps", "video_calls",
};

static void start(void)
{
    fixture_start();
    fixture_token(&writer, ORG, "activity:write");
    fixture_token(&reader, ORG, "places:read");
    /* creates the places, stops and workshops the tests talk about */
    fixture_token(&builder, ORG, "places:read places:write workshops:read workshops:write");
    fixture_token(&referrer, ORG, "referrals:read referrals:write");
    fixture_token(&caf, "caf-gers", "activity:write");
    fixture_token(&poste, "la-poste-gers", "activity:write");
    fixture_token(&admin, "gers-numerique", "admin places:read places:write");
}

TestSuite(activity_reference, .init = start, .fini = fixture_stop, .timeout = 60);
TestSuite(activity_visits, .init = start, .fini = fixture_stop, .timeout = 60);
TestSuite(activity_assessments, .init = start, .fini = fixture_stop, .timeout = 60);
TestSuite(activity_feedback, .init = start, .fini = fixture_stop, .timeout = 60);

/* ---- helpers ------------------------------------------------------------ */

/* POSTs doc (its reference is taken). */
static struct response *post(const char *path, const char *token, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct response *r = api_call(true, "POST", path, token, text, NULL);
    free(text);
    return r;
}

/* The 422's errors have an entry for field (with message, unless NULL). */
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

/* A 422 validation problem naming field (and message, unless NULL); frees r. */
static void expect_422(struct response *r, const char *field, const char *message, const char *what)
{
    json_t *body = response_json(r);
    cr_expect_eq(r->status, 422, "%s: %ld %s", what, r->status, r->body);
    cr_expect_str_eq(json_str(body, "type") ? json_str(body, "type") : "", VALIDATION, "%s: %s",
                     what, r->body);
    cr_expect(has_error(r, field, message), "%s: names %s%s%s: %s", what, field,
              message ? " with " : "", message ? message : "", r->body);
    json_decref(body);
    response_free(r);
}

/* Asserts 201 and no Location; returns the body; frees r. */
static json_t *created(struct response *r, const char *what)
{
    char location[256];
    cr_assert_eq(r->status, 201, "%s: %ld %s", what, r->status, r->body);
    cr_expect_null(response_header(r, "Location", location, sizeof location), "%s: no Location",
                   what);
    json_t *body = response_json(r);
    response_free(r);
    cr_assert(json_is_object(body), "%s: an object", what);
    return body;
}

/* The id of a new object POSTed by builder (asserts 201). */
static void create(const char *path, json_t *doc, char *id, size_t cap)
{
    struct response *r = post(path, builder, doc);
    cr_assert_eq(r->status, 201, "POST %s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r);
    snprintf(id, cap, "%s", json_str(body, "id") ? json_str(body, "id") : "");
    json_decref(body);
    response_free(r);
    cr_assert(id[0], "POST %s gives an id", path);
}

/* A place of france-services-mirande in Mirande, itinerant (it may have stops) or not. */
static void create_place(bool itinerant, char *id, size_t cap)
{
    char tag[64], name[128];
    test_nonce("act", tag, sizeof tag);
    snprintf(name, sizeof name, "Lieu d'activité %s", tag);
    create("/v1/places",
           json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s]}", "source",
                     "integration-tests", "source_id", tag, "pivot", "00000000000000", "name", name,
                     "street", "1 rue de l'Essai", "postal_code", "32300", "commune", "Mirande",
                     "insee_code", "32256", "latitude", 43.513985, "longitude", 0.400199,
                     "itinerance", itinerant ? "itinerant" : "fixe"),
           id, cap);
}

/* A stop in Miélan of a new mobile unit (its id into place). */
static void create_stop(char *id, size_t cap, char *place, size_t place_cap)
{
    char path[128];
    create_place(true, place, place_cap);
    snprintf(path, sizeof path, "/v1/places/%s/stops", place);
    create(path,
           json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "starts_at", "2031-03-04T09:30:00+01:00",
                     "ends_at", "2031-03-04T12:30:00+01:00", "insee_code", "32252", "address",
                     "Place de la mairie", "latitude", 43.42938, "longitude", 0.309431),
           id, cap);
}

/* A workshop in 2031 at a new place. */
static void create_workshop(char *id, size_t cap)
{
    char place[64], tag[64], title[128];
    create_place(false, place, sizeof place);
    test_nonce("act", tag, sizeof tag);
    snprintf(title, sizeof title, "Atelier d'autonomie %s", tag);
    create("/v1/workshops",
           json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", place, "title", title,
                     "theme", "smartphone", "audience", "seniors", "starts_at",
                     "2031-10-07T14:00:00+02:00", "ends_at", "2031-10-07T16:00:00+02:00",
                     "capacity", 8),
           id, cap);
}

/* The rows of sql (a count with one parameter), read directly. */
static long count_rows(const char *sql, const char *param)
{
    const char *dsn = getenv("TEST_DATABASE_URL");
    cr_assert_not_null(dsn, "TEST_DATABASE_URL");
    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    const char *params[] = {param};
    PGresult *res = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return n;
}

/* A valid visit at place: 3 people an hour ago. */
static json_t *visit_doc(const char *place)
{
    char at[40];
    rfc3339_utc(time(NULL) - 3600, at, sizeof at);
    return json_pack("{s:s, s:s, s:i, s:s}", "place_id", place, "visited_at", at, "count", 3,
                     "purpose", "administrative_procedure");
}

static json_t *levels_doc(const int levels[12])
{
    json_t *o = json_object();
    for (int i = 0; i < 12; i++)
        json_object_set_new(o, codes[i], json_integer(levels[i]));
    return o;
}

/* A valid assessment of ref, taken an hour ago, every level 2. */
static json_t *assessment_doc(const char *ref)
{
    static const int twos[12] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    char at[40];
    rfc3339_utc(time(NULL) - 3600, at, sizeof at);
    return json_pack("{s:s, s:s, s:s, s:o}", "participant_ref", ref, "phase", "before", "taken_at",
                     at, "levels", levels_doc(twos));
}

static json_t *feedback_doc(const char *type, const char *id, int rating)
{
    return json_pack("{s:s, s:s, s:i}", "subject_type", type, "subject_id", id, "rating", rating);
}

/* A referral france-services-mirande → caf-gers whose notes are `notes`. */
static void create_referral(const char *notes, char *id, size_t cap)
{
    char key[96], recorded[40], last[128];
    test_nonce("act", key, sizeof key);
    snprintf(key + strlen(key), sizeof key - strlen(key), "-key");
    char header[128];
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    rfc3339_utc(time(NULL) - 3600, recorded, sizeof recorded);
    snprintf(last, sizeof last, "Dupin-%s", notes);
    json_t *doc = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:{s:b, s:s, s:s}, s:s}", "to_org", "caf-gers",
        "need", "caf_procedures", "beneficiary", "first_name", "Josette", "last_name", last,
        "phone", "06 12 34 56 78", "email", "josette.dupin@example.fr", "contact_preference",
        "phone", "consent", "given", 1, "method", "oral", "recorded_at", recorded, "notes", notes);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct response *r = api_call(true, "POST", "/v1/referrals", referrer, text, header);
    free(text);
    cr_assert_eq(r->status, 201, "referral: %ld %s", r->status, r->body);
    json_t *body = response_json(r);
    snprintf(id, cap, "%s", json_str(body, "id") ? json_str(body, "id") : "");
    json_decref(body);
    response_free(r);
}

/* ---- GET /v1/reference/skills ----------------------------------------------- */

Test(activity_reference, the_skill_list_is_public_with_twelve_skills_in_order_and_four_levels)
{
    struct response *r =
        api_call(true, "GET", "/v1/reference/skills", NULL, NULL, "Accept-Language: fr");
    cr_assert_eq(r->status, 200, "no token needed: %ld %s", r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    json_t *skills = json_object_get(body, "skills"), *levels = json_object_get(body, "levels");
    cr_assert_eq(json_array_size(skills), 12, "12 skills");
    for (size_t i = 0; i < 12; i++) {
        json_t *s = json_array_get(skills, i);
        cr_expect_str_eq(json_str(s, "code") ? json_str(s, "code") : "", codes[i], "skill %zu", i);
        cr_expect(json_str(s, "label") && json_str(s, "label")[0], "%s has a label", codes[i]);
        cr_expect(json_str(s, "description") && json_str(s, "description")[0],
                  "%s has a description", codes[i]);
    }
    static const char *const labels[4] = {"Ne sait pas faire", "Fait avec de l'aide", "Fait seul",
                                          "Fait seul et sait expliquer"};
    cr_assert_eq(json_array_size(levels), 4, "4 levels");
    for (size_t i = 0; i < 4; i++) {
        json_t *l = json_array_get(levels, i);
        cr_expect(json_is_integer(json_object_get(l, "level")) &&
                      json_integer_value(json_object_get(l, "level")) == (json_int_t)i,
                  "level %zu", i);
        cr_expect_str_eq(json_str(l, "label") ? json_str(l, "label") : "", labels[i]);
    }
    cr_expect(json_str(body, "score") && json_str(body, "score")[0], "the score is explained");
    cr_expect(json_str(body, "autonomy") && strstr(json_str(body, "autonomy"), "66,7"),
              "the autonomy threshold is explained");
    json_decref(body);

    /* a token changes nothing */
    r = api_call(true, "GET", "/v1/reference/skills", reader, NULL, NULL);
    cr_expect_eq(r->status, 200, "with a token: %ld", r->status);
    response_free(r);
}

Test(activity_reference, the_skill_list_has_an_etag_and_answers_304)
{
    char etag[160], again[160], if_none[200];
    struct response *r = api_call(true, "GET", "/v1/reference/skills", NULL, NULL, NULL);
    cr_assert_eq(r->status, 200);
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag), "an ETag");
    response_free(r);
    r = api_call(true, "GET", "/v1/reference/skills", NULL, NULL, NULL);
    cr_expect_str_eq(response_header(r, "ETag", again, sizeof again) ? again : "", etag,
                     "a stable ETag");
    response_free(r);

    snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag);
    r = api_call(true, "GET", "/v1/reference/skills", NULL, NULL, if_none);
    cr_expect_eq(r->status, 304, "%ld", r->status);
    cr_expect_eq(r->body_len, 0, "304 has no body");
    response_free(r);

    r = api_call(true, "GET", "/v1/reference/skills", NULL, NULL,
                 "If-None-Match: \"something-else\"");
    cr_expect_eq(r->status, 200, "another ETag: the list again");
    response_free(r);

    r = api_call(true, "GET", "/v1/reference/skills?lang=fr", NULL, NULL, NULL);
    cr_expect_eq(r->status, 400, "no query parameter: %ld", r->status);
    response_free(r);
}

/* ---- POST /v1/visits -------------------------------------------------------- */

Test(activity_visits, a_visit_at_a_place_is_201_with_the_body_of_the_spec)
{
    char place[64], at[40];
    create_place(false, place, sizeof place);
    rfc3339_utc(time(NULL) - 7200, at, sizeof at);
    json_t *v = created(post("/v1/visits", writer,
                             json_pack("{s:s, s:s, s:i, s:s}", "place_id", place, "visited_at", at,
                                       "count", 4, "purpose", "digital_support")),
                        "visit");
    cr_expect(json_str(v, "id") && json_str(v, "id")[0], "an id");
    cr_expect_str_eq(json_str(v, "org"), ORG);
    cr_expect_str_eq(json_str(v, "place_id"), place);
    cr_expect(json_is_null(json_object_get(v, "stop_id")), "stop_id null");
    cr_expect_eq(rfc3339_seconds(json_str(v, "visited_at")), rfc3339_seconds(at));
    cr_expect(json_is_integer(json_object_get(v, "count")) &&
                  json_integer_value(json_object_get(v, "count")) == 4,
              "count 4");
    cr_expect_str_eq(json_str(v, "purpose"), "digital_support");
    cr_expect(fabs(rfc3339_seconds(json_str(v, "created_at")) - (double)time(NULL)) < 120,
              "created now");
    cr_expect_eq(json_object_size(v), 8, "the 8 members of the spec: %zu", json_object_size(v));
    json_decref(v);

    /* purpose is optional: null when absent; 1 and 10000 are counts */
    v = created(post("/v1/visits", writer,
                     json_pack("{s:s, s:s, s:i}", "place_id", place, "visited_at", at, "count", 1)),
                "no purpose");
    cr_expect(json_is_null(json_object_get(v, "purpose")), "purpose null when absent");
    json_decref(v);
    json_t *doc = visit_doc(place);
    json_object_set_new(doc, "count", json_integer(10000));
    json_decref(created(post("/v1/visits", writer, doc), "count 10000"));
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 3);
}

Test(activity_visits, a_visit_at_a_stop_has_the_stop_id_and_a_null_place_id)
{
    char stop_id[64], unit[64], at[40];
    create_stop(stop_id, sizeof stop_id, unit, sizeof unit);
    rfc3339_utc(time(NULL) - 60, at, sizeof at);
    json_t *v = created(post("/v1/visits", writer,
                             json_pack("{s:s, s:s, s:i, s:s}", "stop_id", stop_id, "visited_at", at,
                                       "count", 12, "purpose", "equipment")),
                        "visit at a stop");
    cr_expect_str_eq(json_str(v, "stop_id"), stop_id);
    cr_expect(json_is_null(json_object_get(v, "place_id")), "place_id null");
    cr_expect_str_eq(json_str(v, "org"), ORG);
    cr_expect_eq(json_integer_value(json_object_get(v, "count")), 12);
    json_decref(v);
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE stop_id = $1", stop_id), 1);
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", unit), 0,
                 "recorded against the stop, not its unit");
}

Test(activity_visits, a_place_and_a_stop_or_neither_is_422_on_place_id)
{
    char stop_id[64], unit[64];
    create_stop(stop_id, sizeof stop_id, unit, sizeof unit);
    json_t *doc = visit_doc(unit);
    json_object_set_new(doc, "stop_id", json_string(stop_id));
    expect_422(post("/v1/visits", writer, doc), "place_id", "give place_id or stop_id, not both",
               "both");
    doc = visit_doc(unit);
    json_object_del(doc, "place_id");
    expect_422(post("/v1/visits", writer, doc), "place_id", "place_id or stop_id is required",
               "neither");
    doc = visit_doc(unit);
    json_object_set_new(doc, "place_id", json_null());
    expect_422(post("/v1/visits", writer, doc), "place_id", NULL, "place_id null, no stop");
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", unit), 0);
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE stop_id = $1", stop_id), 0);
}

Test(activity_visits, an_unknown_or_deleted_place_and_an_unknown_stop_are_422_on_their_field)
{
    expect_422(post("/v1/visits", writer, visit_doc(NO_SUCH_ID)), "place_id", "no such place",
               "unknown place");
    expect_422(post("/v1/visits", writer, visit_doc("not-a-uuid")), "place_id", NULL,
               "place_id not a uuid");
    json_t *doc = visit_doc(NO_SUCH_ID);
    json_object_del(doc, "place_id");
    json_object_set_new(doc, "stop_id", json_string(NO_SUCH_ID));
    expect_422(post("/v1/visits", writer, doc), "stop_id", "no such stop", "unknown stop");

    /* a place that is no longer live */
    char place[64], path[128];
    create_place(false, place, sizeof place);
    snprintf(path, sizeof path, "/v1/places/%s", place);
    struct response *r = api_call(true, "DELETE", path, admin, NULL, NULL);
    cr_assert_eq(r->status, 204, "delete: %ld %s", r->status, r->body);
    response_free(r);
    expect_422(post("/v1/visits", writer, visit_doc(place)), "place_id", "no such place",
               "deleted place");
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 0);
}

Test(activity_visits, a_count_outside_1_to_10000_or_not_an_integer_is_422_on_count)
{
    char place[64];
    create_place(false, place, sizeof place);
    json_t *bad[] = {json_integer(0),  json_integer(10001), json_real(1.5),
                     json_string("3"), json_integer(-2),    json_null()};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *shown = json_dumps(bad[i], JSON_ENCODE_ANY);
        json_t *doc = visit_doc(place);
        json_object_set_new(doc, "count", bad[i]);
        expect_422(post("/v1/visits", writer, doc), "count", NULL, shown);
        free(shown);
    }
    json_t *doc = visit_doc(place);
    json_object_del(doc, "count");
    expect_422(post("/v1/visits", writer, doc), "count", NULL, "count missing");
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 0);
}

Test(activity_visits, visited_at_missing_malformed_or_in_the_future_is_422)
{
    char place[64], hour_ahead[40], soon[40];
    create_place(false, place, sizeof place);
    rfc3339_utc(time(NULL) + 3600, hour_ahead, sizeof hour_ahead);
    const char *bad[] = {hour_ahead, "yesterday", "2025-13-01T10:00:00Z", "2025-06-01",
                         "2025-06-01 10:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = visit_doc(place);
        json_object_set_new(doc, "visited_at", json_string(bad[i]));
        expect_422(post("/v1/visits", writer, doc), "visited_at", NULL, bad[i]);
    }
    json_t *doc = visit_doc(place);
    json_object_del(doc, "visited_at");
    expect_422(post("/v1/visits", writer, doc), "visited_at", NULL, "visited_at missing");
    doc = visit_doc(place);
    json_object_set_new(doc, "visited_at", json_integer(1700000000));
    expect_422(post("/v1/visits", writer, doc), "visited_at", NULL, "a number");
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 0);

    /* a clock a little ahead (within 5 minutes) is tolerated */
    rfc3339_utc(time(NULL) + 90, soon, sizeof soon);
    doc = visit_doc(place);
    json_object_set_new(doc, "visited_at", json_string(soon));
    json_decref(created(post("/v1/visits", writer, doc), "90 s ahead"));
}

Test(activity_visits, a_purpose_outside_the_list_is_422)
{
    char place[64];
    create_place(false, place, sizeof place);
    const char *bad[] = {"coffee", "Information", "", "digital-support"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = visit_doc(place);
        json_object_set_new(doc, "purpose", json_string(bad[i]));
        expect_422(post("/v1/visits", writer, doc), "purpose", NULL, bad[i]);
    }
    const char *good[] = {"information",     "administrative_procedure",
                          "digital_support", "equipment",
                          "workshop",        "other"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        json_t *doc = visit_doc(place);
        json_object_set_new(doc, "purpose", json_string(good[i]));
        json_t *v = created(post("/v1/visits", writer, doc), good[i]);
        cr_expect_str_eq(json_str(v, "purpose"), good[i]);
        json_decref(v);
    }
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 6);
}

Test(activity_visits, read_only_and_unknown_members_are_422)
{
    char place[64];
    create_place(false, place, sizeof place);
    const char *read_only[] = {"id", "org", "created_at"};
    for (size_t i = 0; i < 3; i++) {
        json_t *doc = visit_doc(place);
        json_object_set_new(doc, read_only[i],
                            json_string(i == 0   ? NO_SUCH_ID
                                        : i == 1 ? "caf-gers"
                                                 : "2025-01-01T00:00:00Z"));
        expect_422(post("/v1/visits", writer, doc), read_only[i], "is read-only", read_only[i]);
    }
    json_t *doc = visit_doc(place);
    json_object_set_new(doc, "visitor_name", json_string("Josette"));
    expect_422(post("/v1/visits", writer, doc), "visitor_name", "is not a known field",
               "unknown member");
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 0);
}

Test(activity_visits, every_bad_member_of_one_body_is_reported_at_once)
{
    char place[64];
    create_place(false, place, sizeof place);
    json_t *doc =
        json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "place_id", place, "visited_at", "not a time",
                  "count", 0, "purpose", "coffee", "org", "caf-gers", "colour", "red");
    struct response *r = post("/v1/visits", writer, doc);
    cr_expect_eq(r->status, 422, "%ld %s", r->status, r->body);
    const char *fields[] = {"visited_at", "count", "purpose", "org", "colour"};
    for (size_t i = 0; i < 5; i++)
        cr_expect(has_error(r, fields[i], NULL), "names %s: %s", fields[i], r->body);
    json_t *body = response_json(r);
    cr_expect_geq(json_array_size(json_object_get(body, "errors")), 5, "five entries");
    json_decref(body);
    response_free(r);
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 0);
}

Test(activity_visits, a_refused_visit_leaves_no_row)
{
    char place[64], ahead[40];
    create_place(false, place, sizeof place);
    const char *sql = "SELECT count(*) FROM visits WHERE place_id = $1";
    cr_assert_eq(count_rows(sql, place), 0, "a new place has no visit");
    rfc3339_utc(time(NULL) + 3600, ahead, sizeof ahead);
    json_t *doc = visit_doc(place);
    json_object_set_new(doc, "visited_at", json_string(ahead));
    expect_422(post("/v1/visits", writer, doc), "visited_at", NULL, "future");
    doc = visit_doc(place);
    json_object_set_new(doc, "count", json_integer(10001));
    expect_422(post("/v1/visits", writer, doc), "count", NULL, "too many");
    doc = visit_doc(place);
    json_object_set_new(doc, "stop_id", json_string(NO_SUCH_ID));
    expect_422(post("/v1/visits", writer, doc), "place_id", NULL, "both");
    struct response *r = post("/v1/visits", reader, visit_doc(place));
    cr_expect_eq(r->status, 403, "%ld", r->status);
    response_free(r);
    cr_expect_eq(count_rows(sql, place), 0, "nothing was written");
    json_decref(created(post("/v1/visits", writer, visit_doc(place)), "then a valid one"));
    cr_expect_eq(count_rows(sql, place), 1, "one row, the valid one");
}

Test(activity_visits, a_visit_needs_activity_write_and_a_token)
{
    char place[64];
    create_place(false, place, sizeof place);
    struct response *r = post("/v1/visits", reader, visit_doc(place));
    cr_expect_eq(r->status, 403, "places:read only: %ld %s", r->status, r->body);
    response_free(r);
    char *devices = test_token(ORG, "devices:write");
    r = post("/v1/visits", devices, visit_doc(place));
    cr_expect_eq(r->status, 403, "devices:write only: %ld", r->status);
    response_free(r);
    free(devices);
    r = post("/v1/visits", NULL, visit_doc(place));
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    cr_expect_eq(count_rows("SELECT count(*) FROM visits WHERE place_id = $1", place), 0);
}

/* ---- POST /v1/assessments ------------------------------------------------------ */

/* Posts an assessment of ref with levels; checks score and autonomy. */
static void expect_assessed(const int levels[12], double score, bool autonomous)
{
    char ref[64], at[40];
    test_nonce("act", ref, sizeof ref);
    rfc3339_utc(time(NULL) - 600, at, sizeof at);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o}", "participant_ref", ref, "phase", "after",
                            "taken_at", at, "levels", levels_doc(levels));
    json_t *a = created(post("/v1/assessments", writer, doc), "assessment");
    json_t *s = json_object_get(a, "score");
    cr_expect(json_is_number(s), "score is a number: %s", s ? "other type" : "absent");
    cr_expect(fabs(json_number_value(s) - score) < 1e-9, "score %.1f, not %g", score,
              json_number_value(s));
    cr_expect(json_is_boolean(json_object_get(a, "autonomous")), "autonomous is a boolean");
    cr_expect_eq(json_is_true(json_object_get(a, "autonomous")), autonomous, "autonomous %d",
                 autonomous);
    cr_expect(json_str(a, "id") && json_str(a, "id")[0], "an id");
    cr_expect_str_eq(json_str(a, "org"), ORG);
    cr_expect_str_eq(json_str(a, "participant_ref"), ref);
    cr_expect_str_eq(json_str(a, "phase"), "after");
    cr_expect_eq(rfc3339_seconds(json_str(a, "taken_at")), rfc3339_seconds(at));
    cr_expect(json_is_null(json_object_get(a, "workshop_id")), "workshop_id null");
    cr_expect(json_is_null(json_object_get(a, "series_id")), "series_id null");
    cr_expect(json_str(a, "created_at") != NULL, "created_at");
    json_t *back = json_object_get(a, "levels");
    cr_expect_eq(json_object_size(back), 12, "the 12 levels back");
    for (int i = 0; i < 12; i++)
        cr_expect_eq(json_integer_value(json_object_get(back, codes[i])), levels[i], "%s",
                     codes[i]);
    cr_expect_eq(json_object_size(a), 11, "the 11 members of the spec: %zu", json_object_size(a));
    json_decref(a);
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 1);
}

Test(activity_assessments, an_assessment_is_201_with_the_score_and_autonomy_computed)
{
    /* 3+3+3+3 + 2+2+2+2 + 1+1+1+1 = 24: 100 × 24 / 36 = 66.666… → 66.7, autonomous */
    const int sum24[12] = {3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1};
    expect_assessed(sum24, 66.7, true);
    /* 2+2 + 1×6 = 10: 100 × 10 / 36 = 27.777… → 27.8, not autonomous */
    const int sum10[12] = {2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    expect_assessed(sum10, 27.8, false);
    /* one step short of 24: 63.888… → 63.9, not autonomous */
    const int sum23[12] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1};
    expect_assessed(sum23, 63.9, false);
    const int all3[12] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    expect_assessed(all3, 100, true);
    const int all0[12] = {0};
    expect_assessed(all0, 0, false);
}

Test(activity_assessments, a_missing_skill_is_422_on_its_levels_member)
{
    char ref[64];
    test_nonce("act", ref, sizeof ref);
    json_t *doc = assessment_doc(ref);
    json_object_del(json_object_get(doc, "levels"), "fraud");
    expect_422(post("/v1/assessments", writer, doc), "levels.fraud", "is required", "no fraud");
    doc = assessment_doc(ref);
    json_object_del(json_object_get(doc, "levels"), "device_basics");
    json_object_del(json_object_get(doc, "levels"), "video_calls");
    struct response *r = post("/v1/assessments", writer, doc);
    cr_expect(has_error(r, "levels.device_basics", "is required"), "%s", r->body);
    expect_422(r, "levels.video_calls", "is required", "two missing");
    doc = assessment_doc(ref);
    json_object_set_new(doc, "levels", json_object());
    r = post("/v1/assessments", writer, doc);
    for (int i = 0; i < 12; i++) {
        char field[64];
        snprintf(field, sizeof field, "levels.%s", codes[i]);
        cr_expect(has_error(r, field, "is required"), "empty levels: %s named: %s", field, r->body);
    }
    expect_422(r, "levels.email", "is required", "empty levels");
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0,
                 "nothing written");
}

Test(activity_assessments, a_level_that_is_not_an_integer_from_0_to_3_is_422_on_its_member)
{
    char ref[64], field[64];
    test_nonce("act", ref, sizeof ref);
    json_t *bad[] = {json_integer(4),  json_integer(-1), json_real(2.5),
                     json_string("2"), json_null(),      json_true()};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *code = codes[(i * 5) % 12];
        char *shown = json_dumps(bad[i], JSON_ENCODE_ANY);
        json_t *doc = assessment_doc(ref);
        json_object_set_new(json_object_get(doc, "levels"), code, bad[i]);
        snprintf(field, sizeof field, "levels.%s", code);
        expect_422(post("/v1/assessments", writer, doc), field, "must be an integer from 0 to 3",
                   shown);
        free(shown);
    }
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0);
}

Test(activity_assessments, an_unknown_skill_is_422_on_its_key)
{
    char ref[64];
    test_nonce("act", ref, sizeof ref);
    json_t *doc = assessment_doc(ref);
    json_object_set_new(json_object_get(doc, "levels"), "cooking", json_integer(2));
    expect_422(post("/v1/assessments", writer, doc), "levels.cooking",
               "is not a skill of /v1/reference/skills", "cooking");
    doc = assessment_doc(ref);
    json_object_set_new(json_object_get(doc, "levels"), "Email", json_integer(1));
    expect_422(post("/v1/assessments", writer, doc), "levels.Email",
               "is not a skill of /v1/reference/skills", "Email");
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0);
}

Test(activity_assessments, levels_that_are_not_an_object_are_422_on_levels)
{
    char ref[64];
    test_nonce("act", ref, sizeof ref);
    json_t *bad[] = {json_pack("[i,i,i,i,i,i,i,i,i,i,i,i]", 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2),
                     json_integer(24), json_string("all 2"), json_null()};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = assessment_doc(ref);
        json_object_set_new(doc, "levels", bad[i]);
        expect_422(post("/v1/assessments", writer, doc), "levels", NULL, "not an object");
    }
    json_t *doc = assessment_doc(ref);
    json_object_del(doc, "levels");
    expect_422(post("/v1/assessments", writer, doc), "levels", NULL, "levels missing");
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0);
}

Test(activity_assessments, participant_ref_must_be_pseudonymous_and_1_to_100_characters)
{
    char long_ref[102];
    memset(long_ref, 'p', 101);
    long_ref[101] = '\0';
    expect_422(post("/v1/assessments", writer, assessment_doc("josette.dupin@example.fr")),
               "participant_ref", "must be a pseudonymous reference, not an e-mail address",
               "an e-mail address");
    expect_422(post("/v1/assessments", writer, assessment_doc("P-12@")), "participant_ref",
               "must be a pseudonymous reference, not an e-mail address", "an @");
    expect_422(post("/v1/assessments", writer, assessment_doc("")), "participant_ref", NULL,
               "empty");
    expect_422(post("/v1/assessments", writer, assessment_doc(long_ref)), "participant_ref", NULL,
               "101 characters");
    json_t *doc = assessment_doc("x");
    json_object_del(doc, "participant_ref");
    expect_422(post("/v1/assessments", writer, doc), "participant_ref", NULL, "missing");
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref LIKE $1",
                            "%@example.fr"),
                 0, "no e-mail address stored");
    long_ref[100] = '\0';
    json_decref(created(post("/v1/assessments", writer, assessment_doc(long_ref)), "100 chars"));
}

Test(activity_assessments, a_bad_phase_or_taken_at_is_422)
{
    char ref[64], ahead[40];
    test_nonce("act", ref, sizeof ref);
    const char *phases[] = {"during", "Before", "follow-up", ""};
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        json_t *doc = assessment_doc(ref);
        json_object_set_new(doc, "phase", json_string(phases[i]));
        expect_422(post("/v1/assessments", writer, doc), "phase", NULL, phases[i]);
    }
    json_t *doc = assessment_doc(ref);
    json_object_del(doc, "phase");
    expect_422(post("/v1/assessments", writer, doc), "phase", NULL, "phase missing");
    rfc3339_utc(time(NULL) + 3600, ahead, sizeof ahead);
    doc = assessment_doc(ref);
    json_object_set_new(doc, "taken_at", json_string(ahead));
    expect_422(post("/v1/assessments", writer, doc), "taken_at", NULL, "taken_at ahead");
    doc = assessment_doc(ref);
    json_object_del(doc, "taken_at");
    expect_422(post("/v1/assessments", writer, doc), "taken_at", NULL, "taken_at missing");
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0);
    const char *good[] = {"before", "after", "follow_up"};
    for (size_t i = 0; i < 3; i++) {
        doc = assessment_doc(ref);
        json_object_set_new(doc, "phase", json_string(good[i]));
        json_t *a = created(post("/v1/assessments", writer, doc), good[i]);
        cr_expect_str_eq(json_str(a, "phase"), good[i]);
        json_decref(a);
    }
}

Test(activity_assessments, an_unknown_workshop_or_series_is_422_on_its_field)
{
    char ref[64];
    test_nonce("act", ref, sizeof ref);
    json_t *doc = assessment_doc(ref);
    json_object_set_new(doc, "workshop_id", json_string(NO_SUCH_ID));
    expect_422(post("/v1/assessments", writer, doc), "workshop_id", "no such workshop",
               "unknown workshop");
    doc = assessment_doc(ref);
    json_object_set_new(doc, "workshop_id", json_string("atelier-1"));
    expect_422(post("/v1/assessments", writer, doc), "workshop_id", NULL, "not a uuid");
    doc = assessment_doc(ref);
    json_object_set_new(doc, "series_id", json_string(NO_SUCH_ID));
    expect_422(post("/v1/assessments", writer, doc), "series_id", "no such series",
               "unknown series");
    /* a workshop's id is not a series' id */
    char workshop[64];
    create_workshop(workshop, sizeof workshop);
    doc = assessment_doc(ref);
    json_object_set_new(doc, "series_id", json_string(workshop));
    expect_422(post("/v1/assessments", writer, doc), "series_id", "no such series",
               "a workshop id as series");
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0);
}

Test(activity_assessments, a_known_workshop_or_series_is_accepted_and_kept)
{
    char ref[64], workshop[64];
    test_nonce("act", ref, sizeof ref);
    create_workshop(workshop, sizeof workshop);
    json_t *doc = assessment_doc(ref);
    json_object_set_new(doc, "workshop_id", json_string(workshop));
    json_t *a = created(post("/v1/assessments", writer, doc), "with a workshop");
    cr_expect_str_eq(json_str(a, "workshop_id"), workshop);
    cr_expect(json_is_null(json_object_get(a, "series_id")), "no series");
    cr_expect(fabs(json_number_value(json_object_get(a, "score")) - 66.7) < 1e-9, "all 2: 66.7");
    cr_expect(json_is_true(json_object_get(a, "autonomous")));
    json_decref(a);
    cr_expect_eq(
        count_rows("SELECT count(*) FROM assessments WHERE workshop_id = $1::uuid", workshop), 1);

    /* a series: the series_id of a recurring workshop */
    char place[64], series[64];
    create_place(false, place, sizeof place);
    struct response *r = post(
        "/v1/workshops", builder,
        json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i, s:s}", "place_id", place, "title",
                  "Série d'autonomie", "theme", "smartphone", "audience", "seniors", "starts_at",
                  "2031-11-04T14:00:00+01:00", "ends_at", "2031-11-04T16:00:00+01:00", "capacity",
                  8, "recurrence", "FREQ=WEEKLY;COUNT=2"));
    cr_assert_eq(r->status, 201, "series: %ld %s", r->status, r->body);
    json_t *w = response_json(r);
    response_free(r);
    snprintf(series, sizeof series, "%s", json_str(w, "series_id") ? json_str(w, "series_id") : "");
    json_decref(w);
    cr_assert(series[0], "the series has an id");
    doc = assessment_doc(ref);
    json_object_set_new(doc, "series_id", json_string(series));
    a = created(post("/v1/assessments", writer, doc), "with a series");
    cr_expect_str_eq(json_str(a, "series_id"), series);
    cr_expect(json_is_null(json_object_get(a, "workshop_id")), "no workshop");
    json_decref(a);
}

Test(activity_assessments, score_autonomous_and_the_other_server_set_members_are_read_only)
{
    char ref[64];
    test_nonce("act", ref, sizeof ref);
    json_t *doc = assessment_doc(ref);
    json_object_set_new(doc, "score", json_real(100.0));
    json_object_set_new(doc, "autonomous", json_true());
    struct response *r = post("/v1/assessments", writer, doc);
    cr_expect(has_error(r, "score", "is read-only"), "score: %s", r->body);
    expect_422(r, "autonomous", "is read-only", "score and autonomous");
    const char *others[] = {"id", "org", "created_at"};
    for (size_t i = 0; i < 3; i++) {
        doc = assessment_doc(ref);
        json_object_set_new(doc, others[i], json_string("x"));
        expect_422(post("/v1/assessments", writer, doc), others[i], "is read-only", others[i]);
    }
    doc = assessment_doc(ref);
    json_object_set_new(doc, "email", json_string("josette.dupin@example.fr"));
    expect_422(post("/v1/assessments", writer, doc), "email", "is not a known field",
               "unknown member");
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0);
}

Test(activity_assessments, an_assessment_needs_activity_write_and_a_token)
{
    char ref[64];
    test_nonce("act", ref, sizeof ref);
    struct response *r = post("/v1/assessments", reader, assessment_doc(ref));
    cr_expect_eq(r->status, 403, "places:read only: %ld %s", r->status, r->body);
    response_free(r);
    r = post("/v1/assessments", NULL, assessment_doc(ref));
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    cr_expect_eq(count_rows("SELECT count(*) FROM assessments WHERE participant_ref = $1", ref), 0);
}

/* ---- POST /v1/feedback --------------------------------------------------------- */

Test(activity_feedback, ratings_1_to_5_are_accepted_for_a_place)
{
    char place[64];
    create_place(false, place, sizeof place);
    for (int rating = 1; rating <= 5; rating++) {
        json_t *f =
            created(post("/v1/feedback", writer, feedback_doc("place", place, rating)), "rating");
        cr_expect_eq(json_integer_value(json_object_get(f, "rating")), rating);
        cr_expect_str_eq(json_str(f, "subject_type"), "place");
        cr_expect_str_eq(json_str(f, "subject_id"), place);
        cr_expect_str_eq(json_str(f, "org"), ORG);
        cr_expect(json_is_null(json_object_get(f, "comment")), "no comment: null");
        cr_expect(json_str(f, "id") && json_str(f, "created_at"), "id and created_at");
        cr_expect_eq(json_object_size(f), 7, "the 7 members of the spec: %zu", json_object_size(f));
        json_decref(f);
    }
    cr_expect_eq(count_rows("SELECT count(*) FROM feedback WHERE subject_id = $1::uuid", place), 5);
}

Test(activity_feedback, feedback_on_a_workshop_keeps_its_comment)
{
    char workshop[64], comment[501];
    create_workshop(workshop, sizeof workshop);
    json_t *doc = feedback_doc("workshop", workshop, 5);
    json_object_set_new(doc, "comment", json_string("Très clair, merci !"));
    json_t *f = created(post("/v1/feedback", writer, doc), "workshop");
    cr_expect_str_eq(json_str(f, "subject_type"), "workshop");
    cr_expect_str_eq(json_str(f, "subject_id"), workshop);
    cr_expect_str_eq(json_str(f, "comment"), "Très clair, merci !");
    json_decref(f);
    memset(comment, 'a', 500);
    comment[500] = '\0';
    doc = feedback_doc("workshop", workshop, 3);
    json_object_set_new(doc, "comment", json_string(comment));
    json_decref(created(post("/v1/feedback", writer, doc), "500 characters"));
    /* a workshop's id is not a place */
    expect_422(post("/v1/feedback", writer, feedback_doc("place", workshop, 4)), "subject_id",
               "no such place", "workshop id as a place");
    expect_422(post("/v1/feedback", writer, feedback_doc("workshop", NO_SUCH_ID, 4)), "subject_id",
               "no such workshop", "unknown workshop");
    cr_expect_eq(count_rows("SELECT count(*) FROM feedback WHERE subject_id = $1::uuid", workshop),
                 2);
}

Test(activity_feedback, either_partner_of_a_referral_may_rate_it)
{
    char notes[64], referral[64];
    test_nonce("act", notes, sizeof notes);
    create_referral(notes, referral, sizeof referral);
    /* the receiver */
    json_t *f =
        created(post("/v1/feedback", caf, feedback_doc("referral", referral, 4)), "the receiver");
    cr_expect_str_eq(json_str(f, "org"), "caf-gers");
    cr_expect_str_eq(json_str(f, "subject_type"), "referral");
    cr_expect_str_eq(json_str(f, "subject_id"), referral);
    json_decref(f);
    /* the sender */
    f = created(post("/v1/feedback", writer, feedback_doc("referral", referral, 2)), "the sender");
    cr_expect_str_eq(json_str(f, "org"), ORG);
    json_decref(f);
    cr_expect_eq(count_rows("SELECT count(*) FROM feedback WHERE subject_id = $1::uuid", referral),
                 2);
}

Test(activity_feedback, a_referral_of_other_partners_is_no_such_referral_and_reveals_nothing)
{
    char notes[64], referral[64];
    test_nonce("act", notes, sizeof notes);
    create_referral(notes, referral, sizeof referral);
    struct response *other = post("/v1/feedback", poste, feedback_doc("referral", referral, 1));
    struct response *none = post("/v1/feedback", poste, feedback_doc("referral", NO_SUCH_ID, 1));
    cr_expect_eq(other->status, 422, "%ld %s", other->status, other->body);
    cr_expect(has_error(other, "subject_id", "no such referral"), "%s", other->body);
    const char *secrets[] = {notes, "Josette", "Dupin", "caf-gers", "caf_procedures", ORG};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        cr_expect_null(strstr(other->body, secrets[i]), "the answer does not mention %s: %s",
                       secrets[i], other->body);
    /* the same errors as for a referral that does not exist */
    json_t *a = response_json(other), *b = response_json(none);
    cr_expect(json_equal(json_object_get(a, "errors"), json_object_get(b, "errors")),
              "indistinguishable from an unknown referral: %s / %s", other->body, none->body);
    json_decref(a);
    json_decref(b);
    response_free(none);
    expect_422(other, "subject_id", "no such referral", "a third party's referral");
    cr_expect_eq(count_rows("SELECT count(*) FROM feedback WHERE subject_id = $1::uuid", referral),
                 0);
}

Test(activity_feedback, a_rating_outside_1_to_5_or_not_an_integer_is_422)
{
    char place[64];
    create_place(false, place, sizeof place);
    json_t *bad[] = {json_integer(0),  json_integer(6),  json_real(4.5),
                     json_string("4"), json_integer(-1), json_null()};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *shown = json_dumps(bad[i], JSON_ENCODE_ANY);
        json_t *doc = feedback_doc("place", place, 3);
        json_object_set_new(doc, "rating", bad[i]);
        expect_422(post("/v1/feedback", writer, doc), "rating", NULL, shown);
        free(shown);
    }
    json_t *doc = feedback_doc("place", place, 3);
    json_object_del(doc, "rating");
    expect_422(post("/v1/feedback", writer, doc), "rating", NULL, "rating missing");
    cr_expect_eq(count_rows("SELECT count(*) FROM feedback WHERE subject_id = $1::uuid", place), 0);
}

Test(activity_feedback, a_bad_subject_type_or_comment_is_422)
{
    char place[64], comment[502];
    create_place(false, place, sizeof place);
    const char *types[] = {"stop", "Place", "organization", ""};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        expect_422(post("/v1/feedback", writer, feedback_doc(types[i], place, 3)), "subject_type",
                   NULL, types[i]);
    json_t *doc = feedback_doc("place", place, 3);
    json_object_del(doc, "subject_type");
    expect_422(post("/v1/feedback", writer, doc), "subject_type", NULL, "subject_type missing");
    doc = feedback_doc("place", place, 3);
    json_object_del(doc, "subject_id");
    expect_422(post("/v1/feedback", writer, doc), "subject_id", NULL, "subject_id missing");
    expect_422(post("/v1/feedback", writer, feedback_doc("place", "here", 3)), "subject_id", NULL,
               "not a uuid");
    memset(comment, 'c', 501);
    comment[501] = '\0';
    doc = feedback_doc("place", place, 3);
    json_object_set_new(doc, "comment", json_string(comment));
    expect_422(post("/v1/feedback", writer, doc), "comment", NULL, "501 characters");
    doc = feedback_doc("place", place, 3);
    json_object_set_new(doc, "comment", json_string(""));
    expect_422(post("/v1/feedback", writer, doc), "comment", NULL, "empty comment");
    doc = feedback_doc("place", place, 3);
    json_object_set_new(doc, "email", json_string("josette.dupin@example.fr"));
    expect_422(post("/v1/feedback", writer, doc), "email", "is not a known field",
               "nothing about the person");
    doc = feedback_doc("place", place, 3);
    json_object_set_new(doc, "org", json_string("caf-gers"));
    expect_422(post("/v1/feedback", writer, doc), "org", "is read-only", "org");
    cr_expect_eq(count_rows("SELECT count(*) FROM feedback WHERE subject_id = $1::uuid", place), 0);
}

Test(activity_feedback, feedback_needs_activity_write_and_a_token)
{
    char place[64];
    create_place(false, place, sizeof place);
    struct response *r = post("/v1/feedback", reader, feedback_doc("place", place, 5));
    cr_expect_eq(r->status, 403, "places:read only: %ld %s", r->status, r->body);
    response_free(r);
    r = post("/v1/feedback", NULL, feedback_doc("place", place, 5));
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    cr_expect_eq(count_rows("SELECT count(*) FROM feedback WHERE subject_id = $1::uuid", place), 0);
}
