/* See expect.h. */
#include "support/expect.h"

#include "support/fixture.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct response *api_call(bool checked, const char *method, const char *path, const char *token,
                          const char *body, const char *extra_header)
{
    char auth[4096], target[2048];
    const char *headers[4];
    size_t n = 0;
    if (token)
        headers[n++] = bearer_header(token, auth, sizeof auth);
    if (body)
        headers[n++] = "Content-Type: application/json";
    if (extra_header)
        headers[n++] = extra_header;
    headers[n] = NULL;
    snprintf(target, sizeof target, "%s%s", server.base_url, path);
    return checked ? http_request(method, target, headers, body)
                   : http_request_raw(method, target, headers, body);
}

struct response *api_call_json(const char *method, const char *path, const char *token, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    struct response *r = api_call(true, method, path, token, text, NULL);
    free(text);
    return r;
}

const char *json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void test_nonce(const char *prefix, char *buf, size_t cap)
{
    static atomic_int counter;
    snprintf(buf, cap, "%s%ldp%dn%03d", prefix, (long)time(NULL), (int)getpid(),
             atomic_fetch_add(&counter, 1));
}

void rfc3339_utc(time_t t, char *buf, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double rfc3339_seconds(const char *s)
{
    struct tm tm = {0};
    double sec = 0;
    int consumed = 0;
    cr_assert(s && sscanf(s, "%d-%d-%dT%d:%d:%lf%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                          &tm.tm_hour, &tm.tm_min, &sec, &consumed) == 6,
              "an RFC 3339 time: %s", s ? s : "(null)");
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    double t = (double)timegm(&tm) + sec;
    const char *zone = s + consumed;
    if (*zone == '+' || *zone == '-') {
        int h = 0, m = 0;
        sscanf(zone + 1, "%d:%d", &h, &m);
        t -= (*zone == '+' ? 1 : -1) * (h * 3600 + m * 60);
    }
    return t;
}

bool names_field(const struct response *r, const char *field)
{
    json_t *body = response_json(r);
    json_t *errors = json_object_get(body, "errors");
    size_t i;
    json_t *e;
    bool found = false;
    json_array_foreach(errors, i, e)
    {
        const char *f = json_string_value(json_object_get(e, "field"));
        if (f && strcmp(f, field) == 0)
            found = true;
    }
    json_decref(body);
    return found;
}

void post_created(const char *path, const char *token, json_t *doc, const char *extra, char *id,
                  size_t cap)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct response *r = api_call(true, "POST", path, token, text, extra);
    cr_assert_eq(r->status, 201, "POST %s %s: %ld %s", path, text, r->status, r->body);
    free(text);
    json_t *body = response_json(r);
    response_free(r);
    if (id) {
        const char *value = json_string_value(json_object_get(body, "id"));
        snprintf(id, cap, "%s", value ? value : "");
        cr_assert(id[0], "POST %s gives an id", path);
    }
    json_decref(body);
}
