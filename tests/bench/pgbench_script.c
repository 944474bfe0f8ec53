/* Turns the statements the server ran for one request into a pgbench script,
 * so that `make bench` measures each route's database ceiling with the SQL the
 * handler really runs, and never with a copy that drifts from it.
 *
 * Why a capture rather than a program that includes the api/..._sql.h headers: a request
 * runs more than one macro (the auth guard's organisation check, BEGIN, the
 * idempotency lock and record, COMMIT …), some statements are assembled at run
 * time (api/resources/places/places_query.c, the workshop list), and the parameters are values
 * the C code computes (a point as WKB, a cursor). tests/bench.sh turns on
 * log_min_duration_statement = 0 on its own cluster, sends one request, and
 * hands the lines PostgreSQL logged for it to this program: every statement
 * the service's connection executed, in order, with its parameters.
 *
 *   pgbench_script SCRIPT ARGS [TOKEN] < server.log-delta
 *
 * Reads stderr-format log lines (log_line_prefix '%m [%p] %a: '; continuation
 * lines start with a tab) of application_name inclusion-api. Writes SCRIPT,
 * where $n of the k-th statement becomes the pgbench variable :qkpn (sent as
 * a parameter), and ARGS, the pgbench options: the protocol the server used
 * (-M prepared when it executed named statements, as db_pool_exec does, -M
 * extended for unnamed ones, as PQexecParams), and the definitions of those
 * variables ("-D" "qkpn=value"), separated by NUL bytes (values may hold
 * anything but NUL). A NULL parameter becomes the literal NULL, an empty one
 * the literal '' (pgbench refuses an empty -D value).
 *
 * TOKEN, when given, is a value that must differ at each transaction (an
 * Idempotency-Key): every parameter that contains it gets a fresh value at the
 * start of each pgbench transaction, made by one extra `SELECT … \gset` (the
 * only statement of the script the server did not run; pgbench has no string
 * expressions). Exits 1 with a message when the capture holds no statement or
 * a statement pgbench would misread. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_STATEMENTS 512
#define MAX_PARAMS     64

struct statement {
    char *sql;
    int nparams;
    char *params[MAX_PARAMS]; /* NULL: SQL NULL */
};

static struct statement statements[MAX_STATEMENTS];
static int nstatements;
static char first_pid[16]; /* the connection that served the request */
static bool named;         /* the server executed prepared statements */

static void die(const char *message)
{
    fprintf(stderr, "pgbench_script: %s\n", message);
    exit(1);
}

/* One log entry: its first line's fields and the text, continuation lines
 * joined back (PostgreSQL writes "\n\t" for each newline of a message). */
struct entry {
    char pid[16];
    char app[64];
    char level[16];
    char *text; /* owned */
};

/* Parses "2026-11-27 08:49:41.272 UTC [4389] app: LEVEL:  text"; false when
 * the line does not start an entry. */
static bool entry_start(const char *line, struct entry *e)
{
    if (line[0] < '0' || line[0] > '9')
        return false;
    const char *open = strstr(line, " [");
    const char *close = open ? strchr(open, ']') : NULL;
    if (!close || close[1] != ' ')
        return false;
    snprintf(e->pid, sizeof e->pid, "%.*s", (int)(close - open - 2), open + 2);
    const char *app = close + 2;
    const char *colon = strstr(app, ": ");
    if (!colon)
        return false;
    snprintf(e->app, sizeof e->app, "%.*s", (int)(colon - app), app);
    const char *level = colon + 2;
    const char *sep = strstr(level, ":  ");
    if (!sep)
        return false;
    snprintf(e->level, sizeof e->level, "%.*s", (int)(sep - level), level);
    e->text = strdup(sep + 3);
    return e->text != NULL;
}

static void append(char **text, const char *more)
{
    size_t a = strlen(*text), b = strlen(more);
    char *joined = realloc(*text, a + b + 2);
    if (!joined)
        die("out of memory");
    joined[a] = '\n';
    memcpy(joined + a + 1, more, b + 1);
    *text = joined;
}

/* "$1 = 'a''b', $2 = NULL" into s->params. */
static void parse_params(struct statement *s, const char *p)
{
    while (*p == '$') {
        int n = (int)strtol(p + 1, (char **)&p, 10);
        if (n != s->nparams + 1 || n > MAX_PARAMS || strncmp(p, " = ", 3) != 0)
            die("unexpected parameter list in the log");
        p += 3;
        char *value = NULL;
        if (strncmp(p, "NULL", 4) == 0) {
            p += 4;
        } else if (*p == '\'') {
            value = malloc(strlen(p) + 1);
            if (!value)
                die("out of memory");
            size_t len = 0;
            for (p++;; p++) {
                if (*p == '\0')
                    die("unterminated parameter value (log_parameter_max_length?)");
                if (*p == '\'' && p[1] == '\'') {
                    value[len++] = '\'';
                    p++;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    value[len++] = *p;
                }
            }
            value[len] = '\0';
        } else {
            die("unexpected parameter value in the log");
        }
        s->params[s->nparams++] = value;
        if (strncmp(p, ", ", 2) == 0)
            p += 2;
    }
}

/* A LOG entry of a statement: "duration: 0.1 ms  execute <unnamed>: SQL" or
 * "duration: 0.1 ms  statement: SQL" (parse and bind steps are skipped). */
