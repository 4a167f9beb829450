/*
 * Unit tests for the retry and callback rules (domain/retry.c), with the
 * clock passed in so day-long schedules run in microseconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "domain/campaign.h"
#include "domain/status.h"
#include "domain/tz.h"
#include "domain/retry.h"
#include "domain/window.h"

#define SEC  1000LL
#define HOUR (3600 * SEC)

/* 2027-03-10 12:00:00 UTC, a Wednesday. */
static int64_t
noon(void)
{
	struct tm tm = {
	    .tm_year = 127, .tm_mon = 2, .tm_mday = 10, .tm_hour = 12};

	return (int64_t)timegm(&tm) * SEC;
}

static void
policy(struct retry_policy *p, bool on, int limit)
{
	memset(p, 0, sizeof(*p));
	p->auto_retry = on;
	p->limit = limit;
	p->delays_ms[0] = 60 * SEC;
	p->delays_ms[1] = 120 * SEC;
	p->ndelays = 2;
	p->retry_on = 1u << OUTCOME_NO_ANSWER | 1u << OUTCOME_BUSY |
		      1u << OUTCOME_FAILED | 1u << OUTCOME_VOICEMAIL;
	p->reschedule = true;
	p->reschedule_limit = 2;
}

static void
test_completed_and_permanent(void **state)
{
	struct retry_policy p;
	struct line_fate f;

	(void)state;
	policy(&p, true, 3);
	retry_decide(&p, OUTCOME_COMPLETED, 0, 0, 0, noon(), NULL, 0, &f);
	assert_int_equal(f.status, LINE_COMPLETED);
	retry_decide(&p, OUTCOME_INVALID_NUMBER, 0, 0, 0, noon(), NULL, 0, &f);
	assert_int_equal(f.status, LINE_FAILED);
	retry_decide(&p, OUTCOME_DO_NOT_CALL, 0, 0, 0, noon(), NULL, 0, &f);
	assert_int_equal(f.status, LINE_COMPLETED);
	assert_true(f.add_dnc);
}

static void
test_retry_delays_and_limit(void **state)
{
	struct retry_policy p;
	struct line_fate f;
	int64_t now = noon();

	(void)state;
	policy(&p, true, 3);
	retry_decide(&p, OUTCOME_NO_ANSWER, 0, 0, 0, now, NULL, 0, &f);
	assert_int_equal(f.status, LINE_RETRY_SCHEDULED);
	assert_int_equal(f.due_at, now + 60 * SEC);
	assert_int_equal(f.retries, 1);
	retry_decide(&p, OUTCOME_BUSY, 1, 0, 0, now, NULL, 0, &f);
	assert_int_equal(f.due_at, now + 120 * SEC);
	/* The last delay repeats. */
	retry_decide(&p, OUTCOME_VOICEMAIL, 2, 0, 0, now, NULL, 0, &f);
	assert_int_equal(f.status, LINE_RETRY_SCHEDULED);
	assert_int_equal(f.due_at, now + 120 * SEC);
	assert_int_equal(f.retries, 3);
	retry_decide(&p, OUTCOME_FAILED, 3, 0, 0, now, NULL, 0, &f);
	assert_int_equal(f.status, LINE_FAILED);
	assert_int_equal(f.retries, 3);
}

static void
test_retry_off_and_narrowed(void **state)
{
	struct retry_policy p;
	struct line_fate f;

	(void)state;
	policy(&p, false, 3);
	retry_decide(&p, OUTCOME_NO_ANSWER, 0, 0, 0, noon(), NULL, 0, &f);
	assert_int_equal(f.status, LINE_FAILED);
	policy(&p, true, 3);
	p.retry_on = 1u << OUTCOME_BUSY;
	retry_decide(&p, OUTCOME_NO_ANSWER, 0, 0, 0, noon(), NULL, 0, &f);
	assert_int_equal(f.status, LINE_FAILED);
	retry_decide(&p, OUTCOME_BUSY, 0, 0, 0, noon(), NULL, 0, &f);
	assert_int_equal(f.status, LINE_RETRY_SCHEDULED);
	/* An unknown outcome (a crash) is always a retryable failure. */
	retry_decide(&p, OUTCOME_UNKNOWN, 0, 0, 0, noon(), NULL, 0, &f);
	assert_int_equal(f.status, LINE_RETRY_SCHEDULED);
}

