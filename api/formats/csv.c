#include "csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct field_buf {
    char *data;
    size_t len, cap;
};

static int push_char(struct field_buf *f, char c)
{
    if (f->len + 1 >= f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        char *grown = realloc(f->data, cap);
        if (!grown)
            return -1;
        f->data = grown;
        f->cap = cap;
    }
    f->data[f->len++] = c;
    return 0;
}

static int end_field(struct csv_row *row, struct field_buf *f)
{
    char **grown = realloc(row->fields, (row->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    row->fields = grown;
    char *copy = malloc(f->len + 1);
    if (!copy)
        return -1;
    memcpy(copy, f->data ? f->data : "", f->len);
    copy[f->len] = '\0';
    row->fields[row->count++] = copy;
    f->len = 0;
    return 0;
}

static int end_row(struct csv *csv, struct csv_row *row, size_t line)
{
    row->line = line;
    struct csv_row *grown = realloc(csv->rows, (csv->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    csv->rows = grown;
    csv->rows[csv->count++] = *row;
    row->fields = NULL;
    row->count = 0;
    return 0;
}

int csv_parse(const char *text, size_t len, char separator, struct csv *out, size_t *err_line)
{
    memset(out, 0, sizeof *out);
    struct field_buf f = {0};
    struct csv_row row = {0};
    size_t line = 1, row_line = 1, i = 0;
    int rc = 0;
    bool in_row = false;
    while (i < len && rc == 0) {
        char c = text[i];
        if (!in_row)
            row_line = line;
        in_row = true;
        if (c == '"' && f.len == 0) { /* a quoted field */
            size_t start_line = line;
            i++;
            for (;;) {
                if (i >= len) {
                    *err_line = start_line;
                    rc = -1;
                    break;
                }
                if (text[i] == '"' && i + 1 < len && text[i + 1] == '"') {
                    rc = push_char(&f, '"');
                    i += 2;
                } else if (text[i] == '"') {
                    i++;
                    break;
                } else {
                    line += text[i] == '\n';
                    rc = push_char(&f, text[i++]);
                }
                if (rc)
                    break;
            }
            if (rc == 0 && i < len && text[i] != separator && text[i] != '\n' && text[i] != '\r') {
                *err_line = line;
                rc = -1;
            }
            continue;
        }
        if (c == separator) {
            rc = end_field(&row, &f);
            i++;
        } else if (c == '\r' || c == '\n') {
            i += (c == '\r' && i + 1 < len && text[i + 1] == '\n') ? 2 : 1;
            rc = end_field(&row, &f);
            if (rc == 0)
                rc = end_row(out, &row, row_line);
            line++;
            in_row = false;
        } else if (c == '"') {
            *err_line = line;
            rc = -1;
        } else {
            rc = push_char(&f, c);
            i++;
        }
    }
    if (rc == 0 && in_row) {
        rc = end_field(&row, &f);
        if (rc == 0)
            rc = end_row(out, &row, row_line);
    }
    free(f.data);
    for (size_t k = 0; k < row.count; k++)
        free(row.fields[k]);
    free(row.fields);
    return rc;
}

void csv_free(struct csv *csv)
{
    for (size_t r = 0; r < csv->count; r++) {
        for (size_t k = 0; k < csv->rows[r].count; k++)
            free(csv->rows[r].fields[k]);
        free(csv->rows[r].fields);
    }
    free(csv->rows);
    memset(csv, 0, sizeof *csv);
}

int csv_column(const struct csv *csv, const char *name)
{
    if (csv->count == 0)
        return -1;
    for (size_t k = 0; k < csv->rows[0].count; k++)
        if (strcmp(csv->rows[0].fields[k], name) == 0)
            return (int)k;
    return -1;
}

/* An optional sign, digits, optionally a point and digits, optionally an
 * exponent: what a spreadsheet can only read as a number. */
static bool is_number(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    size_t digits = strspn(s, "0123456789");
    if (digits == 0)
        return false;
    s += digits;
    if (*s == '.') {
        digits = strspn(++s, "0123456789");
        if (digits == 0)
            return false;
        s += digits;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        digits = strspn(s, "0123456789");
        if (digits == 0)
            return false;
        s += digits;
    }
    return *s == '\0';
}

bool csv_is_neutralised(const char *text)
{
    text += strspn(text, "'");
    return text[0] != '\0' && strchr("=+-@\t\r", text[0]) && !is_number(text);
}

const char *csv_cell_text(const char *cell)
{
    return cell[0] == '\'' && csv_is_neutralised(cell + 1) ? cell + 1 : cell;
}

const struct csv_style csv_rfc4180 = {',', false, false, "en"};
const struct csv_style csv_french = {';', true, true, "fr"};

/* Whether the language range at s (up to its end, `;` or `,`) is French. */
static bool is_french(const char *s)
{
    s += strspn(s, " \t");
    return (s[0] == 'f' || s[0] == 'F') && (s[1] == 'r' || s[1] == 'R') &&
           (s[2] == '\0' || strchr("-_;, \t", s[2]));
}

const struct csv_style *csv_style_choose(const char *locale, const char *accept_language)
{
    if (locale)
        return strcmp(locale, "fr") == 0   ? &csv_french
               : strcmp(locale, "en") == 0 ? &csv_rfc4180
                                           : NULL;
    if (!accept_language)
        return &csv_rfc4180;
    double best = -1;
    bool french = false;
    for (const char *p = accept_language; *p;) {
        const char *end = p + strcspn(p, ",");
        double q = 1;
        const char *params = memchr(p, ';', (size_t)(end - p));
        if (params) {
            const char *qv = strstr(params, "q=");
            if (qv && qv < end)
                q = strtod(qv + 2, NULL);
        }
        if (q > best) {
            best = q;
            french = is_french(p);
        }
        p = *end ? end + 1 : end;
    }
    return french ? &csv_french : &csv_rfc4180;
}

void csv_begin(FILE *out, const struct csv_style *style)
{
    if (style->bom)
        fputs("\xEF\xBB\xBF", out);
}

void csv_put_field_in(FILE *out, const struct csv_style *style, const char *text, bool last)
{
    fputc('"', out);
    bool number = style->decimal_comma && is_number(text);
    if (csv_is_neutralised(text))
        fputc('\'', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(number && *p == '.' ? ',' : *p, out);
    }
    fputc('"', out);
    if (last)
        fputs("\r\n", out);
    else
        fputc(style->separator, out);
}

void csv_put_field(FILE *out, const char *text, bool last)
{
    csv_put_field_in(out, &csv_rfc4180, text, last);
}
