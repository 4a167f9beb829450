/*
 * Reading uploaded CSV contact lists into a table of NUL-terminated
 * fields, and turning its rows into contacts one row at a time.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "domain/csv.h"
#include "domain/e164.h"

#define CSV_FIELD "contact_list"

struct csv_record {
	size_t first; /* index in cells of its first field */
	size_t count; /* number of fields */
	size_t row;   /* spreadsheet row number */
};

struct csv_table {
	char *text; /* every field, NUL-terminated, back to back */
	size_t text_len;
	size_t text_cap;
	size_t *cells; /* offset in text of each field */
	size_t ncells;
	size_t cells_cap;
	struct csv_record *recs; /* recs[0] is the header */
	size_t nrecs;
	size_t recs_cap;
};

struct parser {
	const char *p;	 /* next byte to read */
	const char *end; /* just past the last byte */
	size_t row;	 /* spreadsheet row of the record being read */
	struct csv_table *t;
	struct verr *err;
};

/*
 * Returns arr with room for need (at least 1) elements of size bytes,
 * updating *cap, or NULL (arr left intact) when memory runs out.
 */
static void *
grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return arr;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / size)
		return NULL;
	arr = realloc(arr, n * size);
	if (arr != NULL)
		*cap = n;
	return arr;
}

static int
text_add(struct csv_table *t, const char *s, size_t n)
{
	char *p;

	if (n == 0)
		return 0;
	p = grow(t->text, &t->text_cap, t->text_len + n, 1);
	if (p == NULL)
		return CD_ENOMEM;
	t->text = p;
	memcpy(t->text + t->text_len, s, n);
	t->text_len += n;
	return 0;
}

static int
syntax_error(struct parser *ps, size_t row, const char *what)
{
	return verr_set(ps->err, CSV_FIELD, "invalid_csv", "row %zu: %s", row,
			what);
}

static int
limit_error(struct verr *err, const char *what, size_t limit)
{
	verr_set(err, CSV_FIELD, "csv_too_large", "has more than %zu %s", limit,
		 what);
	return CD_ERANGE;
}

/* Returns the length of the UTF-8 character at s, or 0 when invalid. */
static size_t
utf8_char_len(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Returns what is wrong with the field text s, or NULL. */
static const char *
field_problem(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len;

	for (i = 0; i < n; i += len) {
		if (u[i] == '\0')
			return "contains a NUL byte";
		len = utf8_char_len(u + i, n - i);
		if (len == 0)
			return "is not valid UTF-8";
	}
	return NULL;
}

static bool
at_field_end(const struct parser *ps)
{
	return ps->p == ps->end || *ps->p == ',' || *ps->p == '\r' ||
	       *ps->p == '\n';
}

static int
read_plain(struct parser *ps)
{
	const char *start = ps->p;

	while (!at_field_end(ps)) {
		if (*ps->p == '"')
			return syntax_error(
			    ps, ps->row,
			    "a quote inside an unquoted field; quote the "
			    "whole field and double the quote");
		ps->p++;
	}
	return text_add(ps->t, start, (size_t)(ps->p - start));
}

static int
read_quoted(struct parser *ps)
{
	const char *q;
	int rc;

	for (ps->p++;; ps->p = q + 2) {
		q = memchr(ps->p, '"', (size_t)(ps->end - ps->p));
		if (q == NULL)
			return syntax_error(ps, ps->row,
					    "a quoted field is never closed");
		rc = text_add(ps->t, ps->p, (size_t)(q - ps->p) + 1);
		if (rc < 0)
			return rc;
		if (q + 1 == ps->end || q[1] != '"')
			break;
	}
	ps->t->text_len--; /* the closing quote */
	ps->p = q + 1;
	if (!at_field_end(ps))
		return syntax_error(ps, ps->row,
				    "text after the closing quote of a field");
	return 0;
}

static int
read_field(struct parser *ps)
{
	struct csv_table *t = ps->t;
	size_t *cells =
	    grow(t->cells, &t->cells_cap, t->ncells + 1, sizeof(*cells));
	size_t start = t->text_len;
	const char *problem;
	int rc;

	if (cells == NULL)
		return CD_ENOMEM;
	t->cells = cells;
	t->cells[t->ncells++] = start;
	if (ps->p < ps->end && *ps->p == '"')
		rc = read_quoted(ps);
	else
		rc = read_plain(ps);
	if (rc < 0)
		return rc;
	if (t->text_len > start) { /* else text may still be NULL */
		problem = field_problem(t->text + start, t->text_len - start);
		if (problem != NULL)
			return syntax_error(ps, ps->row, problem);
	}
	return text_add(t, "", 1);
}

static void
skip_line_end(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '\r')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '\n')
		ps->p++;
}

