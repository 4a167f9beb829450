/*
 * Unit tests for the daily calling window: its JSON fields, and the UTC
 * instants at which it opens and closes across zones and clock changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "core/err.h"
#include "domain/window.h"

#define NY	   "America/New_York"
#define WEEKDAYS   0x3eu /* Monday to Friday */
#define H(h, m)	   ((h)*60 + (m))
#define NO_RESUME  0
#define MS_PER_MIN 60000

/* An instant from a UTC reading, computed by the C library, not by ICU. */
static int64_t
utc(int year, int month, int day, int hour, int minute)
{
	struct tm tm = {0};

	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	return (int64_t)timegm(&tm) * 1000;
}

/* A window with every zone set to zone; a minute < 0 turns its limit off. */
static struct daily_window
make(const char *zone, int start_minute, int stop_minute, unsigned days)
{
	struct daily_window w;

	memset(&w, 0, sizeof(w));
	w.auto_start = start_minute >= 0;
	w.start_minute = w.auto_start ? start_minute : 0;
	w.hard_stop = stop_minute >= 0;
	w.stop_minute = w.hard_stop ? stop_minute : 0;
	w.days = days;
	strcpy(w.zone, zone);
	strcpy(w.start_zone, zone);
	strcpy(w.stop_zone, zone);
	return w;
}

/* Asserts the window opens exactly at open_at and closes at close_at. */
static void
assert_span(const struct daily_window *w, int64_t resumed_at, int64_t from,
	    int64_t open_at, int64_t close_at)
{
	assert_int_equal(window_next_open(w, resumed_at, from), open_at);
	assert_false(window_is_open(w, resumed_at, open_at - 1));
	assert_true(window_is_open(w, resumed_at, open_at));
	assert_int_equal(window_next_close(w, resumed_at, open_at), close_at);
	assert_true(window_is_open(w, resumed_at, close_at - 1));
	assert_false(window_is_open(w, resumed_at, close_at));
}

/* 9:00-18:00 New York on the days around the 2027-03-14 spring-forward. */
static void
test_spring_forward_window(void **state)
{
	struct daily_window w = make(NY, H(9, 0), H(18, 0), 0x7f);

	(void)state;
	/* Saturday, EST (-5). */
	assert_span(&w, NO_RESUME, utc(2027, 3, 13, 5, 0),
		    utc(2027, 3, 13, 14, 0), utc(2027, 3, 13, 23, 0));
	/* Sunday, the clocks moved at 02:00: EDT (-4) by 9:00. */
	assert_span(&w, NO_RESUME, utc(2027, 3, 13, 23, 0),
		    utc(2027, 3, 14, 13, 0), utc(2027, 3, 14, 22, 0));
	/* Monday after the change. */
	assert_span(&w, NO_RESUME, utc(2027, 3, 14, 23, 0),
		    utc(2027, 3, 15, 13, 0), utc(2027, 3, 15, 22, 0));
}

/* 9:00-18:00 New York on the days around the 2027-11-07 fall-back. */
static void
test_fall_back_window(void **state)
{
	struct daily_window w = make(NY, H(9, 0), H(18, 0), 0x7f);

	(void)state;
	assert_span(&w, NO_RESUME, utc(2027, 11, 6, 4, 0),
		    utc(2027, 11, 6, 13, 0), utc(2027, 11, 6, 22, 0));
	assert_span(&w, NO_RESUME, utc(2027, 11, 6, 22, 0),
		    utc(2027, 11, 7, 14, 0), utc(2027, 11, 7, 23, 0));
	assert_span(&w, NO_RESUME, utc(2027, 11, 7, 23, 0),
		    utc(2027, 11, 8, 14, 0), utc(2027, 11, 8, 23, 0));
}

/* Limits that fall in the gap or the overlap follow tz.h's policy. */
static void
test_limits_in_gap_and_overlap(void **state)
{
	struct daily_window gap = make(NY, H(2, 30), H(18, 0), 0x7f);
	struct daily_window overlap = make(NY, H(9, 0), H(1, 30), 0x7f);

	(void)state;
	/* 02:30 does not exist on 2027-03-14: the start moves to 03:30 EDT. */
	assert_span(&gap, NO_RESUME, utc(2027, 3, 14, 5, 0),
		    utc(2027, 3, 14, 7, 30), utc(2027, 3, 14, 22, 0));
	/* 01:30 happens twice on 2027-11-07: the stop is at the first. */
	assert_int_equal(
	    window_next_close(&overlap, NO_RESUME, utc(2027, 11, 7, 3, 0)),
	    utc(2027, 11, 7, 5, 30));
}

