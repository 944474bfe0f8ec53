/* A small HTTP client for integration tests (libcurl). Every checked request's
 * response is validated against openapi/openapi.yaml (the dereferenced bundle
 * in OPENAPI_JSON, default build/openapi.json) with a Criterion expectation. */
#ifndef TEST_CLIENT_H
#define TEST_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct response {
    long status;
    char *body; /* NUL-terminated */
    size_t body_len;
    char *headers; /* the raw header block of the final response */
};

/* Sends a request. `headers` are "Name: value" strings, NULL-terminated (may be
 * NULL); `body` may be NULL. The caller frees the response with response_free. */
struct response *http_request(const char *method, const char *url, const char *const *headers,
                              const char *body);

/* The same, without the OpenAPI check: for paths or methods the API does not
 * have (404, 405) and for deliberately broken requests. */
struct response *http_request_raw(const char *method, const char *url, const char *const *headers,
                                  const char *body);

/* GET with an optional bearer token. */
struct response *http_get(const char *base_url, const char *path, const char *token);

/* A header's value (first occurrence, case-insensitive name) copied into buf;
 * NULL when absent. */
const char *response_header(const struct response *r, const char *name, char *buf, size_t cap);

/* The body parsed as JSON (new reference), or NULL. */
json_t *response_json(const struct response *r);

void response_free(struct response *r);

/* True when GET /healthz answers 200. */
bool http_ping(const char *base_url);

/* "Authorization: Bearer <token>" in buf. */
const char *bearer_header(const char *token, char *buf, size_t cap);

#endif
