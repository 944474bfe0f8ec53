/* GET /v1/referrals, the sync feed partners poll, and `inclusion-api purge`.
 * Isolation across four partners for every filter; the cursor that never
 * misses a change, even when transactions commit out of order (one held open
 * with libpq) or while writers run concurrently; erasure after consent
 * withdrawal reaching the history's free texts and the stored replays; the
 * retention pass. Other tests write referrals at the same time: every check
 * here looks only at the referrals its test created (their notes), or at
 * properties every item must have. */
#include "referrals_support.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(referral_feed, .init = referrals_start, .fini = fixture_stop, .timeout = 300);
TestSuite(referral_feed_concurrent, .init = referrals_start_concurrent, .fini = fixture_stop,
          .timeout = 180);
TestSuite(referral_purge, .init = referrals_start, .fini = fixture_stop, .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

/* One page of the feed: GET /v1/referrals?<query> (checked against the
 * OpenAPI document unless from a thread). */
static struct response *feed(bool checked, const char *token, const char *query)
{
    char path[1100];
    snprintf(path, sizeof path, "/v1/referrals%s%s", query[0] ? "?" : "", query);
    return call_with(checked, "GET", path, token, NULL, NULL);
}

/* The time a little before now, to narrow the feed to this test's era. */
static void since(char *buf, size_t cap)
{
    rfc3339_utc(time(NULL) - 2, buf, cap);
}

/* Walks the whole feed of token with `filters` (may be ""), page by page;
 * returns every item (new reference). Asserts each page is a 200. */
static json_t *walk(const char *token, const char *filters)
{
    json_t *all = json_array();
    char *cursor = NULL;
    for (int page = 0; page < 1000; page++) {
        char query[1024];
        snprintf(query, sizeof query, "%s%slimit=200%s%s", filters, filters[0] ? "&" : "",
                 cursor ? "&cursor=" : "", cursor ? cursor : "");
        struct response *r = feed(true, token, query);
        cr_assert_eq(r->status, 200, "feed %s: %ld %s", query, r->status, r->body);
        json_t *body = response_json(r);
        response_free(r);
        json_t *items = json_object_get(body, "items");
        json_array_extend(all, items);
        free(cursor);
        cursor = json_str(body, "next_cursor") ? strdup(json_str(body, "next_cursor")) : NULL;
        size_t n = json_array_size(items);
        json_decref(body);
        if (n < 200)
            break;
    }
    free(cursor);
    return all;
}

/* The item of `items` whose id is `id`, or NULL (borrowed). */
static json_t *find(json_t *items, const char *id)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) if (str_is(item, "id", id)) return item;
    return NULL;
}

/* Runs sql with up to two parameters on a direct connection; asserts success. */
static void exec2(PGconn *c, const char *sql, const char *p1, const char *p2)
{
    const char *params[] = {p1, p2};
    int n = p2 ? 2 : p1 ? 1 : 0;
    PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(res);
    cr_assert(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK, "%s: %s", sql,
              PQresultErrorMessage(res));
    PQclear(res);
}

/* The first column of the first row of sql with one parameter (a copy). */
static char *value_of(const char *sql, const char *param)
{
    PGconn *c = db();
    PGresult *res = sql1(c, sql, param);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_assert_eq(PQntuples(res), 1, "%s: one row", sql);
    char *v = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return v;
}

/* How long a poller waits for a change: the feed holds changes back while an
 * older transaction runs anywhere in the cluster, and tests running beside
 * these (a database created and seeded, under ASan) hold some for seconds. */
#define POLL_ATTEMPTS 900 /* of 100 ms at least: 90 s */

/* Waits (POLL_ATTEMPTS of 100 ms at most) until the feed may show the last
 * changes of the referrals `ids` (a PostgreSQL array literal): until every
 * transaction older than them has ended, in the whole cluster. */
static void wait_until_shown(const char *ids)
{
    PGconn *c = db();
    bool shown = false;
    for (int attempt = 0; attempt < POLL_ATTEMPTS && !shown; attempt++) {
        PGresult *res =
            sql1(c,
                 "SELECT bool_and(change_xid < pg_snapshot_xmin(pg_current_snapshot())) "
                 "FROM referrals WHERE id = ANY ($1::uuid[])",
                 ids);
        cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
        shown = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (!shown)
            usleep(100 * 1000);
    }
    PQfinish(c);
    cr_assert(shown, "the feed shows %s within %d s", ids, POLL_ATTEMPTS / 10);
}

