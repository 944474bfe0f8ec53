/* /v1/webhooks: an organisation's subscriptions to events, their deliveries
 * (scope webhooks:write). */
#ifndef WEBHOOKS_H
#define WEBHOOKS_H

#include "http.h"

void webhooks_create(struct req *r);     /* POST /v1/webhooks */
void webhooks_list(struct req *r);       /* GET /v1/webhooks */
void webhooks_get(struct req *r);        /* GET /v1/webhooks/{id} */
void webhooks_update(struct req *r);     /* PATCH /v1/webhooks/{id} */
void webhooks_delete(struct req *r);     /* DELETE /v1/webhooks/{id} */
void webhooks_rotate(struct req *r);     /* POST /v1/webhooks/{id}/secret */
void webhooks_ping(struct req *r);       /* POST /v1/webhooks/{id}/ping */
void webhooks_deliveries(struct req *r); /* GET /v1/webhooks/{id}/deliveries */
void webhooks_retry(struct req *r);      /* POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry */

extern const char *const webhooks_deliveries_query[];

#endif
