/* The token endpoint and the issuer's description. Errors of POST
 * /oauth/token are RFC 6749 §5.2 JSON ({error, error_description}), not
 * problem+json: OAuth client libraries read them. */
#include "oauth.h"

#include "form.h"
#include "guard.h"
#include "oauth_sql.h"
#include "ratelimit.h"
#include "router.h"
#include "secrets.h"

#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_FORM_BYTES 8192
#define MAX_CLIENT_ID  64
#define MAX_SECRET     512
#define REALM          "Basic realm=\"inclusion-api\""

static void no_store(struct req *r)
{
    http_set_header(r, "Cache-Control", "no-store");
    http_set_header(r, "Pragma", "no-cache");
}

/* Answers an RFC 6749 §5.2 error; invalid_client with 401 and a Basic challenge.
 * The description is a message of the catalogue (MSG_OAUTH_*, ASCII in every
 * language as §5.2 requires) in the request's language; `error` never changes. */
static void oauth_error(struct req *r, int status, const char *error, enum msg_id description, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, description);
    msg_vformat(text, sizeof text, r->lang, description, ap);
    va_end(ap);
    if (status == 401)
        http_set_header(r, "WWW-Authenticate", REALM);
    http_language(r);
    no_store(r);
    http_json(r, status, json_pack("{s:s, s:s}", "error", error, "error_description", text));
}

static double monotonic_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static bool is_form(const char *content_type)
{
    static const char form[] = "application/x-www-form-urlencoded";
    size_t n = sizeof form - 1;
    return content_type && strncasecmp(content_type, form, n) == 0 &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

/* The parameter, or NULL when absent or empty (RFC 6749 §3.2: a parameter
 * sent without a value is treated as omitted). */
static const char *param(const json_t *form, const char *name)
{
    const char *v = json_string_value(json_object_get(form, name));
    return v && *v ? v : NULL;
}

/* The client's credentials by exactly one method: Basic or the form's
 * client_id and client_secret. Returns true with *id and *secret (freed by
 * the caller), or false after having answered. */
static bool client_credentials(struct req *r, const json_t *form, char **id, char **secret)
{
    int basic = guard_basic_credentials(r, id, secret);
    const char *form_id = param(form, "client_id"), *form_secret = param(form, "client_secret");
    if (basic < 0) {
        oauth_error(r, 401, "invalid_client", MSG_OAUTH_BASIC_INVALID);
        return false;
    }
    if (basic > 0 && (form_id || form_secret)) {
        free(*id);
        free(*secret);
        *id = *secret = NULL;
        oauth_error(r, 400, "invalid_request", MSG_OAUTH_TWO_METHODS);
        return false;
    }
    if (basic > 0)
        return true;
    if (!form_id || !form_secret) {
        oauth_error(r, 401, "invalid_client", MSG_OAUTH_CLIENT_REQUIRED);
        return false;
    }
    *id = strdup(form_id);
    *secret = strdup(form_secret);
    return *id && *secret;
}

/* Whether `have` (space-separated) holds `scope` as a whole word. */
static bool has_word(const char *have, const char *scope)
{
    struct auth_identity who = {0};
    snprintf(who.scope, sizeof who.scope, "%s", have);
    return auth_has_scope(&who, scope);
}

/* The granted scope into out: the requested ones (each one the client's,
 * repeated ones once), or all the client's without a request. False when one
 * is not the client's. */
static bool grant_scope(const char *requested, const char *allowed, char *out, size_t cap)
{
    if (!requested) {
        snprintf(out, cap, "%s", allowed);
        return true;
    }
    char copy[AUTH_MAX_SCOPE + 1];
    if (strlen(requested) > AUTH_MAX_SCOPE)
        return false;
    snprintf(copy, sizeof copy, "%s", requested);
    out[0] = '\0';
    char *save = NULL;
    for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
        if (!has_word(allowed, s))
            return false;
        if (!has_word(out, s))
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? " " : "", s);
    }
    return out[0] != '\0';
}

