#include "place_input.h"

#include "fields.h"
#include "http.h"
#include "mednum.h"
#include "opening_hours.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST_ITEMS 30

enum kind {
    K_TEXT,      /* a string of 1..max characters */
    K_CODES,     /* an array of codes of a mednum list */
    K_TEXTS,     /* an array of free strings */
    K_EMAILS,    /* an array of e-mail addresses */
    K_URLS,      /* an array of URLs */
    K_URL,       /* one URL */
    K_PHONE,     /* normalised to E.164 */
    K_POSTAL,    /* 5 digits */
    K_INSEE,     /* INSEE code */
    K_PIVOT,     /* SIRET / RNA-like identifier */
    K_HOURS,     /* OSM opening_hours */
    K_DATE,      /* YYYY-MM-DD */
    K_LATITUDE,  /* number */
    K_LONGITUDE, /* number */
};

struct spec {
    const char *field;
    enum place_column column;
    enum kind kind;
    int required;
    size_t max;
    enum mednum_list list;
};

/* The checks of the FIELD lines of place_fields.h, in their order. */
#define SPEC(id, member, column, sql, input, required, max, list, ...)                             \
    {member, PC_##id, K_##input, required, max, list},
static const struct spec specs[] = {PLACE_FIELDS(SPEC, PLACE_FIELDS_NONE)};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])

#define WRITABLE(id, member, ...) member,
const char *const place_writable_fields[] = {PLACE_FIELDS(WRITABLE, PLACE_FIELDS_NONE) NULL};

const char *const place_read_only_fields[] = {"id",      "owner",      "created_at", "updated_at",
                                              "deleted", "distance_m", NULL};

/* A kind stored as a JSON array of strings (an empty one when left out). */
static bool is_list(enum kind kind)
{
    return kind == K_CODES || kind == K_TEXTS || kind == K_EMAILS || kind == K_URLS;
}

static char *format_double(double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.7f", v);
    return strdup(buf);
}

static bool valid_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
        s[7] != '-' || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* One element of a list: checked according to the list's kind. */
static bool check_item(const struct spec *sp, const char *item, const char **why)
{
    switch (sp->kind) {
    case K_CODES:
        *why = "is not a code of this list (see the OpenAPI enumeration)";
        return mednum_label(sp->list, item) != NULL;
    case K_EMAILS: return fields_email(item, why);
    case K_URLS: return fields_url(item, why);
    default:
        *why = "must be 1 to 250 characters, without control characters nor |";
        return *item && validate_utf8_length(item) <= sp->max &&
               strcspn(item, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
                             "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
                             "\x7f|") == strlen(item);
    }
}

/* An array of strings: every item valid, no duplicates; stored as JSON text. */
static void read_list(const struct spec *sp, const json_t *v, struct place_input *out,
                      json_t *errors)
{
    if (!json_is_array(v)) {
        validate_error_msg(errors, sp->field, MSG_PLACE_NOT_STRING_ARRAY);
        return;
    }
    if (json_array_size(v) > MAX_LIST_ITEMS) {
        validate_error_msg(errors, sp->field, MSG_PLACE_TOO_MANY_ITEMS, MAX_LIST_ITEMS);
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item), *why = NULL;
        if (!s) {
            validate_error_msg(errors, sp->field, MSG_PLACE_ITEM_NOT_STRING, i);
            return;
        }
        if (!check_item(sp, s, &why)) {
            validate_error_msg(errors, sp->field, MSG_PLACE_ITEM_BAD, i, s, why);
            return;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(json_string_value(json_array_get(v, j)), s) == 0) {
                validate_error_msg(errors, sp->field, MSG_PLACE_ITEM_REPEATED, i, j);
                return;
            }
    }
    out->values[sp->column] = json_dumps(v, JSON_COMPACT);
}

static void read_number(const struct spec *sp, const json_t *v, struct place_input *out,
                        json_t *errors)
{
    const char *why = NULL;
    double d = json_number_value(v);
    if (!json_is_number(v)) {
        validate_error_msg(errors, sp->field, MSG_PLACE_NOT_DEGREES);
        return;
    }
    bool ok = sp->kind == K_LATITUDE ? fields_latitude(d, &why) : fields_longitude(d, &why);
    if (!ok)
        validate_error(errors, sp->field, "%s", why);
    else
        out->values[sp->column] = format_double(d);
}

