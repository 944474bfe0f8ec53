/* /v1/indicators: the campaign's dashboard, computed by PostgreSQL from what
 * partners record (indicator_values() in db/functions/indicators.sql,
 * summed from the rollup tables of 008_indicator_rollups.sql),
 * with the figures on too few people withheld; /v1/targets: the coordinators'
 * targets and baselines. */
#include "indicators.h"

#include "csv.h"
#include "dates.h"
#include "disclosure.h"
#include "indicators_sql.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const indicators_query[] = {"from", "to",     "commune", "place_id",
                                        "org",  "format", "locale",  NULL};

#define MAX_PERIOD_DAYS 3660

/* What one request may ask the database for (issue #14: a weekly series over
 * ten years with two filters ran 3.6-5 s into statement_timeout).
 *   - A series has at most SERIES_MAX_POINTS points: any three years by week
 *     (they touch at most 158 ISO weeks), any period MAX_PERIOD_DAYS allows by
 *     month (at most 122); a point costs one computation, and a chart of
 *     more weeks than that is read by month.
 *   - With two filters or more (commune, place_id, org) the rollups cannot
 *     answer (indicator_values() in db/functions/indicators.sql): the figures
 *     are computed from the inputs, whose cost grows with the period; the
 *     period is then at most RAW_MAX_PERIOD_DAYS (a year, the default period).
 * Such requests from the inputs are also limited in number at once per
 * organisation (INDICATORS_EXPENSIVE_PER_ORG). */
#define SERIES_MAX_POINTS   160
#define RAW_MAX_PERIOD_DAYS 366

struct indicators_query {
    char from[11], to[11];
    const char *commune, *place_id, *org, *granularity;
    bool csv;
    const struct csv_style *style; /* of the CSV: ?locale=, else Accept-Language */
    char min_cell[16];             /* INDICATORS_MIN_CELL, as a parameter */
    char baseline_days[24];        /* the length of the default baseline period, as a parameter */
    long first, last;              /* the period's days, as dates_parse counts them */
    const char *lang;              /* of the labels and definitions: the CSV's, else r->lang */
};

/* Reads the query every indicator route shares (each route's allow-list says
 * which parameters it takes). False after having answered 400. */
static bool read_query(struct req *r, struct indicators_query *q)
{
    json_t *errors = json_array();
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    long first = 0, last = dates_paris_day(time(NULL));
    bool dates_ok = true;
    if (to && !dates_parse(to, &last)) {
        validate_error_msg(errors, "to", MSG_INDICATORS_DATE_TO);
        dates_ok = false;
    }
    if (from && !dates_parse(from, &first)) {
        validate_error_msg(errors, "from", MSG_INDICATORS_DATE_FROM);
        dates_ok = false;
    } else if (!from) {
        first = last - 364;
    }
    if (dates_ok && first > last)
        validate_error_msg(errors, "from", MSG_INDICATORS_FROM_AFTER_TO);
    else if (dates_ok && last - first >= MAX_PERIOD_DAYS)
        validate_error_msg(errors, "from", MSG_INDICATORS_PERIOD_MAX, MAX_PERIOD_DAYS);
    dates_format(first, q->from);
    dates_format(last, q->to);
    q->commune = http_query(r, "commune");
    if (q->commune && (strlen(q->commune) != 5 || strspn(q->commune, "0123456789AB") != 5))
        validate_error_msg(errors, "commune", MSG_INDICATORS_COMMUNE);
    q->place_id = http_query(r, "place_id");
    if (q->place_id && !validate_uuid(q->place_id))
        validate_error_msg(errors, "place_id", MSG_FIELD_UUID_PLACE);
    q->org = http_query(r, "org");
    if (q->org && !auth_is_slug(q->org))
        validate_error_msg(errors, "org", MSG_INDICATORS_ORG);
    const char *format = http_query(r, "format"), *accept = http_header(r, "Accept");
    q->csv = false;
    if (format && strcmp(format, "csv") == 0)
        q->csv = true;
    else if (format && strcmp(format, "json") != 0)
        validate_error_msg(errors, "format", MSG_INDICATORS_FORMAT);
    else if (!format && accept && strcasestr(accept, "text/csv"))
        q->csv = true;
    q->style = csv_style_choose(http_query(r, "locale"), http_header(r, "Accept-Language"));
    if (!q->style) {
        validate_error_msg(errors, "locale", MSG_INDICATORS_LOCALE);
        q->style = &csv_rfc4180;
    }
    static const char *const granularities[] = {"week", "month", NULL};
    q->granularity = http_query(r, "granularity");
    if (!q->granularity)
        q->granularity = "month";
    else if (!validate_in_list(q->granularity, granularities))
        validate_error_msg(errors, "granularity", MSG_INDICATORS_GRANULARITY);
    q->lang = q->csv ? q->style->language : lang_code(r->lang);
    snprintf(q->min_cell, sizeof q->min_cell, "%d", r->app->cfg->indicators_min_cell);
    q->first = first;
    q->last = last;
    snprintf(q->baseline_days, sizeof q->baseline_days, "%ld", last - first + 1);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 400, errors);
        return false;
    }
    json_decref(errors);
    return true;
}

