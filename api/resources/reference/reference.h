/* GET /v1/reference/{list}: the code lists clients show to people, each code
 * with its label in the negotiated language. Public and cacheable. */
#ifndef REFERENCE_H
#define REFERENCE_H

#include "http.h"

void reference_list(struct req *r);

#endif
