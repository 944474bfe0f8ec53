/* Fuzzer: RRULE expansion (the workshops' recurring series). Occurrences must
 * come out ascending, starting with the start date, within the output array. */
#include "rrule.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long ordinal(struct rrule_date d)
{
    return (long)d.year * 10000 + d.month * 100 + d.day;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct rrule_date start = {2026, 1 + data[0] % 12, 1 + data[1] % 31};
    char *rule = malloc(size - 1);
    if (!rule)
        return 0;
    memcpy(rule, data + 2, size - 2);
    rule[size - 2] = '\0';
    static struct rrule_date out[RRULE_MAX_OCCURRENCES];
    int count = 0;
    char err[128];
    if (rrule_expand(rule, start, out, &count, err, sizeof err) == 0) {
        if (count < 1 || count > RRULE_MAX_OCCURRENCES || ordinal(out[0]) != ordinal(start))
            abort();
        for (int i = 1; i < count; i++)
            if (ordinal(out[i]) <= ordinal(out[i - 1]))
                abort();
    }
    free(rule);
    return 0;
}
