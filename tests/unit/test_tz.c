/*
 * Unit tests for the time-zone module: zone names, strict datetimes, and
 * conversions across daylight-saving gaps and overlaps, checked against UTC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "domain/tz.h"

/* An instant from a UTC reading, computed by the C library, not by ICU. */
static int64_t
utc(int year, int month, int day, int hour, int minute, int second)
{
	struct tm tm = {0};

	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	return (int64_t)timegm(&tm) * 1000;
}

static int64_t
to_utc(const char *zone, const char *datetime)
{
	int64_t ms = -1;

	assert_int_equal(tz_local_to_utc(zone, datetime, &ms), 0);
	return ms;
}

static void
test_valid_zones(void **state)
{
	(void)state;
	assert_true(tz_valid("America/New_York"));
	assert_true(tz_valid("UTC"));
	assert_true(tz_valid("Asia/Kolkata"));
	assert_true(tz_valid("Australia/Lord_Howe"));
	assert_true(tz_valid("Etc/GMT+5"));
}

static void
test_invalid_zones(void **state)
{
	static const char *const bad[] = {
	    "",
	    "Mars/Olympus",
	    "america/new_york",
	    "Etc/Unknown",
	    "GMT+05:00",
	    "America/New_York ",
	    " UTC",
	    "America/New_York\n",
	    "America/../UTC",
	    "Europe/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	int64_t ms;
	struct tz_local l;
	char buf[32];
	size_t i;

	(void)state;
	assert_false(tz_valid(NULL));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(tz_valid(bad[i]));
		assert_int_equal(
		    tz_local_to_utc(bad[i], "2027-01-01 00:00:00", &ms),
		    CD_EINVAL);
		assert_int_equal(tz_to_local(bad[i], 0, &l), CD_EINVAL);
		assert_int_equal(tz_format_local(bad[i], 0, buf, sizeof(buf)),
				 CD_EINVAL);
	}
	assert_int_equal(tz_local_to_utc(NULL, "2027-01-01 00:00:00", &ms),
			 CD_EINVAL);
}

static void
test_plain_conversions(void **state)
{
	(void)state;
	assert_int_equal(to_utc("America/New_York", "2027-01-15 12:00:00"),
			 utc(2027, 1, 15, 17, 0, 0));
	assert_int_equal(to_utc("America/New_York", "2027-07-04 12:00:00"),
			 utc(2027, 7, 4, 16, 0, 0));
	assert_int_equal(to_utc("Asia/Kolkata", "2027-06-01 09:00:00"),
			 utc(2027, 6, 1, 3, 30, 0));
	assert_int_equal(to_utc("UTC", "2027-12-31 23:59:59"),
			 utc(2027, 12, 31, 23, 59, 59));
	assert_int_equal(to_utc("UTC", "2028-02-29 10:00:00"),
			 utc(2028, 2, 29, 10, 0, 0));
	assert_int_equal(to_utc("Asia/Kolkata", "2027-01-01 00:00:00"),
			 utc(2026, 12, 31, 18, 30, 0));
}

/* New York springs forward at 02:00 EST (07:00 UTC) on 2027-03-14. */
static void
test_spring_forward_gap(void **state)
{
	const char *ny = "America/New_York";

	(void)state;
	assert_int_equal(to_utc(ny, "2027-03-14 01:59:59"),
			 utc(2027, 3, 14, 6, 59, 59));
	assert_int_equal(to_utc(ny, "2027-03-14 02:00:00"),
			 utc(2027, 3, 14, 7, 0, 0));
	assert_int_equal(to_utc(ny, "2027-03-14 02:30:00"),
			 utc(2027, 3, 14, 7, 30, 0));
	assert_int_equal(to_utc(ny, "2027-03-14 03:30:00"),
			 utc(2027, 3, 14, 7, 30, 0));
	assert_int_equal(to_utc(ny, "2027-03-14 12:00:00"),
			 utc(2027, 3, 14, 16, 0, 0));
}

/* New York falls back at 02:00 EDT (06:00 UTC) on 2027-11-07. */
static void
test_fall_back_overlap(void **state)
{
	const char *ny = "America/New_York";

	(void)state;
	assert_int_equal(to_utc(ny, "2027-11-07 00:59:59"),
			 utc(2027, 11, 7, 4, 59, 59));
	assert_int_equal(to_utc(ny, "2027-11-07 01:00:00"),
			 utc(2027, 11, 7, 5, 0, 0));
	assert_int_equal(to_utc(ny, "2027-11-07 01:30:00"),
			 utc(2027, 11, 7, 5, 30, 0));
	assert_int_equal(to_utc(ny, "2027-11-07 02:00:00"),
			 utc(2027, 11, 7, 7, 0, 0));
}

/*
 * Lord Howe Island moves by 30 minutes: +10:30 to +11:00 at 02:00 on
 * 2027-10-03, back at 02:00 (+11:00) on 2027-04-04.
 */
