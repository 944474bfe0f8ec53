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

/* The lists of the table, each joined with ", ". */
struct lists {
    char *columns, *values, *excluded, *columns_of_p, *members, *properties;
};

static void make_lists(struct lists *l)
{
    char *text[6] = {0};
    size_t len[6] = {0};
    FILE *out[6];
    for (int i = 0; i < 6; i++)
        out[i] = open_memstream(&text[i], &len[i]);
    int stored = 0, shown = 0, properties = 0;
    for (int i = 0; i < PC_COUNT; i++) {
        const struct field *f = &fields[i];
        char param[16], next[16];
        snprintf(param, sizeof param, "$%d", i + 1);
        snprintf(next, sizeof next, "$%d", i + 2);
        const struct hole holes[] = {
            {"param", param}, {"next", next}, {"column", f->column}, {NULL, NULL}};
        if (f->value) {
            const char *sep = stored++ ? ", " : "";
            fprintf(out[0], "%s%s", sep, f->column);
            fputs(sep, out[1]);
            fill(out[1], f->value, holes);
            fprintf(out[2], "%sEXCLUDED.%s", sep, f->column);
            fprintf(out[3], "%sp.%s", sep, f->column);
        }
        if (!f->member)
            continue;
        char *value = filled(f->json, holes);
        const struct hole member[] = {{"member", f->member}, {"value", value}, {NULL, NULL}};
        fputs(shown++ ? ", " : "", out[4]);
        fill(out[4], PLACES_SQL_MEMBER, member);
        if (!f->coordinate) {
            fputs(properties++ ? ", " : "", out[5]);
            fill(out[5], PLACES_SQL_MEMBER, member);
        }
        free(value);
    }
    for (int i = 0; i < 6; i++)
        fclose(out[i]);
    *l = (struct lists){text[0], text[1], text[2], text[3], text[4], text[5]};
}

static struct places_sql sql;

static void make(void)
{
    struct lists l;
    make_lists(&l);
    char id[16];
    snprintf(id, sizeof id, "$%d", PC_COUNT + 1);
    const struct hole args[] = {{"members", l.members}, {"properties", l.properties}, {NULL, NULL}};
    char *json_args = filled(PLACES_SQL_JSON_ARGS_TEMPLATE, args);
    const struct hole json[] = {{"json_args", json_args}, {NULL, NULL}};
    char *returning = filled(PLACES_SQL_RETURNING_TEMPLATE, json);
    const struct hole holes[] = {{"columns", l.columns},
                                 {"values", l.values},
                                 {"excluded", l.excluded},
                                 {"columns_of_p", l.columns_of_p},
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
    free(l.columns);
    free(l.values);
    free(l.excluded);
    free(l.columns_of_p);
    free(l.members);
    free(l.properties);
}

const struct places_sql *places_sql(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make);
    return &sql;
}
