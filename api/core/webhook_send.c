#include "webhook_send.h"

#include "log.h"
#include "messages.h"
#include "netaddr.h"
#include "webhook_send_sql.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SECRET_PREFIX    "whsec_"
#define SECRET_BYTES     32
#define MAX_ANSWER       (64 * 1024)
#define USER_AGENT       "inclusion-api-webhooks/1"
#define POLL_INTERVAL_MS 1000
/* After finding the outbox empty, a worker looks again at most this often,
 * however many writes wake it: a service without subscriptions pays at most
 * that many empty claims per second and per worker, not one per write. */
#define RECLAIM_MIN_MS 10

/* ---- the URL ---------------------------------------------------------------- */

/* The reason the host is refused, or NULL; *address: the reason is about an
 * address it resolves to (netaddr_refusal). */
static const char *check_host(const char *host, long port, bool allow_private,
                              struct webhook_target *t, bool *address)
{
    *address = false;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list = NULL;
    char service[16];
    snprintf(service, sizeof service, "%ld", port);
    if (getaddrinfo(host, service, &hints, &list) != 0 || !list)
        return msg_text(MSG_WEBHOOK_URL_NO_RESOLVE, lang_current());
    const char *why = NULL;
    t->ip[0] = '\0';
    for (struct addrinfo *a = list; a && !why; a = a->ai_next) {
        const unsigned char *bytes = NULL;
        int family = 0;
        if (a->ai_family == AF_INET) {
            bytes = (const unsigned char *)&((struct sockaddr_in *)(void *)a->ai_addr)->sin_addr;
            family = 4;
        } else if (a->ai_family == AF_INET6) {
            bytes = (const unsigned char *)&((struct sockaddr_in6 *)(void *)a->ai_addr)->sin6_addr;
            family = 6;
        } else {
            continue;
        }
        if (!allow_private)
            *address = (why = netaddr_refusal(family, bytes)) != NULL;
        if (!t->ip[0])
            inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes, t->ip, sizeof t->ip);
    }
    freeaddrinfo(list);
    if (!why && !t->ip[0])
        why = msg_text(MSG_WEBHOOK_URL_NO_RESOLVE, lang_current());
    return why ? why : NULL;
}

