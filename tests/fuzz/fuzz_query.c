/* Fuzzer: what query strings and headers carry — cursors, times, dates,
 * UUIDs, entity tags, slugs, Accept-Language. Each checker must accept or refuse any bytes
 * without a crash, and an accepted cursor must decode to what it encodes. */
#include "auth.h"
#include "cursor.h"
#include "dates.h"
#include "lang.h"
#include "validate.h"

#include "fuzz_input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    if (!s)
        return 0;
    validate_rfc3339(s);
    validate_uuid(s);
    validate_etag_matches(s, "\"abc\"");
    auth_is_slug(s);
    /* a language we speak, whatever the header; the fallback only breaks ties */
    enum lang fr = lang_negotiate(s, LANG_FR), en = lang_negotiate(s, LANG_EN);
    if ((unsigned)fr >= LANG_COUNT || (unsigned)en >= LANG_COUNT)
        abort();
    long days;
    dates_parse(s, &days);
    char *keys[2] = {NULL, NULL};
    if (cursor_decode(s, 2, 64, keys)) {
        /* what decodes encodes back to a cursor that decodes the same */
        const char *const again[] = {keys[0], keys[1]};
        char *encoded = cursor_encode(again, 2);
        char *back[2] = {NULL, NULL};
        if (!encoded || !cursor_decode(encoded, 2, 64, back) || strcmp(back[0], keys[0]) != 0 ||
            strcmp(back[1], keys[1]) != 0)
            abort();
        free(back[0]);
        free(back[1]);
        free(encoded);
        free(keys[0]);
        free(keys[1]);
    }
    free(s);
    return 0;
}
