/* `migrate`: the migrations once, then the functions files (db/functions)
 * whose text is not the one applied last, each in a transaction; the files'
 * text is what the database ends with, and a run with the same texts changes
 * nothing (no trigger re-created under the writes of running instances). Each
 * test migrates a database of its own. */
#include "support/fixture.h"
#include "support/private_db.h"

#include <glob.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(migrate, .timeout = 120);

/* Runs `migrate` on db; returns its exit code, *output its output (to free). */
static int run_migrate(const struct private_db *db, char **output)
{
    const char *args[] = {"migrate", NULL};
    const char *env[] = {db->env_url, NULL};
    return run_binary(args, env, output);
}

/* The number of functions files in db/functions (the tests run from the checkout). */
static size_t functions_files(void)
{
    glob_t g;
    cr_assert_eq(glob("db/functions/*.sql", 0, NULL, &g), 0, "db/functions/*.sql");
    size_t n = g.gl_pathc;
    globfree(&g);
    return n;
}

/* The one value `sql` answers, in a static buffer. */
static const char *value(PGconn *c, const char *sql)
{
    static char buf[512];
    PGresult *res = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(res));
    cr_assert_eq(PQntuples(res), 1, "%s", sql);
    snprintf(buf, sizeof buf, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return buf;
}

static void exec(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
}

/* A fresh database, migrated once; *conn connected to it. */
static void migrated_db(struct private_db *db, const char *prefix, PGconn **conn)
{
    private_db_create(db, prefix);
    char *output = NULL;
    cr_assert_eq(run_migrate(db, &output), 0, "%s", output);
    free(output);
    *conn = PQconnectdb(db->url);
    cr_assert_eq(PQstatus(*conn), CONNECTION_OK, "%s", PQerrorMessage(*conn));
}

