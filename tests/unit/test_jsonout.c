/*
 * Unit tests for jsonout: the same text as jansson's json_dumps() for all
 * but reals, and reals in the fewest digits that read back exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/jsonout.h"

#define N_RANDOM 5000
#define TEXT_MAX 400 /* room for any "%.17g" */

/* The flag sets the daemon and its tests pass to json_dumps(). */
static const size_t flag_sets[] = {
    0,
    JSON_COMPACT,
    JSON_ENCODE_ANY,
    JSON_COMPACT | JSON_ENCODE_ANY,
    JSON_SORT_KEYS,
    JSON_SORT_KEYS | JSON_COMPACT,
    JSON_SORT_KEYS | JSON_ENCODE_ANY,
    JSON_PRESERVE_ORDER | JSON_COMPACT,
    JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15),
};

#define N_FLAG_SETS (sizeof(flag_sets) / sizeof(flag_sets[0]))

/* Fails unless jsonout_dumps() and json_dumps() agree, NULL included. */
static void
expect_same(const json_t *json, size_t flags)
{
	char *ours = jsonout_dumps(json, flags);
	char *theirs = json_dumps(json, flags);

	if (ours == NULL && theirs == NULL)
		return;
	if (ours == NULL || theirs == NULL || strcmp(ours, theirs) != 0)
		fail_msg("flags 0x%zx: jansson [%.300s], ours [%.300s]", flags,
			 theirs ? theirs : "(null)", ours ? ours : "(null)");
	free(ours);
	free(theirs);
}

static void
expect_same_all_flags(const json_t *json)
{
	size_t i;

	for (i = 0; i < N_FLAG_SETS; i++)
		expect_same(json, flag_sets[i]);
}

static json_t *
load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (j == NULL)
		fail_msg("cannot load %s: %s", text, jerr.text);
	return j;
}

/* A document with every kind of value but reals. */
static json_t *
varied_document(void)
{
	json_t *doc = load(
	    "{\"name\": \"Caf\\u00e9 \\u65e5\\u672c \\ud83d\\ude00\","
	    " \"empty_obj\": {}, \"empty_arr\": [], \"t\": true,"
	    " \"f\": false, \"n\": null, \"ints\": [0, -1, 42,"
	    " 9223372036854775807, -9223372036854775808, 1000000],"
	    " \"nested\": {\"a\": [[], [{}], [[[1, \"x\"]]]],"
	    " \"b\": {\"c\": {\"d\": null}}}, \"\": \"empty key\","
	    " \"slash/key\": \"a/b\", \"esc\": \"q\\\" b\\\\ \\b\\f\\n\\r\\t\","
	    " \"ctl\": \"\\u0000\\u0001\\u001f\\u001e\\u007f\","
	    " \"Zeta\": 1, \"alpha\": 2, \"\\u00e9t\\u00e9\": 3}");
	json_t *shared = json_pack("{s:[i,s]}", "k", 7, "shared");

	/* The same child twice is not a cycle. */
	json_object_set(doc, "shared1", shared);
	json_object_set_new(doc, "shared2", shared);
	json_object_setn_new(doc, "nul\0key", 7, json_string("v"));
	json_object_setn_new(doc, "nul", 3, json_stringn("a\0b", 3));
	json_object_set_new(doc, "raw",
			    json_string("\x01\x7f\xc2\x80\xef\xbf"
					"\xbf\xf4\x8f\xbf\xbf"));
	/* Re-adding a deleted key puts it last in jansson's order. */
	json_object_del(doc, "t");
	json_object_set_new(doc, "t", json_true());
	return doc;
}

static void
test_same_as_jansson_without_reals(void **state)
{
	json_t *doc = varied_document();
	const char *key;
	json_t *value;

	(void)state;
	expect_same_all_flags(doc);
	json_object_foreach(doc, key, value)
	{
		expect_same_all_flags(value);
	}
	json_decref(doc);
}

static void
test_top_level_scalars(void **state)
{
	static const char *const texts[] = {
	    "null", "true",	 "false", "0",	"-17",
	    "\"\"", "\"a\\nb\"", "[]",	  "{}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *j = load(texts[i]);

		expect_same_all_flags(j);
		json_decref(j);
	}
}

static void
test_keys_sorted_bytewise(void **state)
{
	static const char *const keys[] = {
	    "b", "a", "ab", "", "A", "\xc3\xa9", "\x7f", "a b", "B", "aa"};
	json_t *obj = json_object();
	size_t i;
	char *text;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set_new(obj, keys[i], json_integer((json_int_t)i));
	json_object_setn_new(obj, "a\0", 2, json_null());
	expect_same_all_flags(obj);
	text = jsonout_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(text,
			    "{\"\":3,\"A\":4,\"B\":8,\"a\":1,"
			    "\"a\\u0000\":null,\"a b\":7,\"aa\":9,"
			    "\"ab\":2,\"b\":0,\"\x7f\":6,\"\xc3\xa9\":5}");
	free(text);
	json_decref(obj);
}