/* ---- isolation and filters --------------------------------------------------- */

/* Every item of the feed belongs to org (sender or receiver); none of the
 * others' referrals slip in. */
static void expect_only_own(json_t *items, const char *org, const char *what)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        cr_expect(str_is(item, "from_org", org) || str_is(item, "to_org", org),
                  "%s: %s sees %s → %s", what, org, json_str(item, "from_org"),
                  json_str(item, "to_org"));
    }
}

Test(referral_feed, four_partners_each_see_only_their_referrals_whatever_the_filter)
{
    char t0[40], a[64], b[64], c[64];
    since(t0, sizeof t0);
    /* Mirande → CAF, La Poste → France Travail, CAF → France Travail */
    json_decref(create_referral_from(mirande, "caf-gers", a, sizeof a));
    json_decref(create_referral_from(poste, "france-travail-gers", b, sizeof b));
    json_decref(create_referral_from(caf, "france-travail-gers", c, sizeof c));
    cr_expect_eq(move(caf, a, "accepted"), 201);
    char all[256];
    snprintf(all, sizeof all, "{%s,%s,%s}", a, b, c);
    wait_until_shown(all);

    struct {
        const char *name, *token, *org;
        bool sees[3]; /* a, b, c */
    } partners[] = {
        {"mirande", mirande, "france-services-mirande", {true, false, false}},
        {"caf", caf, "caf-gers", {true, false, true}},
        {"poste", poste, "la-poste-gers", {false, true, false}},
        {"travail", travail, "france-travail-gers", {false, true, true}},
    };
    const char *ids[] = {a, b, c};
    const char *filters[] = {"",
                             "direction=inbound",
                             "direction=outbound",
                             "status=sent",
                             "status=accepted",
                             "need=caf_procedures",
                             "need=taxes"};
    for (size_t p = 0; p < 4; p++)
        for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
            char query[256];
            snprintf(query, sizeof query, "updated_since=%s%s%s", t0, filters[f][0] ? "&" : "",
                     filters[f]);
            json_t *items = walk(partners[p].token, query);
            expect_only_own(items, partners[p].org, query);
            size_t i;
            json_t *item;
            json_array_foreach(items, i, item)
            {
                bool inbound = str_is(item, "to_org", partners[p].org);
                if (strcmp(filters[f], "direction=inbound") == 0)
                    cr_expect(inbound, "inbound only: %s", json_str(item, "from_org"));
                if (strcmp(filters[f], "direction=outbound") == 0)
                    cr_expect(!inbound, "outbound only: %s", json_str(item, "to_org"));
                if (strncmp(filters[f], "status=", 7) == 0)
                    cr_expect(str_is(item, "status", filters[f] + 7), "%s: %s", filters[f],
                              json_str(item, "status"));
                if (strncmp(filters[f], "need=", 5) == 0)
                    cr_expect(str_is(item, "need", filters[f] + 5), "%s: %s", filters[f],
                              json_str(item, "need"));
            }
            /* the unfiltered feed holds exactly the referrals of the partner */
            if (filters[f][0] == '\0')
                for (int k = 0; k < 3; k++)
                    cr_expect_eq(find(items, ids[k]) != NULL, partners[p].sees[k],
                                 "%s %s referral %d", partners[p].name,
                                 partners[p].sees[k] ? "sees" : "must not see", k);
            json_decref(items);
        }
    /* the direction and status filters pick the right ones */
    json_t *in = walk(caf, "direction=inbound&status=accepted");
    cr_expect_not_null(find(in, a), "CAF's inbound accepted holds a");
    cr_expect_null(find(in, c), "c is outbound for CAF");
    json_decref(in);
    json_t *out = walk(caf, "direction=outbound&status=sent");
    cr_expect_not_null(find(out, c), "CAF's outbound sent holds c");
    cr_expect_null(find(out, a), "a is inbound for CAF");
    json_decref(out);
}