static void
test_callbacks(void **state)
{
	struct retry_policy p;
	struct line_fate f;
	int64_t now = noon();

	(void)state;
	policy(&p, true, 1);
	retry_decide(&p, OUTCOME_CALLBACK_REQUESTED, 1, 0, now + 3 * HOUR, now,
		     NULL, 0, &f);
	assert_int_equal(f.status, LINE_CALLBACK_SCHEDULED);
	assert_int_equal(f.due_at, now + 3 * HOUR);
	assert_int_equal(f.reschedules, 1);
	assert_int_equal(f.retries, 1); /* a callback uses no retry */
	/* A time in the past means as soon as possible. */
	retry_decide(&p, OUTCOME_CALLBACK_REQUESTED, 0, 0, now - HOUR, now,
		     NULL, 0, &f);
	assert_int_equal(f.due_at, now);
	/* The cap, then rescheduling off: the line completes. */
	retry_decide(&p, OUTCOME_CALLBACK_REQUESTED, 0, 2, now + HOUR, now,
		     NULL, 0, &f);
	assert_int_equal(f.status, LINE_COMPLETED);
	p.reschedule = false;
	retry_decide(&p, OUTCOME_CALLBACK_REQUESTED, 0, 0, now + HOUR, now,
		     NULL, 0, &f);
	assert_int_equal(f.status, LINE_COMPLETED);
}

static void
test_callback_moved_into_window(void **state)
{
	struct daily_window w;
	struct retry_policy p;
	struct line_fate f;
	json_t *cfg =
	    json_pack("{s:b, s:f, s:b, s:f}", "enable_daily_hard_stop", 1,
		      "daily_stop_time", 18.0, "enable_daily_auto_start", 1,
		      "daily_start_time", 9.0);
	int64_t now = noon();

	(void)state;
	assert_int_equal(window_from_json(cfg, "UTC", &w, NULL), 0);
	policy(&p, true, 1);
	/* 20:00 is after the stop: the callback moves to 09:00 next day. */
	retry_decide(&p, OUTCOME_CALLBACK_REQUESTED, 0, 0, now + 8 * HOUR, now,
		     &w, 0, &f);
	assert_int_equal(f.status, LINE_CALLBACK_SCHEDULED);
	assert_int_equal(f.due_at, now + 21 * HOUR);
	json_decref(cfg);
}

/* Whatever the outcomes, a line never gets more than 1 + limit calls
 * that are not callbacks. */
static void
test_budget_never_exceeded(void **state)
{
	static const enum call_outcome mix[] = {
	    OUTCOME_NO_ANSWER, OUTCOME_CALLBACK_REQUESTED, OUTCOME_BUSY,
	    OUTCOME_UNKNOWN,   OUTCOME_VOICEMAIL,	   OUTCOME_FAILED,
	};
	struct retry_policy p;
	struct line_fate f = {.status = LINE_PENDING};
	int calls = 0, callbacks = 0, retries = 0, reschedules = 0;
	int64_t now = noon();

	(void)state;
	policy(&p, true, 2);
	p.reschedule_limit = 5;
	for (int i = 0; i < 100 && !line_status_final(f.status); i++) {
		enum call_outcome o = mix[i % 6];

		if (f.status == LINE_CALLBACK_SCHEDULED)
			callbacks++;
		else
			calls++;
		retry_decide(&p, o, retries, reschedules, now + HOUR, now, NULL,
			     0, &f);
		retries = f.retries;
		reschedules = f.reschedules;
	}
	assert_int_equal(f.status, LINE_FAILED);
	assert_true(calls <= 1 + p.limit);
	assert_int_equal(retries, p.limit);
	assert_true(callbacks >= 1);
}

