/* /v1/referrals: one partner sends a resident to another. Creation under an
 * Idempotency-Key (replays, conflicts, keys per organisation, the same key at
 * once), validation of what is collected about the beneficiary, who may see a
 * referral (its two partners; 404 for anyone else), the moves of its journey
 * and who may make them, consent withdrawal erasing the personal fields, the
 * log of reads, the append-only history (checked in the database itself with
 * libpq), and expiry after REFERRAL_EXPIRY_DAYS.
 *
 * The database is shared with other tests running in parallel: every referral
 * here is created by the test that uses it, with notes and a key unique to the
 * process and the call (nonce), and counted through those notes. */
#include "referrals_support.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Referrals still sent after one day expire. */
static void start_expiring(void)
{
    static const char *const env[] = {"REFERRAL_EXPIRY_DAYS=1", NULL};
    fixture_start_with(env);
    tokens();
}

TestSuite(referrals, .init = referrals_start, .fini = fixture_stop, .timeout = 120);
TestSuite(referrals_expiry, .init = start_expiring, .fini = fixture_stop, .timeout = 120);
TestSuite(referrals_contention, .init = referrals_start_concurrent, .fini = fixture_stop,
          .timeout = 120);

/* ---- creating ------------------------------------------------------------------ */

Test(referrals, creating_returns_the_referral_and_its_location)
{
    char tag[64], key[64], location[256], path[128];
    test_nonce("ref", tag, sizeof tag);
    test_nonce("ref", key, sizeof key);
    json_t *doc = referral_doc("caf-gers", tag);
    char *text = dump(doc);
    json_decref(doc);
    struct response *r = call("POST", "/v1/referrals", mirande, text, key);
    free(text);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    json_t *ref = response_json(r);
    cr_assert_not_null(ref, "a JSON body: %s", r->body);
    const char *id = json_str(ref, "id");
    cr_assert_not_null(id);
    cr_expect_eq(strlen(id), 36, "a UUID: %s", id);
    snprintf(path, sizeof path, "/v1/referrals/%s", id);
    cr_expect_not_null(response_header(r, "Location", location, sizeof location), "Location");
    cr_expect(strstr(location, path) != NULL, "Location %s leads to %s", location, path);
    response_free(r);

    cr_expect_str_eq(json_str(ref, "from_org"), "france-services-mirande",
                     "the token's organisation");
    cr_expect_str_eq(json_str(ref, "to_org"), "caf-gers");
    cr_expect_str_eq(json_str(ref, "need"), "caf_procedures");
    cr_expect_str_eq(json_str(ref, "status"), "sent");
    json_t *b = json_object_get(ref, "beneficiary");
    cr_expect_str_eq(json_str(b, "first_name"), "Josette");
    char last[128];
    snprintf(last, sizeof last, "Dupin-%s", tag);
    cr_expect_str_eq(json_str(b, "last_name"), last);
    cr_expect_str_eq(json_str(b, "phone"), "+33612345678", "stored in E.164");
    cr_expect_str_eq(json_str(b, "email"), "josette.dupin@example.fr");
    cr_expect_str_eq(json_str(b, "contact_preference"), "phone");
    json_t *consent = json_object_get(ref, "consent");
    cr_expect(json_is_true(json_object_get(consent, "given")), "consent.given");
    cr_expect_str_eq(json_str(consent, "method"), "oral");
    cr_expect_not_null(json_str(consent, "recorded_at"), "consent.recorded_at");
    cr_expect(is_null(consent, "withdrawn_at"), "consent.withdrawn_at null");
    cr_expect_str_eq(json_str(ref, "notes"), tag);
    cr_expect(is_null(ref, "place_id"), "place_id null");
    cr_expect_not_null(json_str(ref, "created_at"), "created_at");
    cr_expect_not_null(json_str(ref, "updated_at"), "updated_at");

    /* the sender and the receiver read the same referral */
    json_t *as_sender = referral(mirande, id);
    cr_expect_str_eq(json_str(as_sender, "id"), id);
    cr_expect_str_eq(json_str(as_sender, "status"), "sent");
    cr_expect(json_equal(json_object_get(as_sender, "beneficiary"), b), "same beneficiary");
    json_decref(as_sender);
    json_t *as_receiver = referral(caf, id);
    cr_expect_str_eq(json_str(as_receiver, "id"), id);
    cr_expect_str_eq(json_str(as_receiver, "from_org"), "france-services-mirande");
    cr_expect(json_equal(json_object_get(as_receiver, "beneficiary"), b), "same beneficiary");
    json_decref(as_receiver);
    cr_expect_eq(count_referrals(tag), 1, "one referral");
    json_decref(ref);
}

Test(referrals, accepted_variants_are_normalised)
{
    static const char *const phones[][2] = {{"06.12.34.56.78", "+33612345678"},
                                            {"+33 6 12 34 56 78", "+33612345678"},
                                            {"05 62 00 00 00", "+33562000000"},
                                            {"+262 262 12 34 56", "+262262123456"}};
    for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
        char tag[64];
        test_nonce("ref", tag, sizeof tag);
        json_t *doc = referral_doc("caf-gers", tag);
        json_object_set_new(json_object_get(doc, "beneficiary"), "phone",
                            json_string(phones[i][0]));
        struct response *r = post_doc(mirande, doc);
        json_decref(doc);
        cr_expect_eq(r->status, 201, "%s: %ld %s", phones[i][0], r->status, r->body);
        json_t *ref = response_json(r);
        response_free(r);
        cr_expect_str_eq(json_str(json_object_get(ref, "beneficiary"), "phone"), phones[i][1],
                         "%s in E.164", phones[i][0]);
        json_decref(ref);
    }

    /* contact by e-mail, no phone; through the referring partner, neither */
    char tag[64];
    test_nonce("ref", tag, sizeof tag);
    json_t *doc = referral_doc("la-poste-gers", tag);
    json_t *b = json_object_get(doc, "beneficiary");
    json_object_del(b, "phone");
    json_object_set_new(b, "contact_preference", json_string("email"));
    struct response *r = post_doc(mirande, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 201, "email preference: %ld %s", r->status, r->body);
    json_t *ref = response_json(r);
    response_free(r);
    cr_expect(is_null(json_object_get(ref, "beneficiary"), "phone"), "no phone: null");
    cr_expect_str_eq(json_str(json_object_get(ref, "beneficiary"), "contact_preference"), "email");
    json_decref(ref);

    test_nonce("ref", tag, sizeof tag);
    doc = referral_doc("la-poste-gers", tag);
    b = json_object_get(doc, "beneficiary");
    json_object_del(b, "phone");
    json_object_del(b, "email");
    json_object_set_new(b, "contact_preference", json_string("referring_partner"));
    json_object_set_new(json_object_get(doc, "consent"), "method", json_string("written"));
    r = post_doc(mirande, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 201, "referring_partner: %ld %s", r->status, r->body);
    ref = response_json(r);
    response_free(r);
    cr_expect(is_null(json_object_get(ref, "beneficiary"), "phone"));
    cr_expect(is_null(json_object_get(ref, "beneficiary"), "email"));
    cr_expect_str_eq(json_str(json_object_get(ref, "consent"), "method"), "written");
    json_decref(ref);

    /* the limits themselves, a recorded_at with an offset, no notes */
    char hundred[101], thousand[1001];
    memset(hundred, 'a', 100);
    hundred[100] = '\0';
    memset(thousand, 'n', 1000);
    thousand[1000] = '\0';
    test_nonce("ref", tag, sizeof tag);
    doc = referral_doc("france-travail-gers", tag);
    b = json_object_get(doc, "beneficiary");
    json_object_set_new(b, "first_name", json_string(hundred));
    json_object_set_new(b, "last_name", json_string(hundred));
    json_object_set_new(doc, "notes", json_string(thousand));
    json_object_set_new(json_object_get(doc, "consent"), "recorded_at",
                        json_string("2024-05-02T10:00:00+02:00"));
    json_object_set_new(json_object_get(doc, "consent"), "method", json_string("digital"));
    r = post_doc(mirande, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 201, "100-character names, 1000-character notes: %ld %s", r->status,
                 r->body);
    response_free(r);

    test_nonce("ref", tag, sizeof tag);
    doc = referral_doc("caf-gers", tag);
    json_object_del(doc, "notes");
    r = post_doc(mirande, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 201, "without notes: %ld %s", r->status, r->body);
    ref = response_json(r);
    response_free(r);
    cr_expect(is_null(ref, "notes"), "notes null");
    json_decref(ref);

    /* every need */
    static const char *const needs[] = {
        "digital_identity", "caf_procedures",       "employment", "health_insurance", "taxes",
        "equipment",        "basic_digital_skills", "housing",    "retirement",       "other"};
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        test_nonce("ref", tag, sizeof tag);
        doc = referral_doc("caf-gers", tag);
        json_object_set_new(doc, "need", json_string(needs[i]));
        r = post_doc(mirande, doc);
        json_decref(doc);
        cr_expect_eq(r->status, 201, "need %s: %ld %s", needs[i], r->status, r->body);
        ref = response_json(r);
        cr_expect_str_eq(json_str(ref, "need"), needs[i]);
        json_decref(ref);
        response_free(r);
    }
}

