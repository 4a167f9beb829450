/*
 * Reading typed fields out of a JSON request body, each check naming the
 * field it rejects. Absent optional fields leave the output untouched.
 */
#ifndef CD_FIELDS_H
#define CD_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/verr.h"

/*
 * A string of at most max_len bytes of valid UTF-8 without NUL or C0
 * control characters other than tab, CR and LF; empty only when not
 * required. *out points into obj (no copy).
 */
int fields_string(const json_t *obj, const char *name, bool required,
		  size_t max_len, const char **out, struct verr *err);

/* An integer in [min, max]; JSON numbers with a fraction are refused. */
int fields_int(const json_t *obj, const char *name, bool required, int64_t min,
	       int64_t max, int64_t *out, struct verr *err);

/* A JSON true or false. */
int fields_bool(const json_t *obj, const char *name, bool required, bool *out,
		struct verr *err);

/* A JSON object; *out is borrowed from obj. */
int fields_object(const json_t *obj, const char *name, bool required,
		  const json_t **out, struct verr *err);

/*
 * Checks a custom_variables or metadata object: at most max_keys keys,
 * each key 1..64 bytes, each value a string (at most 1024 bytes), number,
 * boolean or null.
 */
int fields_flat_object(const json_t *obj, const char *name, size_t max_keys,
		       struct verr *err);

#endif