/* Whether the figures must be computed from the inputs: two filters or more,
 * which the rollups cannot answer (indicator_values()). */
static bool from_inputs(const struct indicators_query *q)
{
    return (q->commune != NULL) + (q->place_id != NULL) + (q->org != NULL) >= 2;
}

/* The points of a series: the weeks (ISO, from Monday) or months the period
 * touches. */
static long series_points(const struct indicators_query *q)
{
    if (strcmp(q->granularity, "week") == 0) {
        /* day 0 (1970-01-01) was a Thursday: Monday-based weeks start at day -3 */
        long first_week = (q->first + 3 - ((q->first + 3) % 7 + 7) % 7) / 7;
        long last_week = (q->last + 3 - ((q->last + 3) % 7 + 7) % 7) / 7;
        return last_week - first_week + 1;
    }
    /* from and to are YYYY-MM-DD (dates_format) */
    long fy = strtol(q->from, NULL, 10), fm = strtol(q->from + 5, NULL, 10);
    long ly = strtol(q->to, NULL, 10), lm = strtol(q->to + 5, NULL, 10);
    return (ly - fy) * 12 + (lm - fm) + 1;
}

/* The bounds on the work a well-formed request asks for (see
 * SERIES_MAX_POINTS): every one it exceeds named at once, 422. `series`: the
 * request is a series. False after having answered. */
static bool within_bounds(struct req *r, const struct indicators_query *q, bool series)
{
    json_t *errors = json_array();
    if (series) {
        long points = series_points(q);
        if (points > SERIES_MAX_POINTS)
            validate_error_msg(errors, "granularity", MSG_INDICATORS_SERIES_POINTS, points,
                               q->granularity, SERIES_MAX_POINTS);
    }
    if (from_inputs(q) && q->last - q->first + 1 > RAW_MAX_PERIOD_DAYS)
        validate_error_msg(errors, "from", MSG_INDICATORS_RAW_PERIOD, RAW_MAX_PERIOD_DAYS);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        return false;
    }
    json_decref(errors);
    return true;
}

/* ---- Disclosure control that holds across queries (INDICATORS_DISCLOSURE) -- */

/* The table of a request with a filter (api/formats/disclosure.h): the year
 * of its period, its quarters and months, and the baselines' period (the 365
 * days before CAMPAIGN_START, a root of its own), × the partition of its
 * filter. */
#define TABLE_COLS   (DISCLOSURE_YEAR_COLS + 1)
#define BASELINE_COL DISCLOSURE_YEAR_COLS
#define MAX_CODES    16
static const int table_tree[TABLE_COLS] = {-1, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, -1};

struct disclosure {
    int codes;
    char code[MAX_CODES][48];
    bool withheld[MAX_CODES][TABLE_COLS]; /* the cells of the scope asked for */
};

/* The day number of year-month-01 (month 13: January of the next year). */
static long first_of(long year, long month)
{
    char day[16];
    if (month > 12) {
        year++;
        month -= 12;
    }
    long days = 0;
    snprintf(day, sizeof day, "%04ld-%02ld-01", labs(year) % 10000, labs(month) % 100);
    dates_parse(day, &days);
    return days;
}

/* Whether the period is one calendar year, quarter or month: its column in
 * the table (0 the year, 1..4 a quarter, 5..16 a month) and the year's first
 * day; -1 when it is none of them. */
