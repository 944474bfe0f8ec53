/* /v1/webhooks end to end: subscriptions, and the events of referrals,
 * registrations, workshops and places reaching a receiver inside the test
 * (support/receiver.c) from the real binary's workers, signed per Standard
 * Webhooks (checked here with OpenSSL's HMAC directly), without personal
 * data, in order per referral, retried while the receiver fails or is down
 * (the same webhook-id), never for a rolled-back change; SSRF refusals.
 *
 * The database is shared with suites running in parallel: their servers run
 * no webhook workers (support/server.c), every subscription here points to
 * this test's own receiver under a path unique to the test, is deleted at the
 * end, and events are told apart by the ids they carry. */
#include "integration/resources/referrals/referrals_support.h"
#include "support/expect.h"
#include "support/fixture.h"
#include "support/receiver.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <signal.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 15000

/* webhooks:write and what each partner does here */
static char *h_caf, *h_mirande, *h_poste, *h_travail, *h_places;

static void hook_tokens(void)
{
    tokens();
    fixture_token(&h_caf, "caf-gers",
                  "webhooks:write referrals:read referrals:write workshops:read "
                  "registrations:write");
    fixture_token(&h_mirande, "france-services-mirande",
                  "webhooks:write referrals:read referrals:write workshops:read workshops:write "
                  "registrations:write places:read places:write");
    fixture_token(&h_poste, "la-poste-gers", "webhooks:write");
    fixture_token(&h_travail, "france-travail-gers",
                  "webhooks:write workshops:read registrations:write");
    fixture_token(&h_places, "france-services-mirande", "places:read places:write");
}

/* A test that failed midway left its subscriptions (to a receiver long
 * gone): older than any test runs, they are deleted, so that their backlog
 * does not grow run after run. */
static void forget_stale_subscriptions(void)
{
    PGconn *c = db();
    PQclear(PQexec(c, "WITH s AS (DELETE FROM webhook_subscriptions WHERE url LIKE "
                      "'http://127.0.0.1:%/hook%' AND created_at < now() - interval '10 minutes' "
                      "RETURNING id) DELETE FROM webhook_deliveries WHERE subscription_id IN "
                      "(SELECT id FROM s)"));
    PQfinish(c);
}

static void start_allowed(void)
{
    forget_stale_subscriptions();
    static const char *const env[] = {"WEBHOOK_ALLOW_HTTP=1",
                                      "WEBHOOK_ALLOW_PRIVATE=1",
                                      "WEBHOOK_WORKERS=2",
                                      "WEBHOOK_RETRY_SCHEDULE_S=1,1,1,1,1,1,1,1",
                                      "WEBHOOK_SECRET_OVERLAP_S=3600",
                                      NULL};
    fixture_start_with(env);
    hook_tokens();
}

static void start_default(void)
{
    /* no workers: they would refuse the deliveries of the other suite's tests to
     * 127.0.0.1, which share the outbox */
    static const char *const env[] = {"WEBHOOK_WORKERS=0", NULL};
    fixture_start_with(env);
    hook_tokens();
}

TestSuite(webhooks, .init = start_allowed, .fini = fixture_stop, .timeout = 120);
TestSuite(webhooks_ssrf, .init = start_default, .fini = fixture_stop, .timeout = 60);

/* ---- helpers -------------------------------------------------------------------- */

struct sub {
    char id[64];
    char secret[128];
    char path[128];
    const char *token;
};

/* Subscribes `token`'s organisation: the receiver's port, a path unique to
 * the test; events is a JSON value ("\"*\"" or a list). Asserts 201. */
static void subscribe(struct sub *s, struct receiver *rc, const char *token, const char *events)
{
    char tag[64], body[512];
    test_nonce("hook", tag, sizeof tag);
    snprintf(s->path, sizeof s->path, "/%s", tag);
    s->token = token;
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d%s\",\"events\":%s}",
             receiver_port(rc), s->path, events);
    struct response *r = api_call(true, "POST", "/v1/webhooks", token, body, NULL);
    cr_assert_eq(r->status, 201, "subscribe: %ld %s", r->status, r->body);
    json_t *b = response_json(r);
    snprintf(s->id, sizeof s->id, "%s", json_str(b, "id"));
    snprintf(s->secret, sizeof s->secret, "%s", json_str(b, "secret"));
    json_decref(b);
    response_free(r);
}

static void unsubscribe(const struct sub *s)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/webhooks/%s", s->id);
    struct response *r = api_call(true, "DELETE", path, s->token, NULL, NULL);
    cr_expect_eq(r->status, 204, "unsubscribe: %ld %s", r->status, r->body);
    response_free(r);
    /* its deliveries went with it (no foreign key does it: migration 020) */
    PGconn *c = db();
    const char *params[] = {s->id};
    PGresult *res =
        PQexecParams(c, "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1::uuid",
                     1, NULL, params, NULL, NULL, 0);
    cr_expect_str_eq(PQgetvalue(res, 0, 0), "0", "deliveries of a deleted subscription");
    PQclear(res);
    PQfinish(c);
}

/* base64 HMAC-SHA256 of id.timestamp.body with the key of secret (whsec_),
 * computed with OpenSSL here, independently of the service's code. */
