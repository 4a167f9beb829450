/*
 * Unit tests for the CSV contact-list parser and the step that turns its
 * rows into contacts, bad rows reported by their spreadsheet row number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "domain/csv.h"

/* Parses a NUL-terminated string that must be valid. */
static struct csv_table *
parse_ok(const char *s)
{
	struct csv_table *t = NULL;
	struct verr err;

	memset(&err, 0, sizeof(err));
	if (csv_parse(s, strlen(s), &t, &err) != 0)
		fail_msg("rejected: %s: %s", err.code, err.message);
	assert_non_null(t);
	return t;
}

/* Checks s is rejected with rc, code and a message containing want. */
static void
expect_error(const char *s, size_t len, int rc, const char *code,
	     const char *want)
{
	struct csv_table *t = (struct csv_table *)&t;
	struct verr err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(csv_parse(s, len, &t, &err), rc);
	assert_null(t);
	assert_string_equal(err.field, "contact_list");
	assert_string_equal(err.code, code);
	if (strstr(err.message, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
}

static void
test_simple(void **state)
{
	struct csv_table *t = parse_ok("phone_number,name\n"
				       "+15551234567,Ana\n"
				       "+15557654321,Bo\n");

	(void)state;
	assert_int_equal(csv_cols(t), 2);
	assert_string_equal(csv_header(t, 0), "phone_number");
	assert_string_equal(csv_header(t, 1), "name");
	assert_null(csv_header(t, 2));
	assert_int_equal(csv_rows(t), 2);
	assert_string_equal(csv_cell(t, 0, 0), "+15551234567");
	assert_string_equal(csv_cell(t, 1, 1), "Bo");
	assert_int_equal(csv_row_number(t, 0), 2);
	assert_int_equal(csv_row_number(t, 1), 3);
	assert_int_equal(csv_row_cols(t, 1), 2);
	csv_free(t);
}

static void
test_out_of_range_accessors(void **state)
{
	struct csv_table *t = parse_ok("a,b\n1,2\n");

	(void)state;
	assert_null(csv_cell(t, 1, 0));
	assert_null(csv_cell(t, 0, 2));
	assert_int_equal(csv_row_number(t, 1), 0);
	assert_int_equal(csv_row_cols(t, 1), 0);
	csv_free(t);
	csv_free(NULL);
}

static void
test_bom_crlf_no_final_newline(void **state)
{
	struct csv_table *t = parse_ok("\xef\xbb\xbfPhone_Number,city\r\n"
				       "+15551234567,Paris\r\n"
				       "+15557654321,Lyon");

	(void)state;
	assert_string_equal(csv_header(t, 0), "Phone_Number");
	assert_int_equal(csv_rows(t), 2);
	assert_string_equal(csv_cell(t, 0, 1), "Paris");
	assert_string_equal(csv_cell(t, 1, 1), "Lyon");
	csv_free(t);
}

static void
test_quoted_fields(void **state)
{
	struct csv_table *t = parse_ok(
	    "phone_number,note,quote\n"
	    "+15551234567,\"Smith, Ana\",\"she said \"\"hi\"\"\"\n"
	    "\"+15557654321\",\"line one\r\nline two\nline three\",\"\"\n"
	    "+15550000000,last,\"\"\"\"\n");

	(void)state;
	assert_int_equal(csv_rows(t), 3);
	assert_string_equal(csv_cell(t, 0, 1), "Smith, Ana");
	assert_string_equal(csv_cell(t, 0, 2), "she said \"hi\"");
	assert_string_equal(csv_cell(t, 1, 0), "+15557654321");
	assert_string_equal(csv_cell(t, 1, 1),
			    "line one\r\nline two\nline three");
	assert_string_equal(csv_cell(t, 1, 2), "");
	assert_string_equal(csv_cell(t, 2, 2), "\"");
	/* A record spanning three lines is still one row. */
	assert_int_equal(csv_row_number(t, 2), 4);
	csv_free(t);
}

static void
test_blank_lines_skipped_but_counted(void **state)
{
	struct csv_table *t = parse_ok("\n"
				       "phone_number,name\n"
				       "\n"
				       "+15551234567,Ana\r\n"
				       "\r\n"
				       ",\n"
				       "+15557654321,Bo\n"
				       "\n\n");

	(void)state;
	assert_int_equal(csv_rows(t), 2);
	assert_int_equal(csv_row_number(t, 0), 4);
	assert_int_equal(csv_row_number(t, 1), 7);
	assert_string_equal(csv_cell(t, 1, 1), "Bo");
	csv_free(t);
}

static void
test_lone_cr_line_ends(void **state)
{
	struct csv_table *t = parse_ok("a,b\r1,2\r3,4");

	(void)state;
	assert_int_equal(csv_rows(t), 2);
	assert_string_equal(csv_cell(t, 1, 1), "4");
	csv_free(t);
}

static void
test_header_names_trimmed_cells_kept(void **state)
{
	struct csv_table *t = parse_ok(" phone_number ,\tname\t\n"
				       "+15551234567, Ana \n");

	(void)state;
	assert_string_equal(csv_header(t, 0), "phone_number");
	assert_string_equal(csv_header(t, 1), "name");
	assert_string_equal(csv_cell(t, 0, 1), " Ana ");
	csv_free(t);
}

static void
test_ragged_rows_kept_by_parser(void **state)
{
	struct csv_table *t = parse_ok("a,b,c\n1\n1,2,3,4\n");

	(void)state;
	assert_int_equal(csv_row_cols(t, 0), 1);
	assert_int_equal(csv_row_cols(t, 1), 4);
	assert_string_equal(csv_cell(t, 1, 3), "4");
	csv_free(t);
}

static void
test_not_nul_terminated(void **state)
{
	static const char data[] = {'a', ',', 'b', '\n', '1', ',', '2'};
	struct csv_table *t = NULL;

	(void)state;
	assert_int_equal(csv_parse(data, sizeof(data), &t, NULL), 0);
	assert_string_equal(csv_cell(t, 0, 1), "2");
	csv_free(t);
}

static void
test_syntax_errors(void **state)
{
	static const char nul[] = "a,b\n1,x\0y\n";

	(void)state;
	expect_error("a,b\n1,\"open\n2,3\n", 16, CD_EINVAL, "invalid_csv",
		     "row 2: a quoted field is never closed");
	expect_error("a,b\n1,2\n\n3,\"x\"\"", 16, CD_EINVAL, "invalid_csv",
		     "row 4: a quoted field is never closed");
	expect_error("a,b\n1,ab\"c\n", 11, CD_EINVAL, "invalid_csv",
		     "row 2: a quote inside an unquoted field");
	expect_error("a,b\n1,\"ab\"c\n", 12, CD_EINVAL, "invalid_csv",
		     "row 2: text after the closing quote");
	expect_error(nul, sizeof(nul) - 1, CD_EINVAL, "invalid_csv",
		     "row 2: contains a NUL byte");
	expect_error("a,b\n1,\xff\n", 7, CD_EINVAL, "invalid_csv",
		     "row 2: is not valid UTF-8");
	expect_error("a,\xc0\xaf\n", 5, CD_EINVAL, "invalid_csv",
		     "row 1: is not valid UTF-8");
	expect_error("a,\xed\xa0\x80\n", 6, CD_EINVAL, "invalid_csv",
		     "not valid UTF-8");
	expect_error("a,\xe2\x82\n", 5, CD_EINVAL, "invalid_csv",
		     "not valid UTF-8");
	expect_error("", 0, CD_EINVAL, "invalid_csv", "no header row");
	expect_error(NULL, 0, CD_EINVAL, "invalid_csv", "no header row");
	expect_error("\xef\xbb\xbf\r\n\n,,\n", 8, CD_EINVAL, "invalid_csv",
		     "no header row");
}

static void
test_valid_utf8_kept(void **state)
{
	struct csv_table *t = parse_ok("phone_number,名前\n"
				       "+15551234567,Zoë 😀\n");

	(void)state;
	assert_string_equal(csv_header(t, 1), "名前");
	assert_string_equal(csv_cell(t, 0, 1), "Zoë 😀");
	csv_free(t);
}

static void
test_byte_limit(void **state)
{
	struct csv_table *t = NULL;
	struct verr err;

	(void)state;
	/* The length is checked before any byte is read. */
	assert_int_equal(csv_parse("a", (size_t)CSV_MAX_BYTES + 1, &t, &err),
			 CD_ERANGE);
	assert_null(t);
	assert_string_equal(err.code, "csv_too_large");
}

/* Builds a header and n rows of "+1555xxxxxxx". */
static char *
many_rows(size_t n)
{
	char *s = malloc(16 + n * 14), *p = s;
	size_t i;

	p += sprintf(p, "phone_number\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "+1555%07zu\n", i);
	return s;
}

static void
test_row_limit(void **state)
{
	char *s = many_rows(CSV_MAX_ROWS);
	struct csv_table *t = parse_ok(s);

	(void)state;
	assert_int_equal(csv_rows(t), CSV_MAX_ROWS);
	assert_int_equal(csv_row_number(t, CSV_MAX_ROWS - 1), CSV_MAX_ROWS + 1);
	csv_free(t);
	free(s);
	s = many_rows(CSV_MAX_ROWS + 1);
	expect_error(s, strlen(s), CD_ERANGE, "csv_too_large", "rows");
	free(s);
}

static void
test_column_limit(void **state)
{
	char s[CSV_MAX_COLS * 2 + 4];
	size_t i;

	(void)state;
	for (i = 0; i < CSV_MAX_COLS; i++)
		memcpy(s + 2 * i, "a,", 2);
	s[2 * CSV_MAX_COLS - 1] = '\0';
	csv_free(parse_ok(s));
	memcpy(s + 2 * CSV_MAX_COLS - 1, ",a", 3);
	expect_error(s, strlen(s), CD_ERANGE, "csv_too_large",
		     "fields in a row");
}

/* Parses s and converts it; the table is freed. */
static int
contacts_of(const char *s, json_t **rows, json_t **errors)
{
	struct csv_table *t = parse_ok(s);
	int rc = csv_to_contacts(t, rows, errors);

	csv_free(t);
	return rc;
}

static void
expect_row_error(const json_t *errors, size_t i, json_int_t row,
		 const char *code)
{
	const json_t *e = json_array_get(errors, i);

	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "row")), row);
	assert_string_equal(json_string_value(json_object_get(e, "code")),
			    code);
	assert_true(json_string_length(json_object_get(e, "message")) > 0);
}

