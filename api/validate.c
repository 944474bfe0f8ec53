#include "validate.h"

#include "http.h"

#include <string.h>

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
        http_error_add(errors, key,
                       in_list(key, read_only) ? "is read-only" : "is not a known field");
    }
}

size_t validate_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

const char *validate_string(const json_t *body, const char *field, bool required, size_t min,
                            size_t max, json_t *errors)
{
    const json_t *v = json_object_get(body, field);
    if (!v) {
        if (required)
            http_error_add(errors, field, "is required");
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!s) {
        http_error_add(errors, field, "must be a string");
        return NULL;
    }
    size_t len = validate_utf8_length(s);
    if (len < min || len > max) {
        http_error_add(errors, field, "must be %zu to %zu characters long", min, max);
        return NULL;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            http_error_add(errors, field, "must not contain control characters");
            return NULL;
        }
    return s;
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