static void
test_policy_from_settings(void **state)
{
	json_t *body = json_pack(
	    "{s:s, s:i, s:b, s:{s:b, s:i, s:[i, i], s:[s]}, s:b, s:i}", "name",
	    "x", "phone_number_id", 1, "is_dynamic", 1, "retry_config",
	    "auto_retry", 1, "retry_limit", 4, "retry_delays_minutes", 5, 30,
	    "retry_on", "busy", "enabled_reschedule_call", 1,
	    "reschedule_limit", 2);
	struct campaign_spec spec;
	struct retry_policy p;
	struct verr e;

	(void)state;
	assert_int_equal(campaign_spec_parse(body, noon(), &spec, &e), 0);
	retry_policy_read(spec.settings, &p);
	assert_true(p.auto_retry);
	assert_int_equal(p.limit, 4);
	assert_int_equal(p.ndelays, 2);
	assert_int_equal(p.delays_ms[0], 5 * 60 * SEC);
	assert_int_equal(p.delays_ms[1], 30 * 60 * SEC);
	assert_int_equal(p.retry_on, 1u << OUTCOME_BUSY);
	assert_true(p.reschedule);
	assert_int_equal(p.reschedule_limit, 2);
	json_decref(spec.settings);
	json_decref(body);
}

/*
 * A day of a campaign with a 09:00-18:00 New York window, driven by the
 * fake clock a minute at a time: it opens and closes at the right instants
 * (14:00 and 23:00 UTC in winter), and a retry due at night waits.
 */
static void
test_day_with_fake_clock(void **state)
{
	struct tm tm = {.tm_year = 127, .tm_mon = 0, .tm_mday = 12};
	json_t *cfg =
	    json_pack("{s:b, s:f, s:b, s:f}", "enable_daily_hard_stop", 1,
		      "daily_stop_time", 18.0, "enable_daily_auto_start", 1,
		      "daily_start_time", 9.0);
	struct campaign_facts f = {.type = CAMPAIGN_DYNAMIC,
				   .state = CSTATE_ACTIVE};
	struct daily_window w;
	int64_t fake = (int64_t)timegm(&tm) * SEC, opened = 0, closed = 0;
	enum campaign_status last = CSTATUS_COUNT;

	(void)state;
	assert_int_equal(window_from_json(cfg, "America/New_York", &w, NULL),
			 0);
	f.window = &w;
	f.counts[LINE_RETRY_SCHEDULED] = 1;
	f.next_due_at = fake + 3 * HOUR; /* 22:00 in New York */
	clock_set_fake(&fake);
	for (int m = 0; m < 24 * 60; m++, fake += 60 * SEC) {
		enum campaign_status st = status_derive(&f, clock_now_ms());

		if (st == CSTATUS_IN_PROGRESS && last == CSTATUS_AUTO_PAUSED)
			opened = clock_now_ms();
		if (st == CSTATUS_AUTO_PAUSED && last == CSTATUS_IN_PROGRESS)
			closed = clock_now_ms();
		last = st;
	}
	clock_set_fake(NULL);
	/* 2027-01-12 14:00 UTC is 09:00 EST; 23:00 UTC is 18:00 EST. */
	assert_int_equal(opened, (int64_t)timegm(&tm) * SEC + 14 * HOUR);
	assert_int_equal(closed, (int64_t)timegm(&tm) * SEC + 23 * HOUR);
	json_decref(cfg);
	tz_thread_cleanup();
}

static void
test_outcome_names(void **state)
{
	(void)state;
	for (int o = 0; o < OUTCOME_COUNT; o++)
		assert_int_equal(outcome_parse(outcome_name(o)), o);
	assert_int_equal(outcome_parse("hung_up"), -1);
	assert_int_equal(outcome_parse(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_completed_and_permanent),
	    cmocka_unit_test(test_retry_delays_and_limit),
	    cmocka_unit_test(test_retry_off_and_narrowed),
	    cmocka_unit_test(test_callbacks),
	    cmocka_unit_test(test_callback_moved_into_window),
	    cmocka_unit_test(test_budget_never_exceeded),
	    cmocka_unit_test(test_policy_from_settings),
	    cmocka_unit_test(test_day_with_fake_clock),
	    cmocka_unit_test(test_outcome_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