static void expected_signature(const char *secret, const struct received *m, char *out)
{
    const char *b64 = secret + 6;
    size_t len = strlen(b64);
    unsigned char key[128];
    int n = EVP_DecodeBlock(key, (const unsigned char *)b64, (int)len);
    n -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
    char *msg = NULL;
    cr_assert(asprintf(&msg, "%s.%s.%s", m->id, m->timestamp, m->body) > 0);
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key, n, (unsigned char *)msg, strlen(msg), mac, &mac_len);
    free(msg);
    EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
}

/* The signature of `secret` is the `position`-th (0-based) of the header. */
static bool signed_with(const struct received *m, const char *secret, int position)
{
    char want[64], header[512];
    expected_signature(secret, m, want);
    snprintf(header, sizeof header, "%s", m->signature);
    char *save = NULL;
    int i = 0;
    for (char *tok = strtok_r(header, " ", &save); tok; tok = strtok_r(NULL, " ", &save), i++)
        if (i == position)
            return strncmp(tok, "v1,", 3) == 0 && strcmp(tok + 3, want) == 0;
    return false;
}

/* The i-th request on s's path holding needle: parsed body, checked signed. */
static json_t *event_at(struct receiver *rc, const struct sub *s, const char *needle, size_t i)
{
    struct received m;
    cr_assert(receiver_get(rc, s->path, needle, i, &m), "event %zu of %s on %s", i, needle,
              s->path);
    cr_expect(signed_with(&m, s->secret, 0), "signature %s verifies", m.signature);
    cr_expect_str_eq(m.user_agent, "inclusion-api-webhooks/1");
    cr_expect_str_eq(m.content_type, "application/json");
    long ts = atol(m.timestamp);
    cr_expect(labs(ts - (long)time(NULL)) < 60, "timestamp %s is now", m.timestamp);
    json_t *e = json_loads(m.body, 0, NULL);
    cr_assert_not_null(e, "JSON: %s", m.body);
    cr_expect_str_eq(json_str(e, "id"), m.id, "webhook-id is the event's id");
    cr_expect_not_null(json_str(e, "occurred_at"));
    cr_expect(json_is_object(json_object_get(e, "data")));
    received_free(&m);
    return e;
}

static const char *type_of(json_t *e)
{
    return json_str(e, "type");
}

static const char *data_str(json_t *e, const char *key)
{
    return json_str(json_object_get(e, "data"), key);
}

/* No request holding needle reached s (waits a little for strays). */
static void expect_none(struct receiver *rc, const struct sub *s, const char *needle)
{
    cr_expect_eq(receiver_count(rc, s->path, needle), 0, "%s got nothing about %s", s->path,
                 needle);
}

static json_t *subscription(const struct sub *s, const char *token, long *status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/webhooks/%s", s->id);
    struct response *r = api_call(true, "GET", path, token, NULL, NULL);
    *status = r->status;
    json_t *b = response_json(r);
    response_free(r);
    return b;
}

/* POSTs a ping to s; its event id into event. */
static void ping_event(const struct sub *s, char *event, size_t cap)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/webhooks/%s/ping", s->id);
    struct response *r = api_call(true, "POST", path, s->token, NULL, NULL);
    cr_assert_eq(r->status, 202, "%s", r->body);
    json_t *b = response_json(r);
    snprintf(event, cap, "%s", json_str(b, "event_id"));
    json_decref(b);
    response_free(r);
}

/* ---- subscriptions ---------------------------------------------------------------- */

