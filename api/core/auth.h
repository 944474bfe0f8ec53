/* Bearer token verification: signature with a pinned algorithm, then claims.
 * Pure functions of their inputs (no database, no clock of their own). */
#ifndef AUTH_H
#define AUTH_H

#include "config.h"

#include <jansson.h>
#include <openssl/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define AUTH_MAX_TOKEN 8192
#define AUTH_LEEWAY_S  60
#define AUTH_MAX_SLUG  64
#define AUTH_MAX_SUB   256
#define AUTH_MAX_SCOPE 1024
#define AUTH_MAX_KID   64
#define AUTH_MAX_JTI   64
#define AUTH_MAX_KEYS  16
/* JWT_MAX_TTL_S's default, and what a verifier with max_ttl_s = 0 applies. */
#define AUTH_DEFAULT_MAX_TTL_S 86400

/* The external issuer (JWT_ALG, JWT_SECRET or JWT_PUBLIC_KEY_FILE, JWT_ISSUER,
 * JWT_AUDIENCE): its algorithm is pinned, its key is the configured one. */
struct auth_verifier {
    enum token_alg alg;
    const char *key; /* HS256 secret or PEM public key; never empty */
    size_t key_len;
    const char *issuer;   /* NULL: not checked */
    const char *audience; /* NULL: not checked; otherwise `aud` is required */
    EVP_PKEY *pkey;       /* RS256/ES256: `key` parsed once (auth_verifier_prepare) */
    long max_ttl_s;       /* exp - iat (or exp - now) at most; 0: AUTH_DEFAULT_MAX_TTL_S */
};

/* One of the service's own ES256 public keys, by its kid. */
struct auth_own_key {
    char kid[AUTH_MAX_KID + 1];
    EVP_PKEY *key; /* P-256 public (or private) key, parsed once */
};

/* Tokens whose ES256 signature was checked already, by the SHA-256 of the
 * whole compact token: a partner presents the same token for its whole life,
 * and an ECDSA verification costs about 100 µs where a hash costs 1. Only
 * the signature is remembered: every claim is checked again each time.
 * Thread-safe; a fixed table (a slot is overwritten by a newer token). */
struct auth_sig_cache;

/* A new, empty cache; NULL when out of memory. */
struct auth_sig_cache *auth_sig_cache_new(void);
/* Forgets every token (when the key set changes). */
void auth_sig_cache_clear(struct auth_sig_cache *cache);
void auth_sig_cache_free(struct auth_sig_cache *cache);

/* The service's own issuer (TOKEN_ISSUER): ES256 only, the key chosen by
 * `kid` among these and nowhere else, `aud` always required. */
struct auth_keyset {
    const char *issuer;           /* NULL: the service issues no tokens */
    const char *audience;         /* what its tokens carry in `aud` */
    long max_ttl_s;               /* as in auth_verifier */
    struct auth_sig_cache *cache; /* NULL: every signature is checked */
    size_t count;
    struct auth_own_key keys[AUTH_MAX_KEYS];
};

/* Who acts: copied out of a verified token. */
struct auth_identity {
    char sub[AUTH_MAX_SUB + 1]; /* may be empty */
    char org[AUTH_MAX_SLUG + 1];
    char scope[AUTH_MAX_SCOPE + 1]; /* space-separated */
    char jti[AUTH_MAX_JTI + 1];     /* may be empty */
    double exp;                     /* the token's exp (seconds since the epoch) */
    bool own;                       /* issued by the service itself (TOKEN_ISSUER) */
    /* A dashboard share link (`Authorization: Link SECRET`, guard.c): the
     * secret's SHA-256, then from the database the limits it holds to
     * (empty: none). */
    bool link;
    char link_sha256[65];
    char link_commune[6];
    char link_from[11], link_to[11];
};

/* Parses v->key into v->pkey for RS256/ES256 (nothing for HS256): true, or
 * false when the PEM is not a public key of the algorithm. Released by
 * auth_verifier_release. */
bool auth_verifier_prepare(struct auth_verifier *v);
void auth_verifier_release(struct auth_verifier *v);

/* Verifies a compact JWS with the external issuer only: auth_verify(v, NULL, ...). */
bool auth_verify_token(const struct auth_verifier *v, const char *token, time_t now,
                       struct auth_identity *who, const char **why);

/* Verifies a compact JWS. The verifier is chosen by the token's `iss`: the
 * own issuer's (own->issuer; ES256, the key named by `kid` among own->keys,
 * `aud` = own->audience) when it names it, the external one (`ext`, may be
 * NULL) otherwise. Returns true and fills *who, or false with a short static
 * reason in *why (safe to send to the client, never the token). */
bool auth_verify(const struct auth_verifier *ext, const struct auth_keyset *own, const char *token,
                 time_t now, struct auth_identity *who, const char **why);

/* Checks an ES256 signature (raw R||S, 64 bytes) over `input` with `key`. */
bool auth_es256_ok(EVP_PKEY *key, const char *input, size_t input_len, const unsigned char *sig,
                   size_t sig_len);

/* The checks on a decoded JOSE header: `alg` must be the configured one. */
bool auth_check_header(const json_t *header, enum token_alg alg, const char **why);

/* The checks on decoded claims: exp (required), nbf, iat with leeway; a
 * lifetime (exp - iat, or exp - now without iat) of at most v->max_ttl_s; iss
 * and aud when configured (aud then required); org and scope required; jti
 * copied when present. */
bool auth_check_claims(const json_t *claims, const struct auth_verifier *v, time_t now,
                       struct auth_identity *who, const char **why);

/* True when the space-separated list holds `scope` as a whole word. */
bool auth_has_scope(const struct auth_identity *who, const char *scope);

/* The scopes the API knows (the contract's list), NULL-terminated. */
extern const char *const auth_scopes[];

/* True when `scope` is one of auth_scopes. */
bool auth_scope_exists(const char *scope);

/* True for a directory slug: 1-64 of [a-z0-9-], not starting or ending with '-'. */
bool auth_is_slug(const char *s);

#endif
