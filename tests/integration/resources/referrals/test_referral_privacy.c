/* Personal data of referrals, second pass (issue #14): no free text once
 * consent is withdrawn; the retention pass erases the free texts of every
 * referral closed long enough, withdrawn or not, down to the answers kept for
 * Idempotency-Key replays; the history's reads and the replays of a creation
 * are in the access log, each with its own reason. Other tests write
 * referrals at the same time: every check looks only at the referrals its
 * test created. */
#include "referrals_support.h"
#include "support/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(referral_privacy, .init = referrals_start, .fini = fixture_stop, .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

static void exec1(const char *sql, const char *param)
{
    PGconn *c = db();
    PGresult *res = sql1(c, sql, param);
    ExecStatusType status = PQresultStatus(res);
    cr_assert(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK, "%s: %s", sql,
              PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(c);
}

/* Closed more than RETENTION_DAYS (365 by default) ago. */
static void close_long_ago(const char *id)
{
    exec1("UPDATE referrals SET closed_at = now() - interval '366 days' WHERE id = $1::uuid", id);
}

static void purge(void)
{
    const char *args[] = {"purge", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(args, NULL, &output), 0, "purge: %s", output);
    free(output);
}

/* The free texts (note or reason) of the referral's history, in the database. */
static long free_texts(const char *id)
{
    PGconn *c = db();
    PGresult *res = sql1(c,
                         "SELECT count(*) FROM referral_events WHERE referral_id = $1::uuid "
                         "AND (note IS NOT NULL OR reason IS NOT NULL)",
                         id);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return n;
}

/* The last entry of the referral's access log (asserts there is one). */
static json_t *last_access(const char *token, const char *id)
{
    json_t *items = items_of(token, id, "access-log");
    cr_assert_gt(json_array_size(items), 0, "the access log has entries");
    json_t *last = json_incref(json_array_get(items, json_array_size(items) - 1));
    json_decref(items);
    return last;
}

static size_t access_count(const char *token, const char *id)
{
    json_t *items = items_of(token, id, "access-log");
    size_t n = json_array_size(items);
    json_decref(items);
    return n;
}

/* ---- no free text after withdrawal ---------------------------------------- */

Test(referral_privacy, free_text_is_refused_once_consent_is_withdrawn)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    json_decref(event_ok(mirande, id, "{\"type\":\"consent_withdrawn\"}"));

    const char *refused[][3] = {
        {caf, "{\"type\":\"note\",\"note\":\"Mme D. a rappelé\"}", "note"},
        {mirande, "{\"type\":\"note\",\"note\":\"Rappel prévu\"}", "note"},
        {caf, "{\"type\":\"note\"}", "note"},
        {caf, "{\"type\":\"declined\",\"reason\":\"Mme D. déjà suivie\"}", "reason"},
        {caf, "{\"type\":\"accepted\",\"reason\":\"dossier complet\"}", "reason"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct response *r = post_event(refused[i][0], id, refused[i][1]);
        cr_expect_eq(r->status, 422, "%s after withdrawal: %ld %s", refused[i][1], r->status,
                     r->body);
        cr_expect(names_field(r, refused[i][2]), "%s names %s: %s", refused[i][1], refused[i][2],
                  r->body);
        response_free(r);
    }
    expect_status(id, "sent");
    cr_expect_eq(free_texts(id), 0, "no free text was recorded");

    /* the receiver may still decline, without a reason */
    json_t *declined = event_ok(caf, id, "{\"type\":\"declined\"}");
    cr_expect(str_is(declined, "to_status", "declined") && is_null(declined, "reason"),
              "declined without a reason");
    json_decref(declined);
    expect_status(id, "declined");
}

/* ---- the retention pass ------------------------------------------------------ */

Test(referral_privacy, purge_erases_the_free_texts_of_withdrawn_referrals_too)
{
    char withdrawn[64], kept[64];
    json_decref(create_referral(withdrawn, sizeof withdrawn));
    json_decref(create_referral(kept, sizeof kept));
    cr_assert_eq(move(caf, withdrawn, "accepted"), 201);
    json_decref(event_ok(mirande, withdrawn, "{\"type\":\"consent_withdrawn\"}"));
    /* a note recorded after the withdrawal by a release that still accepted it */
    exec1("INSERT INTO referral_events (referral_id, org, actor, type, from_status, to_status, "
          "note) VALUES ($1::uuid, 'caf-gers', 'agent-caf', 'note', 'accepted', 'accepted', "
          "'Mme D. a rappelé après son retrait')",
          withdrawn);
    cr_assert_eq(move(mirande, withdrawn, "cancelled"), 201);
    /* Each text is counted before its referral is made old: from then on the
     * purge of a test running beside this one may erase it as well as ours
     * (the same end, and still one erased event). */
    cr_assert_eq(free_texts(withdrawn), 1);
    close_long_ago(withdrawn);
    /* closed long ago too, but not withdrawn: its reason goes as before */
    json_decref(event_ok(caf, kept, "{\"type\":\"declined\",\"reason\":\"Hors de nos missions\"}"));
    cr_assert_eq(free_texts(kept), 1);
    close_long_ago(kept);

    purge();

    cr_expect_eq(free_texts(withdrawn), 0, "the withdrawn referral's note is erased");
    cr_expect_eq(free_texts(kept), 0, "the other's reason is erased");
    const char *both[] = {withdrawn, kept};
    for (int i = 0; i < 2; i++) {
        json_t *events = items_of(mirande, both[i], "events");
        json_t *last = json_array_get(events, json_array_size(events) - 1);
        cr_expect(str_is(last, "type", "erased") && str_is(last, "org", "system"),
                  "referral %d: an erased event by the system", i);
        size_t j;
        json_t *e;
        json_array_foreach(events, j, e)
            cr_expect(is_null(e, "note") && is_null(e, "reason"), "referral %d: event %zu", i, j);
        json_decref(events);
    }
    /* a second pass has nothing more to erase: no second erased event */
    purge();
    json_t *events = items_of(mirande, withdrawn, "events");
    size_t erased = 0, j;
    json_t *e;
    json_array_foreach(events, j, e) erased += str_is(e, "type", "erased");
    cr_expect_eq(erased, 1, "one erased event: %zu", erased);
    json_decref(events);
}

Test(referral_privacy, purge_erases_the_answers_kept_for_replays)
{
    char id[64], tag[64], create_key[64], event_key[64], path[128];
    test_nonce("ref", tag, sizeof tag);
    test_nonce("ref", create_key, sizeof create_key);
    test_nonce("ref", event_key, sizeof event_key);
    json_t *doc = referral_doc("caf-gers", tag);
    char *text = dump(doc);
    json_decref(doc);
    struct response *r = call("POST", "/v1/referrals", mirande, text, create_key);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    json_t *created = response_json(r);
    response_free(r);
    snprintf(id, sizeof id, "%s", json_str(created, "id"));
    json_decref(created);
    snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
    const char *decline = "{\"type\":\"declined\",\"reason\":\"Mme D. déjà suivie\"}";
    r = call("POST", path, caf, decline, event_key);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    response_free(r);
    close_long_ago(id);

    purge();

    char replayed[16];
    r = call("POST", "/v1/referrals", mirande, text, create_key);
    cr_expect_eq(r->status, 201, "replay: %ld %s", r->status, r->body);
    cr_expect_str_eq(response_header(r, "Idempotent-Replayed", replayed, sizeof replayed), "true");
    json_t *again = response_json(r);
    response_free(r);
    json_t *b = json_object_get(again, "beneficiary");
    cr_expect(is_null(b, "first_name") && is_null(b, "last_name") && is_null(b, "phone") &&
                  is_null(b, "email") && is_null(again, "notes"),
              "the kept creation shows the erased referral");
    json_decref(again);
    free(text);

    r = call("POST", path, caf, decline, event_key);
    cr_expect_eq(r->status, 201, "replay: %ld %s", r->status, r->body);
    cr_expect_str_eq(response_header(r, "Idempotent-Replayed", replayed, sizeof replayed), "true");
    json_t *event = response_json(r);
    response_free(r);
    cr_expect(str_is(event, "type", "declined") && is_null(event, "reason"),
              "the kept event lost its reason");
    json_decref(event);
}

/* ---- the access log ------------------------------------------------------------ */

Test(referral_privacy, reading_the_history_is_logged)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    json_decref(event_ok(caf, id, "{\"type\":\"note\",\"note\":\"Rendez-vous le 12\"}"));
    size_t before = access_count(mirande, id);
    json_decref(items_of(caf, id, "events"));
    cr_expect_eq(access_count(mirande, id), before + 1, "one entry for one read of the history");
    json_t *last = last_access(mirande, id);
    cr_expect(str_is(last, "reason", "events"), "reason events: %s", json_str(last, "reason"));
    cr_expect(str_is(last, "org", "caf-gers"), "the reader: %s", json_str(last, "org"));
    json_decref(last);
    /* the access log itself holds no personal data: reading it is not logged */
    size_t now = access_count(mirande, id);
    cr_expect_eq(access_count(mirande, id), now, "reading the access log adds nothing");
}

