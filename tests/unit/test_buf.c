/*
 * Unit tests for growing buffers: appends stay NUL-terminated, the
 * maximum is never passed and bounds the allocation too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"

static void
test_appends_stay_terminated(void **state)
{
	struct buf b = {0};

	(void)state;
	assert_int_equal(buf_add(&b, "", 0, 100), 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_add(&b, "ab", 2, 100), 0);
	assert_int_equal(buf_add(&b, "cde", 3, 100), 0);
	assert_string_equal(b.data, "abcde");
	assert_int_equal(b.len, 5);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void
test_the_maximum_holds(void **state)
{
	struct buf b = {0};
	char block[300];

	(void)state;
	memset(block, 'x', sizeof(block));
	assert_int_equal(buf_add(&b, block, 300, 1000), 0);
	assert_int_equal(buf_add(&b, block, 300, 1000), 0);
	assert_int_equal(buf_add(&b, block, 300, 1000), 0);
	/* 1200 would pass 1000: refused, and nothing is added. */
	assert_int_equal(buf_add(&b, block, 300, 1000), CD_ERANGE);
	assert_int_equal(b.len, 900);
	assert_int_equal(strlen(b.data), 900);
	assert_int_equal(buf_add(&b, block, 100, 1000), 0);
	assert_int_equal(b.len, 1000);
	/* Doubling would reach 1024; the maximum needs 1001. */
	assert_int_equal(b.cap, 1001);
	assert_int_equal(buf_add(&b, "y", 1, 1000), CD_ERANGE);
	assert_int_equal(buf_add(&b, "y", 1, SIZE_MAX), CD_ERANGE);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_appends_stay_terminated),
	    cmocka_unit_test(test_the_maximum_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
