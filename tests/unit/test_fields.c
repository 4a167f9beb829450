/*
 * Unit tests for the JSON field checks: each type, each limit, and the
 * error code and field name a client gets for each way to break them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "domain/fields.h"

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *obj = json_loads(text, JSON_ALLOW_NUL, &jerr);

	if (obj == NULL)
		fail_msg("bad test JSON: %s", jerr.text);
	return obj;
}

/* Asserts *e names field and code, with a message. */
static void
assert_verr(const struct verr *e, const char *field, const char *code)
{
	assert_string_equal(e->field, field);
	assert_string_equal(e->code, code);
	assert_true(e->message[0] != '\0');
}

/* A JSON string of n copies of c, as a new object {"s": ...}. */
static json_t *
long_string(const char *key, size_t n, char c)
{
	char *s = malloc(n + 1);
	json_t *obj;

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	obj = json_pack("{s:s}", key, s);
	free(s);
	return obj;
}

/* --- fields_string --- */

static void
test_string_ok(void **state)
{
	json_t *obj = parse("{\"name\": \"Spring promo\","
			    " \"note\": \"two\\nlines\\tand a tab\","
			    " \"crlf\": \"a\\r\\nb\","
			    " \"utf8\": \"caf\\u00e9 \\u65e5\\u672c\"}");
	const char *out = NULL;
	struct verr e;

	(void)state;
	assert_int_equal(fields_string(obj, "name", true, 200, &out, &e), 0);
	assert_string_equal(out, "Spring promo");
	/* Borrowed from the object, not copied. */
	assert_ptr_equal(out, json_string_value(json_object_get(obj, "name")));
	assert_int_equal(fields_string(obj, "note", true, 200, &out, &e), 0);
	assert_string_equal(out, "two\nlines\tand a tab");
	assert_int_equal(fields_string(obj, "crlf", true, 200, &out, &e), 0);
	assert_int_equal(fields_string(obj, "utf8", true, 200, &out, &e), 0);
	assert_string_equal(out, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
	json_decref(obj);
}

static void
test_string_missing(void **state)
{
	json_t *obj = parse("{\"gone\": null}");
	const char *out = "untouched";
	struct verr e;

	(void)state;
	assert_int_equal(fields_string(obj, "name", true, 10, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "name", "missing_field");
	assert_int_equal(fields_string(obj, "gone", true, 10, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "gone", "missing_field");
	/* Optional: absent and null leave the output alone. */
	assert_int_equal(fields_string(obj, "name", false, 10, &out, &e), 0);
	assert_int_equal(fields_string(obj, "gone", false, 10, &out, &e), 0);
	assert_string_equal(out, "untouched");
	/* No error buffer is fine. */
	assert_int_equal(fields_string(obj, "name", true, 10, &out, NULL),
			 CD_EINVAL);
	json_decref(obj);
}

static void
test_string_wrong_type(void **state)
{
	static const char *const bodies[] = {
	    "{\"name\": 5}",	   "{\"name\": 1.5}", "{\"name\": true}",
	    "{\"name\": false}",   "{\"name\": []}",  "{\"name\": {}}",
	    "{\"name\": [\"x\"]}",
	};
	const char *out = "untouched";
	struct verr e;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *obj = parse(bodies[i]);

		memset(&e, 0, sizeof(e));
		assert_int_equal(
		    fields_string(obj, "name", false, 10, &out, &e), CD_EINVAL);
		assert_verr(&e, "name", "invalid_type");
		json_decref(obj);
	}
	assert_string_equal(out, "untouched");
}

static void
test_string_empty(void **state)
{
	json_t *obj = parse("{\"name\": \"\"}");
	const char *out = "untouched";
	struct verr e;

	(void)state;
	assert_int_equal(fields_string(obj, "name", true, 10, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "name", "empty_field");
	assert_string_equal(out, "untouched");
	json_decref(obj);
}

/* Lengths are bytes of UTF-8, not characters. */
static void
test_string_too_long(void **state)
{
	json_t *at = long_string("name", 200, 'x');
	json_t *over = long_string("name", 201, 'x');
	json_t *accents = parse("{\"name\": \"\\u00e9\\u00e9\"}"); /* 4 B */
	const char *out = NULL;
	struct verr e;

	(void)state;
	assert_int_equal(fields_string(at, "name", true, 200, &out, &e), 0);
	assert_int_equal(strlen(out), 200);
	out = "untouched";
	assert_int_equal(fields_string(over, "name", true, 200, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "name", "field_too_long");
	assert_string_equal(out, "untouched");
	assert_int_equal(fields_string(accents, "name", true, 3, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "name", "field_too_long");
	assert_int_equal(fields_string(accents, "name", true, 4, &out, &e), 0);
	json_decref(at);
	json_decref(over);
	json_decref(accents);
}

static void
test_string_control_characters(void **state)
{
	static const char *const bodies[] = {
	    "{\"name\": \"a\\u0000b\"}", /* NUL inside */
	    "{\"name\": \"\\u0000\"}",	      "{\"name\": \"bell\\u0007\"}",
	    "{\"name\": \"esc\\u001b[31m\"}", "{\"name\": \"\\u001f\"}",
	    "{\"name\": \"back\\bspace\"}",   "{\"name\": \"form\\ffeed\"}",
	};
	const char *out = "untouched";
	struct verr e;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *obj = parse(bodies[i]);

		memset(&e, 0, sizeof(e));
		assert_int_equal(fields_string(obj, "name", true, 64, &out, &e),
				 CD_EINVAL);
		assert_verr(&e, "name", "invalid_characters");
		json_decref(obj);
	}
	assert_string_equal(out, "untouched");
}

/* --- fields_int --- */

static void
test_int_ok(void **state)
{
	json_t *obj = parse("{\"n\": 10, \"lo\": 1, \"hi\": 1000, \"neg\": -7,"
			    " \"big\": 9223372036854775807,"
			    " \"small\": -9223372036854775808,"
			    " \"whole\": 3.0, \"exp\": 1e3, \"negz\": -0.0}");
	int64_t out = -1;
	struct verr e;

	(void)state;
	assert_int_equal(fields_int(obj, "n", true, 1, 1000, &out, &e), 0);
	assert_int_equal(out, 10);
	assert_int_equal(fields_int(obj, "lo", true, 1, 1000, &out, &e), 0);
	assert_int_equal(out, 1);
	assert_int_equal(fields_int(obj, "hi", true, 1, 1000, &out, &e), 0);
	assert_int_equal(out, 1000);
	assert_int_equal(fields_int(obj, "neg", true, -10, 10, &out, &e), 0);
	assert_int_equal(out, -7);
	assert_int_equal(fields_int(obj, "big", true, 1, INT64_MAX, &out, &e),
			 0);
	assert_int_equal(out, INT64_MAX);
	assert_int_equal(fields_int(obj, "small", true, INT64_MIN, 0, &out, &e),
			 0);
	assert_int_equal(out, INT64_MIN);
	/* A real without a fraction is that whole number. */
	assert_int_equal(fields_int(obj, "whole", true, 1, 10, &out, &e), 0);
	assert_int_equal(out, 3);
	assert_int_equal(fields_int(obj, "exp", true, 1, 1000, &out, &e), 0);
	assert_int_equal(out, 1000);
	assert_int_equal(fields_int(obj, "negz", true, 0, 10, &out, &e), 0);
	assert_int_equal(out, 0);
	json_decref(obj);
}

static void
test_int_missing(void **state)
{
	json_t *obj = parse("{\"gone\": null}");
	int64_t out = 42;
	struct verr e;

	(void)state;
	assert_int_equal(fields_int(obj, "n", true, 0, 9, &out, &e), CD_EINVAL);
	assert_verr(&e, "n", "missing_field");
	assert_int_equal(fields_int(obj, "gone", true, 0, 9, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "gone", "missing_field");
	assert_int_equal(fields_int(obj, "n", false, 0, 9, &out, &e), 0);
	assert_int_equal(fields_int(obj, "gone", false, 0, 9, &out, &e), 0);
	assert_int_equal(out, 42);
	json_decref(obj);
}

static void
test_int_wrong_type(void **state)
{
	static const char *const bodies[] = {
	    "{\"n\": \"5\"}", "{\"n\": true}", "{\"n\": false}",
	    "{\"n\": [5]}",   "{\"n\": {}}",   "{\"n\": \"\"}",
	};
	int64_t out = 42;
	struct verr e;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *obj = parse(bodies[i]);

		memset(&e, 0, sizeof(e));
		assert_int_equal(fields_int(obj, "n", false, 0, 9, &out, &e),
				 CD_EINVAL);
		assert_verr(&e, "n", "invalid_type");
		json_decref(obj);
	}
	assert_int_equal(out, 42);
}

static void
test_int_out_of_range(void **state)
{
	static const char *const bodies[] = {
	    "{\"n\": 0}",
	    "{\"n\": 1001}",
	    "{\"n\": -1}",
	    "{\"n\": 2.5}",
	    "{\"n\": 0.999}",
	    "{\"n\": 10.0001}",
	    "{\"n\": -2.5}",
	    "{\"n\": 1e300}",
	    "{\"n\": -1e300}",
	    "{\"n\": 1000.5}",
	    "{\"n\": 1e-9}",
	    "{\"n\": 1001.0}",
	    "{\"n\": 9223372036854775807}",
	};
	int64_t out = 42;
	struct verr e;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *obj = parse(bodies[i]);

		memset(&e, 0, sizeof(e));
		if (fields_int(obj, "n", true, 1, 1000, &out, &e) != CD_EINVAL)
			fail_msg("accepted %s", bodies[i]);
		assert_verr(&e, "n", "out_of_range");
		json_decref(obj);
	}
	assert_int_equal(out, 42);
}

/*
 * Reals at the edge of int64_t: 9223372036854775807.0 is 2^63 as a double,
 * which a max of INT64_MAX, itself 2^63 once converted, would let through
 * to an out-of-range conversion.
 */
static void
test_int_large_reals(void **state)
{
	json_t *obj = parse("{\"a\": 1e19, \"b\": 4611686018427387904.0,"
			    " \"c\": 9223372036854775807.0,"
			    " \"d\": -9223372036854775809.0}");
	int64_t out = 42;
	struct verr e;

	(void)state;
	assert_int_equal(fields_int(obj, "a", true, 1, INT64_MAX, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "a", "out_of_range");
	/* 2^62 is exact in a double and in range. */
	assert_int_equal(fields_int(obj, "b", true, 1, INT64_MAX, &out, &e), 0);
	assert_int_equal(out, INT64_C(4611686018427387904));
	out = 42;
	assert_int_equal(fields_int(obj, "c", true, 1, INT64_MAX, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "c", "out_of_range");
	assert_int_equal(out, 42);
	/* -2^63 is exact and in range; this one rounds to it too. */
	assert_int_equal(
	    fields_int(obj, "d", true, INT64_MIN, INT64_MAX, &out, &e), 0);
	assert_int_equal(out, INT64_MIN);
	json_decref(obj);
}

/* --- fields_bool and fields_object --- */

static void
test_bool(void **state)
{
	json_t *obj = parse("{\"t\": true, \"f\": false, \"null\": null,"
			    " \"s\": \"true\", \"one\": 1, \"zero\": 0}");
	bool out = false;
	struct verr e;

	(void)state;
	assert_int_equal(fields_bool(obj, "t", true, &out, &e), 0);
	assert_true(out);
	assert_int_equal(fields_bool(obj, "f", true, &out, &e), 0);
	assert_false(out);
	out = true;
	assert_int_equal(fields_bool(obj, "absent", false, &out, &e), 0);
	assert_int_equal(fields_bool(obj, "null", false, &out, &e), 0);
	assert_true(out);
	assert_int_equal(fields_bool(obj, "absent", true, &out, &e), CD_EINVAL);
	assert_verr(&e, "absent", "missing_field");
	assert_int_equal(fields_bool(obj, "null", true, &out, &e), CD_EINVAL);
	assert_verr(&e, "null", "missing_field");
	assert_int_equal(fields_bool(obj, "s", false, &out, &e), CD_EINVAL);
	assert_verr(&e, "s", "invalid_type");
	assert_int_equal(fields_bool(obj, "one", false, &out, &e), CD_EINVAL);
	assert_verr(&e, "one", "invalid_type");
	assert_int_equal(fields_bool(obj, "zero", false, &out, &e), CD_EINVAL);
	assert_verr(&e, "zero", "invalid_type");
	assert_true(out);
	json_decref(obj);
}

static void
test_object(void **state)
{
	json_t *obj = parse("{\"o\": {\"a\": 1}, \"empty\": {}, \"null\": null,"
			    " \"arr\": [], \"s\": \"{}\", \"n\": 3}");
	const json_t *out = NULL, *keep;
	struct verr e;

	(void)state;
	assert_int_equal(fields_object(obj, "o", true, &out, &e), 0);
	assert_ptr_equal(out, json_object_get(obj, "o"));
	assert_int_equal(fields_object(obj, "empty", true, &out, &e), 0);
	assert_int_equal(json_object_size(out), 0);
	keep = out;
	assert_int_equal(fields_object(obj, "absent", false, &out, &e), 0);
	assert_int_equal(fields_object(obj, "null", false, &out, &e), 0);
	assert_ptr_equal(out, keep);
	assert_int_equal(fields_object(obj, "absent", true, &out, &e),
			 CD_EINVAL);
	assert_verr(&e, "absent", "missing_field");
	assert_int_equal(fields_object(obj, "arr", false, &out, &e), CD_EINVAL);
	assert_verr(&e, "arr", "invalid_type");
	assert_int_equal(fields_object(obj, "s", false, &out, &e), CD_EINVAL);
	assert_verr(&e, "s", "invalid_type");
	assert_int_equal(fields_object(obj, "n", false, &out, &e), CD_EINVAL);
	assert_verr(&e, "n", "invalid_type");
	assert_ptr_equal(out, keep);
	json_decref(obj);
}

/* --- fields_flat_object --- */

static void
test_flat_ok(void **state)
{
	json_t *obj = parse("{\"name\": \"Ann\", \"age\": 41, \"score\": 4.5,"
			    " \"vip\": true, \"ok\": false, \"none\": null,"
			    " \"empty\": \"\", \"with.dot\": 1}");
	json_t *empty = json_object();
	struct verr e;

	(void)state;
	assert_int_equal(fields_flat_object(obj, "custom_variables", 100, &e),
			 0);
	assert_int_equal(fields_flat_object(empty, "metadata", 100, &e), 0);
	assert_int_equal(fields_flat_object(empty, "metadata", 0, &e), 0);
	json_decref(obj);
	json_decref(empty);
}

static void
test_flat_too_many(void **state)
{
	json_t *three = parse("{\"a\": 1, \"b\": 2, \"c\": 3}");
	json_t *many = json_object();
	char key[16];
	struct verr e;

	(void)state;
	assert_int_equal(fields_flat_object(three, "metadata", 3, &e), 0);
	assert_int_equal(fields_flat_object(three, "metadata", 2, &e),
			 CD_EINVAL);
	assert_verr(&e, "metadata", "too_many_fields");
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "var%d", i);
		json_object_set_new(many, key, json_integer(i));
	}
	assert_int_equal(fields_flat_object(many, "custom_variables", 100, &e),
			 0);
	json_object_set_new(many, "one_more", json_integer(0));
	assert_int_equal(fields_flat_object(many, "custom_variables", 100, &e),
			 CD_EINVAL);
	assert_verr(&e, "custom_variables", "too_many_fields");
	json_decref(three);
	json_decref(many);
}

static void
test_flat_keys(void **state)
{
	char key[70];
	json_t *obj = json_object();
	struct verr e;

	(void)state;
	memset(key, 'k', 64);
	key[64] = '\0';
	json_object_set_new(obj, key, json_integer(1));
	assert_int_equal(fields_flat_object(obj, "custom_variables", 100, &e),
			 0);
	json_decref(obj);

	obj = json_object();
	key[64] = 'k';
	key[65] = '\0';
	json_object_set_new(obj, key, json_integer(1));
	assert_int_equal(fields_flat_object(obj, "custom_variables", 100, &e),
			 CD_EINVAL);
	assert_verr(&e, "custom_variables", "invalid_key");
	json_decref(obj);

	obj = parse("{\"ok\": 1, \"\": 2}");
	assert_int_equal(fields_flat_object(obj, "metadata", 100, &e),
			 CD_EINVAL);
	assert_verr(&e, "metadata", "invalid_key");
	json_decref(obj);
}

static void
test_flat_nested(void **state)
{
	static const char *const bodies[] = {
	    "{\"address\": {\"city\": \"Paris\"}}",
	    "{\"address\": {}}",
	    "{\"address\": [1, 2]}",
	    "{\"address\": []}",
	    "{\"ok\": 1, \"address\": [\"a\"]}",
	};
	struct verr e;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *obj = parse(bodies[i]);

		memset(&e, 0, sizeof(e));
		assert_int_equal(
		    fields_flat_object(obj, "custom_variables", 100, &e),
		    CD_EINVAL);
		assert_verr(&e, "custom_variables", "invalid_value");
		/* The message names the key at fault. */
		assert_non_null(strstr(e.message, "address"));
		json_decref(obj);
	}
}

static void
test_flat_long_value(void **state)
{
	json_t *at = long_string("note", 1024, 'v');
	json_t *over = long_string("note", 1025, 'v');
	struct verr e;

	(void)state;
	assert_int_equal(fields_flat_object(at, "metadata", 100, &e), 0);
	assert_int_equal(fields_flat_object(over, "metadata", 100, &e),
			 CD_EINVAL);
	assert_verr(&e, "metadata", "field_too_long");
	assert_non_null(strstr(e.message, "note"));
	json_decref(at);
	json_decref(over);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_string_ok),
	    cmocka_unit_test(test_string_missing),
	    cmocka_unit_test(test_string_wrong_type),
	    cmocka_unit_test(test_string_empty),
	    cmocka_unit_test(test_string_too_long),
	    cmocka_unit_test(test_string_control_characters),
	    cmocka_unit_test(test_int_ok),
	    cmocka_unit_test(test_int_missing),
	    cmocka_unit_test(test_int_wrong_type),
	    cmocka_unit_test(test_int_out_of_range),
	    cmocka_unit_test(test_int_large_reals),
	    cmocka_unit_test(test_bool),
	    cmocka_unit_test(test_object),
	    cmocka_unit_test(test_flat_ok),
	    cmocka_unit_test(test_flat_too_many),
	    cmocka_unit_test(test_flat_keys),
	    cmocka_unit_test(test_flat_nested),
	    cmocka_unit_test(test_flat_long_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
