/*
 * Uploaded contact lists: an RFC 4180 CSV parser and the step that turns
 * its rows into contacts, reporting each bad row by its row number.
 *
 * Row numbers are those a spreadsheet shows: each record is one row, even
 * when a quoted field spans several lines, and blank records still take a
 * row. The header is the first non-blank record, normally row 1, so the
 * first data row is normally row 2.
 */
#ifndef CD_CSV_H
#define CD_CSV_H

#include <stddef.h>

#include <jansson.h>

#include "core/verr.h"

#define CSV_MAX_BYTES (16 * 1024 * 1024) /* whole upload */
#define CSV_MAX_ROWS  100000		 /* data rows, header excluded */
#define CSV_MAX_COLS  256		 /* fields in one record */

/* A parsed file: the header and the data rows, read-only once built. */
struct csv_table;

/*
 * Parses len bytes of data (need not be NUL-terminated). Accepts quoted
 * fields holding commas, doubled quotes and CR/LF line breaks; CRLF, LF or
 * CR line ends; a UTF-8 byte order mark at the start; a missing final line
 * end. Records that are empty or whose fields are all empty (",,,") are
 * skipped. Surrounding spaces are kept, except in header names.
 *
 * On success returns 0 and sets *out to a table freed with csv_free().
 * On failure sets *out to NULL and returns, with *err (when not NULL)
 * filled for the field "contact_list":
 *  - CD_EINVAL, code "invalid_csv", message naming the row: a quote inside
 *    an unquoted field, text after a closing quote, a quote never closed
 *    (the row where it opened), a NUL byte, invalid UTF-8, no header;
 *  - CD_ERANGE, code "csv_too_large": more than CSV_MAX_BYTES bytes,
 *    CSV_MAX_ROWS data rows or CSV_MAX_COLS fields in a record;
 *  - CD_ENOMEM, with *err untouched.
 */
int csv_parse(const char *data, size_t len, struct csv_table **out,
	      struct verr *err);

/* Frees a table from csv_parse(); NULL is ignored. */
void csv_free(struct csv_table *t);

/* Returns the number of header columns. */
size_t csv_cols(const struct csv_table *t);

/*
 * Returns header name col, with surrounding spaces and tabs removed, or
 * NULL when col is out of range. The table owns the string.
 */
const char *csv_header(const struct csv_table *t, size_t col);

/* Returns the number of data rows (the header is not one). */
size_t csv_rows(const struct csv_table *t);

/*
 * Returns the number of fields data row row (0-based) has, which may
 * differ from csv_cols(); 0 when row is out of range.
 */
size_t csv_row_cols(const struct csv_table *t, size_t row);

/*
 * Returns the 1-based spreadsheet row number of data row row (0-based),
 * as described at the top of this file; 0 when row is out of range.
 */
size_t csv_row_number(const struct csv_table *t, size_t row);

/*
 * Returns the text of field col of data row row (both 0-based), or NULL
 * when either is out of range. The table owns the string.
 */
const char *csv_cell(const struct csv_table *t, size_t row, size_t col);

/*
 * Turns each data row into a contact {"to_number": ..., "custom_variables":
 * {header: cell, ...}, "row": N}, N being its csv_row_number(). The number
 * comes from the column named "phone_number" or "to_number" (case-insensitive)
 * with surrounding spaces removed; every other column with a non-empty name
 * becomes a custom variable holding the cell text as is.
 *
 * A row with a field count other than the header's (code
 * "wrong_column_count") or an invalid number (code "invalid_e164") is left
 * out and reported in *errors as {"row": N, "code": ..., "message": ...},
 * N being its csv_row_number(); good rows are kept.
 *
 * Returns 0 with *rows and *errors set to new array references (either may
 * be empty). Returns CD_EINVAL when the header is unusable: no number
 * column ("missing_phone_column"), more than one ("duplicate_phone_column")
 * or a name used twice ("duplicate_column"); *rows is then empty and
 * *errors holds one entry for the header row. Returns CD_ENOMEM with both
 * set to NULL.
 */
int csv_to_contacts(const struct csv_table *t, json_t **rows, json_t **errors);

#endif
