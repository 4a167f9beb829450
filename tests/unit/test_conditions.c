/*
 * Unit tests for call conditions: the shape check with its field paths,
 * each operator's semantics, missing columns, and the skip-reason text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "domain/conditions.h"

#define NUMBER "+15551234567"

/* Parses JSON text that must be valid. */
static json_t *
load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (j == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	return j;
}

/* Checks a list (JSON text) is rejected naming field, message has want. */
static void
expect_invalid(const char *list_json, const char *field, const char *want)
{
	json_t *list = load(list_json);
	struct verr err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(conditions_check(list, &err), CD_EINVAL);
	assert_string_equal(err.code, "invalid_condition");
	if (strcmp(err.field, field) != 0 || !strstr(err.message, want))
		fail_msg("%s: got %s \"%s\", want %s \"%s\"", list_json,
			 err.field, err.message, field, want);
	assert_int_equal(conditions_eval(list, NUMBER, NULL, NULL, NULL),
			 CD_EINVAL);
	json_decref(list);
}

static void
test_check_accepts(void **state)
{
	json_t *list = load(
	    "[{\"column\": \"age\", \"operator\": \"greater_than\", "
	    "\"value\": 30},"
	    "{\"column\": \"age\", \"operator\": \"less_or_equal\", "
	    "\"value\": \" 65.5 \"},"
	    "{\"column\": \"metadata.tier\", \"operator\": \"in\", "
	    "\"value\": [\"gold\", 2, true]},"
	    "{\"column\": \"notes\", \"operator\": \"is_empty\"},"
	    "{\"column\": \"notes\", \"operator\": \"is_not_empty\", "
	    "\"value\": null},"
	    "{\"column\": \"to_number\", \"operator\": \"starts_with\", "
	    "\"value\": \"+1\"},"
	    "{\"column\": \"x\", \"operator\": \"equals\", \"value\": false}]");

	(void)state;
	assert_int_equal(conditions_check(list, NULL), 0);
	assert_int_equal(conditions_check(NULL, NULL), 0);
	json_decref(list);
	list = json_null();
	assert_int_equal(conditions_check(list, NULL), 0);
	json_decref(list);
	list = json_array();
	assert_int_equal(conditions_check(list, NULL), 0);
	json_decref(list);
}

static void
test_check_list_shape(void **state)
{
	json_t *list = json_array();
	int i;

	(void)state;
	expect_invalid("{}", "call_conditions", "must be an array");
	expect_invalid("\"x\"", "call_conditions", "must be an array");
	for (i = 0; i <= CONDITIONS_MAX; i++)
		json_array_append_new(list,
				      json_pack("{s:s, s:s}", "column", "a",
						"operator", "is_empty"));
	assert_int_equal(conditions_check(list, NULL), CD_EINVAL);
	json_array_remove(list, 0);
	assert_int_equal(conditions_check(list, NULL), 0);
	json_decref(list);
}

static void
test_check_condition_fields(void **state)
{
	(void)state;
	expect_invalid("[1]", "call_conditions[0]", "must be an object");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"is_empty\"}, "
		       "{\"operator\": \"is_empty\"}]",
		       "call_conditions[1].column", "non-empty string");
	expect_invalid("[{\"column\": \"\", \"operator\": \"is_empty\"}]",
		       "call_conditions[0].column", "non-empty string");
	expect_invalid("[{\"column\": 3, \"operator\": \"is_empty\"}]",
		       "call_conditions[0].column", "non-empty string");
	expect_invalid("[{\"column\": \"metadata.\", "
		       "\"operator\": \"is_empty\"}]",
		       "call_conditions[0].column", "key after");
	expect_invalid("[{\"column\": \"a\\u0000b\", "
		       "\"operator\": \"is_empty\"}]",
		       "call_conditions[0].column", "no NUL");
	expect_invalid("[{\"column\": \"a\"}]", "call_conditions[0].operator",
		       "known operator");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"EQUALS\", "
		       "\"value\": 1}]",
		       "call_conditions[0].operator", "known operator");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"like\", "
		       "\"value\": 1}]",
		       "call_conditions[0].operator", "known operator");
}

