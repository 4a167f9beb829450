/*
 * Unit tests for paging cursors: the exact text made for known ids, round
 * trips, and every kind of string a client could send back instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "domain/cursor.h"

/*
 * Expected texts computed outside campaignd, with Python's
 * base64.urlsafe_b64encode(bytes([1]) + id.to_bytes(8, "big")).
 */
static const struct {
	int64_t id;
	const char *text;
} known[] = {
    {1, "AQAAAAAAAAAB"},
    {150, "AQAAAAAAAACW"},
    {2147483648, "AQAAAACAAAAA"},
    {4294967297, "AQAAAAEAAAAB"},
    {INT64_C(0x0102030405060708), "AQECAwQFBgcI"},
    {INT64_MAX, "AX__________"},
};

#define NKNOWN (sizeof(known) / sizeof(known[0]))

static void
test_encode_known(void **state)
{
	char buf[CURSOR_LEN + 1];

	(void)state;
	assert_int_equal(CURSOR_LEN, 12);
	for (size_t i = 0; i < NKNOWN; i++) {
		memset(buf, 'x', sizeof(buf));
		cursor_encode(known[i].id, buf);
		assert_string_equal(buf, known[i].text);
	}
}

static void
test_decode_known(void **state)
{
	int64_t id;

	(void)state;
	for (size_t i = 0; i < NKNOWN; i++) {
		id = -1;
		assert_int_equal(cursor_decode(known[i].text, &id), 0);
		assert_int_equal(id, known[i].id);
	}
}

static void
test_round_trip(void **state)
{
	static const int64_t ids[] = {
	    1,
	    2,
	    63,
	    64,
	    255,
	    256,
	    65535,
	    999999,
	    INT32_MAX,
	    UINT32_MAX,
	    INT64_C(1) << 53,
	    INT64_MAX - 1,
	    INT64_MAX,
	};
	char buf[CURSOR_LEN + 1];
	int64_t id;

	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		cursor_encode(ids[i], buf);
		assert_int_equal(strlen(buf), CURSOR_LEN);
		assert_int_equal(strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					     "abcdefghijklmnopqrstuvwxyz"
					     "0123456789-_"),
				 CURSOR_LEN);
		id = 0;
		assert_int_equal(cursor_decode(buf, &id), 0);
		assert_int_equal(id, ids[i]);
	}
}

/* Neighbouring ids give different cursors. */
static void
test_distinct(void **state)
{
	char a[CURSOR_LEN + 1], b[CURSOR_LEN + 1];

	(void)state;
	cursor_encode(41, a);
	cursor_encode(42, b);
	assert_string_not_equal(a, b);
	cursor_encode(INT64_C(1) << 40, a);
	cursor_encode((INT64_C(1) << 40) + 1, b);
	assert_string_not_equal(a, b);
}

static void
test_wrong_length(void **state)
{
	static const char *const bad[] = {
	    "",
	    "A",
	    "AQAAAAAAAAA",   /* 11 */
	    "AQAAAAAAAAABA", /* 13 */
	    "AQAAAAAAAAAB=", /* padding */
	    "AQAAAAAAAAAB\n",
	    "AQAAAAAAAAAAAAAB", /* 16 */
	};
	int64_t id = 77;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cursor_decode(bad[i], &id), CD_EINVAL);
	assert_int_equal(cursor_decode(NULL, &id), CD_EINVAL);
	assert_int_equal(id, 77);
}

static void
test_bad_characters(void **state)
{
	static const char *const bad[] = {
	    "AQAAAAAAAA+B", /* standard base64, not base64url */
	    "AQAAAAAAAA/B",
	    "AQAAAAAAAA=B",
	    "AQAAAAAAAA B",
	    "AQAAAAAAAA.B",
	    "AQAAAAAAAA%B",
	    "AQAAAAAAAA\xc3\xa9", /* UTF-8 é: 12 bytes, not base64url */
	    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	};
	char nul[CURSOR_LEN + 1] = "AQAAAAAAAAAB";
	int64_t id = 77;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cursor_decode(bad[i], &id), CD_EINVAL);
	/* An embedded NUL makes the string short. */
	nul[5] = '\0';
	assert_int_equal(cursor_decode(nul, &id), CD_EINVAL);
	assert_int_equal(id, 77);
}

static void
test_wrong_version(void **state)
{
	int64_t id = 77;

	(void)state;
	/* bytes([2]) + (1).to_bytes(8, "big"), and version 0. */
	assert_int_equal(cursor_decode("AgAAAAAAAAAB", &id), CD_EINVAL);
	assert_int_equal(cursor_decode("AAAAAAAAAAAB", &id), CD_EINVAL);
	assert_int_equal(cursor_decode("____________", &id), CD_EINVAL);
	assert_int_equal(id, 77);
}

static void
test_id_out_of_range(void **state)
{
	int64_t id = 77;

	(void)state;
	/* Version 1 with id 0, with 2^63, and with 2^64 - 1. */
	assert_int_equal(cursor_decode("AQAAAAAAAAAA", &id), CD_EINVAL);
	assert_int_equal(cursor_decode("AYAAAAAAAAAA", &id), CD_EINVAL);
	assert_int_equal(cursor_decode("Af__________", &id), CD_EINVAL);
	assert_int_equal(id, 77);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_known),
	    cmocka_unit_test(test_decode_known),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_distinct),
	    cmocka_unit_test(test_wrong_length),
	    cmocka_unit_test(test_bad_characters),
	    cmocka_unit_test(test_wrong_version),
	    cmocka_unit_test(test_id_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