static int calendar_column(const struct indicators_query *q, char year_first[11])
{
    long y = strtol(q->from, NULL, 10), m = strtol(q->from + 5, NULL, 10);
    memcpy(year_first, q->from, 4); /* YYYY-MM-DD (dates_format) */
    memcpy(year_first + 4, "-01-01", 7);
    if (strtol(q->from + 8, NULL, 10) != 1)
        return -1;
    if (m == 1 && q->last == first_of(y, 13) - 1)
        return 0;
    if ((m - 1) % 3 == 0 && q->last == first_of(y, m + 3) - 1)
        return 1 + (int)(m - 1) / 3;
    if (q->last == first_of(y, m + 1) - 1)
        return 4 + (int)m;
    return -1;
}

static int filter_count(const struct indicators_query *q)
{
    return (q->commune != NULL) + (q->place_id != NULL) + (q->org != NULL);
}

/* With INDICATORS_DISCLOSURE=strict, a request with a filter reads one filter
 * at most, over one calendar year, quarter or month (a series: by month).
 * *col: the period's column (-1: no control needed, no filter or the control
 * off). False after having answered 422. */
static bool strict_bounds(struct req *r, const struct indicators_query *q, bool series, int *col,
                          char year_first[11])
{
    *col = -1;
    if (!r->app->cfg->indicators_disclosure || filter_count(q) == 0)
        return true;
    json_t *errors = json_array();
    if (filter_count(q) > 1)
        validate_error_msg(errors, q->org ? "org" : "place_id", MSG_INDICATORS_ONE_FILTER);
    *col = calendar_column(q, year_first);
    if (*col < 0)
        validate_error_msg(errors, "from", MSG_INDICATORS_CALENDAR_PERIOD);
    if (series && strcmp(q->granularity, "month") != 0)
        validate_error_msg(errors, "granularity", MSG_INDICATORS_BY_MONTH);
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, errors);
        return false;
    }
    json_decref(errors);
    return true;
}

/* Reads the table of year_first × the partition `dim` (org, commune or
 * place) and withholds its cells (disclosure_suppress), for each indicator
 * (or `only` when not NULL); then calls visit for every scope row with data
 * (the whole territory aside), with the indicator's code and the row's cells.
 * `asked`: the scope value a request names (marked in the answer; NULL
 * none). False after having answered. */
typedef void (*table_visit)(void *ctx, const char *scope, bool asked, const char *code,
                            const bool withheld[TABLE_COLS]);

static bool disclosure_table(struct req *r, const char *year_first, const char *dim,
                             const char *asked_value, const char *only, table_visit visit,
                             void *ctx)
{
    const char *params[] = {year_first, dim, asked_value ? asked_value : "",
                            r->app->cfg->campaign_start};
    PGresult *res = http_sql(r, INDICATORS_SQL_DISCLOSURE_TABLE, 4, params, false);
    if (!res)
        return false;
    int count = PQntuples(res), codes = 0;
    while (codes < count && strcmp(PQgetvalue(res, codes, 1), "0") == 0)
        codes++;
    int per_scope = TABLE_COLS * codes, scopes = per_scope ? count / per_scope : 0;
    long *n = calloc((size_t)scopes * TABLE_COLS + 1, sizeof *n);
    bool *withheld = calloc((size_t)scopes * TABLE_COLS + 1, sizeof *withheld);
    bool ok = n && withheld;
    for (int k = 0; ok && k < codes && scopes > 1; k++) {
        const char *code = PQgetvalue(res, k, 2);
        if (only && strcmp(only, code) != 0)
            continue;
        for (int i = k; i < count; i += codes)
            n[(i / per_scope) * TABLE_COLS + (i % per_scope) / codes] =
                strtol(PQgetvalue(res, i, 3), NULL, 10);
        ok = disclosure_suppress(n, scopes, TABLE_COLS, table_tree,
                                 r->app->cfg->indicators_min_cell, withheld) == 0;
        for (int row = 1; ok && row < scopes; row++)
            visit(ctx, PQgetvalue(res, row * per_scope, 0),
                  strcmp(PQgetvalue(res, row * per_scope, 4), "t") == 0, code,
                  withheld + row * TABLE_COLS);
    }
    free(n);
    free(withheld);
    PQclear(res);
    if (!ok)
        http_problem_msg(r, 500, "internal", MSG_INDICATORS_NOT_COMPUTED);
    return ok;
}