Test(referral_feed, listing_is_logged_in_each_referrals_access_log)
{
    char t0[40], id[64], query[128];
    since(t0, sizeof t0);
    json_decref(create_referral(id, sizeof id));
    char one[80];
    snprintf(one, sizeof one, "{%s}", id);
    wait_until_shown(one);
    snprintf(query, sizeof query, "updated_since=%s", t0);
    json_decref(walk(caf, query));
    json_t *log = items_of(mirande, id, "access-log");
    size_t i;
    json_t *entry;
    bool listed = false;
    json_array_foreach(log, i, entry) if (str_is(entry, "org", "caf-gers") &&
                                          str_is(entry, "reason", "list")) listed = true;
    cr_expect(listed, "the CAF's listing is in the access log");
    json_decref(log);
}

Test(referral_feed, bad_parameters_are_400_naming_each)
{
    const char *cases[][2] = {
        {"direction=sideways", "direction"},
        {"status=lost", "status"},
        {"need=money", "need"},
        {"updated_since=yesterday", "updated_since"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"cursor=garbage", "cursor"},
        {"cursor=WyJ4IiwiMSJd", "cursor"}, /* ["x","1"] */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct response *r = feed(true, caf, cases[i][0]);
        cr_expect_eq(r->status, 400, "%s: %ld", cases[i][0], r->status);
        cr_expect(names_field(r, cases[i][1]), "%s names %s: %s", cases[i][0], cases[i][1],
                  r->body);
        response_free(r);
    }
    struct response *r = feed(false, caf, "sort=updated_at");
    cr_expect_eq(r->status, 400, "unknown parameter: %ld", r->status);
    response_free(r);
    r = feed(true, unscoped, "");
    cr_expect_eq(r->status, 403, "no referrals:read: %ld", r->status);
    response_free(r);
    r = feed(true, NULL, "");
    cr_expect_eq(r->status, 401, "no token: %ld", r->status);
    response_free(r);
}

/* Polls the feed of token from *cursor until `id` shows with `status` or
 * POLL_ATTEMPTS pass; advances *cursor. True when seen. */
static bool poll_until(const char *token, char **cursor, const char *id, const char *status)
{
    for (int attempt = 0; attempt < POLL_ATTEMPTS; attempt++) {
        char query[512];
        snprintf(query, sizeof query, "limit=200%s%s", *cursor ? "&cursor=" : "",
                 *cursor ? *cursor : "");
        struct response *r = feed(true, token, query);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *body = response_json(r);
        response_free(r);
        json_t *item = find(json_object_get(body, "items"), id);
        bool seen = item && str_is(item, "status", status);
        if (json_str(body, "next_cursor")) {
            free(*cursor);
            *cursor = strdup(json_str(body, "next_cursor"));
        }
        size_t n = json_array_size(json_object_get(body, "items"));
        json_decref(body);
        if (seen)
            return true;
        if (n < 200)
            usleep(100 * 1000);
    }
    return false;
}

/* The position at the end of the feed now (drains it). */
static char *tail_cursor(const char *token)
{
    char *cursor = NULL;
    for (size_t n = 200; n == 200;) { /* until a page that is not full */
        char query[512];
        snprintf(query, sizeof query, "limit=200%s%s", cursor ? "&cursor=" : "",
                 cursor ? cursor : "");
        struct response *r = feed(true, token, query);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *body = response_json(r);
        response_free(r);
        n = json_array_size(json_object_get(body, "items"));
        if (json_str(body, "next_cursor")) {
            free(cursor);
            cursor = strdup(json_str(body, "next_cursor"));
        }
        json_decref(body);
    }
    return cursor;
}

