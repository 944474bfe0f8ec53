#include "token.h"

#include "auth.h"
#include "core_sql.h"

#include <jwt.h>
#include <stdio.h>
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

int token_check(PGconn *conn, const char *org, const char *scope, char *err, size_t err_len)
{
    char copy[AUTH_MAX_SCOPE + 1], *save = NULL;
    if (strlen(scope) > AUTH_MAX_SCOPE) {
        snprintf(err, err_len, "--scope is over %d bytes", AUTH_MAX_SCOPE);
        return -1;
    }
    snprintf(copy, sizeof copy, "%s", scope);
    for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save))
        if (!auth_scope_exists(s)) {
            snprintf(err, err_len, "--scope: \"%s\" is not a scope of the API", s);
            return -1;
        }
    if (!auth_is_slug(org)) {
        snprintf(err, err_len, "--org: \"%s\" is not an organisation slug", org);
        return -1;
    }
    const char *params[] = {org};
    PGresult *res = PQexecParams(conn, CORE_SQL_ORG_EXISTS, 1, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, err_len, "%s", PQerrorMessage(conn));
        rc = -1;
    } else if (PQntuples(res) == 0) {
        snprintf(err, err_len, "--org: \"%s\" is not in the directory", org);
        rc = -1;
    }
    PQclear(res);
    return rc;
}
