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

/* http_stream_rows (stream.c): the statement (%s, its own $n parameters)
 * as a cursor of the open transaction, read in batches of STREAM_BATCH_ROWS,
 * so that statement_timeout bounds each batch and not the time a client
 * takes to read the whole answer. No rows. */
#define CORE_SQL_STREAM_DECLARE "DECLARE inclusion_stream NO SCROLL CURSOR FOR %s"

/* The next batch of the cursor above: up to %d rows of the statement. */
#define CORE_SQL_STREAM_FETCH "FETCH %d FROM inclusion_stream"

/* $1 organisation slug: one row when the directory holds it, none otherwise. */
#define CORE_SQL_ORG_EXISTS "SELECT 1 FROM organizations WHERE slug = $1"

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
