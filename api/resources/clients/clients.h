/* /v1/clients: the API clients of the partners (OAuth 2.0 client
 * credentials), managed by an operator (scope admin). A secret is shown once,
 * at creation and at rotation, and stored only as its SHA-256. */
#ifndef CLIENTS_H
#define CLIENTS_H

#include "http.h"

extern const char *const clients_list_query[];

void clients_create(struct req *r);
void clients_list(struct req *r);
void clients_get(struct req *r);
void clients_update(struct req *r);
void clients_delete(struct req *r);
void clients_rotate_secret(struct req *r);

#endif
