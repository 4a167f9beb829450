/*
 * Call conditions: a campaign's list of {column, operator, value} rules
 * that must all hold for a line to be dialled; a line failing one is skipped.
 *
 * Columns: "to_number" is the line's number, "metadata.<key>" a key of its
 * metadata, and any other name a key of its custom variables (dots and
 * all). A column that is absent or JSON null is missing. Objects and
 * arrays compare as their compact JSON text.
 *
 * Operators, with v the condition's value and x the column's value:
 *  - equals: when v is a JSON number, x must be a number or a numeric
 *    string equal to it ("30.0" equals 30); otherwise x and v compare as
 *    text, ignoring ASCII case ("YES" equals "yes", true equals "True").
 *  - contains, starts_with, ends_with: text, ignoring ASCII case.
 *  - greater_than, less_than, greater_or_equal, less_or_equal: numeric;
 *    both sides must be finite decimal numbers (JSON numbers or strings
 *    such as " 42", "-1.5e3"; not "0x10", "inf" or ""), else false.
 *  - in: x's text equals the text of one of v's scalars, ignoring ASCII
 *    case (30 and "30" match; 30 and "30.0" do not).
 *  - is_empty: x is missing, or a string of only spaces and tabs.
 *  - not_equals, not_contains, not_in, is_not_empty: exactly the negation
 *    of equals, contains, in and is_empty.
 * So a missing column fails every positive operator except is_empty, and
 * passes every negated one. Numbers compare as text in their JSON form,
 * reals with up to 15 significant digits (30.0 reads "30").
 */
#ifndef CD_CONDITIONS_H
#define CD_CONDITIONS_H

#include <jansson.h>

#include "core/verr.h"

#define CONDITIONS_MAX	      50   /* conditions in a list */
#define CONDITIONS_MAX_COLUMN 128  /* bytes in a column name */
#define CONDITIONS_MAX_IN     500  /* values in an in / not_in list */
#define CONDITIONS_MAX_VALUE  1024 /* bytes in a string value */

/*
 * Returns 0 when list is a valid conditions list: NULL, JSON null or an
 * array of at most CONDITIONS_MAX objects, each with a non-empty string
 * "column" (at most CONDITIONS_MAX_COLUMN bytes; "metadata." needs a key),
 * a known "operator", and a "value" unless the operator is is_empty or
 * is_not_empty (which ignore it): a string (at most CONDITIONS_MAX_VALUE
 * bytes), number or boolean; for in and not_in a non-empty array of at
 * most CONDITIONS_MAX_IN of those; for the four numeric operators a number
 * or a numeric string.
 *
 * Otherwise returns CD_EINVAL and fills *err (when not NULL) with code
 * "invalid_condition" and a field path such as "call_conditions[2].value".
 */
int conditions_check(const json_t *list, struct verr *err);

/*
 * Evaluates list for one line: to_number (may be NULL: missing),
 * custom_variables and metadata (objects, or NULL for none). Returns 1
 * when every condition holds (*failed_index set to -1), 0 when one fails
 * (*failed_index set to its index in list), CD_EINVAL when list fails
 * conditions_check(), or CD_ENOMEM. failed_index may be NULL.
 */
int conditions_eval(const json_t *list, const char *to_number,
		    const json_t *custom_variables, const json_t *metadata,
		    int *failed_index);

/*
 * Returns a malloc'd one-line description of one condition for a skip
 * reason, e.g. `age greater_than 30` or `city equals "Paris"` (the value
 * as compact JSON, nothing for is_empty / is_not_empty). Parts that are
 * absent or of the wrong type read "?"; text past 240 bytes is cut at a
 * character boundary and ends with "...". NULL only when memory runs out.
 */
char *conditions_describe(const json_t *cond);

#endif
