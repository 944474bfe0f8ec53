/* Disclosure control that holds across queries (issue #19,
 * INDICATORS_DISCLOSURE): the three attacks of the issue, run against the
 * service with the control (strict, the default) and without it (cell:
 * small-cell suppression alone), where each gives the withheld figure back;
 * then every answer the service gives one token for a year of generated data
 * (the whole territory and each organisation, every calendar year, quarter
 * and month), checked by the attacker's linear algebra
 * (tests/support/disclosure_check.c).
 *
 * The figure is mobile_unit_visits (people counted at itinerant places),
 * recorded by organisations of the test's own in a database of its own. */
#include "disclosure.h"
#include "support/disclosure_check.h"
#include "support/expect.h"
#include "support/fixture.h"
#include "support/private_db.h"
#include "support/server.h"
#include "support/tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SCOPES  "activity:write places:write indicators:read"
#define CODE    "mobile_unit_visits"
#define UNKNOWN (-1L) /* a figure withheld */
#define REFUSED (-2L) /* a request refused (422) */

static char *admin;
static struct private_db db;

/* A database of its own, seeded (the communes), so that the whole
 * territory's figures are the test's alone. */
static void start_private(const char *disclosure)
{
    private_db_create(&db, "inclusion_disclosure");
    const char *env[] = {db.env_url, "RATE_LIMIT_ORG_PER_S=0", disclosure, NULL};
    fixture_start_with(env); /* migrates */
    const char *seed[] = {"seed", NULL};
    const char *seed_env[] = {db.env_url, NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(seed, seed_env, &output), 0, "seed: %s", output);
    free(output);
    fixture_token(&admin, "gers-numerique", "admin");
}

static void start_strict(void)
{
    start_private("INDICATORS_DISCLOSURE=strict"); /* the default */
}

static void start_off(void)
{
    start_private("INDICATORS_DISCLOSURE=cell");
}

static void stop_private(void)
{
    fixture_stop();
    private_db_drop(&db);
}

/* The year of test `slot`: past years the campaign's data never reaches. */
static int year_for(int slot)
{
    return 2005 + slot;
}

struct org {
    char slug[64];
    char *token;
    char place[64]; /* an itinerant place of its own */
};

static void org_create(struct org *o)
{
    static int n;
    snprintf(o->slug, sizeof o->slug, "test-dc-%d-%ld-%d", (int)getpid(),
             (long)time(NULL) % 1000000, n++);
    post_created("/v1/organizations", admin,
                 json_pack("{s:s, s:s, s:s}", "slug", o->slug, "name",
                           "Association d'essai du secret statistique", "kind", "association"),
                 NULL, NULL, 0);
    o->token = test_token(o->slug, SCOPES);
    char tag[64], name[128];
    test_nonce("dc", tag, sizeof tag);
    snprintf(name, sizeof name, "Bus d'essai %s", tag);
    post_created("/v1/places", o->token,
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s]}", "source",
                           "integration-tests", "source_id", tag, "pivot", "00000000000000", "name",
                           name, "street", "1 rue de l'Essai", "postal_code", "32300", "commune",
                           "Mirande", "insee_code", "32256", "latitude", 43.513985, "longitude",
                           0.400199, "itinerance", "itinerant"),
                 NULL, o->place, sizeof o->place);
}

/* `count` people counted at the organisation's bus on day (YYYY-MM-DD), noon. */
static void visits(struct org *o, const char *day, int count)
{
    if (count == 0)
        return;
    char at[40];
    snprintf(at, sizeof at, "%sT12:00:00+01:00", day);
    post_created("/v1/visits", o->token,
                 json_pack("{s:s, s:s, s:i, s:s}", "place_id", o->place, "visited_at", at, "count",
                           count, "purpose", "digital_support"),
                 NULL, NULL, 0);
}

/* The figure for the period and organisation (NULL: the whole territory) as
 * `token` reads it: its sample size, UNKNOWN when withheld, REFUSED on 422. */
static long figure(const char *token, const char *from, const char *to, const char *org)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/indicators?from=%s&to=%s%s%s", from, to, org ? "&org=" : "",
             org ? org : "");
    struct response *r = api_call(true, "GET", path, token, NULL, NULL);
    if (r->status == 422) {
        response_free(r);
        return REFUSED;
    }
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    json_t *body = response_json(r), *item = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(body, "items"), i,
                       it) if (strcmp(json_str(it, "code"), CODE) == 0) item = it;
    cr_assert_not_null(item, "%s: %s", path, CODE);
    long v = json_is_true(json_object_get(item, "suppressed"))
                 ? UNKNOWN
                 : (long)json_integer_value(json_object_get(item, "sample_size"));
    json_decref(body);
    response_free(r);
    return v;
}

