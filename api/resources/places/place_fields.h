/* A place's fields, one line each: the one list from which the rest is made.
 *
 * To add a field, add its line to PLACE_FIELDS below (a FIELD line for what a
 * partner writes, a SERVER line for a column the service fills itself), at the
 * place where it should appear in the API's JSON; the line's position is also
 * its parameter number ($n) in the INSERT, UPSERT and UPDATE. That line makes
 * the enum place_column (PC_<ID>), the input check (place_input.c), the
 * writable members, the CSV column of the national standard (places_csv.c),
 * the column and `$n` value lists, the EXCLUDED list and the JSON members of
 * the SQL (places_sql.c). Two things stay by hand: a new migration adding the
 * column (migrations are history; the integration suite place_fields fails
 * when this table and the database's columns disagree), and the member in the
 * contract (openapi/openapi.yaml: PlaceAttributes, PlaceWritable, the CSV's
 * description), which the integration tests check the answers against.
 *
 *   SERVER(ID, member, column, sql)
 *   FIELD(ID, member, column, sql, input, required, max, list,
 *         csv, csv_column, csv_kind, csv_required)
 *
 * ID        PC_<ID>, the parameter's name
 * member    the member of the API's JSON (NULL: not shown)
 * column    the column of the table `places`
 * sql       how the parameter becomes the column's value (PLACES_SQL_VALUE_<sql>
 *           in places_sql.h) and how the member is read back (PLACES_SQL_MEMBER_<sql>):
 *           TEXT as is; TEXT_OR_UUID a new UUID when NULL; LATITUDE the point
 *           of this parameter and the next one, which must be the LONGITUDE;
 *           ARRAY a JSON array of strings into text[]; MINUTES int4multirange;
 *           BOOLEAN; DATE_OR_TODAY today when NULL
 * input     the check of place_input.c (K_<input>): TEXT, CODES (of `list`),
 *           TEXTS, EMAILS, URLS, URL, PHONE, POSTAL, INSEE, PIVOT, HOURS, DATE,
 *           LATITUDE, LONGITUDE; `required` 1 when the member must be there;
 *           `max` the length of the string or of each item
 * csv       the column's position (1-based) in the standard's CSV, its name,
 *           its kind (CSV_<kind> in places_csv.c: SCALAR, NUMBER, CODES written
 *           as the labels of `list`, TEXTS as they are) and whether the
 *           standard requires it in the header
 */
#ifndef PLACE_FIELDS_H
#define PLACE_FIELDS_H

#include <stddef.h>