Test(webhooks, a_subscription_is_created_read_changed_and_deleted_by_its_organisation_only)
{
    struct receiver *rc = receiver_start();
    cr_assert_not_null(rc);
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"referral.received\"]");
    cr_expect_eq(strncmp(s.secret, "whsec_", 6), 0, "secret %s", s.secret);
    cr_expect_geq(strlen(s.secret), 6 + 32, "24 random bytes at least: %s", s.secret);

    long status;
    json_t *b = subscription(&s, h_caf, &status);
    cr_expect_eq(status, 200);
    cr_expect_null(json_object_get(b, "secret"), "the secret is never shown again");
    cr_expect(json_is_true(json_object_get(b, "active")));
    json_decref(b);

    b = subscription(&s, h_poste, &status);
    cr_expect_eq(status, 404, "another organisation's subscription: 404");
    json_decref(b);

    struct response *r = api_call(true, "GET", "/v1/webhooks", h_caf, NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect(strstr(r->body, s.id) != NULL, "listed");
    cr_expect(strstr(r->body, "whsec_") == NULL, "no secret in the list");
    response_free(r);
    r = api_call(true, "GET", "/v1/webhooks", h_poste, NULL, NULL);
    cr_expect(strstr(r->body, s.id) == NULL, "not in another organisation's list");
    response_free(r);

    char path[128];
    snprintf(path, sizeof path, "/v1/webhooks/%s", s.id);
    r = api_call(true, "PATCH", path, h_caf,
                 "{\"events\":[\"referral.updated\",\"place.changed\"],\"active\":false}", NULL);
    cr_expect_eq(r->status, 200, "%s", r->body);
    b = response_json(r);
    cr_expect(strstr(r->body, "place.changed") && json_is_false(json_object_get(b, "active")), "%s",
              r->body);
    json_decref(b);
    response_free(r);
    r = api_call(true, "PATCH", path, h_caf,
                 "{\"events\":[\"referral.sent\"],\"active\":\"yes\",\"id\":\"x\"}", NULL);
    cr_expect_eq(r->status, 422);
    cr_expect(names_field(r, "events") && names_field(r, "active") && names_field(r, "id"),
              "every bad field at once: %s", r->body);
    response_free(r);
    r = api_call(true, "PATCH", path, h_poste, "{\"active\":true}", NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
    r = api_call(true, "DELETE", path, h_poste, NULL, NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);

    unsubscribe(&s);
    b = subscription(&s, h_caf, &status);
    cr_expect_eq(status, 404, "deleted");
    json_decref(b);
    receiver_stop(rc);
}

Test(webhooks, bad_subscriptions_name_every_field)
{
    struct response *r = api_call(true, "POST", "/v1/webhooks", h_caf,
                                  "{\"url\":\"ftp://example.org/x\",\"events\":[],"
                                  "\"description\":7,\"secret\":\"mine\"}",
                                  NULL);
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(names_field(r, "url") && names_field(r, "events") && names_field(r, "description") &&
                  names_field(r, "secret"),
              "%s", r->body);
    response_free(r);
    r = api_call(true, "POST", "/v1/webhooks", caf, "{\"url\":\"https://example.org\"}", NULL);
    cr_expect_eq(r->status, 403, "webhooks:write is needed: %ld", r->status);
    response_free(r);
}

/* ---- referrals ------------------------------------------------------------------------ */

Test(webhooks, referral_events_reach_both_partners_signed_in_order_without_personal_data)
{
    struct receiver *rc = receiver_start();
    struct sub to, from, bystander;
    subscribe(&to, rc, h_caf, "[\"referral.received\",\"referral.updated\"]");
    subscribe(&from, rc, h_mirande, "\"*\"");
    subscribe(&bystander, rc, h_poste, "\"*\"");

    char id[64];
    json_t *ref = create_referral_from(mirande, "caf-gers", id, sizeof id);
    const char *notes = json_str(ref, "notes");
    cr_expect_eq(move(caf, id, "accepted"), 201);
    cr_expect_eq(move(caf, id, "started"), 201);
    json_t *note = event_ok(mirande, id, "{\"type\":\"note\",\"note\":\"Rappeler Josette\"}");
    json_decref(note);

    /* the receiving partner: received, then three updates, in order */
    cr_assert(receiver_wait(rc, to.path, id, 4, WAIT_MS), "4 events to caf-gers, got %zu",
              receiver_count(rc, to.path, id));
    /* the sending partner: the three updates, not the reception */
    cr_assert(receiver_wait(rc, from.path, id, 3, WAIT_MS), "3 events to the sender, got %zu",
              receiver_count(rc, from.path, id));
    static const char *const moves[] = {"accepted", "started", "note"};
    for (size_t i = 0; i < 4; i++) {
        json_t *e = event_at(rc, &to, id, i);
        cr_expect_str_eq(data_str(e, "referral_id"), id);
        cr_expect_str_eq(data_str(e, "to_org"), "caf-gers");
        cr_expect_str_eq(data_str(e, "from_org"), "france-services-mirande");
        if (i == 0) {
            cr_expect_str_eq(type_of(e), "referral.received");
            cr_expect_str_eq(data_str(e, "status"), "sent");
        } else {
            cr_expect_str_eq(type_of(e), "referral.updated");
            cr_expect_str_eq(data_str(e, "move"), moves[i - 1], "in order: %zu", i);
        }
        json_decref(e);
    }
    for (size_t i = 0; i < 3; i++) {
        json_t *e = event_at(rc, &from, id, i);
        cr_expect_str_eq(type_of(e), "referral.updated");
        cr_expect_str_eq(data_str(e, "move"), moves[i], "in order: %zu", i);
        json_decref(e);
    }
    usleep(500 * 1000);
    expect_none(rc, &bystander, id);
    cr_expect_eq(receiver_count(rc, from.path, id), 3, "nothing more to the sender");

    /* no personal field, note or reason in any payload */
    json_t *b = json_object_get(ref, "beneficiary");
    const char *personal[] = {json_str(b, "first_name"),
                              json_str(b, "last_name"),
                              json_str(b, "phone"),
                              json_str(b, "email"),
                              notes,
                              "Rappeler Josette",
                              "Josette"};
    for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++) {
        cr_assert_not_null(personal[i]);
        cr_expect_eq(receiver_count(rc, NULL, personal[i]), 0, "\"%s\" is in no payload",
                     personal[i]);
    }
    json_decref(ref);
    unsubscribe(&to);
    unsubscribe(&from);
    unsubscribe(&bystander);
    receiver_stop(rc);
}

/* ---- registrations, workshops, places --------------------------------------------- */

static struct response *call_json(const char *method, const char *path, const char *token,
                                  const char *body)
{
    return api_call(true, method, path, token, body, NULL);
}

