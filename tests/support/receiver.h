/* A webhook receiver for the integration tests: a small libmicrohttpd server
 * on 127.0.0.1 recording every request (path, Standard Webhooks headers,
 * body). It answers 204, or the status it is told to; it can be stopped and
 * started again on the same port (a receiver down). */
#ifndef TEST_RECEIVER_H
#define TEST_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>

struct received {
    char path[256];
    char id[128];        /* webhook-id */
    char timestamp[32];  /* webhook-timestamp */
    char signature[512]; /* webhook-signature */
    char user_agent[128];
    char content_type[128];
    char *body; /* NUL-terminated; freed by received_free */
};

struct receiver;

/* Listens on a free loopback port. */
struct receiver *receiver_start(void);
int receiver_port(const struct receiver *rc);
/* The status of the next answers (204 at start). */
void receiver_answer(struct receiver *rc, int status);
/* Each answer waits this long first (0 at start): deliveries in flight. */
void receiver_delay(struct receiver *rc, int ms);
/* Stops listening (connections refused) / listens again on the same port. */
void receiver_down(struct receiver *rc);
bool receiver_up(struct receiver *rc);
/* The requests whose path is `path`, so far, and whose body holds `needle` (NULL: any). */
size_t receiver_count(struct receiver *rc, const char *path, const char *needle);
/* Waits until receiver_count(path, needle) >= n (timeout_ms at most). */
bool receiver_wait(struct receiver *rc, const char *path, const char *needle, size_t n,
                   int timeout_ms);
/* A copy of the i-th of those requests (0: the first received); false when none. */
bool receiver_get(struct receiver *rc, const char *path, const char *needle, size_t i,
                  struct received *out);
void received_free(struct received *r);
void receiver_stop(struct receiver *rc);

#endif
