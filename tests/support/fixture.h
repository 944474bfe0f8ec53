/* One server per test, started by the suite's init and stopped by its fini;
 * a server that exits with an error (a sanitizer report, a leak) fails the test.
 * A suite's init calls fixture_start or fixture_start_with, then
 * fixture_token for each token it uses; its fini is fixture_stop, which also
 * frees those tokens. */
#ifndef TEST_FIXTURE_H
#define TEST_FIXTURE_H

#include "support/client.h"
#include "support/server.h"
#include "support/tokens.h"

#include <criterion/criterion.h>

extern struct test_server server;

void fixture_start(void); /* the default configuration */
void fixture_start_with(const char *const *env);
/* Mints a token of `org` with `scope` (test_token) into *slot, freed and set
 * to NULL by fixture_stop. */
void fixture_token(char **slot, const char *org, const char *scope);
void fixture_stop(void);

/* base_url + path, in a static buffer per call site's use (copy if kept). */
const char *url(const char *path);

#endif
