/* Schema migrations: the embedded db/migrations/NNN_name.sql files, applied in
 * order, each in its own transaction, under an advisory lock, and recorded in
 * schema_migrations so that a second run changes nothing; then the embedded
 * db/functions/NAME.sql files (functions, views and triggers, each statement
 * CREATE OR REPLACE) whose text is not the one applied last (schema_functions),
 * in name order, each in its own transaction. */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

/* Applies pending migrations, then the functions files whose text changed.
 * Returns the number of migrations applied and sets *functions_applied (when
 * not NULL) to the number of functions files applied, or returns -1 with a
 * message. */
int migrate_apply(PGconn *conn, int *functions_applied, char *err, size_t err_len);

/* 1 when every embedded migration is recorded, 0 when some are pending, -1 on error. */
int migrate_is_current(PGconn *conn);

/* The name of the last embedded migration, e.g. "001_organizations.sql". */
const char *migrate_latest(void);

#endif
