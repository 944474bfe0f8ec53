/* Tokens for tests, built with OpenSSL independently of the service's own
 * libjwt code: valid ones, and every kind of forgery. */
#ifndef TEST_TOKENS_H
#define TEST_TOKENS_H

#include <stddef.h>

/* Signs base64url(header).base64url(payload) as a compact JWS. `alg` is HS256,
 * HS384, HS512 (key: secret bytes), RS256 (key: PEM private RSA), ES256 (key:
 * PEM private P-256; signature R||S as RFC 7518 says) or "none" (empty
 * signature). Returns a string the caller frees. */
char *jws_sign(const char *header_json, const char *payload_json, const char *alg, const char *key,
               size_t key_len);

/* A valid HS256 token signed with TEST_JWT_SECRET, exp in 10 minutes. The
 * caller frees it. */
char *test_token(const char *org, const char *scope);

/* The claims of test_token as JSON text with exp = now + exp_offset (caller frees). */
char *test_claims(const char *org, const char *scope, long exp_offset);

/* Generates an RSA-2048 ("RSA") or P-256 ("EC") key pair; writes the public key
 * as PEM to a new temporary file whose path goes into pub_path; returns the
 * private key PEM and, when pub_pem is not NULL, the public PEM (caller frees both). */
char *generate_keypair(const char *type, char *pub_path, size_t cap, char **pub_pem);

#endif
