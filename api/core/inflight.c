/* A small open-addressed table under one mutex: a request enters and leaves
 * once each, and the table holds only keys with a request in flight, so it
 * never holds more than the server's threads. */
#include "inflight.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024 /* keys with a request in flight at once; HTTP_THREADS is at most 256 */

struct slot {
    char key[INFLIGHT_KEY_MAX];
    int count; /* 0: free */
};

struct inflight {
    int limit;
    pthread_mutex_t lock;
    struct slot slots[SLOTS];
};

struct inflight *inflight_new(int limit)
{
    if (limit < 1)
        return NULL;
    struct inflight *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->limit = limit;
    pthread_mutex_init(&f->lock, NULL);
    return f;
}

void inflight_free(struct inflight *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->lock);
    free(f);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of `key` (cut to the table's length), or NULL; with `make`, a
 * free slot for it when it has none (NULL when the table is full). Linear
 * probing without tombstones: a freed slot is taken again by the next key
 * that probes past it, so a key is looked for over the whole table. */
static struct slot *find(struct inflight *f, const char *key, bool make)
{
    struct slot *free_slot = NULL;
    uint32_t start = hash(key) % SLOTS;
    for (uint32_t i = 0; i < SLOTS; i++) {
        struct slot *s = &f->slots[(start + i) % SLOTS];
        if (s->count > 0 && strncmp(s->key, key, INFLIGHT_KEY_MAX - 1) == 0)
            return s;
        if (s->count == 0 && !free_slot)
            free_slot = s;
    }
    if (make && free_slot)
        snprintf(free_slot->key, sizeof free_slot->key, "%s", key);
    return make ? free_slot : NULL;
}

bool inflight_enter(struct inflight *f, const char *key)
{
    pthread_mutex_lock(&f->lock);
    struct slot *s = find(f, key, true);
    bool ok = s && s->count < f->limit;
    if (ok)
        s->count++;
    pthread_mutex_unlock(&f->lock);
    return ok;
}

void inflight_leave(struct inflight *f, const char *key)
{
    pthread_mutex_lock(&f->lock);
    struct slot *s = find(f, key, false);
    if (s)
        s->count--;
    pthread_mutex_unlock(&f->lock);
}

int inflight_count(struct inflight *f, const char *key)
{
    pthread_mutex_lock(&f->lock);
    struct slot *s = find(f, key, false);
    int n = s ? s->count : 0;
    pthread_mutex_unlock(&f->lock);
    return n;
}
