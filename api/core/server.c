#include "server.h"

#include "app.h"
#include "connection.h"
#include "log.h"
#include "migrate.h"
#include "router.h"
#include "webhook_send.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DB_WAIT_AT_START_S 30
/* One request's memory: its headers, URL and arguments. libmicrohttpd zeroes
 * the whole of it after every request of a keep-alive connection: at 128 KiB
 * that memset was 22 % of the CPU on /healthz (perf), and 32 KiB serves 30 to
 * 50 % more of them. A request whose headers do not fit gets libmicrohttpd's
 * own 431 (about 30 KiB; the router's 431 comes at 16 KiB). */
#define CONNECTION_MEMORY (size_t)(32 * 1024)

/* Applies pending migrations, waiting for the database for a while at start. */
static int migrate_at_start(const struct config *cfg)
{
    char err[512] = "";
    for (int waited = 0; waited <= DB_WAIT_AT_START_S; waited++) {
        PGconn *conn = db_connect(cfg->database_url, cfg->db_statement_timeout_ms, err, sizeof err);
        if (conn) {
            int functions = 0;
            int applied = migrate_apply(conn, &functions, err, sizeof err);
            PQfinish(conn);
            if (applied < 0)
                break;
            log_event(LOG_INFO, "schema is current",
                      json_pack("{s:i, s:i, s:s}", "applied", applied, "functions_files", functions,
                                "schema", migrate_latest()));
            return 0;
        }
        if (waited == 0)
            log_event(LOG_WARN, "waiting for the database", NULL);
        sleep(1);
    }
    log_event(LOG_ERROR, "cannot migrate the database", json_pack("{s:s}", "error", err));
    return -1;
}

/* The external issuer's verifier, its key parsed once here (libjwt would read
 * the PEM at every call). */
static bool init_verifier(struct app *app, const struct config *cfg)
{
    app->verifier.alg = cfg->jwt_alg;
    app->verifier.key = cfg->jwt_verify_key;
    app->verifier.key_len = cfg->jwt_verify_key_len;
    app->verifier.issuer = cfg->jwt_issuer;
    app->verifier.audience = cfg->jwt_audience;
    app->verifier.max_ttl_s = cfg->jwt_max_ttl_s;
    return auth_verifier_prepare(&app->verifier);
}

/* The service's own keys: loaded once now, then every KEYS_REFRESH_S by the
 * store's thread (started later, once the signals are blocked). A retired key
 * stays published while a token it signed may live: TOKEN_TTL_S, plus the
 * refresh period during which an instance may still sign with it, plus the
 * verifiers' leeway. */
static struct keystore *init_keys(const struct config *cfg)
{
    struct keystore *ks =
        keystore_new(cfg->token_issuer, cfg->jwt_max_ttl_s,
                     (long)cfg->token_ttl_s + cfg->keys_refresh_s + AUTH_LEEWAY_S);
    if (!ks || !cfg->token_issuer)
        return ks;
    char err[512] = "";
    PGconn *conn = db_connect(cfg->database_url, cfg->db_statement_timeout_ms, err, sizeof err);
    if (!conn || keystore_load(ks, conn, err, sizeof err) != 0)
        log_event(LOG_WARN, "cannot load the signing keys yet", json_pack("{s:s}", "error", err));
    PQfinish(conn);
    return ks;
}

/* A numeric address and a port as a socket address; returns whether IPv6. */
struct listen_at {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    bool ipv6;
};

static void listen_at(struct listen_at *at, const char *address, int port)
{
    memset(at, 0, sizeof *at);
    at->v4.sin_family = AF_INET;
    at->v4.sin_port = htons((uint16_t)port);
    at->v6.sin6_family = AF_INET6;
    at->v6.sin6_port = htons((uint16_t)port);
    at->ipv6 = inet_pton(AF_INET, address, &at->v4.sin_addr) != 1;
    if (at->ipv6)
        inet_pton(AF_INET6, address, &at->v6.sin6_addr);
}

/* The metrics listener's one callback: GET (or HEAD) /metrics answers the
 * Prometheus text, every other path 404 and every other method 405, in plain
 * text: nothing of the API is reachable there. */
