/* inclusion-api: the shared back end of the Gers digital inclusion campaign.
 * Sub-commands: serve, migrate, seed, purge, token, gen-data. Configuration: environment only. */
#include "config.h"
#include "db.h"
#include "gen_data.h"
#include "keys.h"
#include "log.h"
#include "migrate.h"
#include "purge.h"
#include "seed.h"
#include "server.h"
#include "token.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: inclusion-api <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve     apply pending migrations, then serve the API until SIGTERM/SIGINT\n"
    "  migrate   apply pending migrations and the functions files (db/functions), exit\n"
    "  seed      load the Gers reference data (idempotent); --demo adds demo inputs\n"
    "  purge     retention pass (daily): expire, erase, forget old keys and webhook events\n"
    "  gen-data  generate a national-size dataset for benchmarks: gen-data [--scale S]\n"
    "  keys      the service's own signing keys: keys generate | keys list | keys retire KID\n"
    "  token     mint a signed token: token --org SLUG --scope \"S1 S2\" [--ttl SECONDS] [--sub "
    "ID]\n"
    "\n"
    "Configuration comes from environment variables (see README.md): DATABASE_URL,\n"
    "LISTEN_ADDR, PORT, JWT_ALG, JWT_SECRET, JWT_PUBLIC_KEY_FILE, JWT_PRIVATE_KEY_FILE,\n"
    "JWT_ISSUER, JWT_AUDIENCE, CORS_ALLOWED_ORIGINS, LOG_LEVEL, MAX_BODY_BYTES, ...\n"
    "Run 'inclusion-api <command> --help' for a command's options.\n";

static bool wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

static int load_config(struct config *cfg, unsigned needs)
{
    char err[512];
    if (config_load(cfg, needs, config_getenv, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "inclusion-api: configuration error: %s\n", err);
        return -1;
    }
    log_set_level(cfg->log_level);
    return 0;
}

/* Runs `migrate`, `seed` or `seed --demo` on one connection. */
static int run_database_command(const char *command, bool demo)
{
    struct config cfg;
    if (load_config(&cfg, CONFIG_DB) != 0)
        return 2;
    char err[512] = "";
    int rc = 1;
    PGconn *conn = db_connect(cfg.database_url, cfg.db_statement_timeout_ms, err, sizeof err);
    if (conn) {
        int functions = 0;
        bool migrate = strcmp(command, "migrate") == 0;
        int n = migrate ? migrate_apply(conn, &functions, err, sizeof err)
                        : seed_run(conn, err, sizeof err);
        if (n >= 0 && demo) {
            int loaded = seed_demo(conn, err, sizeof err);
            if (loaded >= 0)
                printf("seed: demo data %s\n",
                       loaded ? "generated (marked gen-data)" : "already there");
            n = loaded < 0 ? -1 : n;
        }
        if (n >= 0 && migrate)
            printf("migrate: %d migration(s) applied, %d functions file(s) applied\n", n,
                   functions);
        else if (n >= 0)
            printf("%s: %d row(s) changed\n", command, n);
        rc = n >= 0 ? 0 : 1;
        PQfinish(conn);
    }
    if (rc != 0)
        fprintf(stderr, "inclusion-api %s: %s\n", command, err);
    config_free(&cfg);
    return rc;
}

static int run_purge(void)
{
    struct config cfg;
    if (load_config(&cfg, CONFIG_DB) != 0)
        return 2;
    char err[512] = "";
    int rc = 1;
    struct purge_counts counts;
    PGconn *conn = db_connect(cfg.database_url, cfg.db_statement_timeout_ms, err, sizeof err);
    if (conn && purge_run(conn, cfg.referral_expiry_days, cfg.retention_days,
                          cfg.webhook_retention_days, &counts, err, sizeof err) == 0) {
        printf("purge: %ld referral(s) expired, %ld erased, %ld idempotency key(s) deleted, "
               "%ld expired token revocation(s) forgotten, %ld webhook event(s) deleted\n",
               counts.expired, counts.erased, counts.keys, counts.revoked, counts.events);
        rc = 0;
    }
    PQfinish(conn);
    if (rc != 0)
        fprintf(stderr, "inclusion-api purge: %s\n", err);
    config_free(&cfg);
    return rc;
}

