#include "auth.h"

#include "base64url.h"

#include <math.h>
#include <pthread.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REFUSE(msg)                                                                                \
    do {                                                                                           \
        *why = (msg);                                                                              \
        return false;                                                                              \
    } while (0)

bool auth_check_header(const json_t *header, enum token_alg alg, const char **why)
{
    if (!json_is_object(header))
        REFUSE("token header is not a JSON object");
    const char *got = json_string_value(json_object_get(header, "alg"));
    if (!got || strcmp(got, config_alg_name(alg)) != 0)
        REFUSE("token algorithm not accepted");
    if (json_object_get(header, "crit"))
        REFUSE("token header has critical extensions");
    /* keys are never taken from a token: one that points at its own is refused */
    if (json_object_get(header, "jku") || json_object_get(header, "jwk") ||
        json_object_get(header, "x5u"))
        REFUSE("token header names a key (jku, jwk, x5u): not accepted");
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
    double max_ttl = (double)(v->max_ttl_s > 0 ? v->max_ttl_s : AUTH_DEFAULT_MAX_TTL_S);
    if (exp - (has > 0 ? iat : t) > max_ttl)
        REFUSE("token lifetime exceeds the maximum (JWT_MAX_TTL_S)");
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
    who->exp = exp;
    const json_t *jti = json_object_get(claims, "jti");
    if (jti && !copy_string(jti, who->jti, sizeof who->jti))
        REFUSE("token jti claim is not a string of at most 64 bytes");
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

const char *const auth_scopes[] = {"places:read",
                                   "places:write",
                                   "workshops:read",
                                   "workshops:write",
                                   "registrations:write",
                                   "referrals:read",
                                   "referrals:write",
                                   "indicators:read",
                                   "activity:write",
                                   "devices:write",
                                   "webhooks:write",
                                   "admin",
                                   NULL};

bool auth_scope_exists(const char *scope)
{
    for (size_t i = 0; auth_scopes[i]; i++)
        if (strcmp(scope, auth_scopes[i]) == 0)
            return true;
    return false;
}

bool auth_verifier_prepare(struct auth_verifier *v)
{
    v->pkey = NULL;
    if (v->alg == TOKEN_HS256)
        return v->key_len > 0;
    BIO *bio = BIO_new_mem_buf(v->key, (int)v->key_len);
    v->pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    int want = v->alg == TOKEN_RS256 ? EVP_PKEY_RSA : EVP_PKEY_EC;
    if (v->pkey && EVP_PKEY_base_id(v->pkey) == want)
        return true;
    auth_verifier_release(v);
    return false;
}

void auth_verifier_release(struct auth_verifier *v)
{
    EVP_PKEY_free(v->pkey);
    v->pkey = NULL;
}

static bool digest_verify(EVP_PKEY *key, const char *input, size_t input_len,
                          const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)input, input_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

bool auth_es256_ok(EVP_PKEY *key, const char *input, size_t input_len, const unsigned char *sig,
                   size_t sig_len)
{
    if (!key || EVP_PKEY_base_id(key) != EVP_PKEY_EC || sig_len != 64)
        return false;
    /* JWS carries R||S (RFC 7518 §3.4); OpenSSL verifies DER */
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return false;
    }
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(es, &der);
    bool ok = der_len > 0 && digest_verify(key, input, input_len, der, (size_t)der_len);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    return ok;
}

/* The signature of `input` with the external verifier's pinned algorithm and
 * key (never empty: an empty HMAC key would accept anything). */
static bool external_signature_ok(const struct auth_verifier *v, const char *input,
                                  size_t input_len, const unsigned char *sig, size_t sig_len)
{
    if (v->alg == TOKEN_HS256) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        if (v->key_len == 0 || sig_len != 32 ||
            !HMAC(EVP_sha256(), v->key, (int)v->key_len, (const unsigned char *)input, input_len,
                  mac, &mac_len) ||
            mac_len != 32)
            return false;
        return CRYPTO_memcmp(mac, sig, 32) == 0;
    }
    if (!v->pkey)
        return false;
    if (v->alg == TOKEN_ES256)
        return auth_es256_ok(v->pkey, input, input_len, sig, sig_len);
    return EVP_PKEY_base_id(v->pkey) == EVP_PKEY_RSA &&
           digest_verify(v->pkey, input, input_len, sig, sig_len);
}

#define SIG_CACHE_SLOTS 4096 /* 128 KiB */

struct auth_sig_cache {
    pthread_mutex_t lock;
    unsigned char slot[SIG_CACHE_SLOTS][32]; /* SHA-256 of a verified token; zero: empty */
};

