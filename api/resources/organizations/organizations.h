/* /v1/organizations: the partner directory. */
#ifndef ORGANIZATIONS_H
#define ORGANIZATIONS_H

#include "http.h"

void organizations_list(struct req *r);
void organizations_get(struct req *r);
void organizations_create(struct req *r);
void organizations_update(struct req *r);

#endif
