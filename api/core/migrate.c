#include "migrate.h"

#include "core_sql.h"
#include "embedded.h"

#include <openssl/evp.h>
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
 * A functions file runs when its text is not the one applied last
 * (schema_functions keeps the SHA-256 of each): a new binary brings its new
 * texts once, and an instance that starts with the same texts changes nothing.
 * Re-creating triggers takes locks on their tables; done at every start it
 * deadlocked with the writes of the instances already serving. When it must
 * run (a deployment that changes a file) and meets a deadlock or a lock it
 * cannot take, the file is retried (MIGRATE_RETRIES). migrate_is_current()
 * looks at the migrations only: every instance runs migrate_apply() (the
 * migrations and then the files, under the lock) before it serves.
 * CREATE OR REPLACE cannot change a function's arguments or result: such a
 * change needs a migration that drops the old one (README). */

#define FUNCTIONS_PREFIX "functions/"
#define MIGRATE_RETRIES  5

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

/* A failure that another try may not meet: a deadlock, a lock not obtained,
 * a serialization failure. */
static bool transient(PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state && (strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
                     strcmp(state, "40001") == 0);
}

/* One try of run_file: 1 done, 0 failed but worth another try, -1 failed. */
static int try_file(PGconn *conn, const struct embedded_file *f, const char *record,
                    const char *const *params, int nparams, char *err, size_t err_len)
{
    if (!exec_ok(conn, CORE_SQL_BEGIN, err, err_len))
        return -1;
    PGresult *res = PQexec(conn, f->data);
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
        char reason[512];
        snprintf(reason, sizeof reason, "%s", PQresultErrorMessage(res));
        reason[strcspn(reason, "\n")] = '\0';
        snprintf(err, err_len, "%s: %s", f->name, reason);
        int rc = transient(res) ? 0 : -1;
        PQclear(res);
        PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
        return rc;
    }
    PQclear(res);
    res = PQexecParams(conn, record, nparams, NULL, params, NULL, NULL, 0);
    bool recorded = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!recorded)
        snprintf(err, err_len, "%s: %s", f->name, PQresultErrorMessage(res));
    PQclear(res);
    if (!recorded || !exec_ok(conn, CORE_SQL_COMMIT, err, err_len)) {
        PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
        return -1;
    }
    return 1;
}

/* Runs f in a transaction with the statement `record` (its parameters:
 * params), retried when a deadlock or a lock stopped it. False (rolled back)
 * with "name: reason" in err. */
static bool run_file(PGconn *conn, const struct embedded_file *f, const char *record,
                     const char *const *params, int nparams, char *err, size_t err_len)
{
    int rc = 0;
    for (int attempt = 0; rc == 0 && attempt < MIGRATE_RETRIES; attempt++)
        rc = try_file(conn, f, record, params, nparams, err, err_len);
    return rc == 1;
}

/* The hex SHA-256 of a file's text. */
static void file_hash(const struct embedded_file *f, char out[65])
{
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_Digest(f->data, f->size, digest, &len, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* 1 applied, 0 its text is the one applied last, -1 failed (rolled back). */
static int apply_functions(PGconn *conn, const struct embedded_file *f, char *err, size_t err_len)
{
    char hash[65];
    file_hash(f, hash);
    const char *params[] = {f->name, hash};
    PGresult *res = PQexecParams(conn, CORE_SQL_FUNCTIONS_CURRENT, 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, err_len, "%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    bool current = PQntuples(res) == 1;
    PQclear(res);
    if (current)
        return 0;
    return run_file(conn, f, CORE_SQL_FUNCTIONS_RECORD, params, 2, err, err_len) ? 1 : -1;
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
    return run_file(conn, f, CORE_SQL_MIGRATION_RECORD, params, 1, err, err_len) ? 1 : -1;
}

/* Under the lock: the pending migrations, then the functions files whose
 * text changed. */
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
        int rc = apply_functions(conn, &embedded_files[i], err, err_len);
        if (rc < 0)
            return -1;
        functions += rc;
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
