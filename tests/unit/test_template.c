/*
 * Unit tests for {{variable}} templates: checking, listing the names and
 * rendering with missing values left visible.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "domain/template.h"

/* Checks tmpl is rejected with code and a message containing want. */
static void
expect_invalid(const char *tmpl, const char *want)
{
	struct verr err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(template_check(tmpl, &err, "prompt"), CD_EINVAL);
	assert_string_equal(err.field, "prompt");
	assert_string_equal(err.code, "invalid_template");
	if (strstr(err.message, want) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", tmpl,
			 err.message, want);
}

static void
test_check_accepts(void **state)
{
	static const char *const good[] = {
	    "",
	    "Hello there",
	    "Hi {{first_name}}",
	    "Hi {{ first_name }} and {{\tlast_name\t}}",
	    "{{a}}{{b}}",
	    "{{contact.city}} {{A1_b2.C3}}",
	    "single { and } braces",
	    "JSON like {\"a\": {\"b\": 1}} is text",
	    "{{x}}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (template_check(good[i], NULL, "prompt") != 0)
			fail_msg("rejected \"%s\"", good[i]);
	}
}

static void
test_check_rejects(void **state)
{
	(void)state;
	expect_invalid("Hi {{first_name", "unclosed placeholder at byte "
					  "offset 3");
	expect_invalid("Hi {{first_name}", "unclosed");
	expect_invalid("{{", "unclosed");
	expect_invalid("{{}}", "empty placeholder at byte offset 0");
	expect_invalid("ok {{a}} {{   }}",
		       "empty placeholder at byte offset 9");
	expect_invalid("{{first name}}", "character other than");
	expect_invalid("{{first-name}}", "character other than");
	expect_invalid("{{{name}}}", "character other than");
	expect_invalid("{{n{{a}}", "character other than");
	expect_invalid("{{café}}", "character other than");
	expect_invalid("{{.a}}", "starts or ends with '.'");
	expect_invalid("{{a.}}", "starts or ends with '.'");
	expect_invalid("{{a..b}}", "\"..\"");
	expect_invalid(NULL, "missing");
}

static void
test_check_too_long(void **state)
{
	char *big = malloc(TEMPLATE_MAX_LEN + 2);
	struct verr err;

	(void)state;
	memset(big, 'a', TEMPLATE_MAX_LEN);
	big[TEMPLATE_MAX_LEN] = '\0';
	assert_int_equal(template_check(big, &err, "prompt"), 0);
	big[TEMPLATE_MAX_LEN] = 'a';
	big[TEMPLATE_MAX_LEN + 1] = '\0';
	assert_int_equal(template_check(big, &err, "prompt"), CD_ERANGE);
	assert_string_equal(err.code, "template_too_long");
	free(big);
}

static void
test_variables_distinct_in_order(void **state)
{
	json_t *names =
	    template_variables("{{b}} {{ a }} {{b}} {{c.d}} {{a}} {{B}}");

	(void)state;
	assert_non_null(names);
	assert_int_equal(json_array_size(names), 4);
	assert_string_equal(json_string_value(json_array_get(names, 0)), "b");
	assert_string_equal(json_string_value(json_array_get(names, 1)), "a");
	assert_string_equal(json_string_value(json_array_get(names, 2)), "c.d");
	assert_string_equal(json_string_value(json_array_get(names, 3)), "B");
	json_decref(names);
}

static void
test_variables_none_and_invalid(void **state)
{
	json_t *names = template_variables("no placeholders");

	(void)state;
	assert_non_null(names);
	assert_int_equal(json_array_size(names), 0);
	json_decref(names);
	assert_null(template_variables("{{bad"));
	assert_null(template_variables(NULL));
}

/* Renders tmpl with vars given as JSON text and checks the output. */
static void
expect_render(const char *tmpl, const char *vars_json, const char *want,
	      size_t want_missing)
{
	json_t *vars = json_loads(vars_json, 0, NULL);
	json_t *missing = NULL;
	char *out = NULL;

	assert_non_null(vars);
	assert_int_equal(template_render(tmpl, vars, &out, &missing), 0);
	assert_string_equal(out, want);
	assert_int_equal(json_array_size(missing), want_missing);
	free(out);
	json_decref(missing);
	json_decref(vars);
}

