/* Fuzzer: the national standard's field validators (phone, e-mail, web
 * address, postal and INSEE codes, SIRET pivot). An accepted phone number is
 * written in E.164 within its buffer. */
#include "fields.h"

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
    const char *why;
    char e164[FIELDS_E164_SIZE];
    if (fields_phone(s, e164, sizeof e164, &why) && (e164[0] != '+' || strlen(e164) > 16))
        abort();
    fields_email(s, &why);
    fields_url(s, &why);
    fields_postal_code(s, &why);
    fields_insee_code(s, &why);
    fields_pivot(s, &why);
    free(s);
    return 0;
}
