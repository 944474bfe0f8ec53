/* A fixed pool of libpq connections. A connection serves one request at a time;
 * a broken one is reopened with backoff; while PostgreSQL is unreachable,
 * db_pool_acquire fails fast so that the caller answers 503. */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>
#include <stdbool.h>

struct db_pool;

/* Opens nothing yet: connections are made on first use. The caller frees the
 * pool with db_pool_free. NULL on allocation failure. `read_only` adds
 * default_transaction_read_only=on to the session settings (the replica's
 * pool: a write that strays there fails the same way against a primary in the
 * tests as against a standby in production). `prepare`: db_pool_exec prepares
 * each statement once per connection (false: every statement unnamed). */
struct db_pool *db_pool_new(const char *url, int size, int statement_timeout_ms, bool read_only,
                            bool prepare);
void db_pool_free(struct db_pool *pool);

/* Borrows a connection for the calling thread, or NULL (database unreachable,
 * or the pool exhausted for 2 s). *slot identifies it for db_pool_release. */
PGconn *db_pool_acquire(struct db_pool *pool, int *slot);

/* Returns the connection borrowed as `slot`. A connection in a transaction is
 * rolled back; a broken one is closed and reopened on next use. */
void db_pool_release(struct db_pool *pool, int slot);

/* Runs `sql` with its text parameters on the connection borrowed as `slot`:
 * prepared on that connection the first time the connection sees the text,
 * executed as that prepared statement afterwards (the parse and analysis are
 * paid once per connection, not per request); a pool made without `prepare`
 * (DB_PREPARED_STATEMENTS=0, behind a pooler that does not keep them) runs
 * every statement unnamed with PQexecParams. Returns the result (the caller
 * PQclears it; NULL only when libpq is out of memory). */
PGresult *db_pool_exec(struct db_pool *pool, int slot, const char *sql, int nparams,
                       const char *const *params);

/* Connections currently borrowed, for /metrics. */
int db_pool_in_use(struct db_pool *pool);

/* Connections handed out by db_pool_acquire since the pool was made, for /metrics. */
unsigned long db_pool_acquired(struct db_pool *pool);

/* Opens one connection with the service's session settings (search_path,
 * statement_timeout, time zone), for sub-commands. NULL with a message in err. */
PGconn *db_connect(const char *url, int statement_timeout_ms, char *err, size_t err_len);

/* True when the failure of `res` on `conn` means the database is unreachable or
 * shutting down (answer 503) rather than a fault of the statement. */
bool db_is_unavailable(const PGconn *conn, const PGresult *res);

#endif