static void
test_check_values(void **state)
{
	(void)state;
	expect_invalid("[{\"column\": \"a\", \"operator\": \"equals\"}]",
		       "call_conditions[0].value", "required for equals");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"contains\", "
		       "\"value\": null}]",
		       "call_conditions[0].value", "string, number or boolean");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"equals\", "
		       "\"value\": {}}]",
		       "call_conditions[0].value", "string, number or boolean");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"greater_than\", "
		       "\"value\": \"ten\"}]",
		       "call_conditions[0].value", "numeric string");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"less_than\", "
		       "\"value\": \"0x10\"}]",
		       "call_conditions[0].value", "numeric string");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"less_than\", "
		       "\"value\": true}]",
		       "call_conditions[0].value", "numeric string");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"in\", "
		       "\"value\": \"x\"}]",
		       "call_conditions[0].value", "array of 1 to");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"not_in\", "
		       "\"value\": []}]",
		       "call_conditions[0].value", "array of 1 to");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"in\", "
		       "\"value\": [\"x\", [1]]}]",
		       "call_conditions[0].value[1]", "string, number");
	expect_invalid("[{\"column\": \"a\", \"operator\": \"in\", "
		       "\"value\": [null]}]",
		       "call_conditions[0].value[0]", "string, number");
}

static void
test_check_long_values(void **state)
{
	char *big = malloc(CONDITIONS_MAX_VALUE + 2);
	json_t *list;
	struct verr err;

	(void)state;
	memset(big, 'x', CONDITIONS_MAX_VALUE + 1);
	big[CONDITIONS_MAX_VALUE + 1] = '\0';
	list = json_pack("[{s:s, s:s, s:s}]", "column", "a", "operator",
			 "contains", "value", big);
	assert_int_equal(conditions_check(list, &err), CD_EINVAL);
	assert_string_equal(err.field, "call_conditions[0].value");
	json_decref(list);
	big[CONDITIONS_MAX_COLUMN + 1] = '\0';
	list = json_pack("[{s:s, s:s}]", "column", big, "operator", "is_empty");
	assert_int_equal(conditions_check(list, &err), CD_EINVAL);
	assert_string_equal(err.field, "call_conditions[0].column");
	json_decref(list);
	free(big);
}

/* Evaluates one condition against custom variables (JSON text). */
static int
eval1(const char *column, const char *op, const char *value_json,
      const char *vars_json)
{
	json_t *vars = load(vars_json);
	json_t *cond =
	    json_pack("{s:s, s:s}", "column", column, "operator", op);
	json_t *list = json_array();
	int failed = 99, rc;

	if (value_json != NULL)
		json_object_set_new(cond, "value", load(value_json));
	json_array_append_new(list, cond);
	rc = conditions_eval(list, NUMBER, vars, NULL, &failed);
	assert_int_equal(failed, rc == 1 ? -1 : 0);
	json_decref(list);
	json_decref(vars);
	return rc;
}

#define HOLDS(...) assert_int_equal(eval1(__VA_ARGS__), 1)
#define FAILS(...) assert_int_equal(eval1(__VA_ARGS__), 0)

