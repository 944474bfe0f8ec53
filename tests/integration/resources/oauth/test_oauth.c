/* Partner access (issue #15): API clients, the token endpoint (RFC 6749
 * §4.4), every §5.2 error, Basic and post authentication, scope narrowing,
 * secret rotation, the service's own ES256 tokens checked by OpenSSL alone
 * from the JWKS, and the verification rules around the own issuer. */
#include "support/fixture.h"
#include "support/private_db.h"

#include "base64url.h"

#include <libpq-fe.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ISSUER "https://inclusion.test"

static char *admin;

/* A key that may sign at once, so that the server finds one at start. */
static void generate_key(const char *const *env)
{
    const char *args[] = {"keys", "generate", NULL};
    const char *base[] = {"KEY_ACTIVATION_DELAY_S=0", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(args, env ? env : base, &output), 0, "keys generate: %s", output);
    free(output);
}

static void start_with(const char *const *extra)
{
    generate_key(NULL);
    const char *env[16] = {"TOKEN_ISSUER=" ISSUER, "KEYS_REFRESH_S=1"};
    size_t n = 2;
    for (size_t i = 0; extra && extra[i] && n < 15; i++)
        env[n++] = extra[i];
    env[n] = NULL;
    fixture_start_with(env);
    fixture_token(&admin, "gers-numerique", "admin");
}

static void start(void)
{
    start_with(NULL);
}

TestSuite(oauth, .init = start, .fini = fixture_stop, .timeout = 90);

static struct response *send_json(const char *method, const char *path, const char *body)
{
    char auth[4096];
    const char *headers[] = {bearer_header(admin, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    return http_request(method, url(path), headers, body);
}

/* Creates a client of `org` with `scopes` (a JSON array); copies its id and secret. */
static void create_client(const char *org, const char *scopes, char *id, char *secret)
{
    char body[512];
    snprintf(body, sizeof body, "{\"org\":\"%s\",\"name\":\"SI test\",\"scopes\":%s}", org, scopes);
    struct response *r = send_json("POST", "/v1/clients", body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *client = response_json(r);
    snprintf(id, 65, "%s", json_string_value(json_object_get(client, "client_id")));
    snprintf(secret, 65, "%s", json_string_value(json_object_get(client, "client_secret")));
    cr_expect_eq(strlen(secret), 43, "256 bits in base64url");
    cr_expect_null(json_object_get(client, "secret_sha256"));
    json_decref(client);
    response_free(r);
}

/* "Authorization: Basic base64(id:secret)" into buf. */
static const char *basic_header(const char *id, const char *secret, char *buf, size_t cap)
{
    char pair[256];
    unsigned char b64[400];
    int n = snprintf(pair, sizeof pair, "%s:%s", id, secret);
    EVP_EncodeBlock(b64, (const unsigned char *)pair, n);
    snprintf(buf, cap, "Authorization: Basic %s", b64);
    return buf;
}

/* POST /oauth/token with a form body, Basic credentials when id is not NULL. */
static struct response *token_request(const char *form, const char *id, const char *secret)
{
    char auth[512];
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded",
                             id ? basic_header(id, secret, auth, sizeof auth) : NULL, NULL};
    return http_request("POST", url("/oauth/token"), headers, form);
}

/* Expects an RFC 6749 §5.2 error. */
static void expect_error(struct response *r, long status, const char *error, const char *what)
{
    cr_expect_eq(r->status, status, "%s: %ld %s", what, r->status, r->body);
    json_t *body = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(body, "error")), error, "%s: %s", what,
                     r->body);
    cr_expect(json_is_string(json_object_get(body, "error_description")), "%s", what);
    char header[256];
    if (status == 401) {
        cr_expect_not_null(response_header(r, "WWW-Authenticate", header, sizeof header), "%s",
                           what);
        cr_expect(strncmp(header, "Basic realm=", 12) == 0, "%s: %s", what, header);
    }
    json_decref(body);
    response_free(r);
}

/* Gets a token by Basic; copies it into token (cap 2048); returns the granted scope. */
static char *get_token(const char *id, const char *secret, const char *scope, char *token)
{
    char form[256];
    snprintf(form, sizeof form, "grant_type=client_credentials%s%s", scope ? "&scope=" : "",
             scope ? scope : "");
    struct response *r = token_request(form, id, secret);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    snprintf(token, 2048, "%s", json_string_value(json_object_get(body, "access_token")));
    char *granted = strdup(json_string_value(json_object_get(body, "scope")));
    json_decref(body);
    response_free(r);
    return granted;
}

static long get_status(const char *path, const char *token)
{
    struct response *r = http_get(server.base_url, path, token);
    long status = r->status;
    response_free(r);
    return status;
}

