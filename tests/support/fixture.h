/* One server per test, started by the suite's init and stopped by its fini;
 * a server that exits with an error (a sanitizer report, a leak) fails the test. */
#ifndef TEST_FIXTURE_H
#define TEST_FIXTURE_H

#include "support/client.h"
#include "support/server.h"
#include "support/tokens.h"

#include <criterion/criterion.h>

extern struct test_server server;

void fixture_start(void); /* the default configuration */
void fixture_start_with(const char *const *env);
void fixture_stop(void);

/* base_url + path, in a static buffer per call site's use (copy if kept). */
const char *url(const char *path);

#endif
