/* Token checks as pure functions: header, claims, scopes, and the whole
 * verification with HS256 tokens signed here. */
#include "auth.h"
#include "signing.h"
#include "support/tokens.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>

#define SECRET "unit-test-secret-0123456789-0123456789"
#define NOW    1800000000L

static struct auth_verifier hs256 = {
    .alg = TOKEN_HS256, .key = SECRET, .key_len = sizeof SECRET - 1};

static bool claims_ok(const char *json, const struct auth_verifier *v, const char **why)
{
    struct auth_identity who;
    json_t *claims = json_loads(json, 0, NULL);
    cr_assert_not_null(claims, "test claims must parse: %s", json);
    bool ok = auth_check_claims(claims, v, NOW, &who, why);
    json_decref(claims);
    return ok;
}

Test(auth_header, alg_must_be_the_configured_one)
{
    const char *why = NULL;
    json_t *h = json_pack("{s:s}", "alg", "HS256");
    cr_expect(auth_check_header(h, TOKEN_HS256, &why));
    cr_expect_not(auth_check_header(h, TOKEN_RS256, &why), "HS256 against an RS256 service");
    json_decref(h);
    h = json_pack("{s:s}", "alg", "none");
    cr_expect_not(auth_check_header(h, TOKEN_HS256, &why));
    json_decref(h);
    h = json_pack("{s:s}", "alg", "hs256");
    cr_expect_not(auth_check_header(h, TOKEN_HS256, &why), "exact match, case included");
    json_decref(h);
    h = json_pack("{s:i}", "alg", 1);
    cr_expect_not(auth_check_header(h, TOKEN_HS256, &why));
    json_decref(h);
    h = json_pack("{s:s, s:[s]}", "alg", "HS256", "crit", "exp");
    cr_expect_not(auth_check_header(h, TOKEN_HS256, &why));
    json_decref(h);
    h = json_pack("{s:s, s:s}", "alg", "HS256", "typ", "at+jwt");
    cr_expect_not(auth_check_header(h, TOKEN_HS256, &why));
    json_decref(h);
}

Test(auth_claims, exp_is_required_with_leeway)
{
    const char *why = NULL;
    cr_expect_not(claims_ok("{\"org\":\"caf-gers\",\"scope\":\"admin\"}", &hs256, &why));
    cr_expect_str_eq(why, "token has no exp claim");
    cr_expect(claims_ok("{\"org\":\"caf-gers\",\"scope\":\"\",\"exp\":1799999950}", &hs256, &why),
              "50 s late is within the leeway");
    cr_expect_not(
        claims_ok("{\"org\":\"caf-gers\",\"scope\":\"\",\"exp\":1799999930}", &hs256, &why));
    cr_expect_str_eq(why, "token has expired");
    cr_expect_not(
        claims_ok("{\"org\":\"caf-gers\",\"scope\":\"\",\"exp\":\"1800000100\"}", &hs256, &why));
    cr_expect(claims_ok("{\"org\":\"caf-gers\",\"scope\":\"\",\"exp\":1800000100.5}", &hs256, &why),
              "NumericDate may be fractional");
}

Test(auth_claims, nbf_and_iat_with_leeway)
{
    const char *why = NULL;
    cr_expect(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"nbf\":1800000050}",
                        &hs256, &why));
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"nbf\":1800000070}",
                            &hs256, &why));
    cr_expect(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"iat\":1800000060}",
                        &hs256, &why));
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"iat\":1800000061}",
                            &hs256, &why));
    cr_expect_not(
        claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"iat\":null}", &hs256, &why));
}

Test(auth_claims, issuer_and_audience_when_configured)
{
    struct auth_verifier v = hs256;
    v.issuer = "https://idp.example";
    v.audience = "inclusion-api";
    const char *why = NULL;
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600}", &v, &why));
    cr_expect_not(claims_ok(
        "{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"iss\":\"https://idp.example\"}", &v,
        &why));
    cr_expect_str_eq(why, "token audience not accepted");
    cr_expect(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"iss\":\"https://"
                        "idp.example\",\"aud\":\"inclusion-api\"}",
                        &v, &why));
    cr_expect(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"iss\":\"https://"
                        "idp.example\",\"aud\":[\"b\",\"inclusion-api\"]}",
                        &v, &why));
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"iss\":\"https://"
                            "idp.example\",\"aud\":[\"b\"]}",
                            &v, &why));
}

