#include "support/tokens.h"

#include "base64url.h"
#include "support/server.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static EVP_PKEY *read_private(const char *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return key;
}

/* Signs `input` with an asymmetric key; returns the raw JWS signature. */
static unsigned char *sign_asymmetric(const char *input, const char *alg, const char *key_pem,
                                      size_t key_len, size_t *sig_len)
{
    EVP_PKEY *key = read_private(key_pem, key_len);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    size_t der_len = 0;
    if (key && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestSign(ctx, NULL, &der_len, (const unsigned char *)input, strlen(input)) == 1) {
        der = malloc(der_len);
        if (EVP_DigestSign(ctx, der, &der_len, (const unsigned char *)input, strlen(input)) != 1) {
            free(der);
            der = NULL;
        }
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    if (!der || strcmp(alg, "ES256") != 0) {
        *sig_len = der_len;
        return der;
    }
    /* ECDSA: OpenSSL gives DER; JWS wants the two 32-byte integers R||S. */
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    free(der);
    if (!sig)
        return NULL;
    unsigned char *raw = calloc(1, 64);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);
    *sig_len = 64;
    return raw;
}

char *jws_sign(const char *header_json, const char *payload_json, const char *alg, const char *key,
               size_t key_len)
{
    char *h = base64url_encode((const unsigned char *)header_json, strlen(header_json));
    char *p = base64url_encode((const unsigned char *)payload_json, strlen(payload_json));
    size_t input_len = strlen(h) + strlen(p) + 2;
    char *input = malloc(input_len);
    snprintf(input, input_len, "%s.%s", h, p);
    free(h);
    free(p);

    unsigned char *sig = NULL;
    size_t sig_len = 0;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (strncmp(alg, "HS", 2) == 0) {
        const EVP_MD *md = strcmp(alg, "HS512") == 0   ? EVP_sha512()
                           : strcmp(alg, "HS384") == 0 ? EVP_sha384()
                                                       : EVP_sha256();
        HMAC(md, key, (int)key_len, (const unsigned char *)input, strlen(input), mac, &mac_len);
        sig = mac;
        sig_len = mac_len;
    } else if (strcmp(alg, "RS256") == 0 || strcmp(alg, "ES256") == 0) {
        sig = sign_asymmetric(input, alg, key, key_len, &sig_len);
    }
    char *s = base64url_encode(sig ? sig : (const unsigned char *)"", sig ? sig_len : 0);
    if (sig && sig != mac)
        free(sig);
    size_t out_len = strlen(input) + strlen(s) + 2;
    char *out = malloc(out_len);
    snprintf(out, out_len, "%s.%s", input, s);
    free(input);
    free(s);
    return out;
}

char *test_claims(const char *org, const char *scope, long exp_offset)
{
    char *claims = malloc(1024);
    long now = (long)time(NULL);
    snprintf(claims, 1024,
             "{\"sub\":\"test\",\"org\":\"%s\",\"scope\":\"%s\",\"iat\":%ld,\"exp\":%ld}", org,
             scope, now, now + exp_offset);
    return claims;
}

char *test_token(const char *org, const char *scope)
{
    char *claims = test_claims(org, scope, 600);
    char *token = jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256", TEST_JWT_SECRET,
                           strlen(TEST_JWT_SECRET));
    free(claims);
    return token;
}

static char *bio_text(BIO *bio)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    char *copy = malloc((size_t)len + 1);
    memcpy(copy, data, (size_t)len);
    copy[len] = '\0';
    return copy;
}

char *generate_keypair(const char *type, char *pub_path, size_t cap, char **pub_pem)
{
    EVP_PKEY *key = strcmp(type, "RSA") == 0 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    if (!key)
        return NULL;
    BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, key, NULL, NULL, 0, NULL, NULL);
    PEM_write_bio_PUBKEY(pub, key);
    char *priv_text = bio_text(priv), *pub_text = bio_text(pub);
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(key);
    snprintf(pub_path, cap, "/tmp/inclusion-api-test-key-XXXXXX");
    int fd = mkstemp(pub_path);
    if (fd >= 0) {
        ssize_t written = write(fd, pub_text, strlen(pub_text));
        (void)written;
        close(fd);
    }
    if (pub_pem)
        *pub_pem = pub_text;
    else
        free(pub_text);
    return priv_text;
}
