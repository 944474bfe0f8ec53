/* base64url, cursors, CSV, slugs, ETags, route patterns. */
#include "base64url.h"
#include "csv.h"
#include "cursor.h"
#include "router.h"
#include "slug.h"
#include "validate.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(base64url, round_trips_and_refuses_non_canonical)
{
    const char *inputs[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\xfd"};
    const char *expected[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy", "__79"};
    for (size_t i = 0; i < 8; i++) {
        char *enc = base64url_encode((const unsigned char *)inputs[i], strlen(inputs[i]));
        cr_expect_str_eq(enc, expected[i]);
        size_t len = 0;
        unsigned char *dec = base64url_decode(enc, strlen(enc), &len);
        cr_assert_not_null(dec);
        cr_expect_eq(len, strlen(inputs[i]));
        cr_expect_eq(memcmp(dec, inputs[i], len), 0);
        free(enc);
        free(dec);
    }
    size_t len;
    cr_expect_null(base64url_decode("Zm9v=", 5, &len), "no padding");
    cr_expect_null(base64url_decode("Zm+v", 4, &len), "no standard alphabet");
    cr_expect_null(base64url_decode("Z", 1, &len));
    cr_expect_null(base64url_decode("Zh", 2, &len), "non-zero trailing bits");
}

Test(cursor, round_trip_and_foreign_cursors)
{
    const char *keys[] = {"caf-gers", "2026-12-08T09:00:00+01:00"};
    char *c = cursor_encode(keys, 2);
    char *out[2] = {0};
    cr_assert(cursor_decode(c, 2, 64, out));
    cr_expect_str_eq(out[0], "caf-gers");
    cr_expect_str_eq(out[1], "2026-12-08T09:00:00+01:00");
    free(out[0]);
    free(out[1]);
    char *one[1] = {0};
    cr_expect_not(cursor_decode(c, 1, 64, one), "wrong arity");
    cr_expect_not(cursor_decode(c, 2, 4, out), "key too long");
    cr_expect_not(cursor_decode("not-a-cursor", 1, 64, one));
    cr_expect_not(cursor_decode("", 1, 64, one));
    char *number = base64url_encode((const unsigned char *)"[1]", 3);
    cr_expect_not(cursor_decode(number, 1, 64, one));
    free(number);
    free(c);
}

Test(csv, quoted_fields_and_line_ends)
{
    const char text[] = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\n\"multi\nline\",2,3";
    struct csv csv;
    size_t bad = 0;
    cr_assert_eq(csv_parse(text, sizeof text - 1, ',', &csv, &bad), 0);
    cr_assert_eq(csv.count, 3);
    cr_expect_eq(csv.rows[1].count, 3);
    cr_expect_str_eq(csv.rows[1].fields[0], "x, y");
    cr_expect_str_eq(csv.rows[1].fields[1], "say \"hi\"");
    cr_expect_str_eq(csv.rows[1].fields[2], "");
    cr_expect_str_eq(csv.rows[2].fields[0], "multi\nline");
    cr_expect_eq(csv_column(&csv, "c"), 2);
    cr_expect_eq(csv_column(&csv, "d"), -1);
    csv_free(&csv);
}

Test(csv, broken_quotes_name_the_line)
{
    struct csv csv;
    size_t bad = 0;
    const char open[] = "a,b\n\"never closed,1\n";
    cr_expect_eq(csv_parse(open, sizeof open - 1, ',', &csv, &bad), -1);
    cr_expect_eq(bad, 2);
    csv_free(&csv);
    const char stray[] = "a,b\nx\"y,1\n";
    cr_expect_eq(csv_parse(stray, sizeof stray - 1, ',', &csv, &bad), -1);
    cr_expect_eq(bad, 2);
    csv_free(&csv);
    const char after[] = "\"a\"b,c\n";
    cr_expect_eq(csv_parse(after, sizeof after - 1, ',', &csv, &bad), -1);
    csv_free(&csv);
}

Test(slug, commune_names_of_the_gers)
{
    const char *cases[][2] = {{"L'Isle-Jourdain", "l-isle-jourdain"},
                              {"Miélan", "mielan"},
                              {"Villecomtal-sur-Arros", "villecomtal-sur-arros"},
                              {"Saint-Blancard", "saint-blancard"},
                              {"Eauze", "eauze"},
                              {"  Œuvre  Ç'est ", "oeuvre-c-est"},
                              {"ÀÉÎÕÜ", "aeiou"},
                              {"Vic-Fezensac", "vic-fezensac"},
                              {"日本", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        slug_from_name(cases[i][0], out, sizeof out);
        cr_expect_str_eq(out, cases[i][1], "%s", cases[i][0]);
    }
    char small[5];
    slug_from_name("Montesquiou", small, sizeof small);
    cr_expect_str_eq(small, "mont");
}

Test(validate, etags)
{
    cr_expect(validate_etag_matches("\"123\"", "\"123\""));
    cr_expect(validate_etag_matches("W/\"123\"", "\"123\""));
    cr_expect(validate_etag_matches("\"1\", \"123\"", "\"123\""));
    cr_expect(validate_etag_matches("*", "\"123\""));
    cr_expect_not(validate_etag_matches("\"12\"", "\"123\""));
    cr_expect_not(validate_etag_matches(NULL, "\"123\""));
    cr_expect_not(validate_etag_matches("", "\"123\""));
}

Test(validate, strings_and_fields)
{
    json_t *body = json_pack("{s:s, s:i, s:s, s:s}", "name", "Médiathèque", "count", 3, "ctl",
                             "a\tb", "extra", "x");
    json_t *errors = json_array();
    cr_expect_str_eq(validate_string(body, "name", true, 1, 11, errors), "Médiathèque",
                     "11 characters, not 13 bytes");
    cr_expect_null(validate_string(body, "name", true, 1, 10, errors));
    cr_expect_null(validate_string(body, "count", true, 1, 10, errors));
    cr_expect_null(validate_string(body, "ctl", true, 1, 10, errors));
    cr_expect_null(validate_string(body, "missing", true, 1, 10, errors));
    cr_expect_null(validate_string(body, "optional", false, 1, 10, errors));
    cr_expect_eq(json_array_size(errors), 4);
    json_array_clear(errors);
    const char *writable[] = {"name", "count", "ctl", NULL};
    const char *read_only[] = {"extra", NULL};
    validate_fields(body, writable, read_only, errors);
    cr_expect_eq(json_array_size(errors), 1);
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                     "extra");
    json_decref(errors);
    json_decref(body);
}

Test(router, patterns)
{
    const char *params[4];
    char p1[] = "/v1/organizations/caf-gers";
    cr_expect(router_match("/v1/organizations/{slug}", p1, params, 4));
    cr_expect_str_eq(params[0], "caf-gers");
    char p2[] = "/v1/organizations/";
    cr_expect_not(router_match("/v1/organizations/{slug}", p2, params, 4));
    char p3[] = "/v1/organizations";
    cr_expect_not(router_match("/v1/organizations/{slug}", p3, params, 4));
    char p4[] = "/v1/organizations/a/b";
    cr_expect_not(router_match("/v1/organizations/{slug}", p4, params, 4));
    char p5[] = "/v1/places/12/stops";
    cr_expect(router_match("/v1/places/{id}/stops", p5, params, 4));
    cr_expect_str_eq(params[0], "12");
    char p6[] = "/healthz";
    cr_expect(router_match("/healthz", p6, params, 4));
    char p7[] = "/healthzz";
    cr_expect_not(router_match("/healthz", p7, params, 4));
    char p8[] = "/";
    cr_expect_not(router_match("/healthz", p8, params, 4));
}
