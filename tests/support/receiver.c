#include "support/receiver.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUESTS 4096
#define MAX_BODY     (256 * 1024)

struct receiver {
    struct MHD_Daemon *daemon;
    int port;
    int status;
    int delay_ms;
    pthread_mutex_t lock;
    size_t count;
    struct received items[MAX_REQUESTS];
};

struct upload {
    char *data;
    size_t len;
};

static void copy_header(struct MHD_Connection *c, const char *name, char *out, size_t cap)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(out, cap, "%s", v ? v : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    (void)method;
    (void)version;
    struct receiver *rc = cls;
    struct upload *up = *state;
    if (!up) {
        *state = calloc(1, sizeof *up);
        return MHD_YES;
    }
    if (*size) {
        if (up->len + *size <= MAX_BODY) {
            up->data = realloc(up->data, up->len + *size + 1);
            memcpy(up->data + up->len, data, *size);
            up->len += *size;
        }
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&rc->lock);
    int delay_ms = rc->delay_ms;
    pthread_mutex_unlock(&rc->lock);
    if (delay_ms > 0)
        usleep((useconds_t)delay_ms * 1000);
    pthread_mutex_lock(&rc->lock);
    int status = rc->status;
    if (rc->count < MAX_REQUESTS) {
        struct received *r = &rc->items[rc->count];
        memset(r, 0, sizeof *r);
        snprintf(r->path, sizeof r->path, "%s", url);
        copy_header(c, "webhook-id", r->id, sizeof r->id);
        copy_header(c, "webhook-timestamp", r->timestamp, sizeof r->timestamp);
        copy_header(c, "webhook-signature", r->signature, sizeof r->signature);
        copy_header(c, "User-Agent", r->user_agent, sizeof r->user_agent);
        copy_header(c, "Content-Type", r->content_type, sizeof r->content_type);
        r->body = calloc(1, up->len + 1);
        if (up->len)
            memcpy(r->body, up->data, up->len);
        rc->count++;
    }
    pthread_mutex_unlock(&rc->lock);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    struct upload *up = *state;
    if (up)
        free(up->data);
    free(up);
    *state = NULL;
}

static bool listen_on(struct receiver *rc, int port)
{
    rc->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                  (uint16_t)port, NULL, NULL, on_request, rc,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_done, rc,
                                  MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!rc->daemon)
        return false;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(rc->daemon, MHD_DAEMON_INFO_BIND_PORT);
    rc->port = info ? info->port : port;
    return true;
}

struct receiver *receiver_start(void)
{
    struct receiver *rc = calloc(1, sizeof *rc);
    rc->status = 204;
    pthread_mutex_init(&rc->lock, NULL);
    if (!listen_on(rc, 0)) {
        free(rc);
        return NULL;
    }
    return rc;
}

int receiver_port(const struct receiver *rc)
{
    return rc->port;
}

void receiver_answer(struct receiver *rc, int status)
{
    pthread_mutex_lock(&rc->lock);
    rc->status = status;
    pthread_mutex_unlock(&rc->lock);
}

void receiver_delay(struct receiver *rc, int ms)
{
    pthread_mutex_lock(&rc->lock);
    rc->delay_ms = ms;
    pthread_mutex_unlock(&rc->lock);
}

void receiver_down(struct receiver *rc)
{
    if (rc->daemon)
        MHD_stop_daemon(rc->daemon);
    rc->daemon = NULL;
}

bool receiver_up(struct receiver *rc)
{
    return rc->daemon || listen_on(rc, rc->port);
}

static bool matches(const struct received *r, const char *path, const char *needle)
{
    return (!path || strcmp(r->path, path) == 0) && (!needle || strstr(r->body, needle));
}

size_t receiver_count(struct receiver *rc, const char *path, const char *needle)
{
    size_t n = 0;
    pthread_mutex_lock(&rc->lock);
    for (size_t i = 0; i < rc->count; i++)
        n += matches(&rc->items[i], path, needle);
    pthread_mutex_unlock(&rc->lock);
    return n;
}

bool receiver_wait(struct receiver *rc, const char *path, const char *needle, size_t n,
                   int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        if (receiver_count(rc, path, needle) >= n)
            return true;
        usleep(50 * 1000);
    }
    return false;
}

bool receiver_get(struct receiver *rc, const char *path, const char *needle, size_t i,
                  struct received *out)
{
    bool found = false;
    pthread_mutex_lock(&rc->lock);
    for (size_t k = 0, seen = 0; k < rc->count && !found; k++) {
        if (!matches(&rc->items[k], path, needle))
            continue;
        if (seen++ == i) {
            *out = rc->items[k];
            out->body = strdup(rc->items[k].body);
            found = true;
        }
    }
    pthread_mutex_unlock(&rc->lock);
    return found;
}

void received_free(struct received *r)
{
    free(r->body);
    r->body = NULL;
}

void receiver_stop(struct receiver *rc)
{
    if (!rc)
        return;
    receiver_down(rc);
    for (size_t i = 0; i < rc->count; i++)
        free(rc->items[i].body);
    pthread_mutex_destroy(&rc->lock);
    free(rc);
}
