/*
 * Unit tests for campaign settings: checking create requests, the start
 * time in the campaign's zone, retry normalisation, the daily window, and
 * the changes made while a campaign runs (reschedule, window update).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "domain/campaign.h"

#define NY	 "America/New_York"
#define DAY_S	 86400
#define HOUR_S	 3600
#define BASE	 "\"name\": \"Spring promo\", \"phone_number_id\": 3"
#define DYNAMIC	 "{" BASE ", \"is_dynamic\": true"
#define ONE_LINE "\"contact_list\": [{\"phone_number\": \"+15551234567\"}]"

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

/* When each request is made: Tuesday 2027-01-12 12:00 UTC. */
#define NOW utc(2027, 1, 12, 12, 0)

static json_t *
parse(const char *text)
{
	json_error_t jerr;
	json_t *obj = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (obj == NULL)
		fail_msg("bad test JSON: %s: %s", jerr.text, text);
	return obj;
}

/* Asserts that got equals the JSON value written in want_text. */
static void
assert_json(const json_t *got, const char *want_text)
{
	json_t *want = parse(want_text);
	char *text;

	if (!json_equal(got, want)) {
		text = json_dumps(got, JSON_SORT_KEYS | JSON_ENCODE_ANY);
		json_decref(want);
		fail_msg("got %s, want %s", text, want_text);
	}
	json_decref(want);
}

/* Parses a create request that must be valid; returns its body. */
static json_t *
spec_ok(const char *text, struct campaign_spec *spec)
{
	json_t *body = parse(text);
	struct verr e;

	memset(&e, 0, sizeof(e));
	if (campaign_spec_parse(body, NOW, spec, &e) != 0)
		fail_msg("refused (%s: %s): %s", e.field, e.code, text);
	assert_non_null(spec->settings);
	return body;
}

static void
spec_bad(const char *text, const char *field, const char *code)
{
	json_t *body = parse(text);
	struct campaign_spec spec;
	struct verr e;

	memset(&e, 0, sizeof(e));
	if (campaign_spec_parse(body, NOW, &spec, &e) != CD_EINVAL)
		fail_msg("accepted %s", text);
	if (strcmp(e.field, field) != 0 || strcmp(e.code, code) != 0)
		fail_msg("%s: got %s/%s, want %s/%s", text, e.field, e.code,
			 field, code);
	assert_true(e.message[0] != '\0');
	assert_null(spec.settings);
	json_decref(body);
}

/* --- Create: types and defaults --- */

static void
test_dynamic_defaults(void **state)
{
	struct campaign_spec s;
	json_t *body = spec_ok(DYNAMIC "}", &s);

	(void)state;
	assert_string_equal(s.name, "Spring promo");
	assert_int_equal(s.type, CAMPAIGN_DYNAMIC);
	assert_int_equal(s.phone_number_id, 3);
	assert_int_equal(s.agent_id, 0);
	assert_false(s.draft);
	assert_int_equal(s.start_at, NOW);
	assert_int_equal(s.concurrent_call_limit, 10);
	assert_null(s.contact_list);
	assert_null(s.contact_csv);
	assert_string_equal(campaign_timezone(s.settings), "UTC");
	assert_null(json_object_get(s.settings, "scheduled_datetime"));
	assert_json(json_object_get(s.settings, "retry_config"),
		    "{\"auto_retry\": false, \"retry_limit\": 0,"
		    " \"retry_delays_seconds\": [3600],"
		    " \"retry_on\": [\"no_answer\", \"busy\", \"failed\","
		    " \"voicemail\"]}");
	assert_json(json_object_get(s.settings, "enabled_reschedule_call"),
		    "false");
	assert_json(json_object_get(s.settings, "reschedule_limit"), "3");
	assert_json(json_object_get(s.settings, "call_conditions"), "[]");
	assert_json(json_object_get(json_object_get(s.settings, "window"),
				    "enable_daily_hard_stop"),
		    "false");
	json_decref(s.settings);
	json_decref(body);
}

static void
test_dynamic_options(void **state)
{
	struct campaign_spec s;
	json_t *body =
	    spec_ok(DYNAMIC ", \"bot_id\": 7,"
			    " \"concurrent_call_limit\": 1000,"
			    " \"save_as_draft\": true,"
			    " \"enabled_reschedule_call\": true,"
			    " \"reschedule_limit\": 20,"
			    " \"call_conditions\": [{\"column\":"
			    " \"age\", \"operator\": \"greater_than\","
			    " \"value\": 30}]}",
		    &s);

	(void)state;
	assert_int_equal(s.agent_id, 7);
	assert_int_equal(s.concurrent_call_limit, 1000);
	assert_true(s.draft);
	assert_int_equal(s.start_at, NOW);
	assert_json(json_object_get(s.settings, "enabled_reschedule_call"),
		    "true");
	assert_json(json_object_get(s.settings, "reschedule_limit"), "20");
	assert_json(json_object_get(s.settings, "call_conditions"),
		    "[{\"column\": \"age\", \"operator\": \"greater_than\","
		    " \"value\": 30}]");
	json_decref(s.settings);
	json_decref(body);
}