/* Signs the access token of client `id` and answers it. */
static void issue(struct req *r, const char *id, const char *org, const char *scope)
{
    const struct config *cfg = r->app->cfg;
    char jti[33];
    long now = (long)time(NULL);
    if (!secrets_random_hex(16, jti)) {
        http_problem_msg(r, 500, "internal", MSG_ISSUER_NO_RANDOM);
        return;
    }
    json_t *claims =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "iss", cfg->token_issuer, "aud",
                  cfg->token_issuer, "sub", id, "org", org, "scope", scope, "iat", (json_int_t)now,
                  "exp", (json_int_t)(now + cfg->token_ttl_s), "jti", jti);
    char *token = claims ? keystore_sign(r->app->keys, claims) : NULL;
    json_decref(claims);
    if (!token) {
        http_set_header(r, "Retry-After", "60");
        http_problem_msg(r, 503, "no-signing-key", MSG_ISSUER_NO_SIGNING_KEY);
        return;
    }
    no_store(r);
    http_json(r, 200,
              json_pack("{s:s, s:s, s:i, s:s}", "access_token", token, "token_type", "Bearer",
                        "expires_in", cfg->token_ttl_s, "scope", scope));
    free(token);
}

/* Whether a failed-authentication budget is spent for the address or the
 * client id; answers 429 when it is. */
static bool budget_left(struct req *r, const char *address, const char *client_key)
{
    double retry = 0, retry2 = 0;
    struct ratelimit *limit = r->app->auth_fail_limit;
    if (!limit)
        return true;
    bool ok = ratelimit_peek(limit, address, monotonic_now(), &retry);
    ok = ratelimit_peek(limit, client_key, monotonic_now(), &retry2) && ok;
    if (ok)
        return true;
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%d", (int)(retry > retry2 ? retry : retry2) + 1);
    http_set_header(r, "Retry-After", seconds);
    oauth_error(r, 429, "temporarily_unavailable", MSG_OAUTH_TOO_MANY_FAILURES);
    return false;
}

static void spend_budget(struct req *r, const char *address, const char *client_key)
{
    if (!r->app->auth_fail_limit)
        return;
    ratelimit_take(r->app->auth_fail_limit, address, monotonic_now(), NULL);
    ratelimit_take(r->app->auth_fail_limit, client_key, monotonic_now(), NULL);
}

/* The client's row checked against the secret: true when the secret is its
 * current one, or its previous one during the rotation overlap. Takes the
 * same time whether the client exists or not. */
static bool secret_matches(PGresult *res, const char *secret)
{
    static const char absent[] = "0000000000000000000000000000000000000000000000000000000000000000";
    char given[65];
    secrets_sha256_hex(secret, given);
    bool found = PQntuples(res) == 1;
    const char *current = found ? PQgetvalue(res, 0, OAUTH_COL_SECRET) : absent;
    const char *previous = found ? PQgetvalue(res, 0, OAUTH_COL_PREVIOUS) : "";
    bool ok = secrets_hash_equal(given, current);
    ok = (previous[0] ? secrets_hash_equal(given, previous) : secrets_hash_equal(given, absent)) ||
         ok;
    return found && ok;
}

/* What authenticate leaves for the handler; released by release_auth. */
struct client_auth {
    json_t *form;
    char *id, *secret;
    PGresult *row; /* OAUTH_SQL_CLIENT's */
};

static void release_auth(struct client_auth *a)
{
    if (a->secret)
        memset(a->secret, 0, strlen(a->secret));
    free(a->secret);
    free(a->id);
    PQclear(a->row);
    json_decref(a->form);
}

/* Reads the form (which must hold `required`) and authenticates the client:
 * true with *a filled, or false after having answered (a still released by
 * the caller). */
static bool authenticate(struct req *r, const char *required, struct client_auth *a)
{
    const char *why = NULL;
    memset(a, 0, sizeof *a);
    if (!r->app->cfg->token_issuer) {
        http_problem_msg(r, 404, "not-found", MSG_ISSUER_UNSET);
        return false;
    }
    if (!is_form(http_header(r, "Content-Type"))) {
        oauth_error(r, 400, "invalid_request", MSG_OAUTH_FORM_TYPE);
        return false;
    }
    if (r->in->binary_body_length > MAX_FORM_BYTES) {
        oauth_error(r, 400, "invalid_request", MSG_OAUTH_FORM_SIZE);
        return false;
    }
    a->form =
        form_parse(r->in->binary_body ? r->in->binary_body : "", r->in->binary_body_length, &why);
    if (!a->form) {
        oauth_error(r, 400, "invalid_request", MSG_OAUTH_FORM_REASON, why);
        return false;
    }
    if (!param(a->form, required)) {
        oauth_error(r, 400, "invalid_request", MSG_OAUTH_PARAMETER_REQUIRED, required);
        return false;
    }
    if (!client_credentials(r, a->form, &a->id, &a->secret))
        return false;
    char address[64], client_key[96];
    router_client_address(r, address, sizeof address);
    snprintf(client_key, sizeof client_key, "client:%.64s", a->id);
    if (!budget_left(r, address, client_key))
        return false;
    bool plausible = strlen(a->id) <= MAX_CLIENT_ID && strlen(a->secret) <= MAX_SECRET;
    const char *params[] = {plausible ? a->id : ""};
    if (!(a->row = http_sql(r, OAUTH_SQL_CLIENT, 1, params, false)))
        return false;
    if (!secret_matches(a->row, a->secret) ||
        strcmp(PQgetvalue(a->row, 0, OAUTH_COL_ACTIVE), "t") != 0) {
        spend_budget(r, address, client_key);
        oauth_error(r, 401, "invalid_client", MSG_OAUTH_CLIENT_FAILED);
        return false;
    }
    return true;
}

