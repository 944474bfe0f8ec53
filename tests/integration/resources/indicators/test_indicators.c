/* GET /v1/indicators and PUT /v1/targets/{code}: every indicator computed by
 * hand from a small known dataset and compared to the decimal (JSON numbers
 * and CSV text), the commune and place filters, an empty period, the
 * suppression of small figures (INDICATORS_MIN_CELL), the status against the
 * target, the CSV, and every refusal named.
 *
 * The definitions are indicator_values() in db/functions/indicators.sql.
 *
 * The database is shared with other tests running in parallel: each test
 * creates its own organisation (test-ind-<pid>-<time>-<n>), records every
 * input as that organisation and reads the indicators with org=<its slug>, so
 * that only its data counts. Backdating with SQL stays within hours, and the
 * period is from two days ago to today (Europe/Paris).
 *
 * Targets are shared too: only the test of the `indicators_targets` suite
 * changes one (satisfaction_mean), and its fini puts the row back exactly as
 * it was. The other tests never assert a fixed status: they check that the
 * status agrees with the target shown in the same row, read by the same
 * statement, so a target changed meanwhile does not make them fail. */
#include "csv.h"
#include "dates.h"
#include "indicator_target.h"
#include "support/expect.h"
#include "support/fixture.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIRANDE "32256"
#define MIELAN  "32252"
#define ALL_SCOPES                                                                                 \
    "activity:write devices:write referrals:read referrals:write workshops:read workshops:write "  \
    "registrations:write places:read places:write indicators:read"
#define BAD_REQUEST  "urn:inclusion-api:problem:bad-request"
#define VALIDATION   "urn:inclusion-api:problem:validation"
#define N_INDICATORS 11
#define NUL          NAN /* an expected JSON null */

static char *admin, *caf;

static void tokens(void)
{
    /* creates the organisations of the tests; changes targets */
    fixture_token(&admin, "gers-numerique", "admin");
    /* the receiver of the referrals: accepts, declines, starts, completes */
    fixture_token(&caf, "caf-gers", "referrals:read referrals:write");
}

/* Every suite but the baselines' and the disclosure's: the campaign started
 * long before the data (default baselines on empty periods), and small-cell
 * suppression alone, so that any period and filters can be read. */
#define CLASSIC_ENV "CAMPAIGN_START=2001-01-01", "INDICATORS_DISCLOSURE=cell"

/* Small samples shown: a figure on 2 people or more. */
static void start_min_cell_2(void)
{
    static const char *const env[] = {"INDICATORS_MIN_CELL=2", CLASSIC_ENV, NULL};
    fixture_start_with(env);
    tokens();
}

/* The default configuration: figures on fewer than 5 withheld. */
static void start_default(void)
{
    static const char *const env[] = {CLASSIC_ENV, NULL};
    fixture_start_with(env);
    tokens();
}

/* ---- the database, directly ------------------------------------------------------- */

static PGconn *db(void)
{
    const char *dsn = getenv("TEST_DATABASE_URL");
    cr_assert_not_null(dsn, "TEST_DATABASE_URL");
    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

/* Runs sql with n parameters; the first cell of the first row (malloc'ed, "" when
 * the statement returns no row) or NULL for a SQL NULL. Asserts success. */
static char *sql_value(const char *sql, int n, const char *const *params)
{
    PGconn *c = db();
    PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "%s: %s", sql,
              PQresultErrorMessage(res));
    char *v = NULL;
    if (st != PGRES_TUPLES_OK || PQntuples(res) == 0)
        v = strdup("");
    else if (!PQgetisnull(res, 0, 0))
        v = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return v;
}

/* Runs a statement that must change exactly one row. */
static void sql_one_row(const char *sql, int n, const char *const *params)
{
    PGconn *c = db();
    PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(res));
    cr_assert_str_eq(PQcmdTuples(res), "1", "%s changes one row", sql);
    PQclear(res);
    PQfinish(c);
}

/* ---- requests ----------------------------------------------------------------------- */

/* Every request to /v1/indicators and /v1/targets goes through here. */
static struct response *indicators_call(const char *method, const char *path, const char *token,
                                        const char *body, const char *extra)
{
    return api_call(true, method, path, token, body, extra);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* POSTs doc (its reference is taken) as token; asserts 201; the id of the
 * answer into id (when id is not NULL). */

/* A new organisation (kind association) created by the admin; its slug into slug. */
static void create_org(char *slug, size_t cap)
{
    static int n;
    snprintf(slug, cap, "test-ind-%d-%ld-%d", (int)getpid(), (long)time(NULL) % 1000000, n++);
    post_created("/v1/organizations", admin,
                 json_pack("{s:s, s:s, s:s}", "slug", slug, "name",
                           "Association d'essai des indicateurs", "kind", "association"),
                 NULL, NULL, 0);
}

/* ---- the dataset ------------------------------------------------------------------ */

struct dataset {
    char org[64];
    char *token;            /* the organisation's, every scope of the inputs */
    char from[11], to[11];  /* two days ago, today (Europe/Paris) */
    char other[6];          /* a Gers commune other than Mirande and Miélan */
    char place[64];         /* a fixed place in Mirande */
    char bus[64], stop[64]; /* a mobile unit (based in Mirande), its stop in Miélan */
    char workshops[2][64];  /* at the place: capacity 10 and 5 */
};

static void dataset_free(struct dataset *d)
{
    free(d->token);
    d->token = NULL;
}

/* A fresh organisation, its token, the period. */
static void dataset_org(struct dataset *d)
{
    memset(d, 0, sizeof *d);
    create_org(d->org, sizeof d->org);
    d->token = test_token(d->org, ALL_SCOPES);
    char *from = sql_value("SELECT to_char((now() AT TIME ZONE 'Europe/Paris')::date - 2, "
                           "'YYYY-MM-DD')",
                           0, NULL);
    char *to = sql_value("SELECT to_char((now() AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD')",
                         0, NULL);
    char *other = sql_value("SELECT insee_code FROM communes WHERE insee_code LIKE '32%' AND "
                            "insee_code NOT IN ('" MIRANDE "', '" MIELAN "') "
                            "ORDER BY insee_code LIMIT 1",
                            0, NULL);
    cr_assert(from && to && other && strlen(other) == 5, "the period and another commune");
    snprintf(d->from, sizeof d->from, "%s", from);
    snprintf(d->to, sizeof d->to, "%s", to);
    snprintf(d->other, sizeof d->other, "%s", other);
    free(from);
    free(to);
    free(other);
}

static void create_place(struct dataset *d, bool itinerant, char *id, size_t cap)
{
    char tag[64], name[128];
    test_nonce("ind", tag, sizeof tag);
    snprintf(name, sizeof name, "Lieu des indicateurs %s", tag);
    post_created("/v1/places", d->token,
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s]}", "source",
                           "integration-tests", "source_id", tag, "pivot", "00000000000000", "name",
                           name, "street", "1 rue de l'Essai", "postal_code", "32300", "commune",
                           "Mirande", "insee_code", MIRANDE, "latitude", 43.513985, "longitude",
                           0.400199, "itinerance", itinerant ? "itinerant" : "fixe"),
                 NULL, id, cap);
}

/* Workshop i at the place in 2031 (registrations open). */
static void create_workshop(struct dataset *d, int i, int capacity)
{
    char tag[64], title[128], starts[40], ends[40];
    test_nonce("ind", tag, sizeof tag);
    snprintf(title, sizeof title, "Atelier des indicateurs %s", tag);
    snprintf(starts, sizeof starts, "2031-05-%02dT14:00:00+02:00", 12 + i);
    snprintf(ends, sizeof ends, "2031-05-%02dT16:00:00+02:00", 12 + i);
    post_created("/v1/workshops", d->token,
                 json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", d->place, "title",
                           title, "theme", "smartphone", "audience", "seniors", "starts_at", starts,
                           "ends_at", ends, "capacity", capacity),
                 NULL, d->workshops[i], sizeof d->workshops[i]);
}

/* Registers `ref` on workshop (asserts 201 confirmed); its id into id. */
static void register_one(struct dataset *d, const char *workshop, const char *ref, char *id,
                         size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    json_t *doc = json_pack("{s:s, s:s}", "participant_ref", ref, "display_name", "Personne");
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct response *r = api_call(true, "POST", path, d->token, text, NULL);
    free(text);
    cr_assert_eq(r->status, 201, "register %s: %ld %s", ref, r->status, r->body);
    json_t *body = response_json(r);
    cr_assert_str_eq(or_empty(json_str(body, "status")), "confirmed", "%s is confirmed", ref);
    snprintf(id, cap, "%s", or_empty(json_str(body, "id")));
    json_decref(body);
    response_free(r);
}

