/* Schema migrations: the embedded db/migrations/NNN_name.sql files, applied in
 * order, each in its own transaction, under an advisory lock, and recorded in
 * schema_migrations so that a second run changes nothing. */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

/* Applies pending migrations. Returns the number applied, or -1 with a message. */
int migrate_apply(PGconn *conn, char *err, size_t err_len);

/* 1 when every embedded migration is recorded, 0 when some are pending, -1 on error. */
int migrate_is_current(PGconn *conn);

/* The name of the last embedded migration, e.g. "001_organizations.sql". */
const char *migrate_latest(void);

#endif