static void
test_equals(void **state)
{
	(void)state;
	HOLDS("city", "equals", "\"Paris\"", "{\"city\": \"Paris\"}");
	HOLDS("city", "equals", "\"paris\"", "{\"city\": \"PARIS\"}");
	FAILS("city", "equals", "\"Pari\"", "{\"city\": \"Paris\"}");
	FAILS("city", "equals", "\"Paris \"", "{\"city\": \"Paris\"}");
	HOLDS("age", "equals", "30", "{\"age\": \"30.0\"}");
	HOLDS("age", "equals", "30", "{\"age\": 30}");
	HOLDS("age", "equals", "30.0", "{\"age\": \" 30 \"}");
	FAILS("age", "equals", "30", "{\"age\": \"thirty\"}");
	FAILS("age", "equals", "\"30\"", "{\"age\": \"30.0\"}");
	HOLDS("age", "equals", "\"30\"", "{\"age\": 30}");
	HOLDS("vip", "equals", "true", "{\"vip\": \"True\"}");
	HOLDS("vip", "equals", "\"true\"", "{\"vip\": true}");
	FAILS("vip", "equals", "true", "{\"vip\": false}");
	HOLDS("o", "equals", "\"{\\\"k\\\":1}\"", "{\"o\": {\"k\": 1}}");
	HOLDS("city", "not_equals", "\"Rome\"", "{\"city\": \"Paris\"}");
	FAILS("city", "not_equals", "\"paris\"", "{\"city\": \"Paris\"}");
}

static void
test_text_operators(void **state)
{
	(void)state;
	HOLDS("note", "contains", "\"VIP\"", "{\"note\": \"a vip client\"}");
	FAILS("note", "contains", "\"gold\"", "{\"note\": \"a vip client\"}");
	HOLDS("note", "contains", "\"\"", "{\"note\": \"\"}");
	HOLDS("code", "contains", "12", "{\"code\": \"A123\"}");
	HOLDS("note", "not_contains", "\"gold\"", "{\"note\": \"vip\"}");
	FAILS("note", "not_contains", "\"Vi\"", "{\"note\": \"vip\"}");
	HOLDS("name", "starts_with", "\"an\"", "{\"name\": \"Ana\"}");
	FAILS("name", "starts_with", "\"Anna\"", "{\"name\": \"Ana\"}");
	HOLDS("name", "ends_with", "\"NA\"", "{\"name\": \"Ana\"}");
	FAILS("name", "ends_with", "\"Ana Ana\"", "{\"name\": \"Ana\"}");
	HOLDS("name", "ends_with", "\"\"", "{\"name\": \"Ana\"}");
	HOLDS("n", "ends_with", "5", "{\"n\": 25}");
}

static void
test_numeric_operators(void **state)
{
	(void)state;
	HOLDS("age", "greater_than", "30", "{\"age\": 31}");
	FAILS("age", "greater_than", "30", "{\"age\": 30}");
	HOLDS("age", "greater_than", "\"30\"", "{\"age\": \"30.5\"}");
	HOLDS("age", "greater_or_equal", "30", "{\"age\": \"30\"}");
	FAILS("age", "greater_or_equal", "30", "{\"age\": \"29.99\"}");
	HOLDS("age", "less_than", "1e3", "{\"age\": \"-5\"}");
	FAILS("age", "less_than", "-5", "{\"age\": \"-5\"}");
	HOLDS("age", "less_or_equal", "-5", "{\"age\": \"-5e0\"}");
	HOLDS("score", "less_than", "0.3", "{\"score\": 0.25}");
	FAILS("age", "greater_than", "1", "{\"age\": \"abc\"}");
	FAILS("age", "less_than", "100", "{\"age\": \"\"}");
	FAILS("age", "less_than", "100", "{\"age\": \"0x10\"}");
	FAILS("age", "less_than", "100", "{\"age\": \"inf\"}");
	FAILS("age", "less_than", "100", "{\"age\": \"nan\"}");
	FAILS("age", "greater_than", "1", "{\"age\": \"1e999\"}");
	HOLDS("age", "less_than", "100", "{\"age\": \"1.\"}");
	FAILS("age", "less_than", "100", "{\"age\": \"5 years\"}");
	FAILS("age", "less_than", "100", "{\"age\": true}");
	FAILS("age", "less_than", "100", "{\"age\": \"1e\"}");
	HOLDS("age", "less_than", "100", "{\"age\": \".5\"}");
}

