/* Key rotation under a running load (issue #15): for 20 s, two threads call
 * GET /v1/organizations without pause (one keep-alive connection each, at
 * most one request a millisecond) with tokens they get from /oauth/token,
 * while a key is generated (KEY_ACTIVATION_DELAY_S=2, KEYS_REFRESH_S=1) and
 * the old one retired: not one answer but 2xx, the new key signs, and a token
 * of the old key keeps verifying until the end. On a database of its own, so
 * that its keys are the only ones. */
#include "support/fixture.h"
#include "support/private_db.h"

#include "base64url.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ISSUER     "https://inclusion.test"
#define DURATION_S 20
#define WORKERS    2

static struct private_db db;
static char *admin;

static void run_in_db(const char *const *args, const char *extra, char *out, size_t cap)
{
    const char *env[] = {db.env_url, extra ? extra : "KEY_ACTIVATION_DELAY_S=0", NULL};
    char *output = NULL;
    cr_assert_eq(run_binary(args, env, &output), 0, "%s: %s", args[0], output);
    if (out)
        snprintf(out, cap, "%s", output);
    free(output);
}

/* `keys generate` with `extra` in the environment; its kid into kid. */
static void generate(const char *extra, char *kid, size_t cap)
{
    const char *args[] = {"keys", "generate", NULL};
    char out[256];
    run_in_db(args, extra, out, sizeof out);
    snprintf(kid, cap, "%.*s", (int)strcspn(out, "\t"), out);
}

static char old_kid[80];

static void start(void)
{
    private_db_create(&db, "inclusion_rotation");
    const char *migrate[] = {"migrate", NULL}, *seed[] = {"seed", NULL};
    run_in_db(migrate, NULL, NULL, 0);
    run_in_db(seed, NULL, NULL, 0);
    generate(NULL, old_kid, sizeof old_kid);
    /* the load is one organisation from one address: no rate limit */
    const char *env[] = {db.env_url,
                         "TOKEN_ISSUER=" ISSUER,
                         "KEYS_REFRESH_S=1",
                         "RATE_LIMIT_ORG_PER_S=0",
                         "RATE_LIMIT_IP_PER_S=0",
                         NULL};
    fixture_start_with(env);
    fixture_token(&admin, "gers-numerique", "admin");
}

static void stop(void)
{
    fixture_stop();
    private_db_drop(&db);
}

TestSuite(key_rotation_load, .init = start, .fini = stop, .timeout = 120);

/* ---- the load: libcurl directly, one handle (keep-alive) per thread ---- */

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

static char client_id[65], client_secret[65];
static char first_token[2048]; /* signed by the old key, before the rotation */
static atomic_long requests, refused, new_kid_tokens;
static atomic_bool stopping, new_kid_known;
static pthread_mutex_t first_failure_lock = PTHREAD_MUTEX_INITIALIZER;
static char first_failure[512];
static char new_kid[80];

static void record(long status, const char *what, const char *body)
{
    atomic_fetch_add(&requests, 1);
    if (status >= 200 && status < 300)
        return;
    atomic_fetch_add(&refused, 1);
    pthread_mutex_lock(&first_failure_lock);
    if (!first_failure[0])
        snprintf(first_failure, sizeof first_failure, "%s: %ld %.300s", what, status,
                 body ? body : "");
    pthread_mutex_unlock(&first_failure_lock);
}

