/* The benchmark data generator: runs the embedded SQL at a scale. */
#include "gen_data.h"

#include "embedded.h"

#include <stdbool.h>
#include <stdio.h>

static bool exec_ok(PGconn *conn, const char *sql, char *err, size_t err_len)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType status = PQresultStatus(res);
    bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, err_len, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

int gen_data_run(PGconn *conn, double scale, char *err, size_t err_len)
{
    const struct embedded_file *sql = embedded_find("gen_national.sql");
    if (!sql) {
        snprintf(err, err_len, "gen_national.sql is not embedded in this binary");
        return -1;
    }
    char set[96];
    snprintf(set, sizeof set, "SELECT set_config('inclusion.scale', '%.6f', true)", scale);
    bool ok = exec_ok(conn, "SET statement_timeout = 0", err, err_len) &&
              exec_ok(conn, "BEGIN", err, err_len) && exec_ok(conn, set, err, err_len) &&
              exec_ok(conn, sql->data, err, err_len) && exec_ok(conn, "COMMIT", err, err_len);
    if (!ok) {
        PQclear(PQexec(conn, "ROLLBACK"));
        return -1;
    }
    return exec_ok(conn, "ANALYZE", err, err_len) ? 0 : -1;
}