static void day_of(int year, int month, int day, char out[11])
{
    snprintf(out, 11, "%04d-%02d-%02d", year, month, day);
}

/* ---- attack 1: the whole territory minus the other organisations --------- */

/* In one month, A counts 3 people (withheld), B 6. The whole territory's
 * figure minus every other organisation's shown figure gives A's back: the
 * derived value, or UNKNOWN when the answers do not determine it. */
static long org_minus_org(const char *reader)
{
    int y = year_for(0);
    char first[11], last[11], day[11];
    day_of(y, 2, 1, first);
    day_of(y, 2, 28, last);
    day_of(y, 2, 10, day);
    struct org a, b;
    org_create(&a);
    org_create(&b);
    visits(&a, day, 3);
    visits(&b, day, 6);
    long all = figure(reader, first, last, NULL);
    cr_assert_eq(all, 9, "the whole territory: 9 (%ld)", all);
    cr_assert_eq(figure(reader, first, last, a.slug), UNKNOWN, "A (3 people) is withheld");
    long other = figure(reader, first, last, b.slug);
    free(a.token);
    free(b.token);
    return other == UNKNOWN ? UNKNOWN : all - other;
}

/* ---- attack 2: two periods ending on the 19th and the 30th ---------------- */

/* A counts 10 people on 5 November, 3 on 25 November: days 20-30 alone are
 * withheld, but 1-30 minus 1-19 gives them. */
static long two_periods(const char *reader, bool *refused)
{
    int y = year_for(1);
    char first[11], d5[11], d19[11], d20[11], d25[11], d30[11];
    day_of(y, 11, 1, first);
    day_of(y, 11, 5, d5);
    day_of(y, 11, 19, d19);
    day_of(y, 11, 20, d20);
    day_of(y, 11, 25, d25);
    day_of(y, 11, 30, d30);
    struct org a;
    org_create(&a);
    visits(&a, d5, 10);
    visits(&a, d25, 3);
    long late = figure(reader, d20, d30, a.slug);
    long to19 = figure(reader, first, d19, a.slug), to30 = figure(reader, first, d30, a.slug);
    free(a.token);
    *refused = late == REFUSED && to19 == REFUSED;
    if (to19 < 0 || to30 < 0)
        return UNKNOWN;
    cr_assert_eq(late, UNKNOWN, "20-30 November alone (3 people) is withheld");
    return to30 - to19;
}

/* ---- attack 3: a month against its weeks, a quarter against its months --- */

/* A year whose February is four whole ISO weeks (1 February a Monday, not a
 * leap year). */
static int february_of_four_weeks(void)
{
    return 2021;
}

/* A counts 3 people in the first week of such a February, 6 in each other
 * week: the month minus the three weeks shown gives the first. C counts 3 in
 * January, 6 in February and in March: the quarter minus two months gives
 * January. The two derived values (UNKNOWN each when not determined); *weeks
 * refused: whether filtered weeks are refused. */
static void month_and_weeks(const char *reader, long *from_weeks, long *from_months,
                            bool *weeks_refused)
{
    int y = february_of_four_weeks();
    struct org a, c;
    org_create(&a);
    org_create(&c);
    char day[11], first[11], last[11];
    for (int w = 0; w < 4; w++) {
        day_of(y, 2, 3 + 7 * w, day);
        visits(&a, day, w == 0 ? 3 : 6);
    }
    day_of(y, 1, 15, day);
    visits(&c, day, 3);
    day_of(y, 2, 15, day);
    visits(&c, day, 6);
    day_of(y, 3, 15, day);
    visits(&c, day, 6);

    /* A: the weeks, then the month */
    long week[4], known = 0;
    int hidden = 0;
    *weeks_refused = true;
    for (int w = 0; w < 4; w++) {
        day_of(y, 2, 1 + 7 * w, first);
        day_of(y, 2, 7 + 7 * w, last);
        week[w] = figure(reader, first, last, a.slug);
        if (week[w] != REFUSED)
            *weeks_refused = false;
        if (week[w] < 0)
            hidden++;
        else
            known += week[w];
    }
    day_of(y, 2, 1, first);
    day_of(y, 2, 28, last);
    long month = figure(reader, first, last, a.slug);
    *from_weeks = hidden == 1 && month >= 0 ? month - known : UNKNOWN;

    /* C: the months, then the quarter */
    static const int ends[] = {31, 28, 31};
    known = 0;
    hidden = 0;
    for (int m = 0; m < 3; m++) {
        day_of(y, m + 1, 1, first);
        day_of(y, m + 1, ends[m], last);
        long v = figure(reader, first, last, c.slug);
        if (v < 0)
            hidden++;
        else
            known += v;
    }
    day_of(y, 1, 1, first);
    day_of(y, 3, 31, last);
    long quarter = figure(reader, first, last, c.slug);
    *from_months = hidden == 1 && quarter >= 0 ? quarter - known : UNKNOWN;
    free(a.token);
    free(c.token);
}