Test(oauth, basic_authentication_gives_a_token_the_api_accepts)
{
    char id[65], secret[65], token[2048];
    create_client("caf-gers", "[\"referrals:read\",\"places:read\"]", id, secret);
    struct response *r = token_request("grant_type=client_credentials", id, secret);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char header[128];
    cr_expect_str_eq(response_header(r, "Cache-Control", header, sizeof header), "no-store");
    cr_expect_str_eq(response_header(r, "Pragma", header, sizeof header), "no-cache");
    json_t *body = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(body, "token_type")), "Bearer");
    cr_expect_eq(json_integer_value(json_object_get(body, "expires_in")), 900);
    cr_expect_str_eq(json_string_value(json_object_get(body, "scope")),
                     "referrals:read places:read", "no scope asked: all the client's");
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(body, "access_token")));
    json_decref(body);
    response_free(r);
    cr_expect_eq(get_status("/v1/organizations", token), 200);
    cr_expect_eq(get_status("/v1/places?limit=1", token), 200);
    cr_expect_eq(get_status("/v1/indicators", token), 403, "a scope the client does not have");
}

Test(oauth, post_authentication_and_scope_narrowing)
{
    char id[65], secret[65], token[2048], form[512];
    create_client("caf-gers", "[\"referrals:read\",\"places:read\"]", id, secret);
    snprintf(form, sizeof form,
             "grant_type=client_credentials&client_id=%s&client_secret=%s&scope=places%%3Aread", id,
             secret);
    struct response *r = token_request(form, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(body, "scope")), "places:read");
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(body, "access_token")));
    json_decref(body);
    response_free(r);
    cr_expect_eq(get_status("/v1/places?limit=1", token), 200);
    cr_expect_eq(get_status("/v1/referrals", token), 403, "narrowed away");
    char *granted = get_token(id, secret, "places:read+referrals:read+places:read", token);
    cr_expect_str_eq(granted, "places:read referrals:read", "a repeated scope is granted once");
    free(granted);
}

Test(oauth, every_rfc6749_error)
{
    char id[65], secret[65], form[512];
    create_client("caf-gers", "[\"places:read\"]", id, secret);
    /* invalid_request */
    expect_error(token_request("scope=places:read", id, secret), 400, "invalid_request",
                 "no grant_type");
    expect_error(
        token_request("grant_type=client_credentials&grant_type=client_credentials", id, secret),
        400, "invalid_request", "a repeated parameter");
    expect_error(token_request("grant_type=client_credentials&scope=%zz", id, secret), 400,
                 "invalid_request", "a malformed escape");
    snprintf(form, sizeof form, "grant_type=client_credentials&client_id=%s&client_secret=%s", id,
             secret);
    expect_error(token_request(form, id, secret), 400, "invalid_request",
                 "Basic and post authentication at once");
    const char *json_headers[] = {"Content-Type: application/json", NULL};
    expect_error(http_request("POST", url("/oauth/token"), json_headers,
                              "{\"grant_type\":\"client_credentials\"}"),
                 400, "invalid_request", "not a form");
    /* invalid_client */
    expect_error(token_request("grant_type=client_credentials", id, "wrong-secret"), 401,
                 "invalid_client", "a wrong secret");
    expect_error(token_request("grant_type=client_credentials", "0000000000000000", secret), 401,
                 "invalid_client", "an unknown client");
    expect_error(token_request("grant_type=client_credentials", NULL, NULL), 401, "invalid_client",
                 "no client authentication");
    snprintf(form, sizeof form, "grant_type=client_credentials&client_id=%s", id);
    expect_error(token_request(form, NULL, NULL), 401, "invalid_client", "an id without secret");
    const char *bearer[] = {"Content-Type: application/x-www-form-urlencoded",
                            "Authorization: Basic !!!not-base64", NULL};
    expect_error(http_request("POST", url("/oauth/token"), bearer, "grant_type=client_credentials"),
                 401, "invalid_client", "a broken Basic header");
    /* unsupported_grant_type */
    expect_error(token_request("grant_type=password&username=a&password=b", id, secret), 400,
                 "unsupported_grant_type", "the password grant");
    expect_error(token_request("grant_type=authorization_code&code=x", id, secret), 400,
                 "unsupported_grant_type", "the code grant");
    /* invalid_grant */
    expect_error(token_request("grant_type=client_credentials&refresh_token=x", id, secret), 400,
                 "invalid_grant", "another grant carried along");
    /* invalid_scope */
    expect_error(token_request("grant_type=client_credentials&scope=admin", id, secret), 400,
                 "invalid_scope", "a scope not granted to the client");
    expect_error(
        token_request("grant_type=client_credentials&scope=places:read+nonsense", id, secret), 400,
        "invalid_scope", "an unknown scope");
}

