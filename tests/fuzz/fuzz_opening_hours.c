/* Fuzzer: the OSM opening_hours parser, then what is computed from a parsed
 * schedule (is it open at a minute of the week, the multirange for SQL). */
#include "opening_hours.h"

#include "fuzz_input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    if (!text)
        return 0;
    struct oh_schedule s;
    char err[128], range[8192];
    if (oh_parse(text, &s, err, sizeof err) == 0) {
        for (int minute = 0; minute < 7 * 24 * 60; minute += 97)
            oh_is_open(&s, minute, minute % 2 == 0);
        oh_to_multirange(&s, range, sizeof range);
    }
    free(text);
    return 0;
}