static void
test_csv_contact_list(void **state)
{
	struct campaign_spec s;
	json_t *body = spec_ok("{" BASE ", " ONE_LINE "}", &s);

	(void)state;
	assert_int_equal(s.type, CAMPAIGN_CSV);
	assert_ptr_equal(s.contact_list, json_object_get(body, "contact_list"));
	assert_null(s.contact_csv);
	json_decref(s.settings);
	json_decref(body);

	/* is_dynamic false is the same as leaving it out. */
	body = spec_ok("{" BASE ", \"is_dynamic\": false, " ONE_LINE "}", &s);
	assert_int_equal(s.type, CAMPAIGN_CSV);
	json_decref(s.settings);
	json_decref(body);
}

static void
test_csv_contact_csv(void **state)
{
	struct campaign_spec s;
	json_t *body = spec_ok("{" BASE ", \"contact_csv\":"
			       " \"phone_number,name\\n+15551234567,Ann\\n\"}",
			       &s);

	(void)state;
	assert_int_equal(s.type, CAMPAIGN_CSV);
	assert_null(s.contact_list);
	assert_non_null(s.contact_csv);
	assert_string_equal(s.contact_csv, "phone_number,name\n"
					   "+15551234567,Ann\n");
	assert_ptr_equal(s.contact_csv, json_string_value(json_object_get(
					    body, "contact_csv")));
	json_decref(s.settings);
	json_decref(body);
}

static void
test_draft(void **state)
{
	struct campaign_spec s;
	json_t *body =
	    spec_ok("{" BASE ", " ONE_LINE ", \"save_as_draft\": true}", &s);

	(void)state;
	assert_true(s.draft);
	assert_int_equal(s.type, CAMPAIGN_CSV);
	json_decref(s.settings);
	json_decref(body);
	body = spec_ok(DYNAMIC ", \"save_as_draft\": false}", &s);
	assert_false(s.draft);
	json_decref(s.settings);
	json_decref(body);
}

/* --- Create: scheduling --- */

static void
check_scheduled(const char *zone, const char *when, int64_t want)
{
	char text[256];
	struct campaign_spec s;
	json_t *body;

	snprintf(text, sizeof(text),
		 DYNAMIC ", \"is_scheduled\": true, \"timezone\": \"%s\","
			 " \"scheduled_datetime\": \"%s\"}",
		 zone, when);
	body = spec_ok(text, &s);
	if (s.start_at != want)
		fail_msg("%s in %s: start_at %lld, want %lld", when, zone,
			 (long long)s.start_at, (long long)want);
	assert_string_equal(campaign_timezone(s.settings), zone);
	assert_string_equal(json_string_value(json_object_get(
				s.settings, "scheduled_datetime")),
			    when);
	json_decref(s.settings);
	json_decref(body);
}

static void
test_scheduled_new_york(void **state)
{
	(void)state;
	/* Winter: EST, UTC-5. */
	check_scheduled(NY, "2027-01-15 09:00:00", utc(2027, 1, 15, 14, 0));
	/* Summer: EDT, UTC-4. */
	check_scheduled(NY, "2027-07-01 09:00:00", utc(2027, 7, 1, 13, 0));
	/* Late evening local is the next day in UTC. */
	check_scheduled(NY, "2027-12-31 21:30:00", utc(2028, 1, 1, 2, 30));
	/* 02:30 does not exist on 2027-03-14: 03:30 EDT. */
	check_scheduled(NY, "2027-03-14 02:30:00", utc(2027, 3, 14, 7, 30));
	/* 01:30 happens twice on 2027-11-07: the first, still EDT. */
	check_scheduled(NY, "2027-11-07 01:30:00", utc(2027, 11, 7, 5, 30));
}

static void
test_scheduled_other_zones(void **state)
{
	(void)state;
	check_scheduled("UTC", "2027-02-01 08:00:00", utc(2027, 2, 1, 8, 0));
	check_scheduled("Asia/Kolkata", "2027-02-01 08:00:00",
			utc(2027, 2, 1, 2, 30));
	/* A time already past is accepted; the campaign just starts. */
	check_scheduled("UTC", "2020-01-01 00:00:00", utc(2020, 1, 1, 0, 0));
}