Test(webhooks, registration_workshop_and_place_events_reach_the_right_partners)
{
    struct receiver *rc = receiver_start();
    struct sub caf_s, travail_s, owner_s, poste_s;
    subscribe(&caf_s, rc, h_caf, "\"*\"");
    subscribe(&travail_s, rc, h_travail, "\"*\"");
    subscribe(&owner_s, rc, h_mirande, "\"*\"");
    subscribe(&poste_s, rc, h_poste, "[\"place.changed\"]");

    /* a place: place.changed to every subscriber of it */
    char tag[64], place[64], workshop[64], body[1024], path[256];
    test_nonce("wh", tag, sizeof tag);
    snprintf(body, sizeof body,
             "{\"source\":\"integration-tests\",\"source_id\":\"%s\",\"pivot\":\"00000000000000\","
             "\"name\":\"Salle %s\",\"street\":\"1 rue de l'Essai\",\"postal_code\":\"32300\","
             "\"commune\":\"Mirande\",\"insee_code\":\"32256\",\"latitude\":43.51,"
             "\"longitude\":0.40}",
             tag, tag);
    post_created("/v1/places", h_places, json_loads(body, 0, NULL), NULL, place, sizeof place);
    cr_assert(receiver_wait(rc, poste_s.path, place, 1, WAIT_MS), "place.changed to la-poste");
    cr_assert(receiver_wait(rc, caf_s.path, place, 1, WAIT_MS), "place.changed to caf");
    json_t *e = event_at(rc, &poste_s, place, 0);
    cr_expect_str_eq(type_of(e), "place.changed");
    cr_expect_str_eq(data_str(e, "status"), "active");
    json_decref(e);

    /* a workshop of one seat: caf confirmed, france-travail waitlisted */
    snprintf(body, sizeof body,
             "{\"place_id\":\"%s\",\"title\":\"Atelier %s\",\"theme\":\"smartphone\","
             "\"audience\":[\"seniors\"],\"starts_at\":\"2031-10-02T14:00:00+02:00\","
             "\"ends_at\":\"2031-10-02T16:00:00+02:00\",\"capacity\":1}",
             place, tag);
    post_created("/v1/workshops", h_mirande, json_loads(body, 0, NULL), NULL, workshop,
                 sizeof workshop);
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    char caf_reg[64], travail_reg[64];
    post_created(path, h_caf,
                 json_pack("{s:s, s:s, s:s}", "participant_ref", "A-1", "display_name",
                           "Marcelle Secret", "phone", "06 99 88 77 66"),
                 NULL, caf_reg, sizeof caf_reg);
    post_created(path, h_travail,
                 json_pack("{s:s, s:s}", "participant_ref", "B-1", "display_name", "Gaston Secret"),
                 NULL, travail_reg, sizeof travail_reg);
    /* caf cancels: its seat goes to france-travail */
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations/%s", workshop, caf_reg);
    struct response *r = call_json("DELETE", path, h_caf, NULL);
    cr_expect(r->status == 200 || r->status == 204, "cancel: %ld %s", r->status, r->body);
    response_free(r);
    /* the owner changes the workshop, then cancels it */
    snprintf(path, sizeof path, "/v1/workshops/%s", workshop);
    r = call_json("PATCH", path, h_mirande, "{\"title\":\"Atelier renommé\"}");
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    snprintf(path, sizeof path, "/v1/workshops/%s/cancel", workshop);
    r = call_json("POST", path, h_mirande, "{}");
    cr_expect(r->status == 200 || r->status == 201, "cancel workshop: %ld %s", r->status, r->body);
    response_free(r);

    /* caf: confirmed, cancelled (its registration); changed, cancelled (workshop) */
    cr_assert(receiver_wait(rc, caf_s.path, caf_reg, 2, WAIT_MS), "caf's registration events");
    e = event_at(rc, &caf_s, caf_reg, 0);
    cr_expect_str_eq(type_of(e), "registration.confirmed");
    cr_expect_str_eq(data_str(e, "workshop_id"), workshop);
    json_decref(e);
    e = event_at(rc, &caf_s, caf_reg, 1);
    cr_expect_str_eq(type_of(e), "registration.cancelled");
    json_decref(e);
    /* france-travail: waitlisted, promoted (then cancelled with the workshop) */
    cr_assert(receiver_wait(rc, travail_s.path, travail_reg, 2, WAIT_MS), "travail's events");
    e = event_at(rc, &travail_s, travail_reg, 0);
    cr_expect_str_eq(type_of(e), "registration.waitlisted");
    json_decref(e);
    e = event_at(rc, &travail_s, travail_reg, 1);
    cr_expect_str_eq(type_of(e), "registration.promoted");
    json_decref(e);
    /* both: workshop.changed then workshop.cancelled */
    const struct sub *partners[] = {&caf_s, &travail_s};
    for (size_t i = 0; i < 2; i++) {
        cr_assert(
            receiver_wait(rc, partners[i]->path, "\"type\": \"workshop.cancelled\"", 1, WAIT_MS),
            "workshop.cancelled to %s", partners[i]->path);
        size_t n = receiver_count(rc, partners[i]->path, "\"type\": \"workshop.");
        cr_expect_geq(n, 2, "changed and cancelled: %zu", n);
        e = event_at(rc, partners[i], "\"type\": \"workshop.changed\"", 0);
        cr_expect_str_eq(data_str(e, "workshop_id"), workshop);
        cr_expect_str_eq(data_str(e, "status"), "scheduled");
        json_decref(e);
        e = event_at(rc, partners[i], "\"type\": \"workshop.cancelled\"", 0);
        cr_expect_str_eq(data_str(e, "status"), "cancelled");
        json_decref(e);
    }
    usleep(500 * 1000);
    /* the owner registered nobody: no registration or workshop event; la-poste
     * took place.changed only */
    expect_none(rc, &owner_s, caf_reg);
    expect_none(rc, &owner_s, travail_reg);
    cr_expect_eq(receiver_count(rc, owner_s.path, workshop), 0, "no workshop event to the owner");
    cr_expect_eq(receiver_count(rc, poste_s.path, workshop), 0, "no workshop event to la-poste");
    expect_none(rc, &caf_s, travail_reg);
    expect_none(rc, &travail_s, caf_reg);
    cr_expect_eq(receiver_count(rc, NULL, "Secret"), 0, "no display name in any payload");
    cr_expect_eq(receiver_count(rc, NULL, "06 99"), 0, "no phone in any payload");
    unsubscribe(&caf_s);
    unsubscribe(&travail_s);
    unsubscribe(&owner_s);
    unsubscribe(&poste_s);
    receiver_stop(rc);
}