static void keep_asked(void *ctx, const char *scope, bool asked, const char *code,
                       const bool withheld[TABLE_COLS])
{
    (void)scope;
    struct disclosure *d = ctx;
    if (!asked || d->codes >= MAX_CODES)
        return;
    snprintf(d->code[d->codes], sizeof d->code[0], "%s", code);
    memcpy(d->withheld[d->codes++], withheld, sizeof d->withheld[0]);
}

/* The cells withheld for the scope the request names (filtered, strict); a
 * scope without data in the table has none withheld (its zeros are public).
 * False after having answered. */
static bool disclosure_of(struct req *r, const struct indicators_query *q, const char *year_first,
                          struct disclosure *out)
{
    const char *dim = q->org ? "org" : q->commune ? "commune" : "place";
    const char *value = q->org ? q->org : q->commune ? q->commune : q->place_id;
    memset(out, 0, sizeof *out);
    return disclosure_table(r, year_first, dim, value, NULL, keep_asked, out);
}

/* The codes withheld in column col, as a PostgreSQL text array. */
static void withheld_codes(const struct disclosure *d, int col, char *out, size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "{");
    for (int k = 0; k < d->codes && len < cap; k++)
        if (d->withheld[k][col])
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len > 1 ? "," : "", d->code[k]);
    if (len < cap)
        snprintf(out + len, cap - len, "}");
}

/* Admits a request computed from the inputs among its organisation's
 * (INDICATORS_EXPENSIVE_PER_ORG at once): true, with *key set for
 * leave_expensive (empty when the request is not expensive); or false after
 * having answered 429. */
static bool enter_expensive(struct req *r, const struct indicators_query *q,
                            char key[INFLIGHT_KEY_MAX])
{
    key[0] = '\0';
    if (!from_inputs(q))
        return true;
    snprintf(key, INFLIGHT_KEY_MAX, "org:%s", r->who.org);
    if (inflight_enter(r->app->expensive, key))
        return true;
    key[0] = '\0';
    http_set_header(r, "Retry-After", "5");
    http_problem_msg(r, 429, "too-many-expensive-requests", MSG_INDICATORS_EXPENSIVE,
                     r->app->cfg->indicators_expensive_per_org);
    return false;
}

static void leave_expensive(struct req *r, const char *key)
{
    if (key[0])
        inflight_leave(r->app->expensive, key);
}

/* Rows of `res` as CSV: the header, then the first `columns` columns of each
 * row; the boolean column `flag` written true/false. */
static char *as_csv(PGresult *res, const struct csv_style *style, const char *const *header,
                    int columns, int flag)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    csv_begin(out, style);
    for (int c = 0; c < columns; c++)
        csv_put_field_in(out, style, header[c], c == columns - 1);
    for (int row = 0; row < PQntuples(res); row++)
        for (int c = 0; c < columns; c++) {
            const char *v = PQgetvalue(res, row, c);
            if (c == flag)
                v = strcmp(v, "t") == 0 ? "true" : "false";
            csv_put_field_in(out, style, v, c == columns - 1);
        }
    fclose(out);
    return text;
}

/* Answers the rows of `res`: CSV (as `name`-from-to.csv), or JSON built
 * around the items (column `json` of each row) by `wrap` (stolen items). */
static void answer(struct req *r, const struct indicators_query *q, PGresult *res, const char *name,
                   const char *const *header, int columns, int flag, int json, json_t *envelope)
{
    if (q->csv) {
        char *text = as_csv(res, q->style, header, columns, flag);
        http_set_header(r, "Content-Language", q->style->language);
        http_set_header(r, "Vary", "Accept, Accept-Language");
        char disposition[128];
        snprintf(disposition, sizeof disposition, "attachment; filename=\"%s-%s-%s.csv\"", name,
                 q->from, q->to);
        http_set_header(r, "Content-Disposition", disposition);
        http_text(r, 200, "text/csv; charset=utf-8", text, strlen(text));
        free(text);
        json_decref(envelope);
        return;
    }
    json_t *items = json_array();
    for (int row = 0; row < PQntuples(res); row++)
        json_array_append_new(items, json_loads(PQgetvalue(res, row, json), 0, NULL));
    json_object_set_new(envelope, "from", json_string(q->from));
    json_object_set_new(envelope, "to", json_string(q->to));
    json_object_set_new(envelope, "min_cell", json_integer(r->app->cfg->indicators_min_cell));
    json_object_set_new(envelope, "items", items);
    http_language(r);
    http_json(r, 200, envelope);
}