static void
test_render_values(void **state)
{
	(void)state;
	expect_render("Hi {{first_name}}!", "{\"first_name\": \"Ana\"}",
		      "Hi Ana!", 0);
	expect_render("Hi {{ first_name }}!", "{\"first_name\": \"Ana\"}",
		      "Hi Ana!", 0);
	expect_render("{{n}} {{r}} {{t}} {{f}}",
		      "{\"n\": 42, \"r\": 2.5, \"t\": true, \"f\": false}",
		      "42 2.5 true false", 0);
	expect_render("{{r}} {{x}}", "{\"r\": 0.1, \"x\": 30.0}", "0.1 30", 0);
	expect_render("{{o}} {{a}}", "{\"o\": {\"k\": 1}, \"a\": [1, \"x\"]}",
		      "{\"k\":1} [1,\"x\"]", 0);
	expect_render("{{v}}", "{\"v\": \"{{w}}\"}", "{{w}}", 0);
	expect_render("", "{}", "", 0);
	expect_render("plain", "{}", "plain", 0);
	expect_render("{\"a\": {\"b\": {{n}}}}", "{\"n\": 1}",
		      "{\"a\": {\"b\": 1}}", 0);
}

static void
test_render_dotted_names(void **state)
{
	(void)state;
	expect_render("{{a.b}}",
		      "{\"a.b\": \"flat\", \"a\": {\"b\": \"deep\"}}", "flat",
		      0);
	expect_render("{{a.b.c}}", "{\"a\": {\"b\": {\"c\": 7}}}", "7", 0);
	expect_render("{{a.b}}", "{\"a\": \"not an object\"}", "{{a.b}}", 1);
	expect_render("{{a.c}}", "{\"a\": {\"b\": 1}}", "{{a.c}}", 1);
}

static void
test_render_missing_left_visible(void **state)
{
	json_t *vars = json_pack("{s:s, s:n}", "first_name", "Ana", "city");
	json_t *missing = NULL;
	char *out = NULL;

	(void)state;
	assert_int_equal(template_render("Hi {{first_name}} from {{ city }}, "
					 "{{last_name}} {{city}}",
					 vars, &out, &missing),
			 0);
	assert_string_equal(out, "Hi Ana from {{ city }}, {{last_name}} "
				 "{{city}}");
	assert_int_equal(json_array_size(missing), 2);
	assert_string_equal(json_string_value(json_array_get(missing, 0)),
			    "city");
	assert_string_equal(json_string_value(json_array_get(missing, 1)),
			    "last_name");
	free(out);
	json_decref(missing);
	json_decref(vars);
}

static void
test_render_null_vars_and_no_missing_out(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(template_render("Hi {{x}}", NULL, &out, NULL), 0);
	assert_string_equal(out, "Hi {{x}}");
	free(out);
}

static void
test_render_errors(void **state)
{
	json_t *junk = json_array();
	json_t *missing = junk;
	char *out = (char *)"junk";
	char *big;

	(void)state;
	assert_int_equal(template_render("{{oops", NULL, &out, &missing),
			 CD_EINVAL);
	assert_null(out);
	assert_null(missing);
	json_decref(junk);
	assert_int_equal(template_render(NULL, NULL, &out, NULL), CD_EINVAL);
	big = calloc(1, TEMPLATE_MAX_LEN + 2);
	memset(big, 'x', TEMPLATE_MAX_LEN + 1);
	assert_int_equal(template_render(big, NULL, &out, NULL), CD_ERANGE);
	assert_null(out);
	free(big);
}

static void
test_render_output_bound(void **state)
{
	char *value = malloc(TEMPLATE_MAX_OUTPUT / 4 + 1);
	json_t *vars, *missing = NULL;
	char *out = NULL;

	(void)state;
	memset(value, 'v', TEMPLATE_MAX_OUTPUT / 4);
	value[TEMPLATE_MAX_OUTPUT / 4] = '\0';
	vars = json_pack("{s:s}", "v", value);
	assert_int_equal(
	    template_render("{{v}}{{v}}{{v}}", vars, &out, &missing), 0);
	assert_int_equal(strlen(out), 3 * (TEMPLATE_MAX_OUTPUT / 4));
	free(out);
	json_decref(missing);
	assert_int_equal(
	    template_render("{{v}}{{v}}{{v}}{{v}}{{v}}", vars, &out, &missing),
	    CD_ERANGE);
	assert_null(out);
	assert_null(missing);
	json_decref(vars);
	free(value);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_accepts),
	    cmocka_unit_test(test_check_rejects),
	    cmocka_unit_test(test_check_too_long),
	    cmocka_unit_test(test_variables_distinct_in_order),
	    cmocka_unit_test(test_variables_none_and_invalid),
	    cmocka_unit_test(test_render_values),
	    cmocka_unit_test(test_render_dotted_names),
	    cmocka_unit_test(test_render_missing_left_visible),
	    cmocka_unit_test(test_render_null_vars_and_no_missing_out),
	    cmocka_unit_test(test_render_errors),
	    cmocka_unit_test(test_render_output_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
