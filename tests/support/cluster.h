/* The test cluster (db/cluster.sh on TEST_PG_DIR and TEST_PG_PORT, set by
 * tests/run.sh), for the fault tests that stop and start it. */
#ifndef TEST_CLUSTER_H
#define TEST_CLUSTER_H

#include <stdbool.h>

/* Runs `db/cluster.sh COMMAND` (start, stop) with STOP_MODE=mode (fast,
 * immediate). True when it succeeded. Safe from any thread: asserts nothing. */
bool test_cluster(const char *command, const char *mode);

#endif