/* "French or E.164": a number already in E.164 is kept as it is, whatever
 * its country (a resident with a foreign mobile). */
Test(referrals, a_foreign_e164_phone_is_accepted)
{
    char tag[64];
    test_nonce("ref", tag, sizeof tag);
    json_t *doc = referral_doc("caf-gers", tag);
    json_object_set_new(json_object_get(doc, "beneficiary"), "phone", json_string("+447700900123"));
    struct response *r = post_doc(mirande, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 201, "+447700900123: %ld %s", r->status, r->body);
    json_t *ref = response_json(r);
    response_free(r);
    cr_expect_str_eq(json_str(json_object_get(ref, "beneficiary"), "phone"), "+447700900123",
                     "kept in E.164");
    json_decref(ref);
}

/* A fixed place of france-services-mirande in Mirande. */
static void create_place(char *id, size_t cap)
{
    char tag[64], name[128];
    test_nonce("ref", tag, sizeof tag);
    snprintf(name, sizeof name, "Accueil orientations %s", tag);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                  "integration-tests", "source_id", tag, "pivot", "00000000000000", "name", name,
                  "street", "1 rue de l'Essai", "postal_code", "32300", "commune", "Mirande",
                  "insee_code", "32256", "latitude", 43.513985, "longitude", 0.400199);
    post_created("/v1/places", places_writer, doc, NULL, id, cap);
}

static void remove_place(const char *id)
{
    char path[128], auth[4096];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    const char *headers[] = {bearer_header(admin, auth, sizeof auth), NULL};
    struct response *r = http_request_raw("DELETE", url(path), headers, NULL);
    cr_expect_eq(r->status, 204, "place removed: %ld %s", r->status, r->body);
    response_free(r);
}

Test(referrals, a_place_must_be_live)
{
    char place[64], tag[64];
    create_place(place, sizeof place);
    test_nonce("ref", tag, sizeof tag);
    json_t *doc = referral_doc("caf-gers", tag);
    json_object_set_new(doc, "place_id", json_string(place));
    struct response *r = post_doc(mirande, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 201, "a live place: %ld %s", r->status, r->body);
    json_t *ref = response_json(r);
    response_free(r);
    cr_expect_str_eq(json_str(ref, "place_id"), place);
    json_decref(ref);

    /* an unknown place, then a removed one */
    test_nonce("ref", tag, sizeof tag);
    doc = referral_doc("caf-gers", tag);
    json_object_set_new(doc, "place_id", json_string(NO_SUCH_ID));
    r = post_doc(mirande, doc);
    cr_expect_eq(r->status, 422, "unknown place: %ld %s", r->status, r->body);
    cr_expect(names_field(r, "place_id"), "names place_id: %s", r->body);
    response_free(r);
    remove_place(place);
    json_object_set_new(doc, "place_id", json_string(place));
    r = post_doc(mirande, doc);
    json_decref(doc);
    cr_expect_eq(r->status, 422, "removed place: %ld %s", r->status, r->body);
    cr_expect(names_field(r, "place_id"), "names place_id: %s", r->body);
    response_free(r);
    cr_expect_eq(count_referrals(tag), 0, "422s wrote nothing");
}

/* One invalid body: `edit` applied to a valid one must give 422 naming field. */
struct invalid {
    const char *what, *field;
    void (*edit)(json_t *doc);
};

static json_t *ben(json_t *doc)
{
    return json_object_get(doc, "beneficiary");
}
static json_t *con(json_t *doc)
{
    return json_object_get(doc, "consent");
}
static void no_to_org(json_t *d)
{
    json_object_del(d, "to_org");
}
static void unknown_to_org(json_t *d)
{
    json_object_set_new(d, "to_org", json_string("structure-inconnue-du-gers"));
}
static void to_itself(json_t *d)
{
    json_object_set_new(d, "to_org", json_string("france-services-mirande"));
}
static void bad_need(json_t *d)
{
    json_object_set_new(d, "need", json_string("astrology"));
}
static void no_need(json_t *d)
{
    json_object_del(d, "need");
}
static void no_beneficiary(json_t *d)
{
    json_object_del(d, "beneficiary");
}
static void empty_first_name(json_t *d)
{
    json_object_set_new(ben(d), "first_name", json_string(""));
}
static void long_first_name(json_t *d)
{
    char s[102];
    memset(s, 'a', 101);
    s[101] = '\0';
    json_object_set_new(ben(d), "first_name", json_string(s));
}
static void no_last_name(json_t *d)
{
    json_object_del(ben(d), "last_name");
}
static void long_last_name(json_t *d)
{
    char s[102];
    memset(s, 'b', 101);
    s[101] = '\0';
    json_object_set_new(ben(d), "last_name", json_string(s));
}
static void bad_phone(json_t *d)
{
    json_object_set_new(ben(d), "phone", json_string("12345"));
}
static void bad_email(json_t *d)
{
    json_object_set_new(ben(d), "email", json_string("pas-un-email"));
}
static void bad_preference(json_t *d)
{
    json_object_set_new(ben(d), "contact_preference", json_string("pigeon"));
}
static void no_preference(json_t *d)
{
    json_object_del(ben(d), "contact_preference");
}
static void phone_preference_without_phone(json_t *d)
{
    json_object_del(ben(d), "phone");
}
static void email_preference_without_email(json_t *d)
{
    json_object_del(ben(d), "email");
    json_object_set_new(ben(d), "contact_preference", json_string("email"));
}
static void social_security_number(json_t *d)
{
    json_object_set_new(ben(d), "social_security_number", json_string("2 52 03 32 256 001 42"));
}
static void health(json_t *d)
{
    json_object_set_new(ben(d), "health", json_string("diabète"));
}
static void no_consent(json_t *d)
{
    json_object_del(d, "consent");
}
static void consent_not_given(json_t *d)
{
    json_object_set_new(con(d), "given", json_false());
}
static void consent_given_missing(json_t *d)
{
    json_object_del(con(d), "given");
}
static void bad_method(json_t *d)
{
    json_object_set_new(con(d), "method", json_string("telepathy"));
}
static void bad_recorded_at(json_t *d)
{
    json_object_set_new(con(d), "recorded_at", json_string("hier"));
}
static void future_recorded_at(json_t *d)
{
    char t[40];
    rfc3339_utc(time(NULL) + 86400, t, sizeof t);
    json_object_set_new(con(d), "recorded_at", json_string(t));
}
static void long_notes(json_t *d)
{
    char s[1002];
    memset(s, 'x', 1001);
    s[1001] = '\0';
    json_object_set_new(d, "notes", json_string(s));
}
static void bad_place(json_t *d)
{
    json_object_set_new(d, "place_id", json_string("pas-un-uuid"));
}
static void from_org(json_t *d)
{
    json_object_set_new(d, "from_org", json_string("caf-gers"));
}
static void status_field(json_t *d)
{
    json_object_set_new(d, "status", json_string("accepted"));
}
static void id_field(json_t *d)
{
    json_object_set_new(d, "id", json_string(NO_SUCH_ID));
}

