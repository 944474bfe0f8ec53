/* Token buckets: a burst, then one token per 1/rate seconds; keys apart. */
#include "ratelimit.h"

#include <criterion/criterion.h>
#include <stdio.h>

Test(ratelimit, a_burst_then_the_rate)
{
    struct ratelimit *rl = ratelimit_new(2, 5); /* 2 a second, 5 at once */
    double retry = -1;
    for (int i = 0; i < 5; i++)
        cr_expect(ratelimit_take(rl, "org:caf-gers", 100.0, &retry), "request %d of the burst", i);
    cr_expect_not(ratelimit_take(rl, "org:caf-gers", 100.0, &retry), "the sixth at once");
    cr_expect_float_eq(retry, 0.5, 1e-9, "one token in half a second: %f", retry);
    cr_expect_not(ratelimit_take(rl, "org:caf-gers", 100.4, &retry), "not yet");
    cr_expect_float_eq(retry, 0.1, 1e-9, "%f", retry);
    cr_expect(ratelimit_take(rl, "org:caf-gers", 100.5, &retry), "half a second later");
    cr_expect_not(ratelimit_take(rl, "org:caf-gers", 100.5, &retry));
    /* a long pause refills to the burst, not beyond */
    int allowed = 0;
    for (int i = 0; i < 20; i++)
        allowed += ratelimit_take(rl, "org:caf-gers", 1000.0, &retry);
    cr_expect_eq(allowed, 5, "the burst again, no more: %d", allowed);
    ratelimit_free(rl);
}

Test(ratelimit, keys_have_their_own_buckets)
{
    struct ratelimit *rl = ratelimit_new(1, 2);
    double retry;
    cr_expect(ratelimit_take(rl, "org:caf-gers", 0, &retry));
    cr_expect(ratelimit_take(rl, "org:caf-gers", 0, &retry));
    cr_expect_not(ratelimit_take(rl, "org:caf-gers", 0, &retry));
    cr_expect(ratelimit_take(rl, "org:la-poste-gers", 0, &retry), "another organisation");
    cr_expect(ratelimit_take(rl, "ip:127.0.0.1", 0, &retry), "an address");
    ratelimit_free(rl);
}

/* Far more keys than slots: a busy key keeps its (empty) bucket, because
 * idle keys give their slots up first. */
Test(ratelimit, many_keys_do_not_reset_a_busy_one)
{
    struct ratelimit *rl = ratelimit_new(1, 3);
    double retry;
    for (int i = 0; i < 3; i++)
        cr_expect(ratelimit_take(rl, "ip:203.0.113.9", 10.0, &retry));
    char key[64];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "ip:10.%d.%d.%d", i / 65536, (i / 256) % 256, i % 256);
        ratelimit_take(rl, key, 10.0 - 100.0, &retry); /* long idle: full again by 10.0 */
    }
    cr_expect_not(ratelimit_take(rl, "ip:203.0.113.9", 10.0, &retry),
                  "still empty after 100,000 other keys");
    ratelimit_free(rl);
}