/* Reads the fields of one record, up to and past its line end. */
static int
read_record(struct parser *ps, struct csv_record *rec)
{
	int rc;

	rec->first = ps->t->ncells;
	rec->count = 0;
	rec->row = ps->row;
	for (;;) {
		if (rec->count == CSV_MAX_COLS)
			return limit_error(ps->err, "fields in a row",
					   CSV_MAX_COLS);
		rc = read_field(ps);
		if (rc < 0)
			return rc;
		rec->count++;
		if (ps->p == ps->end || *ps->p != ',')
			break;
		ps->p++;
	}
	skip_line_end(ps);
	return 0;
}

/* A record whose every field is empty, a blank line among them. */
static bool
record_blank(const struct csv_table *t, const struct csv_record *rec)
{
	size_t i;

	for (i = 0; i < rec->count; i++) {
		if (t->text[t->cells[rec->first + i]] != '\0')
			return false;
	}
	return true;
}

static int
keep_record(struct parser *ps, const struct csv_record *rec)
{
	struct csv_table *t = ps->t;
	struct csv_record *recs;

	if (record_blank(t, rec)) {
		t->text_len = t->cells[rec->first];
		t->ncells = rec->first;
		return 0;
	}
	if (t->nrecs > CSV_MAX_ROWS)
		return limit_error(ps->err, "rows", CSV_MAX_ROWS);
	recs = grow(t->recs, &t->recs_cap, t->nrecs + 1, sizeof(*recs));
	if (recs == NULL)
		return CD_ENOMEM;
	t->recs = recs;
	t->recs[t->nrecs++] = *rec;
	return 0;
}

