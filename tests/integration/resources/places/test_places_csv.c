/* The CSV export against the national standard's own schema
 * (db/seeds/mediation-num-schema-v1.0.2.json): the header is the schema's
 * field names in order; every row has the required fields and matches every
 * field's pattern. */
#include "csv.h"
#include "support/fixture.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

TestSuite(places_csv_export, .init = fixture_start, .fini = fixture_stop, .timeout = 60);

/* The schema's patterns use (?:...) and \d; POSIX extended syntax has neither. */
static char *posix_pattern(const char *js)
{
    char *out = malloc(strlen(js) * 6 + 1), *o = out;
    for (const char *p = js; *p; p++) {
        if (strncmp(p, "(?:", 3) == 0) {
            *o++ = '(';
            p += 2;
        } else if (strncmp(p, "\\d", 2) == 0) {
            memcpy(o, "[0-9]", 5);
            o += 5;
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

Test(places_csv_export, every_row_is_valid_against_the_standards_schema)
{
    json_t *schema = json_load_file("db/seeds/mediation-num-schema-v1.0.2.json", 0, NULL);
    cr_assert_not_null(schema, "run from the repository root");
    json_t *fields = json_object_get(schema, "fields");
    char *token = test_token("france-services-mirande", "places:read");
    struct response *r = http_get(server.base_url, "/v1/places?format=csv&limit=1000", token);
    cr_assert_eq(r->status, 200);
    char ct[64];
    cr_expect_str_eq(response_header(r, "Content-Type", ct, sizeof ct), "text/csv; charset=utf-8");
    struct csv csv;
    size_t bad = 0;
    cr_assert_eq(csv_parse(r->body, r->body_len, ',', &csv, &bad), 0);
    cr_assert_geq(csv.count, 32, "the seeded places at least");
    cr_assert_eq(csv.rows[0].count, json_array_size(fields));
    size_t i;
    json_t *field;
    json_array_foreach(fields, i, field)
    {
        const char *name = json_string_value(json_object_get(field, "name"));
        cr_expect_str_eq(csv.rows[0].fields[i], name, "column %zu", i);
        json_t *constraints = json_object_get(field, "constraints");
        bool required = json_is_true(json_object_get(constraints, "required"));
        const char *pattern = json_string_value(json_object_get(constraints, "pattern"));
        regex_t re;
        char *posix = pattern ? posix_pattern(pattern) : NULL;
        if (posix)
            cr_assert_eq(regcomp(&re, posix, REG_EXTENDED | REG_NOSUB), 0, "%s", posix);
        for (size_t row = 1; row < csv.count; row++) {
            const char *value = csv.rows[row].fields[i];
            if (required)
                cr_expect(value[0] != '\0', "line %zu: %s is required", csv.rows[row].line, name);
            if (posix && value[0])
                cr_expect_eq(regexec(&re, value, 0, NULL, 0), 0,
                             "line %zu: %s=\"%s\" must match %s", csv.rows[row].line, name, value,
                             pattern);
        }
        if (posix)
            regfree(&re);
        free(posix);
    }
    csv_free(&csv);
    response_free(r);
    free(token);
    json_decref(schema);
}