static void
test_in_operators(void **state)
{
	(void)state;
	HOLDS("state", "in", "[\"CA\", \"NY\"]", "{\"state\": \"ny\"}");
	FAILS("state", "in", "[\"CA\", \"NY\"]", "{\"state\": \"TX\"}");
	HOLDS("n", "in", "[1, 2, 30]", "{\"n\": \"30\"}");
	HOLDS("n", "in", "[\"30\"]", "{\"n\": 30}");
	HOLDS("n", "in", "[30]", "{\"n\": 30.0}");
	FAILS("n", "in", "[30]", "{\"n\": \"30.0\"}");
	HOLDS("b", "in", "[true]", "{\"b\": true}");
	HOLDS("state", "not_in", "[\"CA\", \"NY\"]", "{\"state\": \"TX\"}");
	FAILS("state", "not_in", "[\"CA\", \"NY\"]", "{\"state\": \"ca\"}");
}

static void
test_empty_operators(void **state)
{
	(void)state;
	HOLDS("notes", "is_empty", NULL, "{\"notes\": \"\"}");
	HOLDS("notes", "is_empty", NULL, "{\"notes\": \"  \\t\"}");
	HOLDS("notes", "is_empty", NULL, "{\"notes\": null}");
	FAILS("notes", "is_empty", NULL, "{\"notes\": \" x \"}");
	FAILS("notes", "is_empty", NULL, "{\"notes\": 0}");
	FAILS("notes", "is_empty", NULL, "{\"notes\": false}");
	HOLDS("notes", "is_not_empty", NULL, "{\"notes\": \"x\"}");
	FAILS("notes", "is_not_empty", NULL, "{\"notes\": \"\"}");
	HOLDS("notes", "is_empty", "\"ignored\"", "{}");
}

static void
test_missing_column(void **state)
{
	(void)state;
	HOLDS("gone", "is_empty", NULL, "{}");
	FAILS("gone", "is_not_empty", NULL, "{}");
	FAILS("gone", "equals", "\"\"", "{}");
	HOLDS("gone", "not_equals", "\"x\"", "{}");
	FAILS("gone", "contains", "\"\"", "{}");
	HOLDS("gone", "not_contains", "\"x\"", "{}");
	FAILS("gone", "starts_with", "\"\"", "{}");
	FAILS("gone", "ends_with", "\"\"", "{}");
	FAILS("gone", "greater_than", "0", "{}");
	FAILS("gone", "less_than", "0", "{}");
	FAILS("gone", "greater_or_equal", "0", "{}");
	FAILS("gone", "less_or_equal", "0", "{}");
	FAILS("gone", "in", "[\"\"]", "{}");
	HOLDS("gone", "not_in", "[\"x\"]", "{}");
	HOLDS("gone", "not_equals", "\"x\"", "{\"gone\": null}");
}

static void
test_columns_to_number_and_metadata(void **state)
{
	json_t *vars = load("{\"to_number\": \"not this\", \"tier\": \"a\", "
			    "\"metadata.tier\": \"literal\"}");
	json_t *meta = load("{\"tier\": \"gold\"}");
	json_t *list =
	    load("[{\"column\": \"to_number\", \"operator\": \"equals\", "
		 "\"value\": \"+15551234567\"},"
		 "{\"column\": \"metadata.tier\", \"operator\": \"equals\", "
		 "\"value\": \"GOLD\"},"
		 "{\"column\": \"tier\", \"operator\": \"equals\", "
		 "\"value\": \"a\"}]");
	int failed;

	(void)state;
	assert_int_equal(conditions_eval(list, NUMBER, vars, meta, &failed), 1);
	assert_int_equal(failed, -1);
	assert_int_equal(
	    conditions_eval(list, "+442071838750", vars, meta, &failed), 0);
	assert_int_equal(failed, 0);
	assert_int_equal(conditions_eval(list, NUMBER, vars, NULL, &failed), 0);
	assert_int_equal(failed, 1);
	assert_int_equal(conditions_eval(list, NULL, vars, meta, NULL), 0);
	json_decref(list);
	json_decref(meta);
	json_decref(vars);
}

