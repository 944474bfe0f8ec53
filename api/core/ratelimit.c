/* Token buckets in a fixed table: a key hashes to a group of slots; it takes
 * its own slot, else a free one, else the one whose bucket has been full the
 * longest (a key idle long enough to be full again loses nothing by it). */
#include "ratelimit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS   8192 /* keys followed at once; organisations and addresses */
#define WAYS    8    /* slots a key may take */
#define LOCKS   64
#define KEY_MAX 80

struct slot {
    char key[KEY_MAX];
    double tokens;
    double updated; /* when tokens was computed */
};

struct ratelimit {
    double rate, burst;
    pthread_mutex_t locks[LOCKS];
    struct slot slots[SLOTS];
};

struct ratelimit *ratelimit_new(double rate, double burst)
{
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->rate = rate;
    rl->burst = burst;
    for (int i = 0; i < LOCKS; i++)
        pthread_mutex_init(&rl->locks[i], NULL);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < LOCKS; i++)
        pthread_mutex_destroy(&rl->locks[i]);
    free(rl);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The tokens a slot holds at `now`. */
static double level(const struct ratelimit *rl, const struct slot *s, double now)
{
    double tokens = s->tokens + (now > s->updated ? (now - s->updated) * rl->rate : 0);
    return tokens > rl->burst ? rl->burst : tokens;
}

/* When a slot's bucket became (or will become) full again; free slots first. */
static double full_since(const struct ratelimit *rl, const struct slot *s)
{
    return s->key[0] ? s->updated + (rl->burst - s->tokens) / rl->rate : -1e300;
}

/* The key's group of slots (its first), and the key cut to KEY_MAX in k. */
static size_t group_of(const char *key, char k[KEY_MAX])
{
    snprintf(k, KEY_MAX, "%s", key);
    return (hash(k) % (SLOTS / WAYS)) * WAYS;
}

static pthread_mutex_t *lock_of(struct ratelimit *rl, size_t group)
{
    return &rl->locks[(group / WAYS) % LOCKS];
}

static struct slot *find(struct ratelimit *rl, size_t group, const char *k)
{
    for (size_t i = group; i < group + WAYS; i++)
        if (strcmp(rl->slots[i].key, k) == 0)
            return &rl->slots[i];
    return NULL;
}

bool ratelimit_peek(struct ratelimit *rl, const char *key, double now, double *retry_after)
{
    char k[KEY_MAX];
    size_t group = group_of(key, k);
    pthread_mutex_t *lock = lock_of(rl, group);
    pthread_mutex_lock(lock);
    const struct slot *found = find(rl, group, k);
    double tokens = found ? level(rl, found, now) : rl->burst;
    pthread_mutex_unlock(lock);
    if (tokens < 1 && retry_after)
        *retry_after = (1 - tokens) / rl->rate;
    return tokens >= 1;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, double now, double *retry_after)
{
    char k[KEY_MAX];
    size_t group = group_of(key, k);
    pthread_mutex_t *lock = lock_of(rl, group);
    pthread_mutex_lock(lock);
    struct slot *chosen = find(rl, group, k);
    if (!chosen) {
        /* a free slot, else the one whose bucket has been full the longest */
        chosen = &rl->slots[group];
        for (size_t i = group; i < group + WAYS; i++)
            if (full_since(rl, &rl->slots[i]) < full_since(rl, chosen))
                chosen = &rl->slots[i];
        snprintf(chosen->key, sizeof chosen->key, "%s", k);
        chosen->tokens = rl->burst;
        chosen->updated = now;
    }
    double tokens = level(rl, chosen, now);
    bool allowed = tokens >= 1;
    chosen->tokens = allowed ? tokens - 1 : tokens;
    chosen->updated = now;
    pthread_mutex_unlock(lock);
    if (!allowed && retry_after)
        *retry_after = (1 - tokens) / rl->rate;
    return allowed;
}