static int serve_metrics(const struct _u_request *in, struct _u_response *out, void *user_data)
{
    struct app *app = user_data;
    static const char text_type[] = "text/plain; charset=utf-8";
    if (strcmp(in->url_path, "/metrics") != 0) {
        u_map_put(out->map_header, "Content-Type", text_type);
        ulfius_set_string_body_response(out, 404, "Not found: the metrics are at /metrics.\n");
        return U_CALLBACK_COMPLETE;
    }
    if (strcmp(in->http_verb, "GET") != 0 && strcmp(in->http_verb, "HEAD") != 0) {
        u_map_put(out->map_header, "Content-Type", text_type);
        u_map_put(out->map_header, "Allow", "GET, HEAD");
        ulfius_set_string_body_response(out, 405, "Method not allowed: GET or HEAD.\n");
        return U_CALLBACK_COMPLETE;
    }
    const char **labels = calloc(routes_count, sizeof *labels);
    char *storage = calloc(routes_count, 128);
    char *text = NULL;
    if (labels && storage) {
        for (size_t i = 0; i < routes_count; i++) {
            snprintf(storage + i * 128, 128, "%s %s", routes[i].method, routes[i].pattern);
            labels[i] = storage + i * 128;
        }
        struct metrics_db db = {
            .in_use = db_pool_in_use(app->pool),
            .size = app->cfg->db_pool_size,
            .acquired_primary = db_pool_acquired(app->pool),
            .acquired_replica = app->replica ? db_pool_acquired(app->replica) : 0,
            .replica_fallbacks = atomic_load(&app->replica_fallbacks),
            .has_replica = app->replica != NULL,
        };
        text = metrics_render(app->metrics, labels, &db, atomic_load(&app->in_flight));
        char *hooks = webhook_metrics_text(), *both = NULL;
        if (text && hooks && asprintf(&both, "%s%s", text, hooks) > 0) {
            free(text);
            text = both;
        }
        free(hooks);
    }
    free(labels);
    free(storage);
    if (!text) {
        u_map_put(out->map_header, "Content-Type", text_type);
        ulfius_set_string_body_response(out, 500, "The metrics could not be rendered.\n");
        return U_CALLBACK_COMPLETE;
    }
    u_map_put(out->map_header, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    ulfius_set_binary_body_response(out, 200, text, strlen(text));
    free(text);
    return U_CALLBACK_COMPLETE;
}

/* The metrics listener (METRICS_LISTEN_ADDR): one thread, a few connections,
 * no request body. */
static int start_metrics(struct _u_instance *instance, struct app *app, const struct config *cfg)
{
    struct listen_at at;
    listen_at(&at, cfg->metrics_addr, cfg->metrics_port);
    if (ulfius_init_instance(instance, cfg->metrics_port ? (unsigned)cfg->metrics_port : 1, NULL,
                             NULL) != U_OK)
        return -1;
    instance->max_post_body_size = 0;
    instance->allowed_post_processor = U_POST_PROCESS_NONE;
    ulfius_set_default_endpoint(instance, serve_metrics, app);
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_SOCK_ADDR, 0, at.ipv6 ? (void *)&at.v6 : (void *)&at.v4},
        {MHD_OPTION_CONNECTION_LIMIT, 16, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 10, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL},
        /* ulfius's own, which the options replace: it keeps its state per request there */
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | (at.ipv6 ? MHD_USE_IPv6 : 0);
    if (ulfius_start_framework_with_mhd_options(instance, flags, options) != U_OK) {
        ulfius_clean_instance(instance);
        return -1;
    }
    return 0;
}

/* The API's listener: libmicrohttpd with the service's own access handler
 * (connection.c), which takes each request from its headers to its answer. */