const char *webhook_url_check(const char *url, bool allow_http, bool allow_private,
                              struct webhook_target *t)
{
    memset(t, 0, sizeof *t);
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
    const char *why = NULL;
    enum lang lang = lang_current();
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        why = msg_text(MSG_WEBHOOK_URL_ABSOLUTE, lang);
    } else if (strcmp(scheme, "https") != 0 && !(allow_http && strcmp(scheme, "http") == 0)) {
        why = msg_text(allow_http ? MSG_WEBHOOK_URL_HTTP_OR_HTTPS : MSG_WEBHOOK_URL_HTTPS, lang);
    } else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        why = msg_text(MSG_WEBHOOK_URL_USER, lang);
    } else if (strlen(host) >= sizeof t->host) {
        why = msg_text(MSG_WEBHOOK_URL_HOST_LONG, lang);
    } else {
        size_t len = strlen(host);
        if (host[0] == '[' && len > 2) {
            memcpy(t->host, host + 1, len - 2);
            t->literal = true;
        } else {
            memcpy(t->host, host, len);
            unsigned char buf[16];
            t->literal = inet_pton(AF_INET, host, buf) == 1;
        }
        char *zone = strchr(t->host, '%');
        if (zone)
            why = msg_text(MSG_WEBHOOK_URL_ZONE, lang);
        t->port = atol(port);
        bool address = false;
        if (!why)
            why = check_host(t->host, t->port, allow_private, t, &address);
        if (why && address) {
            static _Thread_local char reason[128];
            why = msg_format(reason, sizeof reason, lang, MSG_WEBHOOK_URL_RESOLVES_TO, why);
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(user);
    curl_url_cleanup(u);
    return why;
}

/* ---- secrets and signatures --------------------------------------------------- */

char *webhook_new_secret(void)
{
    unsigned char raw[SECRET_BYTES];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return NULL;
    char *out = malloc(sizeof SECRET_PREFIX + 4 * ((SECRET_BYTES + 2) / 3) + 1);
    if (!out)
        return NULL;
    memcpy(out, SECRET_PREFIX, sizeof SECRET_PREFIX - 1);
    EVP_EncodeBlock((unsigned char *)out + sizeof SECRET_PREFIX - 1, raw, sizeof raw);
    return out;
}

/* base64 of HMAC-SHA256(key of secret, id.timestamp.body) into out (>= 45). */
static bool sign_one(const char *secret, const char *id, const char *timestamp, const char *body,
                     char *out)
{
    size_t plen = sizeof SECRET_PREFIX - 1;
    if (strncmp(secret, SECRET_PREFIX, plen) != 0)
        return false;
    const char *b64 = secret + plen;
    size_t b64_len = strlen(b64);
    if (b64_len == 0 || b64_len % 4 != 0 || b64_len > 256)
        return false;
    unsigned char key[200];
    int n = EVP_DecodeBlock(key, (const unsigned char *)b64, (int)b64_len);
    if (n < 0)
        return false;
    /* EVP_DecodeBlock counts the padding's bytes */
    if (b64[b64_len - 1] == '=')
        n--;
    if (b64[b64_len - 2] == '=')
        n--;
    size_t id_len = strlen(id), ts_len = strlen(timestamp), body_len = strlen(body);
    size_t msg_len = id_len + 1 + ts_len + 1 + body_len;
    unsigned char *msg = malloc(msg_len);
    if (!msg)
        return false;
    memcpy(msg, id, id_len);
    msg[id_len] = '.';
    memcpy(msg + id_len + 1, timestamp, ts_len);
    msg[id_len + 1 + ts_len] = '.';
    memcpy(msg + id_len + ts_len + 2, body, body_len);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    bool ok = HMAC(EVP_sha256(), key, n, msg, msg_len, mac, &mac_len) != NULL;
    free(msg);
    OPENSSL_cleanse(key, sizeof key);
    if (ok)
        EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
    return ok;
}

char *webhook_signature(const char *secret, const char *previous, const char *id,
                        const char *timestamp, const char *body)
{
    char a[64], b[64];
    if (!sign_one(secret, id, timestamp, body, a))
        return NULL;
    if (previous && !sign_one(previous, id, timestamp, body, b))
        previous = NULL;
    char *out = malloc(160);
    if (out && previous)
        snprintf(out, 160, "v1,%s v1,%s", a, b);
    else if (out)
        snprintf(out, 160, "v1,%s", a);
    return out;
}

/* ---- metrics ------------------------------------------------------------------- */

/* Process-wide: one `serve` per process. */
static atomic_ulong delivered_total, retry_total, failed_total;
static atomic_long outbox_depth, oldest_pending_s, last_sample_s;

/* The outbox's depth and the age of its oldest pending delivery, sampled at
 * most once a second by an idle worker (never by the metrics listener: a
 * scrape runs no query). */
static void sample_outbox(PGconn *conn)
{
    long now = (long)time(NULL), prev = atomic_load(&last_sample_s);
    if (now <= prev || !atomic_compare_exchange_strong(&last_sample_s, &prev, now))
        return;
    PGresult *res = PQexec(conn, WEBHOOKS_SQL_OUTBOX);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        atomic_store(&outbox_depth, atol(PQgetvalue(res, 0, 0)));
        atomic_store(&oldest_pending_s, atol(PQgetvalue(res, 0, 1)));
    }
    PQclear(res);
}

char *webhook_metrics_text(void)
{
    char *text = NULL;
    if (asprintf(&text,
                 "# HELP webhook_deliveries_total Webhook delivery attempts, by outcome.\n"
                 "# TYPE webhook_deliveries_total counter\n"
                 "webhook_deliveries_total{outcome=\"delivered\"} %lu\n"
                 "webhook_deliveries_total{outcome=\"retry\"} %lu\n"
                 "webhook_deliveries_total{outcome=\"failed\"} %lu\n"
                 "# HELP webhook_outbox_depth Webhook deliveries pending (sampled each second).\n"
                 "# TYPE webhook_outbox_depth gauge\n"
                 "webhook_outbox_depth %ld\n"
                 "# HELP webhook_oldest_undelivered_seconds Age of the oldest pending webhook "
                 "delivery.\n"
                 "# TYPE webhook_oldest_undelivered_seconds gauge\n"
                 "webhook_oldest_undelivered_seconds %ld\n",
                 atomic_load(&delivered_total), atomic_load(&retry_total),
                 atomic_load(&failed_total), atomic_load(&outbox_depth),
                 atomic_load(&oldest_pending_s)) < 0)
        return NULL;
    return text;
}

/* ---- delivery ----------------------------------------------------------------- */

struct webhook_workers {
    const struct config *cfg;
    atomic_bool stop;
    int wake_fd;       /* an eventfd: webhook_workers_wake writes, the workers poll */
    atomic_bool woken; /* written and not read yet: wakes need no more writes */
    int count;
    pthread_t threads[64];
};

struct answer {
    size_t kept;
};

static size_t read_answer(char *data, size_t size, size_t nmemb, void *user)
{
    (void)data;
    struct answer *a = user;
    size_t n = size * nmemb;
    if (a->kept + n > MAX_ANSWER)
        return 0; /* read no more: the status is known already */
    a->kept += n;
    return n;
}

struct outcome {
    long status; /* 0: no answer */
    long latency_ms;
    const char *why; /* NULL when delivered */
};