/* Moves the workshop into the past (it starts `hours_ago` hours ago, lasts one
 * hour): inside the period, and attendance can be recorded. */
static void move_into_past(const char *workshop, const char *hours_ago)
{
    const char *params[] = {workshop, hours_ago};
    sql_one_row("UPDATE workshops SET starts_at = now() - make_interval(hours => $2::int), "
                "ends_at = now() - make_interval(hours => $2::int - 1) WHERE id = $1::uuid",
                2, params);
}

static void attend(struct dataset *d, const char *workshop, const char *registration, bool attended)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations/%s", workshop, registration);
    struct response *r = api_call(true, "PATCH", path, d->token,
                                  attended ? "{\"attended\":true}" : "{\"attended\":false}", NULL);
    cr_assert_eq(r->status, 200, "attendance: %ld %s", r->status, r->body);
    response_free(r);
}

/* 12 levels (0..3) whose sum is `sum` (0..36). */
static json_t *levels_doc(int sum)
{
    static const char *const skills[12] = {
        "device_basics", "browsing",          "online_search",   "email",
        "documents",     "online_procedures", "franceconnect",   "passwords",
        "fraud",         "personal_data",     "smartphone_apps", "video_calls",
    };
    json_t *levels = json_object();
    for (int i = 0; i < 12; i++) {
        int level = sum > 3 ? 3 : sum;
        sum -= level;
        json_object_set_new(levels, skills[i], json_integer(level));
    }
    return levels;
}

/* An assessment of participant `ref`, `minutes_ago` minutes ago, at workshop
 * (NULL: none). */
static void assess(struct dataset *d, const char *ref, const char *phase, int sum, int minutes_ago,
                   const char *workshop)
{
    char at[40];
    rfc3339_utc(time(NULL) - 60 * minutes_ago, at, sizeof at);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:o}", "participant_ref", ref, "phase", phase,
                            "taken_at", at, "levels", levels_doc(sum));
    if (workshop)
        json_object_set_new(doc, "workshop_id", json_string(workshop));
    post_created("/v1/assessments", d->token, doc, NULL, NULL, 0);
}

static void feedback(struct dataset *d, const char *type, const char *subject, int rating)
{
    post_created(
        "/v1/feedback", d->token,
        json_pack("{s:s, s:s, s:i}", "subject_type", type, "subject_id", subject, "rating", rating),
        NULL, NULL, 0);
}

/* A device collected two hours ago, wiped, then distributed (now) in commune,
 * at place (NULL: none). */
/* A device collected, wiped and distributed (at `when`, RFC 3339; NULL: now). */
static void distribute_device_at(struct dataset *d, const char *commune, const char *place,
                                 const char *when)
{
    char at[40], id[64], path[128], tag[64];
    test_nonce("ind", tag, sizeof tag);
    rfc3339_utc(time(NULL) - 7200, at, sizeof at);
    post_created("/v1/devices", d->token,
                 json_pack("{s:s, s:s, s:s, s:s}", "type", "laptop", "origin", "company",
                           "collected_at", at, "inventory_ref", tag),
                 NULL, id, sizeof id);
    snprintf(path, sizeof path, "/v1/devices/%s/events", id);
    post_created(path, d->token,
                 json_pack("{s:s, s:{s:s, s:s}}", "type", "wiped", "details", "method",
                           "software_overwrite", "certificate_ref", tag),
                 NULL, NULL, 0);
    json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "distributed", "details", "mode",
                            "donation", "commune", commune, "household_ref", tag);
    if (place)
        json_object_set_new(json_object_get(doc, "details"), "place_id", json_string(place));
    if (when)
        json_object_set_new(doc, "at", json_string(when));
    post_created(path, d->token, doc, NULL, NULL, 0);
}

static void distribute_device(struct dataset *d, const char *commune, const char *place)
{
    distribute_device_at(d, commune, place, NULL);
}

/* A visit an hour ago at the stop (stop) or at the place. */
static void visit(struct dataset *d, const char *member, const char *id, int count)
{
    char at[40];
    rfc3339_utc(time(NULL) - 3600, at, sizeof at);
    post_created("/v1/visits", d->token,
                 json_pack("{s:s, s:s, s:i, s:s}", member, id, "visited_at", at, "count", count,
                           "purpose", "digital_support"),
                 NULL, NULL, 0);
}

/* A referral from the dataset's organisation to caf-gers; its id into id. */
static void refer_to(struct dataset *d, const char *to_org, char *id, size_t cap)
{
    char tag[64], key[128], recorded[40];
    test_nonce("ind", tag, sizeof tag);
    snprintf(key, sizeof key, "Idempotency-Key: %s", tag);
    rfc3339_utc(time(NULL) - 3600, recorded, sizeof recorded);
    post_created("/v1/referrals", d->token,
                 json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:b, s:s, s:s}, s:s}", "to_org",
                           to_org, "need", "caf_procedures", "beneficiary", "first_name", "Josette",
                           "last_name", "Dupin", "phone", "06 12 34 56 78", "contact_preference",
                           "phone", "consent", "given", 1, "method", "oral", "recorded_at",
                           recorded, "notes", tag),
                 key, id, cap);
}

static void refer(struct dataset *d, char *id, size_t cap)
{
    refer_to(d, "caf-gers", id, cap);
}

static void move(const char *token, const char *id, const char *body)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
    post_created(path, token, json_loads(body, 0, NULL), NULL, NULL, 0);
}

/* The referral was sent `hours` hours before it was accepted: its created_at
 * set back from the time of its accepted event (the events stay as they are). */
static void sent_before_acceptance(const char *id, const char *hours)
{
    const char *params[] = {id, hours};
    sql_one_row("UPDATE referrals r SET created_at = e.at - make_interval(hours => $2::int) "
                "FROM referral_events e WHERE r.id = $1::uuid AND e.referral_id = r.id "
                "AND e.type = 'accepted'",
                2, params);
}

/* Referrals accepted `hours[i]` hours after they were sent; their ids into ids. */
static void accepted_referrals(struct dataset *d, const char *const *hours, size_t n,
                               char (*ids)[64])
{
    for (size_t i = 0; i < n; i++) {
        refer(d, ids[i], sizeof ids[i]);
        move(caf, ids[i], "{\"type\":\"accepted\"}");
        sent_before_acceptance(ids[i], hours[i]);
    }
}