Test(referral_feed, the_cursor_shows_each_change_after_it_and_nothing_before)
{
    char id[64];
    json_decref(create_referral(id, sizeof id));
    char *cursor = NULL;
    cr_assert(poll_until(caf, &cursor, id, "sent"), "the new referral shows");
    cr_assert_not_null(cursor, "a cursor to poll from");

    /* nothing new for this filter: an empty page hands back the same cursor,
     * with no Link */
    char query[512];
    snprintf(query, sizeof query, "cursor=%s&need=retirement&status=completed", cursor);
    struct response *r = feed(true, caf, query);
    cr_expect_eq(r->status, 200, "%s", r->body);
    char link[512];
    cr_expect_null(response_header(r, "Link", link, sizeof link), "no Link on a short page");
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "items")), 0, "%s", r->body);
    cr_expect(str_is(body, "next_cursor", cursor), "the same cursor back: %s", r->body);
    json_decref(body);
    response_free(r);

    /* a move puts the referral after the cursor again, with its new status */
    cr_expect_eq(move(caf, id, "accepted"), 201);
    cr_expect(poll_until(caf, &cursor, id, "accepted"), "the move shows after the cursor");
    char *senders = NULL;
    cr_expect(poll_until(mirande, &senders, id, "accepted"), "the sender sees the move too");
    free(senders);
    free(cursor);
}

Test(referral_feed, a_full_page_links_to_the_next)
{
    char t0[40], query[128], a[64], b[64];
    since(t0, sizeof t0);
    json_decref(create_referral_from(travail, "la-poste-gers", a, sizeof a));
    json_decref(create_referral_from(travail, "la-poste-gers", b, sizeof b));
    char both[160];
    snprintf(both, sizeof both, "{%s,%s}", a, b);
    wait_until_shown(both);
    snprintf(query, sizeof query, "limit=1&direction=outbound&updated_since=%s", t0);
    struct response *r = feed(true, travail, query);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char link[1024];
    cr_expect_not_null(response_header(r, "Link", link, sizeof link), "a full page has a Link");
    cr_expect(strstr(link, "rel=\"next\"") && strstr(link, "cursor="), "%s", link);
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "items")), 1);
    cr_expect_not_null(json_str(body, "next_cursor"));
    json_decref(body);
    response_free(r);
}

/* ---- out-of-order commits ------------------------------------------------------ */

Test(referral_feed, a_change_committed_late_is_shown_late_never_skipped)
{
    char early[64], late[64];
    json_decref(create_referral(early, sizeof early));
    char *cursor = tail_cursor(caf);
    cr_assert(cursor == NULL || cursor[0], "a cursor");

    /* A transaction takes its place in the feed (changes `early`) and stays
     * open while a later one (a new referral) commits. */
    PGconn *c = db();
    exec2(c, "BEGIN", NULL, NULL);
    exec2(c, "UPDATE referrals SET notes = 'changé en retard' WHERE id = $1::uuid", early, NULL);
    json_decref(create_referral(late, sizeof late));

    /* The later commit must wait behind the open one: a poller that saw it
     * now would move its cursor past the earlier change and miss it. */
    char query[512];
    snprintf(query, sizeof query, "limit=200%s%s", cursor ? "&cursor=" : "", cursor ? cursor : "");
    struct response *r = feed(true, caf, query);
    json_t *body = response_json(r);
    response_free(r);
    cr_expect_null(find(json_object_get(body, "items"), late),
                   "a commit behind an open transaction is not shown yet");
    if (json_str(body, "next_cursor")) {
        free(cursor);
        cursor = strdup(json_str(body, "next_cursor"));
    }
    json_decref(body);

    exec2(c, "COMMIT", NULL, NULL);
    PQfinish(c);
    /* From the cursor handed out meanwhile, both changes show. */
    char *again = cursor ? strdup(cursor) : NULL;
    cr_expect(poll_until(caf, &cursor, late, "sent"), "the later referral shows");
    bool early_seen = false;
    for (int attempt = 0; attempt < POLL_ATTEMPTS && !early_seen; attempt++) {
        snprintf(query, sizeof query, "limit=200%s%s", again ? "&cursor=" : "", again ? again : "");
        r = feed(true, caf, query);
        body = response_json(r);
        response_free(r);
        json_t *item = find(json_object_get(body, "items"), early);
        early_seen = item && str_is(item, "notes", "changé en retard");
        json_decref(body);
        if (!early_seen)
            usleep(100 * 1000);
    }
    cr_expect(early_seen, "the change committed late is after the cursor, not lost");
    free(again);
    free(cursor);
}

