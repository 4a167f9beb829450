/*
 * Unit tests for the E.164 checker: the accepted shape, each rule it
 * enforces, and the validation error it fills in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "domain/e164.h"

static void
test_valid_numbers(void **state)
{
	(void)state;
	assert_true(e164_valid("+15551234567"));
	assert_true(e164_valid("+442071838750"));
	assert_true(e164_valid("+1234567"));	     /* 7 digits, the least */
	assert_true(e164_valid("+123456789012345")); /* 15, the most */
}

static void
test_invalid_numbers(void **state)
{
	static const char *const bad[] = {
	    "15551234567",	 /* no '+' */
	    "+05551234567",	 /* country code starts with 0 */
	    "+1 5551234567",	 /* space */
	    "+1-555-123-4567",	 /* dashes */
	    "+1(555)1234567",	 /* brackets */
	    "+1234567890123456", /* 16 digits */
	    "+123456",		 /* 6 digits */
	    "",
	    "+",
	    "++15551234567",
	    "+15551234567 ", /* trailing space */
	    " +15551234567", /* leading space */
	    "+1555123456a",
	    "+١٢٣٤٥٦٧٨",	       /* Arabic-Indic digits */
	    "+１５５５１２３４５６７", /* fullwidth digits */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (e164_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_false(e164_valid(NULL));
}

static void
test_embedded_nul_ends_the_number(void **state)
{
	static const char s[] = "+1555\0001234567";

	(void)state;
	assert_false(e164_valid(s)); /* only "+1555" is seen */
}

static void
test_check_ok_leaves_err_alone(void **state)
{
	struct verr err;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(e164_check("+15551234567", "to_number", &err), 0);
	assert_string_equal(err.code, "");
}

/* Checks s fails with a message containing want. */
static void
expect_problem(const char *s, const char *want)
{
	struct verr err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(e164_check(s, "to_number", &err), CD_EINVAL);
	assert_string_equal(err.field, "to_number");
	assert_string_equal(err.code, "invalid_e164");
	if (strstr(err.message, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
	assert_non_null(strstr(err.message, "to_number"));
}

static void
test_check_messages(void **state)
{
	(void)state;
	expect_problem("", "is empty");
	expect_problem(NULL, "is empty");
	expect_problem("15551234567", "must start with '+'");
	expect_problem("+1 555", "only digits");
	expect_problem("+05551234567", "starting with 0");
	expect_problem("+123456", "too short");
	expect_problem("+1234567890123456", "too long");
	expect_problem("+", "too short");
}

static void
test_check_without_err(void **state)
{
	(void)state;
	assert_int_equal(e164_check("nope", "to_number", NULL), CD_EINVAL);
	assert_int_equal(e164_check("+15551234567", NULL, NULL), 0);
}

static void
test_check_null_field(void **state)
{
	struct verr err;

	(void)state;
	assert_int_equal(e164_check("x", NULL, &err), CD_EINVAL);
	assert_string_equal(err.field, "");
	assert_non_null(strstr(err.message, "phone number"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_numbers),
	    cmocka_unit_test(test_invalid_numbers),
	    cmocka_unit_test(test_embedded_nul_ends_the_number),
	    cmocka_unit_test(test_check_ok_leaves_err_alone),
	    cmocka_unit_test(test_check_messages),
	    cmocka_unit_test(test_check_without_err),
	    cmocka_unit_test(test_check_null_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
