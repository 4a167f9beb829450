/*
 * Unit tests for the domain nouns: the API spelling of every enumeration,
 * parsing those names back, and which line statuses are final or due.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/model.h"

/* The spellings of the public API, in enum order. */
static const char *const types[] = {"dynamic", "csv"};
static const char *const states[] = {"draft", "active", "paused", "cancelled"};
static const char *const statuses[] = {
    "draft",	   "scheduled", "in_progress", "waiting",
    "auto_paused", "paused",	"cancelled",   "completed",
};
static const char *const lines[] = {
    "pending",	 "calling", "retry_scheduled", "callback_scheduled",
    "completed", "failed",  "skipped",	       "cancelled",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(campaign_type_name(CAMPAIGN_DYNAMIC), "dynamic");
	assert_string_equal(campaign_type_name(CAMPAIGN_CSV), "csv");
	for (size_t i = 0; i < NELEM(types); i++) {
		assert_string_equal(campaign_type_name(i), types[i]);
		assert_int_equal(campaign_type_parse(types[i]), (int)i);
	}
	assert_string_equal(campaign_type_name((enum campaign_type)2), "?");
	assert_string_equal(campaign_type_name((enum campaign_type) - 1), "?");
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(campaign_state_name(CSTATE_DRAFT), "draft");
	assert_string_equal(campaign_state_name(CSTATE_ACTIVE), "active");
	assert_string_equal(campaign_state_name(CSTATE_PAUSED), "paused");
	assert_string_equal(campaign_state_name(CSTATE_CANCELLED), "cancelled");
	for (size_t i = 0; i < NELEM(states); i++)
		assert_int_equal(campaign_state_parse(states[i]), (int)i);
	assert_string_equal(campaign_state_name((enum campaign_state)4), "?");
}

static void
test_status_names(void **state)
{
	(void)state;
	assert_int_equal(NELEM(statuses), CSTATUS_COUNT);
	assert_string_equal(campaign_status_name(CSTATUS_IN_PROGRESS),
			    "in_progress");
	assert_string_equal(campaign_status_name(CSTATUS_AUTO_PAUSED),
			    "auto_paused");
	assert_string_equal(campaign_status_name(CSTATUS_COMPLETED),
			    "completed");
	for (size_t i = 0; i < NELEM(statuses); i++) {
		assert_string_equal(campaign_status_name(i), statuses[i]);
		assert_int_equal(campaign_status_parse(statuses[i]), (int)i);
	}
	assert_string_equal(campaign_status_name(CSTATUS_COUNT), "?");
}

static void
test_line_names(void **state)
{
	(void)state;
	assert_int_equal(NELEM(lines), LINE_STATUS_COUNT);
	assert_string_equal(line_status_name(LINE_RETRY_SCHEDULED),
			    "retry_scheduled");
	assert_string_equal(line_status_name(LINE_CALLBACK_SCHEDULED),
			    "callback_scheduled");
	for (size_t i = 0; i < NELEM(lines); i++) {
		assert_string_equal(line_status_name(i), lines[i]);
		assert_int_equal(line_status_parse(lines[i]), (int)i);
	}
	assert_string_equal(line_status_name(LINE_STATUS_COUNT), "?");
}

/* "cancelled" and "completed" name different values in each enum. */
static void
test_shared_names(void **state)
{
	(void)state;
	assert_int_equal(campaign_status_parse("cancelled"), CSTATUS_CANCELLED);
	assert_int_equal(line_status_parse("cancelled"), LINE_CANCELLED);
	assert_int_equal(campaign_state_parse("cancelled"), CSTATE_CANCELLED);
	assert_int_equal(campaign_status_parse("completed"), CSTATUS_COMPLETED);
	assert_int_equal(line_status_parse("completed"), LINE_COMPLETED);
	assert_int_equal(campaign_status_parse("draft"), CSTATUS_DRAFT);
	assert_int_equal(campaign_state_parse("draft"), CSTATE_DRAFT);
}

static void
test_unknown_names(void **state)
{
	static const char *const bad[] = {
	    "",
	    "?",
	    "Dynamic",
	    "CSV",
	    "active ",
	    " paused",
	    "inprogress",
	    "running",
	    "in-progress",
	    "PENDING",
	    "complete",
	    "canceled",
	    "dynamicx",
	    "retry_schedule",
	};

	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		assert_int_equal(campaign_type_parse(bad[i]), -1);
		assert_int_equal(campaign_state_parse(bad[i]), -1);
		assert_int_equal(campaign_status_parse(bad[i]), -1);
		assert_int_equal(line_status_parse(bad[i]), -1);
	}
	/* Names from one enumeration are unknown to another. */
	assert_int_equal(campaign_type_parse("pending"), -1);
	assert_int_equal(campaign_state_parse("in_progress"), -1);
	assert_int_equal(campaign_status_parse("active"), -1);
	assert_int_equal(line_status_parse("waiting"), -1);
	assert_int_equal(campaign_type_parse(NULL), -1);
	assert_int_equal(campaign_state_parse(NULL), -1);
	assert_int_equal(campaign_status_parse(NULL), -1);
	assert_int_equal(line_status_parse(NULL), -1);
}

static void
test_final_and_due(void **state)
{
	static const struct {
		enum line_status s;
		bool final, due;
	} want[] = {
	    {LINE_PENDING, false, true},
	    {LINE_CALLING, false, false},
	    {LINE_RETRY_SCHEDULED, false, true},
	    {LINE_CALLBACK_SCHEDULED, false, true},
	    {LINE_COMPLETED, true, false},
	    {LINE_FAILED, true, false},
	    {LINE_SKIPPED, true, false},
	    {LINE_CANCELLED, true, false},
	};

	(void)state;
	assert_int_equal(NELEM(want), LINE_STATUS_COUNT);
	for (size_t i = 0; i < NELEM(want); i++) {
		if (line_status_final(want[i].s) != want[i].final)
			fail_msg("final(%s)", lines[want[i].s]);
		if (line_status_due(want[i].s) != want[i].due)
			fail_msg("due(%s)", lines[want[i].s]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test(test_line_names),
	    cmocka_unit_test(test_shared_names),
	    cmocka_unit_test(test_unknown_names),
	    cmocka_unit_test(test_final_and_due),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