/* The whole dataset of the hand computations (see the expectations below). */
static void dataset_build(struct dataset *d)
{
    dataset_org(d);
    char path[160];

    /* places: a fixed one in Mirande; a mobile unit with a stop in Miélan */
    create_place(d, false, d->place, sizeof d->place);
    create_place(d, true, d->bus, sizeof d->bus);
    snprintf(path, sizeof path, "/v1/places/%s/stops", d->bus);
    post_created(path, d->token,
                 json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "starts_at",
                           "2031-03-04T09:30:00+01:00", "ends_at", "2031-03-04T12:30:00+01:00",
                           "insee_code", MIELAN, "address", "Place de la mairie", "latitude",
                           43.42938, "longitude", 0.309431),
                 NULL, d->stop, sizeof d->stop);

    /* workshops: capacity 10 with 6 confirmed, capacity 5 with 3 confirmed; then
     * in the past; attendance: A 5 true + 1 false, B 1 true + 1 false + 1 unknown */
    create_workshop(d, 0, 10);
    create_workshop(d, 1, 5);
    char regs[2][6][64], ref[32];
    for (int i = 0; i < 6; i++) {
        snprintf(ref, sizeof ref, "a%d", i);
        register_one(d, d->workshops[0], ref, regs[0][i], sizeof regs[0][i]);
    }
    for (int i = 0; i < 3; i++) {
        snprintf(ref, sizeof ref, "b%d", i);
        register_one(d, d->workshops[1], ref, regs[1][i], sizeof regs[1][i]);
    }
    move_into_past(d->workshops[0], "3");
    move_into_past(d->workshops[1], "5");
    for (int i = 0; i < 6; i++)
        attend(d, d->workshops[0], regs[0][i], i < 5);
    attend(d, d->workshops[1], regs[1][0], true);
    attend(d, d->workshops[1], regs[1][1], false);

    /* self-assessments: before 120 min ago, after 60 min ago; p1..p3 at workshop
     * A (in Mirande, at the place), p4..p6 at no workshop */
    const char *wa = d->workshops[0];
    assess(d, "p1", "before", 12, 120, wa);
    assess(d, "p1", "after", 24, 60, wa);
    assess(d, "p1", "before", 0, 30, wa); /* after the after: not its before */
    assess(d, "p2", "before", 10, 120, wa);
    assess(d, "p2", "after", 0, 90, wa); /* an earlier after: not the latest */
    assess(d, "p2", "after", 30, 60, wa);
    assess(d, "p3", "before", 20, 120, wa);
    assess(d, "p3", "after", 20, 60, wa);
    assess(d, "p4", "before", 36, 150, NULL); /* an older before: not the latest */
    assess(d, "p4", "before", 18, 120, NULL);
    assess(d, "p4", "after", 22, 60, NULL);
    assess(d, "p5", "before", 6, 120, NULL);
    assess(d, "p5", "after", 12, 60, NULL);
    assess(d, "p6", "before", 30, 120, NULL);
    assess(d, "p6", "follow_up", 36, 60, NULL);
    assess(d, "p7", "after", 36, 60, NULL);  /* no before: no pair */
    assess(d, "p8", "before", 0, 120, NULL); /* no after: no pair */

    /* satisfaction: 5, 4, 4 about the place; 3, 2 about workshop A (at the place) */
    feedback(d, "place", d->place, 5);
    feedback(d, "place", d->place, 4);
    feedback(d, "place", d->place, 4);
    feedback(d, "workshop", wa, 3);
    feedback(d, "workshop", wa, 2);

    /* devices: 3 distributed in Mirande (2 of them at the place), 2 elsewhere */
    distribute_device(d, MIRANDE, d->place);
    distribute_device(d, MIRANDE, d->place);
    distribute_device(d, MIRANDE, NULL);
    distribute_device(d, d->other, NULL);
    distribute_device(d, d->other, NULL);

    /* the mobile unit: 3 then 4 people at its stop; 5 at the fixed place */
    visit(d, "stop_id", d->stop, 3);
    visit(d, "stop_id", d->stop, 4);
    visit(d, "place_id", d->place, 5);

    /* referrals to caf-gers: 5 accepted 2, 4, 6, 8, 10 hours after being sent;
     * the first two started and completed, the third cancelled by the sender,
     * the other two left accepted; a sixth declined */
    static const char *const hours[] = {"2", "4", "6", "8", "10"};
    char ids[6][64];
    accepted_referrals(d, hours, 5, ids);
    for (int i = 0; i < 2; i++) {
        move(caf, ids[i], "{\"type\":\"started\"}");
        move(caf, ids[i], "{\"type\":\"completed\"}");
    }
    move(d->token, ids[2], "{\"type\":\"cancelled\"}");
    refer(d, ids[5], sizeof ids[5]);
    move(caf, ids[5], "{\"type\":\"declined\",\"reason\":\"Hors de nos missions\"}");
}

/* ---- expectations --------------------------------------------------------------- */

/* One row as expected: NUL for a JSON null. */
struct expected {
    const char *code;
    double value, numerator, denominator, sample_size;
};

static const char *const codes[N_INDICATORS] = {"autonomy_rate",
                                                "autonomy_gain",
                                                "orientation_time_median_hours",
                                                "orientation_time_p80_hours",
                                                "referral_completion_rate",
                                                "devices_distributed",
                                                "satisfaction_mean",
                                                "satisfaction_share_4_plus",
                                                "workshop_fill_rate",
                                                "workshop_attendance_rate",
                                                "mobile_unit_visits"};

/* Everything, by hand.
 *
 * Scores = round(100 × sum / 36, 1); autonomous ⇔ sum ≥ 24. The pairs (latest
 * before preceding the latest after/follow_up):
 *   p1 12→24: 33.3 → 66.7, autonomous, gain 33.4
 *   p2 10→30: 27.8 → 83.3, autonomous, gain 55.5
 *   p3 20→20: 55.6 → 55.6, no,         gain  0.0
 *   p4 18→22: 50.0 → 61.1, no,         gain 11.1
 *   p5  6→12: 16.7 → 33.3, no,         gain 16.6
 *   p6 30→36: 83.3 → 100.0, autonomous, gain 16.7
 * autonomy_rate = 3 / 6 = 50.0; autonomy_gain = 133.3 / 6 = 22.2166… → 22.2.
 * orientation: hours 2, 4, 6, 8, 10: median 6.0; p80 at rank 0.8 × 4 = 3.2:
 *   8 + 0.2 × (10 − 8) = 8.4.
 * referral_completion_rate: closed = 2 completed + 1 cancelled + 1 declined
 *   = 4; 2 / 4 = 50.0.
 * devices_distributed: 5. satisfaction: 5+4+4+3+2 = 18 / 5 = 3.60; 4 or 5:
 *   3 / 5 = 60.0. workshop_fill_rate: (6 + 3) / (10 + 5) = 60.0 on 2
 *   workshops. workshop_attendance_rate: (5 + 1) / (6 + 2) = 75.0.
 * mobile_unit_visits: 3 + 4 = 7 (the 5 at the fixed place do not count). */
static const struct expected all[N_INDICATORS] = {
    {"autonomy_rate", 50.0, 3, 6, 6},
    {"autonomy_gain", 22.2, 133.3, 6, 6},
    {"orientation_time_median_hours", 6.0, NUL, NUL, 5},
    {"orientation_time_p80_hours", 8.4, NUL, NUL, 5},
    {"referral_completion_rate", 50.0, 2, 4, 4},
    {"devices_distributed", 5, 5, NUL, 5},
    {"satisfaction_mean", 3.60, 18, 5, 5},
    {"satisfaction_share_4_plus", 60.0, 3, 5, 5},
    {"workshop_fill_rate", 60.0, 9, 15, 2},
    {"workshop_attendance_rate", 75.0, 6, 8, 8},
    {"mobile_unit_visits", 7, 7, NUL, 7},
};

/* The same as CSV text (numbers as PostgreSQL prints them; "" for null). */
static const char *const all_csv[N_INDICATORS][4] = {
    {"50.0", "3", "6", "6"},  {"22.2", "133.3", "6", "6"}, {"6.0", "", "", "5"},
    {"8.4", "", "", "5"},     {"50.0", "2", "4", "4"},     {"5", "5", "", "5"},
    {"3.60", "18", "5", "5"}, {"60.0", "3", "5", "5"},     {"60.0", "9", "15", "2"},
    {"75.0", "6", "8", "8"},  {"7", "7", "", "7"},
};

/* With commune=32256 (Mirande): the assessments of p1..p3 (at workshop A, at
 * the place in Mirande; those of p4..p6 have no workshop, hence no commune):
 * 2 of 3 autonomous = 66.666… → 66.7; gains 33.4 + 55.5 + 0 = 88.9 / 3 =
 * 29.633… → 29.6. No referral has a place: none. The 3 devices distributed in
 * Mirande. The feedback about the place and about workshop A (at the place):
 * all 5. Both workshops. The stop is in Miélan: no visit. */
static const struct expected in_mirande[N_INDICATORS] = {
    {"autonomy_rate", 66.7, 2, 3, 3},
    {"autonomy_gain", 29.6, 88.9, 3, 3},
    {"orientation_time_median_hours", NUL, NUL, NUL, 0},
    {"orientation_time_p80_hours", NUL, NUL, NUL, 0},
    {"referral_completion_rate", NUL, 0, 0, 0},
    {"devices_distributed", 3, 3, NUL, 3},
    {"satisfaction_mean", 3.60, 18, 5, 5},
    {"satisfaction_share_4_plus", 60.0, 3, 5, 5},
    {"workshop_fill_rate", 60.0, 9, 15, 2},
    {"workshop_attendance_rate", 75.0, 6, 8, 8},
    {"mobile_unit_visits", NUL, 0, NUL, 0},
};

/* With place_id = the fixed place: as in Mirande, except the devices: the 2
 * distributed at the place. */
static const struct expected at_place[N_INDICATORS] = {
    {"autonomy_rate", 66.7, 2, 3, 3},
    {"autonomy_gain", 29.6, 88.9, 3, 3},
    {"orientation_time_median_hours", NUL, NUL, NUL, 0},
    {"orientation_time_p80_hours", NUL, NUL, NUL, 0},
    {"referral_completion_rate", NUL, 0, 0, 0},
    {"devices_distributed", 2, 2, NUL, 2},
    {"satisfaction_mean", 3.60, 18, 5, 5},
    {"satisfaction_share_4_plus", 60.0, 3, 5, 5},
    {"workshop_fill_rate", 60.0, 9, 15, 2},
    {"workshop_attendance_rate", 75.0, 6, 8, 8},
    {"mobile_unit_visits", NUL, 0, NUL, 0},
};

/* Nothing but the visits at the stop: commune=32252 (Miélan, where it is) or
 * place_id = the mobile unit (whose stop it is). */