Test(oauth, a_deactivated_or_deleted_client_gets_no_token)
{
    char id[65], secret[65], path[128], token[2048];
    create_client("caf-gers", "[\"places:read\"]", id, secret);
    free(get_token(id, secret, NULL, token));
    snprintf(path, sizeof path, "/v1/clients/%s", id);
    struct response *r = send_json("PATCH", path, "{\"active\":false}");
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    expect_error(token_request("grant_type=client_credentials", id, secret), 401, "invalid_client",
                 "a deactivated client");
    r = send_json("PATCH", path, "{\"active\":true}");
    response_free(r);
    free(get_token(id, secret, NULL, token));
    r = send_json("DELETE", path, NULL);
    cr_expect_eq(r->status, 204);
    response_free(r);
    expect_error(token_request("grant_type=client_credentials", id, secret), 401, "invalid_client",
                 "a deleted client");
    r = send_json("GET", path, NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
}

Test(oauth, clients_are_validated_and_managed_by_admin_only)
{
    struct response *r =
        send_json("POST", "/v1/clients",
                  "{\"org\":\"nowhere-at-all\",\"name\":\"x\",\"scopes\":[\"admin\"]}");
    cr_expect_eq(r->status, 422, "%s", r->body);
    cr_expect(strstr(r->body, "\"org\"") != NULL, "%s", r->body);
    response_free(r);
    r = send_json("POST", "/v1/clients",
                  "{\"org\":\"Not A Slug\",\"name\":\"\",\"scopes\":[\"places:read\",\"root\"],"
                  "\"client_secret\":\"mine\"}");
    cr_expect_eq(r->status, 422, "%s", r->body);
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "errors")), 4,
                 "org, name, scopes and the read-only client_secret at once: %s", r->body);
    json_decref(body);
    response_free(r);

    char id[65], secret[65], path[128];
    create_client("la-poste-gers", "[\"places:read\"]", id, secret);
    snprintf(path, sizeof path, "/v1/clients/%s", id);
    r = send_json("PATCH", path, "{\"name\":\"SI La Poste\",\"scopes\":[\"workshops:read\"]}");
    cr_expect_eq(r->status, 200, "%s", r->body);
    body = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(body, "name")), "SI La Poste");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(body, "scopes"), 0)),
                     "workshops:read");
    json_decref(body);
    response_free(r);
    r = send_json("GET", "/v1/clients?org=la-poste-gers&limit=200", NULL);
    cr_expect_eq(r->status, 200);
    cr_expect(strstr(r->body, id) != NULL);
    cr_expect(strstr(r->body, secret) == NULL, "never the secret");
    response_free(r);

    char *reader = test_token("la-poste-gers", "places:read referrals:read");
    cr_expect_eq(get_status(path, reader), 403, "admin only");
    cr_expect_eq(get_status("/v1/clients", reader), 403);
    free(reader);
    r = send_json("GET", "/v1/clients/not-a-client-id-at-all", NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
}

static void start_limited(void)
{
    const char *env[] = {"RATE_LIMIT_AUTH_FAIL_PER_S=1", "RATE_LIMIT_AUTH_FAIL_BURST=3", NULL};
    start_with(env);
}

TestSuite(oauth_limits, .init = start_limited, .fini = fixture_stop, .timeout = 90);

Test(oauth_limits, failed_client_authentications_are_limited)
{
    char id[65], secret[65];
    create_client("caf-gers", "[\"places:read\"]", id, secret);
    for (int i = 0; i < 3; i++)
        expect_error(token_request("grant_type=client_credentials", id, "wrong"), 401,
                     "invalid_client", "a failure within the budget");
    struct response *r = token_request("grant_type=client_credentials", id, secret);
    cr_expect_eq(r->status, 429, "even the right secret waits: %s", r->body);
    char retry[16];
    cr_expect_not_null(response_header(r, "Retry-After", retry, sizeof retry));
    response_free(r);
}

static void start_short_overlap(void)
{
    const char *env[] = {"CLIENT_SECRET_OVERLAP_S=2", NULL};
    start_with(env);
}

TestSuite(oauth_rotation, .init = start_short_overlap, .fini = fixture_stop, .timeout = 90);

