/* The service's own ES256 (P-256) keys: generation, PEM, JWK and signing
 * (pure OpenSSL), and the key store `serve` holds: the published keys that
 * verify, the one that signs, the JWKS, re-read from the database every
 * KEYS_REFRESH_S seconds by a thread of its own. */
#ifndef SIGNING_H
#define SIGNING_H

#include "auth.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <openssl/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A new P-256 key pair, or NULL. The caller frees it with EVP_PKEY_free. */
EVP_PKEY *signing_generate(void);

/* The private key as PKCS#8 PEM (caller frees), or NULL. */
char *signing_private_pem(EVP_PKEY *key);

/* A P-256 private key from PEM, or NULL (not PEM, not P-256). Caller frees. */
EVP_PKEY *signing_parse_private(const char *pem);

/* The public JWK of a P-256 key (RFC 7517/7518: kty EC, crv P-256, x, y, and
 * kid, use sig, alg ES256 when kid is not NULL): a new reference, or NULL. */
json_t *signing_jwk(EVP_PKEY *key, const char *kid);

/* The RFC 7638 thumbprint of the key's public JWK, base64url (43 chars), into
 * kid (at least 44 bytes). False on failure. */
bool signing_thumbprint(EVP_PKEY *key, char *kid, size_t cap);

/* A compact JWS of `claims` (borrowed) signed ES256 with `key`, header
 * {"alg":"ES256","typ":"JWT","kid":kid}. The caller frees it; NULL on failure. */
char *signing_es256(EVP_PKEY *key, const char *kid, const json_t *claims);

struct keystore;

/* An empty store for the own issuer `issuer` (NULL: no own tokens; the store
 * stays empty). `max_ttl_s` is JWT_MAX_TTL_S; `published_after_retire_s` how
 * long a retired key still verifies. NULL when out of memory. */
struct keystore *keystore_new(const char *issuer, long max_ttl_s, long published_after_retire_s);

/* Reads the published keys from the database on `conn` and swaps them in:
 * 0, or -1 with a message in err (the store keeps what it had). */
int keystore_load(struct keystore *ks, PGconn *conn, char *err, size_t err_len);

/* Starts the thread that reloads every `every_s` seconds on a connection of
 * its own to `url`. False when the thread cannot start. */
bool keystore_start(struct keystore *ks, const char *url, int statement_timeout_ms, int every_s);

/* Stops the thread (if started) and frees everything. NULL is harmless. */
void keystore_free(struct keystore *ks);

/* auth_verify with the store's current keys as the own issuer's. */
bool keystore_verify(struct keystore *ks, const struct auth_verifier *ext, const char *token,
                     time_t now, struct auth_identity *who, const char **why);

/* Signs `claims` (borrowed) with the current signing key: a compact JWS the
 * caller frees, or NULL when there is no key that may sign yet. */
char *keystore_sign(struct keystore *ks, const json_t *claims);

/* The JWKS document (RFC 7517 §5) of the published keys, serialised: the
 * caller frees it. */
char *keystore_jwks(struct keystore *ks);

#endif