Test(referrals, invalid_bodies_are_422_naming_the_field)
{
    static const struct invalid cases[] = {
        {"no to_org", "to_org", no_to_org},
        {"unknown to_org", "to_org", unknown_to_org},
        {"to the sender itself", "to_org", to_itself},
        {"unknown need", "need", bad_need},
        {"no need", "need", no_need},
        {"no beneficiary", "beneficiary", no_beneficiary},
        {"empty first_name", "beneficiary.first_name", empty_first_name},
        {"101-character first_name", "beneficiary.first_name", long_first_name},
        {"no last_name", "beneficiary.last_name", no_last_name},
        {"101-character last_name", "beneficiary.last_name", long_last_name},
        {"bad phone", "beneficiary.phone", bad_phone},
        {"bad email", "beneficiary.email", bad_email},
        {"unknown contact_preference", "beneficiary.contact_preference", bad_preference},
        {"no contact_preference", "beneficiary.contact_preference", no_preference},
        {"phone preference without a phone", "beneficiary.phone", phone_preference_without_phone},
        {"email preference without an email", "beneficiary.email", email_preference_without_email},
        {"social security number", "beneficiary.social_security_number", social_security_number},
        {"health data", "beneficiary.health", health},
        {"no consent", "consent", no_consent},
        {"consent not given", "consent.given", consent_not_given},
        {"consent.given missing", "consent.given", consent_given_missing},
        {"unknown consent method", "consent.method", bad_method},
        {"recorded_at not a time", "consent.recorded_at", bad_recorded_at},
        {"recorded_at in the future", "consent.recorded_at", future_recorded_at},
        {"1001-character notes", "notes", long_notes},
        {"place_id not a UUID", "place_id", bad_place},
        {"from_org is read-only", "from_org", from_org},
        {"status is read-only", "status", status_field},
        {"id is read-only", "id", id_field},
    };
    char tag[64];
    test_nonce("ref", tag, sizeof tag);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = referral_doc("caf-gers", tag);
        cases[i].edit(doc);
        struct response *r = post_doc(mirande, doc);
        json_decref(doc);
        cr_expect_eq(r->status, 422, "%s: %ld %s", cases[i].what, r->status, r->body);
        cr_expect(names_field(r, cases[i].field), "%s names %s: %s", cases[i].what, cases[i].field,
                  r->body);
        if (strncmp(cases[i].field, "beneficiary.", 12) == 0 && r->status == 422)
            cr_expect(strstr(r->body, "diabète") == NULL && strstr(r->body, "256 001") == NULL,
                      "%s: the refused value is not echoed: %s", cases[i].what, r->body);
        response_free(r);
    }
    cr_expect_eq(count_referrals(tag), 0, "422s wrote nothing");

    /* not JSON, not an object */
    char key[64];
    test_nonce("ref", key, sizeof key);
    struct response *r = call("POST", "/v1/referrals", mirande, "{\"to_org\":", key);
    cr_expect_eq(r->status, 400, "broken JSON: %ld %s", r->status, r->body);
    response_free(r);
    test_nonce("ref", key, sizeof key);
    r = call("POST", "/v1/referrals", mirande, "[1,2]", key);
    cr_expect_eq(r->status, 400, "an array: %ld %s", r->status, r->body);
    response_free(r);
}

Test(referrals, scopes_are_required)
{
    char id[64], tag[64];
    json_t *ref = create_referral(id, sizeof id);
    json_decref(ref);
    test_nonce("ref", tag, sizeof tag);
    json_t *doc = referral_doc("caf-gers", tag);
    struct response *r = post_doc(mirande_reader, doc);
    cr_expect_eq(r->status, 403, "referrals:read cannot create: %ld %s", r->status, r->body);
    response_free(r);
    r = post_doc(NULL, doc);
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    json_decref(doc);
    cr_expect_eq(count_referrals(tag), 0, "nothing created");

    r = post_event(caf_reader, id, "{\"type\":\"accepted\"}");
    cr_expect_eq(r->status, 403, "referrals:read cannot move: %ld %s", r->status, r->body);
    response_free(r);
    r = get_referral(unscoped, id);
    cr_expect_eq(r->status, 403, "no referral scope, no read: %ld %s", r->status, r->body);
    cr_expect(strstr(r->body, "Josette") == NULL, "nothing leaks");
    response_free(r);
    r = get_referral(NULL, id);
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
    /* a reader reads */
    json_decref(referral(caf_reader, id));
    expect_status(id, "sent");
}

/* ---- idempotency ------------------------------------------------------------------ */