static const struct expected only_stop[N_INDICATORS] = {
    {"autonomy_rate", NUL, 0, 0, 0},
    {"autonomy_gain", NUL, 0, 0, 0},
    {"orientation_time_median_hours", NUL, NUL, NUL, 0},
    {"orientation_time_p80_hours", NUL, NUL, NUL, 0},
    {"referral_completion_rate", NUL, 0, 0, 0},
    {"devices_distributed", NUL, 0, NUL, 0},
    {"satisfaction_mean", NUL, 0, 0, 0},
    {"satisfaction_share_4_plus", NUL, 0, 0, 0},
    {"workshop_fill_rate", NUL, 0, 0, 0},
    {"workshop_attendance_rate", NUL, 0, 0, 0},
    {"mobile_unit_visits", 7, 7, NUL, 7},
};

/* Nothing at all (an empty sample everywhere): the numerators of the counts are
 * 0, those of the orientation times null. */
static const struct expected nothing[N_INDICATORS] = {
    {"autonomy_rate", NUL, 0, 0, 0},
    {"autonomy_gain", NUL, 0, 0, 0},
    {"orientation_time_median_hours", NUL, NUL, NUL, 0},
    {"orientation_time_p80_hours", NUL, NUL, NUL, 0},
    {"referral_completion_rate", NUL, 0, 0, 0},
    {"devices_distributed", NUL, 0, NUL, 0},
    {"satisfaction_mean", NUL, 0, 0, 0},
    {"satisfaction_share_4_plus", NUL, 0, 0, 0},
    {"workshop_fill_rate", NUL, 0, 0, 0},
    {"workshop_attendance_rate", NUL, 0, 0, 0},
    {"mobile_unit_visits", NUL, 0, NUL, 0},
};

/* The number at key is `want` (NUL: null), to 1e-9. */
static void expect_number(json_t *obj, const char *key, double want, const char *code,
                          const char *what)
{
    json_t *v = json_object_get(obj, key);
    if (isnan(want)) {
        cr_expect(v && json_is_null(v), "%s: %s.%s is null", what, code, key);
        return;
    }
    cr_expect(json_is_number(v), "%s: %s.%s is a number", what, code, key);
    cr_expect(fabs(json_number_value(v) - want) < 1e-9, "%s: %s.%s = %.10g, expected %.10g", what,
              code, key, json_number_value(v), want);
}

/* The status that the row's own value and target give: no_data without a value,
 * no_baseline without a goal; otherwise at_least and non-negative relative changes are on track
 * at or above the goal, at_most and negative relative changes at or below it. */
static const char *status_for(json_t *item)
{
    json_t *value = json_object_get(item, "value"), *target = json_object_get(item, "target");
    json_t *goal = json_object_get(target, "goal");
    if (json_is_true(json_object_get(item, "suppressed")) || !json_is_number(value))
        return "no_data";
    if (!json_is_number(goal))
        return "no_baseline";
    const char *kind = or_empty(json_str(target, "kind"));
    double v = json_number_value(value), g = json_number_value(goal);
    bool upward =
        strcmp(kind, "at_least") == 0 || (strcmp(kind, "relative_change") == 0 &&
                                          json_number_value(json_object_get(target, "value")) >= 0);
    return (upward ? v >= g : v <= g) ? "on_track" : "off_track";
}

/* The items are the 11 indicators in order, each as expected, not suppressed,
 * with a status that agrees with its target. */
static void expect_items(json_t *body, const struct expected *want, const char *what)
{
    json_t *items = json_object_get(body, "items");
    cr_assert(json_is_array(items), "%s: items", what);
    cr_assert_eq(json_array_size(items), N_INDICATORS, "%s: 11 indicators", what);
    for (size_t i = 0; i < N_INDICATORS; i++) {
        json_t *item = json_array_get(items, i);
        const char *code = or_empty(json_str(item, "code"));
        cr_expect_str_eq(code, want[i].code, "%s: indicator %zu", what, i + 1);
        expect_number(item, "value", want[i].value, code, what);
        expect_number(item, "numerator", want[i].numerator, code, what);
        expect_number(item, "denominator", want[i].denominator, code, what);
        expect_number(item, "sample_size", want[i].sample_size, code, what);
        cr_expect(json_is_false(json_object_get(item, "suppressed")), "%s: %s not suppressed", what,
                  code);
        cr_expect_str_eq(or_empty(json_str(item, "status")), status_for(item), "%s: %s status",
                         what, code);
        if (isnan(want[i].value))
            cr_expect_str_eq(or_empty(json_str(item, "status")), "no_data", "%s: %s no_data", what,
                             code);
    }
}

/* GET /v1/indicators?<query> as token; asserts 200 application/json; the body. */
static json_t *indicators(const char *token, const char *query)
{
    char path[512], type[128];
    snprintf(path, sizeof path, "/v1/indicators?%s", query);
    struct response *r = indicators_call("GET", path, token, NULL, NULL);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    cr_expect_str_eq(or_empty(response_header(r, "Content-Type", type, sizeof type)),
                     "application/json", "GET %s: JSON", path);
    json_t *body = response_json(r);
    response_free(r);
    cr_assert(json_is_object(body), "GET %s: an object", path);
    return body;
}

/* The indicators of the dataset's organisation and period, plus `extra` ("" or "&…"). */
static json_t *of_dataset(struct dataset *d, const char *extra)
{
    char query[400];
    snprintf(query, sizeof query, "from=%s&to=%s&org=%s%s", d->from, d->to, d->org, extra);
    return indicators(d->token, query);
}

static json_t *item_of(json_t *body, const char *code)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i,
                       item) if (strcmp(or_empty(json_str(item, "code")), code) == 0) return item;
    return NULL;
}

/* ---- the values, by hand ------------------------------------------------------------ */

TestSuite(indicators, .init = start_min_cell_2, .fini = fixture_stop, .timeout = 180);

Test(indicators, every_indicator_equals_the_hand_computation)
{
    struct dataset d;
    dataset_build(&d);
    json_t *body = of_dataset(&d, "");
    cr_expect_str_eq(or_empty(json_str(body, "from")), d.from, "the period's first day");
    cr_expect_str_eq(or_empty(json_str(body, "to")), d.to, "the period's last day");
    json_t *filters = json_object_get(body, "filters");
    cr_expect_str_eq(or_empty(json_str(filters, "org")), d.org, "filters.org");
    cr_expect(json_is_null(json_object_get(filters, "commune")), "filters.commune null");
    cr_expect(json_is_null(json_object_get(filters, "place_id")), "filters.place_id null");
    cr_expect_eq(json_integer_value(json_object_get(body, "min_cell")), 2, "min_cell 2");
    expect_items(body, all, "the dataset");
    /* every row carries its definition, unit and target */
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i, item)
    {
        cr_expect(json_str(item, "label") && json_str(item, "definition") && json_str(item, "unit"),
                  "%s: label, definition, unit", codes[i]);
        json_t *target = json_object_get(item, "target");
        cr_expect(json_str(target, "kind") && json_is_number(json_object_get(target, "value")),
                  "%s: target kind and value", codes[i]);
        cr_expect(json_is_object(json_object_get(item, "baseline")), "%s: baseline", codes[i]);
    }
    json_decref(body);

    /* the default period: the last 365 days up to today, which hold everything */
    char query[200];
    snprintf(query, sizeof query, "org=%s", d.org);
    body = indicators(d.token, query);
    char *first = sql_value("SELECT to_char((now() AT TIME ZONE 'Europe/Paris')::date - 364, "
                            "'YYYY-MM-DD')",
                            0, NULL);
    cr_expect_str_eq(or_empty(json_str(body, "from")), or_empty(first),
                     "default from: today - 364");
    cr_expect_str_eq(or_empty(json_str(body, "to")), d.to, "default to: today");
    free(first);
    expect_items(body, all, "the default period");
    json_decref(body);

    /* a period without any of it: nothing, and nothing withheld */
    snprintf(query, sizeof query, "from=2001-01-15&to=2001-01-15&org=%s", d.org);
    body = indicators(d.token, query);
    cr_expect_str_eq(or_empty(json_str(body, "from")), "2001-01-15");
    cr_expect_str_eq(or_empty(json_str(body, "to")), "2001-01-15");
    expect_items(body, nothing, "2001-01-15");
    json_decref(body);

    /* a period that ends before the data: two days ago only (the oldest input
     * is 10 hours old, so at most yesterday) */
    snprintf(query, sizeof query, "from=%s&to=%s&org=%s", d.from, d.from, d.org);
    body = indicators(d.token, query);
    expect_items(body, nothing, "two days ago");
    json_decref(body);
    dataset_free(&d);
}

