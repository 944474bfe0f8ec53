/* A request handled in process, with no socket, as ulfius's own test/core.c
 * does: a hand-built ulfius request and response, and a `struct app` with no
 * database (pool NULL), no rate limits, HS256 tokens signed with
 * TEST_JWT_SECRET and the CORS origin INPROC_ORIGIN. For the router and the
 * guard up to the point where they would need the database. */
#ifndef TEST_INPROC_H
#define TEST_INPROC_H

#include "app.h"
#include "http.h"

#include <jansson.h>
#include <ulfius.h>

#define INPROC_ORIGIN "https://carto.gers.example"

struct inproc {
    struct _u_request in;
    struct _u_response out;
    struct config cfg;
    struct app app;
    struct req req; /* for calling the guard directly: in, out, app set */
    char *origins[2];
};

/* `target` is the path with an optional query ("/v1/places?x=1", not
 * decoded). Free with inproc_free. */
void inproc_init(struct inproc *t, const char *method, const char *target);
void inproc_header(struct inproc *t, const char *name, const char *value);

/* Runs the router on the request, as ulfius would; returns the status. */
long inproc_dispatch(struct inproc *t);

/* A header of the answer (case-insensitive), or NULL. */
const char *inproc_answer_header(const struct inproc *t, const char *name);

/* The answer's body parsed as JSON (new reference), or NULL. */
json_t *inproc_body(const struct inproc *t);

void inproc_free(struct inproc *t);

#endif