/* ---- concurrent writers ----------------------------------------------------------- */

#define WRITERS    4
#define PER_WRITER 15

struct writer {
    char tag[64];
    char ids[PER_WRITER][64];
    char final_status[PER_WRITER][16];
    int created;
};

static volatile int writers_done;

/* Creates referrals travail → poste and moves every other one, as fast as it can. */
static void *write_referrals(void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < PER_WRITER; i++) {
        char key[96];
        snprintf(key, sizeof key, "%s-%d", w->tag, i);
        json_t *doc = referral_doc("la-poste-gers", w->tag);
        char *text = dump(doc);
        json_decref(doc);
        struct response *r = call_with(false, "POST", "/v1/referrals", travail, text, key);
        free(text);
        json_t *ref = r->status == 201 ? response_json(r) : NULL;
        response_free(r);
        if (!ref)
            continue;
        snprintf(w->ids[w->created], 64, "%s", json_str(ref, "id"));
        snprintf(w->final_status[w->created], 16, "sent");
        json_decref(ref);
        if (i % 2 == 1) {
            char path[128];
            snprintf(path, sizeof path, "/v1/referrals/%s/events", w->ids[w->created]);
            r = call_with(false, "POST", path, poste, "{\"type\":\"accepted\"}", NULL);
            if (r->status == 201)
                snprintf(w->final_status[w->created], 16, "accepted");
            response_free(r);
        }
        w->created++;
    }
    return NULL;
}

struct poller {
    json_t *latest; /* id → status last seen */
    char *cursor;
    int polls;
    bool failed;
};

/* Polls La Poste's inbound feed until the writers are done and it is caught up. */
static void *poll_feed(void *arg)
{
    struct poller *p = arg;
    for (int quiet = 0; quiet < 3 && p->polls < 5000 && !p->failed;) {
        bool done = __atomic_load_n(&writers_done, __ATOMIC_SEQ_CST);
        char query[512];
        snprintf(query, sizeof query, "direction=inbound&limit=50%s%s", p->cursor ? "&cursor=" : "",
                 p->cursor ? p->cursor : "");
        struct response *r = feed(false, poste, query);
        p->polls++;
        if (r->status != 200) {
            p->failed = true;
            response_free(r);
            break;
        }
        json_t *body = response_json(r);
        response_free(r);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(body, "items"), i, item) json_object_set_new(
            p->latest, json_str(item, "id"), json_string(json_str(item, "status")));
        if (json_str(body, "next_cursor")) {
            free(p->cursor);
            p->cursor = strdup(json_str(body, "next_cursor"));
        }
        size_t n = json_array_size(json_object_get(body, "items"));
        json_decref(body);
        /* caught up three times in a row after the writers stopped */
        quiet = done && n == 0 ? quiet + 1 : 0;
        if (n < 50)
            usleep(done ? 100 * 1000 : 5 * 1000);
    }
    return NULL;
}

