/*
 * Fuzz target: time zones. The input is a zone name, a NUL, a datetime
 * ("YYYY-MM-DD HH:MM:SS" or anything else), a NUL, then raw bytes: an
 * instant (8 bytes) and a buffer length (1 byte). tz_local_to_utc() and
 * the conversions back are checked against each other.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "domain/tz.h"
#include "fuzz.h"

#define TZ_MS_MIN (-2208988800000LL)
#define TZ_MS_MAX 253402300799999LL

/* A wall time converted to UTC reads back the same, or later in a gap. */
static void
tzf_check_back(const char *zone, const char *datetime, int64_t ms)
{
	char buf[20];
	int rc;

	rc = tz_format_local(zone, ms, buf, sizeof(buf));
	FUZZ_CHECK(rc == 0 || rc == CD_ERANGE);
	if (rc < 0) {
		FUZZ_CHECK(ms < TZ_MS_MIN || ms > TZ_MS_MAX);
		return;
	}
	FUZZ_CHECK(strcmp(buf, datetime) >= 0);
}

/* An instant's wall reading is in range and converts back near it. */
static void
tzf_check_local(const char *zone, int64_t ms)
{
	struct tz_local l;
	int64_t back;
	int rc;

	rc = tz_to_local(zone, ms, &l);
	if (rc < 0) {
		FUZZ_CHECK(rc == CD_EINVAL || rc == CD_ERANGE);
		FUZZ_CHECK(rc == CD_EINVAL || ms < TZ_MS_MIN || ms > TZ_MS_MAX);
		return;
	}
	FUZZ_CHECK(l.month >= 1 && l.month <= 12);
	FUZZ_CHECK(l.day >= 1 && l.day <= tz_days_in_month(l.year, l.month));
	FUZZ_CHECK(l.hour >= 0 && l.hour <= 23 && l.minute >= 0 &&
		   l.minute <= 59 && l.second >= 0 && l.second <= 59);
	FUZZ_CHECK(l.wday >= 0 && l.wday <= 6);
	FUZZ_CHECK(l.offset_min > -24 * 60 && l.offset_min < 24 * 60);
	if (l.year < 1900 || l.year > 9999)
		return;
	rc = tz_at_local_time(zone, l.year, l.month, l.day,
			      l.hour * 60 + l.minute, &back);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(back <= ms && ms - back < 86400000LL);
}

/* Whatever the length, tz_format_local() stays inside buf. */
static void
tzf_check_format_len(const char *zone, int64_t ms, size_t len)
{
	char *buf = malloc(len > 0 ? len : 1);
	int rc;

	if (buf == NULL)
		return;
	rc = tz_format_local(zone, ms, buf, len);
	FUZZ_CHECK(rc == 0 || rc == CD_EINVAL || rc == CD_ERANGE);
	if (rc == 0)
		FUZZ_CHECK(len >= 20 && strlen(buf) == 19);
	free(buf);
}

int
fuzz_tz(const uint8_t *data, size_t size)
{
	char *zone, *datetime;
	int64_t ms, inst;
	size_t len;
	bool valid;
	int rc;

	zone = fuzz_take_part(&data, &size);
	datetime = fuzz_take_part(&data, &size);
	inst = fuzz_take_i64(&data, &size);
	len = size > 0 ? data[0] : 20;
	if (zone == NULL || datetime == NULL)
		goto out;
	valid = tz_valid(zone);
	FUZZ_CHECK(!valid || strlen(zone) < TZ_NAME_MAX);
	FUZZ_CHECK(valid ==
		   (tz_to_local(zone, FUZZ_NOW, &(struct tz_local){0}) == 0));
	rc = tz_local_to_utc(zone, datetime, &ms);
	FUZZ_CHECK(rc == 0 || rc == CD_EINVAL);
	if (rc == 0) {
		FUZZ_CHECK(valid && strlen(datetime) == 19);
		tzf_check_back(zone, datetime, ms);
	}
	tzf_check_local(zone, inst);
	tzf_check_local(zone, inst % (TZ_MS_MAX + 1));
	tzf_check_format_len(zone, FUZZ_NOW, len);
out:
	free(zone);
	free(datetime);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_tz(data, size);
}
#endif
