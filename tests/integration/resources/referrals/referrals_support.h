/* What the referral tests share: tokens of four partners, requests to the
 * referral routes, a valid referral document, direct reads of the database.
 * The database is shared with other tests running in parallel: every referral
 * is created by the test that uses it, with notes and a key unique to the
 * process and the call (test_nonce), and counted through those notes. */
#ifndef REFERRALS_SUPPORT_H
#define REFERRALS_SUPPORT_H

#include "support/expect.h"
#include "support/fixture.h"

#include <libpq-fe.h>
#include <time.h>

extern char *mirande, *caf, *poste, *travail, *mirande_reader, *caf_reader, *unscoped,
    *places_writer, *admin;

#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"

/* Mints the tokens above (fixture_token: fixture_stop frees them). */
void tokens(void);

/* Every request to a referral route goes through here (thread-safe: no
 * static buffer). `key` is the Idempotency-Key (NULL: no header). */
struct response *call_with(bool checked, const char *method, const char *path, const char *token,
                           const char *body, const char *key);

struct response *call(const char *method, const char *path, const char *token, const char *body,
                      const char *key);

bool str_is(json_t *obj, const char *key, const char *value);

bool is_null(json_t *obj, const char *key);

/* The problem's detail mentions `word`. */
bool detail_names(struct response *r, const char *word);

/* A valid referral to `to_org`, with `notes` (unique per test: it is how the
 * referrals of a test are counted). The beneficiary's last name carries the
 * notes too, to look for it in the database once erased. */
json_t *referral_doc(const char *to_org, const char *notes);

char *dump(json_t *doc);

/* POSTs `doc` as token under a new key. */
struct response *post_doc(const char *token, json_t *doc);

/* Creates a referral from token's organisation to `to_org` (asserts 201);
 * returns it, its id into id. */
json_t *create_referral_from(const char *token, const char *to_org, char *id, size_t cap);

/* france-services-mirande → caf-gers */
json_t *create_referral(char *id, size_t cap);

struct response *get_referral(const char *token, const char *id);

/* The referral as token sees it (asserts 200). */
json_t *referral(const char *token, const char *id);

struct response *post_event(const char *token, const char *id, const char *body);

/* {"type": type} as token: the status of the answer. */
long move(const char *token, const char *id, const char *type);

/* Posts an event (asserts 201); returns it. */
json_t *event_ok(const char *token, const char *id, const char *body);

/* GET /v1/referrals/{id}/<what> as token. */
struct response *sub_list(const char *token, const char *id, const char *what);

/* The items of events or access-log (asserts 200, next_cursor null). */
json_t *items_of(const char *token, const char *id, const char *what);

const char *status_of(const char *token, const char *id, char *buf, size_t cap);

void expect_status(const char *id, const char *status);

PGconn *db(void);

/* Runs sql with one parameter; returns the result (caller clears). */
PGresult *sql1(PGconn *c, const char *sql, const char *param);

/* The referrals whose notes are `notes`. */
long count_referrals(const char *notes);

/* Suite fixtures: a server with the default configuration and the tokens;
 * the same with enough HTTP threads and database connections for requests
 * to really run side by side. Either stops with fixture_stop. */
void referrals_start(void);
void referrals_start_concurrent(void);

#endif
