/* Fuzzer: the escaping of what the API writes from stored text. iCalendar:
 * any summary, description or location must stay inside its property (every
 * line ends with CRLF, no bare CR or LF, at most 75 octets). CSV: any field
 * written by csv_put_field must parse back to itself (once csv_cell_text has
 * taken off the quote written before a formula). */
#include "csv.h"
#include "ical.h"

#include "fuzz_input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ical(const char *text)
{
    const char *const categories[] = {text, "seniors", NULL};
    struct ical_event e = {"uid@inclusion-api.gers",
                           text,
                           text,
                           text,
                           43.5,
                           0.4,
                           true,
                           1800000000,
                           1800007200,
                           1800000000,
                           1,
                           false,
                           NULL,
                           categories};
    size_t len = 0;
    char *cal = ical_calendar(text, &e, 1, &len);
    if (!cal)
        return;
    size_t line = 0;
    for (size_t i = 0; i < len; i++) {
        if (cal[i] == '\r') {
            if (i + 1 >= len || cal[i + 1] != '\n')
                abort(); /* a bare CR */
            if (line > 75)
                abort(); /* a line longer than RFC 5545 allows */
            line = 0;
            i++;
        } else if (cal[i] == '\n') {
            abort(); /* a bare LF: the text broke out of its property */
        } else {
            line++;
        }
    }
    free(cal);
}

static void check_csv(const char *text)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    csv_put_field(f, text, false);
    csv_put_field(f, "end", true);
    fclose(f);
    struct csv csv;
    size_t line = 0;
    if (csv_parse(out, len, ',', &csv, &line) != 0 || csv.count != 1 || csv.rows[0].count != 2 ||
        strcmp(csv_cell_text(csv.rows[0].fields[0]), text) != 0)
        abort();
    if (csv.rows[0].fields[0][0] != '\'' && csv_is_neutralised(csv.rows[0].fields[0]))
        abort(); /* a cell a spreadsheet would run as a formula */
    csv_free(&csv);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstring(data, size);
    if (!text)
        return 0;
    check_ical(text);
    check_csv(text);
    free(text);
    return 0;
}