static void
test_contacts_good_and_bad_rows(void **state)
{
	json_t *rows, *errors, *c, *vars;

	(void)state;
	assert_int_equal(contacts_of("name,PHONE_NUMBER,age\n"
				     "Ana, +15551234567 ,30\n"
				     "Bo,5551234567,41\n"
				     "\"Cy, Jr\",+15557654321,\"\"\n"
				     "Di,+15550000000\n"
				     "Ed,+1 555 000,2\n",
				     &rows, &errors),
			 0);
	assert_int_equal(json_array_size(rows), 2);
	c = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(c, "to_number")),
			    "+15551234567");
	vars = json_object_get(c, "custom_variables");
	assert_int_equal(json_object_size(vars), 2);
	assert_string_equal(json_string_value(json_object_get(vars, "name")),
			    "Ana");
	assert_string_equal(json_string_value(json_object_get(vars, "age")),
			    "30");
	assert_null(json_object_get(vars, "PHONE_NUMBER"));
	vars = json_object_get(json_array_get(rows, 1), "custom_variables");
	assert_string_equal(json_string_value(json_object_get(vars, "name")),
			    "Cy, Jr");
	assert_string_equal(json_string_value(json_object_get(vars, "age")),
			    "");
	assert_int_equal(json_array_size(errors), 3);
	expect_row_error(errors, 0, 3, "invalid_e164");
	expect_row_error(errors, 1, 5, "wrong_column_count");
	expect_row_error(errors, 2, 6, "invalid_e164");
	json_decref(rows);
	json_decref(errors);
}

