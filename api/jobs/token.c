#include "token.h"

#include <jwt.h>
#include <string.h>
#include <time.h>

static jwt_alg_t libjwt_alg(enum token_alg alg)
{
    return alg == TOKEN_RS256 ? JWT_ALG_RS256 : alg == TOKEN_ES256 ? JWT_ALG_ES256 : JWT_ALG_HS256;
}

char *token_mint(const struct config *cfg, const char *sub, const char *org, const char *scope,
                 long ttl_seconds)
{
    jwt_t *jwt = NULL;
    if (jwt_new(&jwt) != 0)
        return NULL;
    long now = (long)time(NULL);
    int rc = jwt_set_alg(jwt, libjwt_alg(cfg->jwt_alg), (const unsigned char *)cfg->jwt_sign_key,
                         (int)cfg->jwt_sign_key_len);
    rc = rc || jwt_add_grant(jwt, "org", org) || jwt_add_grant(jwt, "scope", scope) ||
         jwt_add_grant_int(jwt, "iat", now) || jwt_add_grant_int(jwt, "exp", now + ttl_seconds);
    if (!rc && sub)
        rc = jwt_add_grant(jwt, "sub", sub);
    if (!rc && cfg->jwt_issuer)
        rc = jwt_add_grant(jwt, "iss", cfg->jwt_issuer);
    if (!rc && cfg->jwt_audience)
        rc = jwt_add_grant(jwt, "aud", cfg->jwt_audience);
    char *token = rc ? NULL : jwt_encode_str(jwt);
    jwt_free(jwt);
    return token;
}
