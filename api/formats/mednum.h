/* The value lists of the national data standard for places of digital
 * mediation ("lieux de médiation numérique" v1.0.2) as code <-> label tables.
 *
 * Labels are the standard's exact strings (UTF-8), the ones its CSV carries,
 * `|`-separated in multi-valued columns. Codes are for the API: for the
 * standard's lists, the label lower-cased, accents removed and every run of
 * other characters turned into one "_", trimmed ("Langues étrangères (anglais)"
 * -> "langues_etrangeres_anglais"), i.e. slug_from_name() with "_"; for
 * MEDNUM_TYPOLOGIE, data·inclusion's structure type codes ("TIERS_LIEUX",
 * "ASSO", "RFS"...). Codes and labels are each unique within a list.
 *
 * Everything returned points into static tables: never freed, valid forever,
 * safe from any thread. */
#ifndef MEDNUM_H
#define MEDNUM_H

#include <stddef.h>

enum mednum_list {
    MEDNUM_ITINERANCE,               /* itinerance: 2 values */
    MEDNUM_SERVICES,                 /* services: 9 */
    MEDNUM_PUBLICS,                  /* publics_specifiquement_adresses: 5 */
    MEDNUM_PRISE_EN_CHARGE,          /* prise_en_charge_specifique: 7 */
    MEDNUM_FRAIS,                    /* frais_a_charge: 3 */
    MEDNUM_DISPOSITIFS,              /* dispositif_programmes_nationaux: 11 */
    MEDNUM_FORMATIONS_LABELS,        /* formations_labels: 10 */
    MEDNUM_MODALITES_ACCES,          /* modalites_acces: 6 */
    MEDNUM_MODALITES_ACCOMPAGNEMENT, /* modalites_accompagnement: 4 */
    MEDNUM_TYPOLOGIE,                /* typologie: 91 */
    MEDNUM_LIST_COUNT
};

struct mednum_value {
    const char *code;  /* ASCII, for the API */
    const char *label; /* UTF-8, the standard's value */
};

/* The list's values in the source files' order, their number in *count (when
 * count is not NULL). NULL and 0 for a list out of range. */
const struct mednum_value *mednum_values(enum mednum_list list, size_t *count);

/* The label of `code` (exact, case-sensitive match), or NULL when unknown. */
const char *mednum_label(enum mednum_list list, const char *code);

/* The code of `label` (exact match, accents and case included), or NULL. */
const char *mednum_code(enum mednum_list list, const char *label);

/* The English label of the list's `index`th value, for the lists shown in
 * English too (MEDNUM_PRISE_EN_CHARGE: GET /v1/reference/accessibility), or
 * NULL. The French label is the standard's (`label`). */
const char *mednum_label_en(enum mednum_list list, size_t index);

/* The standard's column name ("services", "typologie"...), or NULL. */
const char *mednum_column(enum mednum_list list);

#endif