/* ---- delivery ---------------------------------------------------------------------- */

Test(webhooks, a_failing_receiver_gets_retries_with_the_same_id_until_it_answers)
{
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"referral.received\"]");
    receiver_answer(rc, 500);
    char id[64];
    json_decref(create_referral_from(mirande, "caf-gers", id, sizeof id));
    cr_assert(receiver_wait(rc, s.path, id, 2, WAIT_MS), "retried after a 500");
    /* down: connections refused */
    receiver_down(rc);
    sleep(3);
    receiver_answer(rc, 204);
    cr_assert(receiver_up(rc));
    size_t before = receiver_count(rc, s.path, id);
    cr_assert(receiver_wait(rc, s.path, id, before + 1, WAIT_MS), "delivered once back");
    struct received first, last;
    cr_assert(receiver_get(rc, s.path, id, 0, &first));
    cr_assert(receiver_get(rc, s.path, id, before, &last));
    cr_expect_str_eq(first.id, last.id, "the same webhook-id on every attempt");
    cr_expect(signed_with(&last, s.secret, 0));
    received_free(&last);

    /* the deliveries say so (recorded just after the answer) */
    char path[128];
    snprintf(path, sizeof path, "/v1/webhooks/%s/deliveries?status=delivered", s.id);
    struct response *r = NULL;
    json_t *list = NULL, *d = NULL;
    for (int tries = 0; tries < 100 && !d; tries++) {
        if (r) {
            response_free(r);
            json_decref(list);
            usleep(100 * 1000);
        }
        r = api_call(true, "GET", path, h_caf, NULL, NULL);
        cr_assert_eq(r->status, 200, "%s", r->body);
        list = response_json(r);
        /* other tests send referrals to caf-gers too: this one's by its event id */
        json_t *item;
        size_t i;
        json_array_foreach(json_object_get(list, "items"), i, item)
        {
            if (strcmp(json_str(item, "event_id"), first.id) == 0)
                d = item;
        }
    }
    cr_assert_not_null(d, "%s", r->body);
    cr_expect_geq(json_integer_value(json_object_get(d, "attempts")), 3, "%s", r->body);
    cr_expect_eq(json_integer_value(json_object_get(d, "last_status")), 204);
    cr_expect(json_is_null(json_object_get(d, "next_attempt_at")));
    json_decref(list);
    received_free(&first);
    response_free(r);
    /* the metrics count them: the servers of this suite's tests running
     * side by side share the outbox, so this one made some attempts at least */
    char target[160];
    snprintf(target, sizeof target, "%s/metrics", server.metrics_url);
    r = http_request_raw("GET", target, NULL, NULL);
    cr_expect_eq(r->status, 200);
    long attempts = 0;
    static const char *const outcomes[] = {"delivered", "retry", "failed"};
    for (size_t k = 0; k < 3; k++) {
        char name[96];
        snprintf(name, sizeof name, "\nwebhook_deliveries_total{outcome=\"%s\"} ", outcomes[k]);
        const char *line = strstr(r->body, name);
        cr_expect_not_null(line, "%s in %s", name + 1, r->body);
        attempts += line ? atol(line + strlen(name)) : 0;
    }
    cr_expect_geq(attempts, 1, "attempts counted: %s", r->body);
    cr_expect(strstr(r->body, "\nwebhook_outbox_depth ") != NULL, "%s", r->body);
    cr_expect(strstr(r->body, "\nwebhook_oldest_undelivered_seconds ") != NULL, "%s", r->body);
    response_free(r);
    snprintf(path, sizeof path, "/v1/webhooks/%s/deliveries?status=later", s.id);
    r = api_call(true, "GET", path, h_caf, NULL, NULL);
    cr_expect_eq(r->status, 400);
    response_free(r);
    snprintf(path, sizeof path, "/v1/webhooks/%s/deliveries", s.id);
    r = api_call(true, "GET", path, h_poste, NULL, NULL);
    cr_expect_eq(r->status, 404, "another organisation's deliveries");
    response_free(r);
    unsubscribe(&s);
    receiver_stop(rc);
}

