/* The token guard: every forged, expired or misdirected token gets 401. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define PROTECTED    "/v1/organizations"

static long status_with(const char *token, char *challenge, size_t cap)
{
    char auth[10000];
    const char *headers[] = {bearer_header(token, auth, sizeof auth), NULL};
    struct response *r = http_request("GET", url(PROTECTED), headers, NULL);
    long status = r->status;
    if (challenge && !response_header(r, "WWW-Authenticate", challenge, cap))
        challenge[0] = '\0';
    response_free(r);
    return status;
}

static void expect_refused(const char *token, const char *what)
{
    char challenge[512];
    cr_expect_eq(status_with(token, challenge, sizeof challenge), 401, "%s must get 401", what);
    cr_expect(strncmp(challenge, "Bearer ", 7) == 0, "%s: WWW-Authenticate must be Bearer: %s",
              what, challenge);
    cr_expect(strstr(challenge, "error=\"invalid_token\"") != NULL,
              "%s: error=\"invalid_token\" expected: %s", what, challenge);
}

static void expect_hs256_refused(const char *claims, const char *what)
{
    char *token = jws_sign(HS256_HEADER, claims, "HS256", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    expect_refused(token, what);
    free(token);
}

TestSuite(tokens, .init = fixture_start, .fini = fixture_stop, .timeout = 60);

Test(tokens, valid_token_is_accepted)
{
    char *token = test_token("caf-gers", "referrals:read");
    cr_expect_eq(status_with(token, NULL, 0), 200);
    free(token);
}

Test(tokens, missing_token_gets_401_with_bearer_challenge)
{
    struct response *r = http_request("GET", url(PROTECTED), NULL, NULL);
    char challenge[256];
    cr_expect_eq(r->status, 401);
    cr_expect_not_null(response_header(r, "WWW-Authenticate", challenge, sizeof challenge));
    cr_expect(strncmp(challenge, "Bearer", 6) == 0);
    response_free(r);
}

Test(tokens, other_schemes_are_refused)
{
    const char *headers[] = {"Authorization: Basic YWRtaW46YWRtaW4=", NULL};
    struct response *r = http_request("GET", url(PROTECTED), headers, NULL);
    cr_expect_eq(r->status, 401);
    response_free(r);
}

Test(tokens, alg_none_is_refused)
{
    char *claims = test_claims("caf-gers", "admin", 600);
    char *token = jws_sign("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, "none", "", 0);
    expect_refused(token, "alg none");
    /* "none" with the HS256 signature still attached */
    char *signed_token =
        jws_sign("{\"alg\":\"none\"}", claims, "HS256", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    expect_refused(signed_token, "alg none with a signature");
    free(signed_token);
    free(token);
    free(claims);
}

