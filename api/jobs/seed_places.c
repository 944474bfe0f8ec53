/* Seed data for places: the communes of the Gers, the 27 France Services
 * (ANCT, Licence Ouverte 2.0) and a few demo places with a bus numérique and its
 * stops. Every place goes through the same checks as the API (place_input). */
#include "seed.h"

#include "csv.h"
#include "embedded.h"
#include "france_services.h"
#include "opening_hours.h"
#include "places/place_input.h"
#include "places/places_sql.h"
#include "seed_places_sql.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMUNES_GEOJSON       "communes-32-gers.geojson"
#define FRANCE_SERVICES_SOURCE "anct-france-services"
#define FRANCE_SERVICES_DATE   "2024-08-01"
#define DEMO_SOURCE            "inclusion-api-demo"
#define DEMO_OWNER             "gers-numerique"
/* The France Services file has no SIRET: the standard's placeholder. */
#define UNKNOWN_PIVOT "00000000000000"

static int exec_params(PGconn *conn, const char *sql, int n, const char *const *params, char *err,
                       size_t err_len, const char *what)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? atoi(PQcmdTuples(res)) : -1;
    if (rc < 0)
        snprintf(err, err_len, "%s: %s", what, PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

static int seed_communes(PGconn *conn, char *err, size_t err_len)
{
    const struct embedded_file *file = embedded_find(COMMUNES_GEOJSON);
    if (!file) {
        snprintf(err, err_len, "%s is not embedded", COMMUNES_GEOJSON);
        return -1;
    }
    const char *params[] = {file->data};
    return exec_params(conn, SEED_PLACES_SQL_COMMUNES, 1, params, err, err_len, COMMUNES_GEOJSON);
}

/* Validates `doc` like the API does, then upserts it. 1 changed, 0 not, -1 error. */
static int upsert_place(PGconn *conn, json_t *doc, const char *owner, char *err, size_t err_len)
{
    struct place_input in;
    json_t *errors = json_array();
    place_input_from_json(doc, owner, &in, errors);
    int rc;
    if (json_array_size(errors) > 0) {
        char *text = json_dumps(errors, JSON_COMPACT);
        snprintf(err, err_len, "place %s: %s", json_string_value(json_object_get(doc, "source_id")),
                 text);
        free(text);
        rc = -1;
    } else {
        rc = exec_params(conn, PLACES_SQL_UPSERT, PC_COUNT, (const char *const *)in.values, err,
                         err_len, "place");
    }
    place_input_free(&in);
    json_decref(errors);
    return rc;
}

/* The value of a named column in a row, "" when absent. */
static const char *field(const struct csv *csv, const struct csv_row *row, const char *name)
{
    int c = csv_column(csv, name);
    return c >= 0 && (size_t)c < row->count ? row->fields[c] : "";
}

static json_t *france_services_doc(const struct csv *csv, size_t row, char *owner, size_t cap)
{
    const struct csv_row *r = &csv->rows[row];
#define FIELD(name) field(csv, r, name)
    france_services_slug(FIELD("lib_com"), owner, cap);

    const char *days[7] = {FIELD("h_lundi"),
                           FIELD("h_mardi"),
                           FIELD("h_mercredi"),
                           FIELD("h_jeudi"),
                           FIELD("h_vendredi"),
                           FIELD("h_samedi"),
                           ""};
    char hours[256], why[160];
    bool has_hours = oh_from_weekday_columns(days, hours, sizeof hours, why, sizeof why) == 0 &&
                     hours[0] != '\0';
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s], s:s, s:[s], s:[s], s:[s, s], "
        "s:[s], s:[s, s], s:s}",
        "source", FRANCE_SERVICES_SOURCE, "source_id", FIELD("id_fs"), "pivot", UNKNOWN_PIVOT,
        "name", FIELD("lib_fs"), "street", FIELD("adresse"), "postal_code", FIELD("code_postal"),
        "commune", FIELD("lib_com"), "insee_code", FIELD("insee_com"), "latitude",
        atof(FIELD("latitude")), "longitude", atof(FIELD("longitude")), "typologies", "RFS",
        "phone", FIELD("telephone"), "emails", FIELD("mail"), "itinerance", "fixe", "services",
        "aide_aux_demarches_administratives", "acces_internet_et_materiel_informatique", "fees",
        "gratuit", "access_modes", "se_presenter", "telephoner", "data_updated_on",
        FRANCE_SERVICES_DATE);
    json_object_set_new(doc, "national_programmes", json_pack("[s]", "france_services"));
    if (has_hours)
        json_object_set_new(doc, "opening_hours", json_string(hours));
    if (*FIELD("complement_adresse"))
        json_object_set_new(doc, "address_complement", json_string(FIELD("complement_adresse")));
    char summary[281];
    snprintf(summary, sizeof summary, "%s", FIELD("commentaire"));
    if (summary[0] && strlen(FIELD("commentaire")) < sizeof summary)
        json_object_set_new(doc, "summary", json_string(summary));
