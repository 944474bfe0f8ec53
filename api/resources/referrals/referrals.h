/* /v1/referrals: one partner sends a resident to another; private to the two. */
#ifndef REFERRALS_H
#define REFERRALS_H

#include "http.h"

void referrals_create(struct req *r);
void referrals_list(struct req *r);
void referrals_get(struct req *r);
void referrals_add_event(struct req *r);
void referrals_events(struct req *r);
void referrals_access_log(struct req *r);

extern const char *const referrals_list_query[]; /* the list's query parameters */

#endif