/* Kolkata is +05:30 all year: 9:30-17:00 is 04:00-11:30 UTC. */
static void
test_kolkata_window(void **state)
{
	struct daily_window w = make("Asia/Kolkata", H(9, 30), H(17, 0), 0x7f);

	(void)state;
	assert_span(&w, NO_RESUME, utc(2027, 6, 1, 0, 0), utc(2027, 6, 1, 4, 0),
		    utc(2027, 6, 1, 11, 30));
	assert_int_equal(
	    window_next_open(&w, NO_RESUME, utc(2027, 6, 1, 11, 30)),
	    utc(2027, 6, 2, 4, 0));
}

/* Lord Howe Island moves its clocks by 30 minutes on 2027-10-03. */
static void
test_lord_howe_window(void **state)
{
	struct daily_window w =
	    make("Australia/Lord_Howe", H(9, 0), H(18, 0), 0x7f);

	(void)state;
	assert_span(&w, NO_RESUME, utc(2027, 10, 1, 20, 0),
		    utc(2027, 10, 1, 22, 30), utc(2027, 10, 2, 7, 30));
	assert_span(&w, NO_RESUME, utc(2027, 10, 2, 7, 30),
		    utc(2027, 10, 2, 22, 0), utc(2027, 10, 3, 7, 0));
}

/* 22:00-06:00 New York in January (EST, -5). */
static void
test_across_midnight(void **state)
{
	struct daily_window w = make(NY, H(22, 0), H(6, 0), 0x7f);

	(void)state;
	assert_span(&w, NO_RESUME, utc(2027, 1, 12, 20, 0),
		    utc(2027, 1, 13, 3, 0), utc(2027, 1, 13, 11, 0));
	assert_true(window_is_open(&w, NO_RESUME, utc(2027, 1, 13, 8, 0)));
	assert_false(window_is_open(&w, NO_RESUME, utc(2027, 1, 13, 17, 0)));
	assert_int_equal(
	    window_next_close(&w, NO_RESUME, utc(2027, 1, 13, 17, 0)),
	    utc(2027, 1, 14, 11, 0));
}

static void
test_equal_times_always_open(void **state)
{
	struct daily_window w = make(NY, H(9, 0), H(9, 0), 0x7f);
	int64_t t = utc(2027, 1, 12, 14, 0);

	(void)state;
	assert_true(window_is_open(&w, NO_RESUME, t));
	assert_true(window_is_open(&w, NO_RESUME, t + 3 * 60 * MS_PER_MIN));
	assert_int_equal(window_next_open(&w, NO_RESUME, t), t);
	assert_int_equal(window_next_close(&w, NO_RESUME, t), -1);
}

static void
test_no_limits(void **state)
{
	struct daily_window w = make(NY, -1, -1, 0x7f);
	struct daily_window start_only = make(NY, H(9, 0), -1, 0x7f);
	int64_t t = utc(2027, 1, 12, 3, 0);

	(void)state;
	assert_true(window_is_open(&w, NO_RESUME, t));
	assert_int_equal(window_next_close(&w, NO_RESUME, t), -1);
	assert_true(window_is_open(&start_only, NO_RESUME, t));
	assert_int_equal(window_next_close(&start_only, NO_RESUME, t), -1);
}

