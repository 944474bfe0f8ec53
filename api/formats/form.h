/* application/x-www-form-urlencoded (the HTML/WHATWG encoding RFC 6749
 * §B uses): name=value pairs joined by '&', '+' for a space, %XX escapes. */
#ifndef FORM_H
#define FORM_H

#include <jansson.h>
#include <stddef.h>

/* Decodes one component (`len` bytes) into a new NUL-terminated string the
 * caller frees; NULL when an escape is malformed or decodes to a NUL byte. */
char *form_decode_component(const char *text, size_t len);

/* Parses a body into an object of strings (a new reference the caller
 * decrefs). A parameter without a value ("a=" or "a") is kept as "". NULL
 * with a static reason in *why when a component is malformed or a name is
 * repeated (RFC 6749 §3.2: parameters MUST NOT be included more than once). */
json_t *form_parse(const char *body, size_t len, const char **why);

#endif
