/*
 * Fuzz target: an uploaded CSV contact list, raw bytes through csv_parse()
 * and csv_to_contacts(), with the promises of src/domain/csv.h checked.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "domain/csv.h"
#include "domain/e164.h"
#include "fuzz.h"

/* Every accessor stays in range and returns NUL-terminated text. */
static void
csv_walk(const struct csv_table *t)
{
	size_t r, c, last_row = 0;

	FUZZ_CHECK(csv_cols(t) >= 1 && csv_cols(t) <= CSV_MAX_COLS);
	FUZZ_CHECK(csv_rows(t) <= CSV_MAX_ROWS);
	for (c = 0; c < csv_cols(t); c++) {
		const char *h = csv_header(t, c);

		FUZZ_CHECK(h != NULL);
		FUZZ_CHECK(h[0] != ' ' && h[0] != '\t');
		FUZZ_CHECK(h[0] == '\0' || (h[strlen(h) - 1] != ' ' &&
					    h[strlen(h) - 1] != '\t'));
	}
	FUZZ_CHECK(csv_header(t, csv_cols(t)) == NULL);
	for (r = 0; r < csv_rows(t); r++) {
		FUZZ_CHECK(csv_row_number(t, r) > last_row);
		last_row = csv_row_number(t, r);
		FUZZ_CHECK(csv_row_cols(t, r) >= 1);
		for (c = 0; c < csv_row_cols(t, r); c++)
			FUZZ_CHECK(csv_cell(t, r, c) != NULL);
		FUZZ_CHECK(csv_cell(t, r, csv_row_cols(t, r)) == NULL);
	}
	FUZZ_CHECK(csv_cell(t, csv_rows(t), 0) == NULL);
	FUZZ_CHECK(csv_row_cols(t, csv_rows(t)) == 0);
	FUZZ_CHECK(csv_row_number(t, csv_rows(t)) == 0);
}

/* Good rows are valid contacts; bad rows name a real data row. */
static void
csv_check_contacts(const struct csv_table *t)
{
	json_t *rows, *errors, *v;
	size_t i;
	int rc;

	rc = csv_to_contacts(t, &rows, &errors);
	FUZZ_CHECK(rc == 0 || rc == CD_EINVAL);
	FUZZ_CHECK(json_is_array(rows) && json_is_array(errors));
	if (rc == CD_EINVAL)
		FUZZ_CHECK(json_array_size(rows) == 0 &&
			   json_array_size(errors) == 1);
	else
		FUZZ_CHECK(json_array_size(rows) + json_array_size(errors) ==
			   csv_rows(t));
	json_array_foreach(rows, i, v)
	{
		const char *to =
		    json_string_value(json_object_get(v, "to_number"));

		FUZZ_CHECK(to != NULL && e164_valid(to));
		FUZZ_CHECK(
		    json_is_object(json_object_get(v, "custom_variables")));
	}
	json_array_foreach(errors, i, v)
	{
		FUZZ_CHECK(json_integer_value(json_object_get(v, "row")) >= 1);
		FUZZ_CHECK(json_is_string(json_object_get(v, "code")));
		FUZZ_CHECK(json_is_string(json_object_get(v, "message")));
	}
	json_decref(rows);
	json_decref(errors);
}

int
fuzz_csv(const uint8_t *data, size_t size)
{
	struct csv_table *t = (struct csv_table *)&t;
	struct verr err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = csv_parse((const char *)data, size, &t, &err);
	if (rc < 0) {
		FUZZ_CHECK(t == NULL);
		FUZZ_CHECK(rc == CD_EINVAL || rc == CD_ERANGE);
		FUZZ_CHECK(strcmp(err.field, "contact_list") == 0);
		FUZZ_CHECK(strcmp(err.code, "invalid_csv") == 0 ||
			   strcmp(err.code, "csv_too_large") == 0);
		return 0;
	}
	FUZZ_CHECK(rc == 0 && t != NULL);
	csv_walk(t);
	csv_check_contacts(t);
	csv_free(t);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_csv(data, size);
}
#endif