/* The filters a request used, for the answer. */
static json_t *filters_of(const struct indicators_query *q)
{
    return json_pack("{s:s?, s:s?, s:s?}", "commune", q->commune, "place_id", q->place_id, "org",
                     q->org);
}

/* Brings the rollups up to date with what was committed (the days written
 * since the last call), in a statement of its own so that the reading
 * statement sees them. False when it failed (answered). */
static bool refresh_rollups(struct req *r)
{
    return http_sql_command(r, INDICATORS_SQL_REFRESH);
}

static void list(struct req *r, const struct indicators_query *q);

void indicators_list(struct req *r)
{
    struct indicators_query q;
    char key[INFLIGHT_KEY_MAX];
    if (!read_query(r, &q) || !within_bounds(r, &q, false) || !enter_expensive(r, &q, key))
        return;
    list(r, &q);
    leave_expensive(r, key);
}

static void list(struct req *r, const struct indicators_query *qp)
{
    struct indicators_query q = *qp;
    char year_first[11], withheld[MAX_CODES * 48 + 3] = "{}", baselines[MAX_CODES * 48 + 3] = "{}";
    char period_days[24];
    int col;
    snprintf(period_days, sizeof period_days, "%s", q.baseline_days);
    if (!strict_bounds(r, &q, false, &col, year_first) || !refresh_rollups(r))
        return;
    if (col >= 0) {
        /* a filtered figure: the table's cells; the baseline is the scope's
         * over the 365 days before the campaign (one period, so that no
         * two baselines differ by a few days), a count scaled to the period */
        struct disclosure *d = malloc(sizeof *d);
        if (!d || !disclosure_of(r, &q, year_first, d)) {
            if (!d)
                http_problem_msg(r, 500, "internal", MSG_INDICATORS_NOT_COMPUTED);
            free(d);
            return;
        }
        withheld_codes(d, col, withheld, sizeof withheld);
        withheld_codes(d, BASELINE_COL, baselines, sizeof baselines);
        snprintf(q.baseline_days, sizeof q.baseline_days, "365");
        free(d);
    }
    const char *params[] = {q.from,
                            q.to,
                            q.commune,
                            q.place_id,
                            q.org,
                            q.min_cell,
                            r->app->cfg->campaign_start,
                            q.baseline_days,
                            period_days,
                            withheld,
                            baselines,
                            q.lang};
    PGresult *res = http_sql(r, INDICATORS_SQL_LIST, 12, params, false);
    static const char *const header[IND_COLUMNS] = {
        "code",        "label",        "definition",  "unit",           "value",
        "numerator",   "denominator",  "sample_size", "suppressed",     "status",
        "target_kind", "target_value", "goal",        "baseline_value", "baseline_period"};
    if (res)
        answer(r, &q, res, "indicateurs", header, IND_COLUMNS, IND_COL_SUPPRESSED, IND_COL_JSON,
               json_pack("{s:o}", "filters", filters_of(&q)));
    PQclear(res);
}

/* ---- GET /v1/indicators/{code}/series ------------------------------------- */

const char *const indicators_series_query[] = {
    "from", "to", "commune", "place_id", "org", "granularity", "format", "locale", NULL};

static void series(struct req *r, const struct indicators_query *q);

void indicators_series(struct req *r)
{
    struct indicators_query q;
    char key[INFLIGHT_KEY_MAX];
    if (!read_query(r, &q) || !within_bounds(r, &q, true) || !enter_expensive(r, &q, key))
        return;
    series(r, &q);
    leave_expensive(r, key);
}

/* The first days of the months of the series withheld for `code`, as a
 * PostgreSQL date array. */
