/*
 * Unit tests for the derived campaign status: each status, the order in
 * which they take precedence, and the count of lines still open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "domain/status.h"

#define MS_PER_HOUR INT64_C(3600000)
#define H(h)	    ((h)*60)

/* An instant from a UTC reading, computed by the C library. */
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

/* Tuesday 2027-01-12, noon UTC. */
#define NOON utc(2027, 1, 12, 12, 0)

/*
 * A campaign started an hour before noon, with no window and no lines:
 * each test adds what it needs.
 */
static struct campaign_facts
facts(enum campaign_type type, enum campaign_state st)
{
	struct campaign_facts f;

	memset(&f, 0, sizeof(f));
	f.type = type;
	f.state = st;
	f.start_at = NOON - MS_PER_HOUR;
	f.resumed_at = NOON - MS_PER_HOUR;
	f.window = NULL;
	f.next_due_at = -1;
	return f;
}

/* A daily window in UTC; a minute < 0 turns its limit off. */
static struct daily_window
utc_window(int start_minute, int stop_minute)
{
	struct daily_window w;

	memset(&w, 0, sizeof(w));
	w.auto_start = start_minute >= 0;
	w.start_minute = w.auto_start ? start_minute : 0;
	w.hard_stop = stop_minute >= 0;
	w.stop_minute = w.hard_stop ? stop_minute : 0;
	w.days = WINDOW_EVERY_DAY;
	strcpy(w.zone, "UTC");
	strcpy(w.start_zone, "UTC");
	strcpy(w.stop_zone, "UTC");
	return w;
}

/* Every line in a final status: 3 completed, 1 failed, 1 skipped, ... */
static void
all_final(struct campaign_facts *f)
{
	f->counts[LINE_COMPLETED] = 3;
	f->counts[LINE_FAILED] = 1;
	f->counts[LINE_SKIPPED] = 1;
	f->counts[LINE_CANCELLED] = 2;
}

/* Everything that could make a campaign look busy or stopped. */
static void
everything(struct campaign_facts *f, const struct daily_window *closed)
{
	f->start_at = NOON + MS_PER_HOUR;
	f->window = closed;
	f->counts[LINE_CALLING] = 2;
	f->counts[LINE_PENDING] = 5;
	f->next_due_at = NOON - 1;
}

static void
test_cancelled_beats_everything(void **state)
{
	struct daily_window closed = utc_window(H(9), H(10));
	struct campaign_facts f;

	(void)state;
	f = facts(CAMPAIGN_DYNAMIC, CSTATE_CANCELLED);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_CANCELLED);
	everything(&f, &closed);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_CANCELLED);

	f = facts(CAMPAIGN_CSV, CSTATE_CANCELLED);
	all_final(&f);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_CANCELLED);
	everything(&f, &closed);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_CANCELLED);
}

static void
test_draft(void **state)
{
	struct daily_window closed = utc_window(H(9), H(10));
	struct campaign_facts f;

	(void)state;
	f = facts(CAMPAIGN_DYNAMIC, CSTATE_DRAFT);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_DRAFT);
	everything(&f, &closed);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_DRAFT);

	/* A csv draft whose lines are all final is still a draft. */
	f = facts(CAMPAIGN_CSV, CSTATE_DRAFT);
	all_final(&f);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_DRAFT);
	f.start_at = NOON + MS_PER_HOUR;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_DRAFT);
}

static void
test_csv_completed(void **state)
{
	struct daily_window closed = utc_window(H(9), H(10));
	struct campaign_facts f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);

	(void)state;
	all_final(&f);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_COMPLETED);

	/* Completed wins over paused, scheduled and auto_paused. */
	f.state = CSTATE_PAUSED;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_COMPLETED);
	f.state = CSTATE_ACTIVE;
	f.start_at = NOON + MS_PER_HOUR;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_COMPLETED);
	f.start_at = NOON - MS_PER_HOUR;
	f.window = &closed;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_COMPLETED);

	/* One line still open, of any open status, keeps it going. */
	for (int s = LINE_PENDING; s <= LINE_CALLBACK_SCHEDULED; s++) {
		f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);
		all_final(&f);
		f.counts[s] = 1;
		f.next_due_at = NOON + MS_PER_HOUR;
		assert_int_not_equal(status_derive(&f, NOON),
				     CSTATUS_COMPLETED);
	}

	/* No line at all: every line (of none) is final. */
	f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_COMPLETED);
}

/* A dynamic campaign never completes: it waits for contacts. */
static void
test_dynamic_never_completed(void **state)
{
	struct campaign_facts f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);

	(void)state;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_WAITING);
	all_final(&f);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_WAITING);
	f.state = CSTATE_PAUSED;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_PAUSED);
}