static int run_gen_data(int argc, char **argv)
{
    static const struct option options[] = {{"scale", required_argument, NULL, 's'},
                                            {NULL, 0, NULL, 0}};
    double scale = 1.0;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        char *end = NULL;
        if (c != 's')
            return 2;
        scale = strtod(optarg, &end);
        if (*end || !(scale >= 0.0001 && scale <= 10)) {
            fprintf(stderr, "inclusion-api gen-data: --scale must be a number from 0.0001 to 10\n");
            return 2;
        }
    }
    struct config cfg;
    if (load_config(&cfg, CONFIG_DB) != 0)
        return 2;
    char err[512] = "";
    int rc = 1;
    PGconn *conn = db_connect(cfg.database_url, cfg.db_statement_timeout_ms, err, sizeof err);
    if (conn && gen_data_run(conn, scale, err, sizeof err) == 0) {
        printf("gen-data: generated at scale %g\n", scale);
        rc = 0;
    }
    PQfinish(conn);
    if (rc != 0)
        fprintf(stderr, "inclusion-api gen-data: %s\n", err);
    config_free(&cfg);
    return rc;
}

static int run_token(int argc, char **argv)
{
    static const struct option options[] = {{"org", required_argument, NULL, 'o'},
                                            {"scope", required_argument, NULL, 's'},
                                            {"ttl", required_argument, NULL, 't'},
                                            {"sub", required_argument, NULL, 'u'},
                                            {NULL, 0, NULL, 0}};
    const char *org = NULL, *scope = NULL, *sub = NULL;
    long ttl = 3600;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'o': org = optarg; break;
        case 's': scope = optarg; break;
        case 'u': sub = optarg; break;
        case 't':
            ttl = strtol(optarg, &end, 10);
            if (*end || ttl < 1 || ttl > 31 * 24 * 3600) {
                fprintf(stderr, "inclusion-api token: --ttl must be 1 to JWT_MAX_TTL_S seconds\n");
                return 2;
            }
            break;
        default: return 2;
        }
    }
    if (!org || !scope) {
        fprintf(stderr, "inclusion-api token: --org and --scope are required\n");
        return 2;
    }
    struct config cfg;
    if (load_config(&cfg, CONFIG_DB | CONFIG_JWT_SIGN) != 0)
        return 2;
    if (ttl > cfg.jwt_max_ttl_s) {
        fprintf(stderr, "inclusion-api token: --ttl must be at most JWT_MAX_TTL_S (%d)\n",
                cfg.jwt_max_ttl_s);
        config_free(&cfg);
        return 2;
    }
    char err[512] = "";
    PGconn *conn = db_connect(cfg.database_url, cfg.db_statement_timeout_ms, err, sizeof err);
    int checked = conn ? token_check(conn, org, scope, err, sizeof err) : -1;
    PQfinish(conn);
    if (checked != 0) {
        fprintf(stderr, "inclusion-api token: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    char *token = token_mint(&cfg, sub ? sub : "operator", org, scope, ttl);
    config_free(&cfg);
    if (!token) {
        fprintf(stderr, "inclusion-api token: signing failed\n");
        return 1;
    }
    printf("%s\n", token);
    free(token);
    return 0;
}

static int run_keys(int argc, char **argv)
{
    const char *action = argc >= 3 ? argv[2] : "";
    bool retire = strcmp(action, "retire") == 0;
    if ((strcmp(action, "generate") != 0 && strcmp(action, "list") != 0 && !retire) ||
        argc != (retire ? 4 : 3)) {
        fprintf(stderr, "usage: inclusion-api keys generate | keys list | keys retire KID\n");
        return 2;
    }
    struct config cfg;
    if (load_config(&cfg, CONFIG_DB) != 0)
        return 2;
    char err[512] = "";
    int rc = -1;
    PGconn *conn = db_connect(cfg.database_url, cfg.db_statement_timeout_ms, err, sizeof err);
    if (conn && strcmp(action, "generate") == 0)
        rc = keys_generate(conn, cfg.key_activation_delay_s, stdout, err, sizeof err);
    else if (conn && retire)
        rc = keys_retire(conn, argv[3], err, sizeof err);
    else if (conn)
        rc = keys_list(conn, stdout, err, sizeof err);
    if (rc == 0 && retire)
        printf("%s retired: it signs no more; it stays published until its tokens expire\n",
               argv[3]);
    PQfinish(conn);
    if (rc != 0)
        fprintf(stderr, "inclusion-api keys: %s\n", err);
    config_free(&cfg);
    return rc == 0 ? 0 : 1;
}

static int run_serve(void)
{
    struct config cfg;
    if (load_config(&cfg, CONFIG_DB | CONFIG_HTTP | CONFIG_JWT_VERIFY) != 0)
        return 2;
    int rc = server_run(&cfg);
    config_free(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const help[][2] = {
        {"serve",
         "usage: inclusion-api serve\n  Applies pending migrations under an advisory "
         "lock, then serves on LISTEN_ADDR:PORT.\n  SIGTERM/SIGINT: stop accepting, finish "
         "requests in flight, exit 0.\n"},
        {"migrate", "usage: inclusion-api migrate\n  Applies pending migrations of db/migrations "
                    "(embedded), then the files of db/functions (functions, views, "
                    "triggers) whose text changed, and exits;\n  a second run applies nothing.\n"},
        {"seed", "usage: inclusion-api seed [--demo]\n  Loads the partner directory (27 France "
                 "Services of the Gers and the campaign's partners); idempotent.\n  --demo "
                 "(make run) also generates, once, demonstration inputs for the dashboard:\n  "
                 "about 1,000 referrals, 500 self-assessments, 200 devices, 1,000 satisfaction\n  "
                 "answers and 300 visits over the last two years, marked gen-data. Never in "
                 "production.\n"},
        {"purge", "usage: inclusion-api purge\n  Meant for a daily timer. In one transaction: "
                  "expires referrals still sent after\n  REFERRAL_EXPIRY_DAYS (default 30), "
                  "erases the personal fields and free texts of\n  referrals closed more than "
                  "RETENTION_DAYS (default 365) ago, deletes Idempotency-Key\n  records older "
                  "than 24 hours and webhook events delivered more than\n  "
                  "WEBHOOK_RETENTION_DAYS (default 30) ago. Journeys and timestamps stay for "
                  "the indicators.\n"},
        {"gen-data", "usage: inclusion-api gen-data [--scale S]\n  Generates, in one transaction, "
                     "a coherent dataset over the last two years on the\n  seeded places and "
                     "organisations: at S = 1 (the default) 1 million referrals\n  with their "
                     "events, 2 million registrations, 500,000 self-assessments,\n  200,000 "
                     "devices, 1 million satisfaction answers, 300,000 visits. For\n  benchmarks "
                     "only: refused on a database where it already ran.\n"},
        {"keys", "usage: inclusion-api keys generate | keys list | keys retire KID\n"
                 "  generate: a new ES256 (P-256) key, published in /.well-known/jwks.json now,\n"
                 "  signing after KEY_ACTIVATION_DELAY_S (default 3600). retire: it stops\n"
                 "  signing; it stays published until the tokens it signed have expired.\n"},
        {"token", "usage: inclusion-api token --org SLUG --scope \"SCOPE ...\" [--ttl SECONDS] "
                  "[--sub ID]\n  Prints a token signed with JWT_SECRET (HS256) or "
                  "JWT_PRIVATE_KEY_FILE (RS256/ES256).\n  The organisation must be in the "
                  "directory (DATABASE_URL), every scope one of the API's,\n  --ttl (default "
                  "3600) at most JWT_MAX_TTL_S (default 86400).\n"},
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        if (strcmp(argv[1], help[i][0]) == 0 && wants_help(argc, argv)) {
            fputs(help[i][1], stdout);
            return 0;
        }
    if (strcmp(argv[1], "serve") == 0)
        return run_serve();
    if (strcmp(argv[1], "migrate") == 0 || strcmp(argv[1], "seed") == 0) {
        bool demo = argc == 3 && strcmp(argv[1], "seed") == 0 && strcmp(argv[2], "--demo") == 0;
        if (argc > 2 && !demo) {
            fprintf(stderr, "usage: inclusion-api %s%s\n", argv[1],
                    strcmp(argv[1], "seed") == 0 ? " [--demo]" : "");
            return 2;
        }
        return run_database_command(argv[1], demo);
    }
    if (strcmp(argv[1], "purge") == 0)
        return run_purge();
    if (strcmp(argv[1], "gen-data") == 0)
        return run_gen_data(argc, argv);
    if (strcmp(argv[1], "token") == 0)
        return run_token(argc, argv);
    if (strcmp(argv[1], "keys") == 0)
        return run_keys(argc, argv);
    fprintf(stderr, "inclusion-api: unknown command \"%s\"\n\n%s", argv[1], usage);
    return 2;
}
