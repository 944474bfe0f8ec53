#include "support/fixture.h"

#include <stdio.h>

struct test_server server;

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
