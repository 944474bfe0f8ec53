/* The indicators' rollups (db/migrations/008_indicator_rollups.sql) against
 * the computation from the inputs (indicator_values_raw): on a generated
 * dataset (gen-data), for periods from one day to two years and for the
 * whole territory, organisations, places and communes, every figure must be
 * equal, before and after changes of every kind that moves a figure; a write
 * that commits while the rollups are being refreshed must show at the next
 * read. Each test has its own database, created and dropped here. */
#include "support/expect.h"
#include "support/fixture.h"
#include "support/private_db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct private_db db;
static char *reader;

static PGconn *connect_to(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%.80s…: %s", sql,
              PQresultErrorMessage(res));
    PQclear(res);
}

/* Runs a statement that must change exactly one row. */
static void change_one_row(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%.80s…: %s", sql,
                 PQresultErrorMessage(res));
    cr_assert_str_eq(PQcmdTuples(res), "1", "%.80s… changes exactly one row", sql);
    PQclear(res);
}

static void start(void)
{
    private_db_create(&db, "inclusion_rollups");
    /* small-cell suppression alone: every period and scope is compared */
    const char *env[] = {db.env_url, "RATE_LIMIT_ORG_PER_S=0", "INDICATORS_MIN_CELL=1",
                         "INDICATORS_DISCLOSURE=cell", NULL};
    fixture_start_with(env); /* migrates */
    const char *seed[] = {"seed", NULL};
    const char *gen[] = {"gen-data", "--scale", "0.002", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(seed, env, &output), 0, "seed: %s", output);
    free(output);
    output = NULL;
    cr_assert_eq(run_binary(gen, env, &output), 0, "gen-data: %s", output);
    free(output);
    fixture_token(&reader, "gers-numerique", "indicators:read");
}

static void stop(void)
{
    fixture_stop();
    private_db_drop(&db);
}

TestSuite(indicator_rollups, .init = start, .fini = stop, .timeout = 300);

/* Every (period, scope, indicator) where the rollups and the inputs disagree:
 * one row per pair compared, `differ` true when they do. Periods end today or
 * earlier and reach back past the generated two years; scopes are the whole
 * territory and a dozen organisations, places, communes (of places and of
 * stops). */
static const char compare_sql[] =
    "WITH periods AS (SELECT current_date - f AS first, current_date - f + len AS last "
    "FROM (VALUES (800, 800), (364, 364), (30, 30), (200, 6), (500, 90), (100, 0), (0, 0)) "
    "v(f, len)), "
    "scopes AS (SELECT NULL::text AS commune, NULL::uuid AS place, NULL::text AS org "
    "UNION ALL (SELECT NULL, NULL, slug FROM organizations ORDER BY slug LIMIT 12) "
    "UNION ALL (SELECT NULL, id, NULL FROM places ORDER BY id LIMIT 12) "
    "UNION ALL (SELECT DISTINCT insee_code, NULL::uuid, NULL FROM places ORDER BY 1 LIMIT 8) "
    "UNION ALL (SELECT DISTINCT insee_code, NULL::uuid, NULL FROM place_stops ORDER BY 1 LIMIT "
    "4)), "
    "cmp AS (SELECT p.first, s.commune, s.place, s.org, r.code, r.sample_size AS n, "
    "(r.numerator, r.denominator, r.value, r.sample_size) IS DISTINCT FROM "
    "(x.numerator, x.denominator, x.value, x.sample_size) AS differ, "
    "format('%s..%s %s: rollups %s/%s=%s (n %s), inputs %s/%s=%s (n %s)', p.first, p.last, "
    "r.code, r.numerator, r.denominator, r.value, r.sample_size, x.numerator, x.denominator, "
    "x.value, x.sample_size) AS what "
    "FROM periods p CROSS JOIN scopes s "
    "CROSS JOIN LATERAL indicator_values_rollup(p.first, p.last, s.commune, s.place, s.org) r "
    "JOIN LATERAL indicator_values_raw(paris_midnight(p.first), paris_midnight(p.last + 1), "
    "s.commune, s.place, s.org) x ON x.code = r.code) "
    "SELECT count(*), count(*) FILTER (WHERE differ), count(*) FILTER (WHERE n > 0), "
    "coalesce(min(what) FILTER (WHERE differ), '') FROM cmp";

/* The routes (GET /v1/indicators/routes) from indicator_referral_facts
 * against the referrals and their events, per period, for all and for six
 * organisations: routes compared, routes that differ. */
