/* Minting tokens for operators and tests (the `token` sub-command). */
#ifndef TOKEN_H
#define TOKEN_H

#include "config.h"

/* Signs a token with the configured key: sub, org, scope, iat, exp = now + ttl,
 * and iss/aud when configured. Returns a string the caller frees, or NULL. */
char *token_mint(const struct config *cfg, const char *sub, const char *org, const char *scope,
                 long ttl_seconds);

#endif