/* clang-format off */
#define PLACE_FIELDS(FIELD, SERVER)                                                                                                                     \
    SERVER(OWNER,              "owner",              "owner",                     TEXT)                                                                      \
    FIELD(SOURCE,              "source",             "source",                    TEXT,          TEXT,      0, 200,  0,                               18, "source",                          SCALAR, 0) \
    FIELD(SOURCE_ID,           "source_id",          "source_id",                 TEXT_OR_UUID,  TEXT,      0, 200,  0,                                1, "id",                              SCALAR, 1) \
    FIELD(PIVOT,               "pivot",              "pivot",                     TEXT,          PIVOT,     1, 14,   0,                                2, "pivot",                           SCALAR, 1) \
    FIELD(NAME,                "name",               "name",                      TEXT,          TEXT,      1, 250,  0,                                3, "nom",                             SCALAR, 1) \
    FIELD(STREET,              "street",             "street",                    TEXT,          TEXT,      1, 250,  0,                                7, "adresse",                         SCALAR, 1) \
    FIELD(ADDRESS_COMPLEMENT,  "address_complement", "address_complement",        TEXT,          TEXT,      0, 250,  0,                                8, "complement_adresse",              SCALAR, 0) \
    FIELD(POSTAL_CODE,         "postal_code",        "postal_code",               TEXT,          POSTAL,    1, 5,    0,                                5, "code_postal",                     SCALAR, 1) \
    FIELD(COMMUNE,             "commune",            "commune",                   TEXT,          TEXT,      1, 100,  0,                                4, "commune",                         SCALAR, 1) \
    FIELD(INSEE_CODE,          "insee_code",         "insee_code",                TEXT,          INSEE,     0, 5,    0,                                6, "code_insee",                      SCALAR, 0) \
    FIELD(LATITUDE,            "latitude",           "location",                  LATITUDE,      LATITUDE,  0, 0,    0,                                9, "latitude",                        NUMBER, 0) \
    FIELD(LONGITUDE,           "longitude",          "location",                  LONGITUDE,     LONGITUDE, 0, 0,    0,                               10, "longitude",                       NUMBER, 0) \
    FIELD(TYPOLOGIES,          "typologies",         "typologies",                ARRAY,         CODES,     0, 0,    MEDNUM_TYPOLOGIE,                11, "typologie",                       TEXTS,  0) \
    FIELD(PHONE,               "phone",              "phone",                     TEXT,          PHONE,     0, 30,   0,                               12, "telephone",                       SCALAR, 0) \
    FIELD(EMAILS,              "emails",             "emails",                    ARRAY,         EMAILS,    0, 254,  0,                               13, "courriels",                       TEXTS,  0) \
    FIELD(WEBSITES,            "websites",           "websites",                  ARRAY,         URLS,      0, 2048, 0,                               14, "site_web",                        TEXTS,  0) \
    FIELD(OPENING_HOURS,       "opening_hours",      "opening_hours",             TEXT,          HOURS,     0, 500,  0,                               15, "horaires",                        SCALAR, 0) \
    SERVER(OPEN_MINUTES,       NULL,                 "open_minutes",              MINUTES)                                                                   \
    SERVER(CLOSED_ON_PH,       NULL,                 "closed_on_public_holidays", BOOLEAN)                                                                   \
    FIELD(SUMMARY,             "summary",            "summary",                   TEXT,          TEXT,      0, 280,  0,                               16, "presentation_resume",             SCALAR, 0) \
    FIELD(DESCRIPTION,         "description",        "description",               TEXT,          TEXT,      0, 4000, 0,                               17, "presentation_detail",             SCALAR, 0) \
    FIELD(ITINERANCE,          "itinerance",         "itinerance",                ARRAY,         CODES,     0, 0,    MEDNUM_ITINERANCE,               19, "itinerance",                      CODES,  0) \
    FIELD(PARENT_STRUCTURE,    "parent_structure",   "parent_structure",          TEXT,          TEXT,      0, 250,  0,                               20, "structure_parente",               SCALAR, 0) \
    FIELD(SERVICES,            "services",           "services",                  ARRAY,         CODES,     0, 0,    MEDNUM_SERVICES,                 22, "services",                        CODES,  0) \
    FIELD(PUBLICS,             "publics",            "publics",                   ARRAY,         CODES,     0, 0,    MEDNUM_PUBLICS,                  23, "publics_specifiquement_adresses", CODES,  0) \
    FIELD(SPECIFIC_SUPPORT,    "specific_support",   "specific_support",          ARRAY,         CODES,     0, 0,    MEDNUM_PRISE_EN_CHARGE,          24, "prise_en_charge_specifique",      CODES,  0) \
    FIELD(FEES,                "fees",               "fees",                      ARRAY,         CODES,     0, 0,    MEDNUM_FRAIS,                    25, "frais_a_charge",                  CODES,  0) \
    FIELD(NATIONAL_PROGRAMMES, "national_programmes","national_programmes",       ARRAY,         CODES,     0, 0,    MEDNUM_DISPOSITIFS,              26, "dispositif_programmes_nationaux", CODES,  0) \
    FIELD(TRAINING_LABELS,     "training_labels",    "training_labels",           ARRAY,         CODES,     0, 0,    MEDNUM_FORMATIONS_LABELS,        27, "formations_labels",               CODES,  0) \
    FIELD(OTHER_LABELS,        "other_labels",       "other_labels",              ARRAY,         TEXTS,     0, 250,  0,                               28, "autres_formations_labels",        TEXTS,  0) \
    FIELD(ACCESS_MODES,        "access_modes",       "access_modes",              ARRAY,         CODES,     0, 0,    MEDNUM_MODALITES_ACCES,          29, "modalites_acces",                 CODES,  0) \
    FIELD(SUPPORT_MODES,       "support_modes",      "support_modes",             ARRAY,         CODES,     0, 0,    MEDNUM_MODALITES_ACCOMPAGNEMENT, 30, "modalites_accompagnement",        CODES,  0) \
    FIELD(ACCESSIBILITY_URL,   "accessibility_url",  "accessibility_url",         TEXT,          URL,       0, 2048, 0,                               31, "fiche_acces_libre",               SCALAR, 0) \
    FIELD(BOOKING_URL,         "booking_url",        "booking_url",               TEXT,          URL,       0, 2048, 0,                               32, "prise_rdv",                       SCALAR, 0) \
    FIELD(DATA_UPDATED_ON,     "data_updated_on",    "data_updated_on",           DATE_OR_TODAY, DATE,      0, 10,   0,                               21, "date_maj",                        SCALAR, 1)

/* For a kind of line that a use of PLACE_FIELDS leaves out. */
#define PLACE_FIELDS_NONE(...)

/* The parameters of PLACES_SQL_INSERT / PLACES_SQL_UPSERT / PLACES_SQL_UPDATE,
 * in order: PC_OWNER ($1) .. PC_DATA_UPDATED_ON ($PC_COUNT). */
#define PLACE_FIELDS_COLUMN(id, ...) PC_##id,
enum place_column { PLACE_FIELDS(PLACE_FIELDS_COLUMN, PLACE_FIELDS_COLUMN) PC_COUNT };

/* The number of FIELD lines: the members a partner writes, the standard's CSV columns. */
#define PLACE_FIELDS_WRITABLE(id, ...) PLACE_WRITABLE_##id,
enum { PLACE_FIELDS(PLACE_FIELDS_WRITABLE, PLACE_FIELDS_NONE) PLACE_WRITABLE_COUNT };
/* clang-format on */

#endif