static const char routes_compare_sql[] =
    "WITH periods AS (SELECT current_date - f AS first, current_date - f + len AS last "
    "FROM (VALUES (800, 800), (364, 364), (30, 30), (200, 6), (0, 0)) v(f, len)), "
    "orgs AS (SELECT '*' AS org UNION ALL (SELECT slug FROM organizations ORDER BY slug LIMIT 6)), "
    "raw AS (SELECT p.first, o.org, fo.kind AS fk, too.kind AS tk, count(*) AS n, count(h.hours) "
    "AS acc, round((percentile_cont(0.5) WITHIN GROUP (ORDER BY h.hours))::numeric, 1) AS med, "
    "count(*) FILTER (WHERE x.status = 'completed') AS comp, count(*) FILTER (WHERE x.status IN "
    "('completed', 'declined', 'cancelled', 'expired')) AS closed "
    "FROM periods p CROSS JOIN orgs o JOIN referrals x ON x.created_at >= paris_midnight(p.first) "
    "AND x.created_at < paris_midnight(p.last + 1) AND (o.org = '*' OR x.from_org = o.org OR "
    "x.to_org = o.org) JOIN organizations fo ON fo.slug = x.from_org JOIN organizations too ON "
    "too.slug = x.to_org LEFT JOIN LATERAL (SELECT extract(epoch FROM e.at - x.created_at) / "
    "3600.0 AS hours FROM referral_events e WHERE e.referral_id = x.id AND e.type = 'accepted' "
    "ORDER BY e.id LIMIT 1) h ON true GROUP BY 1, 2, 3, 4), "
    "fac AS (SELECT p.first, o.org, f.from_kind AS fk, f.to_kind AS tk, count(*) AS n, "
    "count(f.hours) AS acc, round((percentile_cont(0.5) WITHIN GROUP (ORDER BY f.hours))::numeric, "
    "1) AS med, count(*) FILTER (WHERE f.completed) AS comp, count(*) FILTER (WHERE f.closed) AS "
    "closed FROM periods p CROSS JOIN orgs o JOIN indicator_referral_facts f ON f.sent_day BETWEEN "
    "p.first AND p.last AND (o.org = '*' OR f.from_org = o.org OR f.to_org = o.org) "
    "GROUP BY 1, 2, 3, 4) "
    "SELECT count(*), count(*) FILTER (WHERE (raw.n, raw.acc, raw.med, raw.comp, raw.closed) IS "
    "DISTINCT FROM (fac.n, fac.acc, fac.med, fac.comp, fac.closed)) "
    "FROM raw FULL JOIN fac USING (first, org, fk, tk)";

struct comparison {
    long compared, differ, nonempty;
    char first_difference[512];
    long routes_compared, routes_differ;
};