static struct MHD_Daemon *start(struct app *app, const struct config *cfg)
{
    struct listen_at at;
    listen_at(&at, cfg->listen_addr, cfg->port);
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_SOCK_ADDR, 0, at.ipv6 ? (void *)&at.v6 : (void *)&at.v4},
        {MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)connection_begin, app},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)connection_completed, app},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | (at.ipv6 ? MHD_USE_IPv6 : 0);
    /* the port is in the socket address */
    return MHD_start_daemon(flags, 0, NULL, NULL, connection_access, app, MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/* The port the listening socket is bound to (PORT=0 lets the system choose). */
static int bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (!info || getsockname(info->listen_fd, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    return addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port)
                                      : ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

/* Stops accepting, waits for requests in flight (bounded), then stops. */
static void drain_and_stop(struct MHD_Daemon *daemon, struct app *app, int timeout_s)
{
    atomic_store(&app->draining, true);
    /* New connections are refused at once (shutdown stops the listening), but
     * the descriptor is closed only after the daemon has stopped, as
     * libmicrohttpd requires in threaded modes (no reuse of its number). */
    MHD_socket listener = MHD_quiesce_daemon(daemon);
    if (listener != MHD_INVALID_SOCKET)
        shutdown(listener, SHUT_RDWR);
    struct timespec pause = {0, 20 * 1000 * 1000};
    int waited_ms = 0;
    while (atomic_load(&app->in_flight) > 0 && waited_ms < timeout_s * 1000) {
        nanosleep(&pause, NULL);
        waited_ms += 20;
    }
    int left = atomic_load(&app->in_flight);
    MHD_stop_daemon(daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    log_event(left ? LOG_WARN : LOG_INFO, "stopped",
              json_pack("{s:i, s:i}", "drain_ms", waited_ms, "requests_cut", left));
}

/* glibc's allocator, tuned for a server whose large bodies (a GeoJSON page of
 * 5,000 features is 5 MB, its PGresult as much) come and go between threads:
 * by default it raises its mmap threshold after each large free, so that the
 * next large blocks come from the threads' arenas, one arena per thread. With
 * a fixed threshold large blocks are mapped and unmapped, and two arenas hold
 * less free memory: while 50 clients fetch GeoJSON pages, the peak resident
 * size fell from 138-172 MiB to 78 MiB (README, Performance). */
static void tune_allocator(void)
{
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_ARENA_MAX, 2);
}

int server_run(const struct config *cfg)
{
    tune_allocator();
    if (migrate_at_start(cfg) != 0)
        return 1;
    struct app app = {.cfg = cfg};
    if (!init_verifier(&app, cfg)) {
        log_event(LOG_ERROR, "cannot parse the JWT verification key", NULL);
        return 1;
    }
    app.keys = init_keys(cfg);
    app.pool = db_pool_new(cfg->database_url, cfg->db_pool_size, cfg->db_statement_timeout_ms,
                           false, cfg->db_prepared_statements == 1);
    /* The replica's pool: same size and session settings, read-only; it opens
     * nothing until a replica_ok route needs it, so a replica that is down at
     * start only means reads go to the primary (http.c, ensure_connection). */
    bool replica_failed = false;
    if (cfg->database_read_url) {
        app.replica =
            db_pool_new(cfg->database_read_url, cfg->db_pool_size, cfg->db_statement_timeout_ms,
                        true, cfg->db_prepared_statements == 1);
        replica_failed = !app.replica;
    }
    app.metrics = metrics_new(routes_count);
    app.expensive = inflight_new(cfg->indicators_expensive_per_org);
    if (cfg->rate_limit_org_per_s > 0)
        app.org_limit = ratelimit_new(cfg->rate_limit_org_per_s, cfg->rate_limit_org_burst);
    if (cfg->rate_limit_ip_per_s > 0)
        app.ip_limit = ratelimit_new(cfg->rate_limit_ip_per_s, cfg->rate_limit_ip_burst);
    if (cfg->rate_limit_auth_fail_per_s > 0)
        app.auth_fail_limit =
            ratelimit_new(cfg->rate_limit_auth_fail_per_s, cfg->rate_limit_auth_fail_burst);

    /* Signals are taken by sigwait in this thread only: block them before the
     * server's threads start, so that they inherit the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    bool keys_ok = app.keys && keystore_start(app.keys, cfg->database_url,
                                              cfg->db_statement_timeout_ms, cfg->keys_refresh_s);
    char auth_err[256] = "";
    app.auth = authstate_new();
    if (!app.auth || !authstate_start(app.auth, cfg->database_url, cfg->db_statement_timeout_ms,
                                      auth_err, sizeof auth_err)) {
        log_event(LOG_ERROR, "cannot start the guard's view",
                  json_pack("{s:s}", "error", auth_err));
        keys_ok = false;
    }

    struct _u_instance metrics;
    struct MHD_Daemon *api = NULL;
    bool ready = app.pool && !replica_failed && app.metrics && app.expensive && keys_ok;
    /* The metrics listener first: when the API's "listening" line is logged,
     * its "metrics listening" line is already there. */
    bool metrics_on = false;
    if (ready && cfg->metrics_addr) {
        metrics_on = start_metrics(&metrics, &app, cfg) == 0;
        ready = metrics_on;
        log_event(
            metrics_on ? LOG_INFO : LOG_ERROR, metrics_on ? "metrics listening" : "cannot listen",
            json_pack("{s:s, s:s, s:i}", "listener", "metrics", "address", cfg->metrics_addr,
                      "port", metrics_on ? bound_port(metrics.mhd_daemon) : cfg->metrics_port));
    }
    int rc = 1;
    /* The webhook deliveries (issue #17): threads of their own, each with its
     * own connection, woken by the API's writes; stopped once it has drained. */
    if (ready)
        app.webhooks = webhook_workers_start(cfg);
    if (!ready || !(api = start(&app, cfg))) {
        log_event(LOG_ERROR, "cannot listen",
                  json_pack("{s:s, s:i}", "address", cfg->listen_addr, "port", cfg->port));
    } else {
        log_event(LOG_INFO, "listening",
                  json_pack("{s:s, s:i, s:i, s:i, s:b}", "address", cfg->listen_addr, "port",
                            bound_port(api), "threads", cfg->threads, "db_pool", cfg->db_pool_size,
                            "read_replica", app.replica != NULL));
        int sig = 0;
        sigwait(&stop_signals, &sig);
        log_event(LOG_INFO, "stopping",
                  json_pack("{s:s}", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
        drain_and_stop(api, &app, cfg->shutdown_timeout_s);
        rc = 0;
    }
    webhook_workers_stop(app.webhooks);
    /* Stopped last: the metrics can be read while the API drains. */
    if (metrics_on) {
        ulfius_stop_framework(&metrics);
        ulfius_clean_instance(&metrics);
    }
    metrics_free(app.metrics);
    ratelimit_free(app.org_limit);
    ratelimit_free(app.ip_limit);
    ratelimit_free(app.auth_fail_limit);
    inflight_free(app.expensive);
    keystore_free(app.keys);
    authstate_free(app.auth);
    auth_verifier_release(&app.verifier);
    db_pool_free(app.replica);
    db_pool_free(app.pool);
    return rc;
}
