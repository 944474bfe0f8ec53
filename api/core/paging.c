#include "paging.h"

#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void paging_read_limit_within(struct req *r, json_t *errors, int fallback, int max, int *limit)
{
    const char *text = http_query(r, "limit");
    *limit = fallback;
    if (!text)
        return;
    char *end;
    long n = strtol(text, &end, 10);
    if (*text == '\0' || *end || n < 1 || n > max)
        validate_error_msg(errors, "limit", MSG_FIELD_INT_RANGE, 1, max);
    else
        *limit = (int)n;
}

void paging_read_limit(struct req *r, json_t *errors, int *limit)
{
    paging_read_limit_within(r, errors, PAGING_DEFAULT_LIMIT, PAGING_MAX_LIMIT, limit);
}

void paging_link(struct req *r, const char *next_cursor)
{
    if (!next_cursor)
        return;
    char *link = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&link, &len);
    fprintf(out, "<%s?", r->in->url_path);
    const char **keys = u_map_enum_keys(r->in->map_url);
    for (size_t i = 0; keys && keys[i]; i++) {
        if (strcmp(keys[i], "cursor") == 0)
            continue;
        char *name = ulfius_url_encode(keys[i]);
        char *value = ulfius_url_encode(u_map_get(r->in->map_url, keys[i]));
        fprintf(out, "%s=%s&", name ? name : "", value ? value : "");
        u_free(name);
        u_free(value);
    }
    fprintf(out, "cursor=%s>; rel=\"next\"", next_cursor);
    fclose(out);
    http_set_header(r, "Link", link);
    free(link);
}

/* Ends the page that `out` (an open_memstream on *text) holds and answers it:
 * the cursor is base64url, nothing to escape. */
static void answer_page(struct req *r, FILE *out, char **text, const char *next_cursor)
{
    if (next_cursor)
        fprintf(out, "],\"next_cursor\":\"%s\"}", next_cursor);
    else
        fputs("],\"next_cursor\":null}", out);
    fclose(out);
    http_json_text(r, 200, *text);
    free(*text);
}

void paging_answer_rows(struct req *r, const PGresult *res, int col, int rows,
                        const char *next_cursor)
{
    paging_link(r, next_cursor);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fputs("{\"items\":[", out);
    for (int i = 0; i < rows; i++) {
        if (i)
            fputc(',', out);
        fputs(PQgetvalue(res, i, col), out);
    }
    answer_page(r, out, &text, next_cursor);
}

void paging_answer_array(struct req *r, const char *items_json, const char *next_cursor)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    /* the array without its closing bracket, which answer_page writes */
    size_t n = strlen(items_json);
    while (n > 0 && items_json[n - 1] != ']')
        n--;
    fputs("{\"items\":", out);
    if (n == 0)
        fputc('[', out);
    else
        fwrite(items_json, 1, n - 1, out);
    answer_page(r, out, &text, next_cursor);
}

void paging_answer_cached(struct req *r, json_t *items, const char *next_cursor, bool geojson)
{
    paging_link(r, next_cursor);
    json_t *page = geojson ? json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", items)
                           : json_pack("{s:o}", "items", items);
    json_object_set_new(page, "next_cursor", next_cursor ? json_string(next_cursor) : json_null());
    char *text = json_dumps(page, HTTP_JSON_FLAGS);
    json_decref(page);
    if (!text) {
        http_problem_msg(r, 500, "internal", MSG_ENCODING_FAILED);
        return;
    }
    struct http_cache c = {.content_type = geojson ? "application/geo+json" : "application/json",
                           .max_age = 60,
                           .varies_by_accept = true};
    http_cached(r, &c, text, strlen(text));
    free(text);
}