/* ---- every answer for a year of generated data ----------------------------- */

enum { ORGS = 4, ROWS = ORGS + 1, COLS = DISCLOSURE_YEAR_COLS };

/* Four organisations, each month a count drawn from 0 (half the time), 1-4
 * (small) or 5-12; every answer for the whole territory and each
 * organisation, each calendar year, quarter and month. Returns the index of a
 * withheld cell the answers determine, or -1; *withheld_cells: how many. */
static int every_answer(const char *reader, unsigned seed, int *withheld_cells)
{
    int y = year_for(2);
    struct org o[ORGS];
    long n[ROWS * COLS] = {0};
    bool withheld[ROWS * COLS] = {false};
    srand(seed);
    char day[11], first[11], last[11];
    for (int k = 0; k < ORGS; k++) {
        org_create(&o[k]);
        for (int m = 1; m <= 12; m++) {
            int x = rand() % 8;
            int count = x < 4 ? 0 : x < 6 ? 1 + rand() % 4 : 5 + rand() % 8;
            day_of(y, m, 10, day);
            visits(&o[k], day, count);
            n[(k + 1) * COLS + 4 + m] = count;
        }
    }
    for (int r = 0; r < ROWS; r++)
        for (int c = COLS - 1; c > 0; c--)
            if (r > 0)
                n[r * COLS + disclosure_year_tree[c]] += n[r * COLS + c];
    for (int c = 0; c < COLS; c++)
        for (int r = 1; r < ROWS; r++)
            n[c] += n[r * COLS + c];
    /* the answers */
    static const int ends[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    *withheld_cells = 0;
    for (int c = 0; c < COLS; c++) {
        if (c == 0) {
            day_of(y, 1, 1, first);
            day_of(y, 12, 31, last);
        } else if (c <= 4) {
            day_of(y, 3 * c - 2, 1, first);
            day_of(y, 3 * c, ends[3 * c - 1] + (3 * c == 2 && y % 4 == 0), last);
        } else {
            int m = c - 4;
            day_of(y, m, 1, first);
            day_of(y, m, ends[m - 1] + (m == 2 && y % 4 == 0), last);
        }
        for (int r = 0; r < ROWS; r++) {
            long v = figure(reader, first, last, r ? o[r - 1].slug : NULL);
            cr_assert_neq(v, REFUSED, "%s-%s: calendar periods are answered", first, last);
            if (v == UNKNOWN) {
                withheld[r * COLS + c] = r > 0; /* row 0 is taken as known (see disclosure.h) */
                *withheld_cells += r > 0;
            } else {
                cr_assert_eq(v, n[r * COLS + c], "%s-%s row %d: %ld shown, %ld recorded", first,
                             last, r, v, n[r * COLS + c]);
            }
        }
    }
    for (int k = 0; k < ORGS; k++)
        free(o[k].token);
    return disclosure_determined(n, withheld, ROWS, COLS, disclosure_year_tree, 0);
}

/* ---- with the control ----------------------------------------------------- */

TestSuite(disclosure_strict, .init = start_strict, .fini = stop_private, .timeout = 300);

Test(disclosure_strict, the_territory_minus_an_organisation_gives_nothing_back)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    cr_expect_eq(org_minus_org(reader), UNKNOWN, "B withheld too: A cannot be derived");
    free(reader);
}

Test(disclosure_strict, two_periods_ending_on_the_19th_and_the_30th_give_nothing_back)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    bool refused;
    cr_expect_eq(two_periods(reader, &refused), UNKNOWN, "days 20-30 cannot be derived");
    cr_expect(refused, "a filtered period that is no calendar month, quarter or year is 422");
    free(reader);
}