Test(oauth_rotation, secret_rotation_with_overlap)
{
    char id[65], old_secret[65], path[128], token[2048];
    create_client("caf-gers", "[\"places:read\"]", id, old_secret);
    snprintf(path, sizeof path, "/v1/clients/%s/secret", id);
    struct response *r = send_json("POST", path, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    char new_secret[65];
    snprintf(new_secret, sizeof new_secret, "%s",
             json_string_value(json_object_get(body, "client_secret")));
    cr_expect(json_is_string(json_object_get(body, "previous_secret_expires_at")));
    json_decref(body);
    response_free(r);
    cr_expect_str_neq(new_secret, old_secret);
    free(get_token(id, new_secret, NULL, token));
    free(get_token(id, old_secret, NULL, token)); /* within the overlap */
    sleep(3);
    expect_error(token_request("grant_type=client_credentials", id, old_secret), 401,
                 "invalid_client", "the previous secret after the overlap");
    free(get_token(id, new_secret, NULL, token));
    cr_expect_eq(get_status("/v1/places?limit=1", token), 200);
}

/* ---- the JWKS, checked by OpenSSL alone ---- */

static json_t *decode_part(const char *text, size_t len)
{
    size_t raw_len = 0;
    unsigned char *raw = base64url_decode(text, len, &raw_len);
    json_t *v = raw ? json_loadb((const char *)raw, raw_len, 0, NULL) : NULL;
    free(raw);
    return v;
}

/* An EC public key from a JWK's x and y (uncompressed point 04||x||y). */
static EVP_PKEY *key_from_jwk(const json_t *jwk)
{
    const char *x = json_string_value(json_object_get(jwk, "x"));
    const char *y = json_string_value(json_object_get(jwk, "y"));
    size_t xl = 0, yl = 0;
    unsigned char *xb = base64url_decode(x, strlen(x), &xl);
    unsigned char *yb = base64url_decode(y, strlen(y), &yl);
    cr_assert(xb && yb && xl == 32 && yl == 32, "x and y are 32 bytes each");
    unsigned char point[65] = {0x04};
    memcpy(point + 1, xb, 32);
    memcpy(point + 33, yb, 32);
    free(xb);
    free(yb);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    cr_assert(EVP_PKEY_fromdata_init(ctx) == 1 &&
              EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return key;
}

/* Verifies the compact JWS `token` with the JWK whose kid its header names. */
static bool openssl_verifies(const char *token, const json_t *jwks)
{
    const char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    json_t *header = decode_part(token, (size_t)(dot1 - token));
    const char *kid = json_string_value(json_object_get(header, "kid"));
    cr_expect_str_eq(json_string_value(json_object_get(header, "alg")), "ES256");
    const json_t *jwk = NULL, *item;
    size_t i;
    json_array_foreach(json_object_get(jwks, "keys"), i,
                       item) if (kid && strcmp(json_string_value(json_object_get(item, "kid")),
                                               kid) == 0) jwk = item;
    json_decref(header);
    if (!jwk)
        return false;
    cr_expect_str_eq(json_string_value(json_object_get(jwk, "kty")), "EC");
    cr_expect_str_eq(json_string_value(json_object_get(jwk, "crv")), "P-256");
    cr_expect_str_eq(json_string_value(json_object_get(jwk, "use")), "sig");
    cr_expect_str_eq(json_string_value(json_object_get(jwk, "alg")), "ES256");
    EVP_PKEY *key = key_from_jwk(jwk);
    size_t sig_len = 0;
    unsigned char *rs = base64url_decode(dot2 + 1, strlen(dot2 + 1), &sig_len);
    cr_assert(rs && sig_len == 64, "R||S: 64 bytes");
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL));
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(sig, &der);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestVerify(md, der, (size_t)der_len, (const unsigned char *)token,
                               (size_t)(dot2 - token)) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    free(rs);
    EVP_PKEY_free(key);
    return ok;
}

static json_t *fetch_jwks(void)
{
    struct response *r = http_request("GET", url("/.well-known/jwks.json"), NULL, NULL);
    cr_assert_eq(r->status, 200);
    json_t *jwks = response_json(r);
    response_free(r);
    return jwks;
}