Test(webhooks, gone_disables_the_subscription_and_a_delivery_can_be_retried)
{
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "\"*\"");
    receiver_answer(rc, 410);
    char path[160];
    snprintf(path, sizeof path, "/v1/webhooks/%s/ping", s.id);
    struct response *r = api_call(true, "POST", path, h_caf, NULL, NULL);
    cr_assert_eq(r->status, 202, "%s", r->body);
    response_free(r);
    cr_assert(receiver_wait(rc, s.path, "webhook.ping", 1, WAIT_MS));
    long status = 0;
    json_t *b = NULL;
    for (int i = 0; i < 50; i++) {
        json_decref(b);
        b = subscription(&s, h_caf, &status);
        if (json_is_false(json_object_get(b, "active")))
            break;
        usleep(100 * 1000);
    }
    cr_expect(json_is_false(json_object_get(b, "active")), "disabled by 410");
    cr_expect(json_str(b, "disabled_reason") && strstr(json_str(b, "disabled_reason"), "410"));
    json_decref(b);

    /* on again, and the failed delivery retried */
    receiver_answer(rc, 204);
    snprintf(path, sizeof path, "/v1/webhooks/%s", s.id);
    r = api_call(true, "PATCH", path, h_caf, "{\"active\":true}", NULL);
    b = response_json(r);
    cr_expect_eq(r->status, 200, "%s", r->body);
    cr_expect(json_is_null(json_object_get(b, "disabled_reason")), "%s", r->body);
    cr_expect(json_is_true(json_object_get(b, "active")), "%s", r->body);
    json_decref(b);
    response_free(r);
    snprintf(path, sizeof path, "/v1/webhooks/%s/deliveries?status=failed", s.id);
    r = api_call(true, "GET", path, h_caf, NULL, NULL);
    json_t *list = response_json(r);
    json_t *d = json_array_get(json_object_get(list, "items"), 0);
    cr_assert_not_null(d, "%s", r->body);
    cr_expect_eq(json_integer_value(json_object_get(d, "last_status")), 410);
    snprintf(path, sizeof path, "/v1/webhooks/%s/deliveries/%lld/retry", s.id,
             (long long)json_integer_value(json_object_get(d, "id")));
    json_decref(list);
    response_free(r);
    r = api_call(true, "POST", path, h_poste, NULL, NULL);
    cr_expect_eq(r->status, 404, "another organisation's delivery");
    response_free(r);
    r = api_call(true, "POST", path, h_caf, NULL, NULL);
    cr_expect_eq(r->status, 202, "%s", r->body);
    response_free(r);
    cr_expect(receiver_wait(rc, s.path, "webhook.ping", 2, WAIT_MS), "delivered again");
    struct received a, c;
    cr_assert(receiver_get(rc, s.path, "webhook.ping", 0, &a));
    cr_assert(receiver_get(rc, s.path, "webhook.ping", 1, &c));
    cr_expect_str_eq(a.id, c.id, "the same event");
    received_free(&a);
    received_free(&c);
    unsubscribe(&s);
    receiver_stop(rc);
}

Test(webhooks, a_subscription_failing_everything_for_three_days_is_disabled)
{
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"referral.received\"]");
    receiver_answer(rc, 503);
    char path[160];
    snprintf(path, sizeof path, "/v1/webhooks/%s/ping", s.id);
    struct response *r = api_call(true, "POST", path, h_caf, NULL, NULL);
    cr_assert_eq(r->status, 202, "%s", r->body);
    response_free(r);
    cr_assert(receiver_wait(rc, s.path, "webhook.ping", 1, WAIT_MS));
    long status = 0;
    json_t *b = subscription(&s, h_caf, &status);
    cr_expect(json_is_true(json_object_get(b, "active")), "one failure is not three days");
    json_decref(b);
    /* as if it had been failing since four days */
    PGconn *c = db();
    const char *params[] = {s.id};
    PGresult *res = PQexecParams(c,
                                 "UPDATE webhook_deliveries SET created_at = now() - interval "
                                 "'4 days' WHERE subscription_id = $1::uuid",
                                 1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
    b = NULL;
    for (int i = 0; i < 100; i++) {
        json_decref(b);
        b = subscription(&s, h_caf, &status);
        if (json_is_false(json_object_get(b, "active")))
            break;
        usleep(100 * 1000);
    }
    cr_expect(json_is_false(json_object_get(b, "active")), "disabled after the next failure");
    cr_expect_str_eq(json_str(b, "disabled_reason"), "every delivery failed for 3 days");
    json_decref(b);
    unsubscribe(&s);
    receiver_stop(rc);
}

Test(webhooks, a_receiver_down_gets_one_attempt_per_backoff_step_not_one_per_event)
{
    struct receiver *down = receiver_start(), *up = receiver_start();
    struct sub dead, alive;
    /* an event type no other test sends to caf-gers: its pings alone */
    subscribe(&dead, down, h_caf, "[\"registration.promoted\"]");
    subscribe(&alive, up, h_poste, "[\"place.changed\"]");
    receiver_down(down);
    char event[64];
    for (int i = 0; i < 30; i++)
        ping_event(&dead, event, sizeof event);
    ping_event(&alive, event, sizeof event);
    cr_expect(receiver_wait(up, alive.path, event, 1, WAIT_MS), "the others are not held");
    sleep(2);
    PGconn *c = db();
    const char *params[] = {dead.id};
    PGresult *res = PQexecParams(c,
                                 "SELECT sum(attempts), count(*) FILTER (WHERE status = 'pending') "
                                 "FROM webhook_deliveries d JOIN webhook_events e ON e.id = "
                                 "d.event_id WHERE subscription_id = $1::uuid AND e.type = "
                                 "'webhook.ping'",
                                 1, NULL, params, NULL, NULL, 0);
    long attempts = atol(PQgetvalue(res, 0, 0)), pending = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    PQfinish(c);
    /* one a second (WEBHOOK_RETRY_SCHEDULE_S=1,…), a few at once across the workers */
    cr_expect_leq(attempts, 15, "%ld attempts for 30 events in about 3 s", attempts);
    cr_expect_eq(pending, 30, "none given up: they wait for the receiver");
    /* back: every event arrives */
    cr_assert(receiver_up(down));
    cr_expect(receiver_wait(down, dead.path, "webhook.ping", 30, WAIT_MS), "30 delivered: %zu",
              receiver_count(down, dead.path, "webhook.ping"));
    unsubscribe(&dead);
    unsubscribe(&alive);
    receiver_stop(down);
    receiver_stop(up);
}

