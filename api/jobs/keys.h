/* The `keys` sub-command: the service's own ES256 signing keys
 * (signing_keys), generated, listed and retired by an operator. */
#ifndef KEYS_H
#define KEYS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

/* Generates a P-256 key, stores it published now and signing after
 * `activation_delay_s`; writes its kid (RFC 7638 thumbprint) and activation
 * time to `out`. 0, or -1 with a message in err. */
int keys_generate(PGconn *conn, int activation_delay_s, FILE *out, char *err, size_t err_len);

/* Writes one line a key to `out`: kid, created, published, active from,
 * retired. 0, or -1 with a message in err. */
int keys_list(PGconn *conn, FILE *out, char *err, size_t err_len);

/* Retires `kid`: it stops signing at the next refresh of every instance.
 * 0, or -1 with a message in err (unknown or already retired). */
int keys_retire(PGconn *conn, const char *kid, char *err, size_t err_len);

#endif