struct auth_sig_cache *auth_sig_cache_new(void)
{
    struct auth_sig_cache *cache = calloc(1, sizeof *cache);
    if (cache)
        pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void auth_sig_cache_clear(struct auth_sig_cache *cache)
{
    pthread_mutex_lock(&cache->lock);
    memset(cache->slot, 0, sizeof cache->slot);
    pthread_mutex_unlock(&cache->lock);
}

void auth_sig_cache_free(struct auth_sig_cache *cache)
{
    if (!cache)
        return;
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

static size_t slot_of(const unsigned char digest[32])
{
    return ((size_t)digest[0] << 8 | digest[1]) % SIG_CACHE_SLOTS;
}

/* Whether the token whose SHA-256 is `digest` was verified already. */
static bool sig_cache_has(struct auth_sig_cache *cache, const unsigned char digest[32])
{
    pthread_mutex_lock(&cache->lock);
    bool hit = CRYPTO_memcmp(cache->slot[slot_of(digest)], digest, 32) == 0;
    pthread_mutex_unlock(&cache->lock);
    return hit;
}

static void sig_cache_put(struct auth_sig_cache *cache, const unsigned char digest[32])
{
    pthread_mutex_lock(&cache->lock);
    memcpy(cache->slot[slot_of(digest)], digest, 32);
    pthread_mutex_unlock(&cache->lock);
}

/* The own issuer's signature check, through the cache when there is one. */
static bool own_signature_ok(const struct auth_keyset *own, EVP_PKEY *key, const char *token,
                             size_t input_len, const unsigned char *sig, size_t sig_len)
{
    unsigned char digest[32];
    unsigned int n = 0;
    bool hashed = own->cache &&
                  EVP_Digest(token, strlen(token), digest, &n, EVP_sha256(), NULL) == 1 && n == 32;
    if (hashed && sig_cache_has(own->cache, digest))
        return true;
    if (!auth_es256_ok(key, token, input_len, sig, sig_len))
        return false;
    if (hashed)
        sig_cache_put(own->cache, digest);
    return true;
}

static const struct auth_own_key *own_key(const struct auth_keyset *own, const json_t *header)
{
    const char *kid = json_string_value(json_object_get(header, "kid"));
    for (size_t i = 0; kid && i < own->count; i++)
        if (strcmp(own->keys[i].kid, kid) == 0)
            return &own->keys[i];
    return NULL;
}

bool auth_verify_token(const struct auth_verifier *v, const char *token, time_t now,
                       struct auth_identity *who, const char **why)
{
    return auth_verify(v, NULL, token, now, who, why);
}

bool auth_verify(const struct auth_verifier *ext, const struct auth_keyset *own, const char *token,
                 time_t now, struct auth_identity *who, const char **why)
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
    json_t *claims = header ? decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1)) : NULL;
    size_t sig_len = 0;
    unsigned char *sig = claims ? base64url_decode(dot2 + 1, strlen(dot2 + 1), &sig_len) : NULL;
    bool ok = false;
    if (!header) {
        *why = "token header is not base64url JSON";
    } else if (!claims) {
        *why = "token claims are not base64url JSON";
    } else if (!sig) {
        *why = "token signature is not valid";
    } else {
        /* the verifier is chosen by the issuer the token names; the signature
         * then proves (or not) that this issuer signed it */
        const char *iss = json_string_value(json_object_get(claims, "iss"));
        const char *input = token;
        size_t input_len = (size_t)(dot2 - token);
        if (own && own->issuer && iss && strcmp(iss, own->issuer) == 0) {
            const struct auth_own_key *key = NULL;
            struct auth_verifier v = {.alg = TOKEN_ES256,
                                      .issuer = own->issuer,
                                      .audience = own->audience ? own->audience : own->issuer,
                                      .max_ttl_s = own->max_ttl_s};
            if (!auth_check_header(header, TOKEN_ES256, why))
                ;
            else if (!(key = own_key(own, header)))
                *why = "token key id (kid) is not one of the service's keys";
            else if (!own_signature_ok(own, key->key, token, input_len, sig, sig_len))
                *why = "token signature is not valid";
            else if (auth_check_claims(claims, &v, now, who, why))
                ok = who->own = true;
        } else if (!ext) {
            *why = "token issuer not accepted";
        } else if (!auth_check_header(header, ext->alg, why)) {
            ;
        } else if (!external_signature_ok(ext, input, input_len, sig, sig_len)) {
            *why = "token signature is not valid";
        } else {
            ok = auth_check_claims(claims, ext, now, who, why);
        }
    }
    free(sig);
    json_decref(claims);
    json_decref(header);
    return ok;
}