/* Without is_scheduled, scheduled_datetime is not used. */
static void
test_not_scheduled(void **state)
{
	struct campaign_spec s;
	json_t *body = spec_ok(DYNAMIC ", \"is_scheduled\": false,"
				       " \"timezone\": \"" NY "\","
				       " \"scheduled_datetime\":"
				       " \"2027-07-01 09:00:00\"}",
			       &s);

	(void)state;
	assert_int_equal(s.start_at, NOW);
	assert_string_equal(campaign_timezone(s.settings), NY);
	json_decref(s.settings);
	json_decref(body);
}

/* --- Create: refusals --- */

static const struct {
	const char *body;
	const char *field;
	const char *code;
} bad_specs[] = {
    {"{}", "name", "missing_field"},
    {"{\"name\": \"\", \"phone_number_id\": 3}", "name", "empty_field"},
    {"{\"name\": 5, \"phone_number_id\": 3}", "name", "invalid_type"},
    {"{\"name\": \"a\\u0001\", \"phone_number_id\": 3}", "name",
     "invalid_characters"},
    {"{\"name\": \"x\", \"is_dynamic\": true}", "phone_number_id",
     "missing_field"},
    {"{\"name\": \"x\", \"phone_number_id\": 0}", "phone_number_id",
     "out_of_range"},
    {"{\"name\": \"x\", \"phone_number_id\": \"3\"}", "phone_number_id",
     "invalid_type"},
    {"{\"name\": \"x\", \"phone_number_id\": 3.5}", "phone_number_id",
     "out_of_range"},
    {DYNAMIC ", \"bot_id\": 0}", "bot_id", "out_of_range"},
    {DYNAMIC ", \"concurrent_call_limit\": 0}", "concurrent_call_limit",
     "out_of_range"},
    {DYNAMIC ", \"concurrent_call_limit\": 1001}", "concurrent_call_limit",
     "out_of_range"},
    {DYNAMIC ", \"save_as_draft\": \"yes\"}", "save_as_draft", "invalid_type"},
    {"{" BASE ", \"is_dynamic\": \"true\"}", "is_dynamic", "invalid_type"},
    {DYNAMIC ", " ONE_LINE "}", "contact_list", "not_allowed"},
    {"{" BASE "}", "contact_list", "missing_field"},
    {"{" BASE ", \"is_dynamic\": false}", "contact_list", "missing_field"},
    {DYNAMIC ", \"timezone\": \"Mars/Olympus\"}", "timezone",
     "invalid_timezone"},
    {DYNAMIC ", \"timezone\": \"america/new_york\"}", "timezone",
     "invalid_timezone"},
    {DYNAMIC ", \"timezone\": \"\"}", "timezone", "invalid_timezone"},
    {DYNAMIC ", \"timezone\": 5}", "timezone", "invalid_type"},
    {DYNAMIC ", \"is_scheduled\": \"yes\"}", "is_scheduled", "invalid_type"},
    {DYNAMIC ", \"is_scheduled\": true}", "scheduled_datetime",
     "missing_field"},
    {DYNAMIC ", \"is_scheduled\": true, \"scheduled_datetime\":"
	     " \"2027-02-30 10:00:00\"}",
     "scheduled_datetime", "invalid_datetime"},
    {DYNAMIC ", \"is_scheduled\": true, \"scheduled_datetime\":"
	     " \"2027-01-15T09:00:00\"}",
     "scheduled_datetime", "invalid_datetime"},
    {DYNAMIC ", \"is_scheduled\": true, \"scheduled_datetime\":"
	     " \"2027-01-15 09:00\"}",
     "scheduled_datetime", "invalid_datetime"},
    {DYNAMIC ", \"is_scheduled\": true, \"scheduled_datetime\":"
	     " \"2027-01-15 24:00:00\"}",
     "scheduled_datetime", "invalid_datetime"},
    {DYNAMIC ", \"is_scheduled\": true, \"scheduled_datetime\":"
	     " \"tomorrow\"}",
     "scheduled_datetime", "invalid_datetime"},
    {DYNAMIC ", \"is_scheduled\": true, \"scheduled_datetime\":"
	     " \"2027-01-15 09:00:00Z\"}",
     "scheduled_datetime", "invalid_datetime"},
    {DYNAMIC ", \"retry_config\": \"often\"}", "retry_config", "invalid_type"},
    {DYNAMIC ", \"retry_config\": [1]}", "retry_config", "invalid_type"},
    {DYNAMIC ", \"retry_config\": {\"retry_on\": [\"invalid_number\"]}}",
     "retry_config.retry_on", "invalid_value"},
    {DYNAMIC ", \"retry_config\": {\"retry_delays_seconds\": []}}",
     "retry_config.retry_delays_seconds", "invalid_value"},
    {DYNAMIC ", \"enabled_reschedule_call\": 1}", "enabled_reschedule_call",
     "invalid_type"},
    {DYNAMIC ", \"reschedule_limit\": 21}", "reschedule_limit", "out_of_range"},
    {DYNAMIC ", \"reschedule_limit\": -1}", "reschedule_limit", "out_of_range"},
    {DYNAMIC ", \"call_conditions\": \"age > 3\"}", "call_conditions",
     "invalid_condition"},
    {DYNAMIC ", \"call_conditions\": [{\"column\": \"age\","
	     " \"operator\": \"bigger\", \"value\": 1}]}",
     "call_conditions[0].operator", "invalid_condition"},
    {DYNAMIC ", \"enable_daily_hard_stop\": true}", "daily_stop_time",
     "missing_field"},
    {DYNAMIC ", \"daily_stop_time\": 24}", "daily_stop_time", "out_of_range"},
    {DYNAMIC ", \"daily_start_timezone\": \"Mars/Olympus\"}",
     "daily_start_timezone", "invalid_timezone"},
    {DYNAMIC ", \"allowed_days\": []}", "allowed_days", "invalid_value"},
};

