/* The national standard's CSV ("lieux de médiation numérique" v1.0.2): its
 * 32 columns in order, `|` between the values of a multi-valued column, the
 * standard's labels for enumerations. Pure translation, no database. */
#ifndef PLACES_CSV_H
#define PLACES_CSV_H

#include "csv.h"

#include <jansson.h>

/* The CSV of places given as the API's JSON objects (borrowed): a header line
 * with the standard's column names, then one line per place, every field
 * quoted, CRLF line ends, a cell that a spreadsheet would run as a formula
 * behind a single quote (csv_put_field). Returns a string the caller frees. */
char *places_csv_export(const json_t *places);

/* Checks that the header row holds the standard's required columns; appends
 * {field: column, message} to `errors` for each missing one. */
void places_csv_check_header(const struct csv *csv, json_t *errors);

/* Row `row` (1-based data rows follow the header) as a place document in the
 * API's member names (labels turned into codes, the export's quote before a
 * formula taken off: csv_cell_text); the caller decrefs it. A
 * label that is not in the standard's list is reported in `errors` under its
 * column name, and left out of the document. */
json_t *places_csv_row_to_json(const struct csv *csv, size_t row, json_t *errors);

/* The standard's column for an API member ("postal_code" -> "code_postal"),
 * or the member itself when it has no column. */
const char *places_csv_column_of(const char *member);

#endif