Test(indicators, the_commune_and_place_filters_apply_to_each_input)
{
    struct dataset d;
    dataset_build(&d);
    json_t *body = of_dataset(&d, "&commune=" MIRANDE);
    cr_expect_str_eq(or_empty(json_str(json_object_get(body, "filters"), "commune")), MIRANDE);
    expect_items(body, in_mirande, "commune=" MIRANDE);
    json_decref(body);

    body = of_dataset(&d, "&commune=" MIELAN);
    expect_items(body, only_stop, "commune=" MIELAN " (the stop)");
    json_decref(body);

    /* the other commune: only the 2 devices distributed there */
    char extra[120];
    snprintf(extra, sizeof extra, "&commune=%s", d.other);
    struct expected devices_only[N_INDICATORS];
    memcpy(devices_only, nothing, sizeof devices_only);
    devices_only[5] = (struct expected){"devices_distributed", 2, 2, NUL, 2};
    body = of_dataset(&d, extra);
    expect_items(body, devices_only, "the other commune");
    json_decref(body);

    snprintf(extra, sizeof extra, "&place_id=%s", d.place);
    body = of_dataset(&d, extra);
    cr_expect_str_eq(or_empty(json_str(json_object_get(body, "filters"), "place_id")), d.place);
    expect_items(body, at_place, "place_id = the place");
    json_decref(body);

    snprintf(extra, sizeof extra, "&place_id=%s", d.bus);
    body = of_dataset(&d, extra);
    expect_items(body, only_stop, "place_id = the mobile unit");
    json_decref(body);

    /* both: Mirande and the place */
    snprintf(extra, sizeof extra, "&commune=%s&place_id=%s", MIRANDE, d.place);
    body = of_dataset(&d, extra);
    expect_items(body, at_place, "Mirande and the place");
    json_decref(body);

    /* the place is not in Miélan: nothing */
    snprintf(extra, sizeof extra, "&commune=%s&place_id=%s", MIELAN, d.place);
    body = of_dataset(&d, extra);
    expect_items(body, nothing, "Miélan and the place");
    json_decref(body);
    dataset_free(&d);
}

/* The CSV body's rows (asserts it parses, a header then 11 lines of 15 fields). */
static void parse_csv(struct response *r, struct csv *csv, const char *what)
{
    size_t err_line = 0;
    cr_assert_eq(csv_parse(r->body, r->body_len, ',', csv, &err_line), 0, "%s: CSV (line %zu)",
                 what, err_line);
    cr_assert_eq(csv->count, 1 + N_INDICATORS, "%s: a header and 11 lines: %s", what, r->body);
    for (size_t i = 0; i < csv->count; i++)
        cr_assert_eq(csv->rows[i].count, 15, "%s: line %zu has 15 fields", what, i + 1);
}

static const char *const csv_header[15] = {
    "code",        "label",        "definition",  "unit",           "value",
    "numerator",   "denominator",  "sample_size", "suppressed",     "status",
    "target_kind", "target_value", "goal",        "baseline_value", "baseline_period"};

/* A CSV answer of the dataset (200, text/csv, named for the period). */
static void expect_dataset_csv(struct dataset *d, struct response *r, const char *what)
{
    char type[128], disposition[160], want[160];
    cr_assert_eq(r->status, 200, "%s: %ld %s", what, r->status, r->body);
    cr_expect_str_eq(or_empty(response_header(r, "Content-Type", type, sizeof type)),
                     "text/csv; charset=utf-8", "%s: Content-Type", what);
    snprintf(want, sizeof want, "attachment; filename=\"indicateurs-%s-%s.csv\"", d->from, d->to);
    cr_expect_str_eq(
        or_empty(response_header(r, "Content-Disposition", disposition, sizeof disposition)), want,
        "%s: Content-Disposition", what);
    struct csv csv;
    parse_csv(r, &csv, what);
    for (int c = 0; c < 15; c++)
        cr_expect_str_eq(csv.rows[0].fields[c], csv_header[c], "%s: header column %d", what, c + 1);
    for (size_t i = 0; i < N_INDICATORS; i++) {
        char **f = csv.rows[i + 1].fields;
        cr_expect_str_eq(f[0], codes[i], "%s: line %zu", what, i + 2);
        cr_expect(f[1][0] && f[2][0] && f[3][0], "%s: %s has a label, definition, unit", what,
                  codes[i]);
        static const char *const names[4] = {"value", "numerator", "denominator", "sample_size"};
        for (int c = 0; c < 4; c++)
            cr_expect_str_eq(f[4 + c], all_csv[i][c], "%s: %s %s is \"%s\"", what, codes[i],
                             names[c], f[4 + c]);
        cr_expect_str_eq(f[8], "false", "%s: %s not suppressed", what, codes[i]);
        cr_expect(strcmp(f[9], "on_track") == 0 || strcmp(f[9], "off_track") == 0 ||
                      strcmp(f[9], "no_data") == 0 || strcmp(f[9], "no_baseline") == 0,
                  "%s: %s status %s", what, codes[i], f[9]);
        cr_expect(f[10][0] && f[11][0], "%s: %s target kind and value", what, codes[i]);
    }
    /* the raw text: every field quoted, CRLF line ends; the numbers as computed */
    cr_expect(strncmp(r->body, "\"code\",\"label\",", 15) == 0, "%s: quoted header", what);
    cr_expect(strstr(r->body, "\"baseline_period\"\r\n") != NULL, "%s: CRLF", what);
    cr_expect(strstr(r->body, "\"rating\",\"3.60\",\"18\",\"5\",\"5\",\"false\",") != NULL,
              "%s: the mean rating to two decimals: %s", what, r->body);
    cr_expect(strstr(r->body, "\"hours\",\"8.4\",\"\",\"\",\"5\",\"false\",") != NULL,
              "%s: the 80th percentile: %s", what, r->body);
    csv_free(&csv);
}

Test(indicators, the_csv_has_the_same_figures)
{
    struct dataset d;
    dataset_build(&d);
    char path[400];
    snprintf(path, sizeof path, "/v1/indicators?from=%s&to=%s&org=%s&format=csv", d.from, d.to,
             d.org);
    struct response *r = indicators_call("GET", path, d.token, NULL, NULL);
    expect_dataset_csv(&d, r, "format=csv");
    response_free(r);

    /* Accept: text/csv */
    snprintf(path, sizeof path, "/v1/indicators?from=%s&to=%s&org=%s", d.from, d.to, d.org);
    r = indicators_call("GET", path, d.token, NULL, "Accept: text/csv");
    expect_dataset_csv(&d, r, "Accept: text/csv");
    response_free(r);

    /* format=json wins over Accept */
    char type[128];
    snprintf(path, sizeof path, "/v1/indicators?from=%s&to=%s&org=%s&format=json", d.from, d.to,
             d.org);
    r = indicators_call("GET", path, d.token, NULL, "Accept: text/csv");
    cr_expect_eq(r->status, 200, "format=json: %ld %s", r->status, r->body);
    cr_expect_str_eq(or_empty(response_header(r, "Content-Type", type, sizeof type)),
                     "application/json", "format=json is JSON whatever Accept says");
    json_t *body = response_json(r);
    response_free(r);
    expect_items(body, all, "format=json");
    json_decref(body);
    dataset_free(&d);
}

/* Orientation times on an even count with a tie: hours 2, 4, 4, 8. Median:
 * the mean of the two middle values (4 + 4) / 2 = 4.0; p80 at rank 0.8 × 3 =
 * 2.4: 4 + 0.4 × (8 − 4) = 5.6. None closed: no completion rate. */
Test(indicators, the_median_of_an_even_count_with_a_tie)
{
    struct dataset d;
    dataset_org(&d);
    static const char *const hours[] = {"2", "4", "4", "8"};
    char ids[4][64];
    accepted_referrals(&d, hours, 4, ids);
    json_t *body = of_dataset(&d, "");
    struct expected want[N_INDICATORS];
    memcpy(want, nothing, sizeof want);
    want[2] = (struct expected){"orientation_time_median_hours", 4.0, NUL, NUL, 4};
    want[3] = (struct expected){"orientation_time_p80_hours", 5.6, NUL, NUL, 4};
    expect_items(body, want, "2, 4, 4, 8 hours");
    json_decref(body);

    /* a fifth, accepted 1 hour after: 1, 2, 4, 4, 8 → median 4.0; p80 at 3.2:
     * 4 + 0.2 × 4 = 4.8 */
    static const char *const one[] = {"1"};
    char fifth[1][64];
    accepted_referrals(&d, one, 1, fifth);
    body = of_dataset(&d, "");
    want[2] = (struct expected){"orientation_time_median_hours", 4.0, NUL, NUL, 5};
    want[3] = (struct expected){"orientation_time_p80_hours", 4.8, NUL, NUL, 5};
    expect_items(body, want, "1, 2, 4, 4, 8 hours");
    json_decref(body);
    dataset_free(&d);
}