static void read_hours(const struct spec *sp, const char *s, struct place_input *out,
                       json_t *errors)
{
    struct oh_schedule schedule;
    char err[160], ranges[2048];
    if (oh_parse(s, &schedule, err, sizeof err) != 0) {
        validate_error_msg(errors, sp->field, MSG_PLACE_OPENING_HOURS, err);
        return;
    }
    if (oh_to_multirange(&schedule, ranges, sizeof ranges) != 0) {
        validate_error_msg(errors, sp->field, MSG_PLACE_TOO_MANY_SPANS);
        return;
    }
    out->values[PC_OPENING_HOURS] = strdup(s);
    out->values[PC_OPEN_MINUTES] = strdup(ranges);
    out->values[PC_CLOSED_ON_PH] = strdup(schedule.closed_on_public_holidays ? "true" : "false");
}

/* One scalar string member. */
static void read_string(const struct spec *sp, const json_t *v, struct place_input *out,
                        json_t *errors)
{
    const char *s = json_string_value(v), *why = NULL;
    if (!s) {
        validate_error_msg(errors, sp->field, MSG_FIELD_NOT_STRING);
        return;
    }
    size_t len = validate_utf8_length(s);
    if (len == 0 || len > sp->max) {
        validate_error_msg(errors, sp->field, MSG_FIELD_LENGTH_MAX, sp->max);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            validate_error_msg(errors, sp->field, MSG_FIELD_CONTROL_CHARS);
            return;
        }
    char e164[32];
    bool ok = true;
    switch (sp->kind) {
    case K_URL: ok = fields_url(s, &why); break;
    case K_PHONE: ok = fields_phone(s, e164, sizeof e164, &why); break;
    case K_POSTAL: ok = fields_postal_code(s, &why); break;
    case K_INSEE: ok = fields_insee_code(s, &why); break;
    case K_PIVOT: ok = fields_pivot(s, &why); break;
    case K_DATE:
        ok = valid_date(s);
        why = msg_text(MSG_PLACE_DATE, lang_current());
        break;
    case K_HOURS: read_hours(sp, s, out, errors); return;
    default: break;
    }
    if (!ok)
        validate_error(errors, sp->field, "%s", why);
    else
        out->values[sp->column] = strdup(sp->kind == K_PHONE ? e164 : s);
}

void place_input_from_json(json_t *doc, const char *owner, struct place_input *out, json_t *errors)
{
    memset(out, 0, sizeof *out);
    out->values[PC_OWNER] = strdup(owner);
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        const struct spec *sp = &specs[i];
        const json_t *v = json_object_get(doc, sp->field);
        if (!v || json_is_null(v)) {
            if (sp->required)
                validate_error_msg(errors, sp->field, MSG_FIELD_REQUIRED);
            continue;
        }
        if (is_list(sp->kind))
            read_list(sp, v, out, errors);
        else if (sp->kind == K_LATITUDE || sp->kind == K_LONGITUDE)
            read_number(sp, v, out, errors);
        else
            read_string(sp, v, out, errors);
    }
    bool has_lat =
        json_object_get(doc, "latitude") && !json_is_null(json_object_get(doc, "latitude"));
    bool has_lon =
        json_object_get(doc, "longitude") && !json_is_null(json_object_get(doc, "longitude"));
    if (has_lat != has_lon)
        validate_error_msg(errors, has_lat ? "longitude" : "latitude", MSG_PLACE_LAT_LON_TOGETHER);
    if (!out->values[PC_SOURCE])
        out->values[PC_SOURCE] = strdup("inclusion-api");
    if (!out->values[PC_CLOSED_ON_PH])
        out->values[PC_CLOSED_ON_PH] = strdup("false");
    for (size_t i = 0; i < SPEC_COUNT; i++)
        if (is_list(specs[i].kind) && !out->values[specs[i].column])
            out->values[specs[i].column] = strdup("[]");
}

void place_input_free(struct place_input *in)
{
    for (int i = 0; i < PC_COUNT; i++)
        free(in->values[i]);
    memset(in, 0, sizeof *in);
}
