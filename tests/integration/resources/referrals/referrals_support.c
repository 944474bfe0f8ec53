/* Helpers of the referral tests (see referrals_support.h). */
#include "referrals_support.h"
#include "support/expect.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *mirande, *caf, *poste, *travail, *mirande_reader, *caf_reader, *unscoped, *places_writer,
    *admin;

void tokens(void)
{
    /* the sender of most referrals here */
    fixture_token(&mirande, "france-services-mirande", "referrals:read referrals:write");
    /* the receiver */
    fixture_token(&caf, "caf-gers", "referrals:read referrals:write");
    /* two third parties that may read and write referrals, their own */
    fixture_token(&poste, "la-poste-gers", "referrals:read referrals:write");
    fixture_token(&travail, "france-travail-gers", "referrals:read referrals:write");
    /* the partners with read scope only, or none of the referral scopes */
    fixture_token(&mirande_reader, "france-services-mirande", "referrals:read");
    fixture_token(&caf_reader, "caf-gers", "referrals:read");
    fixture_token(&unscoped, "caf-gers", "places:read");
    fixture_token(&places_writer, "france-services-mirande", "places:read places:write");
    fixture_token(&admin, "gers-numerique", "admin places:read places:write");
}

/* ---- helpers ------------------------------------------------------------ */

/* Every request to a referral route goes through here (thread-safe: no
 * static buffer). `key` is the Idempotency-Key (NULL: no header). */
struct response *call_with(bool checked, const char *method, const char *path, const char *token,
                           const char *body, const char *key)
{
    char idem[400];
    if (key)
        snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    /* From threads the validator must not run: it is not thread-safe. */
    return api_call(checked, method, path, token, body, key ? idem : NULL);
}

struct response *call(const char *method, const char *path, const char *token, const char *body,
                      const char *key)
{
    return call_with(true, method, path, token, body, key);
}

bool str_is(json_t *obj, const char *key, const char *value)
{
    const char *v = json_str(obj, key);
    return v && strcmp(v, value) == 0;
}

bool is_null(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v && json_is_null(v);
}

/* The problem's detail mentions `word`. */
bool detail_names(struct response *r, const char *word)
{
    json_t *body = response_json(r);
    const char *detail = json_str(body, "detail");
    bool found = detail && strstr(detail, word) != NULL;
    json_decref(body);
    return found;
}

/* A valid referral to `to_org`, with `notes` (unique per test: it is how the
 * referrals of a test are counted). The beneficiary's last name carries the
 * notes too, to look for it in the database once erased. */
json_t *referral_doc(const char *to_org, const char *notes)
{
    char recorded[40], last[128];
    rfc3339_utc(time(NULL) - 3600, recorded, sizeof recorded);
    snprintf(last, sizeof last, "Dupin-%s", notes);
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:{s:b, s:s, s:s}, s:s}", "to_org",
                     to_org, "need", "caf_procedures", "beneficiary", "first_name", "Josette",
                     "last_name", last, "phone", "06 12 34 56 78", "email",
                     "josette.dupin@example.fr", "contact_preference", "phone", "consent", "given",
                     1, "method", "oral", "recorded_at", recorded, "notes", notes);
}

char *dump(json_t *doc)
{
    return json_dumps(doc, JSON_COMPACT);
}

/* POSTs `doc` as token under a new key. */
struct response *post_doc(const char *token, json_t *doc)
{
    char key[64];
    test_nonce("ref", key, sizeof key);
    char *text = dump(doc);
    struct response *r = call("POST", "/v1/referrals", token, text, key);
    free(text);
    return r;
}

/* Creates a referral from token's organisation to `to_org` (asserts 201);
 * returns it, its id into id. */
