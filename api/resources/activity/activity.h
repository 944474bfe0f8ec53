/* The inputs of the indicators: POST /v1/visits, /v1/assessments,
 * /v1/feedback, and GET /v1/reference/skills. */
#ifndef ACTIVITY_H
#define ACTIVITY_H

#include "http.h"

void activity_skills(struct req *r);     /* GET /v1/reference/skills (public) */
void activity_visit(struct req *r);      /* POST /v1/visits */
void activity_assessment(struct req *r); /* POST /v1/assessments */
void activity_feedback(struct req *r);   /* POST /v1/feedback */

#endif
