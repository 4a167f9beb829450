/*
 * Fuzz target: paging cursors, as they come in a query string. A cursor
 * that decodes must be the one cursor_encode() makes for its id, and any
 * positive id must survive an encode and decode.
 */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "domain/cursor.h"
#include "fuzz.h"

/* The input's first 8 bytes, as an id, round-trip. */
static void
cursor_check_roundtrip(const uint8_t *data, size_t size)
{
	int64_t id = fuzz_take_i64(&data, &size), back = 0;
	char buf[CURSOR_LEN + 1];

	if (id == 0 || id == INT64_MIN)
		id = 1;
	if (id < 0)
		id = -id;
	cursor_encode(id, buf);
	FUZZ_CHECK(strlen(buf) == CURSOR_LEN);
	FUZZ_CHECK(cursor_decode(buf, &back) == 0);
	FUZZ_CHECK(back == id);
}

int
fuzz_cursor(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	char again[CURSOR_LEN + 1];
	int64_t id = -1;
	int rc;

	if (s == NULL)
		return 0;
	rc = cursor_decode(s, &id);
	FUZZ_CHECK(rc == 0 || rc == CD_EINVAL);
	if (rc == 0) {
		FUZZ_CHECK(id > 0);
		cursor_encode(id, again);
		FUZZ_CHECK(strcmp(again, s) == 0);
	} else {
		FUZZ_CHECK(id == -1);
	}
	cursor_check_roundtrip(data, size);
	free(s);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_cursor(data, size);
}
#endif
