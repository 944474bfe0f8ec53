#include "support/client.h"

#include "support/openapi_check.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sink {
    char *data;
    size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(s->data, s->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + s->len, ptr, n);
    s->data = grown;
    s->len += n;
    s->data[s->len] = '\0';
    return n;
}

static size_t collect_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    /* A new status line starts a new header block (after 100 Continue). */
    if (size * nmemb >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
        s->len = 0;
    return collect(ptr, size, nmemb, userdata);
}

static bool contract_loaded(void)
{
    static int state = 0; /* per test process: 0 not tried, 1 loaded, -1 failed */
    if (state == 0) {
        const char *path = getenv("OPENAPI_JSON");
        state = openapi_load(path ? path : "build/openapi.json") == 0 ? 1 : -1;
    }
    return state == 1;
}

static struct response *perform(const char *method, const char *url, const char *const *headers,
                                const char *body, bool checked)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *list = NULL;
    struct sink body_sink = {0}, header_sink = {0};
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_sink);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(curl);
    struct response *r = calloc(1, sizeof *r);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = body_sink.data ? body_sink.data : strdup("");
    r->body_len = body_sink.len;
    r->headers = header_sink.data ? header_sink.data : strdup("");
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (checked && rc == CURLE_OK && contract_loaded()) {
        const char *path = strstr(url, "://");
        path = path ? strchr(path + 3, '/') : url;
        char content_type[128];
        char err[512] = "";
        bool ok = openapi_check_response(
            method, path ? path : "/", (int)r->status,
            response_header(r, "Content-Type", content_type, sizeof content_type), r->body,
            r->body_len, err, sizeof err);
        cr_expect(ok, "%s %s -> %ld does not match openapi.yaml: %s", method, path, r->status, err);
    }
    return r;
}

struct response *http_request(const char *method, const char *url, const char *const *headers,
                              const char *body)
{
    return perform(method, url, headers, body, true);
}

struct response *http_request_raw(const char *method, const char *url, const char *const *headers,
                                  const char *body)
{
    return perform(method, url, headers, body, false);
}

struct response *http_get(const char *base_url, const char *path, const char *token)
{
    char url[2048], auth[9000];
    snprintf(url, sizeof url, "%s%s", base_url, path);
    const char *headers[] = {token ? bearer_header(token, auth, sizeof auth) : NULL, NULL};
    return http_request("GET", url, headers, NULL);
}

const char *response_header(const struct response *r, const char *name, char *buf, size_t cap)
{
    size_t name_len = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > name_len && line[name_len] == ':' && strncasecmp(line, name, name_len) == 0) {
            const char *v = line + name_len + 1;
            while (*v == ' ')
                v++;
            size_t vlen = len - (size_t)(v - line);
            snprintf(buf, cap, "%.*s", (int)vlen, v);
            return buf;
        }
        line = end ? end + 2 : NULL;
    }
    return NULL;
}

json_t *response_json(const struct response *r)
{
    return json_loadb(r->body, r->body_len, 0, NULL);
}

void response_free(struct response *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->headers);
    free(r);
}

bool http_ping(const char *base_url)
{
    char url[128];
    snprintf(url, sizeof url, "%s/healthz", base_url);
    CURL *curl = curl_easy_init();
    struct sink sink = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 2L);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    free(sink.data);
    return status == 200;
}

const char *bearer_header(const char *token, char *buf, size_t cap)
{
    snprintf(buf, cap, "Authorization: Bearer %s", token);
    return buf;
}