static void
test_spec_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++)
		spec_bad(bad_specs[i].body, bad_specs[i].field,
			 bad_specs[i].code);
}

static void
test_name_length(void **state)
{
	char text[512], name[202];
	struct campaign_spec s;
	json_t *body;

	(void)state;
	memset(name, 'n', 200);
	name[200] = '\0';
	snprintf(text, sizeof(text),
		 "{\"name\": \"%s\", \"phone_number_id\": 3,"
		 " \"is_dynamic\": true}",
		 name);
	body = spec_ok(text, &s);
	assert_int_equal(strlen(s.name), CAMPAIGN_NAME_MAX);
	json_decref(s.settings);
	json_decref(body);
	strcat(name, "n");
	snprintf(text, sizeof(text),
		 "{\"name\": \"%s\", \"phone_number_id\": 3,"
		 " \"is_dynamic\": true}",
		 name);
	spec_bad(text, "name", "field_too_long");
}

/* --- retry_config --- */

/* Normalises cfg_text, which must be valid, and compares with want. */
static void
retry_ok(const char *cfg_text, const char *want)
{
	json_t *cfg = parse(cfg_text), *out = NULL;
	struct verr e;

	memset(&e, 0, sizeof(e));
	if (campaign_retry_parse(cfg, &out, &e) != 0)
		fail_msg("refused (%s: %s): %s", e.field, e.code, cfg_text);
	assert_json(out, want);
	json_decref(out);
	json_decref(cfg);
}

/* The delays a config yields, with every other setting at its default. */
static void
delays_ok(const char *cfg_text, const char *want_delays)
{
	char want[256];

	snprintf(want, sizeof(want),
		 "{\"auto_retry\": false, \"retry_limit\": 0,"
		 " \"retry_delays_seconds\": %s, \"retry_on\": [\"no_answer\","
		 " \"busy\", \"failed\", \"voicemail\"]}",
		 want_delays);
	retry_ok(cfg_text, want);
}

static void
retry_bad(const char *cfg_text, const char *field, const char *code)
{
	json_t *cfg = parse(cfg_text), *out = NULL;
	struct verr e;

	memset(&e, 0, sizeof(e));
	if (campaign_retry_parse(cfg, &out, &e) != CD_EINVAL)
		fail_msg("accepted %s", cfg_text);
	if (strcmp(e.code, code) != 0)
		fail_msg("%s: code %s, want %s", cfg_text, e.code, code);
	if (strcmp(e.field, field) != 0)
		fail_msg("%s: field %s, want %s", cfg_text, e.field, field);
	assert_null(out);
	json_decref(cfg);
}

static void
test_retry_defaults(void **state)
{
	(void)state;
	retry_ok("{}", "{\"auto_retry\": false, \"retry_limit\": 0,"
		       " \"retry_delays_seconds\": [3600],"
		       " \"retry_on\": [\"no_answer\", \"busy\", \"failed\","
		       " \"voicemail\"]}");
	retry_ok("{\"auto_retry\": true, \"retry_limit\": 3}",
		 "{\"auto_retry\": true, \"retry_limit\": 3,"
		 " \"retry_delays_seconds\": [3600],"
		 " \"retry_on\": [\"no_answer\", \"busy\", \"failed\","
		 " \"voicemail\"]}");
}

