#include "support/cluster.h"

#include <stdio.h>
#include <stdlib.h>

bool test_cluster(const char *command, const char *mode)
{
    const char *dir = getenv("TEST_PG_DIR"), *port = getenv("TEST_PG_PORT");
    if (!dir || !port)
        return false;
    char line[512];
    snprintf(line, sizeof line, "STOP_MODE=%s db/cluster.sh %s %s %s >/dev/null", mode, command,
             dir, port);
    return system(line) == 0;
}
