/* Base64url without padding (RFC 4648 §5), as JWTs and cursors use it. */
#ifndef BASE64URL_H
#define BASE64URL_H

#include <stddef.h>

/* Encodes len bytes; returns a NUL-terminated string the caller frees. */
char *base64url_encode(const unsigned char *data, size_t len);

/* Decodes `len` characters (no padding, no whitespace). Returns a buffer the
 * caller frees, NUL-terminated for convenience, with its length in *out_len;
 * NULL when the input is not canonical base64url. */
unsigned char *base64url_decode(const char *text, size_t len, size_t *out_len);

#endif
