#include "places_csv.h"

#include "mednum.h"
#include "place_fields.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum column_kind { CSV_SCALAR, CSV_NUMBER, CSV_CODES, CSV_TEXTS };

struct column {
    const char *name;   /* the standard's column */
    const char *member; /* the API's member */
    enum column_kind kind;
    enum mednum_list list; /* for CSV_CODES */
    int required;          /* in the standard */
};

/* The standard's 32 columns, in its order: the FIELD lines of place_fields.h,
 * each at its position. A position given twice does not compile (an
 * initializer overridden); a position left out leaves the array too long. */
#define COLUMN(id, member, column, sql, input, required, max, list, at, name, kind, in_header)     \
    [at - 1] = {name, member, CSV_##kind, list, in_header},
static const struct column columns[] = {PLACE_FIELDS(COLUMN, PLACE_FIELDS_NONE)};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])
_Static_assert(COLUMN_COUNT == PLACE_WRITABLE_COUNT,
               "place_fields.h: the CSV positions must be 1 to the number of FIELD lines");

const char *places_csv_column_of(const char *member)
{
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        if (strcmp(columns[i].member, member) == 0)
            return columns[i].name;
    return member;
}

/* The value of a column for one place, as the standard writes it. */
static void put_value(FILE *out, const struct column *c, const json_t *place, int last)
{
    const json_t *v = json_object_get(place, c->member);
    char buf[64];
    if (c->kind == CSV_SCALAR) {
        csv_put_field(out, json_string_value(v) ? json_string_value(v) : "", last);
    } else if (c->kind == CSV_NUMBER) {
        if (json_is_number(v))
            snprintf(buf, sizeof buf, "%.10g", json_number_value(v));
        else
            buf[0] = '\0';
        csv_put_field(out, buf, last);
    } else {
        char *joined = NULL;
        size_t len = 0;
        FILE *list = open_memstream(&joined, &len);
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item)
        {
            const char *s = json_string_value(item);
            const char *label = c->kind == CSV_CODES ? mednum_label(c->list, s) : s;
            fprintf(list, "%s%s", i ? "|" : "", label ? label : "");
        }
        fclose(list);
        csv_put_field(out, joined, last);
        free(joined);
    }
}

char *places_csv_export(const json_t *places)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        csv_put_field(out, columns[i].name, i + 1 == COLUMN_COUNT);
    size_t p;
    const json_t *place;
    json_array_foreach(places, p, place)
    {
        for (size_t i = 0; i < COLUMN_COUNT; i++)
            put_value(out, &columns[i], place, i + 1 == COLUMN_COUNT);
    }
    fclose(out);
    return text;
}

void places_csv_check_header(const struct csv *csv, json_t *errors)
{
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        if (columns[i].required && csv_column(csv, columns[i].name) < 0)
            validate_error_msg(errors, columns[i].name, MSG_PLACE_CSV_COLUMN_MISSING);
}

/* Splits a `|`-separated value into an array, labels turned into codes. */
static json_t *split(const struct column *c, const char *value, json_t *errors)
{
    json_t *array = json_array();
    char *copy = strdup(value), *save = NULL;
    for (char *item = strtok_r(copy, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
        if (c->kind == CSV_TEXTS) {
            json_t *text = json_string(item);
            if (text)
                json_array_append_new(array, text);
            else
                validate_error_msg(errors, c->name, MSG_FIELD_NOT_UTF8);
            continue;
        }
        const char *code = mednum_code(c->list, item);
        if (code)
            json_array_append_new(array, json_string(code));
        else
            validate_error_msg(errors, c->name, MSG_PLACE_CSV_NOT_IN_LIST, item);
    }
    free(copy);
    return array;
}

json_t *places_csv_row_to_json(const struct csv *csv, size_t row, json_t *errors)
{
    const struct csv_row *r = &csv->rows[row];
    json_t *doc = json_object();
    for (size_t i = 0; i < COLUMN_COUNT; i++) {
        const struct column *c = &columns[i];
        int at = csv_column(csv, c->name);
        /* without the quote the export put before a formula (csv.h) */
        const char *value = at >= 0 && (size_t)at < r->count ? csv_cell_text(r->fields[at]) : "";
        if (*value == '\0')
            continue;
        if (c->kind == CSV_SCALAR) {
            json_t *text = json_string(value);
            if (text)
                json_object_set_new(doc, c->member, text);
            else
                validate_error_msg(errors, c->name, MSG_FIELD_NOT_UTF8);
        } else if (c->kind == CSV_NUMBER) {
            char *end;
            double d = strtod(value, &end);
            if (*end || !isfinite(d))
                validate_error_msg(errors, c->name, MSG_PLACE_CSV_DECIMAL);
            else
                json_object_set_new(doc, c->member, json_real(d));
        } else {
            json_object_set_new(doc, c->member, split(c, value, errors));
        }
    }
    return doc;
}
