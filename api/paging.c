#include "paging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void paging_read_limit(struct req *r, json_t *errors, int *limit)
{
    const char *text = http_query(r, "limit");
    *limit = PAGING_DEFAULT_LIMIT;
    if (!text)
        return;
    char *end;
    long n = strtol(text, &end, 10);
    if (*text == '\0' || *end || n < 1 || n > PAGING_MAX_LIMIT)
        http_error_add(errors, "limit", "must be an integer from 1 to %d", PAGING_MAX_LIMIT);
    else
        *limit = (int)n;
}

void paging_answer(struct req *r, json_t *items, const char *next_cursor, int limit,
                   const char *const *filters)
{
    if (next_cursor) {
        char *escaped;
        size_t len = 0;
        FILE *link = open_memstream(&escaped, &len);
        fprintf(link, "<%s?limit=%d", r->in->url_path, limit);
        for (size_t i = 0; filters && filters[i]; i += 2) {
            if (!filters[i + 1])
                continue;
            char *value = ulfius_url_encode(filters[i + 1]);
            fprintf(link, "&%s=%s", filters[i], value ? value : "");
            u_free(value);
        }
        fprintf(link, "&cursor=%s>; rel=\"next\"", next_cursor);
        fclose(link);
        http_set_header(r, "Link", escaped);
        free(escaped);
    }
    http_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", next_cursor));
}