Test(auth_claims, org_and_scope_are_required)
{
    const char *why = NULL;
    cr_expect_not(claims_ok("{\"scope\":\"admin\",\"exp\":1800000600}", &hs256, &why));
    cr_expect_not(claims_ok("{\"org\":\"caf-gers\",\"exp\":1800000600}", &hs256, &why));
    cr_expect_not(
        claims_ok("{\"org\":\"Caf Gers\",\"scope\":\"\",\"exp\":1800000600}", &hs256, &why));
    cr_expect_not(
        claims_ok("{\"org\":\"caf-gers\",\"scope\":[\"admin\"],\"exp\":1800000600}", &hs256, &why));
    cr_expect_not(claims_ok("{\"org\":\"caf-gers\",\"scope\":\"\",\"sub\":42,\"exp\":1800000600}",
                            &hs256, &why));
}

Test(auth_scope, whole_words_only)
{
    struct auth_identity who = {.scope = "places:read referrals:write admin"};
    cr_expect(auth_has_scope(&who, "places:read"));
    cr_expect(auth_has_scope(&who, "admin"));
    cr_expect(auth_has_scope(&who, "referrals:write"));
    cr_expect_not(auth_has_scope(&who, "referrals:read"));
    cr_expect_not(auth_has_scope(&who, "places"));
    cr_expect_not(auth_has_scope(&who, "read"));
    cr_expect_not(auth_has_scope(&who, "admi"));
    struct auth_identity empty = {.scope = ""};
    cr_expect_not(auth_has_scope(&empty, "admin"));
}

Test(auth_slug, format)
{
    cr_expect(auth_is_slug("france-services-l-isle-jourdain"));
    cr_expect(auth_is_slug("caf-gers"));
    cr_expect_not(auth_is_slug(""));
    cr_expect_not(auth_is_slug("-caf"));
    cr_expect_not(auth_is_slug("caf-"));
    cr_expect_not(auth_is_slug("CAF"));
    cr_expect_not(auth_is_slug("caf gers"));
    cr_expect_not(auth_is_slug("caf_gers"));
    char long_slug[80];
    memset(long_slug, 'a', 65);
    long_slug[65] = '\0';
    cr_expect_not(auth_is_slug(long_slug));
}

Test(auth_verify, signed_tokens_end_to_end)
{
    struct auth_identity who;
    const char *why = NULL;
    char *token = jws_sign(
        "{\"alg\":\"HS256\"}",
        "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"sub\":\"agent-7\",\"exp\":1800000600}",
        "HS256", SECRET, strlen(SECRET));
    cr_expect(auth_verify_token(&hs256, token, NOW, &who, &why), "%s", why);
    cr_expect_str_eq(who.org, "caf-gers");
    cr_expect_str_eq(who.sub, "agent-7");
    cr_expect_str_eq(who.scope, "admin");
    token[strlen(token) - 2] ^= 1; /* flip a bit of the signature */
    cr_expect_not(auth_verify_token(&hs256, token, NOW, &who, &why));
    free(token);

    struct auth_verifier empty_key = hs256;
    empty_key.key = "";
    empty_key.key_len = 0;
    token = jws_sign("{\"alg\":\"HS256\"}", "{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600}",
                     "HS256", "", 0);
    cr_expect_not(auth_verify_token(&empty_key, token, NOW, &who, &why),
                  "an empty key never verifies anything");
    free(token);
    cr_expect_not(auth_verify_token(&hs256, "", NOW, &who, &why));
    cr_expect_not(auth_verify_token(&hs256, "a.b", NOW, &who, &why));
    cr_expect_not(auth_verify_token(&hs256, "a.b.", NOW, &who, &why));
}

/* ---- issue #15: lifetime, keys named by the token, the own issuer ---- */

