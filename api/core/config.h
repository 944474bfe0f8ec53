/* Configuration, from environment variables only, validated once at start. */
#ifndef CONFIG_H
#define CONFIG_H

#include "lang.h"

#include <stdbool.h>
#include <stddef.h>

enum token_alg { TOKEN_HS256, TOKEN_RS256, TOKEN_ES256 };

/* What a sub-command needs: only those settings are required and checked. */
enum config_needs {
    CONFIG_DB = 1 << 0,         /* DATABASE_URL, pool and statement settings */
    CONFIG_HTTP = 1 << 1,       /* listening, limits, CORS, logging */
    CONFIG_JWT_VERIFY = 1 << 2, /* JWT_ALG, JWT_SECRET or JWT_PUBLIC_KEY_FILE */
    CONFIG_JWT_SIGN = 1 << 3,   /* JWT_ALG, JWT_SECRET or JWT_PRIVATE_KEY_FILE */
};

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct config {
    char *database_url;      /* libpq URI */
    char *database_read_url; /* optional replica, NULL when unset */
    char *listen_addr;       /* numeric IPv4 or IPv6 address */
    int port;                /* 0: any free port (the one chosen is logged) */
    enum token_alg jwt_alg;
    char *jwt_verify_key; /* HS256 secret or PEM public key */
    size_t jwt_verify_key_len;
    char *jwt_sign_key; /* HS256 secret or PEM private key */
    size_t jwt_sign_key_len;
    char *jwt_issuer;   /* NULL: not checked */
    char *jwt_audience; /* NULL: not checked */
    int jwt_max_ttl_s;  /* every token: exp - iat (or exp - now) at most this */
    char *token_issuer; /* the service's own issuer and audience; NULL: it issues no tokens */
    int token_ttl_s;    /* lifetime of the tokens POST /oauth/token issues */
    int client_secret_overlap_s; /* a rotated client secret keeps working this long */
    int keys_refresh_s;          /* the signing keys are re-read from the database this often */
    int key_activation_delay_s;  /* `keys generate`: published this long before it signs */
    char **cors_origins;         /* NULL-terminated, may be empty */
    int public_reads;       /* 1: the open-data reads (routes.c's ROUTE_OPEN_DATA) need no token */
    char *map_tiles_url;    /* MAP_TILES_URL: raster tiles under /carte's communes; NULL: none */
    char *map_tiles_origin; /* its scheme://host[:port], for the page's img-src */
    enum log_level log_level;
    size_t max_body_bytes;
    size_t import_max_bytes; /* the CSV body of POST /v1/places/import */
    int import_max_rows;     /* its data rows */
    int db_pool_size;
    int db_prepared_statements; /* 1: statements prepared per pooled connection */
    int db_statement_timeout_ms;
    int threads;
    int max_connections;
    int max_connections_per_ip;
    int connection_timeout_s;
    int shutdown_timeout_s;
    int rate_limit_org_per_s, rate_limit_org_burst; /* per organisation; 0: no limit */
    int rate_limit_ip_per_s, rate_limit_ip_burst;   /* per address, unauthenticated paths */
    int rate_limit_auth_fail_per_s, rate_limit_auth_fail_burst; /* failed authentications */
    char *metrics_addr;       /* METRICS_LISTEN_ADDR's numeric address; NULL: no metrics listener */
    int metrics_port;         /* 0: any free port (the one chosen is logged) */
    int referral_expiry_days; /* a referral still sent after this is expired */
    int retention_days;       /* personal fields of closed referrals are erased after this */
    int indicators_min_cell;  /* figures on fewer people or referrals are withheld */
    char campaign_start[11];  /* CAMPAIGN_START, YYYY-MM-DD: relative targets' default baseline
                                 is the same-length period just before it */
    int indicators_disclosure; /* INDICATORS_DISCLOSURE: 1 (strict, default) the controls that
                                  hold across queries; 0 (cell) small-cell suppression alone */
    int indicators_expensive_per_org; /* indicator requests from raw inputs in flight per org */
    enum lang default_language;       /* DEFAULT_LANGUAGE: when Accept-Language decides nothing */
    /* Webhooks (issue #17) */
    bool webhook_allow_http; /* WEBHOOK_ALLOW_HTTP=1: http:// URLs accepted (tests, development) */
    bool webhook_allow_private;   /* WEBHOOK_ALLOW_PRIVATE=1: loopback, private... addresses too */
    int webhook_workers;          /* delivery threads of `serve`; 0: none */
    int webhook_secret_overlap_s; /* a rotated secret still signs this long */
    int webhook_retention_days;   /* delivered events are purged after this */
    int webhook_retry_s[16];      /* delay before each retry (WEBHOOK_RETRY_SCHEDULE_S) */
    int webhook_retry_count;      /* retries before a delivery fails */
};

/* Reads a variable; returns NULL when unset. */
typedef const char *(*config_getenv_fn)(const char *name, void *ctx);

/* Fills *cfg from the variables `get` returns, checking those `needs` names.
 * Returns 0, or -1 with one line in err naming the variable ("JWT_SECRET: ...").
 * On success the caller releases *cfg with config_free. */
int config_load(struct config *cfg, unsigned needs, config_getenv_fn get, void *ctx, char *err,
                size_t err_len);

/* The process environment, for config_load. */
const char *config_getenv(const char *name, void *ctx);

void config_free(struct config *cfg);

const char *config_alg_name(enum token_alg alg);

#endif
