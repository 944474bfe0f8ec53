#include "migrate.h"

#include "embedded.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* pg_advisory_lock key shared by every instance of the service ("incl"). */
#define MIGRATION_LOCK_KEY "1768842092"

static bool is_migration(const struct embedded_file *f)
{
    size_t n = strlen(f->name);
    return n > 4 && strcmp(f->name + n - 4, ".sql") == 0 && f->name[0] >= '0' && f->name[0] <= '9';
}

const char *migrate_latest(void)
{
    const char *latest = NULL;
    for (size_t i = 0; i < embedded_files_count; i++)
        if (is_migration(&embedded_files[i]))
            latest = embedded_files[i].name;
    return latest;
}

static bool exec_ok(PGconn *conn, const char *sql, char *err, size_t err_len)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, err_len, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* 1 applied, 0 already there, -1 failed (rolled back). */
static int apply_one(PGconn *conn, const struct embedded_file *f, char *err, size_t err_len)
{
    const char *params[] = {f->name};
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, err_len, "%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    bool done = PQntuples(res) == 1;
    PQclear(res);
    if (done)
        return 0;
    if (!exec_ok(conn, "BEGIN", err, err_len))
        return -1;
    if (!exec_ok(conn, f->data, err, err_len)) {
        char reason[512];
        snprintf(reason, sizeof reason, "%s", err);
        reason[strcspn(reason, "\n")] = '\0';
        snprintf(err, err_len, "%s: %s", f->name, reason);
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    res = PQexecParams(conn, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, NULL, params,
                       NULL, NULL, 0);
    bool recorded = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!recorded || !exec_ok(conn, "COMMIT", err, err_len)) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    return 1;
}

int migrate_apply(PGconn *conn, char *err, size_t err_len)
{
    /* Waiting for another instance's migrations, or a long migration, must not
     * be cut by the service's statement_timeout. */
    if (!exec_ok(conn, "SET statement_timeout = 0", err, err_len) ||
        !exec_ok(conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", err, err_len))
        return -1;
    int applied = 0;
    if (!exec_ok(conn,
                 "SET client_min_messages = warning;"
                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version text PRIMARY KEY,"
                 " applied_at timestamptz NOT NULL DEFAULT now())",
                 err, err_len))
        applied = -1;
    for (size_t i = 0; applied >= 0 && i < embedded_files_count; i++) {
        if (!is_migration(&embedded_files[i]))
            continue;
        int rc = apply_one(conn, &embedded_files[i], err, err_len);
        applied = rc < 0 ? -1 : applied + rc;
    }
    char unlock_err[8];
    exec_ok(conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", unlock_err,
            sizeof unlock_err);
    return applied;
}

int migrate_is_current(PGconn *conn)
{
    const char *params[] = {migrate_latest()};
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) == 1
             : state && strcmp(state, "42P01") == 0 ? 0 /* no table yet */
                                                    : -1;
    PQclear(res);
    return rc;
}