/* Checks the exact text of a few strings, not only agreement. */
static void
test_string_escapes(void **state)
{
	json_t *s = json_stringn("\"\\/\b\f\n\r\t\x01\x1f\x7f\0\xc3\xa9", 14);
	char *text;

	(void)state;
	text = jsonout_dumps(s, JSON_ENCODE_ANY);
	assert_string_equal(text, "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001F"
				  "\x7f\\u0000\xc3\xa9\"");
	free(text);
	json_decref(s);
}

static void
test_deep_wide_and_long(void **state)
{
	json_t *deep = json_array(), *wide = json_array(), *inner = deep;
	size_t len = 1 << 20, i;
	char *big = malloc(len);

	(void)state;
	assert_non_null(big);
	for (i = 0; i < 3000; i++) {
		json_t *next = i % 2 ? json_array() : json_object();

		if (json_is_array(inner))
			json_array_append_new(inner, next);
		else
			json_object_set_new(inner, "k", next);
		inner = next;
	}
	expect_same_all_flags(deep);
	for (i = 0; i < 10000; i++)
		json_array_append_new(wide, json_integer((json_int_t)i * 7919));
	for (i = 0; i < len; i++)
		big[i] = i % 97 == 0 ? '\n' : (char)('a' + i % 26);
	json_array_append_new(wide, json_stringn(big, len));
	expect_same_all_flags(wide);
	free(big);
	json_decref(deep);
	json_decref(wide);
}

static void
test_refusals(void **state)
{
	static const size_t unsupported[] = {
	    JSON_INDENT(2),
	    JSON_ENSURE_ASCII,
	    JSON_ESCAPE_SLASH,
	    JSON_EMBED,
	    JSON_COMPACT | JSON_INDENT(1),
	    0x100000,
	};
	static const char *const bad_utf8[] = {
	    "\xc0\x80",
	    "\xed\xa0\x80",
	    "\xf4\x90\x80\x80",
	    "\xe2\x82",
	    "\x80",
	    "a\xffz",
	    "\xf8\x88\x80\x80\x80",
	    "\xe0\x80\x80",
	    "\xf0\x80\x80\x80",
	    "\xc2\x41",
	    "\xc1\xbf",
	};
	json_t *obj = json_pack("{s:i}", "a", 1), *a = json_array();
	json_t *b = json_array();
	size_t i;

	(void)state;
	assert_null(jsonout_dumps(NULL, JSON_ENCODE_ANY));
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		assert_null(jsonout_dumps(obj, unsupported[i]));
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		json_t *s = json_string_nocheck(bad_utf8[i]);
		json_t *o = json_object();

		expect_same(s, JSON_ENCODE_ANY);
		assert_null(jsonout_dumps(s, JSON_ENCODE_ANY));
		/* jansson writes broken JSON for such a key; we refuse. */
		json_object_set_new_nocheck(o, bad_utf8[i], json_true());
		assert_null(jsonout_dumps(o, JSON_COMPACT));
		json_decref(s);
		json_decref(o);
	}
	json_array_append(a, b);
	json_array_append(b, a);
	expect_same(a, 0);
	assert_null(jsonout_dumps(a, 0));
	json_object_set(obj, "loop", a);
	assert_null(jsonout_dumps(obj, JSON_SORT_KEYS));
	json_array_clear(b);
	json_decref(a);
	json_decref(b);
	json_decref(obj);
}

/* jsonout_dumps() of one real, which must not fail. */
static char *
real_text(double x, size_t flags)
{
	json_t *j = json_real(x);
	char *text;

	assert_non_null(j);
	text = jsonout_dumps(j, flags | JSON_ENCODE_ANY);
	assert_non_null(text);
	json_decref(j);
	return text;
}

