#include "indicator_target.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *connect_test_db(void)
{
    const char *dsn = getenv("TEST_DATABASE_URL");
    cr_assert_not_null(dsn, "TEST_DATABASE_URL");
    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

void target_save(struct saved_target *t, const char *code)
{
    snprintf(t->code, sizeof t->code, "%s", code);
    const char *params[] = {code};
    PGconn *c = connect_test_db();
    PGresult *res = PQexecParams(c,
                                 "SELECT target_kind, target_value::text, baseline_value::text, "
                                 "baseline_period, updated_at::text, updated_by FROM indicators "
                                 "WHERE code = $1",
                                 1, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    cr_assert_eq(PQntuples(res), 1);
    for (int i = 0; i < 6; i++)
        t->values[i] = PQgetisnull(res, 0, i) ? NULL : strdup(PQgetvalue(res, 0, i));
    t->saved = true;
    PQclear(res);
    PQfinish(c);
}

void target_restore(struct saved_target *t)
{
    if (!t->saved)
        return;
    const char *params[7];
    for (int i = 0; i < 6; i++)
        params[i] = t->values[i];
    params[6] = t->code;
    PGconn *c = connect_test_db();
    PGresult *res = PQexecParams(c,
                                 "UPDATE indicators SET target_kind = $1, target_value = $2, "
                                 "baseline_value = $3, baseline_period = $4, updated_at = $5, "
                                 "updated_by = $6 WHERE code = $7",
                                 7, NULL, params, NULL, NULL, 0);
    cr_expect_eq(PQresultStatus(res), PGRES_COMMAND_OK, "restore: %s", PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(c);
    for (int i = 0; i < 6; i++) {
        free(t->values[i]);
        t->values[i] = NULL;
    }
    t->saved = false;
}