/* Stop at 18:00 New York, no auto start: closed until resumed by hand. */
static void
test_hard_stop_only(void **state)
{
	struct daily_window w = make(NY, -1, H(18, 0), 0x7f);
	int64_t resumed = utc(2027, 1, 12, 15, 0); /* Tuesday 10:00 */
	int64_t again = utc(2027, 1, 13, 0, 30);   /* Tuesday 19:30 */

	(void)state;
	assert_true(window_is_open(&w, resumed, resumed));
	assert_true(window_is_open(&w, resumed, utc(2027, 1, 12, 23, 0) - 1));
	assert_false(window_is_open(&w, resumed, utc(2027, 1, 12, 23, 0)));
	assert_int_equal(window_next_close(&w, resumed, resumed),
			 utc(2027, 1, 12, 23, 0));
	assert_false(window_is_open(&w, resumed, utc(2027, 1, 13, 15, 0)));
	assert_int_equal(window_next_open(&w, resumed, utc(2027, 1, 13, 0, 0)),
			 -1);
	assert_int_equal(window_next_close(&w, resumed, utc(2027, 1, 13, 0, 0)),
			 -1);

	assert_true(window_is_open(&w, again, utc(2027, 1, 13, 15, 0)));
	assert_int_equal(window_next_close(&w, again, utc(2027, 1, 13, 15, 0)),
			 utc(2027, 1, 13, 23, 0));
}

/* Monday to Friday, 9:00-18:00 New York; 2027-01-16 is a Saturday. */
static void
test_weekend_closed(void **state)
{
	struct daily_window w = make(NY, H(9, 0), H(18, 0), WEEKDAYS);

	(void)state;
	assert_false(window_is_open(&w, NO_RESUME, utc(2027, 1, 16, 17, 0)));
	assert_false(window_is_open(&w, NO_RESUME, utc(2027, 1, 17, 17, 0)));
	assert_int_equal(
	    window_next_close(&w, NO_RESUME, utc(2027, 1, 15, 14, 0)),
	    utc(2027, 1, 15, 23, 0));
	assert_span(&w, NO_RESUME, utc(2027, 1, 15, 23, 0),
		    utc(2027, 1, 18, 14, 0), utc(2027, 1, 18, 23, 0));
}

/* Without hours, allowed days run from local midnight to midnight. */
static void
test_days_without_hours(void **state)
{
	struct daily_window w = make(NY, -1, -1, WEEKDAYS);

	(void)state;
	assert_span(&w, NO_RESUME, utc(2027, 1, 16, 17, 0),
		    utc(2027, 1, 18, 5, 0), utc(2027, 1, 23, 5, 0));
}

/* Auto start alone: a week opens at Monday's start, then never pauses. */
static void
test_days_auto_start_only(void **state)
{
	struct daily_window w = make(NY, H(9, 0), -1, WEEKDAYS);

	(void)state;
	assert_span(&w, NO_RESUME, utc(2027, 1, 16, 17, 0),
		    utc(2027, 1, 18, 14, 0), utc(2027, 1, 23, 5, 0));
	assert_true(window_is_open(&w, NO_RESUME, utc(2027, 1, 19, 8, 0)));
}

/* 22:00-06:00 on weekdays: Monday's early hours follow a closed Sunday. */
static void
test_days_across_midnight(void **state)
{
	struct daily_window w = make(NY, H(22, 0), H(6, 0), WEEKDAYS);

	(void)state;
	assert_false(window_is_open(&w, NO_RESUME, utc(2027, 1, 18, 8, 0)));
	assert_span(&w, NO_RESUME, utc(2027, 1, 18, 8, 0),
		    utc(2027, 1, 19, 3, 0), utc(2027, 1, 19, 11, 0));
	/* Friday's 22:00 start runs only to Saturday's midnight. */
	assert_int_equal(
	    window_next_close(&w, NO_RESUME, utc(2027, 1, 23, 3, 30)),
	    utc(2027, 1, 23, 5, 0));
}

/* Hard stop alone on weekdays: a stop pauses it whatever the days. */
static void
test_days_hard_stop_only(void **state)
{
	struct daily_window w = make(NY, -1, H(18, 0), WEEKDAYS);
	int64_t saturday = utc(2027, 1, 16, 15, 0);
	int64_t friday = utc(2027, 1, 15, 15, 0);

	(void)state;
	assert_false(window_is_open(&w, saturday, saturday));
	assert_span(&w, saturday, saturday, utc(2027, 1, 18, 5, 0),
		    utc(2027, 1, 18, 23, 0));
	assert_int_equal(window_next_close(&w, friday, friday),
			 utc(2027, 1, 15, 23, 0));
	assert_int_equal(window_next_open(&w, friday, utc(2027, 1, 16, 12, 0)),
			 -1);
	assert_false(window_is_open(&w, friday, utc(2027, 1, 18, 15, 0)));
}