void oauth_token(struct req *r)
{
    struct client_auth a;
    if (!authenticate(r, "grant_type", &a))
        goto out;
    if (strcmp(param(a.form, "grant_type"), "client_credentials") != 0) {
        oauth_error(r, 400, "unsupported_grant_type", MSG_OAUTH_GRANT_TYPE);
        goto out;
    }
    static const char *const other_grants[] = {"code",      "refresh_token", "password",
                                               "assertion", "device_code",   NULL};
    for (size_t i = 0; other_grants[i]; i++)
        if (param(a.form, other_grants[i])) {
            oauth_error(r, 400, "invalid_grant", MSG_OAUTH_OTHER_GRANT);
            goto out;
        }
    char scope[AUTH_MAX_SCOPE + 1];
    if (!grant_scope(param(a.form, "scope"), PQgetvalue(a.row, 0, OAUTH_COL_SCOPES), scope,
                     sizeof scope)) {
        oauth_error(r, 400, "invalid_scope", MSG_OAUTH_SCOPE);
        goto out;
    }
    issue(r, a.id, PQgetvalue(a.row, 0, OAUTH_COL_ORG), scope);
out:
    release_auth(&a);
}

void oauth_revoke(struct req *r)
{
    struct client_auth a;
    if (!authenticate(r, "token", &a))
        goto out;
    /* RFC 7009 §2.2: a token that is not valid (expired, unknown, not ours)
     * needs no revocation, and the answer is 200 all the same */
    struct auth_identity who;
    const char *why = NULL;
    if (keystore_verify(r->app->keys, NULL, param(a.form, "token"), time(NULL), &who, &why) &&
        who.own && who.jti[0]) {
        if (strcmp(who.sub, a.id) != 0) {
            oauth_error(r, 400, "invalid_request", MSG_OAUTH_NOT_THIS_CLIENT);
            goto out;
        }
        char exp[32];
        snprintf(exp, sizeof exp, "%.0f", who.exp);
        const char *params[] = {who.jti, exp};
        PGresult *res = http_sql(r, OAUTH_SQL_REVOKE, 2, params, false);
        if (!res)
            goto out;
        PQclear(res);
        guard_directory_changed(r);
    }
    no_store(r);
    http_json(r, 200, json_object());
out:
    release_auth(&a);
}

void oauth_metadata(struct req *r)
{
    const char *issuer = r->app->cfg->token_issuer;
    if (!issuer) {
        http_problem_msg(r, 404, "not-found", MSG_ISSUER_UNSET);
        return;
    }
    char token_endpoint[300], jwks_uri[300], revocation[300];
    snprintf(token_endpoint, sizeof token_endpoint, "%s/oauth/token", issuer);
    snprintf(revocation, sizeof revocation, "%s/oauth/revoke", issuer);
    snprintf(jwks_uri, sizeof jwks_uri, "%s/.well-known/jwks.json", issuer);
    json_t *scopes = json_array();
    for (size_t i = 0; auth_scopes[i]; i++)
        json_array_append_new(scopes, json_string(auth_scopes[i]));
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:[s], s:[s,s], s:[], s:o}", "issuer", issuer, "token_endpoint",
        token_endpoint, "jwks_uri", jwks_uri, "grant_types_supported", "client_credentials",
        "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post",
        "response_types_supported", "scopes_supported", scopes);
    json_object_set_new(doc, "revocation_endpoint", json_string(revocation));
    json_object_set_new(doc, "revocation_endpoint_auth_methods_supported",
                        json_pack("[s,s]", "client_secret_basic", "client_secret_post"));
    http_json_cached(r, "application/json", doc, NULL, 300);
}

void oauth_jwks(struct req *r)
{
    char *jwks = keystore_jwks(r->app->keys);
    if (!jwks) {
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return;
    }
    http_text_cached(r, "application/json", jwks, strlen(jwks), NULL, 300);
    free(jwks);
}
