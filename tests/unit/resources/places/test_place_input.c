/* Pure parts of places: input checks, merge patch, CSV of the national
 * standard, dates and ids. */
#include "csv.h"
#include "merge_patch.h"
#include "places/place_input.h"
#include "places/places_csv.h"
#include "validate.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static bool names(json_t *errors, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) if (strcmp(json_string_value(json_object_get(e, "field")),
                                                field) == 0) return true;
    return false;
}

static json_t *valid_place(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:[s], s:s, s:s, s:[s]}", "pivot",
                     "43493312300029", "name", "Médiathèque", "street", "1 rue de la Paix",
                     "postal_code", "32300", "commune", "Mirande", "insee_code", "32256",
                     "latitude", 43.5147, "longitude", 0.4047, "services",
                     "aide_aux_demarches_administratives", "phone", "05 62 66 86 87",
                     "opening_hours", "Mo-Fr 09:00-12:00; PH off", "itinerance", "fixe");
}

Test(place_input, a_valid_place_becomes_columns)
{
    json_t *doc = valid_place(), *errors = json_array();
    struct place_input in;
    place_input_from_json(doc, "france-services-mirande", &in, errors);
    cr_assert_eq(json_array_size(errors), 0, "%s", json_dumps(errors, 0));
    cr_expect_str_eq(in.values[PC_OWNER], "france-services-mirande");
    cr_expect_str_eq(in.values[PC_PHONE], "+33562668687");
    cr_expect_str_eq(in.values[PC_SOURCE], "inclusion-api");
    cr_expect_null(in.values[PC_SOURCE_ID]);
    cr_expect_str_eq(in.values[PC_OPEN_MINUTES],
                     "{[540,720),[1980,2160),[3420,3600),[4860,5040),[6300,6480)}");
    cr_expect_str_eq(in.values[PC_CLOSED_ON_PH], "true");
    cr_expect_str_eq(in.values[PC_SERVICES], "[\"aide_aux_demarches_administratives\"]");
    cr_expect_str_eq(in.values[PC_PUBLICS], "[]");
    cr_expect_null(in.values[PC_DATA_UPDATED_ON], "today, in SQL");
    place_input_free(&in);
    json_decref(errors);
    json_decref(doc);
}

Test(place_input, every_bad_field_is_named)
{
    json_t *doc = valid_place(), *errors = json_array();
    json_object_set_new(doc, "pivot", json_string("43493312300028"));
    json_object_set_new(doc, "postal_code", json_string("3230"));
    json_object_set_new(doc, "insee_code", json_string("3225"));
    json_object_set_new(doc, "phone", json_string("+330562660408"));
    json_object_set_new(doc, "emails", json_pack("[s]", "aubiet@france-service.gouv,fr"));
    json_object_set_new(doc, "websites", json_pack("[s]", "not a url"));
    json_object_set_new(doc, "opening_hours", json_string("Mo-Fr 9h-12h"));
    json_object_set_new(doc, "services", json_pack("[s]", "astrology"));
    json_object_set_new(doc, "publics", json_pack("[s, s]", "seniors", "seniors"));
    json_object_set_new(doc, "latitude", json_real(91));
    json_object_set_new(doc, "data_updated_on", json_string("2026-02-30"));
    json_object_del(doc, "name");
    struct place_input in;
    place_input_from_json(doc, "x", &in, errors);
    const char *fields[] = {"pivot",   "postal_code", "insee_code",      "phone",
                            "emails",  "websites",    "opening_hours",   "services",
                            "publics", "latitude",    "data_updated_on", "name"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cr_expect(names(errors, fields[i]), "%s must be named", fields[i]);
    place_input_free(&in);
    json_decref(errors);
    json_decref(doc);
}

Test(place_input, latitude_and_longitude_go_together)
{
    json_t *doc = valid_place(), *errors = json_array();
    json_object_del(doc, "longitude");
    struct place_input in;
    place_input_from_json(doc, "x", &in, errors);
    cr_expect(names(errors, "longitude"));
    place_input_free(&in);
    json_decref(errors);
    json_decref(doc);
}

Test(merge_patch, rfc7396_examples)
{
    json_t *target = json_loads("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"}}", 0, NULL);
    json_t *patch = json_loads("{\"a\":\"z\",\"c\":{\"f\":null}}", 0, NULL);
    json_t *result = merge_patch_apply(target, patch);
    json_t *expected = json_loads("{\"a\":\"z\",\"c\":{\"d\":\"e\"}}", 0, NULL);
    cr_expect(json_equal(result, expected));
    cr_expect_str_eq(json_string_value(json_object_get(target, "a")), "b", "target unchanged");
    json_decref(result);
    json_decref(expected);
    json_decref(patch);
    patch = json_loads("[1]", 0, NULL);
    result = merge_patch_apply(target, patch);
    cr_expect(json_is_array(result), "a non-object patch replaces");
    json_decref(result);
    json_decref(patch);
    json_decref(target);
}

