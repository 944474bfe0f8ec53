#include "cursor.h"

#include "base64url.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CURSOR 1024

char *cursor_encode(const char *const *keys, size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(array, json_string(keys[i]));
    char *text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    if (!text)
        return NULL;
    char *cursor = base64url_encode((const unsigned char *)text, strlen(text));
    free(text);
    return cursor;
}

bool cursor_decode(const char *cursor, size_t count, size_t max_len, char **keys)
{
    size_t len = strlen(cursor), raw_len = 0;
    if (len == 0 || len > MAX_CURSOR)
        return false;
    unsigned char *raw = base64url_decode(cursor, len, &raw_len);
    if (!raw)
        return false;
    json_t *array = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    bool ok = json_is_array(array) && json_array_size(array) == count;
    for (size_t i = 0; ok && i < count; i++) {
        const char *s = json_string_value(json_array_get(array, i));
        ok = s && strlen(s) <= max_len;
    }
    for (size_t i = 0; ok && i < count; i++)
        keys[i] = strdup(json_string_value(json_array_get(array, i)));
    json_decref(array);
    return ok;
}
