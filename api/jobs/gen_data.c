/* The benchmark data generator: runs the embedded SQL at a scale. */
#include "gen_data.h"

#include "core_sql.h"
#include "embedded.h"
#include "gen_data_sql.h"

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
    snprintf(set, sizeof set, GEN_DATA_SQL_SCALE, scale);
    bool ok = exec_ok(conn, CORE_SQL_NO_TIMEOUT, err, err_len) &&
              exec_ok(conn, CORE_SQL_BEGIN, err, err_len) && exec_ok(conn, set, err, err_len) &&
              exec_ok(conn, sql->data, err, err_len) &&
              exec_ok(conn, CORE_SQL_COMMIT, err, err_len);
    if (!ok) {
        PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
        return -1;
    }
    return exec_ok(conn, GEN_DATA_SQL_ANALYZE, err, err_len) ? 0 : -1;
}
