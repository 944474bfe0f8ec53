/* An indicator's target row as it was, kept by a test that changes it and put
 * back by the suite's fini whatever happens (the row is shared by the suites). */
#ifndef TEST_INDICATOR_TARGET_H
#define TEST_INDICATOR_TARGET_H

#include <stdbool.h>

struct saved_target {
    char code[64];
    char *values[6]; /* target_kind … updated_by as text, NULL for NULL */
    bool saved;
};

/* Keeps the row of `code` (asserts it exists). */
void target_save(struct saved_target *t, const char *code);

/* Puts it back when it was kept, and forgets it. */
void target_restore(struct saved_target *t);

#endif
