/* Starts the real binary (INCLUSION_API_BIN) against the test database
 * (TEST_DATABASE_URL) on a loopback port it chooses itself (PORT=0), its
 * metrics listener likewise (METRICS_LISTEN_ADDR=127.0.0.1:0), for one test. */
#ifndef TEST_SERVER_H
#define TEST_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#define TEST_JWT_SECRET "integration-test-secret-0123456789-abcdefghijkl"

struct test_server {
    pid_t pid;
    int port;
    char base_url[64];
    int metrics_port;     /* the metrics listener's (METRICS_LISTEN_ADDR), 0 when off */
    char metrics_url[64]; /* "http://127.0.0.1:<metrics_port>", empty when off */
    char log_path[128];   /* stdout and stderr of the server */
};

/* Starts `inclusion-api serve` with the test environment plus `extra_env`
 * ("NAME=value", NULL-terminated, may be NULL; overrides the defaults) and
 * waits until /healthz answers (10 s at most, or TEST_SERVER_WAIT_S). */
bool server_start(struct test_server *s, const char *const *extra_env);

/* SIGTERM, then waits (20 s at most, or TEST_SERVER_WAIT_S, then SIGKILL). Returns the exit code,
 * or 128 + signal. Removes the log unless the exit was not 0 or TEST_KEEP_LOGS is set. */
int server_stop(struct test_server *s);

/* Runs the binary with arguments and environment overrides, capturing its
 * output (stdout and stderr) into *output (caller frees). Returns the exit code. */
int run_binary(const char *const *args, const char *const *extra_env, char **output);

/* The test environment, NULL-terminated, plus extras (the caller frees the
 * array and its strings with free_env). */
char **test_env(const char *const *extra_env);
void free_env(char **env);

#endif