static void
test_retry_schedule_days_hours(void **state)
{
	(void)state;
	delays_ok("{\"retry_schedule_days\": 2}", "[172800]");
	delays_ok("{\"retry_schedule_hours\": 5}", "[18000]");
	delays_ok("{\"retry_schedule_days\": 1, \"retry_schedule_hours\": 2}",
		  "[93600]");
	delays_ok("{\"retry_schedule_days\": 30}", "[2592000]");
	delays_ok("{\"retry_schedule_hours\": 720}", "[2592000]");
	/* Zero days and hours mean the default hour. */
	delays_ok("{\"retry_schedule_days\": 0, \"retry_schedule_hours\": 0}",
		  "[3600]");
	delays_ok("{\"retry_schedule_days\": null}", "[3600]");

	retry_bad("{\"retry_schedule_days\": 31}",
		  "retry_config.retry_schedule_days", "out_of_range");
	retry_bad("{\"retry_schedule_days\": -1}",
		  "retry_config.retry_schedule_days", "out_of_range");
	retry_bad("{\"retry_schedule_days\": 1.5}",
		  "retry_config.retry_schedule_days", "out_of_range");
	retry_bad("{\"retry_schedule_hours\": 721}",
		  "retry_config.retry_schedule_hours", "out_of_range");
	retry_bad("{\"retry_schedule_hours\": \"2\"}",
		  "retry_config.retry_schedule_hours", "invalid_type");
}

static void
test_retry_delay_lists(void **state)
{
	(void)state;
	delays_ok("{\"retry_delays_seconds\": [30, 600, 7200]}",
		  "[30, 600, 7200]");
	delays_ok("{\"retry_delays_seconds\": [0]}", "[0]");
	delays_ok("{\"retry_delays_seconds\": [1, 2, 3, 4, 5, 6]}",
		  "[1, 2, 3, 4, 5, 6]");
	delays_ok("{\"retry_delays_seconds\": [2592000]}", "[2592000]");
	delays_ok("{\"retry_delays_minutes\": [1, 90]}", "[60, 5400]");
	delays_ok("{\"retry_delays_minutes\": [43200]}", "[2592000]");
	/* A list replaces the single delay. */
	delays_ok("{\"retry_delays_minutes\": [5], \"retry_schedule_days\": 2}",
		  "[300]");

	retry_bad("{\"retry_delays_seconds\": []}",
		  "retry_config.retry_delays_seconds", "invalid_value");
	retry_bad("{\"retry_delays_seconds\": [1, 2, 3, 4, 5, 6, 7]}",
		  "retry_config.retry_delays_seconds", "invalid_value");
	retry_bad("{\"retry_delays_seconds\": 60}",
		  "retry_config.retry_delays_seconds", "invalid_value");
	retry_bad("{\"retry_delays_seconds\": [-1]}",
		  "retry_config.retry_delays_seconds", "out_of_range");
	retry_bad("{\"retry_delays_seconds\": [60, 2592001]}",
		  "retry_config.retry_delays_seconds", "out_of_range");
	retry_bad("{\"retry_delays_seconds\": [1.5]}",
		  "retry_config.retry_delays_seconds", "out_of_range");
	retry_bad("{\"retry_delays_seconds\": [\"60\"]}",
		  "retry_config.retry_delays_seconds", "out_of_range");
	retry_bad("{\"retry_delays_minutes\": [43201]}",
		  "retry_config.retry_delays_minutes", "out_of_range");
	retry_bad("{\"retry_delays_minutes\": []}",
		  "retry_config.retry_delays_minutes", "invalid_value");
	/* Too large to multiply into seconds: refused before it is. */
	retry_bad("{\"retry_delays_minutes\": [200000000000000000]}",
		  "retry_config.retry_delays_minutes", "out_of_range");
	retry_bad("{\"retry_delays_seconds\": [9223372036854775807]}",
		  "retry_config.retry_delays_seconds", "out_of_range");
}

static void
test_retry_on(void **state)
{
	(void)state;
	retry_ok(
	    "{\"retry_on\": [\"busy\"]}",
	    "{\"auto_retry\": false, \"retry_limit\": 0,"
	    " \"retry_delays_seconds\": [3600], \"retry_on\": [\"busy\"]}");
	retry_ok("{\"retry_on\": [\"voicemail\", \"no_answer\"]}",
		 "{\"auto_retry\": false, \"retry_limit\": 0,"
		 " \"retry_delays_seconds\": [3600],"
		 " \"retry_on\": [\"voicemail\", \"no_answer\"]}");

	retry_bad("{\"retry_on\": []}", "retry_config.retry_on",
		  "invalid_value");
	retry_bad("{\"retry_on\": \"busy\"}", "retry_config.retry_on",
		  "invalid_value");
	retry_bad("{\"retry_on\": [\"busy\", \"invalid_number\"]}",
		  "retry_config.retry_on", "invalid_value");
	retry_bad("{\"retry_on\": [\"completed\"]}", "retry_config.retry_on",
		  "invalid_value");
	retry_bad("{\"retry_on\": [\"callback_requested\"]}",
		  "retry_config.retry_on", "invalid_value");
	retry_bad("{\"retry_on\": [\"BUSY\"]}", "retry_config.retry_on",
		  "invalid_value");
	retry_bad("{\"retry_on\": [3]}", "retry_config.retry_on",
		  "invalid_value");
}

