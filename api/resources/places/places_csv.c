#include "places_csv.h"

#include "mednum.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum column_kind { SCALAR, NUMBER, CODES, TEXTS };

struct column {
    const char *name;   /* the standard's column */
    const char *member; /* the API's member */
    enum column_kind kind;
    enum mednum_list list; /* for CODES */
    int required;          /* in the standard */
};

/* The standard's 32 columns, in its order. */
static const struct column columns[] = {
    {"id", "source_id", SCALAR, 0, 1},
    {"pivot", "pivot", SCALAR, 0, 1},
    {"nom", "name", SCALAR, 0, 1},
    {"commune", "commune", SCALAR, 0, 1},
    {"code_postal", "postal_code", SCALAR, 0, 1},
    {"code_insee", "insee_code", SCALAR, 0, 0},
    {"adresse", "street", SCALAR, 0, 1},
    {"complement_adresse", "address_complement", SCALAR, 0, 0},
    {"latitude", "latitude", NUMBER, 0, 0},
    {"longitude", "longitude", NUMBER, 0, 0},
    {"typologie", "typologies", TEXTS, 0, 0}, /* data·inclusion codes, as the API's */
    {"telephone", "phone", SCALAR, 0, 0},
    {"courriels", "emails", TEXTS, 0, 0},
    {"site_web", "websites", TEXTS, 0, 0},
    {"horaires", "opening_hours", SCALAR, 0, 0},
    {"presentation_resume", "summary", SCALAR, 0, 0},
    {"presentation_detail", "description", SCALAR, 0, 0},
    {"source", "source", SCALAR, 0, 0},
    {"itinerance", "itinerance", CODES, MEDNUM_ITINERANCE, 0},
    {"structure_parente", "parent_structure", SCALAR, 0, 0},
    {"date_maj", "data_updated_on", SCALAR, 0, 1},
    {"services", "services", CODES, MEDNUM_SERVICES, 0},
    {"publics_specifiquement_adresses", "publics", CODES, MEDNUM_PUBLICS, 0},
    {"prise_en_charge_specifique", "specific_support", CODES, MEDNUM_PRISE_EN_CHARGE, 0},
    {"frais_a_charge", "fees", CODES, MEDNUM_FRAIS, 0},
    {"dispositif_programmes_nationaux", "national_programmes", CODES, MEDNUM_DISPOSITIFS, 0},
    {"formations_labels", "training_labels", CODES, MEDNUM_FORMATIONS_LABELS, 0},
    {"autres_formations_labels", "other_labels", TEXTS, 0, 0},
    {"modalites_acces", "access_modes", CODES, MEDNUM_MODALITES_ACCES, 0},
    {"modalites_accompagnement", "support_modes", CODES, MEDNUM_MODALITES_ACCOMPAGNEMENT, 0},
    {"fiche_acces_libre", "accessibility_url", SCALAR, 0, 0},
    {"prise_rdv", "booking_url", SCALAR, 0, 0},
};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

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
    if (c->kind == SCALAR) {
        csv_put_field(out, json_string_value(v) ? json_string_value(v) : "", last);
    } else if (c->kind == NUMBER) {
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
            const char *label = c->kind == CODES ? mednum_label(c->list, s) : s;
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
            validate_error(errors, columns[i].name, "required column missing from the header");
}

/* Splits a `|`-separated value into an array, labels turned into codes. */
static json_t *split(const struct column *c, const char *value, json_t *errors)
{
    json_t *array = json_array();
    char *copy = strdup(value), *save = NULL;
    for (char *item = strtok_r(copy, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
        if (c->kind == TEXTS) {
            json_t *text = json_string(item);
            if (text)
                json_array_append_new(array, text);
            else
                validate_error(errors, c->name, "is not valid UTF-8");
            continue;
        }
        const char *code = mednum_code(c->list, item);
        if (code)
            json_array_append_new(array, json_string(code));
        else
            validate_error(errors, c->name, "\"%.60s\" is not a value of the standard's list",
                           item);
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
        const char *value = at >= 0 && (size_t)at < r->count ? r->fields[at] : "";
        if (*value == '\0')
            continue;
        if (c->kind == SCALAR) {
            json_t *text = json_string(value);
            if (text)
                json_object_set_new(doc, c->member, text);
            else
                validate_error(errors, c->name, "is not valid UTF-8");
        } else if (c->kind == NUMBER) {
            char *end;
            double d = strtod(value, &end);
            if (*end || !isfinite(d))
                validate_error(errors, c->name, "must be a decimal number such as 43.64616");
            else
                json_object_set_new(doc, c->member, json_real(d));
        } else {
            json_object_set_new(doc, c->member, split(c, value, errors));
        }
    }
    return doc;
}