Test(disclosure_strict, a_month_or_quarter_against_its_parts_gives_nothing_back)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    long from_weeks, from_months;
    bool weeks_refused;
    month_and_weeks(reader, &from_weeks, &from_months, &weeks_refused);
    cr_expect(weeks_refused, "filtered weeks are refused");
    cr_expect_eq(from_weeks, UNKNOWN, "the first week cannot be derived");
    cr_expect_eq(from_months, UNKNOWN, "January cannot be derived");
    /* a weekly series with a filter is refused as well */
    char path[200];
    snprintf(path, sizeof path,
             "/v1/indicators/" CODE "/series?granularity=week&from=%d-01-01&to=%d-03-31"
             "&org=gers-numerique",
             february_of_four_weeks(), february_of_four_weeks());
    struct response *r = api_call(true, "GET", path, reader, NULL, NULL);
    cr_expect_eq(r->status, 422, "%s: %ld", path, r->status);
    cr_expect(names_field(r, "granularity"), "names granularity");
    response_free(r);
    /* and two filters at once (a table of two partitions is not protected) */
    r = api_call(true, "GET",
                 "/v1/indicators?from=2021-02-01&to=2021-02-28&org=gers-numerique&commune=32256",
                 reader, NULL, NULL);
    cr_expect_eq(r->status, 422, "two filters: %ld", r->status);
    cr_expect(names_field(r, "org"), "names org");
    response_free(r);
    free(reader);
}

Test(disclosure_strict, no_withheld_cell_follows_from_every_answer_of_a_year, .timeout = 600)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    int withheld;
    int cell = every_answer(reader, 19, &withheld);
    cr_expect_gt(withheld, 0, "the data has withheld cells");
    cr_expect_eq(cell, -1, "withheld cell %d (org %d, column %d) is determined", cell, cell / COLS,
                 cell % COLS);
    free(reader);
}

/* A filtered figure's default baseline is the scope's over the 365 days
 * before CAMPAIGN_START (2026-12-08 by default), whatever the period's
 * length, so that baselines of different lengths cannot be subtracted. */
Test(disclosure_strict, a_filtered_baseline_is_the_365_days_before_the_campaign)
{
    struct org a;
    org_create(&a);
    visits(&a, "2008-03-10", 7);
    static const char *const periods[][2] = {
        {"2008-03-01", "2008-03-31"}, {"2008-01-01", "2008-03-31"}, {"2008-01-01", "2008-12-31"}};
    for (int p = 0; p < 3; p++) {
        char path[200];
        snprintf(path, sizeof path, "/v1/indicators?from=%s&to=%s&org=%s", periods[p][0],
                 periods[p][1], a.slug);
        struct response *r = api_call(true, "GET", path, a.token, NULL, NULL);
        cr_assert_eq(r->status, 200, "%s: %ld %s", path, r->status, r->body);
        json_t *body = response_json(r);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(body, "items"), i, item)
        {
            json_t *baseline = json_object_get(item, "baseline");
            if (strcmp(json_str(baseline, "source"), "set") == 0)
                continue;
            cr_expect_str_eq(json_str(baseline, "period"), "2025-12-08/2026-12-07", "%s: %s", path,
                             json_str(item, "code"));
        }
        json_decref(body);
        response_free(r);
    }
    free(a.token);
}

/* ---- without it: each attack works (so the tests above can fail) ------------ */

TestSuite(disclosure_off, .init = start_off, .fini = stop_private, .timeout = 300);

Test(disclosure_off, the_territory_minus_an_organisation_gives_it_back)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    cr_expect_eq(org_minus_org(reader), 3, "9 - 6 = A's 3 people");
    free(reader);
}

Test(disclosure_off, two_periods_give_the_days_between_back)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    bool refused;
    cr_expect_eq(two_periods(reader, &refused), 3, "13 - 10 = the 3 people of 20-30 November");
    free(reader);
}

Test(disclosure_off, a_month_or_quarter_gives_its_withheld_part_back)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    long from_weeks, from_months;
    bool weeks_refused;
    month_and_weeks(reader, &from_weeks, &from_months, &weeks_refused);
    cr_expect_eq(from_weeks, 3, "February minus three weeks = the first week's 3");
    cr_expect_eq(from_months, 3, "the quarter minus two months = January's 3");
    free(reader);
}

Test(disclosure_off, every_answer_of_a_year_determines_withheld_cells, .timeout = 600)
{
    char *reader = test_token("gers-numerique", "indicators:read");
    int withheld;
    cr_expect_geq(every_answer(reader, 19, &withheld), 0, "some withheld cell is determined");
    free(reader);
}
