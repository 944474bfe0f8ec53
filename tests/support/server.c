#include "support/server.h"

#include "support/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *binary(void)
{
    const char *bin = getenv("INCLUSION_API_BIN");
    return bin ? bin : "build/inclusion-api";
}

/* How long to wait for a server to start or stop: TEST_SERVER_WAIT_S (seconds,
 * for slow runs such as valgrind's), else `default_s`; in steps of `step_ms`. */
static int wait_steps(int default_s, int step_ms)
{
    const char *v = getenv("TEST_SERVER_WAIT_S");
    int seconds = v ? atoi(v) : 0;
    if (seconds <= 0)
        seconds = default_s;
    return seconds * 1000 / step_ms;
}

static bool overridden(const char *const *extra, const char *entry)
{
    size_t name_len = strcspn(entry, "=");
    for (size_t i = 0; extra && extra[i]; i++)
        if (strncmp(extra[i], entry, name_len + 1) == 0)
            return true;
    return false;
}

char **test_env(const char *const *extra_env)
{
    const char *db = getenv("TEST_DATABASE_URL");
    char database_url[512];
    snprintf(database_url, sizeof database_url, "DATABASE_URL=%s",
             db ? db : "postgresql://inclusion:inclusion@127.0.0.1:54321/inclusion");
    /* WEBHOOK_WORKERS=0: suites share the database, and only the webhook
     * suites, which start workers of their own, deliver (or fail) what the
     * outbox holds. DEFAULT_LANGUAGE=en: the suites written before languages
     * read English; those of languages override it. */
    const char *defaults[] = {database_url,
                              "JWT_SECRET=" TEST_JWT_SECRET,
                              "LOG_LEVEL=warn",
                              "DB_POOL_SIZE=4",
                              "HTTP_THREADS=2",
                              "SHUTDOWN_TIMEOUT_S=10",
                              "METRICS_LISTEN_ADDR=127.0.0.1:0",
                              "WEBHOOK_WORKERS=0",
                              "DEFAULT_LANGUAGE=en",
                              NULL};
    size_t n = 0, cap = 64;
    char **env = calloc(cap, sizeof *env);
    /* Keep PATH, ASan and friends from the parent; drop configuration it may carry. */
    for (char **e = environ; *e && n < 32; e++)
        if (strncmp(*e, "PATH=", 5) == 0 || strncmp(*e, "ASAN_", 5) == 0 ||
            strncmp(*e, "UBSAN_", 6) == 0 || strncmp(*e, "LSAN_", 5) == 0 ||
            strncmp(*e, "HOME=", 5) == 0)
            env[n++] = strdup(*e);
    for (size_t i = 0; defaults[i]; i++)
        if (!overridden(extra_env, defaults[i]))
            env[n++] = strdup(defaults[i]);
    for (size_t i = 0; extra_env && extra_env[i] && n + 1 < cap; i++)
        env[n++] = strdup(extra_env[i]);
    env[n] = NULL;
    return env;
}

void free_env(char **env)
{
    for (char **e = env; e && *e; e++)
        free(*e);
    free(env);
}

static pid_t spawn(const char *const *args, char **env, const char *log_path)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    size_t argc = 0;
    while (args[argc])
        argc++;
    char **argv = calloc(argc + 2, sizeof *argv);
    argv[0] = strdup(binary());
    for (size_t i = 0; i < argc; i++)
        argv[i + 1] = strdup(args[i]);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, NULL, argv, env) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    for (size_t i = 0; i < argc + 1; i++)
        free(argv[i]);
    free(argv);
    return pid;
}

static int exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The port the server logged in its `msg` line ("listening", "metrics
 * listening"), or 0 while not yet. */
static int logged_port(const char *log_path, const char *msg)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\"msg\":\"%s\"", msg);
    FILE *f = fopen(log_path, "r");
    if (!f)
        return 0;
    char line[1024];
    int port = 0;
    while (!port && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, needle);
        p = p ? strstr(p, "\"port\":") : NULL;
        if (p)
            port = atoi(p + 7);
    }
    fclose(f);
    return port;
}

bool server_start(struct test_server *s, const char *const *extra_env)
{
    memset(s, 0, sizeof *s);
    /* PORT=0: the server binds a free port itself and logs it, so that tests
     * running in parallel never race for one. */
    const char *merged[32] = {"PORT=0", "LOG_LEVEL=info"};
    size_t n = 2;
    for (size_t i = 0; extra_env && extra_env[i] && n < 31; i++)
        merged[n++] = extra_env[i];
    merged[n] = NULL;
    char **env = test_env(merged);
    static int started = 0;
    snprintf(s->log_path, sizeof s->log_path, "/tmp/inclusion-api-test-%d-%d.log", getpid(),
             started++);
    const char *args[] = {"serve", NULL};
    s->pid = spawn(args, env, s->log_path);
    free_env(env);
    int steps = wait_steps(10, 25);
    for (int waited = 0; s->pid > 0 && waited < steps; waited++) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = -1;
            break;
        }
        if (!s->port)
            s->port = logged_port(s->log_path, "listening");
        if (s->port) {
            /* logged before the API's listener starts, when it is on */
            s->metrics_port = logged_port(s->log_path, "metrics listening");
            if (s->metrics_port)
                snprintf(s->metrics_url, sizeof s->metrics_url, "http://127.0.0.1:%d",
                         s->metrics_port);
            snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%d", s->port);
            if (http_ping(s->base_url))
                return true;
        }
        struct timespec pause = {0, 25 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = -1;
    }
    fprintf(stderr, "server did not start; see %s\n", s->log_path);
    return false;
}

int server_stop(struct test_server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status = 0;
    int steps = wait_steps(20, 50);
    for (int waited = 0; waited < steps; waited++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            int code = exit_code(status);
            if (code == 0 && !getenv("TEST_KEEP_LOGS"))
                unlink(s->log_path);
            else
                fprintf(stderr, "server exited with %d; see %s\n", code, s->log_path);
            return code;
        }
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    fprintf(stderr, "server did not stop; see %s\n", s->log_path);
    return 128 + SIGKILL;
}

int run_binary(const char *const *args, const char *const *extra_env, char **output)
{
    char log_path[96];
    snprintf(log_path, sizeof log_path, "/tmp/inclusion-api-run-%d.log", getpid());
    char **env = test_env(extra_env);
    pid_t pid = spawn(args, env, log_path);
    free_env(env);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    *output = NULL;
    FILE *f = fopen(log_path, "r");
    if (f) {
        size_t len = 0;
        FILE *out = open_memstream(output, &len);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, out);
        fclose(out);
        fclose(f);
    }
    unlink(log_path);
    return exit_code(status);
}