Test(referrals, the_idempotency_key_is_required_and_checked)
{
    char tag[64];
    test_nonce("ref", tag, sizeof tag);
    json_t *doc = referral_doc("caf-gers", tag);
    char *text = dump(doc);
    json_decref(doc);
    struct response *r = call("POST", "/v1/referrals", mirande, text, NULL);
    cr_expect_eq(r->status, 400, "no key: %ld %s", r->status, r->body);
    cr_expect(names_field(r, "Idempotency-Key") || strstr(r->body, "Idempotency-Key"),
              "names Idempotency-Key: %s", r->body);
    response_free(r);

    char too_long[300];
    memset(too_long, 'k', 256);
    too_long[256] = '\0';
    const char *bad[] = {too_long, "a key with spaces", "cl\xc3\xa9-accentu\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = call("POST", "/v1/referrals", mirande, text, bad[i]);
        cr_expect_eq(r->status, 400, "key #%zu (%zu bytes): %ld %s", i, strlen(bad[i]), r->status,
                     r->body);
        cr_expect(names_field(r, "Idempotency-Key") || strstr(r->body, "Idempotency-Key"),
                  "names Idempotency-Key: %s", r->body);
        response_free(r);
    }
    cr_expect_eq(count_referrals(tag), 0, "no referral without a valid key");

    /* 255 visible characters are a key */
    char longest[300], unique[64];
    test_nonce("ref", unique, sizeof unique);
    memset(longest, '~', 255);
    memcpy(longest, unique, strlen(unique));
    longest[255] = '\0';
    r = call("POST", "/v1/referrals", mirande, text, longest);
    cr_expect_eq(r->status, 201, "255-character key: %ld %s", r->status, r->body);
    response_free(r);
    free(text);
    cr_expect_eq(count_referrals(tag), 1);
}

Test(referrals, the_same_key_and_body_replay_the_first_response)
{
    char tag[64], key[64], loc1[256], loc2[256];
    test_nonce("ref", tag, sizeof tag);
    test_nonce("ref", key, sizeof key);
    json_t *doc = referral_doc("caf-gers", tag);
    char *text = dump(doc);
    struct response *first = call("POST", "/v1/referrals", mirande, text, key);
    cr_assert_eq(first->status, 201, "%ld %s", first->status, first->body);
    json_t *ref = response_json(first);
    char id[64];
    snprintf(id, sizeof id, "%s", json_str(ref, "id"));
    json_decref(ref);
    response_header(first, "Location", loc1, sizeof loc1);

    struct response *again = call("POST", "/v1/referrals", mirande, text, key);
    cr_expect_eq(again->status, 201, "replayed status: %ld %s", again->status, again->body);
    cr_expect_str_eq(again->body, first->body, "the same body, byte for byte");
    cr_expect_not_null(response_header(again, "Location", loc2, sizeof loc2), "Location replayed");
    cr_expect_str_eq(loc2, loc1, "the same Location");
    response_free(again);
    cr_expect_eq(count_referrals(tag), 1, "no second referral");

    /* the referral moves on: a replay is still the first response */
    json_decref(event_ok(caf, id, "{\"type\":\"accepted\"}"));
    again = call("POST", "/v1/referrals", mirande, text, key);
    cr_expect_eq(again->status, 201, "replayed after a move: %ld %s", again->status, again->body);
    cr_expect_str_eq(again->body, first->body, "the first response, not the current state");
    response_free(again);
    expect_status(id, "accepted");

    /* the same key with another body */
    json_object_set_new(doc, "need", json_string("housing"));
    char *other = dump(doc);
    struct response *r = call("POST", "/v1/referrals", mirande, other, key);
    cr_expect_eq(r->status, 422, "same key, another body: %ld %s", r->status, r->body);
    response_free(r);
    json_object_set_new(doc, "need", json_string("caf_procedures"));
    json_object_set_new(doc, "to_org", json_string("la-poste-gers"));
    free(other);
    other = dump(doc);
    r = call("POST", "/v1/referrals", mirande, other, key);
    cr_expect_eq(r->status, 422, "same key, another receiver: %ld %s", r->status, r->body);
    response_free(r);
    free(other);
    cr_expect_eq(count_referrals(tag), 1, "still one referral");

    /* and the first body under it is still a replay */
    again = call("POST", "/v1/referrals", mirande, text, key);
    cr_expect_eq(again->status, 201, "%ld %s", again->status, again->body);
    cr_expect_str_eq(again->body, first->body);
    response_free(again);
    response_free(first);
    free(text);
    json_decref(doc);
}

Test(referrals, keys_are_per_organisation)
{
    char tag[64], key[64];
    test_nonce("ref", tag, sizeof tag);
    test_nonce("ref", key, sizeof key);
    json_t *doc = referral_doc("la-poste-gers", tag);
    char *text = dump(doc);
    json_decref(doc);
    struct response *a = call("POST", "/v1/referrals", mirande, text, key);
    cr_assert_eq(a->status, 201, "%ld %s", a->status, a->body);
    /* the same key string and the same bytes, from another organisation */
    struct response *b = call("POST", "/v1/referrals", caf, text, key);
    cr_expect_eq(b->status, 201, "another organisation's key: %ld %s", b->status, b->body);
    json_t *ra = response_json(a), *rb = response_json(b);
    cr_expect_str_neq(json_str(ra, "id"), json_str(rb, "id"), "two referrals");
    cr_expect_str_eq(json_str(ra, "from_org"), "france-services-mirande");
    cr_expect_str_eq(json_str(rb, "from_org"), "caf-gers", "its own, from its organisation");
    json_decref(ra);
    json_decref(rb);
    response_free(a);
    response_free(b);
    cr_expect_eq(count_referrals(tag), 2, "one per organisation");
    free(text);
}

/* ---- who sees a referral ---------------------------------------------------------- */

Test(referrals, only_the_two_partners_see_a_referral)
{
    char id[64];
    json_t *ref = create_referral(id, sizeof id);
    const char *last = json_str(json_object_get(ref, "beneficiary"), "last_name");
    const char *outsiders[] = {poste, travail};
    static const char *const events[] = {
        "{\"type\":\"accepted\"}",          "{\"type\":\"declined\",\"reason\":\"hors secteur\"}",
        "{\"type\":\"cancelled\"}",         "{\"type\":\"note\",\"note\":\"vu\"}",
        "{\"type\":\"consent_withdrawn\"}", "{\"type\":\"teleported\"}"};
    for (size_t o = 0; o < 2; o++) {
        struct response *r = get_referral(outsiders[o], id);
        cr_expect_eq(r->status, 404, "outsider %zu GET: %ld %s", o, r->status, r->body);
        cr_expect(strstr(r->body, last) == NULL && strstr(r->body, "Josette") == NULL,
                  "nothing leaks: %s", r->body);
        response_free(r);
        r = sub_list(outsiders[o], id, "events");
        cr_expect_eq(r->status, 404, "outsider %zu events: %ld %s", o, r->status, r->body);
        response_free(r);
        r = sub_list(outsiders[o], id, "access-log");
        cr_expect_eq(r->status, 404, "outsider %zu access-log: %ld %s", o, r->status, r->body);
        response_free(r);
        for (size_t e = 0; e < sizeof events / sizeof events[0]; e++) {
            r = post_event(outsiders[o], id, events[e]);
            cr_expect_eq(r->status, 404, "outsider %zu %s: %ld %s", o, events[e], r->status,
                         r->body);
            response_free(r);
        }
    }
    /* unknown ids look the same */
    struct response *r = get_referral(poste, NO_SUCH_ID);
    cr_expect_eq(r->status, 404, "unknown id: %ld", r->status);
    response_free(r);
    r = get_referral(mirande, NO_SUCH_ID);
    cr_expect_eq(r->status, 404, "unknown id: %ld", r->status);
    response_free(r);
    r = get_referral(mirande, "pas-un-uuid");
    cr_expect_eq(r->status, 404, "not a UUID: %ld", r->status);
    response_free(r);
    r = post_event(caf, NO_SUCH_ID, "{\"type\":\"accepted\"}");
    cr_expect_eq(r->status, 404, "event on an unknown id: %ld", r->status);
    response_free(r);
    r = sub_list(caf, NO_SUCH_ID, "events");
    cr_expect_eq(r->status, 404, "events of an unknown id: %ld", r->status);
    response_free(r);

    /* nothing changed, nobody else left a trace */
    json_t *now = referral(caf, id);
    cr_expect_str_eq(json_str(now, "status"), "sent");
    cr_expect(json_equal(json_object_get(now, "beneficiary"), json_object_get(ref, "beneficiary")),
              "personal fields intact");
    cr_expect(is_null(json_object_get(now, "consent"), "withdrawn_at"));
    json_decref(now);
    json_t *items = items_of(mirande, id, "events");
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        cr_expect(str_is(e, "org", "france-services-mirande") || str_is(e, "org", "caf-gers") ||
                      str_is(e, "org", "system"),
                  "event %zu by %s", i, json_str(e, "org"));
    }
    json_decref(items);
    items = items_of(caf, id, "access-log");
    json_array_foreach(items, i, e)
    {
        cr_expect(str_is(e, "org", "france-services-mirande") || str_is(e, "org", "caf-gers"),
                  "access by %s", json_str(e, "org"));
    }
    json_decref(items);
    /* third parties' own referrals are theirs */
    char theirs[64];
    json_decref(create_referral_from(poste, "france-travail-gers", theirs, sizeof theirs));
    json_decref(referral(travail, theirs));
    r = get_referral(mirande, theirs);
    cr_expect_eq(r->status, 404, "and mirande does not see theirs: %ld", r->status);
    response_free(r);
    r = get_referral(caf, theirs);
    cr_expect_eq(r->status, 404, "nor caf: %ld", r->status);
    response_free(r);
    json_decref(ref);
}

