/* libmicrohttpd's side of every request on the API's listener: from its
 * request line to its answer, in place of ulfius's dispatcher (ulfius 2.7 gives
 * no hook between a request's headers and its body, so it cannot refuse a
 * request before reading the body, nor see how the body is framed).
 *
 * When the headers arrive: the framing checks (RFC 9112: a method and header
 * names that are tokens, one Content-Length at most, never with
 * Transfer-Encoding, no transfer coding but chunked), then the router's first
 * phase (404/405, budgets, the token's signature). An answer then is sent at
 * once and the body is never read: a 401 or a 413 to an `Expect:
 * 100-continue` upload costs none of its bytes, and a framing error closes the
 * connection, so that no byte of it is read as another request. Then the body,
 * kept up to one byte over the route's limit; then the router's second phase
 * and the answer.
 *
 * Requests and answers keep ulfius's types (struct _u_request, _u_response), so
 * that handlers, the router and the tests see what they always saw; an answer
 * is a body (ulfius_set_*_body_response) or a stream
 * (ulfius_set_stream_response: its callback runs on the connection's thread
 * after the handler has returned and the router has logged the request; its
 * free callback when it is done). */
#ifndef CONNECTION_H
#define CONNECTION_H

#include "app.h"

#include <microhttpd.h>

/* MHD_OPTION_URI_LOG_CALLBACK (cls: the struct app): a request line has
 * arrived; returns the request's state, which MHD hands to the two below. */
void *connection_begin(void *cls, const char *uri, struct MHD_Connection *connection);

/* The access handler (cls: the struct app). */
enum MHD_Result connection_access(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **request_state);

/* MHD_OPTION_NOTIFY_COMPLETED (cls: the struct app): logs a request that
 * libmicrohttpd refused by itself (a malformed header line, an unsupported
 * version), then frees the request's state. */
void connection_completed(void *cls, struct MHD_Connection *connection, void **request_state,
                          enum MHD_RequestTerminationCode why);

#endif