Test(migrate, a_second_run_applies_nothing)
{
    struct private_db db;
    private_db_create(&db, "inclusion_migrate_twice");
    size_t files = functions_files();
    char *output = NULL;
    cr_assert_eq(run_migrate(&db, &output), 0, "%s", output);
    PGconn *c = PQconnectdb(db.url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    char expected[128];
    snprintf(expected, sizeof expected,
             "migrate: %s migration(s) applied, %zu functions file(s) applied\n",
             value(c, "SELECT count(*) FROM schema_migrations"), files);
    cr_expect_str_eq(output, expected);
    free(output);

    char count[16];
    snprintf(count, sizeof count, "%zu", files);
    cr_expect_str_eq(value(c, "SELECT count(*) FROM schema_functions"), count,
                     "every file recorded");
    const char *triggers = "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_trigger "
                           "WHERE NOT tgisinternal";
    char before[4096];
    snprintf(before, sizeof before, "%s", value(c, triggers));

    cr_assert_eq(run_migrate(&db, &output), 0, "%s", output);
    cr_expect_str_eq(output, "migrate: 0 migration(s) applied, 0 functions file(s) applied\n");
    free(output);
    cr_expect_str_eq(value(c, triggers), before, "no trigger re-created");

    /* One of each file's work, in place: places.sql, referrals.sql (the feed
     * position), append_only.sql, indicators.sql. */
    cr_expect_str_eq(value(c, "SELECT search_text('Éauze')"), "eauze");
    cr_expect_str_eq(value(c, "SELECT french_public_holiday('2026-05-25')"), "t"); /* Pentecost */
    cr_expect_str_eq(value(c, "SELECT count(*) FROM pg_trigger WHERE tgname IN "
                              "('referrals_feed_position', 'device_events_append_only', "
                              "'referrals_indicators_insert')"),
                     "3");
    cr_expect_str_eq(value(c, "SELECT count(*) FROM indicator_values(now() - interval '1 day', "
                              "now(), NULL, NULL, NULL)"),
                     "11");
    PQfinish(c);
    private_db_drop(&db);
}

/* A database holds the previous text of a file (as when the binary brings a
 * new one: its recorded SHA-256 is another): the next `migrate` puts the
 * file's text in place, triggers too; the files whose text it already holds
 * are left alone. */
Test(migrate, a_changed_functions_file_takes_effect_on_the_next_migrate)
{
    struct private_db db;
    PGconn *c = NULL;
    migrated_db(&db, "inclusion_migrate_change", &c);
    exec(c, "UPDATE schema_functions SET sha256 = 'the previous text' "
            "WHERE name IN ('functions/places.sql', 'functions/referrals.sql', "
            "'functions/append_only.sql')");
    exec(c, "CREATE OR REPLACE FUNCTION french_public_holiday(d date) RETURNS boolean "
            "LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT false $$");
    exec(c, "CREATE OR REPLACE TRIGGER referrals_feed_position BEFORE INSERT ON referrals "
            "FOR EACH ROW EXECUTE FUNCTION referral_feed_position()");
    exec(c, "DROP TRIGGER device_events_append_only ON device_events");
    cr_assert_str_eq(value(c, "SELECT french_public_holiday('2026-07-14')"), "f");
    const char *migrations = "SELECT count(*) || ' ' || max(applied_at) FROM schema_migrations";
    char before[128];
    snprintf(before, sizeof before, "%s", value(c, migrations));

    char *output = NULL;
    cr_assert_eq(run_migrate(&db, &output), 0, "%s", output);
    cr_expect_str_eq(output, "migrate: 0 migration(s) applied, 3 functions file(s) applied\n");
    free(output);
    cr_expect_str_eq(value(c, "SELECT french_public_holiday('2026-07-14')"), "t");
    cr_expect_str_eq(value(c, "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                              "WHERE tgname = 'referrals_feed_position'"),
                     "CREATE TRIGGER referrals_feed_position BEFORE INSERT OR UPDATE ON "
                     "public.referrals FOR EACH ROW EXECUTE FUNCTION referral_feed_position()");
    cr_expect_str_eq(value(c, "SELECT count(*) FROM pg_trigger "
                              "WHERE tgname = 'device_events_append_only'"),
                     "1");
    cr_expect_str_eq(value(c, migrations), before, "no migration ran again");
    PQfinish(c);
    private_db_drop(&db);
}

/* CREATE OR REPLACE cannot change a result type: the file fails whole (its
 * earlier statements rolled back too), migrate says which file and exits
 * non-zero; once a migration has dropped the old function, it succeeds. */
Test(migrate, a_failing_functions_file_is_rolled_back_whole_and_named)
{
    struct private_db db;
    PGconn *c = NULL;
    migrated_db(&db, "inclusion_migrate_fail", &c);
    exec(c, "UPDATE schema_functions SET sha256 = 'the previous text' "
            "WHERE name = 'functions/indicators.sql'");
    exec(c, "CREATE OR REPLACE FUNCTION paris_day(t timestamptz) RETURNS date "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT DATE '2000-01-01' $$");
    exec(c, "DROP FUNCTION indicator_values(timestamptz, timestamptz, text, uuid, text)");
    exec(c, "CREATE FUNCTION indicator_values(p_from timestamptz, p_to timestamptz, "
            "p_commune text, p_place uuid, p_org text) RETURNS integer "
            "LANGUAGE sql AS $$ SELECT 1 $$");

    char *output = NULL;
    cr_expect_eq(run_migrate(&db, &output), 1, "%s", output);
    cr_expect(strstr(output, "functions/indicators.sql: ERROR:  cannot change return type of "
                             "existing function") != NULL,
              "%s", output);
    free(output);
    /* paris_day() comes first in indicators.sql: rolled back with the rest. */
    cr_expect_str_eq(value(c, "SELECT paris_day('2026-03-01 12:00+01')"), "2000-01-01");

    cr_expect_str_eq(value(c, "SELECT sha256 FROM schema_functions "
                              "WHERE name = 'functions/indicators.sql'"),
                     "the previous text", "a failed file is not recorded");

    exec(c, "DROP FUNCTION indicator_values(timestamptz, timestamptz, text, uuid, text)");
    cr_assert_eq(run_migrate(&db, &output), 0, "%s", output);
    cr_expect_str_eq(output, "migrate: 0 migration(s) applied, 1 functions file(s) applied\n");
    free(output);
    cr_expect_str_eq(value(c, "SELECT paris_day('2026-03-01 23:30+00')"), "2026-03-02");
    cr_expect_str_eq(value(c, "SELECT pg_get_function_result("
                              "'indicator_values(timestamptz, timestamptz, text, uuid, text)'"
                              "::regprocedure)"),
                     "TABLE(code text, numerator numeric, denominator numeric, value numeric, "
                     "sample_size bigint)");
    PQfinish(c);
    private_db_drop(&db);
}