Test(oauth, an_issued_token_verifies_with_the_jwks_and_openssl_alone)
{
    char id[65], secret[65], token[2048];
    create_client("caf-gers", "[\"referrals:read\"]", id, secret);
    free(get_token(id, secret, NULL, token));
    json_t *jwks = fetch_jwks();
    cr_expect(openssl_verifies(token, jwks), "the JWKS key verifies the token");
    char forged[2048];
    snprintf(forged, sizeof forged, "%s", token);
    forged[strlen(forged) - 3] = forged[strlen(forged) - 3] == 'A' ? 'B' : 'A';
    cr_expect_not(openssl_verifies(forged, jwks), "and only it");
    json_decref(jwks);

    const char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    json_t *claims = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    cr_expect_str_eq(json_string_value(json_object_get(claims, "iss")), ISSUER);
    cr_expect_str_eq(json_string_value(json_object_get(claims, "aud")), ISSUER);
    cr_expect_str_eq(json_string_value(json_object_get(claims, "sub")), id);
    cr_expect_str_eq(json_string_value(json_object_get(claims, "org")), "caf-gers");
    cr_expect_str_eq(json_string_value(json_object_get(claims, "scope")), "referrals:read");
    json_int_t iat = json_integer_value(json_object_get(claims, "iat"));
    cr_expect_eq(json_integer_value(json_object_get(claims, "exp")) - iat, 900);
    cr_expect(labs((long)(iat - time(NULL))) < 60);
    cr_expect_eq(strlen(json_string_value(json_object_get(claims, "jti"))), 32);
    json_decref(claims);

    struct response *r =
        http_request("GET", url("/.well-known/oauth-authorization-server"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    json_t *meta = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(meta, "issuer")), ISSUER);
    cr_expect_str_eq(json_string_value(json_object_get(meta, "token_endpoint")),
                     ISSUER "/oauth/token");
    json_decref(meta);
    response_free(r);
}

/* The private key of the newest signing key, from the database (tests only). */
/* A signing key of the service that this test's server has loaded (its
 * JWKS lists it): the suites running beside this one generate keys of their
 * own in the shared database, which this server reads only at its next
 * refresh. Its kid into `kid`; returns its private PEM (the caller frees). */
static char *service_key(char *kid, size_t cap)
{
    struct response *r = http_request("GET", url("/.well-known/jwks.json"), NULL, NULL);
    cr_assert_eq(r->status, 200);
    json_t *jwks = response_json(r);
    response_free(r);
    PGconn *conn = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(conn), CONNECTION_OK);
    PGresult *res = PQexec(conn, "SELECT kid, private_pem FROM signing_keys WHERE retired_at IS "
                                 "NULL AND active_from <= now() ORDER BY active_from DESC");
    char *pem = NULL;
    for (int i = 0; i < PQntuples(res) && !pem; i++) {
        size_t k;
        json_t *key;
        json_array_foreach(json_object_get(jwks, "keys"), k, key)
        {
            const char *listed = json_string_value(json_object_get(key, "kid"));
            if (!pem && listed && strcmp(listed, PQgetvalue(res, i, 0)) == 0) {
                snprintf(kid, cap, "%s", listed);
                pem = strdup(PQgetvalue(res, i, 1));
            }
        }
    }
    PQclear(res);
    PQfinish(conn);
    json_decref(jwks);
    cr_assert_not_null(pem, "a key the server has loaded");
    return pem;
}

/* GET /v1/organizations with a token signed here: its status, and for a 401
 * the reason in WWW-Authenticate must hold `reason`. */
static long own_token_status(const char *header, const char *claims, const char *alg,
                             const char *key, size_t key_len, const char *reason)
{
    char *token = jws_sign(header, claims, alg, key, key_len);
    char auth[4096], challenge[512] = "";
    const char *headers[] = {bearer_header(token, auth, sizeof auth), NULL};
    struct response *r = http_request("GET", url("/v1/organizations"), headers, NULL);
    long status = r->status;
    response_header(r, "WWW-Authenticate", challenge, sizeof challenge);
    if (reason)
        cr_expect(strstr(challenge, reason) != NULL, "refused because of %s: %s", reason,
                  challenge);
    response_free(r);
    free(token);
    return status;
}

