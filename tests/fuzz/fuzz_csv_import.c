/* Fuzzer: the national standard's CSV import — RFC 4180 parsing, the header
 * check and each row turned into a place document, then validated. */
#include "csv.h"
#include "places/place_input.h"
#include "places/places_csv.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv csv;
    size_t line = 0;
    char separator = size > 0 && data[0] == ';' ? ';' : ',';
    if (csv_parse((const char *)data, size, separator, &csv, &line) == 0 && csv.count > 0) {
        json_t *errors = json_array();
        places_csv_check_header(&csv, errors);
        for (size_t row = 1; row < csv.count && row < 50; row++) {
            json_t *doc = places_csv_row_to_json(&csv, row, errors);
            struct place_input in;
            place_input_from_json(doc, "france-services-mirande", &in, errors);
            place_input_free(&in);
            json_decref(doc);
        }
        json_decref(errors);
    }
    csv_free(&csv);
    return 0;
}