json_t *create_referral_from(const char *token, const char *to_org, char *id, size_t cap)
{
    char tag[64];
    test_nonce("ref", tag, sizeof tag);
    json_t *doc = referral_doc(to_org, tag);
    struct response *r = post_doc(token, doc);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "create referral: %ld %s", r->status, r->body);
    json_t *ref = response_json(r);
    response_free(r);
    cr_assert_not_null(json_str(ref, "id"), "the referral has an id");
    snprintf(id, cap, "%s", json_str(ref, "id"));
    return ref;
}

/* france-services-mirande → caf-gers */
json_t *create_referral(char *id, size_t cap)
{
    return create_referral_from(mirande, "caf-gers", id, cap);
}

struct response *get_referral(const char *token, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/referrals/%s", id);
    return call("GET", path, token, NULL, NULL);
}

/* The referral as token sees it (asserts 200). */
json_t *referral(const char *token, const char *id)
{
    struct response *r = get_referral(token, id);
    cr_assert_eq(r->status, 200, "GET referral %s: %ld %s", id, r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    return body;
}

struct response *post_event(const char *token, const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
    return call("POST", path, token, body, NULL);
}

/* {"type": type} as token: the status of the answer. */
long move(const char *token, const char *id, const char *type)
{
    char body[128];
    snprintf(body, sizeof body, "{\"type\":\"%s\"}", type);
    struct response *r = post_event(token, id, body);
    long status = r->status;
    response_free(r);
    return status;
}

/* Posts an event (asserts 201); returns it. */
json_t *event_ok(const char *token, const char *id, const char *body)
{
    struct response *r = post_event(token, id, body);
    cr_assert_eq(r->status, 201, "event %s: %ld %s", body, r->status, r->body);
    json_t *e = response_json(r);
    response_free(r);
    return e;
}

/* GET /v1/referrals/{id}/<what> as token. */
struct response *sub_list(const char *token, const char *id, const char *what)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/referrals/%s/%s", id, what);
    return call("GET", path, token, NULL, NULL);
}

/* The items of events or access-log (asserts 200, next_cursor null). */
json_t *items_of(const char *token, const char *id, const char *what)
{
    struct response *r = sub_list(token, id, what);
    cr_assert_eq(r->status, 200, "%s: %ld %s", what, r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    cr_expect(is_null(body, "next_cursor"), "%s: next_cursor null", what);
    json_t *items = json_incref(json_object_get(body, "items"));
    json_decref(body);
    cr_assert(json_is_array(items), "%s: items", what);
    return items;
}

const char *status_of(const char *token, const char *id, char *buf, size_t cap)
{
    json_t *ref = referral(token, id);
    snprintf(buf, cap, "%s", json_str(ref, "status") ? json_str(ref, "status") : "(none)");
    json_decref(ref);
    return buf;
}

void expect_status(const char *id, const char *status)
{
    char buf[32];
    cr_expect_str_eq(status_of(mirande, id, buf, sizeof buf), status, "referral %s is %s", id,
                     status);
}

/* ---- the database, directly ---------------------------------------------------- */

PGconn *db(void)
{
    const char *dsn = getenv("TEST_DATABASE_URL");
    cr_assert_not_null(dsn, "TEST_DATABASE_URL");
    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

/* Runs sql with one parameter; returns the result (caller clears). */
PGresult *sql1(PGconn *c, const char *sql, const char *param)
{
    const char *params[] = {param};
    return PQexecParams(c, sql, param ? 1 : 0, NULL, param ? params : NULL, NULL, NULL, 0);
}

/* The referrals whose notes are `notes`. */
long count_referrals(const char *notes)
{
    PGconn *c = db();
    PGresult *res = sql1(c, "SELECT count(*) FROM referrals WHERE notes = $1", notes);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return n;
}

void referrals_start(void)
{
    fixture_start();
    tokens();
}

void referrals_start_concurrent(void)
{
    static const char *const env[] = {"HTTP_THREADS=16", "DB_POOL_SIZE=16",
                                      "MAX_CONNECTIONS_PER_IP=1024", NULL};
    fixture_start_with(env);
    tokens();
}