Test(webhooks, a_rotated_secret_signs_beside_the_new_one)
{
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"referral.received\"]");
    char old[128], path[160];
    snprintf(old, sizeof old, "%s", s.secret);
    snprintf(path, sizeof path, "/v1/webhooks/%s/secret", s.id);
    struct response *r = api_call(true, "POST", path, h_caf, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *b = response_json(r);
    snprintf(s.secret, sizeof s.secret, "%s", json_str(b, "secret"));
    json_decref(b);
    response_free(r);
    cr_expect_str_neq(s.secret, old);
    snprintf(path, sizeof path, "/v1/webhooks/%s/ping", s.id);
    r = api_call(true, "POST", path, h_caf, NULL, NULL);
    cr_expect_eq(r->status, 202);
    response_free(r);
    cr_assert(receiver_wait(rc, s.path, "webhook.ping", 1, WAIT_MS));
    struct received m;
    cr_assert(receiver_get(rc, s.path, "webhook.ping", 0, &m));
    cr_expect(signed_with(&m, s.secret, 0), "the new secret's first: %s", m.signature);
    cr_expect(signed_with(&m, old, 1), "the previous one's second: %s", m.signature);
    received_free(&m);
    snprintf(path, sizeof path, "/v1/webhooks/%s/secret", s.id);
    r = api_call(true, "POST", path, h_poste, NULL, NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
    unsubscribe(&s);
    receiver_stop(rc);
}

Test(webhooks, a_rolled_back_change_sends_nothing)
{
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"referral.updated\"]");
    char id[64];
    json_decref(create_referral_from(mirande, "caf-gers", id, sizeof id));
    /* a move written, its event in the outbox, then rolled back */
    PGconn *c = db();
    PGresult *res = PQexec(c, "BEGIN");
    PQclear(res);
    const char *params[] = {id};
    res = PQexecParams(c,
                       "WITH u AS (UPDATE referrals SET status = 'declined' WHERE id = $1::uuid "
                       "RETURNING id) INSERT INTO referral_events (referral_id, org, actor, type, "
                       "from_status, to_status) SELECT id, 'caf-gers', 'test', 'declined', 'sent', "
                       "'declined' FROM u",
                       1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
    PQclear(res);
    res = PQexecParams(c,
                       "SELECT count(*) FROM webhook_events WHERE type = 'referral.updated' AND "
                       "body LIKE '%' || $1 || '%'",
                       1, NULL, params, NULL, NULL, 0);
    cr_expect_str_eq(PQgetvalue(res, 0, 0), "1", "the trigger wrote the event");
    PQclear(res);
    sleep(2); /* the workers poll every second: they see nothing uncommitted */
    res = PQexec(c, "ROLLBACK");
    PQclear(res);
    PQfinish(c);
    /* a committed move after it arrives, alone */
    cr_expect_eq(move(caf, id, "accepted"), 201);
    cr_assert(receiver_wait(rc, s.path, id, 1, WAIT_MS));
    usleep(500 * 1000);
    cr_expect_eq(receiver_count(rc, s.path, id), 1, "only the committed move");
    cr_expect_eq(receiver_count(rc, s.path, "declined"), 0, "nothing of the rolled-back one");
    unsubscribe(&s);
    receiver_stop(rc);
}

/* ---- SSRF -------------------------------------------------------------------------------- */

static void refused(const char *u)
{
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"events\":\"*\"}", u);
    struct response *r = api_call(true, "POST", "/v1/webhooks", h_caf, body, NULL);
    cr_expect_eq(r->status, 422, "%s refused: %ld %s", u, r->status, r->body);
    cr_expect(names_field(r, "url"), "%s", r->body);
    response_free(r);
}

Test(webhooks_ssrf, private_loopback_and_metadata_addresses_are_refused)
{
    refused("https://127.0.0.1/hooks");
    refused("https://10.0.0.1/hooks");
    refused("https://169.254.169.254/latest/meta-data");
    refused("https://[::1]/hooks");
    refused("https://localhost/hooks");
    refused("https://192.168.1.10:8443/hooks");
    refused("https://[fd00::1]/hooks");
    refused("http://example.org/hooks"); /* http: not allowed here */
    refused("https://user:pw@example.org/hooks");
}

/* The check at delivery is the same function (core/webhook_send.c, post), unit-tested in
 * tests/unit/core/test_webhook_send.c: an end-to-end test of it would need a server that
 * refuses loopback delivering from the outbox that this suite's other servers share, and
 * it would fail their deliveries (this suite's servers run no workers for that reason). */