/* POSTs the claimed delivery with the worker's handle `curl`: reset at each
 * delivery, it keeps its connections open, so that a receiver's next event
 * reuses the TCP (and TLS) connection of the previous one. */
static void post(const struct config *cfg, CURL *curl, PGresult *job, struct outcome *o)
{
    const char *id = PQgetvalue(job, 0, 1), *body = PQgetvalue(job, 0, 2);
    const char *url = PQgetvalue(job, 0, 3), *secret = PQgetvalue(job, 0, 4);
    const char *previous = PQgetisnull(job, 0, 5) ? NULL : PQgetvalue(job, 0, 5);
    struct webhook_target t;
    o->status = 0;
    o->latency_ms = 0;
    o->why = webhook_url_check(url, cfg->webhook_allow_http, cfg->webhook_allow_private, &t);
    if (o->why)
        return;
    char timestamp[24];
    snprintf(timestamp, sizeof timestamp, "%lld", (long long)time(NULL));
    char *signature = webhook_signature(secret, previous, id, timestamp, body);
    if (!signature) {
        o->why = "the subscription's secret is malformed";
        return;
    }
    curl_easy_reset(curl);
    char h_id[96], h_ts[64], h_sig[200], pin[400];
    snprintf(h_id, sizeof h_id, "webhook-id: %s", id);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %s", timestamp);
    snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", signature);
    free(signature);
    struct curl_slist *headers = NULL, *resolve = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, h_id);
    headers = curl_slist_append(headers, h_ts);
    headers = curl_slist_append(headers, h_sig);
    headers = curl_slist_append(headers, "Expect:");
    if (!t.literal) {
        /* connect to the address checked, whatever DNS says now */
        bool v6 = strchr(t.ip, ':') != NULL;
        snprintf(pin, sizeof pin, "%s:%ld:%s%s%s", t.host, t.port, v6 ? "[" : "", t.ip,
                 v6 ? "]" : "");
        resolve = curl_slist_append(NULL, pin);
        curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
    }
    struct answer a = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, read_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CURLcode rc = curl_easy_perform(curl);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    o->latency_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &o->status);
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR)
        o->status = 0;
    if (o->status == 0)
        o->why = rc == CURLE_OPERATION_TIMEDOUT ? "timed out" : "no answer";
    else if (o->status < 200 || o->status > 299)
        o->why = "not a 2xx answer";
    curl_slist_free_all(headers);
    curl_slist_free_all(resolve);
}

/* Seconds before retry number `attempts` (1 after the first failure), with a
 * jitter of up to +20 %; -1 when none is left. */
static int retry_delay(const struct config *cfg, int attempts, unsigned *seed)
{
    if (attempts < 1 || attempts > cfg->webhook_retry_count)
        return -1;
    int base = cfg->webhook_retry_s[attempts - 1];
    int jitter = base >= 5 ? (int)(rand_r(seed) % (unsigned)(base / 5 + 1)) : 0;
    return base + jitter;
}

