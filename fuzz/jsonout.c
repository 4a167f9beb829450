/*
 * Fuzz target: the JSON writer. The input, when jansson parses it as any
 * JSON value, is written with jsonout_dumps() under several flags; the text
 * must parse back to an equal value (reals bit for bit), and without reals
 * it must be byte for byte what jansson's own json_dumps() writes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/jsonout.h"
#include "fuzz.h"

/* Whether a and b are equal, reals compared by their bits. */
static bool
same(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *v;
	size_t i;
	double x, y;

	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_REAL:
		x = json_real_value(a);
		y = json_real_value(b);
		return memcmp(&x, &y, sizeof(x)) == 0;
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, key, v)
		{
			if (!same(v, json_object_get(b, key)))
				return false;
		}
		return true;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach(a, i, v)
		{
			if (!same(v, json_array_get(b, i)))
				return false;
		}
		return true;
	default:
		return json_equal(a, b);
	}
}

static bool
has_real(const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_real(j))
		return true;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v)
		{
			if (has_real(v))
				return true;
		}
	}
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
		{
			if (has_real(v))
				return true;
		}
	}
	return false;
}

static void
check_flags(const json_t *j, size_t flags)
{
	char *text = jsonout_dumps(j, flags | JSON_ENCODE_ANY);
	json_t *back;

	FUZZ_CHECK(text != NULL);
	back = json_loads(text, JSON_DECODE_ANY, NULL);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(same(j, back));
	if (!has_real(j)) {
		char *theirs = json_dumps(j, flags | JSON_ENCODE_ANY);

		FUZZ_CHECK(theirs != NULL && strcmp(text, theirs) == 0);
		free(theirs);
	}
	json_decref(back);
	free(text);
}

int
fuzz_jsonout(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

	if (j == NULL)
		return 0;
	check_flags(j, 0);
	check_flags(j, JSON_COMPACT);
	check_flags(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_jsonout(data, size);
}
#endif