static void
test_paused(void **state)
{
	struct daily_window closed = utc_window(H(9), H(10));
	struct campaign_facts f;

	(void)state;
	f = facts(CAMPAIGN_DYNAMIC, CSTATE_PAUSED);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_PAUSED);
	/* Paused wins over scheduled, auto_paused and calls in flight. */
	everything(&f, &closed);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_PAUSED);

	f = facts(CAMPAIGN_CSV, CSTATE_PAUSED);
	f.counts[LINE_PENDING] = 4;
	f.next_due_at = NOON;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_PAUSED);
	everything(&f, &closed);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_PAUSED);
}

static void
test_scheduled(void **state)
{
	struct daily_window closed = utc_window(H(9), H(10));
	struct campaign_facts f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);

	(void)state;
	f.start_at = NOON + 1;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_SCHEDULED);
	/* Scheduled wins over auto_paused and due lines. */
	everything(&f, &closed);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_SCHEDULED);

	f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);
	f.counts[LINE_PENDING] = 3;
	f.next_due_at = NOON - MS_PER_HOUR;
	f.start_at = NOON + 24 * MS_PER_HOUR;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_SCHEDULED);
	/* At start_at it runs. */
	assert_int_equal(status_derive(&f, f.start_at), CSTATUS_IN_PROGRESS);
	assert_int_equal(status_derive(&f, f.start_at - 1), CSTATUS_SCHEDULED);
}

/* Hard stop at 18:00 and auto start at 9:00 UTC, judged at 20:00. */
static void
test_auto_paused_outside_window(void **state)
{
	struct daily_window w = utc_window(H(9), H(18));
	int64_t evening = utc(2027, 1, 12, 20, 0);
	struct campaign_facts f;

	(void)state;
	f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);
	f.window = &w;
	assert_int_equal(status_derive(&f, evening), CSTATUS_AUTO_PAUSED);
	/* Calls in flight and due lines do not reopen it. */
	f.counts[LINE_CALLING] = 1;
	f.counts[LINE_PENDING] = 1;
	f.next_due_at = evening - MS_PER_HOUR;
	assert_int_equal(status_derive(&f, evening), CSTATUS_AUTO_PAUSED);
	/* The same facts inside the window. */
	assert_int_equal(status_derive(&f, NOON), CSTATUS_IN_PROGRESS);

	/* The window's edges: closed from 18:00, open again at 9:00. */
	f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);
	f.window = &w;
	f.counts[LINE_PENDING] = 1;
	f.next_due_at = NOON;
	assert_int_equal(status_derive(&f, utc(2027, 1, 12, 18, 0) - 1),
			 CSTATUS_IN_PROGRESS);
	assert_int_equal(status_derive(&f, utc(2027, 1, 12, 18, 0)),
			 CSTATUS_AUTO_PAUSED);
	assert_int_equal(status_derive(&f, utc(2027, 1, 13, 9, 0) - 1),
			 CSTATUS_AUTO_PAUSED);
	assert_int_equal(status_derive(&f, utc(2027, 1, 13, 9, 0)),
			 CSTATUS_IN_PROGRESS);
}

/* A hard stop alone closes until the next resume by hand. */
static void
test_auto_paused_hard_stop_alone(void **state)
{
	struct daily_window w = utc_window(-1, H(18));
	int64_t evening = utc(2027, 1, 12, 20, 0);
	struct campaign_facts f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);

	(void)state;
	f.window = &w;
	f.resumed_at = utc(2027, 1, 12, 10, 0);
	assert_int_equal(status_derive(&f, NOON), CSTATUS_WAITING);
	assert_int_equal(status_derive(&f, evening), CSTATUS_AUTO_PAUSED);
	assert_int_equal(status_derive(&f, utc(2027, 1, 13, 10, 0)),
			 CSTATUS_AUTO_PAUSED);
	/* Resumed at 19:00: open until the next day's 18:00. */
	f.resumed_at = utc(2027, 1, 12, 19, 0);
	assert_int_equal(status_derive(&f, evening), CSTATUS_WAITING);
	assert_int_equal(status_derive(&f, utc(2027, 1, 13, 18, 0)),
			 CSTATUS_AUTO_PAUSED);
}

/* An open window (auto start alone never closes) changes nothing. */
static void
test_open_window(void **state)
{
	struct daily_window start_only = utc_window(H(9), -1);
	struct campaign_facts f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);

	(void)state;
	f.window = &start_only;
	assert_int_equal(status_derive(&f, utc(2027, 1, 13, 3, 0)),
			 CSTATUS_WAITING);
}

static void
test_in_progress(void **state)
{
	struct campaign_facts f;

	(void)state;
	/* A call in flight, nothing else due. */
	f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);
	f.counts[LINE_CALLING] = 1;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_IN_PROGRESS);

	/* A line due now, or due in the past. */
	f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);
	f.counts[LINE_PENDING] = 1;
	f.next_due_at = NOON;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_IN_PROGRESS);
	f.next_due_at = NOON - 3 * MS_PER_HOUR;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_IN_PROGRESS);

	f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);
	f.counts[LINE_CALLING] = 1;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_IN_PROGRESS);
}

