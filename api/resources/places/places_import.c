/* POST /v1/places/import: a CSV of the national standard, upserted by (source,
 * id) for the acting organisation. A refused row changes nothing and is
 * reported with its line and every error.
 *
 * Never one long transaction: the sync feed of referrals shows a change only
 * once every transaction older than it has ended (referrals_sql.h), so one
 * transaction over the whole file held the feed for as long as the import
 * ran. The body is bounded first (IMPORT_MAX_BYTES: 413, by Content-Length
 * before the body is parsed; IMPORT_MAX_ROWS: 422) and parsed whole in
 * memory; then its rows are checked and applied in batches of at most
 * IMPORT_BATCH_ROWS rows and IMPORT_BATCH_SECONDS, each batch its own short
 * transaction (rolled back in a dry run), the connection going back to the
 * pool between batches. When a batch fails (the database gone), the batches
 * before it stay committed; the upsert by (source, id) makes sending the same
 * file again resume it. At most HTTP_THREADS - 1 imports run at once (429
 * beyond), so that imports never take every HTTP thread. */
#include "places.h"

#include "csv.h"
#include "db.h"
#include "places_csv.h"
#include "places_sql.h"
#include "validate.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const places_import_query[] = {"dry_run", NULL};

/* Rows per transaction: about 0.1 to 0.3 s of work (a commune check and an
 * upsert per row); and, on a slow or busy machine, the time after which a
 * batch ends whatever its rows: the longest the feed may wait on an import. */
#define IMPORT_BATCH_ROWS    100
#define IMPORT_BATCH_SECONDS 0.2

struct report {
    int created, updated, unchanged;
    json_t *refused;  /* [{line, errors: [{field, message}]}] */
    json_t *warnings; /* [{line, field, message}] */
};

/* Errors name the standard's columns, not the API's members. */
static json_t *as_columns(json_t *errors)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *member = json_string_value(json_object_get(e, "field"));
        json_object_set_new(e, "field", json_string(places_csv_column_of(member)));
    }
    return errors;
}

static void refuse(struct report *rep, size_t line, json_t *errors)
{
    json_array_append_new(rep->refused, json_pack("{s:I, s:o}", "line", (json_int_t)line, "errors",
                                                  as_columns(errors)));
}

/* Warnings that do not refuse a row: a postal code of another département
 * than its INSEE code (a finer check needs La Poste's base, not shipped). */
static void warn(struct report *rep, size_t line, const struct place_input *in)
{
    const char *insee = in->values[PC_INSEE_CODE], *postal = in->values[PC_POSTAL_CODE];
    bool corsica = insee && insee[0] == '2' && (insee[1] == 'A' || insee[1] == 'B');
    if (insee && postal && !corsica && strncmp(insee, postal, 2) != 0)
        json_array_append_new(
            rep->warnings,
            json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line, "field", "code_postal",
                      "message", msg_text(MSG_PLACE_IMPORT_OTHER_DEPARTEMENT, lang_current())));
}

/* Applies one valid row. Returns false after having answered (503/500). */
static bool apply(struct req *r, struct report *rep, size_t line, struct place_input *in)
{
    PGresult *res =
        http_sql(r, PLACES_SQL_UPSERT, PC_COUNT, (const char *const *)in->values, false);
    if (!res)
        return false;
    if (PQntuples(res) == 1) {
        if (strcmp(PQgetvalue(res, 0, PLACE_COL_EXTRA), "created") == 0)
            rep->created++;
        else
            rep->updated++;
        PQclear(res);
        return true;
    }
    PQclear(res);
    /* Nothing written: unchanged, or the place belongs to another organisation. */
    const char *key[] = {in->values[PC_SOURCE], in->values[PC_SOURCE_ID]};
    res = http_sql(r, PLACES_SQL_OWNER_OF_KEY, 2, key, false);
    if (!res)
        return false;
    if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), r->who.org) != 0) {
        json_t *errors = json_array();
        validate_error_msg(errors, "source_id", MSG_PLACE_IMPORT_OTHER_OWNER);
        refuse(rep, line, errors);
    } else {
        rep->unchanged++;
    }
    PQclear(res);
    return true;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Gives the connection back to the pool between batches (no transaction is
 * open then), so that an import holds one no longer than a batch. */
