/* Bearer token verification: signature with a pinned algorithm, then claims.
 * Pure functions of their inputs (no database, no clock of their own). */
#ifndef AUTH_H
#define AUTH_H

#include "config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define AUTH_MAX_TOKEN 8192
#define AUTH_LEEWAY_S  60
#define AUTH_MAX_SLUG  64
#define AUTH_MAX_SUB   256
#define AUTH_MAX_SCOPE 1024

struct auth_verifier {
    enum token_alg alg;
    const char *key; /* HS256 secret or PEM public key; never empty */
    size_t key_len;
    const char *issuer;   /* NULL: not checked */
    const char *audience; /* NULL: not checked */
};

/* Who acts: copied out of a verified token. */
struct auth_identity {
    char sub[AUTH_MAX_SUB + 1]; /* may be empty */
    char org[AUTH_MAX_SLUG + 1];
    char scope[AUTH_MAX_SCOPE + 1]; /* space-separated */
};

/* Verifies a compact JWS. Returns true and fills *who, or false with a short
 * static reason in *why (safe to send to the client, never the token). */
bool auth_verify_token(const struct auth_verifier *v, const char *token, time_t now,
                       struct auth_identity *who, const char **why);

/* The checks on a decoded JOSE header: `alg` must be the configured one. */
bool auth_check_header(const json_t *header, enum token_alg alg, const char **why);

/* The checks on decoded claims: exp (required), nbf, iat with leeway; iss and
 * aud when configured; org and scope required. */
bool auth_check_claims(const json_t *claims, const struct auth_verifier *v, time_t now,
                       struct auth_identity *who, const char **why);

/* True when the space-separated list holds `scope` as a whole word. */
bool auth_has_scope(const struct auth_identity *who, const char *scope);

/* True for a directory slug: 1-64 of [a-z0-9-], not starting or ending with '-'. */
bool auth_is_slug(const char *s);

#endif
