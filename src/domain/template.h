/*
 * Agent message templates: text with {{variable}} placeholders that are
 * filled from a line's custom variables before a call.
 *
 * A placeholder is "{{", optional spaces or tabs, a name, optional spaces
 * or tabs, and "}}". A name is letters, digits, '_' and '.', neither
 * starting nor ending with '.' nor holding "..". A "}}" outside a
 * placeholder is ordinary text, so prompts may quote JSON.
 */
#ifndef CD_TEMPLATE_H
#define CD_TEMPLATE_H

#include <jansson.h>

#include "core/verr.h"

/* Longest template accepted, in bytes, and longest rendered text. */
#define TEMPLATE_MAX_LEN    (64 * 1024)
#define TEMPLATE_MAX_OUTPUT (1024 * 1024)

/*
 * Returns 0 when tmpl is well formed. An unclosed "{{", an empty
 * placeholder or a bad name returns CD_EINVAL with code "invalid_template";
 * a template over TEMPLATE_MAX_LEN returns CD_ERANGE with code
 * "template_too_long". *err (when not NULL) gets the field and a message
 * naming the byte offset of the problem. A NULL tmpl is invalid.
 */
int template_check(const char *tmpl, struct verr *err, const char *field);

/*
 * Returns a new reference to an array of the distinct placeholder names in
 * tmpl, as strings in order of first appearance (whitespace inside the
 * braces removed). Returns NULL when tmpl fails template_check() or memory
 * runs out.
 */
json_t *template_variables(const char *tmpl);

/*
 * Fills the placeholders of tmpl from the object vars (NULL means none).
 * A name is looked up as a key of vars; a dotted name with no such key is
 * then followed through nested objects ("a.b" is vars.a.b). Strings are
 * inserted as they are, integers, reals (up to 15 significant digits) and
 * booleans as their JSON text, objects and arrays as compact JSON. A name
 * with no value, or a null value, is missing: its placeholder is copied
 * unchanged into the output so it stays visible.
 *
 * On success returns 0, sets *out to a malloc'd NUL-terminated string the
 * caller frees, and *missing (when not NULL) to a new reference to an array
 * of the distinct missing names in order, empty when none. On failure sets
 * *out and *missing to NULL and returns CD_EINVAL (tmpl fails
 * template_check()), CD_ERANGE (tmpl longer than TEMPLATE_MAX_LEN or the
 * output longer than TEMPLATE_MAX_OUTPUT) or CD_ENOMEM.
 */
int template_render(const char *tmpl, const json_t *vars, char **out,
		    json_t **missing);

#endif