static void record(PGconn *conn, const struct config *cfg, PGresult *job, const struct outcome *o,
                   unsigned *seed)
{
    char status[16], latency[24], delay[16];
    snprintf(status, sizeof status, "%ld", o->status);
    snprintf(latency, sizeof latency, "%ld", o->latency_ms);
    const char *delivery = PQgetvalue(job, 0, 0);
    PGresult *res;
    if (!o->why) {
        const char *params[] = {delivery, status, latency};
        res = PQexecParams(conn, WEBHOOKS_SQL_DELIVERED, 3, NULL, params, NULL, NULL, 0);
        atomic_fetch_add(&delivered_total, 1);
    } else {
        int d = o->status == 410 ? -1 : retry_delay(cfg, atoi(PQgetvalue(job, 0, 6)), seed);
        atomic_fetch_add(d >= 0 ? &retry_total : &failed_total, 1);
        snprintf(delay, sizeof delay, "%d", d);
        /* the subscription waits as long as its consecutive failures say,
         * the schedule's last step once past its end */
        int failures = atoi(PQgetvalue(job, 0, 8)) + 1;
        int pause = retry_delay(
            cfg, failures < cfg->webhook_retry_count ? failures : cfg->webhook_retry_count, seed);
        char pause_text[16];
        snprintf(pause_text, sizeof pause_text, "%d", pause);
        const char *params[] = {delivery, o->status ? status : NULL, latency,
                                o->why,   d >= 0 ? delay : NULL,     pause_text};
        res = PQexecParams(conn, WEBHOOKS_SQL_FAILED, 6, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            log_event(LOG_ERROR, "webhook delivery not recorded",
                      json_pack("{s:s}", "delivery", delivery));
        PQclear(res);
        if (o->status == 410) {
            const char *sub[] = {PQgetvalue(job, 0, 7),
                                 "the receiver answered 410 Gone: disabled at once"};
            res = PQexecParams(conn, WEBHOOKS_SQL_DISABLE, 2, NULL, sub, NULL, NULL, 0);
        } else {
            const char *sub[] = {PQgetvalue(job, 0, 7)};
            res = PQexecParams(conn, WEBHOOKS_SQL_DISABLE_FAILING, 1, NULL, sub, NULL, NULL, 0);
        }
    }
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        log_event(LOG_ERROR, "webhook delivery not recorded",
                  json_pack("{s:s}", "delivery", delivery));
    PQclear(res);
    log_event(o->why ? LOG_WARN : LOG_INFO, o->why ? "webhook not delivered" : "webhook delivered",
              json_pack("{s:s, s:s, s:i, s:i, s:s?}", "delivery", delivery, "subscription",
                        PQgetvalue(job, 0, 7), "status", (int)o->status, "latency_ms",
                        (int)o->latency_ms, "why", o->why));
}

void webhook_workers_wake(struct webhook_workers *w)
{
    if (!w || atomic_exchange(&w->woken, true))
        return;
    uint64_t one = 1;
    if (write(w->wake_fd, &one, sizeof one) != (ssize_t)sizeof one)
        atomic_store(&w->woken, false);
}

/* Waits for a wake of this process, a notification (a ping) or POLL_INTERVAL_MS; then at least
 * RECLAIM_MIN_MS since the outbox was found empty. */
static void wait_for_work(struct webhook_workers *w, PGconn *conn)
{
    struct timespec empty;
    clock_gettime(CLOCK_MONOTONIC, &empty);
    struct pollfd p[2] = {{.fd = w->wake_fd, .events = POLLIN},
                          {.fd = PQsocket(conn), .events = POLLIN}};
    poll(p, p[1].fd >= 0 ? 2 : 1, POLL_INTERVAL_MS);
    if (p[0].revents & POLLIN) {
        uint64_t count;
        atomic_store(&w->woken, false);
        ssize_t got = read(w->wake_fd, &count, sizeof count); /* < 0: another worker read it */
        (void)got;
    }
    PQconsumeInput(conn);
    PGnotify *n;
    while ((n = PQnotifies(conn)))
        PQfreemem(n);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long waited_ms = (now.tv_sec - empty.tv_sec) * 1000 + (now.tv_nsec - empty.tv_nsec) / 1000000;
    if (waited_ms < RECLAIM_MIN_MS)
        usleep((useconds_t)(RECLAIM_MIN_MS - waited_ms) * 1000);
}

static PGconn *connect_db(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    if (PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        return NULL;
    }
    PGresult *res = PQexec(conn, WEBHOOKS_SQL_LISTEN);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (ok) {
        res = PQexec(conn, WEBHOOKS_SQL_ASYNC_COMMIT);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
    }
    if (!ok) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static void *work(void *arg)
{
    struct webhook_workers *w = arg;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed;
    PGconn *conn = NULL;
    CURL *curl = curl_easy_init();
    while (curl && !atomic_load(&w->stop)) {
        if (!conn && !(conn = connect_db(w->cfg->database_url))) {
            sleep(1);
            continue;
        }
        PGresult *job = PQexec(conn, WEBHOOKS_SQL_CLAIM);
        if (PQresultStatus(job) != PGRES_TUPLES_OK) {
            PQclear(job);
            if (PQstatus(conn) != CONNECTION_OK) {
                PQfinish(conn);
                conn = NULL;
            }
            sleep(1);
            continue;
        }
        if (PQntuples(job) == 0) {
            PQclear(job);
            sample_outbox(conn);
            wait_for_work(w, conn);
            continue;
        }
        struct outcome o;
        post(w->cfg, curl, job, &o);
        record(conn, w->cfg, job, &o, &seed);
        PQclear(job);
    }
    curl_easy_cleanup(curl);
    PQfinish(conn);
    return NULL;
}

struct webhook_workers *webhook_workers_start(const struct config *cfg)
{
    if (cfg->webhook_workers <= 0)
        return NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct webhook_workers *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->cfg = cfg;
    /* non-blocking: a worker that finds it already read goes on */
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->wake_fd < 0) {
        free(w);
        return NULL;
    }
    for (int i = 0; i < cfg->webhook_workers && i < 64; i++)
        if (pthread_create(&w->threads[w->count], NULL, work, w) == 0)
            w->count++;
    return w;
}

void webhook_workers_stop(struct webhook_workers *w)
{
    if (!w)
        return;
    atomic_store(&w->stop, true);
    for (int i = 0; i < w->count; i++)
        pthread_join(w->threads[i], NULL);
    close(w->wake_fd);
    free(w);
    curl_global_cleanup();
}