Test(auth_claims, lifetime_is_bounded)
{
    const char *why = NULL;
    cr_expect(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"iat\":1800000000,\"exp\":1800086400}",
                        &hs256, &why),
              "exactly JWT_MAX_TTL_S (the default, 86400) is accepted");
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"iat\":1800000000,\"exp\":1800086401}",
                            &hs256, &why));
    cr_expect_str_eq(why, "token lifetime exceeds the maximum (JWT_MAX_TTL_S)");
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1e300}", &hs256, &why),
                  "exp = 1e300 without iat");
    cr_expect_str_eq(why, "token lifetime exceeds the maximum (JWT_MAX_TTL_S)");
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"iat\":1800000000,\"exp\":2115360000}",
                            &hs256, &why),
                  "ten years");
    cr_expect(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800086400}", &hs256, &why),
              "without iat: exp - now");
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800086401}", &hs256, &why));
    struct auth_verifier short_lived = hs256;
    short_lived.max_ttl_s = 600;
    cr_expect_not(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"iat\":1800000000,\"exp\":1800000601}",
                            &short_lived, &why));
    cr_expect(claims_ok("{\"org\":\"a\",\"scope\":\"\",\"iat\":1800000000,\"exp\":1800000600}",
                        &short_lived, &why));
}

Test(auth_claims, jti_is_copied)
{
    struct auth_identity who;
    const char *why = NULL;
    json_t *claims =
        json_loads("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"jti\":\"abc\"}", 0, NULL);
    cr_expect(auth_check_claims(claims, &hs256, NOW, &who, &why));
    cr_expect_str_eq(who.jti, "abc");
    json_decref(claims);
    cr_expect_not(
        claims_ok("{\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600,\"jti\":7}", &hs256, &why));
}

Test(auth_header, keys_named_by_the_token_are_refused)
{
    static const char *const named[] = {"jku", "jwk", "x5u"};
    for (size_t i = 0; i < 3; i++) {
        const char *why = NULL;
        json_t *h = json_pack("{s:s, s:s}", "alg", "HS256", named[i], "https://evil.example/k");
        cr_expect_not(auth_check_header(h, TOKEN_HS256, &why), "%s", named[i]);
        json_decref(h);
    }
}

#define OWN "https://api.example.fr"

struct own_fixture {
    char *pem, *other_pem;
    struct auth_keyset set;
};

static void own_setup(struct own_fixture *f)
{
    char path[256];
    memset(f, 0, sizeof *f);
    f->pem = generate_keypair("EC", path, sizeof path, NULL);
    unlink(path);
    f->other_pem = generate_keypair("EC", path, sizeof path, NULL);
    unlink(path);
    f->set.issuer = OWN;
    f->set.audience = OWN;
    f->set.count = 1;
    snprintf(f->set.keys[0].kid, sizeof f->set.keys[0].kid, "k1");
    f->set.keys[0].key = signing_parse_private(f->pem);
    cr_assert_not_null(f->set.keys[0].key);
}

static void own_teardown(struct own_fixture *f)
{
    EVP_PKEY_free(f->set.keys[0].key);
    free(f->pem);
    free(f->other_pem);
}

static bool own_ok(struct own_fixture *f, const char *header, const char *claims, const char *alg,
                   const char *key, const char **why)
{
    struct auth_identity who;
    char *token = jws_sign(header, claims, alg, key, strlen(key));
    bool ok = auth_verify(&hs256, &f->set, token, NOW, &who, why);
    if (ok)
        cr_expect(who.own);
    free(token);
    return ok;
}

#define OWN_CLAIMS(aud)                                                                            \
    "{\"iss\":\"" OWN "\"," aud "\"org\":\"caf-gers\",\"scope\":\"admin\",\"iat\":1800000000,"     \
    "\"exp\":1800000900,\"jti\":\"j1\",\"sub\":\"c1\"}"

