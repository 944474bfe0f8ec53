/* The `serve` sub-command: migrate, listen, dispatch, drain on SIGTERM/SIGINT. */
#ifndef SERVER_H
#define SERVER_H

#include "config.h"

/* Runs until SIGTERM or SIGINT, then stops accepting, lets requests in flight
 * finish (at most SHUTDOWN_TIMEOUT_S) and returns 0; 1 when it cannot start. */
int server_run(const struct config *cfg);

#endif