Test(referrals, every_read_is_logged)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    json_decref(referral(mirande, id));
    json_decref(referral(mirande, id));
    json_decref(referral(caf, id));
    /* an outsider's attempt is not a read */
    struct response *r = get_referral(poste, id);
    cr_expect_eq(r->status, 404);
    response_free(r);

    json_t *items = items_of(caf, id, "access-log");
    int by_sender = 0, by_receiver = 0;
    size_t i;
    json_t *a;
    json_array_foreach(items, i, a)
    {
        cr_expect_not_null(json_str(a, "at"), "entry %zu has at", i);
        cr_expect_not_null(json_str(a, "actor"), "entry %zu has actor", i);
        cr_expect(json_object_get(a, "reason") != NULL, "entry %zu has reason", i);
        cr_expect(!str_is(a, "org", "la-poste-gers"), "no outsider");
        if (!str_is(a, "reason", "read"))
            continue;
        cr_expect_str_eq(json_str(a, "actor"), "test", "the token's sub");
        if (str_is(a, "org", "france-services-mirande"))
            by_sender++;
        else if (str_is(a, "org", "caf-gers"))
            by_receiver++;
    }
    cr_expect_eq(by_sender, 2, "two reads by the sender: %d", by_sender);
    cr_expect_eq(by_receiver, 1, "one read by the receiver: %d", by_receiver);
    /* in order: the timestamps do not go back */
    for (size_t k = 1; k < json_array_size(items); k++) {
        const char *prev = json_str(json_array_get(items, k - 1), "at");
        const char *cur = json_str(json_array_get(items, k), "at");
        if (prev && cur)
            cr_expect(strcmp(prev, cur) <= 0, "entries in order: %s then %s", prev, cur);
    }
    json_decref(items);
    /* the sender sees the same log */
    json_t *again = items_of(mirande, id, "access-log");
    int reads = 0;
    json_array_foreach(again, i, a) reads += str_is(a, "reason", "read");
    cr_expect_eq(reads, 3, "the sender sees the three reads: %d", reads);
    json_decref(again);
}

/* ---- the journey ------------------------------------------------------------------ */

static void expect_event(json_t *e, const char *id, const char *type, const char *org,
                         const char *from, const char *to)
{
    cr_expect(json_object_get(e, "id") && !json_is_null(json_object_get(e, "id")), "%s: id", type);
    cr_expect_str_eq(json_str(e, "referral_id"), id, "%s: referral_id", type);
    cr_expect_str_eq(json_str(e, "type"), type);
    cr_expect_str_eq(json_str(e, "org"), org, "%s by %s", type, org);
    cr_expect_str_eq(json_str(e, "actor"), "test", "%s: the token's sub", type);
    cr_expect_not_null(json_str(e, "at"), "%s: at", type);
    cr_expect_str_eq(json_str(e, "from_status"), from, "%s: from_status", type);
    cr_expect_str_eq(json_str(e, "to_status"), to, "%s: to_status", type);
    cr_expect(json_object_get(e, "reason") != NULL, "%s: reason member", type);
    cr_expect(json_object_get(e, "note") != NULL, "%s: note member", type);
}

/* The history's types after the creation, joined with spaces (a creation
 * event, if any, is the first and is left out). */
static void history(const char *token, const char *id, char *buf, size_t cap)
{
    json_t *items = items_of(token, id, "events");
    buf[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        if (i == 0 && is_null(e, "from_status"))
            continue;
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s", n ? " " : "",
                 json_str(e, "type") ? json_str(e, "type") : "?");
    }
    json_decref(items);
}

