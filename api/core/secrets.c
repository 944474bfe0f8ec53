#include "secrets.h"

#include "base64url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static bool fill(unsigned char *buf, size_t n)
{
    return n <= 256 && getrandom(buf, n, 0) == (ssize_t)n;
}

char *secrets_random(size_t nbytes)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw || !fill(raw, nbytes))
        return NULL;
    char *out = base64url_encode(raw, nbytes);
    OPENSSL_cleanse(raw, sizeof raw);
    return out;
}

bool secrets_random_hex(size_t nbytes, char *out)
{
    unsigned char raw[32];
    if (nbytes > sizeof raw || !fill(raw, nbytes))
        return false;
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return true;
}

void secrets_sha256_hex(const char *text, char out[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(text, strlen(text), digest, &n, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    out[64] = '\0';
}

bool secrets_hash_equal(const char *a, const char *b)
{
    return strlen(a) == 64 && strlen(b) == 64 && CRYPTO_memcmp(a, b, 64) == 0;
}