Test(referral_privacy, replays_are_logged)
{
    char id[64], tag[64], key[64], event_key[64], path[128], replayed[16];
    test_nonce("ref", tag, sizeof tag);
    test_nonce("ref", key, sizeof key);
    test_nonce("ref", event_key, sizeof event_key);
    json_t *doc = referral_doc("caf-gers", tag);
    char *text = dump(doc);
    json_decref(doc);
    struct response *r = call("POST", "/v1/referrals", mirande, text, key);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    json_t *created = response_json(r);
    response_free(r);
    snprintf(id, sizeof id, "%s", json_str(created, "id"));
    json_decref(created);
    size_t before = access_count(caf, id);

    r = call("POST", "/v1/referrals", mirande, text, key);
    cr_expect_eq(r->status, 201, "replay: %ld %s", r->status, r->body);
    cr_expect_str_eq(response_header(r, "Idempotent-Replayed", replayed, sizeof replayed), "true");
    response_free(r);
    free(text);
    cr_expect_eq(access_count(caf, id), before + 1, "the replay of the creation is logged");
    json_t *last = last_access(caf, id);
    cr_expect(str_is(last, "reason", "replay"), "reason replay: %s", json_str(last, "reason"));
    cr_expect(str_is(last, "org", "france-services-mirande"), "by the sender");
    json_decref(last);

    /* the replay of an event (its note) too */
    snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
    const char *note = "{\"type\":\"note\",\"note\":\"Mme D. rappellera\"}";
    r = call("POST", path, caf, note, event_key);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    response_free(r);
    before = access_count(caf, id);
    r = call("POST", path, caf, note, event_key);
    cr_expect_eq(r->status, 201, "replay: %ld %s", r->status, r->body);
    cr_expect_str_eq(response_header(r, "Idempotent-Replayed", replayed, sizeof replayed), "true");
    response_free(r);
    cr_expect_eq(access_count(caf, id), before + 1, "the replay of the event is logged");
    last = last_access(caf, id);
    cr_expect(str_is(last, "reason", "replay") && str_is(last, "org", "caf-gers"),
              "reason replay by caf-gers: %s", json_str(last, "reason"));
    json_decref(last);
}
