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

/* `seed --demo` (make run), after seed_run: demonstration inputs so that
 * /tableau-de-bord shows figures at once — gen-data's generator
 * (db/gen/gen_national.sql) at scale DEMO_SCALE: about 1,000 referrals, 500
 * self-assessments, 200 devices, 1,000 satisfaction answers and 300 visits
 * over the two years before now, on the seeded places and organisations, every
 * row marked as generated (notes 'gen-data', titles 'Gen …', references
 * 'gen-…'). Never part of a plain `seed`. Returns 0 when the demo data is
 * already there, 1 when loaded, or -1 with a message in err. */
#define DEMO_SCALE 0.001
int seed_demo(PGconn *conn, char *err, size_t err_len);

#endif