Test(oauth, own_issuer_tokens_are_es256_with_a_known_kid_and_the_audience)
{
    char kid[80], header[256], claims[512], id[65], secret[65];
    create_client("caf-gers", "[\"places:read\"]", id, secret);
    char *pem = service_key(kid, sizeof kid);
    long now = (long)time(NULL);
    snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    snprintf(claims, sizeof claims,
             "{\"iss\":\"" ISSUER "\",\"aud\":\"" ISSUER
             "\",\"sub\":\"%s\",\"org\":\"caf-gers\",\"scope\":\"admin\",\"iat\":%ld,\"exp\":%ld}",
             id, now, now + 600);
    cr_expect_eq(own_token_status(header, claims, "ES256", pem, strlen(pem), NULL), 200,
                 "the control: a well-formed own token");
    snprintf(claims, sizeof claims,
             "{\"iss\":\"" ISSUER "\",\"sub\":\"%s\",\"org\":\"caf-gers\",\"scope\":\"admin\","
             "\"iat\":%ld,\"exp\":%ld}",
             id, now, now + 600);
    cr_expect_eq(own_token_status(header, claims, "ES256", pem, strlen(pem), "audience"), 401,
                 "no aud");
    snprintf(claims, sizeof claims,
             "{\"iss\":\"" ISSUER "\",\"aud\":\"" ISSUER
             "\",\"sub\":\"%s\",\"org\":\"caf-gers\",\"scope\":\"admin\",\"iat\":%ld,\"exp\":%ld}",
             id, now, now + 2 * 86400);
    cr_expect_eq(own_token_status(header, claims, "ES256", pem, strlen(pem), "lifetime"), 401,
                 "two days: over JWT_MAX_TTL_S");
    snprintf(claims, sizeof claims,
             "{\"iss\":\"" ISSUER "\",\"aud\":\"" ISSUER
             "\",\"sub\":\"%s\",\"org\":\"caf-gers\",\"scope\":\"admin\",\"iat\":%ld,\"exp\":%ld}",
             id, now, now + 600);
    /* HS256 with the external issuer's very secret, claiming the own issuer */
    cr_expect_eq(own_token_status("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256",
                                  TEST_JWT_SECRET, strlen(TEST_JWT_SECRET), "algorithm"),
                 401, "HS256 never passes for the own issuer");
    /* another key, named by a kid the service does not have or carried in the header */
    char pub_path[256];
    char *other = generate_keypair("EC", pub_path, sizeof pub_path, NULL);
    unlink(pub_path);
    cr_expect_eq(own_token_status("{\"alg\":\"ES256\",\"kid\":\"attacker\"}", claims, "ES256",
                                  other, strlen(other), "kid"),
                 401, "an unknown kid");
    cr_expect_eq(own_token_status(header, claims, "ES256", other, strlen(other), "signature"), 401,
                 "another key under the service's kid");
    snprintf(header, sizeof header,
             "{\"alg\":\"ES256\",\"kid\":\"%s\",\"jku\":\"https://attacker.example/jwks\"}", kid);
    cr_expect_eq(own_token_status(header, claims, "ES256", other, strlen(other), "jku"), 401,
                 "jku");
    free(other);
    free(pem);
    /* the external issuer's tokens keep working beside the own one */
    cr_expect_eq(get_status("/v1/organizations", admin), 200);
}

TestSuite(oauth_off, .init = fixture_start, .fini = fixture_stop, .timeout = 60);

Test(oauth_off, without_token_issuer_the_service_issues_nothing)
{
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    struct response *r =
        http_request("POST", url("/oauth/token"), headers, "grant_type=client_credentials");
    cr_expect_eq(r->status, 404, "%s", r->body);
    response_free(r);
    r = http_request("GET", url("/.well-known/jwks.json"), NULL, NULL);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(r->body, "{\"keys\":[]}");
    response_free(r);
}

/* ---- key rotation, on a database of its own (its keys are the only ones) ---- */

static struct private_db keys_db;

static void run_in_keys_db(const char *const *args, const char *extra, char *out, size_t cap)
{
    const char *env[] = {keys_db.env_url, extra ? extra : "KEY_ACTIVATION_DELAY_S=0", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(args, env, &output), 0, "%s: %s", args[0], output);
    if (out)
        snprintf(out, cap, "%s", output);
    free(output);
}

/* `keys generate` in the private database; its kid into kid. */
static void generate_in_keys_db(const char *extra, char *kid, size_t cap)
{
    const char *args[] = {"keys", "generate", NULL};
    char out[256];
    run_in_keys_db(args, extra, out, sizeof out);
    snprintf(kid, cap, "%.*s", (int)strcspn(out, "\t"), out);
}

static void start_keys(void)
{
    private_db_create(&keys_db, "inclusion_keys");
    const char *migrate[] = {"migrate", NULL}, *seed[] = {"seed", NULL};
    run_in_keys_db(migrate, NULL, NULL, 0);
    run_in_keys_db(seed, NULL, NULL, 0);
    char kid[80];
    generate_in_keys_db(NULL, kid, sizeof kid);
    const char *env[] = {keys_db.env_url, "TOKEN_ISSUER=" ISSUER, "KEYS_REFRESH_S=1", NULL};
    fixture_start_with(env);
    fixture_token(&admin, "gers-numerique", "admin");
}

static void stop_keys(void)
{
    fixture_stop();
    private_db_drop(&keys_db);
}

TestSuite(oauth_keys, .init = start_keys, .fini = stop_keys, .timeout = 90);

static char *kid_of(const char *token)
{
    json_t *header = decode_part(token, strcspn(token, "."));
    char *kid = strdup(json_string_value(json_object_get(header, "kid")));
    json_decref(header);
    return kid;
}

