/* Minting tokens for operators and tests (the `token` sub-command). */
#ifndef TOKEN_H
#define TOKEN_H

#include "config.h"

#include <libpq-fe.h>
#include <stddef.h>

/* Signs a token with the configured key: sub, org, scope, iat, exp = now + ttl,
 * and iss/aud when configured. Returns a string the caller frees, or NULL. */
char *token_mint(const struct config *cfg, const char *sub, const char *org, const char *scope,
                 long ttl_seconds);

/* Checks what a token would claim: every scope of the space-separated list
 * is a scope of the API, and `org` is in the directory (one query on conn).
 * 0, or -1 with a message in err. */
int token_check(PGconn *conn, const char *org, const char *scope, char *err, size_t err_len);

#endif
