#include "guard.h"

#include "authstate.h"

#include "core_sql.h"
#include "form.h"
#include "route.h"
#include "secrets.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define REALM "Bearer realm=\"inclusion-api\""

/* Why a token in the query (access_token) with other scopes is refused. */
#define QUERY_TOKEN_TOO_BROAD "a token in the query must have exactly the scope workshops:read"

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

/* The token's organisation is in the directory and active, its jti is not
 * revoked and its client (own tokens) is active: one query. False after
 * having answered. */
/* The view's answer, without a round trip (authstate.h); NULL to admit, the
 * reason to refuse, or ASK when the database must say. */
static const char ask_database[] = "";

static const char *from_view(struct req *r, const char *jti, const char *client)
{
    if (!r->app->auth)
        return ask_database;
    switch (authstate_check(r->app->auth, r->who.org, jti, client, time(NULL))) {
    case AUTHSTATE_ADMIT: return NULL;
    case AUTHSTATE_ORG_INACTIVE: return "token organisation is deactivated";
    case AUTHSTATE_REVOKED: return "token has been revoked";
    case AUTHSTATE_CLIENT_INACTIVE: return "token client is deactivated or deleted";
    default: return ask_database;
    }
}

static bool admissible(struct req *r)
{
    const char *jti = r->who.own && r->who.jti[0] ? r->who.jti : NULL;
    const char *client = r->who.own ? r->who.sub : NULL;
    const char *seen = from_view(r, jti, client);
    if (seen != ask_database)
        return seen ? refuse(r, seen) : true;
    const char *params[] = {r->who.org, jti, client};
    PGresult *res = http_sql(r, CORE_SQL_TOKEN_ADMISSIBLE, 3, params, false);
    if (!res)
        return false;
    const char *why = NULL;
    if (PQntuples(res) != 1)
        why = "token organisation is not in the directory";
    else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        why = "token organisation is deactivated";
    else if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
        why = "token has been revoked";
    else if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
        why = "token client is deactivated or deleted";
    PQclear(res);
    return why ? refuse(r, why) : true;
}

/* A dashboard share link, `Authorization: Link SECRET` (POST
 * /v1/dashboard-links): 43 base64url characters (256 bits), of which only the
 * SHA-256 is kept here and in the database. */
#define LINK_SECRET_LEN 43

static bool link_verify(struct req *r, const char *secret)
{
    while (*secret == ' ')
        secret++;
    if (strlen(secret) != LINK_SECRET_LEN ||
        strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
            LINK_SECRET_LEN)
        return refuse_msg(r, "link secret is malformed", MSG_TOKEN_MALFORMED);
    memset(&r->who, 0, sizeof r->who);
    r->who.link = true;
    secrets_sha256_hex(secret, r->who.link_sha256);
    snprintf(r->who.sub, sizeof r->who.sub, "link");
    /* Until guard_confirm names its organisation: the link's own request
     * budget (router.c keys RATE_LIMIT_ORG_* by r->who.org) */
    snprintf(r->who.org, sizeof r->who.org, "link:%.16s", r->who.link_sha256);
    return true;
}

/* 403 insufficient_scope (RFC 6750 §3.1): the link has indicators:read alone,
 * and only for the reads its commune allows. */
static bool link_forbidden(struct req *r, enum msg_id why)
{
    http_set_header(r, "WWW-Authenticate", REALM ", error=\"insufficient_scope\"");
    http_problem_msg(r, 403, "insufficient-scope", why);
    return false;
}

/* The indicator reads a link may make: GET /v1/indicators…, /v1/targets (their
 * scope still checked: by-place and by-org are admin's). Held to a commune:
 * only the two reads that take `commune`, with no other filter. */
static bool link_route_allowed(struct req *r, bool commune)
{
    const char *p = r->route->pattern;
    if (strcmp(r->route->method, "GET") != 0 ||
        (strncmp(p, "/v1/indicators", 14) != 0 && strcmp(p, "/v1/targets") != 0))
        return link_forbidden(r, MSG_LINK_ONLY_INDICATORS);
    if (commune && strcmp(p, "/v1/indicators") != 0 &&
        strcmp(p, "/v1/indicators/{code}/series") != 0)
        return link_forbidden(r, MSG_LINK_COMMUNE_READ);
    if (commune && (http_query(r, "place_id") || http_query(r, "org")))
        return link_forbidden(r, MSG_LINK_COMMUNE_FILTER);
    return true;
}

