/* Fuzzer: the bearer token guard. Any bytes as a token against an HS256
 * verifier must be refused without a crash (nobody knows the secret), and
 * any JSON as a JOSE header or claims set must be checked without one. */
#include "auth.h"

#include "fuzz_input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char secret[] = "fuzz-secret-0123456789-0123456789-0123";
    const struct auth_verifier v = {.alg = TOKEN_HS256,
                                    .key = secret,
                                    .key_len = sizeof secret - 1,
                                    .issuer = "https://issuer",
                                    .audience = "inclusion-api"};
    char *token = fuzz_cstring(data, size);
    if (!token)
        return 0;
    struct auth_identity who;
    const char *why = NULL;
    if (auth_verify_token(&v, token, 1800000000, &who, &why))
        abort(); /* a forged token got in */
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (doc) {
        auth_check_header(doc, TOKEN_HS256, &why);
        auth_check_header(doc, TOKEN_RS256, &why);
        if (auth_check_claims(doc, &v, 1800000000, &who, &why) &&
            (!auth_is_slug(who.org) || strlen(who.scope) > AUTH_MAX_SCOPE))
            abort(); /* accepted claims always name a directory slug */
        json_decref(doc);
    }
    free(token);
    return 0;
}
