/* What integration tests share to send requests and read answers: one way to
 * call the test server, unique references, times and problem fields. */
#ifndef TEST_EXPECT_H
#define TEST_EXPECT_H

#include "support/client.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A request to the test server (server.base_url + path) with, each when not
 * NULL, a bearer token, a JSON body and one more header ("Name: value").
 * `checked`: the answer is validated against openapi.yaml (never from
 * threads: the validator is not thread-safe); otherwise it is not. No static
 * buffer: threads may call it. The caller frees the response. */
struct response *api_call(bool checked, const char *method, const char *path, const char *token,
                          const char *body, const char *extra_header);

/* api_call, checked, with `doc` (stolen, may be NULL) sent as compact JSON. */
struct response *api_call_json(const char *method, const char *path, const char *token,
                               json_t *doc);

/* The string member `key` of `obj`, or NULL (absent, not a string, obj NULL). */
const char *json_str(const json_t *obj, const char *key);

/* A reference no other test run uses: prefix, time, process, a counter. */
void test_nonce(const char *prefix, char *buf, size_t cap);

/* `t` as RFC 3339 in UTC ("2026-12-08T08:00:00Z") into buf. */
void rfc3339_utc(time_t t, char *buf, size_t cap);

/* Seconds since the epoch of an RFC 3339 time with any offset (asserts that
 * it is one). */
double rfc3339_seconds(const char *s);

/* True when the problem in `r` has an entry of `errors` for `field`. */
bool names_field(const struct response *r, const char *field);

/* POSTs `doc` (stolen) to path as token, with one more header `extra` (may be
 * NULL), checked against the OpenAPI document; asserts 201 and, when id is not
 * NULL, copies the new object's id into it (asserted not empty). */
void post_created(const char *path, const char *token, json_t *doc, const char *extra, char *id,
                  size_t cap);

#endif
