/* The table of place_fields.h against the database the migrations made (the
 * migrations are history and cannot be made from the table): every column of
 * the table exists in `places` with the type of its SQL kind, and every other
 * column of `places` is one the service fills by itself. A line added without
 * its migration, or a column added by a migration without its line, fails here. */
#include "places/place_fields.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

/* The type (information_schema.columns.udt_name) of each SQL kind. */
#define UDT_TEXT          "text"
#define UDT_TEXT_OR_UUID  "text"
#define UDT_LATITUDE      "geography"
#define UDT_LONGITUDE     "geography"
#define UDT_ARRAY         "_text"
#define UDT_MINUTES       "int4multirange"
#define UDT_BOOLEAN       "bool"
#define UDT_DATE_OR_TODAY "date"

struct column {
    const char *name, *udt;
};

#define COLUMN(id, member, column, sql, ...) {column, UDT_##sql},
#define SERVER(id, member, column, sql)      COLUMN(id, member, column, sql, 0)
static const struct column table[] = {PLACE_FIELDS(COLUMN, SERVER)};
#define TABLE_COUNT (sizeof table / sizeof table[0])

/* The columns no line of the table holds: the service sets them itself. */
static const char *const by_the_service[] = {"id",         "created_at", "updated_at",
                                             "deleted_at", "search",     NULL};

static PGresult *columns_of_places(void)
{
    const char *dsn = getenv("TEST_DATABASE_URL");
    cr_assert_not_null(dsn, "TEST_DATABASE_URL");
    PGconn *c = PQconnectdb(dsn);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *res = PQexec(c, "SELECT column_name, udt_name FROM information_schema.columns "
                              "WHERE table_schema = 'public' AND table_name = 'places'");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    PQfinish(c);
    return res;
}

Test(place_fields, every_line_has_its_column_of_its_type)
{
    PGresult *res = columns_of_places();
    for (size_t i = 0; i < TABLE_COUNT; i++) {
        int row = -1;
        for (int r = 0; r < PQntuples(res); r++)
            if (strcmp(PQgetvalue(res, r, 0), table[i].name) == 0)
                row = r;
        cr_expect_geq(row, 0, "place_fields.h has %s, the table places has no such column",
                      table[i].name);
        if (row >= 0)
            cr_expect_str_eq(PQgetvalue(res, row, 1), table[i].udt, "the type of places.%s",
                             table[i].name);
    }
    PQclear(res);
}

Test(place_fields, every_column_has_its_line)
{
    PGresult *res = columns_of_places();
    cr_assert_gt(PQntuples(res), 0, "the table places exists");
    for (int r = 0; r < PQntuples(res); r++) {
        const char *name = PQgetvalue(res, r, 0);
        bool found = false;
        for (size_t i = 0; i < TABLE_COUNT; i++)
            found = found || strcmp(table[i].name, name) == 0;
        for (const char *const *s = by_the_service; *s; s++)
            found = found || strcmp(*s, name) == 0;
        cr_expect(found, "places.%s has no line in place_fields.h", name);
    }
    PQclear(res);
}
