#include "slug.h"

#include <string.h>

/* ASCII spellings of U+00C0..U+00FF, lower-cased; "" for signs (× ÷). */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

static size_t utf8_length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xE0) == 0xC0)
        return 2;
    if ((lead & 0xF0) == 0xE0)
        return 3;
    if ((lead & 0xF8) == 0xF0)
        return 4;
    return 1;
}

void slug_from_name(const char *name, char *out, size_t cap)
{
    size_t o = 0;
    int pending_hyphen = 0;
    if (cap == 0)
        return;
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        const char *ascii = NULL;
        char single[2] = {0};
        size_t n = utf8_length(*p);
        if (n == 1 && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
            single[0] = (char)*p;
        } else if (n == 1 && *p >= 'A' && *p <= 'Z') {
            single[0] = (char)(*p - 'A' + 'a');
        } else if (n == 2 && (p[0] == 0xC3) && (p[1] & 0xC0) == 0x80) {
            ascii = latin1[p[1] & 0x3F];
        } else if (n == 2 && p[0] == 0xC5 && (p[1] == 0x92 || p[1] == 0x93)) {
            ascii = "oe";
        }
        if (single[0])
            ascii = single;
        if (ascii && *ascii) {
            if (pending_hyphen && o > 0 && o + 1 < cap)
                out[o++] = '-';
            pending_hyphen = 0;
            for (; *ascii && o + 1 < cap; ascii++)
                out[o++] = *ascii;
        } else {
            pending_hyphen = 1;
        }
        for (size_t k = 0; k < n && *p; k++)
            p++;
    }
    out[o] = '\0';
}