static void
test_no_allowed_day(void **state)
{
	struct daily_window w = make(NY, H(9, 0), H(18, 0), 0);
	int64_t t = utc(2027, 1, 12, 15, 0);

	(void)state;
	assert_false(window_is_open(&w, NO_RESUME, t));
	assert_int_equal(window_next_open(&w, NO_RESUME, t), -1);
	assert_int_equal(window_next_close(&w, NO_RESUME, t), -1);
}

/* Start in New York, stop in London (UTC in January): 14:00-17:00 UTC. */
static void
test_separate_zones(void **state)
{
	struct daily_window w = make(NY, H(9, 0), H(17, 0), 0x7f);

	(void)state;
	strcpy(w.stop_zone, "Europe/London");
	assert_span(&w, NO_RESUME, utc(2027, 1, 12, 5, 0),
		    utc(2027, 1, 12, 14, 0), utc(2027, 1, 12, 17, 0));
}

/*
 * Days judged in Kiritimati (+14), hours in Pago Pago (-11), a day apart:
 * 9:00-18:00 in Pago Pago is 20:00-05:00 UTC.
 */
static void
test_far_apart_zones(void **state)
{
	struct daily_window w =
	    make("Pacific/Kiritimati", H(9, 0), H(18, 0), 0x7f);

	(void)state;
	strcpy(w.start_zone, "Pacific/Pago_Pago");
	strcpy(w.stop_zone, "Pacific/Pago_Pago");
	assert_false(window_is_open(&w, NO_RESUME, utc(2027, 1, 12, 18, 0)));
	assert_span(&w, NO_RESUME, utc(2027, 1, 12, 12, 0),
		    utc(2027, 1, 12, 20, 0), utc(2027, 1, 13, 5, 0));
}

static void
test_fit(void **state)
{
	struct daily_window w = make(NY, H(9, 0), H(18, 0), WEEKDAYS);
	struct daily_window stop = make(NY, -1, H(18, 0), 0x7f);
	int64_t evening = utc(2027, 1, 13, 1, 0); /* Tuesday 20:00 */
	int64_t morning = utc(2027, 1, 12, 15, 0);

	(void)state;
	assert_int_equal(window_fit(&w, NO_RESUME, evening),
			 utc(2027, 1, 13, 14, 0));
	assert_int_equal(window_fit(&w, NO_RESUME, morning), morning);
	assert_int_equal(window_fit(&w, NO_RESUME, utc(2027, 1, 16, 1, 0)),
			 utc(2027, 1, 18, 14, 0));
	assert_int_equal(window_fit(&stop, morning, morning), morning);
	assert_int_equal(window_fit(&stop, morning, evening), -1);
}

static void
test_invalid_zone_is_closed(void **state)
{
	struct daily_window w = make("Mars/Olympus", H(9, 0), H(18, 0), 0x7f);
	int64_t t = utc(2027, 1, 12, 15, 0);

	(void)state;
	assert_false(window_is_open(&w, NO_RESUME, t));
	assert_int_equal(window_next_open(&w, NO_RESUME, t), -1);
}

static json_t *
parse(const char *text)
{
	json_t *obj = json_loads(text, JSON_ALLOW_NUL, NULL);

	assert_non_null(obj);
	return obj;
}

static void
test_json_full(void **state)
{
	json_t *obj = parse("{\"enable_daily_hard_stop\": true,"
			    " \"daily_stop_time\": 18.5,"
			    " \"enable_daily_auto_start\": true,"
			    " \"daily_start_time\": 9,"
			    " \"daily_start_timezone\": \"Asia/Kolkata\","
			    " \"allowed_days\": [\"monday\", 2, \"friday\"]}");
	struct daily_window w;

	(void)state;
	assert_int_equal(window_from_json(obj, NY, &w, NULL), 0);
	assert_true(w.hard_stop);
	assert_int_equal(w.stop_minute, 1110);
	assert_string_equal(w.stop_zone, NY);
	assert_true(w.auto_start);
	assert_int_equal(w.start_minute, 540);
	assert_string_equal(w.start_zone, "Asia/Kolkata");
	assert_int_equal(w.days, 0x26);
	assert_string_equal(w.zone, NY);
	json_decref(obj);
}