/* ---- retention --------------------------------------------------------------------------- */

static long count_event(PGconn *c, const char *event)
{
    const char *params[] = {event};
    PGresult *res = PQexecParams(c, "SELECT count(*) FROM webhook_events WHERE id = $1::uuid", 1,
                                 NULL, params, NULL, NULL, 0);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

Test(webhooks, purge_deletes_old_delivered_events_only)
{
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"referral.received\"]");
    char delivered[64], failed[64];
    ping_event(&s, delivered, sizeof delivered);
    cr_assert(receiver_wait(rc, s.path, delivered, 1, WAIT_MS));
    receiver_answer(rc, 410);
    ping_event(&s, failed, sizeof failed);
    cr_assert(receiver_wait(rc, s.path, failed, 1, WAIT_MS));
    PGconn *c = db();
    const char *params[] = {delivered, failed};
    PGresult *res;
    /* the delivery is recorded just after the answer */
    for (int i = 0; i < 50; i++) {
        res = PQexecParams(c,
                           "SELECT count(*) FROM webhook_deliveries WHERE event_id IN ($1::uuid, "
                           "$2::uuid) AND status <> 'pending'",
                           2, NULL, params, NULL, NULL, 0);
        bool done = strcmp(PQgetvalue(res, 0, 0), "2") == 0;
        PQclear(res);
        if (done)
            break;
        usleep(100 * 1000);
    }
    res = PQexecParams(c,
                       "UPDATE webhook_events SET occurred_at = now() - interval '31 days' "
                       "WHERE id IN ($1::uuid, $2::uuid)",
                       2, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
    PQclear(res);
    const char *args[] = {"purge", NULL};
    char *output = NULL;
    cr_expect_eq(run_binary(args, NULL, &output), 0, "purge: %s", output);
    cr_expect(strstr(output, "webhook event(s) deleted") != NULL, "%s", output);
    free(output);
    cr_expect_eq(count_event(c, delivered), 0, "delivered and 31 days old: deleted");
    cr_expect_eq(count_event(c, failed), 1, "failed: kept to be seen and retried");
    PQfinish(c);
    unsubscribe(&s);
    receiver_stop(rc);
}

/* ---- crashes and instances ------------------------------------------------------------ */

static const char *const allowed_env[] = {"WEBHOOK_ALLOW_HTTP=1", "WEBHOOK_ALLOW_PRIVATE=1",
                                          "WEBHOOK_WORKERS=2",
                                          "WEBHOOK_RETRY_SCHEDULE_S=1,1,1,1,1,1,1,1", NULL};

#define PINGS 8

/* Every one of `events` reached s at least once; the number of requests
 * beyond one per event into *extra. */
static void expect_each_received(struct receiver *rc, const struct sub *s, char events[][64],
                                 size_t n, size_t *extra)
{
    *extra = 0;
    for (size_t i = 0; i < n; i++) {
        cr_expect(receiver_wait(rc, s->path, events[i], 1, WAIT_MS), "event %zu delivered", i);
        size_t got = receiver_count(rc, s->path, events[i]);
        *extra += got > 1 ? got - 1 : 0;
    }
}

Test(webhooks, a_service_killed_mid_delivery_loses_nothing_after_a_restart)
{
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"registration.promoted\"]"); /* pings alone */
    receiver_delay(rc, 700);
    char events[PINGS][64];
    for (size_t i = 0; i < PINGS; i++)
        ping_event(&s, events[i], sizeof events[i]);
    cr_assert(receiver_wait(rc, s.path, NULL, 1, WAIT_MS), "deliveries under way");
    /* SIGKILL in the middle: answers in flight, the rest waiting */
    kill(server.pid, SIGKILL);
    cr_expect_eq(server_stop(&server), 128 + SIGKILL);
    size_t before = receiver_count(rc, s.path, NULL);
    cr_expect_lt(before, PINGS, "killed before the end: %zu", before);
    cr_assert(server_start(&server, allowed_env), "restarted");
    receiver_delay(rc, 0);
    size_t extra;
    expect_each_received(rc, &s, events, PINGS, &extra);
    cr_expect_leq(extra, 2, "at most the deliveries in flight again: %zu", extra);
    unsubscribe(&s);
    receiver_stop(rc);
}

Test(webhooks, two_instances_deliver_each_event_once)
{
    struct test_server second = {0};
    cr_assert(server_start(&second, allowed_env), "a second instance");
    struct receiver *rc = receiver_start();
    struct sub s;
    subscribe(&s, rc, h_caf, "[\"registration.promoted\"]"); /* pings alone */
    receiver_delay(rc, 50);
    char events[PINGS * 3][64];
    for (size_t i = 0; i < PINGS * 3; i++)
        ping_event(&s, events[i], sizeof events[i]);
    size_t extra;
    expect_each_received(rc, &s, events, PINGS * 3, &extra);
    usleep(500 * 1000);
    cr_expect_eq(extra, 0, "no event delivered twice");
    cr_expect_eq(receiver_count(rc, s.path, NULL), PINGS * 3);
    cr_expect_eq(server_stop(&second), 0);
    unsubscribe(&s);
    receiver_stop(rc);
}
