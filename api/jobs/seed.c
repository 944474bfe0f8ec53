#include "seed.h"

#include "csv.h"
#include "core_sql.h"
#include "france_services.h"
#include "gen_data.h"
#include "seed_sql.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct partner {
    const char *slug, *name, *kind;
};

/* The campaign's institutional partners (contract slugs). */
static const struct partner partners[] = {
    {"caf-gers", "Caisse d'allocations familiales du Gers", "caf"},
    {"la-poste-gers", "La Poste — Gers", "la_poste"},
    {"france-travail-gers", "France Travail — Gers", "france_travail"},
    {"conseil-departemental-gers", "Conseil départemental du Gers", "collectivite"},
    {"prefecture-gers", "Préfecture du Gers", "etat"},
    {"gers-numerique", "Gers Numérique", "collectivite"},
};

/* 1 when inserted or changed, 0 when unchanged, -1 on error. */
static int upsert(PGconn *conn, const char *slug, const char *name, const char *kind, char *err,
                  size_t err_len)
{
    const char *params[] = {slug, name, kind};
    PGresult *res =
        PQexecParams(conn, SEED_SQL_UPSERT_ORGANIZATION, 3, NULL, params, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? atoi(PQcmdTuples(res)) : -1;
    if (rc < 0)
        snprintf(err, err_len, "organization %s: %s", slug, PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

static int seed_france_services(PGconn *conn, char *err, size_t err_len)
{
    struct csv csv;
    if (france_services_csv(&csv, err, err_len) != 0)
        return -1;
    int name_col = csv_column(&csv, "lib_fs"), commune_col = csv_column(&csv, "lib_com");
    int changed = 0;
    if (name_col < 0 || commune_col < 0) {
        snprintf(err, err_len, "%s: missing lib_fs or lib_com column", FRANCE_SERVICES_CSV);
        changed = -1;
    }
    for (size_t i = 1; i < csv.count && changed >= 0; i++) {
        const struct csv_row *row = &csv.rows[i];
        if (row->count <= (size_t)name_col || row->count <= (size_t)commune_col)
            continue;
        char slug[96];
        france_services_slug(row->fields[commune_col], slug, sizeof slug);
        int rc = upsert(conn, slug, row->fields[name_col], "france_services", err, err_len);
        changed = rc < 0 ? -1 : changed + rc;
    }
    csv_free(&csv);
    return changed;
}

int seed_run(PGconn *conn, char *err, size_t err_len)
{
    PQclear(PQexec(conn, CORE_SQL_BEGIN));
    int changed = 0;
    for (size_t i = 0; i < sizeof partners / sizeof partners[0] && changed >= 0; i++) {
        int rc = upsert(conn, partners[i].slug, partners[i].name, partners[i].kind, err, err_len);
        changed = rc < 0 ? -1 : changed + rc;
    }
    if (changed >= 0) {
        int rc = seed_france_services(conn, err, err_len);
        changed = rc < 0 ? -1 : changed + rc;
    }
    if (changed >= 0) {
        int rc = seed_places(conn, err, err_len);
        changed = rc < 0 ? -1 : changed + rc;
    }
    if (changed >= 0) {
        int rc = seed_workshops(conn, err, err_len);
        changed = rc < 0 ? -1 : changed + rc;
    }
    PGresult *res = PQexec(conn, changed >= 0 ? CORE_SQL_COMMIT : CORE_SQL_ROLLBACK);
    if (changed >= 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
        snprintf(err, err_len, "commit: %s", PQresultErrorMessage(res));
        changed = -1;
    }
    PQclear(res);
    return changed;
}

int seed_demo(PGconn *conn, char *err, size_t err_len)
{
    PGresult *res = PQexec(conn, SEED_SQL_DEMO_PRESENT);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        snprintf(err, err_len, "demo: %s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    bool present = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (present)
        return 0;
    return gen_data_run(conn, DEMO_SCALE, err, err_len) == 0 ? 1 : -1;
}