static void
test_json_defaults(void **state)
{
	json_t *obj = parse("{\"daily_stop_time\": null,"
			    " \"enable_daily_auto_start\": false,"
			    " \"allowed_days\": null}");
	struct daily_window w;

	(void)state;
	assert_int_equal(window_from_json(obj, NULL, &w, NULL), 0);
	assert_false(w.hard_stop);
	assert_false(w.auto_start);
	assert_int_equal(w.days, 0x7f);
	assert_string_equal(w.zone, "UTC");
	assert_string_equal(w.stop_zone, "UTC");
	assert_string_equal(w.start_zone, "UTC");
	json_decref(obj);
}

static const struct {
	const char *json;
	const char *field;
	const char *code;
} bad_json[] = {
    {"{\"enable_daily_hard_stop\": \"yes\"}", "enable_daily_hard_stop",
     "invalid_type"},
    {"{\"enable_daily_auto_start\": 1}", "enable_daily_auto_start",
     "invalid_type"},
    {"{\"enable_daily_hard_stop\": true}", "daily_stop_time", "missing_field"},
    {"{\"enable_daily_auto_start\": true, \"daily_start_time\": null}",
     "daily_start_time", "missing_field"},
    {"{\"daily_stop_time\": \"18:00\"}", "daily_stop_time", "invalid_type"},
    {"{\"daily_stop_time\": 24}", "daily_stop_time", "out_of_range"},
    {"{\"daily_stop_time\": -0.5}", "daily_stop_time", "out_of_range"},
    {"{\"daily_stop_time\": 1e300}", "daily_stop_time", "out_of_range"},
    {"{\"daily_stop_time\": 23.9999999999}", "daily_stop_time", "out_of_range"},
    {"{\"daily_stop_time\": true}", "daily_stop_time", "invalid_type"},
    {"{\"daily_start_time\": 9.01}", "daily_start_time", "invalid_value"},
    {"{\"daily_stop_timezone\": \"Mars/Olympus\"}", "daily_stop_timezone",
     "invalid_timezone"},
    {"{\"daily_stop_timezone\": \"America/New_York\\u0000x\"}",
     "daily_stop_timezone", "invalid_timezone"},
    {"{\"daily_start_timezone\": 42}", "daily_start_timezone", "invalid_type"},
    {"{\"allowed_days\": \"monday\"}", "allowed_days", "invalid_type"},
    {"{\"allowed_days\": []}", "allowed_days", "invalid_value"},
    {"{\"allowed_days\": [\"monday\", \"funday\"]}", "allowed_days[1]",
     "invalid_value"},
    {"{\"allowed_days\": [\"Monday\"]}", "allowed_days[0]", "invalid_value"},
    {"{\"allowed_days\": [1, 7]}", "allowed_days[1]", "out_of_range"},
    {"{\"allowed_days\": [-1]}", "allowed_days[0]", "out_of_range"},
    {"{\"allowed_days\": [1.0]}", "allowed_days[0]", "invalid_type"},
    {"{\"allowed_days\": [true]}", "allowed_days[0]", "invalid_type"},
};

static void
test_json_invalid(void **state)
{
	struct daily_window w;
	struct verr e;
	json_t *obj;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		obj = parse(bad_json[i].json);
		memset(&w, 0xa5, sizeof(w));
		memset(&e, 0, sizeof(e));
		assert_int_equal(window_from_json(obj, NY, &w, &e), CD_EINVAL);
		assert_string_equal(e.field, bad_json[i].field);
		assert_string_equal(e.code, bad_json[i].code);
		assert_true(e.message[0] != '\0');
		assert_int_equal(w.days, 0xa5a5a5a5u);
		json_decref(obj);
	}
}