Test(referral_feed_concurrent, a_poller_misses_nothing_while_writers_run)
{
    struct writer writers[WRITERS];
    struct poller poller = {.latest = json_object()};
    char *start_cursor = tail_cursor(poste);
    poller.cursor = start_cursor;
    writers_done = 0;
    pthread_t wt[WRITERS], pt;
    pthread_create(&pt, NULL, poll_feed, &poller);
    for (int i = 0; i < WRITERS; i++) {
        memset(&writers[i], 0, sizeof writers[i]);
        test_nonce("ref", writers[i].tag, sizeof writers[i].tag);
        pthread_create(&wt[i], NULL, write_referrals, &writers[i]);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(wt[i], NULL);
    /* The feed holds the last changes back while an older transaction runs
     * anywhere in the cluster (a test beside this one generating data): the
     * poller is told the writers are done only once the feed may show them
     * all, or its three quiet polls may end before they appear. */
    char *ids = NULL;
    size_t ids_len = 0;
    FILE *list = open_memstream(&ids, &ids_len);
    for (int i = 0; i < WRITERS; i++)
        for (int k = 0; k < writers[i].created; k++)
            fprintf(list, "%s%s", ftell(list) ? "," : "{", writers[i].ids[k]);
    fputs(ftell(list) ? "}" : "{}", list);
    fclose(list);
    wait_until_shown(ids);
    free(ids);
    __atomic_store_n(&writers_done, 1, __ATOMIC_SEQ_CST);
    pthread_join(pt, NULL);
    cr_assert(!poller.failed, "every poll answered 200");
    int created = 0, missed = 0, stale = 0;
    for (int i = 0; i < WRITERS; i++)
        for (int k = 0; k < writers[i].created; k++) {
            created++;
            const char *seen = json_string_value(json_object_get(poller.latest, writers[i].ids[k]));
            if (!seen)
                missed++;
            else if (strcmp(seen, writers[i].final_status[k]) != 0)
                stale++;
        }
    cr_log_info("feed under %d writers: %d referrals created, %d polls, %d missed, %d stale",
                WRITERS, created, poller.polls, missed, stale);
    cr_expect_eq(created, WRITERS * PER_WRITER, "every POST created its referral");
    cr_expect_eq(missed, 0, "no referral missed by the poller");
    cr_expect_eq(stale, 0, "the poller saw each referral's last change");
    json_decref(poller.latest);
    free(poller.cursor);
}

/* ---- erasure ------------------------------------------------------------------------- */

Test(referral_feed, consent_withdrawal_erases_the_free_texts_of_the_history_and_the_replay)
{
    char key[64], tag[64];
    test_nonce("ref", key, sizeof key);
    test_nonce("ref", tag, sizeof tag);
    json_t *doc = referral_doc("caf-gers", tag);
    char *text = dump(doc);
    json_decref(doc);
    struct response *r = call("POST", "/v1/referrals", mirande, text, key);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *ref = response_json(r);
    response_free(r);
    char id[64];
    snprintf(id, sizeof id, "%s", json_str(ref, "id"));
    json_decref(ref);
    json_decref(event_ok(caf, id, "{\"type\":\"note\",\"note\":\"Rappeler Mme Dupin au 06 12\"}"));
    /* the withdrawal itself takes no free text */
    r = post_event(caf, id, "{\"type\":\"consent_withdrawn\",\"note\":\"Mme Dupin refuse\"}");
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(names_field(r, "note"), "%s", r->body);
    response_free(r);
    json_decref(event_ok(mirande, id, "{\"type\":\"consent_withdrawn\"}"));

    json_t *events = items_of(caf, id, "events");
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        cr_expect(is_null(e, "note") && is_null(e, "reason"), "event %s has no free text left",
                  json_str(e, "type"));
    }
    cr_expect_eq(json_array_size(events), 3, "sent, note, consent_withdrawn stay");
    json_decref(events);

    /* the same key replays the referral as it is now: no personal field */
    r = call("POST", "/v1/referrals", mirande, text, key);
    cr_expect_eq(r->status, 201, "%s", r->body);
    cr_expect(strstr(r->body, "Josette") == NULL && strstr(r->body, tag) == NULL,
              "the replay holds no erased field: %s", r->body);
    char replayed[16];
    cr_expect_not_null(response_header(r, "Idempotent-Replayed", replayed, sizeof replayed));
    response_free(r);
    free(text);

    /* only the free texts may be erased from the history: nothing else moves */
    PGconn *c = db();
    PGresult *res = sql1(c,
                         "UPDATE referral_events SET note = NULL, actor = 'x' WHERE "
                         "referral_id = $1::uuid",
                         id);
    cr_expect_eq(PQresultStatus(res), PGRES_FATAL_ERROR, "changing the actor is refused");
    PQclear(res);
    PQfinish(c);
}

/* ---- purge ------------------------------------------------------------------------- */

static int purge(char **output)
{
    const char *args[] = {"purge", NULL};
    return run_binary(args, NULL, output);
}