static void
test_retry_limit(void **state)
{
	char cfg[64], want[256];

	(void)state;
	for (int n = 0; n <= 6; n++) {
		snprintf(cfg, sizeof(cfg), "{\"retry_limit\": %d}", n);
		snprintf(want, sizeof(want),
			 "{\"auto_retry\": false, \"retry_limit\": %d,"
			 " \"retry_delays_seconds\": [3600],"
			 " \"retry_on\": [\"no_answer\", \"busy\", \"failed\","
			 " \"voicemail\"]}",
			 n);
		retry_ok(cfg, want);
	}
	retry_bad("{\"retry_limit\": 7}", "retry_config.retry_limit",
		  "out_of_range");
	retry_bad("{\"retry_limit\": -1}", "retry_config.retry_limit",
		  "out_of_range");
	retry_bad("{\"retry_limit\": 2.5}", "retry_config.retry_limit",
		  "out_of_range");
	retry_bad("{\"retry_limit\": \"3\"}", "retry_config.retry_limit",
		  "invalid_type");
	retry_bad("{\"auto_retry\": \"yes\"}", "retry_config.auto_retry",
		  "invalid_type");
}

static void
test_retry_not_object(void **state)
{
	json_t *arr = parse("[]"), *out = NULL;
	struct verr e;

	(void)state;
	assert_int_equal(campaign_retry_parse(arr, &out, &e), CD_EINVAL);
	assert_string_equal(e.field, "retry_config");
	assert_string_equal(e.code, "invalid_type");
	assert_null(out);
	assert_int_equal(campaign_retry_parse(NULL, &out, &e), CD_EINVAL);
	json_decref(arr);
}

/* A create request keeps the normalised retry_config. */
static void
test_retry_in_spec(void **state)
{
	struct campaign_spec s;
	json_t *body = spec_ok(DYNAMIC ", \"retry_config\": {\"auto_retry\":"
				       " true, \"retry_limit\": 2,"
				       " \"retry_delays_minutes\": [5, 60],"
				       " \"retry_on\": [\"busy\"]}}",
			       &s);

	(void)state;
	assert_json(json_object_get(s.settings, "retry_config"),
		    "{\"auto_retry\": true, \"retry_limit\": 2,"
		    " \"retry_delays_seconds\": [300, 3600],"
		    " \"retry_on\": [\"busy\"]}");
	json_decref(s.settings);
	json_decref(body);

	body = spec_ok(DYNAMIC ", \"retry_config\": null}", &s);
	assert_json(json_object_get(json_object_get(s.settings, "retry_config"),
				    "retry_delays_seconds"),
		    "[3600]");
	json_decref(s.settings);
	json_decref(body);
}

/* --- The daily window --- */

static void
test_window_true(void **state)
{
	struct campaign_spec s;
	struct daily_window w;
	json_t *body = spec_ok(DYNAMIC ", \"timezone\": \"" NY "\","
				       " \"enable_daily_hard_stop\": true,"
				       " \"daily_stop_time\": 18,"
				       " \"enable_daily_auto_start\": true,"
				       " \"daily_start_time\": 9.5}",
			       &s);

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_true(campaign_window(s.settings, &w));
	assert_true(w.hard_stop);
	assert_int_equal(w.stop_minute, 18 * 60);
	assert_true(w.auto_start);
	assert_int_equal(w.start_minute, 9 * 60 + 30);
	/* Window zones default to the campaign's. */
	assert_string_equal(w.zone, NY);
	assert_string_equal(w.stop_zone, NY);
	assert_string_equal(w.start_zone, NY);
	assert_int_equal(w.days, WINDOW_EVERY_DAY);
	/* 18:00 New York in January is 23:00 UTC. */
	assert_true(window_is_open(&w, NOW, utc(2027, 1, 12, 22, 59)));
	assert_false(window_is_open(&w, NOW, utc(2027, 1, 12, 23, 0)));
	json_decref(s.settings);
	json_decref(body);

	/* A hard stop alone, and allowed days alone, can close too. */
	body = spec_ok(DYNAMIC ", \"enable_daily_hard_stop\": true,"
			       " \"daily_stop_time\": 17,"
			       " \"daily_stop_timezone\": \"Asia/Kolkata\"}",
		       &s);
	assert_true(campaign_window(s.settings, &w));
	assert_string_equal(w.stop_zone, "Asia/Kolkata");
	assert_string_equal(w.zone, "UTC");
	json_decref(s.settings);
	json_decref(body);
	body = spec_ok(DYNAMIC ", \"allowed_days\": [\"monday\", 5]}", &s);
	assert_true(campaign_window(s.settings, &w));
	assert_false(w.hard_stop);
	assert_int_equal(w.days, (1u << 1) | (1u << 5));
	json_decref(s.settings);
	json_decref(body);
}