static struct comparison compare_only(PGconn *c)
{
    PGresult *res = PQexec(c, compare_sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    struct comparison out = {atol(PQgetvalue(res, 0, 0)),
                             atol(PQgetvalue(res, 0, 1)),
                             atol(PQgetvalue(res, 0, 2)),
                             "",
                             0,
                             0};
    snprintf(out.first_difference, sizeof out.first_difference, "%s", PQgetvalue(res, 0, 3));
    PQclear(res);
    res = PQexec(c, routes_compare_sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    out.routes_compared = atol(PQgetvalue(res, 0, 0));
    out.routes_differ = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    return out;
}

/* Refreshes the rollups, then compares. */
static struct comparison compare(PGconn *c)
{
    exec_ok(c, "SELECT indicator_refresh()");
    return compare_only(c);
}

Test(indicator_rollups, equal_the_inputs_on_generated_data)
{
    PGconn *c = connect_to(db.url);
    struct comparison k = compare(c);
    cr_expect_gt(k.compared, 2000, "compared %ld", k.compared);
    cr_expect_gt(k.nonempty, k.compared / 3, "only %ld of %ld figures have data", k.nonempty,
                 k.compared);
    cr_expect_eq(k.differ, 0, "%ld of %ld differ, e.g. %s", k.differ, k.compared,
                 k.first_difference);
    cr_expect_gt(k.routes_compared, 30, "routes compared: %ld", k.routes_compared);
    cr_expect_eq(k.routes_differ, 0, "%ld of %ld routes differ", k.routes_differ,
                 k.routes_compared);
    /* The comparisons can fail: one answer too many in one day's rollup, one
     * referral's fact closed when it is not. Each wrong row must exist and be
     * the only one changed, or the control proves nothing. The referral used
     * to be the first one sent on `current_date - 20`: gen-data spreads its
     * 2,000 referrals at random over 730 days, so a given Paris day has none
     * in about one run of 15 (e^(-2000/730) = 6.5 %); the UPDATE then changed
     * no row, the comparison rightly found no difference, and the control
     * failed ("a wrong referral fact went unnoticed") on an unlucky draw, not
     * because the rollups were right or wrong. Every test of this suite
     * generates its own data, so the draw changes from run to run. The fact
     * flipped is now the latest one sent on or before today, which exists
     * whatever the draw and lies in the 800-day period the routes compare. */
    exec_ok(c, "BEGIN");
    change_one_row(c, "UPDATE indicator_daily SET answers = answers + 1 WHERE scope = '*' AND "
                      "day = (SELECT max(day) FROM indicator_daily WHERE scope = '*' AND answers "
                      "> 0 AND day <= current_date - 30)");
    change_one_row(c, "UPDATE indicator_referral_facts SET closed = NOT closed WHERE referral_id "
                      "= (SELECT referral_id FROM indicator_referral_facts WHERE sent_day <= "
                      "current_date ORDER BY sent_day DESC, referral_id LIMIT 1)");
    struct comparison wrong = compare_only(c);
    cr_expect_gt(wrong.differ, 0, "a wrong rollup went unnoticed");
    cr_expect_gt(wrong.routes_differ, 0, "a wrong referral fact went unnoticed");
    exec_ok(c, "ROLLBACK");
    PQfinish(c);
}

/* Changes of every kind that moves a figure, each in its own transaction as
 * the API would make them. */
static const char *const changes[] = {
    /* a later before, and a follow-up, for existing participants */
    "INSERT INTO assessments (org, participant_ref, workshop_id, phase, taken_at, levels, "
    "level_sum, score, autonomous) SELECT org, participant_ref, workshop_id, 'before', taken_at "
    "- interval '1 day', levels, 30, 83.3, true FROM assessments WHERE phase = 'after' ORDER BY "
    "id LIMIT 20",
    "INSERT INTO assessments (org, participant_ref, workshop_id, phase, taken_at, levels, "
    "level_sum, score, autonomous) SELECT org, participant_ref, workshop_id, 'follow_up', "
    "taken_at + interval '3 days', levels, 10, 27.8, false FROM assessments WHERE phase = "
    "'after' ORDER BY id DESC LIMIT 20",
    /* referrals expired, completed, accepted */
    "UPDATE referrals SET status = 'expired', closed_at = now() WHERE id IN (SELECT id FROM "
    "referrals WHERE status = 'sent' ORDER BY id LIMIT 5)",
    "UPDATE referrals SET status = 'completed', closed_at = now() WHERE id IN (SELECT id FROM "
    "referrals WHERE status = 'started' ORDER BY id LIMIT 5)",
    "INSERT INTO referral_events (referral_id, at, org, actor, type, from_status, to_status) "
    "SELECT id, created_at + interval '5 hours', to_org, 'test', 'accepted', 'sent', 'accepted' "
    "FROM referrals WHERE status = 'sent' ORDER BY id LIMIT 3",
    /* referrals and assessments moved to another day (their old day must be
     * rebuilt too: a referral's fact kept under its old day made every
     * refresh fail on a duplicate key), accepted ones among them (their hours
     * to acceptance change) */
    "UPDATE referrals SET created_at = created_at - interval '9 days' WHERE id IN (SELECT id FROM "
    "referrals ORDER BY id LIMIT 3)",
    "UPDATE referrals SET created_at = created_at - interval '2 days' WHERE id IN (SELECT "
    "referral_id FROM referral_events WHERE type = 'accepted' ORDER BY id LIMIT 3)",
    "UPDATE assessments SET taken_at = taken_at + interval '2 days' WHERE id IN (SELECT id FROM "
    "assessments WHERE phase = 'after' ORDER BY id LIMIT 3)",
    /* a workshop moved to another place, one moved in time, three cancelled */
    "UPDATE workshops SET place_id = (SELECT id FROM places ORDER BY id DESC LIMIT 1) WHERE id = "
    "(SELECT workshop_id FROM assessments WHERE workshop_id IS NOT NULL ORDER BY id LIMIT 1)",
    "UPDATE workshops SET starts_at = starts_at + interval '40 days', ends_at = ends_at + "
    "interval '40 days' WHERE id IN (SELECT id FROM workshops ORDER BY id LIMIT 3)",
    "UPDATE workshops SET cancelled_at = now() WHERE id IN (SELECT id FROM workshops ORDER BY id "
    "DESC LIMIT 3)",
    /* attendance recorded */
    "UPDATE registrations SET attended = NOT coalesce(attended, false) WHERE id IN (SELECT id "
    "FROM registrations ORDER BY id LIMIT 30)",
    /* a place corrected to another commune, a stop moved */
    "UPDATE places SET insee_code = (SELECT insee_code FROM communes ORDER BY insee_code LIMIT "
    "1) WHERE id = (SELECT place_id FROM referrals WHERE place_id IS NOT NULL ORDER BY id LIMIT "
    "1)",
    "UPDATE place_stops SET insee_code = (SELECT insee_code FROM communes ORDER BY insee_code "
    "DESC LIMIT 1) WHERE id = (SELECT stop_id FROM visits WHERE stop_id IS NOT NULL ORDER BY id "
    "LIMIT 1)",
    /* an organisation changes kind (the routes follow) */
    "UPDATE organizations SET kind = 'association' WHERE slug = (SELECT from_org FROM referrals "
    "ORDER BY id LIMIT 1) AND kind <> 'association'",
    /* answers, visits, devices */
    "INSERT INTO feedback (org, subject_type, subject_id, rating, created_at) SELECT org, "
    "subject_type, subject_id, 1, created_at - interval '2 days' FROM feedback ORDER BY id LIMIT "
    "10",
    "DELETE FROM visits WHERE id IN (SELECT id FROM visits WHERE stop_id IS NOT NULL ORDER BY id "
    "LIMIT 3)",
    "INSERT INTO device_events (device_id, type, org, actor, at, from_status, to_status, "
    "details, commune) SELECT device_id, 'distributed', org, 'test', at - interval '100 days', "
    "'wiped', 'distributed', details, commune FROM device_events WHERE type = 'distributed' "
    "ORDER BY id LIMIT 5",
};

Test(indicator_rollups, follow_every_kind_of_change)
{
    PGconn *c = connect_to(db.url);
    compare(c);
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        exec_ok(c, changes[i]);
    /* The API refreshes before reading: its figures are those of the inputs. */
    struct response *r = http_get(server.base_url, "/v1/indicators", reader);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *doc = response_json(r);
    PGresult *res = PQexec(c, "SELECT code, value FROM indicator_values_raw(paris_midnight("
                              "paris_day(now()) - 364), paris_midnight(paris_day(now()) + 1), "
                              "NULL, NULL, NULL) ORDER BY code");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(doc, "data"), i, item)
    {
        const char *code = json_string_value(json_object_get(item, "code"));
        for (int row = 0; row < PQntuples(res); row++) {
            if (strcmp(PQgetvalue(res, row, 0), code) != 0)
                continue;
            json_t *value = json_object_get(item, "value");
            char shown[64] = "";
            if (json_is_number(value))
                snprintf(shown, sizeof shown, "%g", json_number_value(value));
            char expected[64] = "";
            if (!PQgetisnull(res, row, 1))
                snprintf(expected, sizeof expected, "%g", atof(PQgetvalue(res, row, 1)));
            cr_expect_str_eq(shown, expected, "%s", code);
        }
    }
    PQclear(res);
    json_decref(doc);
    response_free(r);
    struct comparison k = compare(c);
    cr_expect_eq(k.differ, 0, "%ld of %ld differ after the changes, e.g. %s", k.differ, k.compared,
                 k.first_difference);
    cr_expect_eq(k.routes_differ, 0, "%ld of %ld routes differ after the changes", k.routes_differ,
                 k.routes_compared);
    PQfinish(c);
}

/* A write that commits after a refresh has begun is not lost: it marked its
 * day itself, and the next read rebuilds it. */
Test(indicator_rollups, a_late_commit_shows_at_the_next_read)
{
    PGconn *writer = connect_to(db.url), *c = connect_to(db.url);
    compare(c);
    exec_ok(writer, "BEGIN");
    exec_ok(writer, "INSERT INTO feedback (org, subject_type, subject_id, rating, created_at) "
                    "SELECT org, subject_type, subject_id, 2, now() FROM feedback ORDER BY id "
                    "LIMIT 7");
    /* a reader refreshes while the write is in flight */
    struct response *r = http_get(server.base_url, "/v1/indicators", reader);
    cr_assert_eq(r->status, 200, "%s", r->body);
    response_free(r);
    exec_ok(writer, "COMMIT");
    r = http_get(server.base_url, "/v1/indicators", reader);
    cr_assert_eq(r->status, 200, "%s", r->body);
    response_free(r);
    struct comparison k = compare(c);
    cr_expect_eq(k.differ, 0, "%ld of %ld differ, e.g. %s", k.differ, k.compared,
                 k.first_difference);
    cr_expect_eq(k.routes_differ, 0, "%ld of %ld routes differ", k.routes_differ,
                 k.routes_compared);
    PGresult *res = PQexec(c, "SELECT answers FROM indicator_daily WHERE scope = '*' AND day = "
                              "paris_day(now())");
    cr_assert_eq(PQntuples(res), 1);
    cr_expect_geq(atol(PQgetvalue(res, 0, 0)), 7);
    PQclear(res);
    PQfinish(writer);
    PQfinish(c);
}
