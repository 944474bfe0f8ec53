#include "validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void validate_error(json_t *errors, const char *field, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

void validate_error_msg(json_t *errors, const char *field, enum msg_id id, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, id);
    msg_vformat(message, sizeof message, lang_current(), id, ap);
    va_end(ap);
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

static bool in_list(const char *value, const char *const *list)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], value) == 0)
            return true;
    return false;
}

bool validate_in_list(const char *value, const char *const *list)
{
    return value && in_list(value, list);
}

void validate_fields(json_t *body, const char *const *writable, const char *const *read_only,
                     json_t *errors)
{
    const char *key;
    const json_t *value;
    json_object_foreach(body, key, value)
    {
        if (in_list(key, writable))
            continue;
        validate_error_msg(errors, key,
                           in_list(key, read_only) ? MSG_FIELD_READ_ONLY : MSG_FIELD_UNKNOWN);
    }
}

size_t validate_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The member `field` of body, or NULL (reported as missing when required). */
static const json_t *member(const json_t *body, const char *field, bool required, json_t *errors)
{
    const json_t *v = json_object_get(body, field);
    if (!v && required)
        validate_error_msg(errors, field, MSG_FIELD_REQUIRED);
    return v;
}

const char *validate_string(const json_t *body, const char *field, bool required, size_t min,
                            size_t max, json_t *errors)
{
    const json_t *v = member(body, field, required, errors);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    if (!s) {
        validate_error_msg(errors, field, MSG_FIELD_NOT_STRING);
        return NULL;
    }
    size_t len = validate_utf8_length(s);
    if (len < min || len > max) {
        validate_error_msg(errors, field, MSG_FIELD_LENGTH, min, max);
        return NULL;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            validate_error_msg(errors, field, MSG_FIELD_CONTROL_CHARS);
            return NULL;
        }
    return s;
}

const char *validate_enum(const json_t *body, const char *field, bool required,
                          const char *const *list, json_t *errors)
{
    const json_t *v = member(body, field, required, errors);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    if (validate_in_list(s, list))
        return s;
    char names[512] = "";
    size_t used = 0;
    for (size_t i = 0; list[i] && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", list[i]);
    validate_error_msg(errors, field, MSG_FIELD_ONE_OF, names);
    return NULL;
}

void validate_code_error(json_t *errors, const char *field, enum code_list list)
{
    validate_error_msg(errors, field, MSG_FIELD_ONE_OF_CODES, codes_name(list));
}

const char *validate_code(const json_t *body, const char *field, bool required, enum code_list list,
                          json_t *errors)
{
    const json_t *v = member(body, field, required, errors);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    if (validate_in_list(s, codes_of(list)))
        return s;
    validate_code_error(errors, field, list);
    return NULL;
}

bool validate_integer(const json_t *body, const char *field, bool required, long min, long max,
                      json_t *errors, long *out)
{
    const json_t *v = member(body, field, required, errors);
    if (!v)
        return false;
    json_int_t n = json_integer_value(v);
    if (!json_is_integer(v) || n < min || n > max) {
        validate_error_msg(errors, field, MSG_FIELD_INTEGER_RANGE, min, max);
        return false;
    }
    *out = (long)n;
    return true;
}

const char *validate_time(const json_t *body, const char *field, bool required, json_t *errors)
{
    const json_t *v = member(body, field, required, errors);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    if (!s || !validate_rfc3339(s)) {
        validate_error_msg(errors, field, MSG_FIELD_RFC3339);
        return NULL;
    }
    return s;
}

const char *validate_uuid_member(const json_t *body, const char *field, bool required,
                                 enum msg_id message, json_t *errors)
{
    const json_t *v = member(body, field, required, errors);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    if (!s || !validate_uuid(s)) {
        validate_error_msg(errors, field, message);
        return NULL;
    }
    return s;
}

void validate_nest(json_t *errors, const char *prefix, json_t *sub)
{
    size_t i;
    json_t *e;
    json_array_foreach(sub, i, e)
    {
        char field[160];
        snprintf(field, sizeof field, "%s.%s", prefix,
                 json_string_value(json_object_get(e, "field")));
        validate_error(errors, field, "%s", json_string_value(json_object_get(e, "message")));
    }
    json_decref(sub);
}

bool validate_etag_matches(const char *header, const char *etag)
{
    if (!header || !etag)
        return false;
    const char *bare = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
    size_t bare_len = strlen(bare);
    for (const char *p = header; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ')
            len--;
        if (len == bare_len && strncmp(p, bare, len) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

/* Reads exactly n digits at *p; advances. -1 when not digits. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

bool validate_rfc3339(const char *s)
{
    const char *p = s;
    int y = digits(&p, 4);
    if (y < 1 || *p++ != '-')
        return false;
    int mo = digits(&p, 2);
    if (*p++ != '-')
        return false;
    int d = digits(&p, 2);
    if (*p != 'T' && *p != 't')
        return false;
    p++;
    int h = digits(&p, 2);
    if (*p++ != ':')
        return false;
    int mi = digits(&p, 2);
    if (*p++ != ':')
        return false;
    int sec = digits(&p, 2);
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] + (mo == 2 && leap) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return false;
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return false;
    p++;
    int oh = digits(&p, 2);
    if (*p++ != ':')
        return false;
    int om = digits(&p, 2);
    /* Real offsets lie within ±14:00; PostgreSQL refuses beyond ±15:59. */
    return oh >= 0 && oh <= 15 && om >= 0 && om <= 59 && *p == '\0';
}

bool validate_uuid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    return true;
}