static void take(struct entry *e, struct entry *detail)
{
    if (strcmp(e->app, "inclusion-api") != 0 || strcmp(e->level, "LOG") != 0 ||
        strncmp(e->text, "duration: ", 10) != 0)
        return;
    const char *step = strstr(e->text, " ms  ");
    if (!step)
        return;
    step += 5;
    const char *sql;
    if (strncmp(step, "statement: ", 11) == 0)
        sql = step + 11;
    else if (strncmp(step, "execute ", 8) == 0 && (sql = strstr(step, ": ")) != NULL) {
        named = named || strncmp(step + 8, "<unnamed>", 9) != 0;
        sql += 2;
    } else
        return;
    if (nstatements == MAX_STATEMENTS)
        die("too many statements");
    if (nstatements == 0)
        snprintf(first_pid, sizeof first_pid, "%s", e->pid);
    else if (strcmp(first_pid, e->pid) != 0)
        die("statements of more than one connection: the server was not idle during the capture");
    struct statement *s = &statements[nstatements++];
    s->sql = strdup(sql);
    if (!s->sql)
        die("out of memory");
    if (detail && strcmp(detail->pid, e->pid) == 0 && strcmp(detail->level, "DETAIL") == 0 &&
        strncmp(detail->text, "parameters: ", 12) == 0)
        parse_params(s, detail->text + 12);
}

static void read_log(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    struct entry entries[2] = {{.text = NULL}, {.text = NULL}};
    int have = 0; /* entries held: a statement waits for its DETAIL */
    while ((len = getline(&line, &cap, in)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (line[0] == '\t' && have > 0) {
            append(&entries[have - 1].text, line + 1);
            continue;
        }
        struct entry next;
        if (!entry_start(line, &next))
            continue;
        if (have == 2) {
            take(&entries[0], &entries[1]);
            free(entries[0].text);
            entries[0] = entries[1];
            have = 1;
        }
        entries[have++] = next;
    }
    if (have == 2) {
        take(&entries[0], &entries[1]);
        take(&entries[1], NULL);
    } else if (have == 1) {
        take(&entries[0], NULL);
    }
    free(entries[0].text);
    free(entries[1].text);
    free(line);
}

/* pgbench reads ":name" as a variable anywhere, inside string literals too. */
static void check_colons(const char *sql)
{
    for (const char *p = sql; (p = strchr(p, ':')) != NULL;) {
        if (p[1] == ':') {
            while (*p == ':')
                p++;
            continue;
        }
        char c = p[1];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_') {
            fprintf(stderr, "pgbench_script: pgbench would read a variable in: %s\n", sql);
            exit(1);
        }
        p++;
    }
}

static void write_arg(FILE *args, const char *name, const char *value)
{
    fprintf(args, "-D%c%s=%s%c", 0, name, value, 0);
}

static void write_sql_literal(FILE *out, const char *text)
{
    fputc('\'', out);
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            fputc('\'', out);
        fputc(*p, out);
    }
    fputc('\'', out);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4)
        die("usage: pgbench_script SCRIPT ARGS [TOKEN] < log");
    const char *token = argc == 4 && argv[3][0] ? argv[3] : NULL;
    read_log(stdin);
    if (nstatements == 0)
        die("no statement of inclusion-api in the log");
    FILE *out = fopen(argv[1], "w");
    FILE *args = fopen(argv[2], "wb");
    if (!out || !args)
        die("cannot write the script or its arguments");
    fprintf(args, "-M%c%s%c", 0, named ? "prepared" : "extended", 0);
    fprintf(out,
            "-- Generated by tests/bench/pgbench_script.c from the %d statements the server\n"
            "-- ran for one request (do not edit: make bench writes it again).\n",
            nstatements);

    /* The values that must change at each transaction, from their templates. */
    bool varied = false;
    for (int k = 0; k < nstatements && token; k++)
        for (int n = 0; n < statements[k].nparams; n++) {
            const char *v = statements[k].params[n];
            if (!v || !strstr(v, token))
                continue;
            fprintf(out, varied ? ",\n  " : "\\set u random(1, 999999999999999)\nSELECT ");
            fprintf(out, "replace(:t_q%dp%d::text, ", k + 1, n + 1);
            write_sql_literal(out, token);
            fprintf(out,
                    ", 'bench-' || :run::text || '-' || :client_id::text || '-' || :u::text)"
                    " AS q%dp%d",
                    k + 1, n + 1);
            varied = true;
        }
    if (token && !varied)
        die("the token appears in no parameter");
    if (varied) {
        fprintf(out, " \\gset\n");
        char run[32];
        snprintf(run, sizeof run, "%lld", (long long)time(NULL));
        write_arg(args, "run", run);
    }

    for (int k = 0; k < nstatements; k++) {
        const struct statement *s = &statements[k];
        check_colons(s->sql);
        bool quoted = false;
        for (const char *p = s->sql; *p; p++) {
            if (*p == '\'')
                quoted = !quoted;
            if (!quoted && *p == '$' && p[1] >= '1' && p[1] <= '9') {
                char *end;
                long n = strtol(p + 1, &end, 10);
                if (n > s->nparams)
                    die("a statement uses a parameter the log does not show");
                if (!s->params[n - 1])
                    fputs("NULL", out);
                else if (!s->params[n - 1][0]) /* pgbench refuses "-D name=" */
                    fputs("''", out);
                else
                    fprintf(out, ":q%dp%ld", k + 1, n);
                p = end - 1;
                continue;
            }
            fputc(*p, out);
        }
        fputs(";\n", out);
        for (int n = 0; n < s->nparams; n++) {
            const char *v = s->params[n];
            if (!v || !v[0])
                continue;
            char name[32];
            bool templ = token && strstr(v, token);
            snprintf(name, sizeof name, "%sq%dp%d", templ ? "t_" : "", k + 1, n + 1);
            write_arg(args, name, v);
        }
    }
    if (fclose(out) != 0 || fclose(args) != 0)
        die("cannot write the script or its arguments");
    return 0;
}
