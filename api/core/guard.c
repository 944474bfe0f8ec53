#include "guard.h"

#include "core_sql.h"
#include "route.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define REALM "Bearer realm=\"inclusion-api\""

/* 401 invalid_token: the challenge's error_description is `reason` (ASCII,
 * English, RFC 6750 §3); the problem's detail is `id` in the request's
 * language, with `reason` as its %s when the message has one. */
static bool refuse_msg(struct req *r, const char *reason, enum msg_id id)
{
    char challenge[256];
    snprintf(challenge, sizeof challenge,
             REALM ", error=\"invalid_token\", error_description=\"%s\"", reason);
    http_set_header(r, "WWW-Authenticate", challenge);
    http_problem_msg(r, 401, "invalid-token", id, reason);
    return false;
}

/* The detail of auth_verify_token's reasons (auth.c): a message of the
 * catalogue for those known, the reason quoted in MSG_TOKEN_REFUSED for any
 * other. The messages with a %s quote the reason. */
static const struct {
    const char *reason;
    enum msg_id id;
} reasons[] = {
    {"token has expired", MSG_TOKEN_EXPIRED},
    {"token is not valid yet (nbf)", MSG_TOKEN_NOT_YET_VALID},
    {"token is issued in the future (iat)", MSG_TOKEN_NOT_YET_VALID},
    {"token signature is not valid", MSG_TOKEN_BAD_SIGNATURE},
    {"token algorithm not accepted", MSG_TOKEN_ALGORITHM},
    {"token issuer not accepted", MSG_TOKEN_ISSUER},
    {"token audience not accepted", MSG_TOKEN_AUDIENCE},
    {"empty token", MSG_TOKEN_MALFORMED},
    {"token too long", MSG_TOKEN_MALFORMED},
    {"token is not a signed JWT", MSG_TOKEN_MALFORMED},
    {"token header is not base64url JSON", MSG_TOKEN_MALFORMED},
    {"token header is not a JSON object", MSG_TOKEN_MALFORMED},
    {"token header has critical extensions", MSG_TOKEN_MALFORMED},
    {"token type is not JWT", MSG_TOKEN_MALFORMED},
    {"token claims are not base64url JSON", MSG_TOKEN_MALFORMED},
    {"token claims are not a JSON object", MSG_TOKEN_CLAIMS},
    {"token has no exp claim", MSG_TOKEN_CLAIMS},
    {"token exp claim is not a number", MSG_TOKEN_CLAIMS},
    {"token sub claim is not a string of at most 256 bytes", MSG_TOKEN_CLAIMS},
    {"token has no valid org claim", MSG_TOKEN_CLAIMS},
    {"token has no valid scope claim", MSG_TOKEN_CLAIMS},
};

static bool refuse(struct req *r, const char *reason)
{
    for (size_t i = 0; reason && i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(reasons[i].reason, reason) == 0)
            return refuse_msg(r, reason, reasons[i].id);
    return refuse_msg(r, reason ? reason : "invalid token", MSG_TOKEN_REFUSED);
}

bool guard_require_scope(struct req *r, const char *scope)
{
    if (auth_has_scope(&r->who, scope))
        return true;
    char challenge[160];
    snprintf(challenge, sizeof challenge, REALM ", error=\"insufficient_scope\", scope=\"%s\"",
             scope);
    http_set_header(r, "WWW-Authenticate", challenge);
    http_problem_msg(r, 403, "insufficient-scope", MSG_INSUFFICIENT_SCOPE, scope);
    return false;
}

static bool organisation_exists(struct req *r, bool *exists)
{
    const char *params[] = {r->who.org};
    PGresult *res = http_sql(r, CORE_SQL_ORG_EXISTS, 1, params, false);
    if (!res)
        return false;
    *exists = PQntuples(res) == 1;
    PQclear(res);
    return true;
}

bool guard_verify(struct req *r)
{
    const char *header = http_header(r, "Authorization");
    const char *in_query = r->route->token_in_query ? http_query(r, "access_token") : NULL;
    const char *token = in_query;
    if (header) {
        if (strncasecmp(header, "Bearer ", 7) != 0)
            return refuse_msg(r, "the Authorization scheme must be Bearer", MSG_TOKEN_SCHEME);
        token = header + 7;
        while (*token == ' ')
            token++;
    } else if (!in_query) {
        http_set_header(r, "WWW-Authenticate", REALM);
        http_problem_msg(r, 401, "missing-token", MSG_MISSING_TOKEN);
        return false;
    }
    const char *why = NULL;
    if (!auth_verify_token(&r->app->verifier, token, time(NULL), &r->who, &why))
        return refuse(r, why);
    return true;
}

bool guard_confirm(struct req *r)
{
    bool exists = false;
    if (!organisation_exists(r, &exists))
        return false;
    if (!exists)
        return refuse_msg(r, "token organisation is not in the directory", MSG_TOKEN_ORG_UNKNOWN);
    if (r->route->scope[0] != '\0')
        return guard_require_scope(r, r->route->scope);
    return true;
}

bool guard_admit(struct req *r)
{
    return guard_verify(r) && guard_confirm(r);
}

bool guard_owns(struct req *r, const char *owner)
{
    if (strcmp(r->who.org, owner) == 0 || auth_has_scope(&r->who, "admin"))
        return true;
    http_problem_msg(r, 403, "not-owner", MSG_NOT_OWNER);
    return false;
}
