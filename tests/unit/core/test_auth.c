/* Token checks as pure functions: header, claims, scopes, and the whole
 * verification with HS256 tokens signed here. */
#include "auth.h"
#include "support/tokens.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "unit-test-secret-0123456789-0123456789"
#define NOW    1800000000L

static struct auth_verifier hs256 = {TOKEN_HS256, SECRET, sizeof SECRET - 1, NULL, NULL};

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