Test(referral_purge, erases_closed_referrals_after_retention_and_keeps_the_journey)
{
    char old[64], recent[64], open_[64], due[64], key_old[64], key_new[64];
    json_decref(create_referral(old, sizeof old));
    json_decref(create_referral(recent, sizeof recent));
    json_decref(create_referral(open_, sizeof open_));
    json_decref(create_referral(due, sizeof due));
    json_decref(event_ok(caf, old, "{\"type\":\"declined\",\"reason\":\"Mme D. déjà suivie\"}"));
    cr_expect_eq(move(caf, recent, "accepted"), 201);
    cr_expect_eq(move(caf, recent, "started"), 201);
    cr_expect_eq(move(caf, recent, "completed"), 201);

    PGconn *c = db();
    exec2(c, "UPDATE referrals SET closed_at = now() - interval '366 days' WHERE id = $1::uuid",
          old, NULL);
    exec2(c, "UPDATE referrals SET closed_at = now() - interval '364 days' WHERE id = $1::uuid",
          recent, NULL);
    exec2(c, "UPDATE referrals SET created_at = now() - interval '31 days' WHERE id = $1::uuid",
          due, NULL);
    /* two idempotency records: one 25 hours old, one fresh */
    test_nonce("ref", key_old, sizeof key_old);
    test_nonce("ref", key_new, sizeof key_new);
    exec2(c,
          "INSERT INTO idempotency_keys (org, key, body_hash, status, response, created_at) "
          "VALUES ('la-poste-gers', $1, 'h', 201, '{}', now() - interval '25 hours')",
          key_old, NULL);
    exec2(c,
          "INSERT INTO idempotency_keys (org, key, body_hash, status, response, created_at) "
          "VALUES ('la-poste-gers', $1, 'h', 201, '{}', now() - interval '23 hours')",
          key_new, NULL);
    PQfinish(c);

    char *output = NULL;
    cr_assert_eq(purge(&output), 0, "purge: %s", output);
    cr_expect(strstr(output, "erased") && strstr(output, "expired"), "a summary: %s", output);
    free(output);

    /* the old closed one: personal fields and free texts gone, journey kept */
    json_t *gone = referral(mirande, old);
    json_t *b = json_object_get(gone, "beneficiary");
    cr_expect(is_null(b, "first_name") && is_null(b, "last_name") && is_null(b, "phone") &&
                  is_null(b, "email") && is_null(gone, "notes"),
              "erased");
    cr_expect(str_is(gone, "status", "declined"), "the status stays");
    cr_expect_not_null(json_str(gone, "closed_at"), "closed_at stays");
    json_decref(gone);
    json_t *events = items_of(mirande, old, "events");
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    cr_expect(str_is(last, "type", "erased") && str_is(last, "org", "system"),
              "an erased event by the system");
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e) cr_expect(is_null(e, "reason"), "the reason is erased");
    json_decref(events);

    /* the recent closed one and the open one keep their fields */
    const char *kept[] = {recent, open_};
    for (int k = 0; k < 2; k++) {
        json_t *ref = referral(caf, kept[k]);
        cr_expect(str_is(json_object_get(ref, "beneficiary"), "first_name", "Josette"), "kept %d",
                  k);
        json_decref(ref);
    }
    /* the one still sent after 30 days is expired */
    json_t *expired = referral(mirande, due);
    cr_expect(str_is(expired, "status", "expired"), "expired by the purge");
    json_decref(expired);

    char *n = value_of("SELECT count(*) FROM idempotency_keys WHERE key = $1", key_old);
    cr_expect_str_eq(n, "0", "the 25-hour-old key is deleted");
    free(n);
    n = value_of("SELECT count(*) FROM idempotency_keys WHERE key = $1", key_new);
    cr_expect_str_eq(n, "1", "the 23-hour-old key is kept");
    free(n);

    /* a second pass finds nothing more of these */
    output = NULL;
    cr_expect_eq(purge(&output), 0);
    free(output);
    n = value_of("SELECT count(*) FROM referral_events WHERE referral_id = $1::uuid AND type = "
                 "'erased'",
                 old);
    cr_expect_str_eq(n, "1", "erased once");
    free(n);
}

Test(referral_purge, a_bad_retention_setting_stops_it)
{
    const char *args[] = {"purge", NULL};
    const char *env[] = {"RETENTION_DAYS=0", NULL};
    char *output = NULL;
    cr_expect_neq(run_binary(args, env, &output), 0);
    cr_expect(output && strstr(output, "RETENTION_DAYS"), "%s", output);
    free(output);
}
