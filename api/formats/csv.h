/* RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. */
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

/* Writes one field, always quoted (quotes doubled), then "," or, for the
 * last field of a line, CRLF. */
void csv_put_field(FILE *out, const char *text, bool last);

/* The index of `name` in the header row (row 0), or -1. */
int csv_column(const struct csv *csv, const char *name);

#endif
