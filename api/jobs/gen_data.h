/* `inclusion-api gen-data --scale S`: a coherent dataset of national size
 * (S = 1) for benchmarks, from the embedded db/gen/gen_national.sql. */
#ifndef GEN_DATA_H
#define GEN_DATA_H

#include <libpq-fe.h>
#include <stddef.h>

/* Generates in one transaction (no statement timeout), then ANALYZEs.
 * `scale` is 0.0001..10. Returns 0, or -1 with a message in err (nothing
 * written: a second run on the same database is refused). */
int gen_data_run(PGconn *conn, double scale, char *err, size_t err_len);

#endif
