#include "form.h"

#include "messages.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *form_decode_component(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (len - i < 3 || hex(text[i + 1]) < 0 || hex(text[i + 2]) < 0) {
                free(out);
                return NULL;
            }
            c = (char)(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        }
        if (c == '\0') {
            free(out);
            return NULL;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

/* Adds one "name=value" pair; false with *why set when it cannot. */
static bool add_pair(json_t *form, const char *p, const char *stop, const char **why)
{
    const char *eq = memchr(p, '=', (size_t)(stop - p));
    const char *name_end = eq ? eq : stop;
    char *name = form_decode_component(p, (size_t)(name_end - p));
    char *value = eq ? form_decode_component(eq + 1, (size_t)(stop - eq - 1)) : strdup("");
    json_t *v = value ? json_string(value) : NULL;
    bool ok = false;
    if (!name || !value)
        *why = msg_text(MSG_OAUTH_FORM_INVALID, lang_current());
    else if (!v)
        *why = msg_text(MSG_OAUTH_FORM_UTF8, lang_current());
    else if (json_object_get(form, name))
        *why = msg_text(MSG_OAUTH_FORM_REPEATED, lang_current());
    else
        ok = json_object_set(form, name, v) == 0;
    json_decref(v);
    free(name);
    free(value);
    return ok;
}

json_t *form_parse(const char *body, size_t len, const char **why)
{
    json_t *form = json_object();
    const char *p = body, *end = body + len;
    *why = msg_text(MSG_OAUTH_FORM_MEMORY, lang_current());
    while (form && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p && !add_pair(form, p, stop, why)) {
            json_decref(form);
            return NULL;
        }
        p = stop + 1;
    }
    return form;
}
