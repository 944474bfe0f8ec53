#include "signing.h"

#include "base64url.h"
#include "core_sql.h"
#include "db.h"
#include "log.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

EVP_PKEY *signing_generate(void)
{
    return EVP_EC_gen("P-256");
}

char *signing_private_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem = NULL;
    if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        pem = n > 0 ? strndup(data, (size_t)n) : NULL;
    }
    BIO_free(bio);
    return pem;
}

static bool is_p256(EVP_PKEY *key)
{
    char group[64];
    size_t len = 0;
    return key && EVP_PKEY_base_id(key) == EVP_PKEY_EC &&
           EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &len) == 1 &&
           strcmp(group, "prime256v1") == 0;
}

EVP_PKEY *signing_parse_private(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (is_p256(key))
        return key;
    EVP_PKEY_free(key);
    return NULL;
}

/* One coordinate of the public point, 32 bytes big-endian, base64url. */
static char *coordinate(EVP_PKEY *key, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char raw[32];
    char *out = NULL;
    if (EVP_PKEY_get_bn_param(key, name, &bn) == 1 && BN_bn2binpad(bn, raw, 32) == 32)
        out = base64url_encode(raw, 32);
    BN_free(bn);
    return out;
}

json_t *signing_jwk(EVP_PKEY *key, const char *kid)
{
    if (!is_p256(key))
        return NULL;
    char *x = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X);
    char *y = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y);
    json_t *jwk =
        x && y ? json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x, "y", y)
               : NULL;
    if (jwk && kid) {
        json_object_set_new(jwk, "kid", json_string(kid));
        json_object_set_new(jwk, "use", json_string("sig"));
        json_object_set_new(jwk, "alg", json_string("ES256"));
    }
    free(x);
    free(y);
    return jwk;
}

bool signing_thumbprint(EVP_PKEY *key, char *kid, size_t cap)
{
    char *x = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X);
    char *y = coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y);
    bool ok = false;
    if (x && y && cap >= 44) {
        /* RFC 7638 §3.2: the required members, in lexicographic order, no spaces */
        char canonical[256];
        int n = snprintf(canonical, sizeof canonical,
                         "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
        unsigned char digest[32];
        unsigned int dlen = 0;
        char *b64 = NULL;
        if (n > 0 && (size_t)n < sizeof canonical &&
            EVP_Digest(canonical, (size_t)n, digest, &dlen, EVP_sha256(), NULL) == 1 &&
            (b64 = base64url_encode(digest, dlen)) != NULL) {
            snprintf(kid, cap, "%s", b64);
            ok = true;
        }
        free(b64);
    }
    free(x);
    free(y);
    return ok;
}

/* The DER ECDSA signature of `input` as the raw R||S of RFC 7518 §3.4. */
static bool sign_raw(EVP_PKEY *key, const char *input, size_t len, unsigned char rs[64])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char der[128];
    size_t der_len = sizeof der;
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestSign(ctx, der, &der_len, (const unsigned char *)input, len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return false;
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    ok = sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32) == 32 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    return ok;
}

static char *encode_json(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT);
    char *out = text ? base64url_encode((const unsigned char *)text, strlen(text)) : NULL;
    free(text);
    return out;
}

char *signing_es256(EVP_PKEY *key, const char *kid, const json_t *claims)
{
    json_t *header = json_pack("{s:s, s:s, s:s}", "alg", "ES256", "typ", "JWT", "kid", kid);
    char *h = header ? encode_json(header) : NULL;
    char *c = encode_json(claims);
    json_decref(header);
    char *token = NULL;
    unsigned char rs[64];
    if (h && c) {
        size_t input_len = strlen(h) + 1 + strlen(c);
        char *input = malloc(input_len + 1);
        if (input) {
            snprintf(input, input_len + 1, "%s.%s", h, c);
            char *sig = sign_raw(key, input, input_len, rs) ? base64url_encode(rs, 64) : NULL;
            if (sig && (token = malloc(input_len + 1 + strlen(sig) + 1)) != NULL)
                sprintf(token, "%s.%s", input, sig);
            free(sig);
            free(input);
        }
    }
    free(h);
    free(c);
    return token;
}

/* ---- the key store ---- */

struct keystore {
    pthread_rwlock_t lock;
    struct auth_keyset set; /* keys owned; issuer and audience point at `issuer` */
    int signer;             /* index in set.keys of the key that signs, or -1 */
    char *jwks;             /* serialised JWKS of set.keys; also what identifies the set */
    char *issuer;
    long after_retire_s;
    /* the refresh thread */
    pthread_t thread;
    bool started;
    atomic_bool stop;
    char *url;
    int timeout_ms, every_s;
};

struct keystore *keystore_new(const char *issuer, long max_ttl_s, long published_after_retire_s)
{
    struct keystore *ks = calloc(1, sizeof *ks);
    if (!ks)
        return NULL;
    pthread_rwlock_init(&ks->lock, NULL);
    ks->issuer = issuer ? strdup(issuer) : NULL;
    ks->set.issuer = ks->issuer;
    ks->set.audience = ks->issuer;
    ks->set.max_ttl_s = max_ttl_s;
    ks->set.cache = auth_sig_cache_new();
    ks->signer = -1;
    ks->after_retire_s = published_after_retire_s;
    ks->jwks = strdup("{\"keys\":[]}");
    atomic_init(&ks->stop, false);
    return ks;
}

static void free_keys(struct auth_own_key *keys, size_t count)
{
    for (size_t i = 0; i < count; i++)
        EVP_PKEY_free(keys[i].key);
}