static void withheld_months(const struct disclosure *d, const char *code, const char *year_first,
                            char *out, size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "{");
    for (int k = 0; k < d->codes; k++)
        if (strcmp(d->code[k], code) == 0)
            for (int m = 1; m <= 12 && len < cap; m++)
                if (d->withheld[k][4 + m])
                    len += (size_t)snprintf(out + len, cap - len, "%s%.4s-%02d-01",
                                            len > 1 ? "," : "", year_first, m);
    if (len < cap)
        snprintf(out + len, cap - len, "}");
}

static void series(struct req *r, const struct indicators_query *qp)
{
    struct indicators_query q = *qp;
    char year_first[11], months[12 * 12 + 3] = "{}";
    int col;
    if (!strict_bounds(r, &q, true, &col, year_first) || !refresh_rollups(r))
        return;
    const char *code[] = {r->params[0], q.lang};
    PGresult *one = http_sql(r, INDICATORS_SQL_ONE, 2, code, false), *res = NULL;
    struct disclosure *d = NULL;
    if (one && PQntuples(one) == 0) {
        http_problem_msg(r, 404, "not-found", MSG_INDICATOR_NOT_FOUND);
    } else if (one && col >= 0 && !(d = malloc(sizeof *d))) {
        http_problem_msg(r, 500, "internal", MSG_INDICATORS_NOT_COMPUTED);
    } else if (one && (col < 0 || disclosure_of(r, &q, year_first, d))) {
        if (d)
            withheld_months(d, r->params[0], year_first, months, sizeof months);
        const char *params[] = {q.from,     q.to,         q.commune,     q.place_id, q.org,
                                q.min_cell, r->params[0], q.granularity, months};
        static const char *const header[] = {"start",       "end",         "value",     "numerator",
                                             "denominator", "sample_size", "suppressed"};
        char name[96];
        snprintf(name, sizeof name, "%s-%s", r->params[0], q.granularity);
        if ((res = http_sql(r, INDICATORS_SQL_SERIES, 9, params, false)))
            answer(r, &q, res, name, header, SERIES_COL_JSON, SERIES_COL_SUPPRESSED,
                   SERIES_COL_JSON,
                   json_pack("{s:s, s:s, s:s, s:s, s:o}", "code", r->params[0], "label",
                             PQgetvalue(one, 0, 0), "unit", PQgetvalue(one, 0, 1), "granularity",
                             q.granularity, "filters", filters_of(&q)));
    }
    free(d);
    PQclear(one);
    PQclear(res);
}

/* ---- GET /v1/indicators/by-commune, by-place, by-org --------------------- */

const char *const indicators_by_query[] = {"code", "from", "to", "format", "locale", NULL};

/* The scopes withheld in one column, as a PostgreSQL text array (grown). */
struct withheld_scopes {
    int col;
    char *text;
    size_t len, cap;
    bool failed;
};

static void collect_scope(void *ctx, const char *scope, bool asked, const char *code,
                          const bool withheld[TABLE_COLS])
{
    (void)asked;
    (void)code;
    struct withheld_scopes *w = ctx;
    if (!withheld[w->col] || w->failed)
        return;
    size_t need = w->len + strlen(scope) + 3;
    if (need > w->cap) {
        char *grown = realloc(w->text, need * 2);
        if (!grown) {
            w->failed = true;
            return;
        }
        w->text = grown;
        w->cap = need * 2;
    }
    w->len += (size_t)sprintf(w->text + w->len, "%s%s", w->len > 1 ? "," : "", scope);
}

/* Every commune's (place's, organisation's) figure of one indicator for the
 * period at once, with the suppression of the single calls; JSON, CSV, or
 * (communes) GeoJSON with each commune's outline. */
