/* The standard's value lists: sizes, the code rule, uniqueness, lookups both
 * ways, the copies of the source files in db/seeds/ (read from the working
 * directory, the repository's root) and the standard's example row. */
#include "csv.h"
#include "mednum.h"
#include "slug.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEDNUM_TEST_ENUMS      "db/seeds/mediation-num-enums-v1.0.2.json"
#define MEDNUM_TEST_TYPOLOGIES "db/seeds/data-inclusion-typologies-de-structures-v0.json"
#define MEDNUM_TEST_EXAMPLE    "db/seeds/mediation-num-exemple-valide.csv"

/* Counted by hand in the source files. */
static const size_t mednum_test_sizes[MEDNUM_LIST_COUNT] = {
    [MEDNUM_ITINERANCE] = 2,
    [MEDNUM_SERVICES] = 9,
    [MEDNUM_PUBLICS] = 5,
    [MEDNUM_PRISE_EN_CHARGE] = 7,
    [MEDNUM_FRAIS] = 3,
    [MEDNUM_DISPOSITIFS] = 11,
    [MEDNUM_FORMATIONS_LABELS] = 10,
    [MEDNUM_MODALITES_ACCES] = 6,
    [MEDNUM_MODALITES_ACCOMPAGNEMENT] = 4,
    [MEDNUM_TYPOLOGIE] = 91,
};

Test(mednum, sizes_and_columns)
{
    const char *columns[MEDNUM_LIST_COUNT] = {
        "itinerance",
        "services",
        "publics_specifiquement_adresses",
        "prise_en_charge_specifique",
        "frais_a_charge",
        "dispositif_programmes_nationaux",
        "formations_labels",
        "modalites_acces",
        "modalites_accompagnement",
        "typologie",
    };
    size_t total = 0;
    for (int l = 0; l < MEDNUM_LIST_COUNT; l++) {
        size_t count = 0;
        cr_expect_not_null(mednum_values((enum mednum_list)l, &count));
        cr_expect_eq(count, mednum_test_sizes[l], "%s: %zu values", columns[l], count);
        cr_expect_str_eq(mednum_column((enum mednum_list)l), columns[l]);
        cr_expect_not_null(mednum_values((enum mednum_list)l, NULL), "count may be NULL");
        total += count;
    }
    cr_expect_eq(total, 148);
    size_t count = 42;
    cr_expect_null(mednum_values(MEDNUM_LIST_COUNT, &count));
    cr_expect_eq(count, 0);
    cr_expect_null(mednum_column(MEDNUM_LIST_COUNT));
    cr_expect_null(mednum_label(MEDNUM_LIST_COUNT, "gratuit"));
    cr_expect_null(mednum_code(MEDNUM_LIST_COUNT, "Gratuit"));
}

/* For the standard's lists the code is the label's slug with "_": lower-case
 * ASCII, accents dropped, every other run of characters one "_". */
Test(mednum, codes_follow_the_rule)
{
    for (int l = 0; l < MEDNUM_TYPOLOGIE; l++) {
        size_t count;
        const struct mednum_value *v = mednum_values((enum mednum_list)l, &count);
        for (size_t i = 0; i < count; i++) {
            char slug[128];
            slug_from_name(v[i].label, slug, sizeof slug);
            for (char *p = slug; *p; p++)
                if (*p == '-')
                    *p = '_';
            cr_expect_str_eq(v[i].code, slug, "%s", v[i].label);
            cr_expect_eq(strspn(v[i].code, "abcdefghijklmnopqrstuvwxyz0123456789_"),
                         strlen(v[i].code));
        }
    }
    cr_expect_str_eq(mednum_code(MEDNUM_SERVICES, "Aide aux démarches administratives"),
                     "aide_aux_demarches_administratives");
    cr_expect_str_eq(mednum_code(MEDNUM_PRISE_EN_CHARGE, "Langues étrangères (anglais)"),
                     "langues_etrangeres_anglais");
    cr_expect_str_eq(mednum_code(MEDNUM_FORMATIONS_LABELS, "Formé à « Mon Espace Santé »"),
                     "forme_a_mon_espace_sante");
    cr_expect_str_eq(mednum_code(MEDNUM_FORMATIONS_LABELS, "Étapes numériques(La Poste)"),
                     "etapes_numeriques_la_poste");
    cr_expect_str_eq(mednum_code(MEDNUM_DISPOSITIFS, "Point d'accès numérique CAF"),
                     "point_d_acces_numerique_caf");
    cr_expect_str_eq(mednum_code(MEDNUM_MODALITES_ACCOMPAGNEMENT, "À distance"), "a_distance");
    cr_expect_str_eq(mednum_code(MEDNUM_ITINERANCE, "Itinérant"), "itinerant");
}

