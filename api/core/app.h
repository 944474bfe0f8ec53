/* What `serve` owns for the life of the process, shared read-only by handlers
 * (the pool and the metrics synchronise themselves). */
#ifndef APP_H
#define APP_H

#include "auth.h"
#include "authstate.h"
#include "config.h"
#include "db.h"
#include "inflight.h"
#include "metrics.h"
#include "ratelimit.h"
#include "signing.h"

#include <stdatomic.h>
#include <stdbool.h>

struct app {
    const struct config *cfg;
    struct auth_verifier verifier;  /* the external issuer's (JWT_*) */
    struct authstate *auth;         /* the guard's view (authstate.h); NULL: ask the database */
    struct keystore *keys;          /* the service's own keys (TOKEN_ISSUER); NULL in unit tests */
    struct db_pool *pool;           /* the primary: every write, and reads that must see them */
    struct db_pool *replica;        /* DATABASE_READ_URL's, or NULL; routes marked replica_ok */
    atomic_ulong replica_fallbacks; /* replica_ok requests the replica could not take */
    struct metrics *metrics;
    struct ratelimit *org_limit;       /* NULL: no limit */
    struct ratelimit *ip_limit;        /* NULL: no limit */
    struct ratelimit *auth_fail_limit; /* failed authentications per address; NULL: no limit */
    struct inflight *expensive;        /* costly requests in flight per organisation */
    struct webhook_workers *webhooks;  /* woken after each write (webhook_send.h); NULL: none */
    atomic_int in_flight;              /* requests received and not yet completed */
    atomic_bool draining;              /* SIGTERM received: answer with Connection: close */
};

#endif