static void by_scope(struct req *r, const char *dim, const char *key_name)
{
    struct indicators_query q;
    if (!read_query(r, &q))
        return;
    const char *code = http_query(r, "code");
    if (!code || !*code) {
        json_t *errors = json_array();
        validate_error_msg(errors, "code", MSG_INDICATORS_CODE_REQUIRED);
        http_invalid(r, 400, errors);
        return;
    }
    const char *accept = http_header(r, "Accept");
    bool geojson = strcmp(dim, "commune") == 0 && !http_query(r, "format") && accept &&
                   strcasestr(accept, "application/geo+json");
    char year_first[11];
    int col = -1;
    if (r->app->cfg->indicators_disclosure && (col = calendar_column(&q, year_first)) < 0) {
        json_t *errors = json_array();
        validate_error_msg(errors, "from", MSG_INDICATORS_SCOPE_PERIOD);
        http_invalid(r, 422, errors);
        return;
    }
    if (!refresh_rollups(r))
        return;
    const char *one_params[] = {code, q.lang};
    PGresult *one = http_sql(r, INDICATORS_SQL_ONE, 2, one_params, false), *res = NULL;
    struct withheld_scopes w = {col, malloc(16), 1, 16, false};
    if (w.text)
        strcpy(w.text, "{");
    if (!one) {
        /* answered */
    } else if (PQntuples(one) == 0) {
        http_problem_msg(r, 404, "not-found", MSG_INDICATOR_NOT_FOUND);
    } else if (!w.text) {
        http_problem_msg(r, 500, "internal", MSG_INDICATORS_NOT_COMPUTED);
    } else if (col < 0 || disclosure_table(r, year_first, dim, NULL, code, collect_scope, &w)) {
        if (w.failed || !(w.text = realloc(w.text, w.len + 2))) {
            http_problem_msg(r, 500, "internal", MSG_INDICATORS_NOT_COMPUTED);
        } else {
            strcpy(w.text + w.len, "}");
            const char *params[] = {q.from, q.to, dim, code, q.min_cell, w.text};
            static const char *const header[] = {
                "key", "name", "value", "numerator", "denominator", "sample_size", "suppressed"};
            const char *named[7];
            memcpy(named, header, sizeof named);
            named[0] = key_name;
            char name[96];
            snprintf(name, sizeof name, "%s-par-%s", code, dim);
            if (!(res = http_sql(r, INDICATORS_SQL_BY_SCOPE, 6, params, false))) {
                /* answered */
            } else if (geojson) {
                json_t *features = json_array();
                for (int row = 0; row < PQntuples(res); row++)
                    json_array_append_new(
                        features, json_loads(PQgetvalue(res, row, BY_COL_FEATURE), 0, NULL));
                json_t *doc =
                    json_pack("{s:s, s:s, s:s, s:s, s:i, s:o}", "type", "FeatureCollection", "code",
                              code, "from", q.from, "to", q.to, "min_cell",
                              r->app->cfg->indicators_min_cell, "features", features);
                char *text = json_dumps(doc, JSON_COMPACT);
                json_decref(doc);
                http_language(r);
                if (text)
                    http_text(r, 200, "application/geo+json", text, strlen(text));
                else
                    http_problem_msg(r, 500, "internal", MSG_INDICATORS_NOT_COMPUTED);
                free(text);
            } else {
                answer(r, &q, res, name, named, BY_COL_JSON, BY_COL_SUPPRESSED, BY_COL_JSON,
                       json_pack("{s:s, s:s, s:s, s:s}", "code", code, "label",
                                 PQgetvalue(one, 0, 0), "unit", PQgetvalue(one, 0, 1), "by",
                                 key_name));
            }
        }
    }
    free(w.text);
    PQclear(one);
    PQclear(res);
}

void indicators_by_commune(struct req *r)
{
    by_scope(r, "commune", "commune");
}

void indicators_by_place(struct req *r)
{
    by_scope(r, "place", "place_id");
}

void indicators_by_org(struct req *r)
{
    by_scope(r, "org", "org");
}

/* ---- GET /v1/indicators/routes -------------------------------------------- */

const char *const indicators_routes_query[] = {"from", "to", "org", "format", "locale", NULL};

void indicators_routes(struct req *r)
{
    struct indicators_query q;
    char year_first[11];
    int col;
    if (!read_query(r, &q) || !strict_bounds(r, &q, false, &col, year_first) || !refresh_rollups(r))
        return;
    const char *params[] = {q.from, q.to, q.org, q.min_cell};
    static const char *const header[] = {"from_kind",
                                         "to_kind",
                                         "referrals",
                                         "accepted",
                                         "orientation_time_median_hours",
                                         "completed",
                                         "closed",
                                         "referral_completion_rate",
                                         "suppressed"};
    PGresult *res = http_sql(r, INDICATORS_SQL_ROUTES, 4, params, false);
    if (res)
        answer(r, &q, res, "orientations", header, ROUTES_COL_JSON, ROUTES_COL_SUPPRESSED,
               ROUTES_COL_JSON, json_pack("{s:{s:s?}}", "filters", "org", q.org));
    PQclear(res);
}