static void
test_json_bad_campaign(void **state)
{
	json_t *obj = parse("{}");
	json_t *arr = parse("[]");
	struct daily_window w;
	struct verr e;

	(void)state;
	assert_int_equal(window_from_json(obj, "Nowhere/City", &w, &e),
			 CD_EINVAL);
	assert_string_equal(e.field, "timezone");
	assert_string_equal(e.code, "invalid_timezone");
	assert_int_equal(window_from_json(arr, NY, &w, &e), CD_EINVAL);
	assert_string_equal(e.code, "invalid_type");
	assert_int_equal(window_from_json(NULL, NY, &w, NULL), CD_EINVAL);
	json_decref(obj);
	json_decref(arr);
}

static void
test_json_round_trip(void **state)
{
	json_t *in = parse("{\"enable_daily_hard_stop\": true,"
			   " \"daily_stop_time\": 18.5,"
			   " \"enable_daily_auto_start\": true,"
			   " \"daily_start_time\": 9.25,"
			   " \"daily_stop_timezone\": \"Asia/Kolkata\","
			   " \"allowed_days\": [5, \"monday\", 0]}");
	json_t *out = json_object();
	json_t *arr = json_array();
	struct daily_window a, b;
	char *text;

	(void)state;
	assert_int_equal(window_from_json(in, NY, &a, NULL), 0);
	assert_int_equal(window_to_json(&a, out), 0);
	text = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(
	    text, "{\"allowed_days\":[\"monday\",\"friday\",\"sunday\"],"
		  "\"daily_start_time\":9.25,"
		  "\"daily_start_timezone\":\"America/New_York\","
		  "\"daily_stop_time\":18.5,"
		  "\"daily_stop_timezone\":\"Asia/Kolkata\","
		  "\"enable_daily_auto_start\":true,"
		  "\"enable_daily_hard_stop\":true}");
	assert_int_equal(window_from_json(out, NY, &b, NULL), 0);
	assert_int_equal(b.stop_minute, a.stop_minute);
	assert_int_equal(b.start_minute, a.start_minute);
	assert_string_equal(b.stop_zone, a.stop_zone);
	assert_int_equal(b.days, a.days);
	assert_int_equal(window_to_json(&a, in), 0);
	assert_int_equal(window_to_json(&a, arr), CD_EINVAL);
	free(text);
	json_decref(arr);
	json_decref(in);
	json_decref(out);
}

/* A third of an hour is not exact in binary, yet names a whole minute. */
static void
test_json_inexact_minutes(void **state)
{
	json_t *obj = json_object();
	struct daily_window w = make(NY, H(9, 5), H(17, 20), 0x7f), back;

	(void)state;
	assert_int_equal(window_to_json(&w, obj), 0);
	assert_int_equal(window_from_json(obj, NY, &back, NULL), 0);
	assert_int_equal(back.start_minute, H(9, 5));
	assert_int_equal(back.stop_minute, H(17, 20));
	json_decref(obj);
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
	    cmocka_unit_test(test_spring_forward_window),
	    cmocka_unit_test(test_fall_back_window),
	    cmocka_unit_test(test_limits_in_gap_and_overlap),
	    cmocka_unit_test(test_kolkata_window),
	    cmocka_unit_test(test_lord_howe_window),
	    cmocka_unit_test(test_across_midnight),
	    cmocka_unit_test(test_equal_times_always_open),
	    cmocka_unit_test(test_no_limits),
	    cmocka_unit_test(test_hard_stop_only),
	    cmocka_unit_test(test_weekend_closed),
	    cmocka_unit_test(test_days_without_hours),
	    cmocka_unit_test(test_days_auto_start_only),
	    cmocka_unit_test(test_days_across_midnight),
	    cmocka_unit_test(test_days_hard_stop_only),
	    cmocka_unit_test(test_no_allowed_day),
	    cmocka_unit_test(test_separate_zones),
	    cmocka_unit_test(test_far_apart_zones),
	    cmocka_unit_test(test_fit),
	    cmocka_unit_test(test_invalid_zone_is_closed),
	    cmocka_unit_test(test_json_full),
	    cmocka_unit_test(test_json_defaults),
	    cmocka_unit_test(test_json_invalid),
	    cmocka_unit_test(test_json_bad_campaign),
	    cmocka_unit_test(test_json_round_trip),
	    cmocka_unit_test(test_json_inexact_minutes),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
