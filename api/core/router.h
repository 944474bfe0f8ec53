/* The route table and the one ulfius callback that dispatches every request:
 * request id, CORS, 404/405, the rate limits and the token guard (router.c,
 * admit: cheapest first), the handler, metrics, the log line. */
#ifndef ROUTER_H
#define ROUTER_H

#include "http.h"
#include "route.h"

#include <stddef.h>
#include <ulfius.h>

/* A request goes through the router in phases, so that what needs neither its
 * body nor the database is done when its headers arrive (connection.c):
 *   router_begin    the request id, the clock;
 *   router_headers  CORS, the method, URL and header sizes, 404/405/OPTIONS,
 *                   the address's and organisation's budgets and the token's
 *                   signature and claims (router.c, admit_before_body); true
 *                   when the request goes on, false when it has been answered;
 *   router_body     once the body is read: the organisation in the directory
 *                   and the scope, the query, the handler;
 *   router_finish   returns the database connection, counts the request in
 *                   the metrics and writes its log line. */
void router_begin(struct req *r, const struct _u_request *in, struct _u_response *out,
                  struct app *app);
bool router_headers(struct req *r);
void router_body(struct req *r);
void router_finish(struct req *r);

/* All four phases at once, as a ulfius callback (user_data: the struct app);
 * the in-process router tests use it. */
int router_dispatch(const struct _u_request *in, struct _u_response *out, void *user_data);

/* Matches a path against a pattern; on success fills params (pointing into
 * `path`, which is modified) and returns true. Exposed for unit tests. */
bool router_match(const char *pattern, char *path, const char **params, size_t max_params);

/* The client's address as a rate-limit key ("127.0.0.1", an IPv6 client by
 * its /64, "unknown" without one) into out. */
void router_client_address(const struct req *r, char *out, size_t cap);

#endif
