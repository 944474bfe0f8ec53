/* Demo workshops: the "Semaine du Numérique" of the Gers, opening on Tuesday
 * 8 December 2026 in Mirande, then workshops across the week at France
 * Services, médiathèques and the bus numérique; a four-session "Premiers
 * clics" series. Every title says "(démo)". Idempotent: a workshop already
 * there (same owner, title and start) is not added again. */
#include "seed.h"

#include "seed_workshops_sql.h"

#include <stdio.h>
#include <stdlib.h>

int seed_workshops(PGconn *conn, char *err, size_t err_len)
{
    PGresult *res = PQexec(conn, SEED_WORKSHOPS_SQL_DEMO);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? atoi(PQcmdTuples(res)) : -1;
    if (rc < 0)
        snprintf(err, err_len, "demo workshops: %s", PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}
