/* IMPORT_MAX_ROWS and IMPORT_MAX_BYTES: defaults, values taken, values refused
 * with one line naming the variable. */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *fake_getenv(const char *name, void *ctx)
{
    size_t n = strlen(name);
    for (const char *const *e = ctx; *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static int load(const char *const *env, struct config *cfg, char *err)
{
    union {
        const char *const *in;
        void *out;
    } ctx = {env};
    return config_load(cfg, CONFIG_HTTP, fake_getenv, ctx.out, err, 256);
}

Test(config_import, defaults_and_values)
{
    struct config cfg;
    char err[256];
    const char *none[] = {NULL};
    cr_assert_eq(load(none, &cfg, err), 0, "%s", err);
    cr_expect_eq(cfg.import_max_rows, 20000);
    cr_expect_eq(cfg.import_max_bytes, 8 * 1048576);
    config_free(&cfg);
    const char *set[] = {"IMPORT_MAX_ROWS=10", "IMPORT_MAX_BYTES=4096", NULL};
    cr_assert_eq(load(set, &cfg, err), 0, "%s", err);
    cr_expect_eq(cfg.import_max_rows, 10);
    cr_expect_eq(cfg.import_max_bytes, 4096);
    config_free(&cfg);
}

Test(config_import, out_of_range_values_are_refused_naming_the_variable)
{
    const char *const cases[][2] = {
        {"IMPORT_MAX_ROWS=0", "IMPORT_MAX_ROWS"},
        {"IMPORT_MAX_ROWS=many", "IMPORT_MAX_ROWS"},
        {"IMPORT_MAX_BYTES=1023", "IMPORT_MAX_BYTES"},
        {"IMPORT_MAX_BYTES=67108865", "IMPORT_MAX_BYTES"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *env[] = {cases[i][0], NULL};
        struct config cfg;
        char err[256];
        cr_expect_neq(load(env, &cfg, err), 0, "%s must be refused", cases[i][0]);
        cr_expect(strncmp(err, cases[i][1], strlen(cases[i][1])) == 0, "%s: %s", cases[i][0], err);
    }
}
