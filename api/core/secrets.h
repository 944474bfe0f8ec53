/* Random secrets and their hashes: client secrets (256 bits from the
 * kernel's CSPRNG), token ids, and the SHA-256 that is all the database keeps
 * of a secret. */
#ifndef SECRETS_H
#define SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/* `nbytes` (at most 64) random bytes from getrandom, base64url: a string the
 * caller frees, or NULL. */
char *secrets_random(size_t nbytes);

/* `nbytes` (at most 32) random bytes as lower-case hex into out (2 * nbytes + 1
 * bytes). False when the kernel gave none. */
bool secrets_random_hex(size_t nbytes, char *out);

/* The SHA-256 of `text` as 64 lower-case hex digits and a NUL. */
void secrets_sha256_hex(const char *text, char out[65]);

/* Compares two 64-digit hashes in constant time (CRYPTO_memcmp). */
bool secrets_hash_equal(const char *a, const char *b);

#endif
