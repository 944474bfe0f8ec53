/* Reference data: the campaign's partner directory. Idempotent. */
#ifndef SEED_H
#define SEED_H

#include <libpq-fe.h>
#include <stddef.h>

/* Loads the directory in one transaction. Returns the number of rows inserted
 * or changed (0 on a second run), or -1 with a message in err. */
int seed_run(PGconn *conn, char *err, size_t err_len);

/* The places, communes and demo data (seed_places.c), in the caller's
 * transaction. Returns the rows inserted or changed, or -1 with err. */
int seed_places(PGconn *conn, char *err, size_t err_len);

/* The demo workshops of the Semaine du Numérique (seed_workshops.c), after
 * the places. Returns the rows inserted, or -1 with err. */
int seed_workshops(PGconn *conn, char *err, size_t err_len);

#endif