#undef FIELD
    return doc;
}

static int seed_france_services(PGconn *conn, char *err, size_t err_len)
{
    struct csv csv;
    if (france_services_csv(&csv, err, err_len) != 0)
        return -1;
    int changed = 0;
    for (size_t i = 1; i < csv.count && changed >= 0; i++) {
        char owner[96];
        json_t *doc = france_services_doc(&csv, i, owner, sizeof owner);
        int rc = upsert_place(conn, doc, owner, err, err_len);
        json_decref(doc);
        changed = rc < 0 ? -1 : changed + rc;
    }
    csv_free(&csv);
    return changed;
}

struct demo_place {
    const char *source_id, *name, *commune, *postal_code, *typology, *itinerance, *hours, *street;
};

/* Clearly labelled demo places, placed on their commune (a point on its outline's surface). */
static const struct demo_place demo_places[] = {
    {"demo-mediatheque-mirande", "Médiathèque de Mirande (démo)", "Mirande", "32300", "BIB", "fixe",
     "Tu,Th 14:00-18:00; We,Sa 10:00-12:00,14:00-18:00; PH off", "Rue de l'Évêché"},
    {"demo-mediatheque-auch", "Médiathèque du Grand Auch (démo)", "Auch", "32000", "BIB", "fixe",
     "Tu-Fr 10:00-18:00; Sa 10:00-17:00; PH off", "Place de la Libération"},
    {"demo-tiers-lieu-fleurance", "Tiers-lieu La Fabrique numérique (démo)", "Fleurance", "32500",
     "TIERS_LIEUX", "fixe", "Mo-Fr 09:00-12:30,14:00-18:00", "Rue Gambetta"},
    {"demo-salle-coeur-astarac", "Salle du conseil communautaire Cœur d'Astarac en Gascogne (démo)",
     "Mirande", "32300", "CC", "fixe", "Mo-Fr 09:00-12:30,14:00-17:30; PH off",
     "Siège de la communauté de communes"},
    {"demo-bus-numerique", "Bus numérique du Gers (démo)", "Auch", "32000", "MUNI", "itinerant",
     "Tu,Th 09:30-12:30; PH off", "Départ : parking du Conseil départemental"},
};

static int seed_demo_places(PGconn *conn, char *err, size_t err_len)
{
    int changed = 0;
    for (size_t i = 0; i < sizeof demo_places / sizeof demo_places[0] && changed >= 0; i++) {
        const struct demo_place *d = &demo_places[i];
        const char *params[] = {d->commune};
        PGresult *res =
            PQexecParams(conn, SEED_PLACES_SQL_COMMUNE_POINT, 1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
            snprintf(err, err_len, "demo place %s: commune %s not found", d->source_id, d->commune);
            PQclear(res);
            return -1;
        }
        json_t *doc = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s], s:[s], s:s, s:[s, s], "
            "s:[s], s:[s, s], s:s}",
            "source", DEMO_SOURCE, "source_id", d->source_id, "pivot", UNKNOWN_PIVOT, "name",
            d->name, "street", d->street, "postal_code", d->postal_code, "commune", d->commune,
            "insee_code", PQgetvalue(res, 0, 0), "latitude", atof(PQgetvalue(res, 0, 1)),
            "longitude", atof(PQgetvalue(res, 0, 2)), "typologies", d->typology, "itinerance",
            d->itinerance, "opening_hours", d->hours, "services",
            "maitrise_des_outils_numeriques_du_quotidien", "aide_aux_demarches_administratives",
            "fees", "gratuit", "support_modes", "accompagnement_individuel",
            "dans_un_atelier_collectif", "summary",
            "Lieu de démonstration : il n'existe pas, il sert à montrer la carte.");
        PQclear(res);
        int rc = upsert_place(conn, doc, DEMO_OWNER, err, err_len);
        json_decref(doc);
        changed = rc < 0 ? -1 : changed + rc;
    }
    return changed;
}

/* The demo bus stops on Tuesdays in Miélan and Thursdays in Marciac, from
 * December 2026 to June 2027, mornings (Paris time). */
static int seed_demo_stops(PGconn *conn, char *err, size_t err_len)
{
    const char *params[] = {DEMO_SOURCE, "demo-bus-numerique"};
    return exec_params(conn, SEED_PLACES_SQL_DEMO_STOPS, 2, params, err, err_len, "demo stops");
}

int seed_places(PGconn *conn, char *err, size_t err_len)
{
    int (*const steps[])(PGconn *, char *, size_t) = {seed_communes, seed_france_services,
                                                      seed_demo_places, seed_demo_stops};
    int changed = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && changed >= 0; i++) {
        int rc = steps[i](conn, err, err_len);
        changed = rc < 0 ? -1 : changed + rc;
    }
    return changed;
}