static size_t jwks_count(void)
{
    json_t *jwks = fetch_jwks();
    size_t n = json_array_size(json_object_get(jwks, "keys"));
    json_decref(jwks);
    return n;
}

Test(oauth_keys, a_new_key_is_published_before_it_signs_and_a_retired_one_until_its_tokens_expire)
{
    char id[65], secret[65], first[2048], second[2048], later[80], next[80];
    create_client("caf-gers", "[\"places:read\"]", id, secret);
    free(get_token(id, secret, NULL, first));
    char *first_kid = kid_of(first);
    cr_expect_eq(jwks_count(), 1);

    /* a key that signs in an hour: published at once, does not sign */
    generate_in_keys_db("KEY_ACTIVATION_DELAY_S=3600", later, sizeof later);
    sleep(2); /* KEYS_REFRESH_S=1 */
    cr_expect_eq(jwks_count(), 2, "published before it signs");
    free(get_token(id, secret, NULL, second));
    char *kid = kid_of(second);
    cr_expect_str_eq(kid, first_kid, "the pending key does not sign yet");
    free(kid);

    /* a key active at once takes over the signing; the old key still verifies */
    generate_in_keys_db(NULL, next, sizeof next);
    const char *retire[] = {"keys", "retire", first_kid, NULL};
    run_in_keys_db(retire, NULL, NULL, 0);
    sleep(2);
    free(get_token(id, secret, NULL, second));
    kid = kid_of(second);
    cr_expect_str_eq(kid, next, "the new key signs");
    free(kid);
    cr_expect_eq(jwks_count(), 3, "the retired key stays published while its tokens live");
    cr_expect_eq(get_status("/v1/places?limit=1", first), 200, "a token of the retired key");
    cr_expect_eq(get_status("/v1/places?limit=1", second), 200);

    char out[1024];
    const char *list[] = {"keys", "list", NULL};
    run_in_keys_db(list, NULL, out, sizeof out);
    cr_expect(strstr(out, first_kid) && strstr(out, later) && strstr(out, next), "%s", out);
    const char *again[] = {"keys", "retire", first_kid, NULL};
    const char *env[] = {keys_db.env_url, NULL};
    char *output = NULL;
    cr_expect_neq(run_binary(again, env, &output), 0, "retired twice");
    free(output);
    free(first_kid);
}

/* ---- revocation, seen by a second instance on the same database ---- */

static struct test_server second;

static void start_two(void)
{
    start();
    const char *env[] = {"TOKEN_ISSUER=" ISSUER, "KEYS_REFRESH_S=1", NULL};
    cr_assert(server_start(&second, env), "the second instance must start");
}

static void stop_two(void)
{
    if (second.pid > 0)
        cr_expect_eq(server_stop(&second), 0, "the second instance exits 0 (log: %s)",
                     second.log_path);
    fixture_stop();
}

TestSuite(oauth_revocation, .init = start_two, .fini = stop_two, .timeout = 90);

/* The status of GET path with `token` on the second instance, waiting up to
 * 5 s for it to become `want`. */
static long second_status_within_5s(const char *path, const char *token, long want)
{
    long status = 0;
    for (int i = 0; i < 50; i++) {
        struct response *r = http_get(second.base_url, path, token);
        status = r->status;
        response_free(r);
        if (status == want)
            break;
        usleep(100 * 1000);
    }
    return status;
}

static long revoke_token(const char *token, const char *id, const char *secret)
{
    char form[2400];
    snprintf(form, sizeof form, "token=%s", token);
    char auth[512];
    const char *headers[] = {"Content-Type: application/x-www-form-urlencoded",
                             basic_header(id, secret, auth, sizeof auth), NULL};
    struct response *r = http_request("POST", url("/oauth/revoke"), headers, form);
    long status = r->status;
    response_free(r);
    return status;
}

Test(oauth_revocation, a_revoked_jti_is_refused_by_both_instances)
{
    char id[65], secret[65], other_id[65], other_secret[65], token[2048], kept[2048];
    create_client("caf-gers", "[\"places:read\"]", id, secret);
    create_client("caf-gers", "[\"places:read\"]", other_id, other_secret);
    free(get_token(id, secret, NULL, token));
    free(get_token(id, secret, NULL, kept));
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 200), 200);
    cr_expect_eq(revoke_token(token, other_id, other_secret), 400, "not this client's token");
    cr_expect_eq(get_status("/v1/places?limit=1", token), 200, "so nothing was revoked");
    cr_expect_eq(revoke_token(token, id, "wrong-secret"), 401);
    cr_expect_eq(revoke_token(token, id, secret), 200);
    cr_expect_eq(revoke_token(token, id, secret), 200, "twice is harmless");
    cr_expect_eq(revoke_token("not-a-token", id, secret), 200,
                 "RFC 7009: nothing to revoke is 200");
    cr_expect_eq(get_status("/v1/places?limit=1", token), 401, "refused where it was revoked");
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 401), 401,
                 "and on the other instance within 5 s");
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", kept, 200), 200,
                 "another token of the same client still works");
}

