/* JSON Merge Patch (RFC 7396). */
#ifndef MERGE_PATCH_H
#define MERGE_PATCH_H

#include <jansson.h>

/* Applies `patch` to `target` and returns the result: a new reference the
 * caller decrefs (target and patch are borrowed, not changed). A member set to
 * null in the patch is removed; a non-object patch replaces the target. */
json_t *merge_patch_apply(const json_t *target, json_t *patch);

#endif
