#include "auth.h"

#include "base64url.h"

#include <jwt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REFUSE(msg)                                                                                \
    do {                                                                                           \
        *why = (msg);                                                                              \
        return false;                                                                              \
    } while (0)

static jwt_alg_t libjwt_alg(enum token_alg alg)
{
    switch (alg) {
    case TOKEN_RS256: return JWT_ALG_RS256;
    case TOKEN_ES256: return JWT_ALG_ES256;
    default: return JWT_ALG_HS256;
    }
}

bool auth_check_header(const json_t *header, enum token_alg alg, const char **why)
{
    if (!json_is_object(header))
        REFUSE("token header is not a JSON object");
    const char *got = json_string_value(json_object_get(header, "alg"));
    if (!got || strcmp(got, config_alg_name(alg)) != 0)
        REFUSE("token algorithm not accepted");
    if (json_object_get(header, "crit"))
        REFUSE("token header has critical extensions");
    const json_t *typ = json_object_get(header, "typ");
    if (typ && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0))
        REFUSE("token type is not JWT");
    return true;
}

/* A NumericDate claim: absent (returns 0), a finite number (1), or invalid (-1). */
static int numeric_date(const json_t *claims, const char *name, double *out)
{
    const json_t *v = json_object_get(claims, name);
    if (!v)
        return 0;
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return isfinite(*out) ? 1 : -1;
}

static bool copy_string(const json_t *v, char *dst, size_t cap)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) > cap - 1)
        return false;
    memcpy(dst, s, strlen(s) + 1);
    return true;
}

static bool audience_matches(const json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    size_t i;
    const json_t *item;
    json_array_foreach(aud, i, item) if (json_is_string(item) &&
                                         strcmp(json_string_value(item), want) == 0) return true;
    return false;
}

bool auth_is_slug(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > AUTH_MAX_SLUG || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

bool auth_check_claims(const json_t *claims, const struct auth_verifier *v, time_t now,
                       struct auth_identity *who, const char **why)
{
    double exp = 0, nbf = 0, iat = 0;
    double t = (double)now;
    if (!json_is_object(claims))
        REFUSE("token claims are not a JSON object");
    int has = numeric_date(claims, "exp", &exp);
    if (has == 0)
        REFUSE("token has no exp claim");
    if (has < 0)
        REFUSE("token exp claim is not a number");
    if (t > exp + AUTH_LEEWAY_S)
        REFUSE("token has expired");
    has = numeric_date(claims, "nbf", &nbf);
    if (has < 0 || (has > 0 && nbf > t + AUTH_LEEWAY_S))
        REFUSE("token is not valid yet (nbf)");
    has = numeric_date(claims, "iat", &iat);
    if (has < 0 || (has > 0 && iat > t + AUTH_LEEWAY_S))
        REFUSE("token is issued in the future (iat)");
    if (v->issuer) {
        const char *iss = json_string_value(json_object_get(claims, "iss"));
        if (!iss || strcmp(iss, v->issuer) != 0)
            REFUSE("token issuer not accepted");
    }
    if (v->audience && !audience_matches(json_object_get(claims, "aud"), v->audience))
        REFUSE("token audience not accepted");

    memset(who, 0, sizeof *who);
    const json_t *sub = json_object_get(claims, "sub");
    if (sub && !copy_string(sub, who->sub, sizeof who->sub))
        REFUSE("token sub claim is not a string of at most 256 bytes");
    if (!copy_string(json_object_get(claims, "org"), who->org, sizeof who->org) ||
        !auth_is_slug(who->org))
        REFUSE("token has no valid org claim");
    if (!copy_string(json_object_get(claims, "scope"), who->scope, sizeof who->scope))
        REFUSE("token has no valid scope claim");
    return true;
}

bool auth_has_scope(const struct auth_identity *who, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = who->scope; (p = strstr(p, scope)) != NULL; p += n) {
        bool starts = p == who->scope || p[-1] == ' ';
        bool ends = p[n] == '\0' || p[n] == ' ';
        if (starts && ends)
            return true;
    }
    return false;
}

/* Decodes one base64url JSON segment, rejecting duplicate keys. The caller decrefs. */
static json_t *decode_segment(const char *text, size_t len)
{
    size_t raw_len = 0;
    unsigned char *raw = base64url_decode(text, len, &raw_len);
    if (!raw)
        return NULL;
    json_t *value = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    return value;
}

/* libjwt checks the signature with the algorithm the header names: we check the
 * header ourselves first, so that only the configured algorithm ever reaches it,
 * with a key that is never empty (libjwt accepts anything for an empty key). */
static bool signature_ok(const struct auth_verifier *v, const char *token)
{
    jwt_t *jwt = NULL;
    if (v->key_len == 0 ||
        jwt_decode(&jwt, token, (const unsigned char *)v->key, (int)v->key_len) != 0)
        return false;
    bool ok = jwt_get_alg(jwt) == libjwt_alg(v->alg);
    jwt_free(jwt);
    return ok;
}

bool auth_verify_token(const struct auth_verifier *v, const char *token, time_t now,
                       struct auth_identity *who, const char **why)
{
    size_t len = strlen(token);
    if (len == 0)
        REFUSE("empty token");
    if (len > AUTH_MAX_TOKEN)
        REFUSE("token too long");
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2 || strchr(dot2 + 1, '.') || dot2[1] == '\0')
        REFUSE("token is not a signed JWT");

    json_t *header = decode_segment(token, (size_t)(dot1 - token));
    bool header_ok = header && auth_check_header(header, v->alg, why);
    json_decref(header);
    if (!header)
        REFUSE("token header is not base64url JSON");
    if (!header_ok)
        return false;
    if (!signature_ok(v, token))
        REFUSE("token signature is not valid");

    json_t *claims = decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!claims)
        REFUSE("token claims are not base64url JSON");
    bool ok = auth_check_claims(claims, v, now, who, why);
    json_decref(claims);
    return ok;
}
