/* RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends; cells
 * that a spreadsheet would run as formulas written as text (csv_put_field). */
#ifndef CSV_H
#define CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct csv_row {
    char **fields; /* NUL-terminated copies */
    size_t count;
    size_t line; /* 1-based line where the row starts */
};

struct csv {
    struct csv_row *rows;
    size_t count;
};

/* Parses `len` bytes into out (the caller frees it with csv_free, also on
 * failure). Returns 0, or -1 with the 1-based line of an unterminated quote or
 * a stray quote in *err_line. */
int csv_parse(const char *text, size_t len, char separator, struct csv *out, size_t *err_line);

void csv_free(struct csv *csv);

/* Writes one cell, always quoted (quotes doubled), then "," or, for the last
 * cell of a line, CRLF. Every CSV the service writes goes through it.
 *
 * Formulas (OWASP "CSV injection"). A spreadsheet runs a cell that begins with
 * =, +, -, @, a tab or a carriage return as a formula (=HYPERLINK(...),
 * +cmd|' /C calc'!A0, @SUM(1+1), -2+3). Such a cell is written with a single
 * quote before it ('=HYPERLINK(...)), which makes it text, unless it is a
 * number: the writer tells a number from text by the cell's content alone, not
 * by its column. A number is an optional sign, digits, optionally a point and
 * digits, optionally an exponent (-0.58, +33562000000, -30, 1e-05): a
 * spreadsheet can only read it as that number, so it is written as it is,
 * whoever wrote it (the service's figures and coordinates, or a partner's
 * text). A cell that begins with a single quote followed by what would be
 * prefixed is prefixed too ('=x is written ''=x), so that csv_cell_text undoes
 * exactly what the writer did. */
void csv_put_field(FILE *out, const char *text, bool last);

/* The two ways the service writes CSV (the one choice, csv_style_choose):
 * RFC 4180 (`,`, a decimal point, no byte-order mark), the default; and for
 * French spreadsheets (`;`, a decimal comma in the cells that are numbers,
 * UTF-8 with a byte-order mark so that Excel reads the accents). Formula cells
 * are neutralised alike in both. */
struct csv_style {
    char separator;
    bool decimal_comma;
    bool bom;
    const char *language; /* "en" or "fr", for Content-Language */
};

extern const struct csv_style csv_rfc4180, csv_french;

/* The style of a CSV answer: `locale` (a `?locale=` value, NULL when absent)
 * wins: "fr" French, "en" RFC 4180, anything else NULL (the caller refuses
 * it); without it, French when the language the client prefers most in
 * `accept_language` (an Accept-Language header, NULL when absent; q-values
 * honoured, the first on a tie) is French (fr, fr-FR …), RFC 4180 otherwise. */
const struct csv_style *csv_style_choose(const char *locale, const char *accept_language);

/* Writes what precedes the first line (the byte-order mark, if any). */
void csv_begin(FILE *out, const struct csv_style *style);

/* csv_put_field in a style: its separator, and with a decimal comma the point
 * of a cell that is a number (see above: -0.58 → -0,58) written as a comma. */
void csv_put_field_in(FILE *out, const struct csv_style *style, const char *text, bool last);

/* True when csv_put_field writes `text` with a single quote before it. */
bool csv_is_neutralised(const char *text);

/* What a cell read back (csv_parse) holds once the writer's quote is taken off:
 * cell + 1 when the cell is a quote followed by a text the writer would have
 * prefixed, the cell itself otherwise. Points into `cell`. */
const char *csv_cell_text(const char *cell);

/* The index of `name` in the header row (row 0), or -1. */
int csv_column(const struct csv *csv, const char *name);

#endif