Test(oauth_revocation, a_deactivated_client_loses_its_tokens_on_both_instances)
{
    char id[65], secret[65], token[2048], path[128];
    create_client("caf-gers", "[\"places:read\"]", id, secret);
    free(get_token(id, secret, NULL, token));
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 200), 200);
    snprintf(path, sizeof path, "/v1/clients/%s", id);
    struct response *r = send_json("PATCH", path, "{\"active\":false}");
    cr_expect_eq(r->status, 200);
    response_free(r);
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 401), 401);
    r = send_json("PATCH", path, "{\"active\":true}");
    response_free(r);
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 200), 200,
                 "reactivated: its unexpired tokens work again");
    r = send_json("DELETE", path, NULL);
    cr_expect_eq(r->status, 204);
    response_free(r);
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 401), 401, "deleted");
}

Test(oauth_revocation, a_deactivated_organisation_loses_every_token)
{
    char slug[64], body[256], path[128], id[65], secret[65], token[2048];
    snprintf(slug, sizeof slug, "partenaire-oauth-%d-%ld", getpid(), random() % 100000);
    snprintf(body, sizeof body,
             "{\"slug\":\"%s\",\"name\":\"Partenaire\",\"kind\":\"association\"}", slug);
    struct response *r = send_json("POST", "/v1/organizations", body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_expect(strstr(r->body, "\"active\":true") != NULL, "%s", r->body);
    response_free(r);
    create_client(slug, "[\"places:read\"]", id, secret);
    free(get_token(id, secret, NULL, token));
    char *external = test_token(slug, "places:read");
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 200), 200);
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", external, 200), 200);

    snprintf(path, sizeof path, "/v1/organizations/%s", slug);
    r = send_json("PATCH", path, "{\"active\":false}");
    cr_expect_eq(r->status, 200, "%s", r->body);
    cr_expect(strstr(r->body, "\"active\":false") != NULL, "%s", r->body);
    response_free(r);
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", token, 401), 401, "own token");
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", external, 401), 401,
                 "an external issuer's token naming it");
    expect_error(token_request("grant_type=client_credentials", id, secret), 401, "invalid_client",
                 "a client of a deactivated organisation");
    r = send_json("PATCH", path, "{\"active\":\"no\"}");
    cr_expect_eq(r->status, 422);
    response_free(r);
    r = send_json("PATCH", path, "{\"active\":true}");
    response_free(r);
    cr_expect_eq(second_status_within_5s("/v1/places?limit=1", external, 200), 200);
    free(external);
}

static int revoked_rows(PGconn *conn, const char *jti)
{
    const char *params[] = {jti};
    PGresult *res = PQexecParams(conn, "SELECT 1 FROM revoked_tokens WHERE jti = $1", 1, NULL,
                                 params, NULL, NULL, 0);
    int n = PQntuples(res);
    PQclear(res);
    return n;
}

Test(oauth, purge_forgets_revocations_of_expired_tokens_only)
{
    PGconn *conn = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(conn), CONNECTION_OK);
    char old_jti[64], live_jti[64];
    snprintf(old_jti, sizeof old_jti, "old-%d-%ld", getpid(), random());
    snprintf(live_jti, sizeof live_jti, "live-%d-%ld", getpid(), random());
    const char *params[] = {old_jti, live_jti};
    PQclear(PQexecParams(conn,
                         "INSERT INTO revoked_tokens (jti, expires_at) VALUES "
                         "($1, now() - interval '1 hour'), ($2, now() + interval '10 minutes')",
                         2, NULL, params, NULL, NULL, 0));
    cr_assert_eq(revoked_rows(conn, old_jti) + revoked_rows(conn, live_jti), 2);
    const char *args[] = {"purge", NULL};
    char *output = NULL;
    cr_expect_eq(run_binary(args, NULL, &output), 0, "%s", output);
    free(output);
    cr_expect_eq(revoked_rows(conn, old_jti), 0, "its token has expired: forgotten");
    cr_expect_eq(revoked_rows(conn, live_jti), 1, "its token still lives: kept");
    PQclear(PQexecParams(conn, "DELETE FROM revoked_tokens WHERE jti = $1", 1, NULL, params + 1,
                         NULL, NULL, 0));
    PQfinish(conn);
}
