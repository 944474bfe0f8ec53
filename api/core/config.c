#include "config.h"

#include "dates.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#define DEFAULT_DATABASE_URL "postgresql://inclusion:inclusion@127.0.0.1:54320/inclusion"
#define MIN_HS256_SECRET     32
#define MAX_KEY_FILE         (64 * 1024)

struct loader {
    config_getenv_fn get;
    void *ctx;
    char *err;
    size_t err_len;
};

static int fail(struct loader *l, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct loader *l, const char *name, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(l->err, l->err_len, "%s: ", name);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < l->err_len)
        vsnprintf(l->err + n, l->err_len - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* The variable's value, or NULL when unset or empty. */
static const char *value(struct loader *l, const char *name)
{
    const char *v = l->get(name, l->ctx);
    return v && *v ? v : NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int read_int(struct loader *l, const char *name, int fallback, int min, int max, int *out)
{
    const char *v = value(l, name);
    if (!v) {
        *out = fallback;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < min || n > max)
        return fail(l, name, "must be an integer from %d to %d (got \"%s\")", min, max, v);
    *out = (int)n;
    return 0;
}

/* A date YYYY-MM-DD (a real day) into out[11]. */
static int read_date(struct loader *l, const char *name, const char *fallback, char out[11])
{
    const char *v = value(l, name);
    long days;
    if (!v)
        v = fallback;
    if (strlen(v) != 10 || !dates_parse(v, &days))
        return fail(l, name, "must be a date such as 2026-12-08 (got \"%s\")", v);
    memcpy(out, v, 11);
    return 0;
}

/* INDICATORS_DISCLOSURE: strict (1) or cell (0). */
static int read_disclosure(struct loader *l, int *out)
{
    const char *v = value(l, "INDICATORS_DISCLOSURE");
    if (!v || strcmp(v, "strict") == 0)
        *out = 1;
    else if (strcmp(v, "cell") == 0)
        *out = 0;
    else
        return fail(l, "INDICATORS_DISCLOSURE", "must be strict or cell (got \"%s\")", v);
    return 0;
}

static int read_flag(struct loader *l, const char *name, bool *out)
{
    int v = 0;
    if (read_int(l, name, 0, 0, 1, &v))
        return -1;
    *out = v == 1;
    return 0;
}

/* WEBHOOK_RETRY_SCHEDULE_S: the delays before each retry, in seconds,
 * comma-separated (1 to 16 of them, each 1 to 86400). */
static int read_retry_schedule(struct loader *l, struct config *c)
{
    static const int fallback[] = {5, 60, 600, 3600, 10800, 21600, 43200};
    const char *v = value(l, "WEBHOOK_RETRY_SCHEDULE_S");
    if (!v) {
        c->webhook_retry_count = (int)(sizeof fallback / sizeof fallback[0]);
        memcpy(c->webhook_retry_s, fallback, sizeof fallback);
        return 0;
    }
    const char *p = v;
    int n = 0;
    while (*p) {
        char *end;
        errno = 0;
        long s = strtol(p, &end, 10);
        if (errno || end == p || s < 1 || s > 86400 || n == 16 || (*end && *end != ','))
            return fail(l, "WEBHOOK_RETRY_SCHEDULE_S",
                        "must be 1 to 16 delays in seconds (1 to 86400), comma-separated "
                        "(got \"%s\")",
                        v);
        c->webhook_retry_s[n++] = (int)s;
        p = *end ? end + 1 : end;
    }
    c->webhook_retry_count = n;
    return n > 0 ? 0 : fail(l, "WEBHOOK_RETRY_SCHEDULE_S", "must not be empty");
}

static int read_url(struct loader *l, const char *name, const char *fallback, char **out)
{
    const char *v = value(l, name);
    if (!v && !fallback) {
        *out = NULL;
        return 0;
    }
    if (!v)
        v = fallback;
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(v, &why);
    if (!opts) {
        PQfreemem(why);
        return fail(l, name, "is not a valid libpq connection string");
    }
    PQconninfoFree(opts);
    *out = strdup(v);
    return 0;
}

/* MAP_TILES_URL: an http(s) tile template with {z}, {x} and {y}, such as
 * https://tiles.example.fr/{z}/{x}/{y}.png; written into /carte's page and
 * its Content-Security-Policy, so it holds no space, quote or angle bracket. */
static int read_tiles(struct loader *l, char **url, char **origin)
{
    const char *v = value(l, "MAP_TILES_URL");
    *url = *origin = NULL;
    if (!v || !*v)
        return 0;
    size_t scheme = strncmp(v, "https://", 8) == 0 ? 8 : strncmp(v, "http://", 7) == 0 ? 7 : 0;
    size_t host = scheme ? strcspn(v + scheme, "/") : 0;
    if (!scheme || host == 0 || v[scheme + host] != '/' || strpbrk(v, " \t\"'<>;,\\") ||
        !strstr(v, "{z}") || !strstr(v, "{x}") || !strstr(v, "{y}") || strlen(v) > 512)
        return fail(l, "MAP_TILES_URL",
                    "must be an http(s) URL template with {z}, {x} and {y}, without spaces or "
                    "quotes (got \"%s\")",
                    v);
    *url = strdup(v);
    *origin = strndup(v, scheme + host);
    return 0;
}

/* Reads a whole file, at most MAX_KEY_FILE bytes; NUL-terminates it. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(MAX_KEY_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_KEY_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n == 0 || n > MAX_KEY_FILE) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool key_matches_alg(EVP_PKEY *key, enum token_alg alg)
{
    if (alg == TOKEN_RS256)
        return EVP_PKEY_base_id(key) == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) >= 2048;
    if (EVP_PKEY_base_id(key) != EVP_PKEY_EC)
        return false;
    char group[64];
    size_t glen = 0;
    return EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen) == 1 &&
           strcmp(group, "prime256v1") == 0;
}

/* Loads a PEM key file for RS256/ES256 and checks that it is the right kind of key. */
static int read_key_file(struct loader *l, const char *name, enum token_alg alg, bool private,
                         char **out, size_t *out_len)
{
    const char *path = value(l, name);
    if (!path)
        return fail(l, name, "is required when JWT_ALG is %s", config_alg_name(alg));
    size_t len = 0;
    char *pem = slurp(path, &len);
    if (!pem)
        return fail(l, name, "cannot read \"%s\" (missing, empty, unreadable or over 64 KiB)",
                    path);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *key = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
                            : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    bool ok = key && key_matches_alg(key, alg);
    EVP_PKEY_free(key);
    if (!ok) {
        free(pem);
        return fail(l, name, "\"%s\" is not a PEM %s key for %s%s", path,
                    private ? "private" : "public", config_alg_name(alg),
                    alg == TOKEN_RS256 ? " (RSA, 2048 bits or more)" : " (EC P-256)");
    }
    *out = pem;
    *out_len = len;
    return 0;
}

static int read_secret(struct loader *l, char **out, size_t *out_len)
{
    const char *s = value(l, "JWT_SECRET");
    if (!s)
        return fail(l, "JWT_SECRET", "is required when JWT_ALG is HS256");
    size_t len = strlen(s);
    if (len < MIN_HS256_SECRET)
        return fail(l, "JWT_SECRET", "must be at least %d bytes (got %zu)", MIN_HS256_SECRET, len);
    *out = strdup(s);
    *out_len = len;
    return 0;
}

static int read_alg(struct loader *l, enum token_alg *alg)
{
    const char *v = value(l, "JWT_ALG");
    if (!v || strcmp(v, "HS256") == 0)
        *alg = TOKEN_HS256;
    else if (strcmp(v, "RS256") == 0)
        *alg = TOKEN_RS256;
    else if (strcmp(v, "ES256") == 0)
        *alg = TOKEN_ES256;
    else
        return fail(l, "JWT_ALG", "must be HS256, RS256 or ES256 (got \"%s\")", v);
    return 0;
}

static int read_listen_addr(struct loader *l, char **out)
{
    const char *v = value(l, "LISTEN_ADDR");
    if (!v)
        v = "127.0.0.1";
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, v, buf) != 1 && inet_pton(AF_INET6, v, buf) != 1)
        return fail(l, "LISTEN_ADDR", "must be a numeric IPv4 or IPv6 address (got \"%s\")", v);
    *out = strdup(v);
    return 0;
}