int keystore_load(struct keystore *ks, PGconn *conn, char *err, size_t err_len)
{
    if (!ks->issuer)
        return 0;
    char seconds[24];
    snprintf(seconds, sizeof seconds, "%ld", ks->after_retire_s);
    const char *params[] = {seconds};
    PGresult *res = PQexecParams(conn, CORE_SQL_SIGNING_KEYS, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, err_len, "reading the signing keys: %s", PQerrorMessage(conn));
        PQclear(res);
        return -1;
    }
    struct auth_own_key keys[AUTH_MAX_KEYS];
    memset(keys, 0, sizeof keys);
    size_t count = 0;
    int signer = -1;
    json_t *list = json_array();
    for (int i = 0; i < PQntuples(res) && count < AUTH_MAX_KEYS; i++) {
        EVP_PKEY *key = signing_parse_private(PQgetvalue(res, i, 1));
        json_t *jwk = key ? signing_jwk(key, PQgetvalue(res, i, 0)) : NULL;
        if (!jwk || strlen(PQgetvalue(res, i, 0)) > AUTH_MAX_KID) {
            log_event(LOG_ERROR, "signing key unreadable: skipped",
                      json_pack("{s:s}", "kid", PQgetvalue(res, i, 0)));
            EVP_PKEY_free(key);
            json_decref(jwk);
            continue;
        }
        json_array_append_new(list, jwk);
        snprintf(keys[count].kid, sizeof keys[count].kid, "%s", PQgetvalue(res, i, 0));
        keys[count].key = key;
        if (signer < 0 && strcmp(PQgetvalue(res, i, 2), "t") == 0)
            signer = (int)count;
        count++;
    }
    PQclear(res);
    json_t *doc = json_pack("{s:o}", "keys", list);
    char *jwks = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!jwks) {
        free_keys(keys, count);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    /* the same keys and the same signer (the usual case): nothing to swap,
     * and the tokens verified so far stay verified */
    pthread_rwlock_rdlock(&ks->lock);
    bool same = ks->signer == signer && strcmp(ks->jwks, jwks) == 0;
    pthread_rwlock_unlock(&ks->lock);
    if (same) {
        free_keys(keys, count);
        free(jwks);
        return 0;
    }
    struct auth_own_key old[AUTH_MAX_KEYS];
    pthread_rwlock_wrlock(&ks->lock);
    if (ks->set.cache)
        auth_sig_cache_clear(ks->set.cache);
    size_t old_count = ks->set.count;
    memcpy(old, ks->set.keys, sizeof old);
    char *old_jwks = ks->jwks;
    memcpy(ks->set.keys, keys, sizeof keys);
    ks->set.count = count;
    ks->signer = signer;
    ks->jwks = jwks;
    pthread_rwlock_unlock(&ks->lock);
    free_keys(old, old_count);
    free(old_jwks);
    return 0;
}

static void *refresh_loop(void *arg)
{
    struct keystore *ks = arg;
    PGconn *conn = NULL;
    while (!atomic_load(&ks->stop)) {
        for (int tick = 0; tick < ks->every_s * 10 && !atomic_load(&ks->stop); tick++)
            usleep(100 * 1000);
        if (atomic_load(&ks->stop))
            break;
        char err[512] = "";
        if (!conn)
            conn = db_connect(ks->url, ks->timeout_ms, err, sizeof err);
        if (!conn || keystore_load(ks, conn, err, sizeof err) != 0) {
            log_event(LOG_WARN, "cannot refresh the signing keys",
                      json_pack("{s:s}", "error", err));
            PQfinish(conn);
            conn = NULL;
        }
    }
    PQfinish(conn);
    return NULL;
}

bool keystore_start(struct keystore *ks, const char *url, int statement_timeout_ms, int every_s)
{
    if (!ks->issuer)
        return true;
    ks->url = strdup(url);
    ks->timeout_ms = statement_timeout_ms;
    ks->every_s = every_s;
    ks->started = ks->url && pthread_create(&ks->thread, NULL, refresh_loop, ks) == 0;
    return ks->started;
}

void keystore_free(struct keystore *ks)
{
    if (!ks)
        return;
    if (ks->started) {
        atomic_store(&ks->stop, true);
        pthread_join(ks->thread, NULL);
    }
    free_keys(ks->set.keys, ks->set.count);
    auth_sig_cache_free(ks->set.cache);
    pthread_rwlock_destroy(&ks->lock);
    free(ks->jwks);
    free(ks->issuer);
    free(ks->url);
    free(ks);
}

bool keystore_verify(struct keystore *ks, const struct auth_verifier *ext, const char *token,
                     time_t now, struct auth_identity *who, const char **why)
{
    if (!ks)
        return auth_verify(ext, NULL, token, now, who, why);
    pthread_rwlock_rdlock(&ks->lock);
    bool ok = auth_verify(ext, &ks->set, token, now, who, why);
    pthread_rwlock_unlock(&ks->lock);
    return ok;
}

char *keystore_sign(struct keystore *ks, const json_t *claims)
{
    if (!ks)
        return NULL;
    pthread_rwlock_rdlock(&ks->lock);
    char *token = ks->signer >= 0 ? signing_es256(ks->set.keys[ks->signer].key,
                                                  ks->set.keys[ks->signer].kid, claims)
                                  : NULL;
    pthread_rwlock_unlock(&ks->lock);
    return token;
}

char *keystore_jwks(struct keystore *ks)
{
    if (!ks)
        return strdup("{\"keys\":[]}");
    pthread_rwlock_rdlock(&ks->lock);
    char *text = strdup(ks->jwks);
    pthread_rwlock_unlock(&ks->lock);
    return text;
}
