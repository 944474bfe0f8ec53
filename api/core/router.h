/* The route table and the one ulfius callback that dispatches every request:
 * request id, CORS, 404/405, the rate limits and the token guard (router.c,
 * admit: cheapest first), the handler, metrics, the log line. */
#ifndef ROUTER_H
#define ROUTER_H

#include "http.h"
#include "route.h"

#include <stddef.h>
#include <ulfius.h>

/* The ulfius default endpoint; user_data is the struct app. */
int router_dispatch(const struct _u_request *in, struct _u_response *out, void *user_data);

/* Matches a path against a pattern; on success fills params (pointing into
 * `path`, which is modified) and returns true. Exposed for unit tests. */
bool router_match(const char *pattern, char *path, const char **params, size_t max_params);

/* The client's address as a rate-limit key ("127.0.0.1", an IPv6 client by
 * its /64, "unknown" without one) into out. */
void router_client_address(const struct req *r, char *out, size_t cap);

#endif