static void
test_contacts_to_number_and_empty_columns(void **state)
{
	json_t *rows, *errors, *vars;

	(void)state;
	assert_int_equal(contacts_of("To_Number,city,\n"
				     "+15551234567,Rome,\n",
				     &rows, &errors),
			 0);
	assert_int_equal(json_array_size(errors), 0);
	assert_int_equal(json_array_size(rows), 1);
	vars = json_object_get(json_array_get(rows, 0), "custom_variables");
	assert_int_equal(json_object_size(vars), 1);
	assert_string_equal(json_string_value(json_object_get(vars, "city")),
			    "Rome");
	json_decref(rows);
	json_decref(errors);
}

static void
test_contacts_row_numbers_with_multiline_and_blank(void **state)
{
	json_t *rows, *errors;

	(void)state;
	assert_int_equal(contacts_of("phone_number,note\n"
				     "+15551234567,\"two\nlines\"\n"
				     "\n"
				     "bad,x\n",
				     &rows, &errors),
			 0);
	assert_int_equal(json_array_size(rows), 1);
	expect_row_error(errors, 0, 4, "invalid_e164");
	json_decref(rows);
	json_decref(errors);
}

static void
test_contacts_header_only(void **state)
{
	json_t *rows, *errors;

	(void)state;
	assert_int_equal(contacts_of("phone_number\n", &rows, &errors), 0);
	assert_int_equal(json_array_size(rows), 0);
	assert_int_equal(json_array_size(errors), 0);
	json_decref(rows);
	json_decref(errors);
}