static int
read_records(struct parser *ps)
{
	struct csv_record rec;
	int rc;

	for (; ps->p < ps->end; ps->row++) {
		rc = read_record(ps, &rec);
		if (rc == 0)
			rc = keep_record(ps, &rec);
		if (rc < 0)
			return rc;
	}
	if (ps->t->nrecs == 0)
		return verr_set(ps->err, CSV_FIELD, "invalid_csv",
				"has no header row");
	return 0;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Removes surrounding blanks from the header names, in place. */
static void
trim_header(struct csv_table *t)
{
	size_t i, len;
	char *s;

	for (i = 0; i < t->recs[0].count; i++) {
		s = t->text + t->cells[i];
		while (is_blank(*s))
			s++;
		t->cells[i] = (size_t)(s - t->text);
		len = strlen(s);
		while (len > 0 && is_blank(s[len - 1]))
			s[--len] = '\0';
	}
}

int
csv_parse(const char *data, size_t len, struct csv_table **out,
	  struct verr *err)
{
	struct parser ps = {NULL, NULL, 1, NULL, err};
	int rc;

	*out = NULL;
	if (len > CSV_MAX_BYTES)
		return limit_error(err, "bytes", CSV_MAX_BYTES);
	ps.p = data != NULL ? data : "";
	ps.end = ps.p + (data != NULL ? len : 0);
	ps.t = calloc(1, sizeof(*ps.t));
	if (ps.t == NULL)
		return CD_ENOMEM;
	if (ps.end - ps.p >= 3 && memcmp(ps.p, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	rc = read_records(&ps);
	if (rc < 0) {
		csv_free(ps.t);
		return rc;
	}
	trim_header(ps.t);
	*out = ps.t;
	return 0;
}

void
csv_free(struct csv_table *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->cells);
	free(t->recs);
	free(t);
}

size_t
csv_cols(const struct csv_table *t)
{
	return t->recs[0].count;
}

const char *
csv_header(const struct csv_table *t, size_t col)
{
	if (col >= t->recs[0].count)
		return NULL;
	return t->text + t->cells[col];
}

size_t
csv_rows(const struct csv_table *t)
{
	return t->nrecs - 1;
}

size_t
csv_row_cols(const struct csv_table *t, size_t row)
{
	return row < csv_rows(t) ? t->recs[row + 1].count : 0;
}

size_t
csv_row_number(const struct csv_table *t, size_t row)
{
	return row < csv_rows(t) ? t->recs[row + 1].row : 0;
}

const char *
csv_cell(const struct csv_table *t, size_t row, size_t col)
{
	const struct csv_record *rec;

	if (row >= csv_rows(t))
		return NULL;
	rec = &t->recs[row + 1];
	if (col >= rec->count)
		return NULL;
	return t->text + t->cells[rec->first + col];
}

static int add_error(json_t *errors, size_t row, const char *code,
		     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends {"row", "code", "message"} to errors. */
static int
add_error(json_t *errors, size_t row, const char *code, const char *fmt, ...)
{
	char message[sizeof(((struct verr *)0)->message)];
	va_list ap;
	json_t *e;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	e = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "code", code,
		      "message", message);
	if (e == NULL || json_array_append_new(errors, e) < 0)
		return CD_ENOMEM;
	return 0;
}

static bool
is_phone_column(const char *name)
{
	return strcasecmp(name, "phone_number") == 0 ||
	       strcasecmp(name, "to_number") == 0;
}

/* Returns the 1-based column number of an earlier column named like col. */
static size_t
earlier_same_name(const struct csv_table *t, size_t col)
{
	const char *name = csv_header(t, col);
	size_t i;

	for (i = 0; name[0] != '\0' && i < col; i++) {
		if (strcmp(csv_header(t, i), name) == 0)
			return i + 1;
	}
	return 0;
}

/* Turns the result of reporting a bad header into the code to return. */
static int
header_rejected(int rc)
{
	return rc < 0 ? rc : CD_EINVAL;
}

/*
 * Finds the number column. Returns 0, or CD_EINVAL after reporting what is
 * wrong with the header in errors, or CD_ENOMEM.
 */
static int
check_header(const struct csv_table *t, size_t *phone, json_t *errors)
{
	size_t row = t->recs[0].row, i, first, found = 0;

	for (i = 0; i < csv_cols(t); i++) {
		first = earlier_same_name(t, i);
		if (first != 0)
			return header_rejected(
			    add_error(errors, row, "duplicate_column",
				      "columns %zu and %zu have the same name",
				      first, i + 1));
		if (is_phone_column(csv_header(t, i)) && found++ == 0)
			*phone = i;
	}
	if (found > 1)
		return header_rejected(
		    add_error(errors, row, "duplicate_phone_column",
			      "has more than one phone_number or to_number "
			      "column"));
	if (found == 0)
		return header_rejected(
		    add_error(errors, row, "missing_phone_column",
			      "has no phone_number or to_number column"));
	return 0;
}

/* Returns a malloc'd copy of s without surrounding blanks, or NULL. */
static char *
trimmed_copy(const char *s)
{
	size_t len;

	while (is_blank(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	return strndup(s, len);
}

/* Returns the row's custom variables as a new object, or NULL. */
static json_t *
row_variables(const struct csv_table *t, size_t row, size_t phone)
{
	json_t *vars = json_object();
	const char *name;
	size_t i;

	for (i = 0; vars != NULL && i < csv_cols(t); i++) {
		name = csv_header(t, i);
		if (i == phone || name[0] == '\0')
			continue;
		if (json_object_set_new(vars, name,
					json_string(csv_cell(t, row, i))) < 0) {
			json_decref(vars);
			vars = NULL;
		}
	}
	return vars;
}

static int
add_contact(const struct csv_table *t, size_t row, size_t phone,
	    const char *number, json_t *rows)
{
	json_t *c = json_object();

	if (c == NULL ||
	    json_object_set_new(c, "to_number", json_string(number)) < 0 ||
	    json_object_set_new(
		c, "row", json_integer((json_int_t)csv_row_number(t, row))) <
		0 ||
	    json_object_set_new(c, "custom_variables",
				row_variables(t, row, phone)) < 0 ||
	    json_array_append_new(rows, c) < 0) {
		json_decref(c);
		return CD_ENOMEM;
	}
	return 0;
}

static int
convert_row(const struct csv_table *t, size_t row, size_t phone, json_t *rows,
	    json_t *errors)
{
	size_t n = csv_row_number(t, row);
	struct verr v;
	char *number;
	int rc;

	if (csv_row_cols(t, row) != csv_cols(t))
		return add_error(errors, n, "wrong_column_count",
				 "has %zu fields but the header has %zu",
				 csv_row_cols(t, row), csv_cols(t));
	number = trimmed_copy(csv_cell(t, row, phone));
	if (number == NULL)
		return CD_ENOMEM;
	if (e164_check(number, csv_header(t, phone), &v) < 0)
		rc = add_error(errors, n, v.code, "%s", v.message);
	else
		rc = add_contact(t, row, phone, number, rows);
	free(number);
	return rc;
}

int
csv_to_contacts(const struct csv_table *t, json_t **rows, json_t **errors)
{
	size_t phone = 0, i;
	int rc;

	*rows = json_array();
	*errors = json_array();
	if (*rows == NULL || *errors == NULL) {
		rc = CD_ENOMEM;
		goto fail;
	}
	rc = check_header(t, &phone, *errors);
	for (i = 0; rc == 0 && i < csv_rows(t); i++)
		rc = convert_row(t, i, phone, *rows, *errors);
	if (rc != CD_ENOMEM)
		return rc;
fail:
	json_decref(*rows);
	json_decref(*errors);
	*rows = NULL;
	*errors = NULL;
	return rc;
}