Test(referrals, sent_accepted_started_completed)
{
    char id[64], seq[512];
    json_decref(create_referral(id, sizeof id));
    json_t *e = event_ok(caf, id, "{\"type\":\"accepted\"}");
    expect_event(e, id, "accepted", "caf-gers", "sent", "accepted");
    cr_expect(is_null(e, "reason") && is_null(e, "note"), "no reason, no note");
    json_decref(e);
    expect_status(id, "accepted");
    e = event_ok(caf, id, "{\"type\":\"started\"}");
    expect_event(e, id, "started", "caf-gers", "accepted", "started");
    json_decref(e);
    expect_status(id, "started");
    e = event_ok(caf, id, "{\"type\":\"completed\",\"note\":\"dossier d\\u00e9pos\\u00e9\"}");
    expect_event(e, id, "completed", "caf-gers", "started", "completed");
    json_decref(e);
    expect_status(id, "completed");

    /* the history, in order, as both partners see it */
    history(mirande, id, seq, sizeof seq);
    cr_expect_str_eq(seq, "accepted started completed", "sender's history: %s", seq);
    history(caf, id, seq, sizeof seq);
    cr_expect_str_eq(seq, "accepted started completed", "receiver's history: %s", seq);
    json_t *items = items_of(caf, id, "events");
    size_t n = json_array_size(items);
    cr_assert_geq(n, 3);
    expect_event(json_array_get(items, n - 3), id, "accepted", "caf-gers", "sent", "accepted");
    expect_event(json_array_get(items, n - 2), id, "started", "caf-gers", "accepted", "started");
    expect_event(json_array_get(items, n - 1), id, "completed", "caf-gers", "started", "completed");
    if (n == 4)
        cr_expect_str_eq(json_str(json_array_get(items, 0), "to_status"), "sent", "the creation");
    json_decref(items);

    /* it is over: the sender cannot cancel it, notes are still possible */
    struct response *r = post_event(mirande, id, "{\"type\":\"cancelled\"}");
    cr_expect_eq(r->status, 409, "cancel a completed referral: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "completed"), "the detail names completed: %s", r->body);
    response_free(r);
    e = event_ok(mirande, id, "{\"type\":\"note\",\"note\":\"merci\"}");
    expect_event(e, id, "note", "france-services-mirande", "completed", "completed");
    cr_expect_str_eq(json_str(e, "note"), "merci");
    json_decref(e);
    expect_status(id, "completed");
}

Test(referrals, impossible_moves_are_409_naming_the_status)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    struct {
        const char *body, *status;
    } from_sent[] = {{"{\"type\":\"completed\"}", "sent"}, {"{\"type\":\"started\"}", "sent"}};
    for (size_t i = 0; i < 2; i++) {
        struct response *r = post_event(caf, id, from_sent[i].body);
        cr_expect_eq(r->status, 409, "%s from sent: %ld %s", from_sent[i].body, r->status, r->body);
        cr_expect(detail_names(r, "sent"), "the detail names sent: %s", r->body);
        response_free(r);
    }
    expect_status(id, "sent");
    cr_expect_eq(move(caf, id, "accepted"), 201);
    struct response *r = post_event(caf, id, "{\"type\":\"accepted\"}");
    cr_expect_eq(r->status, 409, "accepted twice: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "accepted"), "the detail names accepted: %s", r->body);
    response_free(r);
    r = post_event(caf, id, "{\"type\":\"declined\",\"reason\":\"trop tard\"}");
    cr_expect_eq(r->status, 409, "declined once accepted: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "accepted"), "%s", r->body);
    response_free(r);
    r = post_event(caf, id, "{\"type\":\"completed\"}");
    cr_expect_eq(r->status, 409, "completed before started: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "accepted"), "%s", r->body);
    response_free(r);
    expect_status(id, "accepted");
    char seq[512];
    history(mirande, id, seq, sizeof seq);
    cr_expect_str_eq(seq, "accepted", "409s left no trace: %s", seq);
}

Test(referrals, the_wrong_party_is_403)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    static const char *const receiver_moves[] = {
        "{\"type\":\"accepted\"}", "{\"type\":\"declined\",\"reason\":\"non\"}",
        "{\"type\":\"started\"}", "{\"type\":\"completed\"}"};
    for (size_t i = 0; i < sizeof receiver_moves / sizeof receiver_moves[0]; i++) {
        struct response *r = post_event(mirande, id, receiver_moves[i]);
        cr_expect_eq(r->status, 403, "the sender: %s: %ld %s", receiver_moves[i], r->status,
                     r->body);
        response_free(r);
    }
    struct response *r = post_event(caf, id, "{\"type\":\"cancelled\"}");
    cr_expect_eq(r->status, 403, "the receiver cancelling: %ld %s", r->status, r->body);
    response_free(r);
    expect_status(id, "sent");
    /* accepted, the receiver still cannot cancel, the sender cannot start */
    cr_expect_eq(move(caf, id, "accepted"), 201);
    cr_expect_eq(move(caf, id, "cancelled"), 403, "the receiver cancelling an accepted one");
    cr_expect_eq(move(mirande, id, "started"), 403, "the sender starting");
    expect_status(id, "accepted");
    char seq[512];
    history(caf, id, seq, sizeof seq);
    cr_expect_str_eq(seq, "accepted", "403s left no trace: %s", seq);
}

Test(referrals, declining_needs_a_reason)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    struct response *r = post_event(caf, id, "{\"type\":\"declined\"}");
    cr_expect_eq(r->status, 422, "no reason: %ld %s", r->status, r->body);
    cr_expect(names_field(r, "reason"), "names reason: %s", r->body);
    response_free(r);
    r = post_event(caf, id, "{\"type\":\"declined\",\"reason\":\"\"}");
    cr_expect_eq(r->status, 422, "an empty reason: %ld %s", r->status, r->body);
    cr_expect(names_field(r, "reason"), "names reason: %s", r->body);
    response_free(r);
    expect_status(id, "sent");
    json_t *e = event_ok(caf, id, "{\"type\":\"declined\",\"reason\":\"hors de nos missions\"}");
    expect_event(e, id, "declined", "caf-gers", "sent", "declined");
    cr_expect_str_eq(json_str(e, "reason"), "hors de nos missions");
    json_decref(e);
    expect_status(id, "declined");
    r = post_event(mirande, id, "{\"type\":\"cancelled\"}");
    cr_expect_eq(r->status, 409, "cancel a declined referral: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "declined"), "%s", r->body);
    response_free(r);
    r = post_event(caf, id, "{\"type\":\"accepted\"}");
    cr_expect_eq(r->status, 409, "accept a declined referral: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "declined"), "%s", r->body);
    response_free(r);
}

Test(referrals, the_sender_cancels_an_open_referral)
{
    /* from sent, accepted and started */
    static const char *const before[][2] = {
        {NULL, NULL}, {"accepted", NULL}, {"accepted", "started"}};
    static const char *const from[] = {"sent", "accepted", "started"};
    for (size_t i = 0; i < 3; i++) {
        char id[64];
        json_decref(create_referral(id, sizeof id));
        for (size_t k = 0; k < 2; k++)
            if (before[i][k])
                cr_expect_eq(move(caf, id, before[i][k]), 201, "%s", before[i][k]);
        json_t *e = event_ok(mirande, id,
                             "{\"type\":\"cancelled\",\"reason\":\"d\\u00e9m\\u00e9nag\\u00e9\"}");
        expect_event(e, id, "cancelled", "france-services-mirande", from[i], "cancelled");
        json_decref(e);
        expect_status(id, "cancelled");
        struct response *r = post_event(mirande, id, "{\"type\":\"cancelled\"}");
        cr_expect_eq(r->status, 409, "cancelled twice: %ld %s", r->status, r->body);
        cr_expect(detail_names(r, "cancelled"), "%s", r->body);
        response_free(r);
        r = post_event(caf, id, "{\"type\":\"started\"}");
        cr_expect_eq(r->status, 409, "started once cancelled: %ld %s", r->status, r->body);
        cr_expect(detail_names(r, "cancelled"), "%s", r->body);
        response_free(r);
    }
}

Test(referrals, notes_by_either_partner_change_no_status)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    struct response *r = post_event(caf, id, "{\"type\":\"note\"}");
    cr_expect_eq(r->status, 422, "a note needs note: %ld %s", r->status, r->body);
    cr_expect(names_field(r, "note"), "names note: %s", r->body);
    response_free(r);
    json_t *e = event_ok(caf, id, "{\"type\":\"note\",\"note\":\"rappel\\u00e9e mardi\"}");
    expect_event(e, id, "note", "caf-gers", "sent", "sent");
    cr_expect_str_eq(json_str(e, "note"), "rappelée mardi");
    json_decref(e);
    e = event_ok(mirande, id, "{\"type\":\"note\",\"note\":\"pr\\u00e9f\\u00e8re le matin\"}");
    expect_event(e, id, "note", "france-services-mirande", "sent", "sent");
    json_decref(e);
    expect_status(id, "sent");
    cr_expect_eq(move(caf, id, "accepted"), 201);
    e = event_ok(mirande, id, "{\"type\":\"note\",\"note\":\"ok\"}");
    expect_event(e, id, "note", "france-services-mirande", "accepted", "accepted");
    json_decref(e);
    expect_status(id, "accepted");
    char seq[512];
    history(caf, id, seq, sizeof seq);
    cr_expect_str_eq(seq, "note note accepted note", "%s", seq);
}

Test(referrals, unknown_event_types_are_422)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    static const char *const bad[] = {"{\"type\":\"teleported\"}", "{}", "{\"type\":7}",
                                      "{\"type\":\"expired\"}", "{\"type\":\"sent\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct response *r = post_event(caf, id, bad[i]);
        cr_expect_eq(r->status, 422, "%s: %ld %s", bad[i], r->status, r->body);
        cr_expect(names_field(r, "type"), "%s names type: %s", bad[i], r->body);
        response_free(r);
    }
    expect_status(id, "sent");
    char seq[512];
    history(caf, id, seq, sizeof seq);
    cr_expect_str_eq(seq, "", "nothing recorded: %s", seq);
}

/* ---- consent withdrawn ------------------------------------------------------------- */

Test(referrals, withdrawing_consent_erases_the_personal_fields_at_once)
{
    char id[64];
    json_t *ref = create_referral(id, sizeof id);
    char last[160], notes[128];
    snprintf(last, sizeof last, "%s", json_str(json_object_get(ref, "beneficiary"), "last_name"));
    snprintf(notes, sizeof notes, "%s", json_str(ref, "notes"));
    json_decref(ref);
    cr_expect_eq(move(caf, id, "accepted"), 201);

    json_t *e = event_ok(caf, id, "{\"type\":\"consent_withdrawn\"}");
    expect_event(e, id, "consent_withdrawn", "caf-gers", "accepted", "accepted");
    json_decref(e);
    const char *tokens_[] = {mirande, caf};
    for (int t = 0; t < 2; t++) {
        json_t *now = referral(tokens_[t], id);
        json_t *b = json_object_get(now, "beneficiary");
        cr_expect(is_null(b, "first_name"), "first_name null");
        cr_expect(is_null(b, "last_name"), "last_name null");
        cr_expect(is_null(b, "phone"), "phone null");
        cr_expect(is_null(b, "email"), "email null");
        cr_expect(is_null(now, "notes"), "notes null");
        cr_expect_not_null(json_str(json_object_get(now, "consent"), "withdrawn_at"),
                           "consent.withdrawn_at set");
        cr_expect_str_eq(json_str(now, "status"), "accepted", "status unchanged");
        cr_expect_str_eq(json_str(now, "to_org"), "caf-gers");
        char *text = dump(now);
        cr_expect(strstr(text, last) == NULL && strstr(text, "Josette") == NULL &&
                      strstr(text, "612345678") == NULL,
                  "no trace: %s", text);
        free(text);
        json_decref(now);
    }

    /* erased in the table itself, not hidden */
    PGconn *c = db();
    PGresult *res = sql1(c,
                         "SELECT first_name IS NULL AND last_name IS NULL AND phone IS NULL AND "
                         "email IS NULL AND notes IS NULL FROM referrals WHERE id = $1::uuid",
                         id);
    cr_expect_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_expect(PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0,
              "the row's personal fields are null");
    PQclear(res);
    res = sql1(c, "SELECT count(*) FROM referrals WHERE notes = $1", notes);
    cr_expect_str_eq(PQgetvalue(res, 0, 0), "0", "the notes are gone");
    PQclear(res);
    PQfinish(c);

    /* once only, by either partner */
    struct response *r = post_event(mirande, id, "{\"type\":\"consent_withdrawn\"}");
    cr_expect_eq(r->status, 409, "withdrawn twice: %ld %s", r->status, r->body);
    response_free(r);
    r = post_event(caf, id, "{\"type\":\"consent_withdrawn\"}");
    cr_expect_eq(r->status, 409, "withdrawn twice by the same: %ld %s", r->status, r->body);
    response_free(r);
    char seq[512];
    history(mirande, id, seq, sizeof seq);
    cr_expect_str_eq(seq, "accepted consent_withdrawn", "%s", seq);
}

Test(referrals, the_sender_may_withdraw_consent_too)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    json_t *e = event_ok(mirande, id, "{\"type\":\"consent_withdrawn\"}");
    expect_event(e, id, "consent_withdrawn", "france-services-mirande", "sent", "sent");
    json_decref(e);
    json_t *now = referral(caf, id);
    cr_expect(is_null(json_object_get(now, "beneficiary"), "first_name"));
    cr_expect(is_null(json_object_get(now, "beneficiary"), "last_name"));
    cr_expect_str_eq(json_str(now, "status"), "sent");
    json_decref(now);
    cr_expect_eq(move(caf, id, "consent_withdrawn"), 409, "the receiver, after the sender");
}

