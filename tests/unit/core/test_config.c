/* Configuration: defaults, and one error line naming the variable. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* A fake environment: "NAME=value" strings. */
static const char *fake_getenv(const char *name, void *ctx)
{
    size_t n = strlen(name);
    for (const char *const *e = ctx; *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static int load(const char *const *env, unsigned needs, struct config *cfg, char *err)
{
    union {
        const char *const *in;
        void *out;
    } ctx = {env}; /* config_load passes ctx back untouched */
    return config_load(cfg, needs, fake_getenv, ctx.out, err, 256);
}

#define ALL (CONFIG_DB | CONFIG_HTTP | CONFIG_JWT_VERIFY)

Test(config, defaults)
{
    const char *env[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", NULL};
    struct config cfg;
    char err[256];
    cr_assert_eq(load(env, ALL, &cfg, err), 0, "%s", err);
    cr_expect_str_eq(cfg.listen_addr, "127.0.0.1");
    cr_expect_eq(cfg.port, 8080);
    cr_expect_eq(cfg.jwt_alg, TOKEN_HS256);
    cr_expect_eq(cfg.max_body_bytes, 1048576);
    cr_expect_eq(cfg.max_connections_per_ip, 128);
    cr_expect_eq(cfg.referral_expiry_days, 30);
    cr_expect_eq(cfg.retention_days, 365);
    cr_expect_eq(cfg.indicators_min_cell, 5);
    cr_expect_str_eq(cfg.campaign_start, "2026-12-08");
    cr_expect_eq(cfg.indicators_disclosure, 1, "strict by default");
    cr_expect_eq(cfg.rate_limit_org_per_s, 200);
    cr_expect_eq(cfg.rate_limit_ip_burst, 100);
    cr_expect_null(cfg.jwt_issuer);
    cr_expect_null(cfg.cors_origins[0]);
    cr_expect(strstr(cfg.database_url, "127.0.0.1:54320") != NULL);
    config_free(&cfg);
}

static void expect_error(const char *const *env, unsigned needs, const char *variable)
{
    struct config cfg;
    char err[256];
    cr_expect_neq(load(env, needs, &cfg, err), 0, "%s must be refused", variable);
    cr_expect(strncmp(err, variable, strlen(variable)) == 0 && err[strlen(variable)] == ':',
              "the message starts with the variable: %s", err);
    cr_expect_null(strchr(err, '\n'));
}

Test(config, weak_or_malformed_settings_are_refused)
{
    const char *short_secret[] = {"JWT_SECRET=0123456789abcdef0123456789abcde", NULL};
    expect_error(short_secret, ALL, "JWT_SECRET");
    const char *no_secret[] = {NULL};
    expect_error(no_secret, ALL, "JWT_SECRET");
    const char *alg[] = {"JWT_ALG=PS256", NULL};
    expect_error(alg, ALL, "JWT_ALG");
    const char *key[] = {"JWT_ALG=RS256", "JWT_PUBLIC_KEY_FILE=/does/not/exist", NULL};
    expect_error(key, ALL, "JWT_PUBLIC_KEY_FILE");
    const char *sign_key[] = {"JWT_ALG=ES256", NULL};
    expect_error(sign_key, CONFIG_JWT_SIGN, "JWT_PRIVATE_KEY_FILE");
    const char *port[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "PORT=-1", NULL};
    expect_error(port, ALL, "PORT");
    const char *port2[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "PORT=80a", NULL};
    expect_error(port2, ALL, "PORT");
    const char *addr[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "LISTEN_ADDR=0.0.0", NULL};
    expect_error(addr, ALL, "LISTEN_ADDR");
    const char *cors[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef",
                          "CORS_ALLOWED_ORIGINS=https://a.example, ftp://b", NULL};
    expect_error(cors, ALL, "CORS_ALLOWED_ORIGINS");
    const char *pool[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "DB_POOL_SIZE=0", NULL};
    expect_error(pool, ALL, "DB_POOL_SIZE");
    const char *prepared[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef",
                              "DB_PREPARED_STATEMENTS=on", NULL};
    expect_error(prepared, ALL, "DB_PREPARED_STATEMENTS");
    const char *expiry[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "REFERRAL_EXPIRY_DAYS=0",
                            NULL};
    expect_error(expiry, ALL, "REFERRAL_EXPIRY_DAYS");
    const char *retention[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "RETENTION_DAYS=3651",
                               NULL};
    expect_error(retention, ALL, "RETENTION_DAYS");
    const char *cell[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "INDICATORS_MIN_CELL=0",
                          NULL};
    expect_error(cell, ALL, "INDICATORS_MIN_CELL");
    const char *start[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef",
                           "CAMPAIGN_START=2026-02-30", NULL};
    expect_error(start, ALL, "CAMPAIGN_START");
    const char *disclosure[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef",
                                "INDICATORS_DISCLOSURE=off", NULL};
    expect_error(disclosure, ALL, "INDICATORS_DISCLOSURE");
    const char *rate[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "RATE_LIMIT_ORG_PER_S=-1",
                          NULL};
    expect_error(rate, ALL, "RATE_LIMIT_ORG_PER_S");
}

Test(config, lists_and_ipv6)
{
    const char *env[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef",
                         "LISTEN_ADDR=::1",
                         "CORS_ALLOWED_ORIGINS=https://a.example, http://localhost:5173",
                         "JWT_ISSUER=https://idp",
                         "LOG_LEVEL=debug",
                         NULL};
    struct config cfg;
    char err[256];
    cr_assert_eq(load(env, ALL, &cfg, err), 0, "%s", err);
    cr_expect_str_eq(cfg.listen_addr, "::1");
    cr_expect_str_eq(cfg.cors_origins[0], "https://a.example");
    cr_expect_str_eq(cfg.cors_origins[1], "http://localhost:5173");
    cr_expect_null(cfg.cors_origins[2]);
    cr_expect_str_eq(cfg.jwt_issuer, "https://idp");
    cr_expect_eq(cfg.log_level, LOG_DEBUG);
    config_free(&cfg);
}

Test(config, port_zero_lets_the_system_choose)
{
    const char *env[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "PORT=0", NULL};
    struct config cfg;
    char err[256];
    cr_assert_eq(load(env, ALL, &cfg, err), 0, "%s", err);
    cr_expect_eq(cfg.port, 0);
    config_free(&cfg);
}

Test(config, only_what_the_command_needs)
{
    const char *env[] = {NULL};
    struct config cfg;
    char err[256];
    cr_expect_eq(load(env, CONFIG_DB, &cfg, err), 0, "migrate needs no JWT secret");
    config_free(&cfg);
}

#define SECRET_ENV "JWT_SECRET=0123456789abcdef0123456789abcdef"

Test(config, partner_access_settings)
{
    const char *env[] = {SECRET_ENV, NULL};
    struct config cfg;
    char err[256];
    cr_assert_eq(load(env, ALL, &cfg, err), 0, "%s", err);
    cr_expect_eq(cfg.jwt_max_ttl_s, 86400);
    cr_expect_null(cfg.token_issuer, "no own tokens unless TOKEN_ISSUER is set");
    cr_expect_eq(cfg.token_ttl_s, 900);
    cr_expect_eq(cfg.client_secret_overlap_s, 86400);
    cr_expect_eq(cfg.keys_refresh_s, 5);
    cr_expect_eq(cfg.key_activation_delay_s, 3600);
    config_free(&cfg);
    const char *set[] = {SECRET_ENV, "TOKEN_ISSUER=https://api.example.fr", "TOKEN_TTL_S=300",
                         "JWT_MAX_TTL_S=3600", NULL};
    cr_assert_eq(load(set, ALL, &cfg, err), 0, "%s", err);
    cr_expect_str_eq(cfg.token_issuer, "https://api.example.fr");
    cr_expect_eq(cfg.token_ttl_s, 300);
    cr_expect_eq(cfg.jwt_max_ttl_s, 3600);
    config_free(&cfg);

    const char *slash[] = {SECRET_ENV, "TOKEN_ISSUER=https://api.example.fr/", NULL};
    expect_error(slash, ALL, "TOKEN_ISSUER");
    const char *scheme[] = {SECRET_ENV, "TOKEN_ISSUER=api.example.fr", NULL};
    expect_error(scheme, ALL, "TOKEN_ISSUER");
    const char *empty_host[] = {SECRET_ENV, "TOKEN_ISSUER=https://", NULL};
    expect_error(empty_host, ALL, "TOKEN_ISSUER");
    const char *longer[] = {SECRET_ENV, "TOKEN_TTL_S=7200", "JWT_MAX_TTL_S=3600", NULL};
    expect_error(longer, ALL, "TOKEN_TTL_S");
    const char *same[] = {SECRET_ENV, "TOKEN_ISSUER=https://a.fr", "JWT_ISSUER=https://a.fr", NULL};
    expect_error(same, ALL, "JWT_ISSUER");
    const char *max[] = {SECRET_ENV, "JWT_MAX_TTL_S=10", NULL};
    expect_error(max, ALL, "JWT_MAX_TTL_S");
    const char *overlap[] = {SECRET_ENV, "CLIENT_SECRET_OVERLAP_S=-1", NULL};
    expect_error(overlap, ALL, "CLIENT_SECRET_OVERLAP_S");
}

Test(config, default_language_is_fr_or_en)
{
    const char *none[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", NULL};
    struct config cfg;
    char err[256];
    cr_assert_eq(load(none, ALL, &cfg, err), 0, "%s", err);
    cr_expect_eq(cfg.default_language, LANG_FR, "French unless configured");
    config_free(&cfg);
    const char *en[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "DEFAULT_LANGUAGE=en", NULL};
    cr_assert_eq(load(en, ALL, &cfg, err), 0, "%s", err);
    cr_expect_eq(cfg.default_language, LANG_EN);
    config_free(&cfg);
    const char *de[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "DEFAULT_LANGUAGE=de", NULL};
    expect_error(de, ALL, "DEFAULT_LANGUAGE");
}

Test(config, campaign_start_and_disclosure)
{
    const char *env[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", "CAMPAIGN_START=2027-01-04",
                         "INDICATORS_DISCLOSURE=cell", NULL};
    struct config cfg;
    char err[256];
    cr_assert_eq(load(env, ALL, &cfg, err), 0, "%s", err);
    cr_expect_str_eq(cfg.campaign_start, "2027-01-04");
    cr_expect_eq(cfg.indicators_disclosure, 0);
    config_free(&cfg);
}

Test(config, map_tiles_url)
{
    struct config cfg;
    char err[256] = "";
    const char *none[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", NULL};
    cr_assert_eq(load(none, ALL, &cfg, err), 0, "%s", err);
    cr_expect_null(cfg.map_tiles_url, "no tiles by default");
    cr_expect_null(cfg.map_tiles_origin);
    config_free(&cfg);
    const char *tiles[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef",
                           "MAP_TILES_URL=https://tuiles.example.fr:8443/osm/{z}/{x}/{y}.png",
                           NULL};
    cr_assert_eq(load(tiles, ALL, &cfg, err), 0, "%s", err);
    cr_expect_str_eq(cfg.map_tiles_url, "https://tuiles.example.fr:8443/osm/{z}/{x}/{y}.png");
    cr_expect_str_eq(cfg.map_tiles_origin, "https://tuiles.example.fr:8443");
    config_free(&cfg);
    const char *bad[] = {"https://t.example/{z}/{x}.png",       /* no {y} */
                         "ftp://t.example/{z}/{x}/{y}.png",     /* not http(s) */
                         "https:///{z}/{x}/{y}.png",            /* no host */
                         "https://t.example/{z}/{x}/{y}.png\"", /* a quote */
                         "https://t.example/{z}/{x}/{y}.png; script-src *",
                         NULL};
    for (const char *const *b = bad; *b; b++) {
        char var[128];
        snprintf(var, sizeof var, "MAP_TILES_URL=%s", *b);
        const char *env[] = {"JWT_SECRET=0123456789abcdef0123456789abcdef", var, NULL};
        expect_error(env, ALL, "MAP_TILES_URL");
    }
}