/* ---- GET /v1/targets ------------------------------------------------------ */

const char *const indicators_targets_query[] = {"from", "to", NULL};

void indicators_targets(struct req *r)
{
    struct indicators_query q;
    if (!read_query(r, &q) || !refresh_rollups(r))
        return;
    const char *params[] = {q.from,
                            q.to,
                            NULL,
                            NULL,
                            NULL,
                            q.min_cell,
                            r->app->cfg->campaign_start,
                            q.baseline_days,
                            q.baseline_days,
                            "{}",
                            "{}",
                            lang_code(r->lang)};
    PGresult *res = http_sql(r, INDICATORS_SQL_TARGETS, 12, params, false);
    if (res) {
        json_t *items = json_array();
        for (int row = 0; row < PQntuples(res); row++)
            json_array_append_new(items, json_loads(PQgetvalue(res, row, 0), 0, NULL));
        http_language(r);
        http_json(r, 200,
                  json_pack("{s:s, s:s, s:s, s:o}", "campaign_start", r->app->cfg->campaign_start,
                            "from", q.from, "to", q.to, "items", items));
    }
    PQclear(res);
}

/* ---- PUT /v1/targets/{code} ----------------------------------------------- */

/* A finite JSON number within min..max as text (%.15g) into out. */
static bool read_number(const json_t *body, const char *field, bool required, double min,
                        double max, json_t *errors, char out[32])
{
    const json_t *v = json_object_get(body, field);
    if (!v || json_is_null(v)) {
        if (required)
            validate_error_msg(errors, field, MSG_FIELD_REQUIRED);
        return false;
    }
    double n = json_number_value(v);
    if (!json_is_number(v) || !isfinite(n) || n < min || n > max) {
        validate_error_msg(errors, field, MSG_FIELD_NUMBER_RANGE, min, max);
        return false;
    }
    snprintf(out, 32, "%.15g", n);
    return true;
}

void indicators_put_target(struct req *r)
{
    json_t *body = http_read_object(r);
    if (!body)
        return;
    json_t *errors = json_array();
    static const char *const writable[] = {"kind", "value", "baseline", NULL};
    static const char *const read_only[] = {"code", "goal", "updated_at", "updated_by", NULL};
    validate_fields(body, writable, read_only, errors);
    static const char *const kinds[] = {"relative_change", "at_least", "at_most", NULL};
    const char *kind = validate_enum(body, "kind", true, kinds, errors);
    bool relative = kind && strcmp(kind, "relative_change") == 0;
    char value[32] = "", baseline_value[32] = "";
    read_number(body, "value", true, relative ? -100 : 0, relative ? 1000 : 1e9, errors, value);
    json_t *baseline = json_object_get(body, "baseline");
    const char *period = NULL;
    bool has_baseline = false;
    if (baseline && !json_is_object(baseline) && !json_is_null(baseline)) {
        validate_error_msg(errors, "baseline", MSG_TARGET_BASELINE);
    } else if (json_is_object(baseline)) {
        json_t *sub = json_array();
        static const char *const members[] = {"value", "period", NULL};
        validate_fields(baseline, members, NULL, sub);
        has_baseline = read_number(baseline, "value", true, 0, 1e9, sub, baseline_value);
        period = validate_string(baseline, "period", true, 1, 100, sub);
        validate_nest(errors, "baseline", sub);
    }
    if (json_array_size(errors) > 0) {
        http_invalid(r, 422, json_incref(errors));
    } else {
        const char *params[] = {r->params[0], kind,
                                value,        has_baseline ? baseline_value : NULL,
                                period,       http_subject(r)};
        PGresult *res = http_sql(r, INDICATORS_SQL_PUT_TARGET, 6, params, false);
        if (res && PQntuples(res) == 0)
            http_problem_msg(r, 404, "not-found", MSG_INDICATOR_NOT_FOUND);
        else if (res)
            http_json_text(r, 200, PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    json_decref(errors);
    json_decref(body);
}