/* ---- append-only history ----------------------------------------------------------- */

/* Runs sql (one parameter: the referral id) in its own transaction and
 * expects the database to refuse it; the transaction is rolled back anyway. */
static void expect_refused(PGconn *c, const char *sql, const char *id)
{
    PQclear(PQexec(c, "BEGIN"));
    PGresult *res = sql1(c, sql, id);
    ExecStatusType st = PQresultStatus(res);
    cr_expect_eq(st, PGRES_FATAL_ERROR, "%s must fail (got %s, %s rows)", sql, PQresStatus(st),
                 PQcmdTuples(res));
    PQclear(res);
    PQclear(PQexec(c, "ROLLBACK"));
}

Test(referrals, history_and_access_log_are_append_only_in_the_database)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    cr_expect_eq(move(caf, id, "accepted"), 201);
    json_decref(referral(caf, id));
    json_t *events_before = items_of(mirande, id, "events");
    json_t *log_before = items_of(mirande, id, "access-log");
    cr_assert_geq(json_array_size(events_before), 1);
    cr_assert_geq(json_array_size(log_before), 1);

    PGconn *c = db(); /* the service's own role */
    expect_refused(c, "UPDATE referral_events SET note = 'falsifié' WHERE referral_id = $1::uuid",
                   id);
    expect_refused(
        c, "UPDATE referral_events SET to_status = 'declined' WHERE referral_id = $1::uuid", id);
    expect_refused(c, "DELETE FROM referral_events WHERE referral_id = $1::uuid", id);
    expect_refused(c,
                   "UPDATE referral_access_log SET org = 'la-poste-gers' "
                   "WHERE referral_id = $1::uuid",
                   id);
    expect_refused(c, "DELETE FROM referral_access_log WHERE referral_id = $1::uuid", id);
    /* outside an explicit transaction too (autocommit) */
    PGresult *res = sql1(c, "DELETE FROM referral_events WHERE referral_id = $1::uuid", id);
    cr_expect_eq(PQresultStatus(res), PGRES_FATAL_ERROR, "autocommit DELETE must fail");
    PQclear(res);
    res = sql1(c, "SELECT count(*) FROM referral_events WHERE referral_id = $1::uuid", id);
    cr_expect_eq((size_t)atol(PQgetvalue(res, 0, 0)), json_array_size(events_before),
                 "every event is still there");
    PQclear(res);
    PQfinish(c);

    json_t *events_after = items_of(mirande, id, "events");
    cr_expect(json_equal(events_before, events_after), "the history is unchanged");
    json_t *log_after = items_of(mirande, id, "access-log");
    cr_expect_geq(json_array_size(log_after), json_array_size(log_before));
    for (size_t i = 0; i < json_array_size(log_before); i++)
        cr_expect(json_equal(json_array_get(log_before, i), json_array_get(log_after, i)),
                  "log entry %zu unchanged", i);
    json_decref(events_before);
    json_decref(events_after);
    json_decref(log_before);
    json_decref(log_after);
}