/* The link is in the database, not revoked, of an active organisation: it
 * acts as that organisation with indicators:read alone, and its commune and
 * period replace the request's own. */
static bool link_confirm(struct req *r)
{
    const char *params[] = {r->who.link_sha256};
    PGresult *res = http_sql(r, CORE_SQL_LINK_ADMISSIBLE, 1, params, false);
    if (!res)
        return false;
    const char *why = NULL;
    if (PQntuples(res) != 1)
        why = "link is unknown or revoked";
    else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
        why = "link organisation is deactivated";
    else {
        snprintf(r->who.org, sizeof r->who.org, "%s", PQgetvalue(res, 0, 0));
        snprintf(r->who.link_commune, sizeof r->who.link_commune, "%s", PQgetvalue(res, 0, 2));
        snprintf(r->who.link_from, sizeof r->who.link_from, "%s", PQgetvalue(res, 0, 3));
        snprintf(r->who.link_to, sizeof r->who.link_to, "%s", PQgetvalue(res, 0, 4));
        snprintf(r->who.scope, sizeof r->who.scope, "indicators:read");
    }
    PQclear(res);
    if (why)
        return refuse(r, why);
    if (!link_route_allowed(r, r->who.link_commune[0] != '\0'))
        return false;
    if (r->who.link_commune[0])
        u_map_put(r->in->map_url, "commune", r->who.link_commune);
    if (r->who.link_from[0]) {
        u_map_put(r->in->map_url, "from", r->who.link_from);
        u_map_put(r->in->map_url, "to", r->who.link_to);
    }
    return guard_require_scope(r, r->route->scope);
}

bool guard_verify(struct req *r)
{
    const char *header = http_header(r, "Authorization");
    if (header && strncasecmp(header, "Link ", 5) == 0)
        return link_verify(r, header + 5);
    const char *in_query =
        (r->route->flags & ROUTE_TOKEN_IN_QUERY) ? http_query(r, "access_token") : NULL;
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
    if (!keystore_verify(r->app->keys, &r->app->verifier, token, time(NULL), &r->who, &why))
        return refuse(r, why);
    /* A URL is logged, kept in histories and shared: only a token that can do
     * nothing but read the calendar may travel in one (a calendar link,
     * POST /v1/calendar-links, is the better way). */
    if (token == in_query && strcmp(r->who.scope, "workshops:read") != 0)
        return refuse(r, QUERY_TOKEN_TOO_BROAD);
    return true;
}

void guard_directory_changed(struct req *r)
{
    authstate_invalidate(r->app->auth);
}

bool guard_anonymous_open_data(const struct req *r)
{
    if (!(r->route->flags & ROUTE_OPEN_DATA) || !r->app->cfg->public_reads)
        return false;
    if (http_header(r, "Authorization"))
        return false;
    return !((r->route->flags & ROUTE_TOKEN_IN_QUERY) && http_query(r, "access_token"));
}

bool guard_confirm(struct req *r)
{
    if (r->who.link)
        return link_confirm(r);
    if (!admissible(r))
        return false;
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

int guard_basic_credentials(const struct req *r, char **id, char **secret)
{
    const char *header = http_header(r, "Authorization");
    *id = *secret = NULL;
    if (!header)
        return 0;
    if (strncasecmp(header, "Basic ", 6) != 0)
        return -1;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t len = strlen(b64);
    if (len == 0 || len % 4 != 0 || len > 2048)
        return -1;
    unsigned char decoded[1540];
    int n = EVP_DecodeBlock(decoded, (const unsigned char *)b64, (int)len);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts the bytes the padding stands for */
    n -= (b64[len - 1] == '=') + (b64[len - 2] == '=');
    const unsigned char *colon = memchr(decoded, ':', (size_t)n);
    if (!colon || memchr(decoded, '\0', (size_t)n))
        return -1;
    *id = form_decode_component((const char *)decoded, (size_t)(colon - decoded));
    *secret = form_decode_component((const char *)colon + 1, (size_t)(n - (colon - decoded) - 1));
    if (*id && *secret)
        return 1;
    free(*id);
    free(*secret);
    *id = *secret = NULL;
    return -1;
}