/* ---- suppression (the default smallest cell: 5) ------------------------------------ */

TestSuite(indicators_suppression, .init = start_default, .fini = fixture_stop, .timeout = 120);

Test(indicators_suppression, a_figure_on_fewer_than_5_is_withheld_everywhere)
{
    struct dataset d;
    dataset_org(&d);
    create_place(&d, false, d.place, sizeof d.place);
    for (int i = 0; i < 3; i++)
        distribute_device(&d, MIRANDE, NULL);
    distribute_device(&d, d.other, NULL);
    distribute_device(&d, d.other, NULL);

    /* 5 devices: shown (5 is not fewer than 5) */
    json_t *body = of_dataset(&d, "");
    cr_expect_eq(json_integer_value(json_object_get(body, "min_cell")), 5, "min_cell 5");
    struct expected want[N_INDICATORS];
    memcpy(want, nothing, sizeof want);
    want[5] = (struct expected){"devices_distributed", 5, 5, NUL, 5};
    expect_items(body, want, "5 devices");
    json_decref(body);

    /* 3 in Mirande: withheld; the empty samples are not (nothing to hide) */
    body = of_dataset(&d, "&commune=" MIRANDE);
    json_t *items = json_object_get(body, "items");
    cr_assert_eq(json_array_size(items), N_INDICATORS);
    for (size_t i = 0; i < N_INDICATORS; i++) {
        json_t *item = json_array_get(items, i);
        const char *code = or_empty(json_str(item, "code"));
        cr_expect_str_eq(code, codes[i]);
        cr_expect_str_eq(or_empty(json_str(item, "status")), "no_data", "%s: no_data", code);
        if (i == 5) {
            static const char *const hidden[] = {"value", "numerator", "denominator",
                                                 "sample_size"};
            for (int k = 0; k < 4; k++)
                cr_expect(json_is_null(json_object_get(item, hidden[k])), "3 devices: %s null",
                          hidden[k]);
            cr_expect(json_is_true(json_object_get(item, "suppressed")), "3 devices: suppressed");
        } else {
            cr_expect(json_is_false(json_object_get(item, "suppressed")), "%s: sample 0 shown",
                      code);
            expect_number(item, "sample_size", 0, code, "Mirande");
            expect_number(item, "value", NUL, code, "Mirande");
        }
    }
    json_decref(body);

    /* the CSV line says nothing more */
    char path[400];
    snprintf(path, sizeof path, "/v1/indicators?from=%s&to=%s&org=%s&commune=%s&format=csv", d.from,
             d.to, d.org, MIRANDE);
    struct response *r = indicators_call("GET", path, d.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    struct csv csv;
    parse_csv(r, &csv, "suppressed CSV");
    char **f = csv.rows[6].fields;
    cr_expect_str_eq(f[0], "devices_distributed");
    for (int c = 4; c < 8; c++)
        cr_expect_str_eq(f[c], "", "the suppressed line: %s empty", csv_header[c]);
    cr_expect_str_eq(f[8], "true", "suppressed");
    cr_expect_str_eq(f[9], "no_data", "no_data");
    for (int c = 0; c < 15; c++)
        cr_expect(strcmp(f[c], "3") != 0, "the count 3 is nowhere in the line (%s)", csv_header[c]);
    cr_expect(strstr(r->body, "\"count\",\"\",\"\",\"\",\"\",\"true\",\"no_data\",") != NULL,
              "the raw line: %s", r->body);
    csv_free(&csv);
    response_free(r);

    /* 2 elsewhere: withheld too */
    char extra[64];
    snprintf(extra, sizeof extra, "&commune=%s", d.other);
    body = of_dataset(&d, extra);
    json_t *item = item_of(body, "devices_distributed");
    cr_expect(json_is_true(json_object_get(item, "suppressed")), "2 devices: suppressed");
    cr_expect(json_is_null(json_object_get(item, "value")), "2 devices: value null");
    cr_expect(json_is_null(json_object_get(item, "sample_size")), "2 devices: sample null");
    json_decref(body);
    dataset_free(&d);
}

/* ---- requests refused ---------------------------------------------------------------- */

/* When one cell of a series or of the routes is withheld, the shown cell with
 * the smallest sample is withheld too: otherwise the period's total (the
 * list) minus the shown cells would give the withheld one away. */
Test(indicators_suppression, a_lone_withheld_cell_takes_a_second_one_with_it)
{
    struct dataset d;
    dataset_org(&d);
    /* devices: 3 in January, 7 in February, 12 in March 2026 */
    const struct {
        const char *at;
        int n;
    } months[] = {{"2026-01-10T12:00:00+01:00", 3},
                  {"2026-02-10T12:00:00+01:00", 7},
                  {"2026-03-10T12:00:00+01:00", 12}};
    for (size_t m = 0; m < 3; m++)
        for (int i = 0; i < months[m].n; i++)
            distribute_device_at(&d, MIRANDE, NULL, months[m].at);
    char path[256];
    snprintf(path, sizeof path,
             "/v1/indicators/devices_distributed/series?from=2026-01-01&to=2026-03-31&org=%s",
             d.org);
    struct response *r = indicators_call("GET", path, d.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    response_free(r);
    json_t *points = json_object_get(body, "items");
    cr_assert_eq(json_array_size(points), 3, "three months");
    const bool withheld[] = {true, true, false};
    for (size_t m = 0; m < 3; m++) {
        json_t *p = json_array_get(points, m);
        cr_expect_eq(json_is_true(json_object_get(p, "suppressed")), withheld[m], "month %zu",
                     m + 1);
        cr_expect_eq(json_is_null(json_object_get(p, "value")), withheld[m], "month %zu value",
                     m + 1);
    }
    cr_expect_eq(json_number_value(json_object_get(json_array_get(points, 2), "value")), 12);
    json_decref(body);

    /* routes: association -> caf 3 (withheld), -> la_poste 6 (withheld with it),
     * -> france_travail 8 (shown) */
    const struct {
        const char *to;
        int n;
    } routes[] = {{"caf-gers", 3}, {"la-poste-gers", 6}, {"france-travail-gers", 8}};
    for (size_t k = 0; k < 3; k++)
        for (int i = 0; i < routes[k].n; i++) {
            char id[64];
            refer_to(&d, routes[k].to, id, sizeof id);
        }
    snprintf(path, sizeof path, "/v1/indicators/routes?from=%s&to=%s&org=%s", d.from, d.to, d.org);
    r = indicators_call("GET", path, d.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    body = response_json(r);
    response_free(r);
    json_t *items = json_object_get(body, "items");
    cr_assert_eq(json_array_size(items), 3, "%s", json_dumps(body, 0));
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *to_kind = or_empty(json_str(item, "to_kind"));
        bool shown = strcmp(to_kind, "france_travail") == 0;
        cr_expect_eq(json_is_true(json_object_get(item, "suppressed")), !shown, "%s", to_kind);
        if (shown)
            cr_expect_eq(json_integer_value(json_object_get(item, "referrals")), 8);
        else
            cr_expect(json_is_null(json_object_get(item, "referrals")), "%s withheld", to_kind);
    }
    json_decref(body);
    dataset_free(&d);
}

TestSuite(indicators_requests, .init = start_default, .fini = fixture_stop, .timeout = 60);

/* A 400/422 problem of type `type` naming field; frees r. */
static void expect_named(struct response *r, long status, const char *type, const char *field,
                         const char *what)
{
    cr_expect_eq(r->status, status, "%s: %ld %s", what, r->status, r->body);
    json_t *body = response_json(r), *e;
    cr_expect_str_eq(or_empty(json_str(body, "type")), type, "%s: %s", what, r->body);
    size_t i;
    bool named = false;
    json_array_foreach(json_object_get(body, "errors"), i,
                       e) if (strcmp(or_empty(json_str(e, "field")), field) == 0) named = true;
    cr_expect(named, "%s: names %s: %s", what, field, r->body);
    json_decref(body);
    response_free(r);
}

Test(indicators_requests, bad_query_values_are_400_naming_the_parameter)
{
    char *reader = test_token("caf-gers", "indicators:read");
    static const char *const cases[][2] = {
        {"from=2026-02-30", "from"},
        {"from=2026-2-3", "from"},
        {"from=2026-02-03T00:00", "from"},
        {"to=2026-13-01", "to"},
        {"to=tomorrow", "to"},
        {"from=2026-03-02&to=2026-03-01", "from"},
        {"from=2010-01-01&to=2026-01-01", "from"},
        {"commune=abc", "commune"},
        {"commune=322560", "commune"},
        {"place_id=x", "place_id"},
        {"org=Bad%20Slug", "org"},
        {"org=-dash", "org"},
        {"format=xml", "format"},
        {"colour=blue", "colour"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[200];
        snprintf(path, sizeof path, "/v1/indicators?%s", cases[i][0]);
        expect_named(indicators_call("GET", path, reader, NULL, NULL), 400, BAD_REQUEST,
                     cases[i][1], cases[i][0]);
    }
    /* one day, and a Corsican commune code, are fine */
    json_t *body = indicators(reader, "from=2026-03-01&to=2026-03-01&commune=2A004");
    cr_expect_str_eq(or_empty(json_str(body, "from")), "2026-03-01");
    json_decref(body);
    free(reader);
}

Test(indicators_requests, indicators_read_is_required)
{
    char *writer = test_token("caf-gers", "activity:write referrals:read");
    struct response *r = indicators_call("GET", "/v1/indicators", writer, NULL, NULL);
    cr_expect_eq(r->status, 403, "without indicators:read: %ld %s", r->status, r->body);
    response_free(r);
    r = indicators_call("GET", "/v1/indicators?format=csv", NULL, NULL, NULL);
    cr_expect_eq(r->status, 401, "without a token: %ld %s", r->status, r->body);
    response_free(r);
    free(writer);
}

/* The row of code as the database has it (what a refused PUT must not change). */
static char *target_row(const char *code)
{
    const char *params[] = {code};
    return sql_value("SELECT concat_ws('|', target_kind, target_value, baseline_value, "
                     "baseline_period, updated_at, updated_by) FROM indicators WHERE code = $1",
                     1, params);
}

Test(indicators_requests, target_refusals_name_the_field_and_write_nothing)
{
    /* only refusals here, on an indicator whose target no test changes */
    const char *path = "/v1/targets/workshop_attendance_rate";
    char *before = target_row("workshop_attendance_rate");
    const char *valid = "{\"kind\":\"at_least\",\"value\":80,\"baseline\":null}";

    char *partner = test_token("caf-gers", "indicators:read places:read");
    struct response *r = indicators_call("PUT", path, partner, valid, NULL);
    cr_expect_eq(r->status, 403, "a partner: %ld %s", r->status, r->body);
    response_free(r);
    r = indicators_call("PUT", path, NULL, valid, NULL);
    cr_expect_eq(r->status, 401, "no token: %ld %s", r->status, r->body);
    response_free(r);

    r = indicators_call("PUT", "/v1/targets/no_such_indicator", admin, valid, NULL);
    cr_expect_eq(r->status, 404, "an unknown code: %ld %s", r->status, r->body);
    json_t *problem = response_json(r);
    cr_expect_str_eq(or_empty(json_str(problem, "type")), "urn:inclusion-api:problem:not-found");
    json_decref(problem);
    response_free(r);

    static const char *const bad[][2] = {
        {"{}", "kind"},
        {"{\"kind\":\"at_least\"}", "value"},
        {"{\"value\":80}", "kind"},
        {"{\"kind\":\"sideways\",\"value\":80}", "kind"},
        {"{\"kind\":7,\"value\":80}", "kind"},
        {"{\"kind\":\"at_least\",\"value\":\"80\"}", "value"},
        {"{\"kind\":\"at_least\",\"value\":-1}", "value"},
        {"{\"kind\":\"at_most\",\"value\":null}", "value"},
        {"{\"kind\":\"relative_change\",\"value\":-101}", "value"},
        {"{\"kind\":\"relative_change\",\"value\":1001}", "value"},
        {"{\"kind\":\"at_least\",\"value\":80,\"baseline\":5}", "baseline"},
        {"{\"kind\":\"at_least\",\"value\":80,\"baseline\":\"2025\"}", "baseline"},
        {"{\"kind\":\"at_least\",\"value\":80,\"baseline\":{\"value\":70}}", "baseline.period"},
        {"{\"kind\":\"at_least\",\"value\":80,\"baseline\":{\"period\":\"2025\"}}",
         "baseline.value"},
        {"{\"kind\":\"at_least\",\"value\":80,\"baseline\":{\"value\":-1,\"period\":\"2025\"}}",
         "baseline.value"},
        {"{\"kind\":\"at_least\",\"value\":80,\"baseline\":{\"value\":70,\"period\":\"\"}}",
         "baseline.period"},
        {"{\"kind\":\"at_least\",\"value\":80,\"baseline\":{\"value\":70,\"period\":\"2025\","
         "\"source\":\"x\"}}",
         "baseline.source"},
        {"{\"kind\":\"at_least\",\"value\":80,\"colour\":\"bleu\"}", "colour"},
        {"{\"kind\":\"at_least\",\"value\":80,\"goal\":90}", "goal"},
        {"{\"kind\":\"at_least\",\"value\":80,\"code\":\"x\"}", "code"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_named(indicators_call("PUT", path, admin, bad[i][0], NULL), 422, VALIDATION,
                     bad[i][1], bad[i][0]);
    /* a bad body on an unknown code: the body first */
    expect_named(indicators_call("PUT", "/v1/targets/no_such_indicator", admin, "{}", NULL), 422,
                 VALIDATION, "kind", "{} on an unknown code");
    /* not JSON, not an object */
    r = indicators_call("PUT", path, admin, "{\"kind\":", NULL);
    cr_expect_eq(r->status, 400, "malformed JSON: %ld %s", r->status, r->body);
    response_free(r);
    r = indicators_call("PUT", path, admin, "[]", NULL);
    cr_expect_eq(r->status, 400, "an array: %ld %s", r->status, r->body);
    response_free(r);

    char *after = target_row("workshop_attendance_rate");
    cr_expect_str_eq(or_empty(after), or_empty(before), "the refusals wrote nothing");
    free(before);
    free(after);
    free(partner);
}

/* ---- statuses against a target ----------------------------------------------------- */

/* The row of satisfaction_mean as it was, put back by the fini whatever happens. */
static struct saved_target kept;

static void stop_restoring(void)
{
    target_restore(&kept);
    fixture_stop();
}

TestSuite(indicators_targets, .init = start_default, .fini = stop_restoring, .timeout = 120);

/* PUT the target of satisfaction_mean (asserts 200); checks the answer's goal. */
static void put_target(const char *body, double goal)
{
    struct response *r = indicators_call("PUT", "/v1/targets/satisfaction_mean", admin, body, NULL);
    cr_assert_eq(r->status, 200, "PUT %s: %ld %s", body, r->status, r->body);
    json_t *answer = response_json(r);
    json_t *sent = json_loads(body, 0, NULL);
    cr_expect_str_eq(or_empty(json_str(answer, "code")), "satisfaction_mean");
    cr_expect_str_eq(or_empty(json_str(answer, "kind")), or_empty(json_str(sent, "kind")),
                     "%s: kind", body);
    expect_number(answer, "value", json_number_value(json_object_get(sent, "value")),
                  "satisfaction_mean", body);
    expect_number(answer, "goal", goal, "satisfaction_mean", body);
    json_t *baseline = json_object_get(answer, "baseline"),
           *sent_baseline = json_object_get(sent, "baseline");
    expect_number(baseline, "value",
                  json_is_object(sent_baseline)
                      ? json_number_value(json_object_get(sent_baseline, "value"))
                      : NUL,
                  "baseline", body);
    cr_expect_str_eq(or_empty(json_str(answer, "updated_by")), "test", "%s: updated_by the sub",
                     body);
    cr_expect(json_str(answer, "updated_at") != NULL, "%s: updated_at", body);
    json_decref(sent);
    json_decref(answer);
    response_free(r);
}

/* The row of satisfaction_mean for the dataset: 3.60 as computed; its status. */
static void expect_status(struct dataset *d, const char *status, double goal, const char *what)
{
    json_t *body = of_dataset(d, "");
    json_t *item = item_of(body, "satisfaction_mean");
    cr_assert_not_null(item, "%s: satisfaction_mean", what);
    expect_number(item, "value", 3.60, "satisfaction_mean", what);
    expect_number(json_object_get(item, "target"), "goal", goal, "target", what);
    cr_expect_str_eq(or_empty(json_str(item, "status")), status, "%s: the status", what);
    json_decref(body);
}

Test(indicators_targets, the_status_follows_the_target)
{
    struct dataset d;
    dataset_org(&d);
    target_save(&kept, "satisfaction_mean");
    create_place(&d, false, d.place, sizeof d.place);
    /* 5 + 4 + 4 + 3 + 2 = 18 / 5 = 3.60 (5 answers: shown with the default cell) */
    static const int ratings[] = {5, 4, 4, 3, 2};
    for (int i = 0; i < 5; i++)
        feedback(&d, "place", d.place, ratings[i]);

    put_target("{\"kind\":\"at_least\",\"value\":3.5,\"baseline\":null}", 3.5);
    expect_status(&d, "on_track", 3.5, "at least 3.5");
    put_target("{\"kind\":\"at_least\",\"value\":3.6}", 3.6);
    expect_status(&d, "on_track", 3.6, "at least 3.6: equal");
    put_target("{\"kind\":\"at_least\",\"value\":3.61}", 3.61);
    expect_status(&d, "off_track", 3.61, "at least 3.61");
    put_target("{\"kind\":\"at_most\",\"value\":3.6}", 3.6);
    expect_status(&d, "on_track", 3.6, "at most 3.6: equal");
    put_target("{\"kind\":\"at_most\",\"value\":3.5}", 3.5);
    expect_status(&d, "off_track", 3.5, "at most 3.5");
    /* relative changes: goal = round(baseline × (1 + value / 100), 2); upward
     * when the change is not negative, downward otherwise */
    put_target("{\"kind\":\"relative_change\",\"value\":20,"
               "\"baseline\":{\"value\":3,\"period\":\"2025\"}}",
               3.6); /* 3 × 1.2 */
    expect_status(&d, "on_track", 3.6, "+20 % of 3: 3.60");
    put_target("{\"kind\":\"relative_change\",\"value\":20,"
               "\"baseline\":{\"value\":3.1,\"period\":\"2025\"}}",
               3.72); /* 3.1 × 1.2 */
    expect_status(&d, "off_track", 3.72, "+20 % of 3.1: 3.72");
    put_target("{\"kind\":\"relative_change\",\"value\":-10,"
               "\"baseline\":{\"value\":4,\"period\":\"2025\"}}",
               3.6); /* 4 × 0.9 */
    expect_status(&d, "on_track", 3.6, "-10 % of 4: 3.60, at most");
    put_target("{\"kind\":\"relative_change\",\"value\":-10,"
               "\"baseline\":{\"value\":3.9,\"period\":\"2025\"}}",
               3.51); /* 3.9 × 0.9 */
    expect_status(&d, "off_track", 3.51, "-10 % of 3.9: 3.51, at most");
    /* the baseline is shown with its period */
    json_t *body = of_dataset(&d, "");
    json_t *baseline = json_object_get(item_of(body, "satisfaction_mean"), "baseline");
    expect_number(baseline, "value", 3.9, "baseline", "shown");
    cr_expect_str_eq(or_empty(json_str(baseline, "period")), "2025", "the baseline's period");
    json_decref(body);
    /* no baseline set: the period before CAMPAIGN_START (2001) has no answer,
     * so no goal, and the status says so */
    put_target("{\"kind\":\"relative_change\",\"value\":20,\"baseline\":null}", NUL);
    expect_status(&d, "no_baseline", NUL, "a relative change without baseline");

    target_restore(&kept);
    dataset_free(&d);
}

/* ---- baselines from day one ------------------------------------------------------- */

static char campaign_env[40];

/* CAMPAIGN_START `days` after today (Europe/Paris), figures on 2 or more,
 * small-cell suppression alone (the dataset's period is two days). */
static void start_campaign(long days)
{
    char day[11];
    dates_format(dates_paris_day(time(NULL)) + days, day);
    snprintf(campaign_env, sizeof campaign_env, "CAMPAIGN_START=%s", day);
    static const char *const env[] = {"INDICATORS_MIN_CELL=2", campaign_env,
                                      "INDICATORS_DISCLOSURE=cell", NULL};
    fixture_start_with(env);
    tokens();
}

static void start_campaign_tomorrow(void)
{
    start_campaign(1);
}

static void start_campaign_two_days_ago(void)
{
    start_campaign(-2);
}

static bool relative(const char *code)
{
    static const char *const r[] = {"autonomy_rate",
                                    "orientation_time_median_hours",
                                    "orientation_time_p80_hours",
                                    "devices_distributed",
                                    "mobile_unit_visits",
                                    NULL};
    for (int i = 0; r[i]; i++)
        if (strcmp(r[i], code) == 0)
            return true;
    return false;
}

TestSuite(indicators_baselines, .init = start_campaign_tomorrow, .fini = fixture_stop,
          .timeout = 180);

/* The campaign starts tomorrow: the default baseline of the period (two days
 * ago to today) is the same three days, so every relative target compares
 * with the very figures of the period; all 11 indicators have a status (five
 * said no_data when a baseline had to be set by hand). */
Test(indicators_baselines, every_indicator_has_a_status_from_day_one)
{
    struct dataset d;
    dataset_build(&d);
    json_t *body = of_dataset(&d, "");
    char period[32];
    snprintf(period, sizeof period, "%s/%s", d.from, d.to);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i, item)
    {
        const char *code = or_empty(json_str(item, "code"));
        const char *status = or_empty(json_str(item, "status"));
        cr_expect(strcmp(status, "on_track") == 0 || strcmp(status, "off_track") == 0,
                  "%s: a status (%s)", code, status);
        cr_expect_str_eq(status, status_for(item), "%s: the status agrees with the goal", code);
        json_t *baseline = json_object_get(item, "baseline");
        /* (the CSV injection suite sets devices_distributed's for a moment) */
        if (!relative(code) || strcmp(or_empty(json_str(baseline, "source")), "set") == 0)
            continue;
        cr_expect_str_eq(or_empty(json_str(baseline, "period")), period, "%s: period", code);
        cr_expect(json_is_false(json_object_get(baseline, "suppressed")), "%s shown", code);
        expect_number(baseline, "value", json_number_value(json_object_get(item, "value")), code,
                      "the baseline is the period itself");
        /* +20 %, +40 % of itself not reached; -30 % of itself not reached */
        cr_expect_str_eq(status, "off_track", "%s: off track against itself", code);
    }
    json_decref(body);

    /* GET /v1/targets: the 11 targets, their baselines over the same period */
    char path[128];
    snprintf(path, sizeof path, "/v1/targets?from=%s&to=%s", d.from, d.to);
    struct response *r = indicators_call("GET", path, d.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    body = response_json(r);
    json_t *items = json_object_get(body, "items");
    cr_assert_eq(json_array_size(items), N_INDICATORS, "11 targets");
    json_array_foreach(items, i, item)
    {
        cr_expect_str_eq(or_empty(json_str(item, "code")), codes[i], "target %zu", i + 1);
        json_t *baseline = json_object_get(item, "baseline");
        if (strcmp(or_empty(json_str(baseline, "source")), "set") == 0)
            continue;
        cr_expect_str_eq(or_empty(json_str(baseline, "source")), "before_campaign", "%s", codes[i]);
        cr_expect_str_eq(or_empty(json_str(baseline, "period")), period, "%s: period", codes[i]);
        if (relative(codes[i]) && json_is_number(json_object_get(baseline, "value")))
            cr_expect(json_is_number(json_object_get(item, "goal")), "%s: a goal", codes[i]);
    }
    json_decref(body);
    response_free(r);
    dataset_free(&d);
}

TestSuite(indicators_baselines_empty, .init = start_campaign_two_days_ago, .fini = fixture_stop,
          .timeout = 180);

/* The campaign started two days ago, the data came after: the baseline period
 * (the three days before) is empty. Counts compare with 0 (on track), the
 * other relative targets say no_baseline; none says no_data. */
Test(indicators_baselines_empty, an_empty_baseline_period)
{
    struct dataset d;
    dataset_build(&d);
    json_t *body = of_dataset(&d, "");
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "items"), i, item)
    {
        const char *code = or_empty(json_str(item, "code"));
        const char *status = or_empty(json_str(item, "status"));
        cr_expect_str_neq(status, "no_data", "%s has data", code);
        cr_expect_str_eq(status, status_for(item), "%s: the status agrees with the goal", code);
        json_t *baseline = json_object_get(item, "baseline");
        if (!relative(code) || strcmp(or_empty(json_str(baseline, "source")), "set") == 0)
            continue;
        cr_expect_str_eq(or_empty(json_str(baseline, "source")), "before_campaign", "%s", code);
        bool count = strcmp(or_empty(json_str(item, "unit")), "count") == 0;
        expect_number(baseline, "value", count ? 0 : NUL, code, "an empty baseline period");
        cr_expect_str_eq(status, count ? "on_track" : "no_baseline", "%s", code);
    }
    json_decref(body);
    dataset_free(&d);
}
