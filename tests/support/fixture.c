#include "support/fixture.h"

#include <stdio.h>
#include <stdlib.h>

struct test_server server;

/* The tokens fixture_token minted, freed by fixture_stop. */
#define MAX_TOKENS 32
static char **tokens[MAX_TOKENS];
static size_t token_count;

void fixture_token(char **slot, const char *org, const char *scope)
{
    cr_assert_lt(token_count, MAX_TOKENS, "at most %d tokens per suite", MAX_TOKENS);
    *slot = test_token(org, scope);
    tokens[token_count++] = slot;
}

void fixture_start_with(const char *const *env)
{
    cr_assert_leq(server.pid, 0, "one server per test: the previous one was not stopped");
    cr_assert(server_start(&server, env), "the server must start");
}

void fixture_start(void)
{
    fixture_start_with(NULL);
}

void fixture_stop(void)
{
    for (size_t i = 0; i < token_count; i++) {
        free(*tokens[i]);
        *tokens[i] = NULL;
    }
    token_count = 0;
    if (server.pid > 0)
        cr_expect_eq(server_stop(&server), 0, "the server must exit 0 on SIGTERM (log: %s)",
                     server.log_path);
}

const char *url(const char *path)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", server.base_url, path);
    return buf;
}