static void
test_reals_listed(void **state)
{
	static const struct {
		double x;
		const char *want;
	} cases[] = {
	    {0.1, "0.1"},
	    {0.5, "0.5"},
	    {1.0, "1.0"},
	    {5.0, "5.0"},
	    {0.0, "0.0"},
	    {-0.0, "-0.0"},
	    {-1.5, "-1.5"},
	    {1e300, "1e300"},
	    {1e-300, "1e-300"},
	    {123456789012345678.0, "1.2345678901234568e17"},
	    {2.2250738585072014e-308, "2.2250738585072014e-308"},
	    {5e-324, "5e-324"},
	    {1.7976931348623157e308, "1.7976931348623157e308"},
	    {M_PI, "3.141592653589793"},
	    {1.0 / 3.0, "0.3333333333333333"},
	    {100.0, "100.0"},
	    {1500.0, "1500.0"},
	    {123.456, "123.456"},
	    {0.0001, "0.0001"},
	    {0.00001, "1e-5"},
	    {1e16, "10000000000000000.0"},
	    {1e17, "1e17"},
	    {-12345678.9, "-12345678.9"},
	    {1e21, "1e21"},
	    {1e22, "1e22"},
	    /* 14 digits read back, 16 do not: the search must be linear. */
	    {0x1p149, "7.1362384635298e44"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = real_text(cases[i].x, 0);

		if (strcmp(text, cases[i].want) != 0)
			fail_msg("%.17g: want %s, got %s", cases[i].x,
				 cases[i].want, text);
		free(text);
	}
}

static void
test_reals_in_containers(void **state)
{
	json_t *doc =
	    json_pack("{s:[f,f,i],s:{s:f}}", "a", 0.1, 2.5, 3, "o", "pi", M_PI);
	char *text;

	(void)state;
	text = jsonout_dumps(doc, 0);
	assert_string_equal(text, "{\"a\": [0.1, 2.5, 3], \"o\": "
				  "{\"pi\": 3.141592653589793}}");
	free(text);
	text = jsonout_dumps(doc, JSON_COMPACT);
	assert_string_equal(text, "{\"a\":[0.1,2.5,3],\"o\":{\"pi\":"
				  "3.141592653589793}}");
	free(text);
	json_decref(doc);
}

/* An explicit precision keeps jansson's text exactly. */
static void
test_reals_with_precision(void **state)
{
	static const double xs[] = {
	    0.1,    M_PI, 1.0 / 3.0, 100.0,	1e300, -0.0,
	    5e-324, 1e21, 1e-5,	     12345.678, 1e16,  1.7976931348623157e308};
	static const int precisions[] = {1, 3, 15, 17, 31};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		json_t *j = json_real(xs[i]);

		for (k = 0; k < sizeof(precisions) / sizeof(precisions[0]); k++)
			expect_same(j, JSON_ENCODE_ANY |
					   JSON_REAL_PRECISION(precisions[k]));
		json_decref(j);
	}
}

static void
test_format_real_errors(void **state)
{
	char buf[JSONOUT_REAL_MAX];

	(void)state;
	assert_int_equal(jsonout_format_real(NAN, 0, buf, sizeof(buf)),
			 CD_EINVAL);
	assert_int_equal(jsonout_format_real(INFINITY, 0, buf, sizeof(buf)),
			 CD_EINVAL);
	assert_int_equal(jsonout_format_real(-INFINITY, 3, buf, sizeof(buf)),
			 CD_EINVAL);
	assert_int_equal(jsonout_format_real(1.0, 32, buf, sizeof(buf)),
			 CD_EINVAL);
	assert_int_equal(jsonout_format_real(1.0, -1, buf, sizeof(buf)),
			 CD_EINVAL);
	assert_int_equal(jsonout_format_real(0.1, 0, buf, 3), CD_ERANGE);
	assert_int_equal(jsonout_format_real(0.1, 0, buf, 4), 3);
	assert_string_equal(buf, "0.1");
	assert_int_equal(
	    jsonout_format_real(-2.2250738585072014e-308, 31, buf, sizeof(buf)),
	    38);
	assert_string_equal(buf, "-2.225073858507201383090232717332e-308");
}

