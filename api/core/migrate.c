#include "migrate.h"

#include "core_sql.h"
#include "embedded.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Migrations hold tables and data; functions, views and triggers live in
 * db/functions/NAME.sql, whose every statement is CREATE OR REPLACE: the files
 * are applied after the migrations at every run, so the text of the files is
 * what every database ends with, and a function is defined in one place.
 *
 * What a table needs at the moment it is created cannot wait for them: a
 * function called by a generated column, an index expression, a CHECK or a
 * DEFAULT. The migration that creates the table keeps the minimum
 * (search_text() in 002_places.sql, for places.search) and the functions file
 * restates it (places.sql), so that the file's text wins from the next run on.
 * Likewise a migration whose data step needs functions does not call them: it
 * records the work for them (008_indicator_rollups.sql marks the days of the
 * data already recorded in indicator_dirty_days) and the functions file does it
 * (indicators.sql calls indicator_refresh()).
 *
 * The functions files are not recorded: migrate_is_current() looks at the
 * migrations only, and that is enough because every instance runs
 * migrate_apply() (the migrations and then the files, under the lock) before
 * it serves. CREATE OR REPLACE cannot change a function's arguments or result:
 * such a change needs a migration that drops the old one (README). */

#define FUNCTIONS_PREFIX "functions/"

static bool is_migration(const struct embedded_file *f)
{
    size_t n = strlen(f->name);
    return n > 4 && strcmp(f->name + n - 4, ".sql") == 0 && f->name[0] >= '0' && f->name[0] <= '9';
}

static bool is_functions_file(const struct embedded_file *f)
{
    size_t n = strlen(f->name);
    return strncmp(f->name, FUNCTIONS_PREFIX, strlen(FUNCTIONS_PREFIX)) == 0 && n > 4 &&
           strcmp(f->name + n - 4, ".sql") == 0;
}

const char *migrate_latest(void)
{
    const char *latest = NULL;
    for (size_t i = 0; i < embedded_files_count; i++)
        if (is_migration(&embedded_files[i]))
            latest = embedded_files[i].name;
    return latest;
}

/* A file of comments only (a migration whose content moved to db/functions)
 * is an empty query, and fine. */
static bool exec_ok(PGconn *conn, const char *sql, char *err, size_t err_len)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType status = PQresultStatus(res);
    bool ok =
        status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
    if (!ok)
        snprintf(err, err_len, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* Runs f in a transaction, recording it in schema_migrations when `record`.
 * False (rolled back) with "name: reason" in err. */
static bool run_file(PGconn *conn, const struct embedded_file *f, bool record, char *err,
                     size_t err_len)
{
    if (!exec_ok(conn, CORE_SQL_BEGIN, err, err_len))
        return false;
    if (!exec_ok(conn, f->data, err, err_len)) {
        char reason[512];
        snprintf(reason, sizeof reason, "%s", err);
        reason[strcspn(reason, "\n")] = '\0';
        snprintf(err, err_len, "%s: %s", f->name, reason);
        PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
        return false;
    }
    if (record) {
        const char *params[] = {f->name};
        PGresult *res =
            PQexecParams(conn, CORE_SQL_MIGRATION_RECORD, 1, NULL, params, NULL, NULL, 0);
        bool recorded = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!recorded)
            snprintf(err, err_len, "%s: %s", f->name, PQresultErrorMessage(res));
        PQclear(res);
        if (!recorded) {
            PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
            return false;
        }
    }
    if (!exec_ok(conn, CORE_SQL_COMMIT, err, err_len)) {
        PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
        return false;
    }
    return true;
}

/* 1 applied, 0 already there, -1 failed (rolled back). */
static int apply_migration(PGconn *conn, const struct embedded_file *f, char *err, size_t err_len)
{
    const char *params[] = {f->name};
    PGresult *res = PQexecParams(conn, CORE_SQL_MIGRATION_APPLIED, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, err_len, "%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    bool done = PQntuples(res) == 1;
    PQclear(res);
    if (done)
        return 0;
    return run_file(conn, f, true, err, err_len) ? 1 : -1;
}

/* Under the lock: the pending migrations, then every functions file. */
static int apply_all(PGconn *conn, int *functions_applied, char *err, size_t err_len)
{
    if (!exec_ok(conn, CORE_SQL_MIGRATIONS_TABLE, err, err_len))
        return -1;
    int applied = 0;
    for (size_t i = 0; i < embedded_files_count; i++) {
        if (!is_migration(&embedded_files[i]))
            continue;
        int rc = apply_migration(conn, &embedded_files[i], err, err_len);
        if (rc < 0)
            return -1;
        applied += rc;
    }
    int functions = 0;
    for (size_t i = 0; i < embedded_files_count; i++) {
        if (!is_functions_file(&embedded_files[i]))
            continue;
        if (!run_file(conn, &embedded_files[i], false, err, err_len))
            return -1;
        functions++;
    }
    if (functions_applied)
        *functions_applied = functions;
    return applied;
}

int migrate_apply(PGconn *conn, int *functions_applied, char *err, size_t err_len)
{
    /* Waiting for another instance's migrations, or a long migration, must not
     * be cut by the service's statement_timeout. */
    if (!exec_ok(conn, CORE_SQL_NO_TIMEOUT, err, err_len) ||
        !exec_ok(conn, CORE_SQL_MIGRATION_LOCK, err, err_len))
        return -1;
    int applied = apply_all(conn, functions_applied, err, err_len);
    char unlock_err[8];
    exec_ok(conn, CORE_SQL_MIGRATION_UNLOCK, unlock_err, sizeof unlock_err);
    return applied;
}

int migrate_is_current(PGconn *conn)
{
    const char *params[] = {migrate_latest()};
    PGresult *res = PQexecParams(conn, CORE_SQL_MIGRATION_APPLIED, 1, NULL, params, NULL, NULL, 0);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) == 1
             : state && strcmp(state, "42P01") == 0 ? 0 /* no table yet */
                                                    : -1;
    PQclear(res);
    return rc;
}
