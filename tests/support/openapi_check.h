/* Test support: checks HTTP responses against the OpenAPI 3.1 document.
 *
 * Ownership: this header and openapi_check.c belong to the test support layer
 * (the response validator); the document itself is openapi/openapi.yaml, bundled
 * fully dereferenced into build/openapi.json by its own script. Local "$ref":
 * "#/..." pointers left in the bundle are still resolved against its root.
 *
 * The loaded document is module state (one per test process): call openapi_load
 * once, openapi_unload at the end, which frees everything this module holds. */
#ifndef OPENAPI_CHECK_H
#define OPENAPI_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Loads the dereferenced OpenAPI JSON at `path`. Returns 0, or -1 (message on stderr). */
int openapi_load(const char *path);
void openapi_unload(void);

/* Checks one response: the operation exists (method + concrete path matched against the
 * spec's path templates like /v1/organizations/{slug}; HEAD is checked as GET without body),
 * the status is documented (exact code, else "4XX"/"5XX" ranges, else "default"), the
 * Content-Type (media type before ';') is one documented for that status, and a JSON body
 * (application/json, application/problem+json, application/geo+json or any +json) validates
 * against the schema. Non-JSON bodies: only the media type is checked. Status 204/304 or
 * HEAD: no body check. Returns true, or false with a human-readable reason in err,
 * including the JSON pointer of the failing instance location.
 *
 * `path` may carry a query string (ignored). `content_type` may be NULL when the
 * response had none; `body` may be NULL when body_len is 0. */
bool openapi_check_response(const char *method, const char *path, int status,
                            const char *content_type, const char *body, size_t body_len, char *err,
                            size_t err_len);

/* The spec's operations as "METHOD /template" strings (upper-case methods), sorted.
 * Returns the count; *out is a malloc'ed array of malloc'ed strings the caller frees
 * with openapi_free_list(*out, count). */
size_t openapi_operations(char ***out);
void openapi_free_list(char **list, size_t count);

#endif
