/* /metrics is off the public port: the API's port answers 404 there, a second
 * listener (METRICS_LISTEN_ADDR, default 127.0.0.1:9464) serves the metrics and
 * nothing else, on loopback by default even when the API listens on every
 * address (the kernel's table of listening sockets says so, not the log);
 * `off` turns it off and a value that is not ADDRESS:PORT stops the start. */
#include "support/fixture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(metrics_listener, .fini = fixture_stop, .timeout = 60);

/* The address ("127.0.0.1", "0.0.0.0") the process `pid` listens on at TCP
 * `port`, from /proc/net/tcp and the process's descriptors; "" when it does
 * not listen there. */
static void listening_address(pid_t pid, int port, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/net/tcp", "r");
    cr_assert_not_null(f);
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned a, p, state;
        unsigned long inode;
        if (sscanf(line, " %*d: %8X:%4X %*8X:%*4X %2X %*s %*s %*s %*s %*s %lu", &a, &p, &state,
                   &inode) != 4 ||
            (int)p != port || state != 0x0A) /* TCP_LISTEN */
            continue;
        /* Whose socket: one of the process's descriptors links to it. */
        char dir[64], link[64], target[64];
        snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
        snprintf(link, sizeof link, "socket:[%lu]", inode);
        DIR *d = opendir(dir);
        cr_assert_not_null(d);
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            char path[340];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            ssize_t n = readlink(path, target, sizeof target - 1);
            if (n > 0 && (target[n] = '\0', strcmp(target, link) == 0))
                snprintf(out, cap, "%u.%u.%u.%u", a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff,
                         a >> 24); /* /proc prints the address in host (little-endian) order */
        }
        closedir(d);
    }
    fclose(f);
}

static long status_of(const char *base, const char *path)
{
    char target[256];
    snprintf(target, sizeof target, "%s%s", base, path);
    struct response *r = http_request_raw("GET", target, NULL, NULL);
    long status = r->status;
    response_free(r);
    return status;
}

Test(metrics_listener, the_public_port_answers_404_on_metrics)
{
    fixture_start();
    struct response *r = http_request_raw("GET", url("/metrics"), NULL, NULL);
    cr_expect_eq(r->status, 404, "/metrics on the API's port: %ld %s", r->status, r->body);
    cr_expect(strstr(r->body, "http_requests_total") == NULL, "no counters on the public port");
    response_free(r);
}

Test(metrics_listener, the_metrics_port_serves_the_metrics_and_nothing_else)
{
    fixture_start();
    cr_assert_gt(server.metrics_port, 0, "the server logs its metrics listener's port");
    cr_assert_neq(server.metrics_port, server.port);
    cr_expect_eq(status_of(server.base_url, "/openapi.yaml"), 200);

    char target[128];
    snprintf(target, sizeof target, "%s/metrics", server.metrics_url);
    struct response *r = http_request_raw("GET", target, NULL, NULL);
    cr_expect_eq(r->status, 200);
    char type[128] = "";
    response_header(r, "Content-Type", type, sizeof type);
    cr_expect_str_eq(type, "text/plain; version=0.0.4; charset=utf-8");
    cr_expect(strstr(r->body,
                     "http_requests_total{route=\"GET /openapi.yaml\",status=\"200\"} 1\n") != NULL,
              "the public port's requests are counted: %s", r->body);
    cr_expect(strstr(r->body, "db_pool_acquired_total{pool=\"primary\"}") != NULL);
    cr_expect(strstr(r->body, "route=\"GET /metrics\"") == NULL,
              "the metrics listener's own requests are not API requests: %s", r->body);
    response_free(r);

    /* The metrics, only: the API is not reachable through this port. */
    cr_expect_eq(status_of(server.metrics_url, "/healthz"), 404);
    cr_expect_eq(status_of(server.metrics_url, "/openapi.yaml"), 404);
    cr_expect_eq(status_of(server.metrics_url, "/v1/reference/skills"), 404);
    r = http_request_raw("POST", target, NULL, "{}");
    cr_expect_eq(r->status, 405);
    response_free(r);
}

Test(metrics_listener, it_binds_loopback_by_default_even_when_the_api_listens_everywhere)
{
    /* Empty is unset, as for every variable: the default, 127.0.0.1:9464. */
    static const char *const env[] = {"LISTEN_ADDR=0.0.0.0", "METRICS_LISTEN_ADDR=", NULL};
    fixture_start_with(env);
    cr_assert_eq(server.metrics_port, 9464, "the default port (is 9464 free on this machine?)");
    char address[32];
    listening_address(server.pid, server.port, address, sizeof address);
    cr_expect_str_eq(address, "0.0.0.0", "the API listens on every address, as configured");
    listening_address(server.pid, 9464, address, sizeof address);
    cr_expect_str_eq(address, "127.0.0.1", "the metrics listener is on loopback only");
    cr_expect_eq(status_of(server.metrics_url, "/metrics"), 200);
}

Test(metrics_listener, off_turns_it_off)
{
    static const char *const env[] = {"METRICS_LISTEN_ADDR=off", NULL};
    fixture_start_with(env);
    cr_expect_eq(server.metrics_port, 0, "no metrics listener logged");
    cr_expect_eq(status_of(server.base_url, "/metrics"), 404, "and still not on the API's port");
    /* The process listens on the API's port and on no other. */
    FILE *f = fopen("/proc/net/tcp", "r");
    cr_assert_not_null(f);
    char line[512];
    int listening = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned p, state;
        if (sscanf(line, " %*d: %*8X:%4X %*8X:%*4X %2X", &p, &state) == 2 && state == 0x0A) {
            char address[32];
            listening_address(server.pid, (int)p, address, sizeof address);
            listening += address[0] != '\0';
        }
    }
    fclose(f);
    cr_expect_eq(listening, 1, "one listening socket, the API's");
}

Test(metrics_listener, a_value_that_is_not_address_port_stops_the_start)
{
    static const char *const bad[] = {"localhost:9464", "127.0.0.1", "127.0.0.1:70000", "[::1]9464",
                                      "0.0.0.0:-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char var[64];
        snprintf(var, sizeof var, "METRICS_LISTEN_ADDR=%s", bad[i]);
        const char *const env[] = {var, "PORT=0", NULL};
        const char *const args[] = {"serve", NULL};
        char *output = NULL;
        int code = run_binary(args, env, &output);
        cr_expect_eq(code, 2, "%s: exit %d", var, code);
        cr_expect(output && strstr(output, "METRICS_LISTEN_ADDR") != NULL, "%s: %s", var,
                  output ? output : "");
        free(output);
    }
}