static void give_back(struct req *r)
{
    if (r->db) {
        db_pool_release(r->db_pool, r->db_slot);
        r->db = NULL;
    }
}

/* One data row: checked like the API checks a place, then applied. */
static bool import_row(struct req *r, struct report *rep, const struct csv *csv, size_t row)
{
    json_t *errors = json_array();
    json_t *doc = places_csv_row_to_json(csv, row, errors);
    struct place_input in;
    place_input_from_json(doc, r->who.org, &in, errors);
    json_decref(doc);
    /* the reference checks too, on the fields that are well formed */
    bool ok = places_check_commune(r, &in, errors);
    size_t line = csv->rows[row].line;
    if (ok && json_array_size(errors) > 0) {
        refuse(rep, line, errors);
        errors = NULL;
    } else if (ok) {
        warn(rep, line, &in);
        ok = apply(r, rep, line, &in);
    }
    json_decref(errors);
    place_input_free(&in);
    return ok;
}

/* The import itself, once admitted. */
static void run_import(struct req *r)
{
    const char *dry_run = http_query(r, "dry_run");
    if (dry_run && strcmp(dry_run, "true") != 0 && strcmp(dry_run, "false") != 0) {
        json_t *errors = json_array();
        validate_error_msg(errors, "dry_run", MSG_FIELD_TRUE_OR_FALSE);
        http_invalid(r, 400, errors);
        return;
    }
    bool dry = dry_run && strcmp(dry_run, "true") == 0;
    size_t len = 0;
    const char *body = http_read_text(r, "text/csv", &len);
    if (!body)
        return;
    size_t max_rows = (size_t)r->app->cfg->import_max_rows;
    struct csv csv;
    size_t bad_line = 0;
    json_t *errors = json_array();
    if (csv_parse(body, len, ',', &csv, &bad_line) != 0)
        validate_error_msg(errors, "body", MSG_PLACE_IMPORT_QUOTE, bad_line);
    else if (csv.count < 2)
        validate_error_msg(errors, "body", MSG_PLACE_IMPORT_EMPTY);
    else if (csv.count - 1 > max_rows)
        validate_error_msg(errors, "body", MSG_PLACE_IMPORT_TOO_MANY, csv.count - 1, max_rows);
    else
        places_csv_check_header(&csv, errors);
    if (json_array_size(errors) > 0) {
        int status = bad_line || csv.count < 2 ? 400 : 422;
        csv_free(&csv);
        http_invalid(r, status, errors);
        return;
    }
    json_decref(errors);

    struct report rep = {0, 0, 0, json_array(), json_array()};
    bool ok = true;
    for (size_t row = 1; ok && row < csv.count;) {
        ok = http_begin(r);
        struct timespec begun;
        clock_gettime(CLOCK_MONOTONIC, &begun);
        for (size_t n = 0; ok && row < csv.count && n < IMPORT_BATCH_ROWS &&
                           (n == 0 || seconds_since(&begun) < IMPORT_BATCH_SECONDS);
             n++)
            ok = import_row(r, &rep, &csv, row++);
        ok = ok && (dry ? http_rollback(r) : http_commit(r));
        if (ok) /* otherwise the router rolls back what is open and gives it back */
            give_back(r);
    }
    csv_free(&csv);
    if (ok)
        http_json(r, 200,
                  json_pack("{s:b, s:i, s:i, s:i, s:o, s:o}", "dry_run", dry, "created",
                            rep.created, "updated", rep.updated, "unchanged", rep.unchanged,
                            "refused", rep.refused, "warnings", rep.warnings));
    else {
        json_decref(rep.refused);
        json_decref(rep.warnings);
    }
}

/* Imports running on this instance. Each takes an HTTP thread for as long as
 * it runs: at most HTTP_THREADS - 1 run at once (1 with one thread), so that
 * one thread always remains for other requests; beyond, 429. */
static atomic_int imports_running;

void places_import(struct req *r)
{
    int threads = r->app->cfg->threads;
    int most = threads > 1 ? threads - 1 : 1;
    if (atomic_fetch_add(&imports_running, 1) >= most) {
        atomic_fetch_sub(&imports_running, 1);
        http_set_header(r, "Retry-After", "5");
        http_problem_msg(r, 429, "rate-limited", MSG_PLACE_IMPORT_BUSY);
        return;
    }
    run_import(r);
    atomic_fetch_sub(&imports_running, 1);
}
