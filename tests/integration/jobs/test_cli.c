/* The binary's sub-commands and its configuration checks. */
#include "support/fixture.h"
#include "support/private_db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(cli, .timeout = 90);

/* Runs `args` with `env`; expects a non-zero exit and one line naming `variable`. */
static void expect_config_error(const char *const *env, const char *variable)
{
    const char *args[] = {"serve", NULL};
    char *output = NULL;
    int code = run_binary(args, env, &output);
    cr_expect_neq(code, 0, "%s: must stop the program", variable);
    cr_expect(output && strstr(output, variable) != NULL, "the message names %s: %s", variable,
              output);
    cr_expect(output && strchr(output, '\n') == output + strlen(output) - 1, "exactly one line: %s",
              output);
    free(output);
}

Test(cli, bad_configuration_stops_with_one_line_naming_the_variable)
{
    const char *short_secret[] = {"JWT_SECRET=too-short", NULL};
    expect_config_error(short_secret, "JWT_SECRET");
    const char *empty_secret[] = {"JWT_SECRET=", NULL};
    expect_config_error(empty_secret, "JWT_SECRET");
    const char *alg[] = {"JWT_ALG=HS512", NULL};
    expect_config_error(alg, "JWT_ALG");
    const char *none[] = {"JWT_ALG=none", NULL};
    expect_config_error(none, "JWT_ALG");
    const char *key[] = {"JWT_ALG=RS256", "JWT_PUBLIC_KEY_FILE=/nonexistent/key.pem", NULL};
    expect_config_error(key, "JWT_PUBLIC_KEY_FILE");
    const char *no_key[] = {"JWT_ALG=ES256", NULL};
    expect_config_error(no_key, "JWT_PUBLIC_KEY_FILE");
    const char *not_pem[] = {"JWT_ALG=RS256", "JWT_PUBLIC_KEY_FILE=/etc/hostname", NULL};
    expect_config_error(not_pem, "JWT_PUBLIC_KEY_FILE");
    const char *port[] = {"PORT=80000", NULL};
    expect_config_error(port, "PORT");
    const char *addr[] = {"LISTEN_ADDR=localhost", NULL};
    expect_config_error(addr, "LISTEN_ADDR");
    const char *body[] = {"MAX_BODY_BYTES=lots", NULL};
    expect_config_error(body, "MAX_BODY_BYTES");
    const char *level[] = {"LOG_LEVEL=verbose", NULL};
    expect_config_error(level, "LOG_LEVEL");
    const char *cors[] = {"CORS_ALLOWED_ORIGINS=*", NULL};
    expect_config_error(cors, "CORS_ALLOWED_ORIGINS");
    const char *url_[] = {"DATABASE_URL=postgresql://[broken", NULL};
    expect_config_error(url_, "DATABASE_URL");
}

Test(cli, an_rs256_key_given_to_es256_is_refused)
{
    char pub_path[64];
    char *priv = generate_keypair("RSA", pub_path, sizeof pub_path, NULL);
    char env_key[128];
    snprintf(env_key, sizeof env_key, "JWT_PUBLIC_KEY_FILE=%s", pub_path);
    const char *env[] = {"JWT_ALG=ES256", env_key, NULL};
    expect_config_error(env, "JWT_PUBLIC_KEY_FILE");
    unlink(pub_path);
    free(priv);
}

Test(cli, migrate_and_seed_twice_change_nothing_the_second_time)
{
    char *output = NULL;
    const char *migrate[] = {"migrate", NULL};
    cr_expect_eq(run_binary(migrate, NULL, &output), 0, "%s", output);
    free(output);
    cr_expect_eq(run_binary(migrate, NULL, &output), 0);
    cr_expect(strstr(output, "migrate: 0 migration(s) applied") != NULL, "%s", output);
    free(output);
    const char *seed[] = {"seed", NULL};
    cr_expect_eq(run_binary(seed, NULL, &output), 0, "%s", output);
    free(output);
    cr_expect_eq(run_binary(seed, NULL, &output), 0);
    cr_expect(strstr(output, "seed: 0 row(s) changed") != NULL, "%s", output);
    free(output);
}

