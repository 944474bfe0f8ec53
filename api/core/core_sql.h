/* The SQL of the core: transaction control (the request's, the pool's and
 * the jobs'), the session settings of long runs and the guard's check. One
 * header for the whole folder: the statements are few and several files
 * share them (ROLLBACK in db.c and http.c, BEGIN/COMMIT in http.c and the
 * jobs). */
#ifndef CORE_SQL_H
#define CORE_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Opens a transaction. No rows, no parameters. */
#define CORE_SQL_BEGIN "BEGIN"

/* Commits the open transaction. No rows, no parameters. */
#define CORE_SQL_COMMIT "COMMIT"

/* Rolls the open transaction back. No rows, no parameters. */
#define CORE_SQL_ROLLBACK "ROLLBACK"

/* Lifts the pool's statement_timeout for the session (migrations, gen-data).
 * No rows, no parameters. */
#define CORE_SQL_NO_TIMEOUT "SET statement_timeout = 0"

/* $1 organisation slug: one row when the directory holds it, none otherwise. */
#define CORE_SQL_ORG_EXISTS "SELECT 1 FROM organizations WHERE slug = $1"

/* The guard's one query for a verified token: $1 its org, $2 its jti and $3
 * its client (sub) when the service issued it, NULL otherwise. No row when the
 * organisation is not in the directory; otherwise whether it is active,
 * whether the jti was revoked (POST /oauth/revoke), and whether the client
 * still exists and is active ("t"/"f"). One round trip, as before revocation
 * existed: a revocation or a deactivation is seen by every instance at once
 * (after the replica's lag on replica_ok routes). */
#define CORE_SQL_TOKEN_ADMISSIBLE                                                                  \
    "SELECT o.active,"                                                                             \
    " $2::text IS NOT NULL AND EXISTS (SELECT 1 FROM revoked_tokens t WHERE t.jti = $2),"          \
    " $3::text IS NULL OR EXISTS (SELECT 1 FROM api_clients c WHERE c.client_id = $3 AND c.active)" \
    " FROM organizations o WHERE o.slug = $1"

/* A dashboard share link by its secret's SHA-256 ($1), not revoked: its
 * organisation, whether that is active, its commune, its period's first and
 * last day ('' when none). */
#define CORE_SQL_LINK_ADMISSIBLE                                                                   \
    "SELECT l.org, o.active, coalesce(l.commune, ''), coalesce(l.period_from::text, ''),"         \
    " coalesce(l.period_to::text, '')"                                                             \
    " FROM dashboard_links l JOIN organizations o ON o.slug = l.org"                               \
    " WHERE l.secret_sha256 = $1 AND l.revoked_at IS NULL"

/* The guard's view (authstate.c): every organisation and API client with
 * whether it is active, and every revoked jti not yet expired (with a margin
 * over the leeway), in byte order of kind then key. Columns: kind ('o', 'c',
 * 'j'), key, active ('t'/'f', NULL for a jti), expires (epoch seconds, NULL
 * but for a jti). */
#define CORE_SQL_AUTH_STATE                                                                        \
    "SELECT kind, key, active, expires FROM ("                                                     \
    "SELECT 'o' AS kind, slug AS key, active::text AS active, NULL::text AS expires"              \
    " FROM organizations"                                                                          \
    " UNION ALL SELECT 'c', client_id, active::text, NULL FROM api_clients"                        \
    " UNION ALL SELECT 'j', jti, NULL, extract(epoch FROM expires_at)::bigint::text"               \
    " FROM revoked_tokens WHERE expires_at > now() - interval '5 minutes'"                         \
    ") v ORDER BY kind, key COLLATE \"C\""

/* The view's own session: named apart from the pool's in pg_stat_activity,
 * and listening on the channel the triggers of db/functions/auth_state.sql
 * notify. */
#define CORE_SQL_AUTH_LISTEN                                                                       \
    "SET application_name = 'inclusion-api guard view'; LISTEN inclusion_auth_state"

/* $1 seconds a retired key stays published (TOKEN_TTL_S + KEYS_REFRESH_S +
 * the leeway): the keys the JWKS publishes and that verify, newest first,
 * each with its PEM and whether it may sign ("t": active and not retired). */
#define CORE_SQL_SIGNING_KEYS                                                                      \
    "SELECT kid, private_pem, (active_from <= now() AND retired_at IS NULL) AS signs"              \
    " FROM signing_keys"                                                                           \
    " WHERE publish_at <= now()"                                                                   \
    "   AND (retired_at IS NULL OR retired_at > now() - make_interval(secs => $1::int))"           \
    " ORDER BY active_from DESC, kid LIMIT 16"

/* `purge`: forgets the revoked token ids whose token has expired (with the
 * verifiers' 60 s leeway, and a margin). No rows. */
#define CORE_SQL_PURGE_REVOKED                                                                     \
    "DELETE FROM revoked_tokens WHERE expires_at < now() - interval '5 minutes'"

/* The runner's own tables, created at the first migrate: the migrations
 * applied, and the text (SHA-256) of each functions file as last applied. No
 * rows. */
#define CORE_SQL_MIGRATIONS_TABLE                                                                  \
    "SET client_min_messages = warning;"                                                           \
    "CREATE TABLE IF NOT EXISTS schema_migrations ("                                               \
    " version text PRIMARY KEY,"                                                                   \
    " applied_at timestamptz NOT NULL DEFAULT now());"                                             \
    "CREATE TABLE IF NOT EXISTS schema_functions ("                                                \
    " name text PRIMARY KEY,"                                                                      \
    " sha256 text NOT NULL,"                                                                       \
    " applied_at timestamptz NOT NULL DEFAULT now())"

/* $1 functions file name, $2 the SHA-256 of its text: one row when that text
 * is the one applied last, none otherwise. */
#define CORE_SQL_FUNCTIONS_CURRENT "SELECT 1 FROM schema_functions WHERE name = $1 AND sha256 = $2"

/* $1 functions file name, $2 the SHA-256 of its text: records it as applied.
 * No rows. */
#define CORE_SQL_FUNCTIONS_RECORD                                                                  \
    "INSERT INTO schema_functions (name, sha256) VALUES ($1, $2) "                                 \
    "ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()"

/* $1 migration file name: one row when it was applied, none otherwise. */
#define CORE_SQL_MIGRATION_APPLIED "SELECT 1 FROM schema_migrations WHERE version = $1"

/* $1 migration file name: records it as applied. No rows. */
#define CORE_SQL_MIGRATION_RECORD "INSERT INTO schema_migrations (version) VALUES ($1)"

/* The advisory lock every instance takes to migrate (key "incl" as an
 * integer), and its release. */
#define CORE_SQL_MIGRATION_LOCK "SELECT pg_advisory_lock(1768842092)"
#define CORE_SQL_MIGRATION_UNLOCK "SELECT pg_advisory_unlock(1768842092)"

/* clang-format on */

#endif