static void
test_lord_howe(void **state)
{
	const char *lh = "Australia/Lord_Howe";

	(void)state;
	assert_int_equal(to_utc(lh, "2027-10-03 01:59:00"),
			 utc(2027, 10, 2, 15, 29, 0));
	assert_int_equal(to_utc(lh, "2027-10-03 02:15:00"),
			 utc(2027, 10, 2, 15, 45, 0));
	assert_int_equal(to_utc(lh, "2027-10-03 02:30:00"),
			 utc(2027, 10, 2, 15, 30, 0));
	assert_int_equal(to_utc(lh, "2027-04-04 01:45:00"),
			 utc(2027, 4, 3, 14, 45, 0));
}

static void
test_invalid_datetimes(void **state)
{
	static const char *const bad[] = {
	    "2027-02-29 10:00:00",
	    "2027-13-01 00:00:00",
	    "2027-00-10 00:00:00",
	    "2027-04-31 00:00:00",
	    "2027-01-00 00:00:00",
	    "2027-01-01T10:00:00",
	    "2027-01-01 10:00:00Z",
	    "2027-01-01 10:00:00 ",
	    "2027-01-01 10:00",
	    "2027-01-01",
	    "2027-01-01 24:00:00",
	    "2027-01-01 23:60:00",
	    "2027-01-01 23:59:60",
	    "2027-1-01 10:00:00",
	    "+027-01-01 10:00:00",
	    "2027-01-01 1a:00:00",
	    "1899-12-31 23:59:59",
	    "0000-01-01 00:00:00",
	    "",
	    "1900-02-29 00:00:00",
	};
	int64_t ms = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tz_local_to_utc("UTC", bad[i], &ms),
				 CD_EINVAL);
	assert_int_equal(tz_local_to_utc("UTC", NULL, &ms), CD_EINVAL);
	assert_int_equal(ms, 42);
	assert_int_equal(to_utc("UTC", "2000-02-29 00:00:00"),
			 utc(2000, 2, 29, 0, 0, 0));
}

static void
test_at_local_time(void **state)
{
	const char *ny = "America/New_York";
	int64_t ms = 42;

	(void)state;
	assert_int_equal(tz_at_local_time(ny, 2027, 3, 14, 150, &ms), 0);
	assert_int_equal(ms, utc(2027, 3, 14, 7, 30, 0));
	assert_int_equal(tz_at_local_time(ny, 2027, 11, 7, 90, &ms), 0);
	assert_int_equal(ms, utc(2027, 11, 7, 5, 30, 0));
	assert_int_equal(tz_at_local_time(ny, 2027, 1, 12, 1439, &ms), 0);
	assert_int_equal(ms, utc(2027, 1, 13, 4, 59, 0));
	assert_int_equal(tz_at_local_time("Asia/Kolkata", 2027, 1, 1, 0, &ms),
			 0);
	assert_int_equal(ms, utc(2026, 12, 31, 18, 30, 0));

	ms = 42;
	assert_int_equal(tz_at_local_time(ny, 2027, 1, 12, 1440, &ms),
			 CD_EINVAL);
	assert_int_equal(tz_at_local_time(ny, 2027, 1, 12, -1, &ms), CD_EINVAL);
	assert_int_equal(tz_at_local_time(ny, 2027, 2, 29, 0, &ms), CD_EINVAL);
	assert_int_equal(tz_at_local_time(ny, 2027, 0, 1, 0, &ms), CD_EINVAL);
	assert_int_equal(tz_at_local_time("Nowhere", 2027, 1, 1, 0, &ms),
			 CD_EINVAL);
	assert_int_equal(ms, 42);
}

static void
assert_local(const struct tz_local *l, const int want[8])
{
	assert_int_equal(l->year, want[0]);
	assert_int_equal(l->month, want[1]);
	assert_int_equal(l->day, want[2]);
	assert_int_equal(l->hour, want[3]);
	assert_int_equal(l->minute, want[4]);
	assert_int_equal(l->second, want[5]);
	assert_int_equal(l->wday, want[6]);
	assert_int_equal(l->offset_min, want[7]);
}

static void
test_to_local(void **state)
{
	static const int kolkata[8] = {2027, 1, 1, 5, 30, 0, 5, 330};
	static const int gap[8] = {2027, 3, 14, 3, 30, 0, 0, -240};
	static const int first[8] = {2027, 11, 7, 1, 30, 0, 0, -240};
	static const int second[8] = {2027, 11, 7, 1, 30, 0, 0, -300};
	static const int before_epoch[8] = {1969, 12, 31, 23, 59, 59, 3, 0};
	struct tz_local l;

	(void)state;
	assert_int_equal(
	    tz_to_local("Asia/Kolkata", utc(2027, 1, 1, 0, 0, 0), &l), 0);
	assert_local(&l, kolkata);
	assert_int_equal(
	    tz_to_local("America/New_York", utc(2027, 3, 14, 7, 30, 0), &l), 0);
	assert_local(&l, gap);
	assert_int_equal(
	    tz_to_local("America/New_York", utc(2027, 11, 7, 5, 30, 0), &l), 0);
	assert_local(&l, first);
	assert_int_equal(
	    tz_to_local("America/New_York", utc(2027, 11, 7, 6, 30, 0), &l), 0);
	assert_local(&l, second);
	assert_int_equal(tz_to_local("UTC", -1, &l), 0);
	assert_local(&l, before_epoch);
	assert_int_equal(tz_to_local("UTC", INT64_MAX, &l), CD_ERANGE);
	assert_int_equal(tz_to_local("UTC", INT64_MIN, &l), CD_ERANGE);
}