/* ---- expiry (REFERRAL_EXPIRY_DAYS=1) ---------------------------------------------- */

/* Pushes the referral's creation back `days` days. */
static void age(const char *id, int days)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE referrals SET created_at = now() - interval '%d days' WHERE id = $1::uuid",
             days);
    PGconn *c = db();
    PGresult *res = sql1(c, sql, id);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
    cr_assert_str_eq(PQcmdTuples(res), "1", "one referral aged");
    PQclear(res);
    PQfinish(c);
}

static void expect_expiry_in_history(const char *id)
{
    json_t *items = items_of(caf, id, "events");
    bool found = false;
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) if (str_is(e, "to_status", "expired"))
    {
        found = true;
        cr_expect_str_eq(json_str(e, "from_status"), "sent", "expired from sent");
        cr_expect_eq(i, json_array_size(items) - 1, "the move to expired is the last event");
    }
    cr_expect(found, "the history shows the move to expired");
    json_decref(items);
}

Test(referrals_expiry, a_referral_still_sent_after_the_delay_expires)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    age(id, 2);
    json_t *now = referral(caf, id);
    cr_expect_str_eq(json_str(now, "status"), "expired", "GET shows expired");
    json_decref(now);
    now = referral(mirande, id);
    cr_expect_str_eq(json_str(now, "status"), "expired", "for the sender too");
    json_decref(now);
    expect_expiry_in_history(id);

    struct response *r = post_event(caf, id, "{\"type\":\"accepted\"}");
    cr_expect_eq(r->status, 409, "accepting an expired referral: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "expired"), "the detail names expired: %s", r->body);
    response_free(r);
    r = post_event(mirande, id, "{\"type\":\"cancelled\"}");
    cr_expect_eq(r->status, 409, "cancelling an expired referral: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "expired"), "%s", r->body);
    response_free(r);
    expect_expiry_in_history(id);
}

Test(referrals_expiry, the_first_touch_after_the_delay_sees_it_expired)
{
    /* accepting first */
    char a[64], b[64];
    json_decref(create_referral(a, sizeof a));
    age(a, 2);
    struct response *r = post_event(caf, a, "{\"type\":\"accepted\"}");
    cr_expect_eq(r->status, 409, "accepting first: %ld %s", r->status, r->body);
    cr_expect(detail_names(r, "expired"), "the detail names expired: %s", r->body);
    response_free(r);
    expect_status(a, "expired");
    expect_expiry_in_history(a);
    /* the history first */
    json_decref(create_referral(b, sizeof b));
    age(b, 2);
    expect_expiry_in_history(b);
    expect_status(b, "expired");
}

Test(referrals_expiry, only_sent_referrals_expire)
{
    char fresh[64], accepted[64];
    /* within the delay */
    json_decref(create_referral(fresh, sizeof fresh));
    expect_status(fresh, "sent");
    cr_expect_eq(move(caf, fresh, "accepted"), 201, "a fresh referral is accepted");
    /* accepted in time, then old */
    json_decref(create_referral(accepted, sizeof accepted));
    cr_expect_eq(move(caf, accepted, "accepted"), 201);
    age(accepted, 2);
    expect_status(accepted, "accepted");
    cr_expect_eq(move(caf, accepted, "started"), 201, "an old accepted referral goes on");
    expect_status(accepted, "started");
    json_t *items = items_of(caf, accepted, "events");
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
        cr_expect(!str_is(e, "to_status", "expired"), "no expiry of an accepted referral");
    json_decref(items);
}

/* ---- contention: the same key at once ----------------------------------------------- */

#define CONTENDERS 20

struct contender {
    pthread_t thread;
    pthread_barrier_t *go;
    const char *body, *key;
    long status;
    char *response;
};

static void *contend(void *arg)
{
    struct contender *c = arg;
    pthread_barrier_wait(c->go);
    struct response *r = call_with(false, "POST", "/v1/referrals", mirande, c->body, c->key);
    c->status = r->status;
    c->response = strdup(r->body);
    response_free(r);
    return NULL;
}

Test(referrals_contention, twenty_identical_posts_at_once_create_one_referral)
{
    char tag[64], key[64];
    test_nonce("ref", tag, sizeof tag);
    test_nonce("ref", key, sizeof key);
    json_t *doc = referral_doc("caf-gers", tag);
    char *text = dump(doc);
    json_decref(doc);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static struct contender cs[CONTENDERS];
    memset(cs, 0, sizeof cs);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, CONTENDERS);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1024 * 1024);
    for (int i = 0; i < CONTENDERS; i++) {
        cs[i].go = &go;
        cs[i].body = text;
        cs[i].key = key;
        cr_assert_eq(pthread_create(&cs[i].thread, &attr, contend, &cs[i]), 0, "thread %d", i);
    }
    for (int i = 0; i < CONTENDERS; i++)
        pthread_join(cs[i].thread, NULL);
    pthread_attr_destroy(&attr);
    pthread_barrier_destroy(&go);

    int created = 0, in_flight = 0;
    const char *first_body = NULL;
    char id[64] = "";
    for (int i = 0; i < CONTENDERS; i++) {
        if (cs[i].status == 201) {
            created++;
            if (!first_body) {
                first_body = cs[i].response;
                json_t *ref = json_loads(cs[i].response, 0, NULL);
                cr_assert_not_null(ref, "%s", cs[i].response);
                snprintf(id, sizeof id, "%s", json_str(ref, "id") ? json_str(ref, "id") : "");
                json_decref(ref);
            } else {
                cr_expect_str_eq(cs[i].response, first_body, "contender %d: the same 201", i);
            }
        } else if (cs[i].status == 409) {
            in_flight++;
        } else {
            cr_expect_fail("contender %d: %ld %s", i, cs[i].status, cs[i].response);
        }
    }
    cr_log_info("20 identical POSTs: %d 201, %d 409", created, in_flight);
    cr_expect_geq(created, 1, "at least one 201");
    cr_expect_eq(created + in_flight, CONTENDERS, "only 201 and 409: %d + %d", created, in_flight);
    cr_expect_eq(count_referrals(tag), 1, "exactly one referral: %ld", count_referrals(tag));

    /* afterwards, the key replays that one */
    struct response *r = call("POST", "/v1/referrals", mirande, text, key);
    cr_expect_eq(r->status, 201, "replay: %ld %s", r->status, r->body);
    json_t *ref = response_json(r);
    cr_expect_str_eq(json_str(ref, "id"), id, "the same referral");
    json_decref(ref);
    response_free(r);
    cr_expect_eq(count_referrals(tag), 1);
    for (int i = 0; i < CONTENDERS; i++)
        free(cs[i].response);
    free(text);
}