static void
test_waiting(void **state)
{
	struct campaign_facts f = facts(CAMPAIGN_DYNAMIC, CSTATE_ACTIVE);

	(void)state;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_WAITING);
	/* A retry due later is not due now. */
	f.counts[LINE_RETRY_SCHEDULED] = 1;
	f.counts[LINE_COMPLETED] = 7;
	f.next_due_at = NOON + 1;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_WAITING);
	/* It turns in_progress the moment the retry falls due. */
	assert_int_equal(status_derive(&f, NOON + 1), CSTATUS_IN_PROGRESS);
}

/* A csv campaign whose remaining lines are due later is in progress. */
static void
test_csv_future_lines(void **state)
{
	struct campaign_facts f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);

	(void)state;
	f.counts[LINE_CALLBACK_SCHEDULED] = 1;
	f.counts[LINE_RETRY_SCHEDULED] = 2;
	f.counts[LINE_COMPLETED] = 10;
	f.next_due_at = NOON + 2 * MS_PER_HOUR;
	assert_int_equal(status_derive(&f, NOON), CSTATUS_IN_PROGRESS);
}

static void
test_open_lines(void **state)
{
	struct campaign_facts f = facts(CAMPAIGN_CSV, CSTATE_ACTIVE);

	(void)state;
	assert_int_equal(status_open_lines(&f), 0);
	/* One bit per status: the open ones are the first four. */
	for (int s = 0; s < LINE_STATUS_COUNT; s++)
		f.counts[s] = INT64_C(1) << s;
	assert_int_equal(status_open_lines(&f), 1 + 2 + 4 + 8);
	all_final(&f);
	f.counts[LINE_PENDING] = 0;
	f.counts[LINE_CALLING] = 0;
	f.counts[LINE_RETRY_SCHEDULED] = 0;
	f.counts[LINE_CALLBACK_SCHEDULED] = 0;
	assert_int_equal(status_open_lines(&f), 0);
	f.counts[LINE_PENDING] = INT64_C(5000000000);
	f.counts[LINE_CALLING] = 3;
	assert_int_equal(status_open_lines(&f), INT64_C(5000000003));
}

/*
 * Every combination of state, type, start, window, calls in flight, due
 * lines and final lines: the derived status must allow the campaign's
 * state, or a list filtered by that status would miss the campaign.
 */
static void
test_status_states_cover_every_case(void **state)
{
	struct daily_window closed = utc_window(H(13), H(17));
	struct campaign_facts f;
	unsigned seen = 0, mask;

	(void)state;
	for (int st = CSTATE_DRAFT; st <= CSTATE_CANCELLED; st++)
		for (int combo = 0; combo < 64; combo++) {
			f = facts(combo & 1 ? CAMPAIGN_CSV : CAMPAIGN_DYNAMIC,
				  (enum campaign_state)st);
			if (combo & 2)
				f.start_at = NOON + MS_PER_HOUR;
			if (combo & 4)
				f.window = &closed;
			if (combo & 8)
				f.counts[LINE_CALLING] = 1;
			if (combo & 16) {
				f.counts[LINE_PENDING] = 2;
				f.next_due_at = NOON - 1;
			}
			if (combo & 32)
				all_final(&f);
			enum campaign_status s = status_derive(&f, NOON);

			mask = status_states(s);
			assert_true(mask & (1u << st));
			seen |= 1u << s;
		}
	/* Every status came up, so every branch above was checked. */
	assert_int_equal(seen, (1u << CSTATUS_COUNT) - 1);
	/* The masks are narrow: a status the state cannot give is out. */
	assert_int_equal(status_states(CSTATUS_PAUSED), 1u << CSTATE_PAUSED);
	assert_false(status_states(CSTATUS_WAITING) & (1u << CSTATE_PAUSED));
	assert_false(status_states(CSTATUS_COMPLETED) &
		     (1u << CSTATE_CANCELLED | 1u << CSTATE_DRAFT));
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
	    cmocka_unit_test(test_cancelled_beats_everything),
	    cmocka_unit_test(test_draft),
	    cmocka_unit_test(test_csv_completed),
	    cmocka_unit_test(test_dynamic_never_completed),
	    cmocka_unit_test(test_paused),
	    cmocka_unit_test(test_scheduled),
	    cmocka_unit_test(test_auto_paused_outside_window),
	    cmocka_unit_test(test_auto_paused_hard_stop_alone),
	    cmocka_unit_test(test_open_window),
	    cmocka_unit_test(test_in_progress),
	    cmocka_unit_test(test_waiting),
	    cmocka_unit_test(test_csv_future_lines),
	    cmocka_unit_test(test_open_lines),
	    cmocka_unit_test(test_status_states_cover_every_case),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