/* METRICS_LISTEN_ADDR: "ADDRESS:PORT" with a numeric IPv4 address or a
 * bracketed IPv6 one, or "off". Default 127.0.0.1:9464. */
static int read_metrics_addr(struct loader *l, char **addr, int *port)
{
    const char *v = value(l, "METRICS_LISTEN_ADDR");
    if (!v)
        v = "127.0.0.1:9464";
    if (strcmp(v, "off") == 0) {
        *addr = NULL;
        *port = 0;
        return 0;
    }
    /* the address before the last colon, IPv6 in brackets; the port after it, digits */
    const char *colon = strrchr(v, ':');
    char host[64] = "";
    unsigned char buf[sizeof(struct in6_addr)];
    bool ok = false;
    size_t len = colon ? (size_t)(colon - v) : 0;
    if (colon && v[0] == '[' && len >= 2 && v[len - 1] == ']' && len - 2 < sizeof host) {
        memcpy(host, v + 1, len - 2);
        ok = inet_pton(AF_INET6, host, buf) == 1;
    } else if (colon && len < sizeof host) {
        memcpy(host, v, len);
        ok = inet_pton(AF_INET, host, buf) == 1;
    }
    size_t digits = colon ? strspn(colon + 1, "0123456789") : 0;
    ok = ok && digits >= 1 && digits <= 5 && colon[1 + digits] == '\0' && atol(colon + 1) <= 65535;
    if (!ok)
        return fail(l, "METRICS_LISTEN_ADDR",
                    "must be ADDRESS:PORT with a numeric address (127.0.0.1:9464, [::1]:9464) "
                    "or off (got \"%s\")",
                    v);
    *port = atoi(colon + 1);
    *addr = strdup(host);
    return 0;
}