Test(mednum, codes_and_labels_unique_and_round_trip)
{
    for (int l = 0; l < MEDNUM_LIST_COUNT; l++) {
        enum mednum_list list = (enum mednum_list)l;
        size_t count;
        const struct mednum_value *v = mednum_values(list, &count);
        for (size_t i = 0; i < count; i++) {
            cr_expect_neq(v[i].code[0], '\0');
            cr_expect_neq(v[i].label[0], '\0');
            for (size_t j = i + 1; j < count; j++) {
                cr_expect_str_neq(v[i].code, v[j].code, "%s", mednum_column(list));
                cr_expect_str_neq(v[i].label, v[j].label, "%s", mednum_column(list));
            }
            cr_expect_eq(mednum_label(list, v[i].code), v[i].label);
            cr_expect_eq(mednum_code(list, v[i].label), v[i].code);
        }
    }
}

Test(mednum, unknown_gives_null)
{
    cr_expect_null(mednum_label(MEDNUM_SERVICES, "unknown"));
    cr_expect_null(mednum_label(MEDNUM_SERVICES, ""));
    cr_expect_null(mednum_label(MEDNUM_SERVICES, NULL));
    cr_expect_null(mednum_label(MEDNUM_SERVICES, "Aide_aux_demarches_administratives"));
    cr_expect_null(mednum_label(MEDNUM_SERVICES, "aide_aux_demarches"));
    cr_expect_null(mednum_label(MEDNUM_PUBLICS, "aide_aux_demarches_administratives"),
                   "a code of another list");
    cr_expect_null(mednum_code(MEDNUM_SERVICES, "aide aux démarches administratives"),
                   "labels are case-sensitive");
    cr_expect_null(mednum_code(MEDNUM_SERVICES, "Aide aux demarches administratives"),
                   "labels keep their accents");
    cr_expect_null(mednum_code(MEDNUM_SERVICES, "Aide aux démarches administratives "));
    cr_expect_null(mednum_code(MEDNUM_SERVICES, NULL));
    cr_expect_null(mednum_code(MEDNUM_FRAIS, "Gratuit|Payant"), "one value at a time");
    cr_expect_null(mednum_label(MEDNUM_TYPOLOGIE, "tiers_lieux"), "typologie codes are upper-case");
    cr_expect_null(mednum_label(MEDNUM_TYPOLOGIE, "MAIRIE"));
}

Test(mednum, typologie_codes)
{
    const char *codes[] = {"TIERS_LIEUX", "ASSO", "BIB",    "RFS",  "LA_POSTE",
                           "CCAS",        "EPN",  "FABLAB", "MUNI", "Autre"};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        cr_expect_not_null(mednum_label(MEDNUM_TYPOLOGIE, codes[i]), "%s", codes[i]);
    cr_expect_str_eq(mednum_label(MEDNUM_TYPOLOGIE, "RFS"), "Réseau France Services");
    cr_expect_str_eq(mednum_label(MEDNUM_TYPOLOGIE, "LA_POSTE"),
                     "Bureau de poste / Agence postale");
    cr_expect_str_eq(mednum_code(MEDNUM_TYPOLOGIE, "Tiers lieu & coworking"), "TIERS_LIEUX");
}