Test(tokens, other_hmac_algorithms_are_refused)
{
    char *claims = test_claims("caf-gers", "admin", 600);
    char *hs512 =
        jws_sign("{\"alg\":\"HS512\"}", claims, "HS512", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    char *hs384 =
        jws_sign("{\"alg\":\"HS384\"}", claims, "HS384", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    expect_refused(hs512, "HS512");
    expect_refused(hs384, "HS384");
    free(hs512);
    free(hs384);
    free(claims);
}

Test(tokens, wrong_secret_is_refused)
{
    char *claims = test_claims("caf-gers", "admin", 600);
    const char *other = "another-secret-of-enough-length-0123456789";
    char *token = jws_sign(HS256_HEADER, claims, "HS256", other, strlen(other));
    expect_refused(token, "a token signed with another secret");
    free(token);
    free(claims);
}

Test(tokens, tampered_payload_is_refused)
{
    char *good = test_token("caf-gers", "referrals:read");
    char *claims = test_claims("caf-gers", "admin", 600);
    char *other = jws_sign(HS256_HEADER, claims, "HS256", "x", 1);
    /* header and payload of `other` (admin) with the signature of `good` */
    char forged[4096];
    const char *good_sig = strrchr(good, '.');
    snprintf(forged, sizeof forged, "%.*s%s", (int)(strrchr(other, '.') - other), other, good_sig);
    expect_refused(forged, "a payload with another token's signature");
    free(good);
    free(claims);
    free(other);
}

Test(tokens, expired_token_is_refused)
{
    char *claims = test_claims("caf-gers", "admin", -120); /* beyond the 60 s leeway */
    expect_hs256_refused(claims, "expired");
    free(claims);
}

Test(tokens, leeway_accepts_a_token_expired_seconds_ago)
{
    char *claims = test_claims("caf-gers", "admin", -20);
    char *token = jws_sign(HS256_HEADER, claims, "HS256", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    cr_expect_eq(status_with(token, NULL, 0), 200);
    free(token);
    free(claims);
}

Test(tokens, claims_are_checked)
{
    long now = (long)time(NULL);
    char claims[512];
    snprintf(claims, sizeof claims, "{\"org\":\"caf-gers\",\"scope\":\"admin\"}");
    expect_hs256_refused(claims, "no exp");
    snprintf(claims, sizeof claims, "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"exp\":\"%ld\"}",
             now + 600);
    expect_hs256_refused(claims, "exp as a string");
    snprintf(claims, sizeof claims,
             "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"exp\":%ld,\"nbf\":%ld}", now + 600,
             now + 300);
    expect_hs256_refused(claims, "nbf in the future");
    snprintf(claims, sizeof claims,
             "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"exp\":%ld,\"iat\":%ld}", now + 600,
             now + 300);
    expect_hs256_refused(claims, "iat in the future");
    snprintf(claims, sizeof claims, "{\"scope\":\"admin\",\"exp\":%ld}", now + 600);
    expect_hs256_refused(claims, "no org");
    snprintf(claims, sizeof claims, "{\"org\":\"caf-gers\",\"exp\":%ld}", now + 600);
    expect_hs256_refused(claims, "no scope");
    snprintf(claims, sizeof claims, "{\"org\":\"nobody-here\",\"scope\":\"admin\",\"exp\":%ld}",
             now + 600);
    expect_hs256_refused(claims, "an organisation not in the directory");
    snprintf(claims, sizeof claims, "{\"org\":\"CAF Gers\",\"scope\":\"admin\",\"exp\":%ld}",
             now + 600);
    expect_hs256_refused(claims, "an org that is not a slug");
    snprintf(claims, sizeof claims,
             "{\"org\":\"caf-gers\",\"org\":\"la-poste-gers\",\"scope\":\"admin\",\"exp\":%ld}",
             now + 600);
    expect_hs256_refused(claims, "duplicate claims");
    expect_hs256_refused("[1,2,3]", "claims that are not an object");
}

Test(tokens, malformed_tokens_are_refused)
{
    expect_refused("abc", "one segment");
    expect_refused("abc.def", "two segments");
    expect_refused("a.b.c.d", "four segments");
    expect_refused("!!!.###.$$$", "not base64url");
    expect_refused("eyJhbGciOiJIUzI1NiJ9.e30.", "an empty signature");
    char *claims = test_claims("caf-gers", "admin", 600);
    char *dup = jws_sign("{\"alg\":\"HS256\",\"alg\":\"none\"}", claims, "HS256", TEST_JWT_SECRET,
                         strlen(TEST_JWT_SECRET));
    expect_refused(dup, "a header with duplicate alg");
    char *crit = jws_sign("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", claims, "HS256",
                          TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    expect_refused(crit, "a header with crit");
    free(dup);
    free(crit);
    free(claims);
}

Test(tokens, oversized_token_is_refused)
{
    long now = (long)time(NULL);
    size_t pad = 9000;
    char *claims = malloc(pad + 256);
    int n = snprintf(claims, 256,
                     "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"exp\":%ld,\"pad\":\"", now + 600);
    memset(claims + n, 'a', pad);
    strcpy(claims + n + pad, "\"}");
    expect_hs256_refused(claims, "a token over 8 KiB");
    free(claims);
}

Test(tokens, missing_scope_gets_403)
{
    char *token = test_token("caf-gers", "referrals:read");
    char auth[4096];
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    struct response *r = http_request("POST", url(PROTECTED), headers,
                                      "{\"slug\":\"x-403\",\"name\":\"X\",\"kind\":\"autre\"}");
    cr_expect_eq(r->status, 403);
    char challenge[256];
    cr_expect_not_null(response_header(r, "WWW-Authenticate", challenge, sizeof challenge));
    cr_expect(strstr(challenge, "insufficient_scope") != NULL);
    response_free(r);
    free(token);
}

/* A server configured with JWT_ISSUER and JWT_AUDIENCE. */
static void start_with_issuer(void)
{
    const char *env[] = {"JWT_ISSUER=https://auth.gers.example", "JWT_AUDIENCE=inclusion-api",
                         NULL};
    fixture_start_with(env);
}

TestSuite(tokens_issuer, .init = start_with_issuer, .fini = fixture_stop, .timeout = 60);

Test(tokens_issuer, issuer_and_audience_are_checked_when_configured)
{
    long now = (long)time(NULL);
    char claims[512];
    const char *base = "\"org\":\"caf-gers\",\"scope\":\"admin\"";
    snprintf(claims, sizeof claims, "{%s,\"exp\":%ld}", base, now + 600);
    expect_hs256_refused(claims, "no iss nor aud");
    snprintf(claims, sizeof claims,
             "{%s,\"exp\":%ld,\"iss\":\"https://evil.example\",\"aud\":\"inclusion-api\"}", base,
             now + 600);
    expect_hs256_refused(claims, "another issuer");
    snprintf(claims, sizeof claims,
             "{%s,\"exp\":%ld,\"iss\":\"https://auth.gers.example\",\"aud\":\"other\"}", base,
             now + 600);
    expect_hs256_refused(claims, "another audience");
    snprintf(
        claims, sizeof claims,
        "{%s,\"exp\":%ld,\"iss\":\"https://auth.gers.example\",\"aud\":[\"x\",\"inclusion-api\"]}",
        base, now + 600);
    char *token = jws_sign(HS256_HEADER, claims, "HS256", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    cr_expect_eq(status_with(token, NULL, 0), 200, "the right iss and aud (in an array) pass");
    free(token);
}

/* Asymmetric services: the right signature passes; an HS256 token whose
 * secret is the public key (the classic key-confusion attack) is refused. */
static void check_asymmetric(const char *alg, const char *key_type)
{
    char pub_path[128], env_key[200], env_alg[32];
    char *pub_pem = NULL;
    char *priv = generate_keypair(key_type, pub_path, sizeof pub_path, &pub_pem);
    cr_assert_not_null(priv);
    snprintf(env_key, sizeof env_key, "JWT_PUBLIC_KEY_FILE=%s", pub_path);
    snprintf(env_alg, sizeof env_alg, "JWT_ALG=%s", alg);
    const char *env[] = {env_alg, env_key, NULL};
    fixture_start_with(env);

    char header[64];
    snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    char *claims = test_claims("caf-gers", "admin", 600);
    char *good = jws_sign(header, claims, alg, priv, strlen(priv));
    cr_expect_eq(status_with(good, NULL, 0), 200, "%s token signed with the private key", alg);
    char *confused = jws_sign(HS256_HEADER, claims, "HS256", pub_pem, strlen(pub_pem));
    expect_refused(confused, "HS256 signed with the public key");
    char *shared =
        jws_sign(HS256_HEADER, claims, "HS256", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    expect_refused(shared, "HS256 with the test secret");
    char *none = jws_sign("{\"alg\":\"none\"}", claims, "none", "", 0);
    expect_refused(none, "alg none");

    char other_pub[64];
    char *other_priv = generate_keypair(key_type, other_pub, sizeof other_pub, NULL);
    char *other = jws_sign(header, claims, alg, other_priv, strlen(other_priv));
    expect_refused(other, "a token signed with another private key");
    unlink(other_pub);
    free(other_priv);
    free(other);

    free(none);
    free(shared);
    free(confused);
    free(good);
    free(claims);
    free(priv);
    free(pub_pem);
    fixture_stop();
    unlink(pub_path);
}

TestSuite(asymmetric, .timeout = 60);

Test(asymmetric, rs256_service)
{
    check_asymmetric("RS256", "RSA");
}

Test(asymmetric, es256_service)
{
    check_asymmetric("ES256", "EC");
}

/* Issue #15: every token lives at most JWT_MAX_TTL_S (default 86400). */
Test(tokens, lifetime_over_the_maximum_is_refused)
{
    char claims[512];
    long now = (long)time(NULL);
    snprintf(claims, sizeof claims,
             "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"iat\":%ld,\"exp\":1e300}", now);
    expect_hs256_refused(claims, "exp = 1e300");
    snprintf(claims, sizeof claims, "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"exp\":1e300}");
    expect_hs256_refused(claims, "exp = 1e300 without iat");
    snprintf(claims, sizeof claims,
             "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"iat\":%ld,\"exp\":%ld}", now,
             now + 10L * 365 * 86400);
    expect_hs256_refused(claims, "a token for ten years");
    snprintf(claims, sizeof claims,
             "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"iat\":%ld,\"exp\":%ld}", now - 10,
             now + 86400 - 10);
    char *token = jws_sign(HS256_HEADER, claims, "HS256", TEST_JWT_SECRET, strlen(TEST_JWT_SECRET));
    cr_expect_eq(status_with(token, NULL, 0), 200, "a day exactly is accepted");
    free(token);
}
