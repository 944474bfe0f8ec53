#include "support/private_db.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs one statement on the main test database, quietly. */
static void exec_main(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    PGresult *res = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(c);
}

void private_db_create(struct private_db *db, const char *prefix)
{
    snprintf(db->name, sizeof db->name, "%s_%d", prefix, (int)getpid());
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db->name);
    exec_main(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db->name);
    exec_main(sql);
    const char *main_url = getenv("TEST_DATABASE_URL");
    const char *slash = strrchr(main_url, '/');
    cr_assert_not_null(slash, "TEST_DATABASE_URL ends with /DATABASE");
    snprintf(db->url, sizeof db->url, "%.*s/%s", (int)(slash - main_url), main_url, db->name);
    snprintf(db->env_url, sizeof db->env_url, "DATABASE_URL=%s", db->url);
}

void private_db_drop(const struct private_db *db)
{
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->name);
    exec_main(sql);
}