static json_t *mednum_test_load(const char *path)
{
    json_error_t error;
    json_t *doc = json_load_file(path, 0, &error);
    cr_assert_not_null(doc, "%s (run from the repository's root): %s", path, error.text);
    return doc;
}

/* The tables are the copies in db/seeds/: same lists, values, order. */
Test(mednum, tables_match_the_seed_files)
{
    json_t *enums = mednum_test_load(MEDNUM_TEST_ENUMS);
    size_t lists = 0;
    const char *key;
    json_t *entry;
    json_object_foreach(enums, key, entry)
    {
        if (key[0] == '_')
            continue;
        lists++;
        int found = -1;
        for (int l = 0; l < MEDNUM_TYPOLOGIE; l++)
            if (strcmp(mednum_column((enum mednum_list)l), key) == 0)
                found = l;
        cr_assert_geq(found, 0, "%s has no table", key);
        json_t *values = json_object_get(entry, "values");
        size_t count;
        const struct mednum_value *v = mednum_values((enum mednum_list)found, &count);
        cr_expect_eq(json_array_size(values), count, "%s", key);
        for (size_t i = 0; i < count && i < json_array_size(values); i++)
            cr_expect_str_eq(v[i].label, json_string_value(json_array_get(values, i)), "%s", key);
    }
    cr_expect_eq(lists, MEDNUM_TYPOLOGIE, "every list but typologie comes from the enums file");
    json_decref(enums);

    json_t *typologies = mednum_test_load(MEDNUM_TEST_TYPOLOGIES);
    size_t count;
    const struct mednum_value *v = mednum_values(MEDNUM_TYPOLOGIE, &count);
    cr_expect_eq(json_array_size(typologies), count);
    for (size_t i = 0; i < count && i < json_array_size(typologies); i++) {
        json_t *t = json_array_get(typologies, i);
        cr_expect_str_eq(v[i].code, json_string_value(json_object_get(t, "value")));
        cr_expect_str_eq(v[i].label, json_string_value(json_object_get(t, "label")));
    }
    json_decref(typologies);
}

/* Every value of the standard's valid example row is known; typologie holds
 * codes, the other columns labels. */
Test(mednum, example_row_values_are_known)
{
    FILE *f = fopen(MEDNUM_TEST_EXAMPLE, "rb");
    cr_assert_not_null(f, "%s (run from the repository's root)", MEDNUM_TEST_EXAMPLE);
    char text[8192];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    cr_assert_lt(len, sizeof text);
    struct csv csv;
    size_t bad_line = 0;
    int rc = csv_parse(text, len, ',', &csv, &bad_line);
    if (rc != 0)
        csv_free(&csv);
    cr_assert_eq(rc, 0, "%s line %zu", MEDNUM_TEST_EXAMPLE, bad_line);
    cr_assert_eq(csv.count, 2);
    size_t seen = 0;
    for (int l = 0; l < MEDNUM_LIST_COUNT; l++) {
        enum mednum_list list = (enum mednum_list)l;
        int col = csv_column(&csv, mednum_column(list));
        cr_assert_geq(col, 0, "%s", mednum_column(list));
        cr_assert_lt((size_t)col, csv.rows[1].count);
        char *cell = strdup(csv.rows[1].fields[col]), *save = NULL;
        cr_assert_not_null(cell);
        for (char *item = strtok_r(cell, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
            seen++;
            if (list == MEDNUM_TYPOLOGIE) {
                const char *label = mednum_label(list, item);
                const char *back = label ? mednum_code(list, label) : NULL;
                cr_expect(back && strcmp(back, item) == 0, "typologie %s", item);
            } else {
                const char *code = mednum_code(list, item);
                const char *back = code ? mednum_label(list, code) : NULL;
                cr_expect(back && strcmp(back, item) == 0, "%s: %s", mednum_column(list), item);
            }
        }
        free(cell);
    }
    cr_expect_eq(seen, 24, "values in the example row's coded columns");
    csv_free(&csv);
}
