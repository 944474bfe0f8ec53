/* What the harnesses share: the fuzzer's bytes as the C string the parsers
 * take. */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A NUL-terminated copy of data (the caller frees it), or NULL when out of
 * memory. A NUL byte inside the data ends the string early, as it would for
 * the service, which refuses such input before parsing. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s) {
        memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

#endif