static void
test_eval_reports_first_failure(void **state)
{
	json_t *vars = load("{\"age\": 40, \"city\": \"Oslo\"}");
	json_t *list =
	    load("[{\"column\": \"age\", \"operator\": \"greater_than\", "
		 "\"value\": 30},"
		 "{\"column\": \"city\", \"operator\": \"equals\", "
		 "\"value\": \"Bergen\"},"
		 "{\"column\": \"x\", \"operator\": \"is_not_empty\"}]");
	int failed = 99;

	(void)state;
	assert_int_equal(conditions_eval(list, NUMBER, vars, NULL, &failed), 0);
	assert_int_equal(failed, 1);
	json_decref(list);
	assert_int_equal(conditions_eval(NULL, NUMBER, vars, NULL, &failed), 1);
	assert_int_equal(failed, -1);
	list = json_array();
	assert_int_equal(conditions_eval(list, NUMBER, NULL, NULL, NULL), 1);
	json_decref(list);
	json_decref(vars);
}

/* Checks the description of a condition (JSON text). */
static void
expect_describe(const char *cond_json, const char *want)
{
	json_t *cond = load(cond_json);
	char *text = conditions_describe(cond);

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	json_decref(cond);
}

static void
test_describe(void **state)
{
	(void)state;
	expect_describe("{\"column\": \"age\", \"operator\": \"greater_than\", "
			"\"value\": 30}",
			"age greater_than 30");
	expect_describe("{\"column\": \"city\", \"operator\": \"equals\", "
			"\"value\": \"Paris\"}",
			"city equals \"Paris\"");
	expect_describe("{\"column\": \"s\", \"operator\": \"in\", "
			"\"value\": [\"CA\", 2.5]}",
			"s in [\"CA\",2.5]");
	expect_describe("{\"column\": \"notes\", \"operator\": \"is_empty\", "
			"\"value\": \"x\"}",
			"notes is_empty");
	expect_describe("{\"column\": \"a\", \"operator\": \"equals\"}",
			"a equals ?");
	expect_describe("{\"operator\": 5}", "? ?");
	expect_describe("{\"column\": \"a\", \"operator\": \"like\", "
			"\"value\": 1}",
			"a like 1");
	expect_describe("3", "? ?");
}

static void
test_describe_cut_on_character_boundary(void **state)
{
	char value[400];
	json_t *cond;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i + 2 < sizeof(value); i += 2)
		memcpy(value + i, "\xc3\xa9", 2); /* é */
	value[i] = '\0';
	cond = json_pack("{s:s, s:s, s:s}", "column", "c", "operator", "equals",
			 "value", value);
	text = conditions_describe(cond);
	assert_true(strlen(text) <= 240);
	assert_string_equal(text + strlen(text) - 3, "...");
	assert_int_equal(strncmp(text, "c equals \"\xc3\xa9", 12), 0);
	/* What is left before "..." is whole characters. */
	assert_int_equal((strlen(text) - 3 - strlen("c equals \"")) % 2, 0);
	free(text);
	json_decref(cond);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_accepts),
	    cmocka_unit_test(test_check_list_shape),
	    cmocka_unit_test(test_check_condition_fields),
	    cmocka_unit_test(test_check_values),
	    cmocka_unit_test(test_check_long_values),
	    cmocka_unit_test(test_equals),
	    cmocka_unit_test(test_text_operators),
	    cmocka_unit_test(test_numeric_operators),
	    cmocka_unit_test(test_in_operators),
	    cmocka_unit_test(test_empty_operators),
	    cmocka_unit_test(test_missing_column),
	    cmocka_unit_test(test_columns_to_number_and_metadata),
	    cmocka_unit_test(test_eval_reports_first_failure),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_describe_cut_on_character_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