Test(cli, help_and_unknown_commands)
{
    char *output = NULL;
    const char *help[] = {"token", "--help", NULL};
    cr_expect_eq(run_binary(help, NULL, &output), 0);
    cr_expect(strstr(output, "--org") != NULL);
    free(output);
    const char *unknown[] = {"explode", NULL};
    cr_expect_neq(run_binary(unknown, NULL, &output), 0);
    free(output);
    const char *missing[] = {"token", "--scope", "admin", NULL};
    cr_expect_neq(run_binary(missing, NULL, &output), 0);
    free(output);
}

Test(cli, minted_tokens_work_against_the_server)
{
    cr_assert(server_start(&server, NULL));
    char *output = NULL;
    const char *args[] = {"token", "--org", "caf-gers", "--scope", "referrals:read referrals:write",
                          "--ttl", "600",   NULL};
    cr_assert_eq(run_binary(args, NULL, &output), 0, "%s", output);
    output[strcspn(output, "\n")] = '\0';
    struct response *r = http_get(server.base_url, "/v1/organizations/caf-gers", output);
    cr_expect_eq(r->status, 200, "%s", r->body);
    response_free(r);
    free(output);
    cr_expect_eq(server_stop(&server), 0);
}

/* A new database, migrated by three processes at once: the advisory lock makes
 * them take turns, and each migration is recorded once. */
Test(cli, concurrent_migrations_do_not_collide)
{
    struct private_db db;
    private_db_create(&db, "inclusion_lock");
    const char *env[] = {db.env_url, NULL};
    pid_t children[3];
    for (int i = 0; i < 3; i++) {
        children[i] = fork();
        if (children[i] == 0) {
            char *output = NULL;
            const char *args[] = {"migrate", NULL};
            int code = run_binary(args, env, &output);
            if (code != 0)
                fprintf(stderr, "%s", output ? output : "");
            free(output);
            _exit(code);
        }
    }
    for (int i = 0; i < 3; i++) {
        int status = 0;
        waitpid(children[i], &status, 0);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "migrate %d must succeed", i);
    }
    PGconn *fresh = PQconnectdb(db.url);
    PGresult *res =
        PQexec(fresh, "SELECT count(*), count(DISTINCT version) FROM schema_migrations");
    cr_expect_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    cr_expect_str_eq(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    cr_expect_neq(atoi(PQgetvalue(res, 0, 0)), 0);
    PQclear(res);
    PQfinish(fresh);
    private_db_drop(&db);
}

/* Issue #15: the token sub-command mints only what the server would accept. */
Test(cli, token_refuses_unknown_organisations_scopes_and_long_lives)
{
    char *output = NULL;
    const char *unknown_org[] = {"token",   "--org",       "nowhere-at-all",
                                 "--scope", "places:read", NULL};
    cr_expect_neq(run_binary(unknown_org, NULL, &output), 0);
    cr_expect(strstr(output, "not in the directory") != NULL, "%s", output);
    free(output);
    const char *unknown_scope[] = {"token", "--org", "caf-gers", "--scope", "places:read root",
                                   NULL};
    cr_expect_neq(run_binary(unknown_scope, NULL, &output), 0);
    cr_expect(strstr(output, "\"root\" is not a scope") != NULL, "%s", output);
    free(output);
    const char *too_long[] = {"token",       "--org", "caf-gers", "--scope",
                              "places:read", "--ttl", "86401",    NULL};
    cr_expect_neq(run_binary(too_long, NULL, &output), 0);
    cr_expect(strstr(output, "JWT_MAX_TTL_S") != NULL, "%s", output);
    free(output);
    const char *fine[] = {"token", "--org", "caf-gers", "--scope", "places:read", NULL};
    cr_expect_eq(run_binary(fine, NULL, &output), 0, "%s", output);
    free(output);
}