/* Checks the header of s is rejected with code. */
static void
expect_header_error(const char *s, const char *code)
{
	json_t *rows, *errors;

	assert_int_equal(contacts_of(s, &rows, &errors), CD_EINVAL);
	assert_int_equal(json_array_size(rows), 0);
	assert_int_equal(json_array_size(errors), 1);
	expect_row_error(errors, 0, 1, code);
	json_decref(rows);
	json_decref(errors);
}

static void
test_contacts_header_errors(void **state)
{
	(void)state;
	expect_header_error("name,number\nAna,+15551234567\n",
			    "missing_phone_column");
	expect_header_error("phone_number,TO_NUMBER\n+15551234567,+1555\n",
			    "duplicate_phone_column");
	expect_header_error("phone_number,name,name\n+15551234567,a,b\n",
			    "duplicate_column");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple),
	    cmocka_unit_test(test_out_of_range_accessors),
	    cmocka_unit_test(test_bom_crlf_no_final_newline),
	    cmocka_unit_test(test_quoted_fields),
	    cmocka_unit_test(test_blank_lines_skipped_but_counted),
	    cmocka_unit_test(test_lone_cr_line_ends),
	    cmocka_unit_test(test_header_names_trimmed_cells_kept),
	    cmocka_unit_test(test_ragged_rows_kept_by_parser),
	    cmocka_unit_test(test_not_nul_terminated),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_valid_utf8_kept),
	    cmocka_unit_test(test_byte_limit),
	    cmocka_unit_test(test_row_limit),
	    cmocka_unit_test(test_column_limit),
	    cmocka_unit_test(test_contacts_good_and_bad_rows),
	    cmocka_unit_test(test_contacts_to_number_and_empty_columns),
	    cmocka_unit_test(
		test_contacts_row_numbers_with_multiline_and_blank),
	    cmocka_unit_test(test_contacts_header_only),
	    cmocka_unit_test(test_contacts_header_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
