/* Requests in flight per key: at most `limit` at once per key, each key apart,
 * a slot given back when its count falls to 0 (bounded memory), and counts
 * exact under threads entering and leaving at once. */
#include "inflight.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

Test(inflight, at_most_the_limit_per_key)
{
    struct inflight *f = inflight_new(2);
    cr_assert(f);
    cr_expect(inflight_enter(f, "org:gers-numerique"));
    cr_expect(inflight_enter(f, "org:gers-numerique"));
    cr_expect_not(inflight_enter(f, "org:gers-numerique"), "the third at once");
    cr_expect_eq(inflight_count(f, "org:gers-numerique"), 2, "a refusal counts nothing");
    cr_expect(inflight_enter(f, "org:caf-gers"), "another key has its own");
    inflight_leave(f, "org:gers-numerique");
    cr_expect(inflight_enter(f, "org:gers-numerique"), "one left: one more may enter");
    inflight_leave(f, "org:gers-numerique");
    inflight_leave(f, "org:gers-numerique");
    inflight_leave(f, "org:caf-gers");
    cr_expect_eq(inflight_count(f, "org:gers-numerique"), 0);
    cr_expect_eq(inflight_count(f, "org:caf-gers"), 0);
    inflight_free(f);
}

Test(inflight, a_limit_below_one_is_refused)
{
    cr_expect_null(inflight_new(0));
}

/* Keys that have all left give their slots back: many more keys over time
 * than the table holds at once; and a full table refuses a new key. */
Test(inflight, bounded_memory)
{
    struct inflight *f = inflight_new(1);
    char key[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "org:%d", i);
        cr_assert(inflight_enter(f, key), "key %d", i);
        inflight_leave(f, key);
    }
    int admitted = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof key, "org:held-%d", i);
        admitted += inflight_enter(f, key);
    }
    cr_expect_eq(admitted, 1024, "the table's slots, no more: %d", admitted);
    cr_expect_not(inflight_enter(f, "org:held-0"), "a key at its limit stays there");
    for (int i = 0; i < 1024; i++) {
        snprintf(key, sizeof key, "org:held-%d", i);
        inflight_leave(f, key);
    }
    cr_expect(inflight_enter(f, "org:new"), "room again once they left");
    inflight_leave(f, "org:new");
    inflight_free(f);
}

/* Keys longer than INFLIGHT_KEY_MAX are cut: two keys differing only beyond
 * it count as one (never two slots for one key). */
Test(inflight, long_keys_are_cut)
{
    struct inflight *f = inflight_new(1);
    char a[200], b[200];
    memset(a, 'x', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy(b, a, sizeof b);
    b[150] = 'y';
    cr_expect(inflight_enter(f, a));
    cr_expect_not(inflight_enter(f, b));
    inflight_leave(f, b);
    cr_expect_eq(inflight_count(f, a), 0);
    inflight_free(f);
}

#define THREADS 8
#define ROUNDS  20000

struct worker {
    struct inflight *f;
    int admitted;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < ROUNDS; i++)
        if (inflight_enter(w->f, "org:shared")) {
            w->admitted++;
            int n = inflight_count(w->f, "org:shared");
            cr_assert(n >= 1 && n <= 3, "in flight: %d", n);
            inflight_leave(w->f, "org:shared");
        }
    return NULL;
}

Test(inflight, exact_under_threads)
{
    struct inflight *f = inflight_new(3);
    struct worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.f = f};
        cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int admitted = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        admitted += w[i].admitted;
    }
    cr_expect_gt(admitted, 0);
    cr_expect_eq(inflight_count(f, "org:shared"), 0, "every enter left");
    inflight_free(f);
}