static bool origin_is_valid(const char *o)
{
    if (strncmp(o, "https://", 8) != 0 && strncmp(o, "http://", 7) != 0)
        return false;
    const char *host = strstr(o, "://") + 3;
    if (!*host)
        return false;
    for (const char *p = host; *p; p++)
        if (*p == '/' || *p == ' ' || *p == '*' || *p == ',')
            return false;
    return true;
}

static int read_cors(struct loader *l, char ***out)
{
    const char *v = value(l, "CORS_ALLOWED_ORIGINS");
    size_t count = 1;
    for (const char *p = v; p && *p; p++)
        count += *p == ',';
    char **list = calloc(count + 1, sizeof *list);
    *out = list;
    if (!v)
        return 0;
    char *copy = strdup(v), *save = NULL;
    size_t n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t tl = strlen(tok);
        while (tl && tok[tl - 1] == ' ')
            tok[--tl] = '\0';
        if (!origin_is_valid(tok)) {
            int rc = fail(l, "CORS_ALLOWED_ORIGINS",
                          "\"%s\" is not an origin such as https://carto.example.fr", tok);
            free(copy);
            return rc;
        }
        list[n++] = strdup(tok);
    }
    free(copy);
    return 0;
}

/* TOKEN_ISSUER: the service's public URL (https://, or http:// for a local
 * run), without a trailing slash; optional. */
static int read_issuer(struct loader *l, char **out)
{
    const char *v = value(l, "TOKEN_ISSUER");
    *out = NULL;
    if (!v)
        return 0;
    size_t n = strlen(v);
    bool scheme = strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0;
    if (!scheme || n > 200 || v[n - 1] == '/' || strpbrk(v, " ?#\"") || !strstr(v, "://")[3])
        return fail(l, "TOKEN_ISSUER",
                    "must be the service's public URL, https://api.example.fr, without a "
                    "trailing slash (got \"%s\")",
                    v);
    *out = strdup(v);
    return 0;
}