static void
test_window_false(void **state)
{
	struct campaign_spec s;
	struct daily_window w;
	json_t *body = spec_ok(DYNAMIC "}", &s), *settings;

	(void)state;
	assert_false(campaign_window(s.settings, &w));
	json_decref(s.settings);
	json_decref(body);

	/* Auto start alone never closes; every day listed is no limit. */
	body = spec_ok(DYNAMIC ", \"enable_daily_auto_start\": true,"
			       " \"daily_start_time\": 9,"
			       " \"allowed_days\": [0, 1, 2, 3, 4, 5, 6]}",
		       &s);
	assert_false(campaign_window(s.settings, &w));
	json_decref(s.settings);
	json_decref(body);

	/* A flag off keeps its time, but does not close the window. */
	body = spec_ok(DYNAMIC ", \"enable_daily_hard_stop\": false,"
			       " \"daily_stop_time\": 18}",
		       &s);
	assert_false(campaign_window(s.settings, &w));
	json_decref(s.settings);
	json_decref(body);

	/* Settings without a window, or with a damaged one. */
	settings = parse("{\"timezone\": \"UTC\"}");
	assert_false(campaign_window(settings, &w));
	json_decref(settings);
	settings = parse("{\"window\": \"9 to 5\"}");
	assert_false(campaign_window(settings, &w));
	json_decref(settings);
}

static void
test_timezone_default(void **state)
{
	json_t *none = parse("{}"), *ny = parse("{\"timezone\": \"" NY "\"}");

	(void)state;
	assert_string_equal(campaign_timezone(none), "UTC");
	assert_string_equal(campaign_timezone(ny), NY);
	json_decref(none);
	json_decref(ny);
}

static void
test_window_update(void **state)
{
	json_t *settings = parse("{\"timezone\": \"" NY "\"}");
	json_t *set = parse("{\"enable_daily_hard_stop\": true,"
			    " \"daily_stop_time\": 17.5,"
			    " \"allowed_days\": [\"friday\", \"monday\"]}");
	json_t *clear = parse("{}");
	json_t *bad = parse("{\"enable_daily_auto_start\": true}");
	struct daily_window w;
	struct verr e;

	(void)state;
	assert_int_equal(campaign_window_update(settings, set, &e), 0);
	assert_json(json_object_get(settings, "window"),
		    "{\"enable_daily_hard_stop\": true,"
		    " \"daily_stop_time\": 17.5,"
		    " \"daily_stop_timezone\": \"" NY "\","
		    " \"enable_daily_auto_start\": false,"
		    " \"daily_start_time\": 0,"
		    " \"daily_start_timezone\": \"" NY "\","
		    " \"allowed_days\": [\"monday\", \"friday\"]}");
	assert_true(campaign_window(settings, &w));
	assert_int_equal(w.stop_minute, 17 * 60 + 30);

	/* A refused update keeps the old window. */
	memset(&e, 0, sizeof(e));
	assert_int_equal(campaign_window_update(settings, bad, &e), CD_EINVAL);
	assert_string_equal(e.field, "daily_start_time");
	assert_string_equal(e.code, "missing_field");
	assert_true(campaign_window(settings, &w));
	assert_int_equal(w.stop_minute, 17 * 60 + 30);

	/* An update replaces the whole window: no fields, no limits. */
	assert_int_equal(campaign_window_update(settings, clear, &e), 0);
	assert_false(campaign_window(settings, &w));
	assert_json(json_object_get(json_object_get(settings, "window"),
				    "enable_daily_hard_stop"),
		    "false");
	/* The rest of the settings are untouched. */
	assert_string_equal(campaign_timezone(settings), NY);
	json_decref(settings);
	json_decref(set);
	json_decref(clear);
	json_decref(bad);
}

/* --- Reschedule --- */

