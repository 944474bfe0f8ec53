/* The statements of places_sql.h that list every field, made once from the
 * table of place_fields.h: the templates' {holes} filled with the lists the
 * table gives. */
#include "places_sql.h"

#include "place_fields.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of the table, as the SQL sees it. */
struct field {
    const char *member; /* NULL: not in the JSON */
    const char *column;
    const char *value; /* PLACES_SQL_VALUE_: NULL when it has no column of its own */
    const char *json;  /* PLACES_SQL_MEMBER_ */
    int coordinate;    /* left out of a GeoJSON feature's properties */
};

#define FIELD(id, member, column, sql, ...)                                                        \
    {member, column, PLACES_SQL_VALUE_##sql, PLACES_SQL_MEMBER_##sql,                              \
     PC_##id == PC_LATITUDE || PC_##id == PC_LONGITUDE},
#define SERVER(id, member, column, sql) FIELD(id, member, column, sql, 0)
static const struct field fields[PC_COUNT] = {PLACE_FIELDS(FIELD, SERVER)};

/* LATITUDE's value is the point of its parameter and the next. */
_Static_assert(PC_LONGITUDE == PC_LATITUDE + 1, "place_fields.h: LONGITUDE follows LATITUDE");

struct hole {
    const char *name, *text;
};

/* Writes `template` to `out`, every {name} replaced by the text of its hole.
 * A brace that opens no known hole is a mistake in places_sql.h: abort. */
static void fill(FILE *out, const char *template, const struct hole *holes)
{
    for (const char *p = template; *p;) {
        if (*p != '{') {
            fputc(*p++, out);
            continue;
        }
        const struct hole *h = holes;
        while (h->name &&
               !(strncmp(p + 1, h->name, strlen(h->name)) == 0 && p[1 + strlen(h->name)] == '}'))
            h++;
        if (!h->name) {
            fprintf(stderr, "places_sql: no hole for \"%.40s\"\n", p);
            abort();
        }
        fputs(h->text, out);
        p += strlen(h->name) + 2;
    }
}

/* `template` filled; the caller owns the result. */
static char *filled(const char *template, const struct hole *holes)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fill(out, template, holes);
    fclose(out);
    return text;
}

/* The lists made from the table, each joined with ", ": the stored columns,
 * their values, the same columns of EXCLUDED and of p (the first four, one
 * item per column), the members of the JSON, those of a GeoJSON feature. */
enum { COLUMNS, VALUES, EXCLUDED, COLUMNS_OF_P, MEMBERS, PROPERTIES, LISTS };

/* Fills text[] with the lists; the caller frees them. */
static void make_lists(char *text[LISTS])
{
    size_t len[LISTS] = {0};
    FILE *out[LISTS];
    for (int i = 0; i < LISTS; i++)
        out[i] = open_memstream(&text[i], &len[i]);
    int stored = 0, shown = 0, properties = 0;
    for (int i = 0; i < PC_COUNT; i++) {
        const struct field *f = &fields[i];
        char param[16], next[16];
        snprintf(param, sizeof param, PLACES_SQL_PARAM, i + 1);
        snprintf(next, sizeof next, PLACES_SQL_PARAM, i + 2);
        const struct hole holes[] = {
            {"param", param}, {"next", next}, {"column", f->column}, {NULL, NULL}};
        if (f->value) {
            const char *sep = stored++ ? ", " : "";
            const char *const templates[] = {PLACES_SQL_COLUMN, f->value,
                                             PLACES_SQL_EXCLUDED_COLUMN, PLACES_SQL_COLUMN_OF_P};
            for (int j = COLUMNS; j <= COLUMNS_OF_P; j++) {
                fputs(sep, out[j]);
                fill(out[j], templates[j], holes);
            }
        }
        if (!f->member)
            continue;
        char *value = filled(f->json, holes);
        const struct hole member[] = {{"member", f->member}, {"value", value}, {NULL, NULL}};
        fputs(shown++ ? ", " : "", out[MEMBERS]);
        fill(out[MEMBERS], PLACES_SQL_MEMBER, member);
        if (!f->coordinate) {
            fputs(properties++ ? ", " : "", out[PROPERTIES]);
            fill(out[PROPERTIES], PLACES_SQL_MEMBER, member);
        }
        free(value);
    }
    for (int i = 0; i < LISTS; i++)
        fclose(out[i]);
}

static struct places_sql sql;

static void make(void)
{
    char *l[LISTS];
    make_lists(l);
    char id[16];
    snprintf(id, sizeof id, PLACES_SQL_PARAM, PC_COUNT + 1);
    const struct hole args[] = {
        {"members", l[MEMBERS]}, {"properties", l[PROPERTIES]}, {NULL, NULL}};
    char *json_args = filled(PLACES_SQL_JSON_ARGS_TEMPLATE, args);
    const struct hole json[] = {{"json_args", json_args}, {NULL, NULL}};
    char *returning = filled(PLACES_SQL_RETURNING_TEMPLATE, json);
    const struct hole holes[] = {{"columns", l[COLUMNS]},
                                 {"values", l[VALUES]},
                                 {"excluded", l[EXCLUDED]},
                                 {"columns_of_p", l[COLUMNS_OF_P]},
                                 {"returning", returning},
                                 {"id", id},
                                 {NULL, NULL}};
    sql.insert = filled(PLACES_SQL_INSERT_TEMPLATE, holes);
    sql.upsert = filled(PLACES_SQL_UPSERT_TEMPLATE, holes);
    sql.update = filled(PLACES_SQL_UPDATE_TEMPLATE, holes);
    sql.get = filled(PLACES_SQL_GET_TEMPLATE, holes);
    sql.get_for_update = filled(PLACES_SQL_GET_FOR_UPDATE_TEMPLATE, holes);
    sql.json_args = json_args;
    sql.properties_args = filled(PLACES_SQL_PROPERTIES_ARGS_TEMPLATE, args);
    free(returning);
    for (int i = 0; i < LISTS; i++)
        free(l[i]);
}

const struct places_sql *places_sql(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make);
    return &sql;
}