/* splitmix64: a fixed sequence of well-mixed 64-bit values. */
static uint64_t
next_bits(uint64_t *seed)
{
	uint64_t z = (*seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

static int
round_trips(double x, int precision)
{
	char text[TEXT_MAX];

	snprintf(text, sizeof(text), "%.*g", precision, x);
	return same_double(strtod(text, NULL), x);
}

/*
 * x printed plainly with p significant digits, its first digit standing
 * for 10^exp: the rounded mantissa of "%.<p-1>e" with its point moved exp
 * places, zeros filling up to the units.
 */
static void
plain_text(double x, int p, int exp, char out[TEXT_MAX])
{
	char m[TEXT_MAX], digits[TEXT_MAX] = "";
	int n = 0, i;

	snprintf(m, sizeof(m), "%.*e", p - 1, fabs(x));
	for (i = 0; m[i] != 'e'; i++)
		if (m[i] != '.')
			digits[n++] = m[i];
	while (n <= exp)
		digits[n++] = '0';
	digits[n] = '\0';
	strcpy(out, signbit(x) ? "-" : "");
	if (exp < 0) {
		strcat(out, "0.");
		for (i = 0; i < -exp - 1; i++)
			strcat(out, "0");
		strcat(out, digits);
		return;
	}
	strncat(out, digits, (size_t)exp + 1);
	strcat(out, ".");
	strcat(out, digits[exp + 1] != '\0' ? digits + exp + 1 : "0");
}

/*
 * The rule written out plainly: the fewest significant digits p that read
 * back; plain notation with them when the decimal exponent is from -4 to
 * 16, as jansson's own "%.17g" would choose, "%.<p>g" otherwise; then
 * ".0" for a bare integer and the exponent without '+' or leading zeros.
 */
static void
rule_text(double x, char out[TEXT_MAX])
{
	char *e, *digits;
	int p = 1, exp;

	while (p < 17 && !round_trips(x, p))
		p++;
	snprintf(out, TEXT_MAX, "%.*e", p - 1, x);
	exp = atoi(strchr(out, 'e') + 1);
	if (exp >= -4 && exp < 17) {
		plain_text(x, p, exp, out);
		return;
	}
	snprintf(out, TEXT_MAX, "%.*g", p, x);
	e = strchr(out, 'e');
	if (e == NULL) {
		if (strchr(out, '.') == NULL)
			strcat(out, ".0");
		return;
	}
	digits = e + 2;
	while (*digits == '0')
		digits++;
	memmove(e[1] == '-' ? e + 2 : e + 1, digits, strlen(digits) + 1);
}

/* Significant digits in a number's mantissa, first to last non-zero. */
static int
significant_digits(const char *text)
{
	int n = 0, last = 0;

	for (; *text != '\0' && *text != 'e'; text++) {
		if (*text < '0' || *text > '9' || (n == 0 && *text == '0'))
			continue;
		n++;
		if (*text != '0')
			last = n;
	}
	return last ? last : 1;
}

/* Every property the shortest form must have, for one double. */
static void
check_shortest(double x)
{
	char want[TEXT_MAX], buf[JSONOUT_REAL_MAX];
	char *text = real_text(x, JSON_COMPACT);
	json_t *back = json_loads(text, JSON_DECODE_ANY, NULL);
	int d = significant_digits(text), p;

	rule_text(x, want);
	if (strcmp(text, want) != 0)
		fail_msg("%a: rule says %s, got %s", x, want, text);
	if (!json_is_real(back) || !same_double(json_real_value(back), x))
		fail_msg("%a: %s does not read back", x, text);
	if (d > 17)
		fail_msg("%a: %s has %d digits", x, text, d);
	for (p = 1; p < d; p++)
		if (round_trips(x, p))
			fail_msg("%a: %d digits would do, not %s", x, p, text);
	assert_int_equal(jsonout_format_real(x, 0, buf, sizeof(buf)),
			 (int)strlen(text));
	assert_string_equal(buf, text);
	json_decref(back);
	free(text);
}

static void
test_reals_random_bits(void **state)
{
	uint64_t seed = 20240611, bits;
	double x;
	int n = 0;

	(void)state;
	while (n < N_RANDOM) {
		bits = next_bits(&seed);
		memcpy(&x, &bits, sizeof(x));
		if (!isfinite(x))
			continue;
		check_shortest(x);
		n++;
	}
}

/* Powers of two, whose uneven gaps make fewer digits work, not more. */
static void
test_reals_powers_of_two(void **state)
{
	int e;

	(void)state;
	for (e = -1074; e <= 1023; e++) {
		check_shortest(ldexp(1.0, e));
		check_shortest(-ldexp(1.0, e));
	}
}

/* Doubles read from short decimals, whose shortest form is short too. */
static void
test_reals_random_short(void **state)
{
	uint64_t seed = 42, scale;
	char text[64], *ours;
	int i, k, digits, exp;
	double x;

	(void)state;
	for (i = 0; i < N_RANDOM; i++) {
		digits = 1 + (int)(next_bits(&seed) % 15);
		for (scale = 1, k = 0; k < digits; k++)
			scale *= 10;
		exp = (int)(next_bits(&seed) % 61) - 30;
		snprintf(text, sizeof(text), "%s%llue%d",
			 next_bits(&seed) % 2 ? "-" : "",
			 (unsigned long long)(next_bits(&seed) % scale), exp);
		x = strtod(text, NULL);
		check_shortest(x);
		ours = real_text(x, 0);
		if (significant_digits(ours) > digits)
			fail_msg("%s came out as %s", text, ours);
		free(ours);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_as_jansson_without_reals),
	    cmocka_unit_test(test_top_level_scalars),
	    cmocka_unit_test(test_keys_sorted_bytewise),
	    cmocka_unit_test(test_string_escapes),
	    cmocka_unit_test(test_deep_wide_and_long),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_reals_listed),
	    cmocka_unit_test(test_reals_in_containers),
	    cmocka_unit_test(test_reals_with_precision),
	    cmocka_unit_test(test_format_real_errors),
	    cmocka_unit_test(test_reals_random_bits),
	    cmocka_unit_test(test_reals_powers_of_two),
	    cmocka_unit_test(test_reals_random_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
