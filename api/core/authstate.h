/* What the guard must know, beyond a token's signature, to admit it — is its
 * organisation in the directory and active, was its jti revoked, is its client
 * still there and active — held in memory, so that admitting a request costs
 * no database round trip.
 *
 * The view is the whole of it (organisations, API clients, revoked jtis not
 * yet expired), reloaded by a thread of its own with one query: at once when
 * PostgreSQL notifies a change (LISTEN inclusion_auth_state; the statement
 * triggers of db/functions/auth_state.sql send it, from any instance), and
 * every AUTHSTATE_REFRESH_S seconds whatever happens (a notification lost
 * while reconnecting). A view older than AUTHSTATE_MAX_AGE_S is not used, nor
 * one a local change has invalidated: the guard asks the database then, as it
 * does for an organisation or a client the view does not hold (created since).
 * So a revocation or a deactivation is refused by every instance within a few
 * milliseconds, and in any case within AUTHSTATE_MAX_AGE_S (5 s). */
#ifndef AUTHSTATE_H
#define AUTHSTATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>

#define AUTHSTATE_REFRESH_S 2
#define AUTHSTATE_MAX_AGE_S 4

enum authstate_answer {
    AUTHSTATE_ADMIT,
    AUTHSTATE_ORG_INACTIVE,
    AUTHSTATE_REVOKED,
    AUTHSTATE_CLIENT_INACTIVE,
    AUTHSTATE_ASK_DATABASE, /* not in the view, or the view is stale */
};

struct authstate;

struct authstate *authstate_new(void);

/* Starts the thread that loads the view and keeps it current, on a
 * connection of its own to `url` (until its first load, the guard asks the
 * database). False with *err when the thread cannot start. */
bool authstate_start(struct authstate *s, const char *url, int statement_timeout_ms, char *err,
                     size_t err_len);

/* Stops the thread (at once) and frees everything. NULL is harmless. */
void authstate_free(struct authstate *s);

/* The answer for a verified token: its organisation, and for the service's
 * own tokens its jti and client (NULL otherwise), at `now`. */
enum authstate_answer authstate_check(struct authstate *s, const char *org, const char *jti,
                                      const char *client, time_t now);

/* This instance changed the directory, a client or a revocation: until the
 * next reload, the guard asks the database. */
void authstate_invalidate(struct authstate *s);

/* Replaces the view with the rows of CORE_SQL_AUTH_STATE (kind, key, active,
 * expires): exposed for the unit tests. False on a malformed row. */
bool authstate_replace(struct authstate *s, const PGresult *rows, time_t now);

#endif
