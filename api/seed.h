/* Reference data: the campaign's partner directory. Idempotent. */
#ifndef SEED_H
#define SEED_H

#include <libpq-fe.h>
#include <stddef.h>

/* Loads the directory in one transaction. Returns the number of rows inserted
 * or changed (0 on a second run), or -1 with a message in err. */
int seed_run(PGconn *conn, char *err, size_t err_len);

#endif