Test(places_csv, the_standards_example_round_trips)
{
    FILE *f = fopen("db/seeds/mediation-num-exemple-valide.csv", "rb");
    cr_assert_not_null(f, "run from the repository root");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct csv csv;
    size_t bad = 0;
    cr_assert_eq(csv_parse(buf, n, ',', &csv, &bad), 0);
    json_t *header_errors = json_array();
    places_csv_check_header(&csv, header_errors);
    cr_expect_eq(json_array_size(header_errors), 0);
    json_decref(header_errors);
    json_t *errors = json_array();
    json_t *doc = places_csv_row_to_json(&csv, 1, errors);
    cr_expect_eq(json_array_size(errors), 0, "%s", json_dumps(errors, 0));
    cr_expect_str_eq(json_string_value(json_object_get(doc, "source_id")), "structure-1");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(doc, "services"), 0)),
                     "maitrise_des_outils_numeriques_du_quotidien");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(doc, "typologies"), 1)),
                     "ASSO");
    struct place_input in;
    place_input_from_json(doc, "x", &in, errors);
    cr_expect_eq(json_array_size(errors), 0, "the example is valid: %s", json_dumps(errors, 0));
    place_input_free(&in);

    json_t *places = json_array();
    json_array_append(places, doc);
    char *out = places_csv_export(places);
    cr_expect(strncmp(out, "\"id\",\"pivot\",\"nom\",", 19) == 0);
    cr_expect(
        strstr(out, "\"Maîtrise des outils numériques du quotidien|Insertion professionnelle") !=
            NULL,
        "labels, |-separated: %s", out);
    cr_expect(strstr(out, "\"TIERS_LIEUX|ASSO\"") != NULL);
    free(out);
    json_decref(places);
    json_decref(doc);
    json_decref(errors);
    csv_free(&csv);
}

Test(places_csv, unknown_labels_name_their_column)
{
    const char text[] = "id,pivot,nom,commune,code_postal,adresse,date_maj,services\n"
                        "x,123456789,N,C,32000,A,2026-01-01,Astrologie\n";
    struct csv csv;
    size_t bad = 0;
    cr_assert_eq(csv_parse(text, sizeof text - 1, ',', &csv, &bad), 0);
    json_t *errors = json_array();
    json_t *doc = places_csv_row_to_json(&csv, 1, errors);
    cr_expect(names(errors, "services"));
    cr_expect_eq(csv.rows[1].line, 2);
    json_decref(doc);
    json_decref(errors);
    csv_free(&csv);
    cr_expect_str_eq(places_csv_column_of("postal_code"), "code_postal");
}

Test(validate, rfc3339_and_uuid)
{
    cr_expect(validate_rfc3339("2026-12-08T09:00:00+01:00"));
    cr_expect(validate_rfc3339("2026-12-08T08:00:00.123Z"));
    cr_expect(validate_rfc3339("2028-02-29T00:00:00Z"));
    cr_expect_not(validate_rfc3339("2027-02-29T00:00:00Z"));
    cr_expect_not(validate_rfc3339("2026-12-08T09:00:00"), "an offset is required");
    cr_expect_not(validate_rfc3339("2026-12-08 09:00:00+01:00"));
    cr_expect_not(validate_rfc3339("2026-13-08T09:00:00Z"));
    cr_expect_not(validate_rfc3339("2026-12-08T24:00:00Z"));
    cr_expect_not(validate_rfc3339("2026-12-08T09:00:00+01:00x"));
    cr_expect_not(validate_rfc3339(""));
    cr_expect(validate_uuid("004058d7-2036-44b3-8be4-b71ed0a48ea6"));
    cr_expect_not(validate_uuid("004058d7-2036-44b3-8be4-b71ed0a48ea"));
    cr_expect_not(validate_uuid("004058d7x2036-44b3-8be4-b71ed0a48ea6"));
    cr_expect_not(validate_uuid("import"));
}