static int read_log_level(struct loader *l, enum log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const char *v = value(l, "LOG_LEVEL");
    if (!v) {
        *out = LOG_INFO;
        return 0;
    }
    for (int i = 0; i < 4; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    return fail(l, "LOG_LEVEL", "must be debug, info, warn or error (got \"%s\")", v);
}

static int read_language(struct loader *l, enum lang *out)
{
    const char *v = value(l, "DEFAULT_LANGUAGE");
    *out = LANG_FR;
    if (!v || lang_parse(v, out))
        return 0;
    return fail(l, "DEFAULT_LANGUAGE", "must be fr or en (got \"%s\")", v);
}

static int load(struct config *c, unsigned needs, struct loader *l)
{
    int body_bytes = 0, import_bytes = 0;
    if (read_log_level(l, &c->log_level))
        return -1;
    if (needs & CONFIG_DB) {
        if (read_url(l, "DATABASE_URL", DEFAULT_DATABASE_URL, &c->database_url) ||
            read_url(l, "DATABASE_READ_URL", NULL, &c->database_read_url) ||
            read_int(l, "DB_POOL_SIZE", 4, 1, 256, &c->db_pool_size) ||
            read_int(l, "DB_PREPARED_STATEMENTS", 1, 0, 1, &c->db_prepared_statements) ||
            read_int(l, "DB_STATEMENT_TIMEOUT_MS", 5000, 100, 600000,
                     &c->db_statement_timeout_ms) ||
            read_int(l, "REFERRAL_EXPIRY_DAYS", 30, 1, 365, &c->referral_expiry_days) ||
            read_int(l, "RETENTION_DAYS", 365, 1, 3650, &c->retention_days) ||
            read_int(l, "INDICATORS_MIN_CELL", 5, 1, 100, &c->indicators_min_cell) ||
            read_int(l, "KEY_ACTIVATION_DELAY_S", 3600, 0, 30 * 86400,
                     &c->key_activation_delay_s) ||
            read_date(l, "CAMPAIGN_START", "2026-12-08", c->campaign_start) ||
            read_disclosure(l, &c->indicators_disclosure) ||

            read_flag(l, "WEBHOOK_ALLOW_HTTP", &c->webhook_allow_http) ||
            read_flag(l, "WEBHOOK_ALLOW_PRIVATE", &c->webhook_allow_private) ||
            read_int(l, "WEBHOOK_WORKERS", 2, 0, 64, &c->webhook_workers) ||
            read_int(l, "WEBHOOK_SECRET_OVERLAP_S", 86400, 0, 30 * 86400,
                     &c->webhook_secret_overlap_s) ||
            read_int(l, "WEBHOOK_RETENTION_DAYS", 30, 1, 3650, &c->webhook_retention_days) ||
            read_retry_schedule(l, c))
            return -1;
    }
    if (needs & CONFIG_HTTP) {
        if (read_listen_addr(l, &c->listen_addr) || read_int(l, "PORT", 8080, 0, 65535, &c->port) ||
            read_int(l, "MAX_BODY_BYTES", 1048576, 1024, 64 * 1048576, &body_bytes) ||
            read_int(l, "IMPORT_MAX_BYTES", 8 * 1048576, 1024, 64 * 1048576, &import_bytes) ||
            read_int(l, "IMPORT_MAX_ROWS", 20000, 1, 1000000, &c->import_max_rows) ||
            read_int(l, "HTTP_THREADS", 4, 1, 256, &c->threads) ||
            read_int(l, "MAX_CONNECTIONS", 1024, 1, 65536, &c->max_connections) ||
            read_int(l, "MAX_CONNECTIONS_PER_IP", 128, 1, 65536, &c->max_connections_per_ip) ||
            read_int(l, "CONNECTION_TIMEOUT_S", 30, 1, 3600, &c->connection_timeout_s) ||
            read_int(l, "SHUTDOWN_TIMEOUT_S", 10, 1, 300, &c->shutdown_timeout_s) ||
            read_int(l, "INDICATORS_EXPENSIVE_PER_ORG", 2, 1, 64,
                     &c->indicators_expensive_per_org) ||
            read_int(l, "RATE_LIMIT_ORG_PER_S", 200, 0, 100000, &c->rate_limit_org_per_s) ||
            read_int(l, "RATE_LIMIT_ORG_BURST", 400, 1, 1000000, &c->rate_limit_org_burst) ||
            read_int(l, "RATE_LIMIT_IP_PER_S", 50, 0, 100000, &c->rate_limit_ip_per_s) ||
            read_int(l, "RATE_LIMIT_IP_BURST", 100, 1, 1000000, &c->rate_limit_ip_burst) ||
            read_int(l, "RATE_LIMIT_AUTH_FAIL_PER_S", 1, 0, 100000,
                     &c->rate_limit_auth_fail_per_s) ||
            read_int(l, "RATE_LIMIT_AUTH_FAIL_BURST", 20, 1, 1000000,
                     &c->rate_limit_auth_fail_burst) ||
            read_int(l, "TOKEN_TTL_S", 900, 60, 86400, &c->token_ttl_s) ||
            read_int(l, "CLIENT_SECRET_OVERLAP_S", 86400, 0, 30 * 86400,
                     &c->client_secret_overlap_s) ||
            read_int(l, "KEYS_REFRESH_S", 5, 1, 60, &c->keys_refresh_s) ||
            read_issuer(l, &c->token_issuer) ||
            read_metrics_addr(l, &c->metrics_addr, &c->metrics_port) ||
            read_int(l, "PUBLIC_READS", 1, 0, 1, &c->public_reads) ||
            read_language(l, &c->default_language) ||
            read_tiles(l, &c->map_tiles_url, &c->map_tiles_origin) ||
            read_cors(l, &c->cors_origins))
            return -1;
        c->max_body_bytes = (size_t)body_bytes;
        c->import_max_bytes = (size_t)import_bytes;
    }
    if (needs & (CONFIG_JWT_VERIFY | CONFIG_JWT_SIGN)) {
        if (read_alg(l, &c->jwt_alg))
            return -1;
        c->jwt_issuer = dup_or_null(value(l, "JWT_ISSUER"));
        c->jwt_audience = dup_or_null(value(l, "JWT_AUDIENCE"));
        if (read_int(l, "JWT_MAX_TTL_S", 86400, 60, 31 * 86400, &c->jwt_max_ttl_s))
            return -1;
    }
    if ((needs & CONFIG_HTTP) && c->token_ttl_s > c->jwt_max_ttl_s && c->jwt_max_ttl_s > 0)
        return fail(l, "TOKEN_TTL_S", "must be at most JWT_MAX_TTL_S (%d)", c->jwt_max_ttl_s);
    if (c->token_issuer && c->jwt_issuer && strcmp(c->token_issuer, c->jwt_issuer) == 0)
        return fail(l, "JWT_ISSUER", "must differ from TOKEN_ISSUER (the service's own issuer)");
    if (needs & CONFIG_JWT_VERIFY) {
        if (c->jwt_alg == TOKEN_HS256 ? read_secret(l, &c->jwt_verify_key, &c->jwt_verify_key_len)
                                      : read_key_file(l, "JWT_PUBLIC_KEY_FILE", c->jwt_alg, false,
                                                      &c->jwt_verify_key, &c->jwt_verify_key_len))
            return -1;
    }
    if (needs & CONFIG_JWT_SIGN) {
        if (c->jwt_alg == TOKEN_HS256 ? read_secret(l, &c->jwt_sign_key, &c->jwt_sign_key_len)
                                      : read_key_file(l, "JWT_PRIVATE_KEY_FILE", c->jwt_alg, true,
                                                      &c->jwt_sign_key, &c->jwt_sign_key_len))
            return -1;
    }
    return 0;
}

int config_load(struct config *cfg, unsigned needs, config_getenv_fn get, void *ctx, char *err,
                size_t err_len)
{
    struct loader l = {get, ctx, err, err_len};
    memset(cfg, 0, sizeof *cfg);
    if (load(cfg, needs, &l) == 0)
        return 0;
    config_free(cfg);
    return -1;
}

const char *config_getenv(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

static void free_secret(char *s, size_t len)
{
    if (s)
        OPENSSL_cleanse(s, len);
    free(s);
}

void config_free(struct config *c)
{
    free(c->database_url);
    free(c->database_read_url);
    free(c->listen_addr);
    free(c->metrics_addr);
    free_secret(c->jwt_verify_key, c->jwt_verify_key_len);
    free_secret(c->jwt_sign_key, c->jwt_sign_key_len);
    free(c->jwt_issuer);
    free(c->jwt_audience);
    free(c->token_issuer);
    for (char **o = c->cors_origins; o && *o; o++)
        free(*o);
    free(c->cors_origins);
    free(c->map_tiles_url);
    free(c->map_tiles_origin);
    memset(c, 0, sizeof *c);
}

const char *config_alg_name(enum token_alg alg)
{
    switch (alg) {
    case TOKEN_RS256: return "RS256";
    case TOKEN_ES256: return "ES256";
    default: return "HS256";
    }
}