Test(auth_own, es256_with_a_known_kid_and_the_audience)
{
    struct own_fixture f;
    own_setup(&f);
    const char *why = NULL;
    const char *good = OWN_CLAIMS("\"aud\":\"" OWN "\",");
    cr_expect(own_ok(&f, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", good, "ES256", f.pem, &why), "%s",
              why);
    cr_expect_not(own_ok(&f, "{\"alg\":\"ES256\",\"kid\":\"k2\"}", good, "ES256", f.pem, &why));
    cr_expect_str_eq(why, "token key id (kid) is not one of the service's keys");
    cr_expect_not(own_ok(&f, "{\"alg\":\"ES256\"}", good, "ES256", f.pem, &why), "no kid");
    cr_expect_not(
        own_ok(&f, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", good, "ES256", f.other_pem, &why),
        "another key under a known kid");
    cr_expect_str_eq(why, "token signature is not valid");
    cr_expect_not(
        own_ok(&f, "{\"alg\":\"ES256\",\"kid\":\"k1\"}", OWN_CLAIMS(""), "ES256", f.pem, &why),
        "no aud");
    cr_expect_str_eq(why, "token audience not accepted");
    cr_expect_not(own_ok(&f, "{\"alg\":\"ES256\",\"kid\":\"k1\"}",
                         OWN_CLAIMS("\"aud\":\"https://other.example\","), "ES256", f.pem, &why));
    own_teardown(&f);
}

Test(auth_own, hs256_never_passes_for_the_own_issuer)
{
    struct own_fixture f;
    own_setup(&f);
    const char *why = NULL;
    /* signed with the external issuer's very secret: still refused */
    cr_expect_not(own_ok(&f, "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
                         OWN_CLAIMS("\"aud\":\"" OWN "\","), "HS256", SECRET, &why));
    cr_expect_str_eq(why, "token algorithm not accepted");
    /* a key put in the header by the token is never used */
    cr_expect_not(own_ok(&f, "{\"alg\":\"ES256\",\"kid\":\"evil\",\"jku\":\"https://evil\"}",
                         OWN_CLAIMS("\"aud\":\"" OWN "\","), "ES256", f.other_pem, &why));
    /* the external issuer's tokens keep working beside the own issuer */
    struct auth_identity who;
    char *ext = jws_sign("{\"alg\":\"HS256\"}",
                         "{\"org\":\"caf-gers\",\"scope\":\"admin\",\"exp\":1800000600}", "HS256",
                         SECRET, strlen(SECRET));
    cr_expect(auth_verify(&hs256, &f.set, ext, NOW, &who, &why), "%s", why);
    cr_expect_not(who.own);
    free(ext);
    own_teardown(&f);
}

Test(auth_own, es256_with_the_service_key_but_another_issuer_is_external)
{
    struct own_fixture f;
    own_setup(&f);
    const char *why = NULL;
    /* the external verifier is HS256: an ES256 token naming another issuer fails */
    cr_expect_not(own_ok(&f, "{\"alg\":\"ES256\",\"kid\":\"k1\"}",
                         "{\"iss\":\"https://x\",\"aud\":\"" OWN
                         "\",\"org\":\"a\",\"scope\":\"\",\"exp\":1800000600}",
                         "ES256", f.pem, &why));
    own_teardown(&f);
}

Test(auth_own, the_signature_cache_never_spares_a_claim_or_another_token)
{
    struct own_fixture f;
    own_setup(&f);
    f.set.cache = auth_sig_cache_new();
    struct auth_identity who;
    const char *why = NULL;
    char *token = jws_sign("{\"alg\":\"ES256\",\"kid\":\"k1\"}", OWN_CLAIMS("\"aud\":\"" OWN "\","),
                           "ES256", f.pem, strlen(f.pem));
    cr_expect(auth_verify(&hs256, &f.set, token, NOW, &who, &why), "%s", why);
    cr_expect(auth_verify(&hs256, &f.set, token, NOW, &who, &why), "from the cache: %s", why);
    cr_expect_not(auth_verify(&hs256, &f.set, token, NOW + 3600, &who, &why),
                  "a cached signature does not make an expired token valid");
    cr_expect_str_eq(why, "token has expired");
    char *forged = strdup(token);
    forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ? 'B' : 'A';
    cr_expect_not(auth_verify(&hs256, &f.set, forged, NOW, &who, &why), "another token");
    f.set.count = 0; /* the key is gone */
    cr_expect_not(auth_verify(&hs256, &f.set, token, NOW, &who, &why),
                  "a cached token of a key no longer in the set");
    f.set.count = 1;
    auth_sig_cache_clear(f.set.cache);
    cr_expect(auth_verify(&hs256, &f.set, token, NOW, &who, &why), "%s", why);
    free(forged);
    free(token);
    auth_sig_cache_free(f.set.cache);
    own_teardown(&f);
}