static void
test_format_local(void **state)
{
	char buf[20];

	(void)state;
	assert_int_equal(tz_format_local("America/New_York",
					 utc(2027, 11, 7, 6, 30, 5), buf,
					 sizeof(buf)),
			 0);
	assert_string_equal(buf, "2027-11-07 01:30:05");
	assert_int_equal(tz_format_local("Asia/Kolkata",
					 utc(2027, 6, 1, 20, 0, 0), buf,
					 sizeof(buf)),
			 0);
	assert_string_equal(buf, "2027-06-02 01:30:00");
	assert_int_equal(tz_format_local("UTC", 0, buf, sizeof(buf) - 1),
			 CD_ERANGE);
}

static void
test_days_in_month(void **state)
{
	(void)state;
	assert_int_equal(tz_days_in_month(2027, 2), 28);
	assert_int_equal(tz_days_in_month(2028, 2), 29);
	assert_int_equal(tz_days_in_month(1900, 2), 28);
	assert_int_equal(tz_days_in_month(2000, 2), 29);
	assert_int_equal(tz_days_in_month(2027, 4), 30);
	assert_int_equal(tz_days_in_month(2027, 12), 31);
	assert_int_equal(tz_days_in_month(2027, 0), 0);
	assert_int_equal(tz_days_in_month(2027, 13), 0);
}

/* More zones than a thread caches, each with its known January offset. */
static const struct {
	const char *zone;
	int offset_min;
} january[] = {
    {"UTC", 0},
    {"America/New_York", -300},
    {"America/Chicago", -360},
    {"America/Denver", -420},
    {"America/Los_Angeles", -480},
    {"Europe/London", 0},
    {"Europe/Paris", 60},
    {"Europe/Moscow", 180},
    {"Asia/Kolkata", 330},
    {"Asia/Kathmandu", 345},
    {"Asia/Tokyo", 540},
    {"Australia/Sydney", 660},
    {"Pacific/Auckland", 780},
};

#define JANUARY_ZONES (sizeof(january) / sizeof(january[0]))

/* Checks noon on 2027-01-15 in zone i both ways; returns 0 when right. */
static int
check_january(size_t i)
{
	int64_t noon = utc(2027, 1, 15, 12, 0, 0);
	int64_t want = noon - (int64_t)january[i].offset_min * 60000;
	struct tz_local l;
	int64_t ms;

	if (tz_local_to_utc(january[i].zone, "2027-01-15 12:00:00", &ms) != 0 ||
	    ms != want)
		return -1;
	if (tz_to_local(january[i].zone, want, &l) != 0 || l.hour != 12 ||
	    l.offset_min != january[i].offset_min)
		return -1;
	return 0;
}

static void
test_many_zones(void **state)
{
	size_t i, round;

	(void)state;
	for (round = 0; round < 3; round++)
		for (i = 0; i < JANUARY_ZONES; i++)
			assert_int_equal(check_january(i), 0);
}

static void *
convert_many(void *arg)
{
	size_t first = (size_t)(uintptr_t)arg;
	intptr_t failures = 0;
	size_t k;

	for (k = 0; k < 500; k++)
		if (check_january((first + k) % JANUARY_ZONES) != 0)
			failures++;
	return (void *)failures;
}

/* Threads convert at once, each on its own calendars, freed at its exit. */
static void
test_threads(void **state)
{
	pthread_t t[4];
	void *failures;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, convert_many,
						(void *)(uintptr_t)(3 * i)),
				 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &failures), 0);
		assert_null(failures);
	}
}

static int
teardown(void **state)
{
	(void)state;
	tz_thread_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_zones),
	    cmocka_unit_test(test_invalid_zones),
	    cmocka_unit_test(test_plain_conversions),
	    cmocka_unit_test(test_spring_forward_gap),
	    cmocka_unit_test(test_fall_back_overlap),
	    cmocka_unit_test(test_lord_howe),
	    cmocka_unit_test(test_invalid_datetimes),
	    cmocka_unit_test(test_at_local_time),
	    cmocka_unit_test(test_to_local),
	    cmocka_unit_test(test_format_local),
	    cmocka_unit_test(test_days_in_month),
	    cmocka_unit_test(test_many_zones),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