static void
test_reschedule_same_zone(void **state)
{
	json_t *settings = parse("{\"timezone\": \"" NY "\","
				 " \"scheduled_datetime\":"
				 " \"2027-01-15 09:00:00\"}");
	json_t *body = parse("{\"new_scheduled_datetime\":"
			     " \"2027-07-01 09:00:00\"}");
	int64_t start = 0;
	struct verr e;

	(void)state;
	assert_int_equal(campaign_reschedule(settings, body, &start, &e), 0);
	assert_int_equal(start, utc(2027, 7, 1, 13, 0));
	assert_json(settings, "{\"timezone\": \"" NY "\","
			      " \"scheduled_datetime\":"
			      " \"2027-07-01 09:00:00\"}");
	json_decref(settings);
	json_decref(body);
}

static void
test_reschedule_new_zone(void **state)
{
	json_t *settings = parse("{\"timezone\": \"" NY "\"}");
	json_t *body = parse("{\"new_scheduled_datetime\":"
			     " \"2027-07-01 09:00:00\","
			     " \"new_timezone\": \"Asia/Kolkata\"}");
	int64_t start = 0;
	struct verr e;

	(void)state;
	assert_int_equal(campaign_reschedule(settings, body, &start, &e), 0);
	/* Kolkata is UTC+05:30. */
	assert_int_equal(start, utc(2027, 7, 1, 3, 30));
	assert_string_equal(campaign_timezone(settings), "Asia/Kolkata");
	assert_string_equal(
	    json_string_value(json_object_get(settings, "scheduled_datetime")),
	    "2027-07-01 09:00:00");
	json_decref(settings);
	json_decref(body);
}

static void
reschedule_bad(const char *text, const char *field, const char *code)
{
	const char *before =
	    "{\"timezone\": \"" NY "\","
	    " \"scheduled_datetime\": \"2027-01-15 09:00:00\"}";
	json_t *settings = parse(before);
	json_t *body = parse(text);
	int64_t start = 42;
	struct verr e;

	memset(&e, 0, sizeof(e));
	if (campaign_reschedule(settings, body, &start, &e) != CD_EINVAL)
		fail_msg("accepted %s", text);
	if (strcmp(e.field, field) != 0 || strcmp(e.code, code) != 0)
		fail_msg("%s: got %s/%s, want %s/%s", text, e.field, e.code,
			 field, code);
	assert_int_equal(start, 42);
	assert_json(settings, before);
	json_decref(settings);
	json_decref(body);
}

static void
test_reschedule_refused(void **state)
{
	(void)state;
	reschedule_bad("{}", "new_scheduled_datetime", "missing_field");
	reschedule_bad("{\"new_timezone\": \"UTC\"}", "new_scheduled_datetime",
		       "missing_field");
	reschedule_bad("{\"new_scheduled_datetime\": \"\"}",
		       "new_scheduled_datetime", "empty_field");
	reschedule_bad("{\"new_scheduled_datetime\": 1767225600}",
		       "new_scheduled_datetime", "invalid_type");
	reschedule_bad("{\"new_scheduled_datetime\": \"2027-13-01 09:00:00\"}",
		       "new_scheduled_datetime", "invalid_datetime");
	reschedule_bad("{\"new_scheduled_datetime\": \"2027-07-01\"}",
		       "new_scheduled_datetime", "invalid_datetime");
	reschedule_bad("{\"new_scheduled_datetime\": \"2027-07-01 09:00:00\","
		       " \"new_timezone\": \"Mars/Olympus\"}",
		       "new_timezone", "invalid_timezone");
	reschedule_bad("{\"new_scheduled_datetime\": \"2027-07-01 09:00:00\","
		       " \"new_timezone\": 3}",
		       "new_timezone", "invalid_type");
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
	    cmocka_unit_test(test_dynamic_defaults),
	    cmocka_unit_test(test_dynamic_options),
	    cmocka_unit_test(test_csv_contact_list),
	    cmocka_unit_test(test_csv_contact_csv),
	    cmocka_unit_test(test_draft),
	    cmocka_unit_test(test_scheduled_new_york),
	    cmocka_unit_test(test_scheduled_other_zones),
	    cmocka_unit_test(test_not_scheduled),
	    cmocka_unit_test(test_spec_refused),
	    cmocka_unit_test(test_name_length),
	    cmocka_unit_test(test_retry_defaults),
	    cmocka_unit_test(test_retry_schedule_days_hours),
	    cmocka_unit_test(test_retry_delay_lists),
	    cmocka_unit_test(test_retry_on),
	    cmocka_unit_test(test_retry_limit),
	    cmocka_unit_test(test_retry_not_object),
	    cmocka_unit_test(test_retry_in_spec),
	    cmocka_unit_test(test_window_true),
	    cmocka_unit_test(test_window_false),
	    cmocka_unit_test(test_timezone_default),
	    cmocka_unit_test(test_window_update),
	    cmocka_unit_test(test_reschedule_same_zone),
	    cmocka_unit_test(test_reschedule_new_zone),
	    cmocka_unit_test(test_reschedule_refused),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
