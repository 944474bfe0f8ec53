/* The token guard: the only code that reads Authorization headers. */
#ifndef GUARD_H
#define GUARD_H

#include "http.h"

#include <stdbool.h>

/* Admits the request when it carries a valid bearer token of an organisation of
 * the directory with the route's scope; fills r->who. Otherwise answers 401
 * (with WWW-Authenticate), 403 (missing scope) or 503, and returns false.
 * guard_verify then guard_confirm, which the router calls apart, with the
 * per-organisation rate limit between them. */
bool guard_admit(struct req *r);

/* The token's checks that need no database (signature, expiry, issuer,
 * audience, where it came from): fills r->who and returns true, or answers
 * 401 (with WWW-Authenticate) and returns false. */
bool guard_verify(struct req *r);

/* After guard_verify: in one query, the token's organisation is in the
 * directory and active, and for the service's own tokens its jti is not
 * revoked and its client still exists and is active; then the token carries
 * the route's scope. Otherwise answers 401, 403 or 503 and returns false. */
bool guard_confirm(struct req *r);

/* After a handler changed the directory, an API client or a revocation: this
 * instance's guard asks the database until its view is reloaded (authstate.h;
 * the other instances reload on PostgreSQL's notification). */
void guard_directory_changed(struct req *r);

/* Anonymous open-data admission: true when the route is open data
 * (routes.c), PUBLIC_READS=1 and the request carries no token at all (no
 * Authorization header, no access_token where the route accepts one). The
 * router then serves it like a public route, with an empty r->who; a request
 * with a token goes through guard_verify and guard_confirm as always. */
bool guard_anonymous_open_data(const struct req *r);

/* True when the token carries `scope`; otherwise answers 403 and returns false. */
bool guard_require_scope(struct req *r, const char *scope);

/* True when the acting organisation owns the object (`owner` is its slug) or
 * the token carries `admin`; otherwise answers 403 and returns false. */
bool guard_owns(struct req *r, const char *owner);

/* The client credentials of an `Authorization: Basic` header (RFC 6749
 * §2.3.1: base64 of id ":" secret, each form-urlencoded), for the token
 * endpoint. Returns 1 and sets *id and *secret (the caller frees both), 0 when
 * the request has no Authorization header, -1 when it has one that is not
 * valid Basic credentials. Answers nothing. */
int guard_basic_credentials(const struct req *r, char **id, char **secret);

#endif
