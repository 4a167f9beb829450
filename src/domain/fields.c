/*
 * The JSON field checks of fields.h.
 */
#include <math.h>
#include <string.h>

#include "core/err.h"
#include "domain/fields.h"

#define VALUE_MAX 1024
#define KEY_MAX	  64

static int
missing(const char *name, bool required, struct verr *err)
{
	if (!required)
		return 1;
	return verr_set(err, name, "missing_field", "%s is required", name);
}

static bool
clean_text(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' &&
		    *s != '\r')
			return false;
	return true;
}

int
fields_string(const json_t *obj, const char *name, bool required,
	      size_t max_len, const char **out, struct verr *err)
{
	const json_t *v = json_object_get(obj, name);
	size_t len;

	if (v == NULL || json_is_null(v))
		return missing(name, required, err) > 0 ? 0 : CD_EINVAL;
	if (!json_is_string(v))
		return verr_set(err, name, "invalid_type",
				"%s must be a string", name);
	len = json_string_length(v);
	if (len == 0 && required)
		return verr_set(err, name, "empty_field",
				"%s must not be empty", name);
	if (len > max_len)
		return verr_set(err, name, "field_too_long",
				"%s is longer than %zu bytes", name, max_len);
	if (strlen(json_string_value(v)) != len ||
	    !clean_text(json_string_value(v)))
		return verr_set(err, name, "invalid_characters",
				"%s contains control characters", name);
	*out = json_string_value(v);
	return 0;
}

int
fields_int(const json_t *obj, const char *name, bool required, int64_t min,
	   int64_t max, int64_t *out, struct verr *err)
{
	const json_t *v = json_object_get(obj, name);
	double d;

	if (v == NULL || json_is_null(v))
		return missing(name, required, err) > 0 ? 0 : CD_EINVAL;
	if (json_is_real(v)) {
		d = json_real_value(v);
		/* (double)INT64_MAX rounds up to 2^63: out of range. */
		if (d != floor(d) || d < (double)min || d > (double)max ||
		    d >= 9223372036854775808.0 || d < -9223372036854775808.0)
			return verr_set(err, name, "out_of_range",
					"%s must be a whole number from "
					"%lld to %lld",
					name, (long long)min, (long long)max);
		*out = (int64_t)d;
		return 0;
	}
	if (!json_is_integer(v))
		return verr_set(err, name, "invalid_type",
				"%s must be a number", name);
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return verr_set(err, name, "out_of_range",
				"%s must be from %lld to %lld", name,
				(long long)min, (long long)max);
	*out = json_integer_value(v);
	return 0;
}

int
fields_bool(const json_t *obj, const char *name, bool required, bool *out,
	    struct verr *err)
{
	const json_t *v = json_object_get(obj, name);

	if (v == NULL || json_is_null(v))
		return missing(name, required, err) > 0 ? 0 : CD_EINVAL;
	if (!json_is_boolean(v))
		return verr_set(err, name, "invalid_type",
				"%s must be true or false", name);
	*out = json_is_true(v);
	return 0;
}

int
fields_object(const json_t *obj, const char *name, bool required,
	      const json_t **out, struct verr *err)
{
	const json_t *v = json_object_get(obj, name);

	if (v == NULL || json_is_null(v))
		return missing(name, required, err) > 0 ? 0 : CD_EINVAL;
	if (!json_is_object(v))
		return verr_set(err, name, "invalid_type",
				"%s must be an object", name);
	*out = v;
	return 0;
}

static int
check_flat_value(const char *name, const char *key, const json_t *v,
		 struct verr *err)
{
	if (json_is_object(v) || json_is_array(v))
		return verr_set(err, name, "invalid_value",
				"%s.%s must be a string, number, boolean or "
				"null",
				name, key);
	if (json_is_string(v) && json_string_length(v) > VALUE_MAX)
		return verr_set(err, name, "field_too_long",
				"%s.%s is longer than %d bytes", name, key,
				VALUE_MAX);
	if (json_is_real(v) && !isfinite(json_real_value(v)))
		return verr_set(err, name, "invalid_value",
				"%s.%s is not a finite number", name, key);
	return 0;
}

int
fields_flat_object(const json_t *obj, const char *name, size_t max_keys,
		   struct verr *err)
{
	const char *key;
	const json_t *v;
	size_t klen;

	if (json_object_size(obj) > max_keys)
		return verr_set(err, name, "too_many_fields",
				"%s has more than %zu keys", name, max_keys);
	json_object_keylen_foreach((json_t *)obj, key, klen, v)
	{
		if (klen == 0 || klen > KEY_MAX || strlen(key) != klen)
			return verr_set(err, name, "invalid_key",
					"%s keys must be 1 to %d bytes", name,
					KEY_MAX);
		if (check_flat_value(name, key, v, err) < 0)
			return CD_EINVAL;
	}
	return 0;
}