static long perform(CURL *curl, const char *path, struct curl_slist *headers, const char *form,
                    struct sink *body)
{
    char target[256];
    snprintf(target, sizeof target, "%s%s", server.base_url, path);
    body->len = 0;
    if (body->data)
        body->data[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, target);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (form) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* The kid in a token's header into out ("" when unreadable). */
static void kid_of(const char *token, char *out, size_t cap)
{
    size_t raw_len = 0;
    unsigned char *raw = base64url_decode(token, strcspn(token, "."), &raw_len);
    json_t *header = raw ? json_loadb((const char *)raw, raw_len, 0, NULL) : NULL;
    snprintf(out, cap, "%s", header ? json_string_value(json_object_get(header, "kid")) : "");
    json_decref(header);
    free(raw);
}

/* POST /oauth/token (client_secret_post); the token into token. */
static bool fetch_token(CURL *curl, struct sink *body, char *token, size_t cap)
{
    char form[256];
    snprintf(form, sizeof form, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             client_id, client_secret);
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    long status = perform(curl, "/oauth/token", headers, form, body);
    curl_slist_free_all(headers);
    record(status, "POST /oauth/token", body->data);
    if (status != 200)
        return false;
    json_t *answer = json_loads(body->data, 0, NULL);
    const char *t = json_string_value(json_object_get(answer, "access_token"));
    bool ok = t && strlen(t) < cap;
    if (ok)
        snprintf(token, cap, "%s", t);
    json_decref(answer);
    return ok;
}

static long get_organizations(CURL *curl, struct sink *body, const char *token)
{
    char auth[2200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    long status = perform(curl, "/v1/organizations?limit=1", headers, NULL, body);
    curl_slist_free_all(headers);
    record(status, "GET /v1/organizations", body->data);
    return status;
}

static void *worker(void *arg)
{
    (void)arg;
    CURL *curl = curl_easy_init();
    struct sink body = {0};
    char token[2048] = "", kid[80];
    for (long i = 0; !atomic_load(&stopping); i++) {
        /* a fresh token every 50 requests: signed by whichever key signs now */
        if (i % 50 == 0 && fetch_token(curl, &body, token, sizeof token)) {
            kid_of(token, kid, sizeof kid);
            if (atomic_load(&new_kid_known) && strcmp(kid, new_kid) == 0)
                atomic_fetch_add(&new_kid_tokens, 1);
        }
        if (token[0])
            get_organizations(curl, &body, token);
        if (i % 10 == 5)
            get_organizations(curl, &body, first_token); /* the old key's */
        usleep(1000);
    }
    free(body.data);
    curl_easy_cleanup(curl);
    return NULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_until(double when)
{
    while (now_s() < when)
        usleep(50 * 1000);
}

/* True when the JWKS publishes `kid`. */
static bool jwks_has(const char *kid)
{
    struct response *r = http_request("GET", url("/.well-known/jwks.json"), NULL, NULL);
    json_t *jwks = response_json(r);
    json_t *keys = json_object_get(jwks, "keys"), *key;
    size_t i;
    bool found = false;
    json_array_foreach(keys, i, key)
    {
        if (strcmp(json_string_value(json_object_get(key, "kid")), kid) == 0)
            found = true;
    }
    json_decref(jwks);
    response_free(r);
    return found;
}

Test(key_rotation_load, a_key_is_added_and_the_old_one_retired_under_load_without_a_refusal)
{
    char auth[4096];
    const char *headers[] = {bearer_header(admin, auth, sizeof auth),
                             "Content-Type: application/json", NULL};
    struct response *r = http_request(
        "POST", url("/v1/clients"), headers,
        "{\"org\":\"caf-gers\",\"name\":\"SI en charge\",\"scopes\":[\"places:read\"]}");
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *client = response_json(r);
    snprintf(client_id, sizeof client_id, "%s",
             json_string_value(json_object_get(client, "client_id")));
    snprintf(client_secret, sizeof client_secret, "%s",
             json_string_value(json_object_get(client, "client_secret")));
    json_decref(client);
    response_free(r);
    {
        CURL *curl = curl_easy_init();
        struct sink body = {0};
        cr_assert(fetch_token(curl, &body, first_token, sizeof first_token), "%s", body.data);
        free(body.data);
        curl_easy_cleanup(curl);
    }
    char kid[80];
    kid_of(first_token, kid, sizeof kid);
    cr_assert_str_eq(kid, old_kid, "the first token is the old key's");

    double started = now_s();
    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, worker, NULL), 0);

    /* 3 s in: a new key, published at once, signing 2 s later */
    sleep_until(started + 3);
    char next[80];
    generate("KEY_ACTIVATION_DELAY_S=2", next, sizeof next);
    snprintf(new_kid, sizeof new_kid, "%s", next);
    atomic_store(&new_kid_known, true); /* the workers read new_kid from now on */
    /* 8 s in (the new key signs since ~6 s, every instance knows it): retire the old one */
    sleep_until(started + 8);
    const char *retire[] = {"keys", "retire", old_kid, NULL};
    run_in_db(retire, NULL, NULL, 0);
    sleep_until(started + DURATION_S);
    atomic_store(&stopping, true);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);

    long total = atomic_load(&requests), bad = atomic_load(&refused);
    cr_log_info("key rotation under load: %ld requests in %d s, %ld not 2xx", total, DURATION_S,
                bad);
    cr_expect_eq(bad, 0, "%ld of %ld requests were not 2xx; the first: %s", bad, total,
                 first_failure);
    cr_expect_gt(total, 2000, "a load, not a trickle: %ld requests", total);
    cr_expect_gt(atomic_load(&new_kid_tokens), 0, "the new key signed tokens during the run");
    cr_expect(jwks_has(old_kid), "the retired key stays published while its tokens live");
    r = http_get(server.base_url, "/v1/organizations?limit=1", first_token);
    cr_expect_eq(r->status, 200, "the old key's token still verifies after the run: %s", r->body);
    response_free(r);
}
