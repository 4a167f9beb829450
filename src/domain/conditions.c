/*
 * Checking and evaluating call conditions. Each operator is a row in a
 * table: the value it needs and a test; negated operators reuse the test.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/jsonout.h"
#include "domain/conditions.h"

#define FIELD	       "call_conditions"
#define METADATA       "metadata."
#define DESCRIBE_MAX   240
#define NUMBER_TEXT_SZ 64

/* What the "value" of a condition must be for an operator. */
enum value_rule {
	VALUE_NONE,   /* ignored */
	VALUE_SCALAR, /* a string, number or boolean */
	VALUE_NUMBER, /* a number or a numeric string */
	VALUE_LIST,   /* a non-empty array of scalars */
};

/* Tests a column's text x (NULL when missing) against the value v. */
typedef bool (*op_test)(const char *x, const json_t *v);

struct op {
	const char *name;
	enum value_rule rule;
	bool negate; /* holds when the test does not */
	op_test test;
};

/* The line a list is evaluated for. */
struct line {
	const char *to_number;
	const json_t *vars;
	const json_t *metadata;
};

/* A column's value as text. */
struct operand {
	const char *text; /* NULL when missing */
	char *owned;	  /* malloc'd text of an object or array */
	char buf[NUMBER_TEXT_SZ];
};

/* Returns the text of a scalar, formatted into buf for non-strings. */
static const char *
scalar_text(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, size, "%.15g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
	else
		buf[0] = '\0';
	return buf;
}

static bool
is_scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

static const char *
skip_digits(const char *p, size_t *count)
{
	const char *start = p;

	while (*p >= '0' && *p <= '9')
		p++;
	*count = (size_t)(p - start);
	return p;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Parses a finite decimal number with optional surrounding blanks. */
static bool
parse_number(const char *s, double *out)
{
	const char *p = skip_blanks(s);
	size_t whole, frac = 0, power = 1;

	if (*p == '+' || *p == '-')
		p++;
	p = skip_digits(p, &whole);
	if (*p == '.')
		p = skip_digits(p + 1, &frac);
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = skip_digits(p, &power);
	}
	if (whole + frac == 0 || power == 0 || *skip_blanks(p) != '\0')
		return false;
	*out = strtod(s, NULL);
	return isfinite(*out);
}

static bool
is_numeric(const json_t *v)
{
	double d;

	return json_is_number(v) ||
	       (json_is_string(v) && parse_number(json_string_value(v), &d));
}

static bool
test_equals(const char *x, const json_t *v)
{
	char buf[NUMBER_TEXT_SZ];
	double d;

	if (x == NULL)
		return false;
	if (json_is_number(v))
		return parse_number(x, &d) && d == json_number_value(v);
	return strcasecmp(x, scalar_text(v, buf, sizeof(buf))) == 0;
}

static bool
test_contains(const char *x, const json_t *v)
{
	char buf[NUMBER_TEXT_SZ];

	return x != NULL &&
	       strcasestr(x, scalar_text(v, buf, sizeof(buf))) != NULL;
}

static bool
test_starts_with(const char *x, const json_t *v)
{
	char buf[NUMBER_TEXT_SZ];
	const char *prefix = scalar_text(v, buf, sizeof(buf));

	return x != NULL && strncasecmp(x, prefix, strlen(prefix)) == 0;
}

static bool
test_ends_with(const char *x, const json_t *v)
{
	char buf[NUMBER_TEXT_SZ];
	const char *suffix = scalar_text(v, buf, sizeof(buf));
	size_t slen = strlen(suffix);

	if (x == NULL || strlen(x) < slen)
		return false;
	return strcasecmp(x + strlen(x) - slen, suffix) == 0;
}

/* Compares x with v as numbers: <0, 0 or >0 in *cmp; false if either is not
 * one. */
static bool
compare_numbers(const char *x, const json_t *v, int *cmp)
{
	char buf[NUMBER_TEXT_SZ];
	double a, b;

	if (x == NULL || !parse_number(x, &a))
		return false;
	if (json_is_number(v))
		b = json_number_value(v);
	else if (!parse_number(scalar_text(v, buf, sizeof(buf)), &b))
		return false;
	*cmp = (a > b) - (a < b);
	return true;
}

static bool
test_greater(const char *x, const json_t *v)
{
	int cmp;

	return compare_numbers(x, v, &cmp) && cmp > 0;
}

static bool
test_less(const char *x, const json_t *v)
{
	int cmp;

	return compare_numbers(x, v, &cmp) && cmp < 0;
}

static bool
test_greater_or_equal(const char *x, const json_t *v)
{
	int cmp;

	return compare_numbers(x, v, &cmp) && cmp >= 0;
}

static bool
test_less_or_equal(const char *x, const json_t *v)
{
	int cmp;

	return compare_numbers(x, v, &cmp) && cmp <= 0;
}

static bool
test_in(const char *x, const json_t *v)
{
	char buf[NUMBER_TEXT_SZ];
	const json_t *item;
	size_t i;

	for (i = 0; x != NULL && i < json_array_size(v); i++) {
		item = json_array_get(v, i);
		if (strcasecmp(x, scalar_text(item, buf, sizeof(buf))) == 0)
			return true;
	}
	return false;
}

static bool
test_empty(const char *x, const json_t *v)
{
	(void)v;
	return x == NULL || *skip_blanks(x) == '\0';
}

static const struct op ops[] = {
    {"equals", VALUE_SCALAR, false, test_equals},
    {"not_equals", VALUE_SCALAR, true, test_equals},
    {"contains", VALUE_SCALAR, false, test_contains},
    {"not_contains", VALUE_SCALAR, true, test_contains},
    {"starts_with", VALUE_SCALAR, false, test_starts_with},
    {"ends_with", VALUE_SCALAR, false, test_ends_with},
    {"greater_than", VALUE_NUMBER, false, test_greater},
    {"less_than", VALUE_NUMBER, false, test_less},
    {"greater_or_equal", VALUE_NUMBER, false, test_greater_or_equal},
    {"less_or_equal", VALUE_NUMBER, false, test_less_or_equal},
    {"in", VALUE_LIST, false, test_in},
    {"not_in", VALUE_LIST, true, test_in},
    {"is_empty", VALUE_NONE, false, test_empty},
    {"is_not_empty", VALUE_NONE, true, test_empty},
};

static const struct op *
find_op(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	}
	return NULL;
}

static int cond_error(struct verr *err, size_t i, const char *part,
		      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills err for part (NULL: the whole condition) of condition i. */
static int
cond_error(struct verr *err, size_t i, const char *part, const char *fmt, ...)
{
	char field[sizeof(err->field)];
	char message[sizeof(err->message)];
	va_list ap;

	snprintf(field, sizeof(field), FIELD "[%zu]%s%s", i, part ? "." : "",
		 part ? part : "");
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return verr_set(err, field, "invalid_condition", "%s", message);
}

static int
check_column(const json_t *column, size_t i, struct verr *err)
{
	const char *s = json_string_value(column);
	size_t len = json_string_length(column);

	if (s == NULL || len == 0)
		return cond_error(err, i, "column",
				  "must be a non-empty string");
	if (len > CONDITIONS_MAX_COLUMN || strlen(s) != len)
		return cond_error(err, i, "column",
				  "must be at most %d bytes, with no NUL",
				  CONDITIONS_MAX_COLUMN);
	if (strcmp(s, METADATA) == 0)
		return cond_error(err, i, "column",
				  "must name a key after \"" METADATA "\"");
	return 0;
}

/* Checks one scalar value; part is its field, such as "value[3]". */
static int
check_scalar(const json_t *v, size_t i, const char *part, struct verr *err)
{
	if (!is_scalar(v))
		return cond_error(err, i, part,
				  "must be a string, number or boolean");
	if (json_is_string(v) && json_string_length(v) > CONDITIONS_MAX_VALUE)
		return cond_error(err, i, part, "must be at most %d bytes",
				  CONDITIONS_MAX_VALUE);
	return 0;
}

static int
check_list(const json_t *v, size_t i, struct verr *err)
{
	char part[32];
	size_t k, n = json_array_size(v);
	int rc;

	if (!json_is_array(v) || n == 0 || n > CONDITIONS_MAX_IN)
		return cond_error(err, i, "value",
				  "must be an array of 1 to %d values",
				  CONDITIONS_MAX_IN);
	for (k = 0; k < n; k++) {
		snprintf(part, sizeof(part), "value[%zu]", k);
		rc = check_scalar(json_array_get(v, k), i, part, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
check_value(const json_t *v, const struct op *op, size_t i, struct verr *err)
{
	if (op->rule == VALUE_NONE)
		return 0;
	if (v == NULL)
		return cond_error(err, i, "value", "is required for %s",
				  op->name);
	if (op->rule == VALUE_LIST)
		return check_list(v, i, err);
	if (op->rule == VALUE_NUMBER && !is_numeric(v))
		return cond_error(err, i, "value",
				  "must be a number or a numeric string for %s",
				  op->name);
	return check_scalar(v, i, "value", err);
}

static int
check_one(const json_t *cond, size_t i, struct verr *err)
{
	const struct op *op;
	int rc;

	if (!json_is_object(cond))
		return cond_error(err, i, NULL, "must be an object");
	rc = check_column(json_object_get(cond, "column"), i, err);
	if (rc < 0)
		return rc;
	op = find_op(json_string_value(json_object_get(cond, "operator")));
	if (op == NULL)
		return cond_error(err, i, "operator",
				  "must be a known operator, such as equals, "
				  "contains, greater_than, in or is_empty");
	return check_value(json_object_get(cond, "value"), op, i, err);
}

int
conditions_check(const json_t *list, struct verr *err)
{
	size_t i;
	int rc;

	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return verr_set(err, FIELD, "invalid_condition",
				"must be an array");
	if (json_array_size(list) > CONDITIONS_MAX)
		return verr_set(err, FIELD, "invalid_condition",
				"must have at most %d conditions",
				CONDITIONS_MAX);
	for (i = 0; i < json_array_size(list); i++) {
		rc = check_one(json_array_get(list, i), i, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Finds a column's value for the line; x->text stays NULL when missing. */
static int
operand_init(struct operand *x, const char *column, const struct line *l)
{
	const json_t *v;

	x->text = NULL;
	x->owned = NULL;
	if (strcmp(column, "to_number") == 0) {
		x->text = l->to_number;
		return 0;
	}
	if (strncmp(column, METADATA, strlen(METADATA)) == 0)
		v = json_object_get(l->metadata, column + strlen(METADATA));
	else
		v = json_object_get(l->vars, column);
	if (v == NULL || json_is_null(v))
		return 0;
	if (is_scalar(v)) {
		x->text = scalar_text(v, x->buf, sizeof(x->buf));
		return 0;
	}
	x->owned = jsonout_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	x->text = x->owned;
	return x->owned != NULL ? 0 : CD_ENOMEM;
}

/* Returns 1 when cond holds for the line, 0 when not, or CD_ENOMEM. */
static int
eval_one(const json_t *cond, const struct line *l)
{
	const struct op *op =
	    find_op(json_string_value(json_object_get(cond, "operator")));
	const char *column = json_string_value(json_object_get(cond, "column"));
	struct operand x;
	bool holds;

	if (operand_init(&x, column, l) < 0)
		return CD_ENOMEM;
	holds = op->test(x.text, json_object_get(cond, "value")) != op->negate;
	free(x.owned);
	return holds ? 1 : 0;
}

int
conditions_eval(const json_t *list, const char *to_number,
		const json_t *custom_variables, const json_t *metadata,
		int *failed_index)
{
	struct line l = {to_number, custom_variables, metadata};
	size_t i;
	int rc;

	if (failed_index != NULL)
		*failed_index = -1;
	if (conditions_check(list, NULL) < 0)
		return CD_EINVAL;
	for (i = 0; i < json_array_size(list); i++) {
		rc = eval_one(json_array_get(list, i), &l);
		if (rc == 0 && failed_index != NULL)
			*failed_index = (int)i;
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* Cuts s to at most DESCRIBE_MAX bytes, on a character boundary. */
static void
shorten(char *s)
{
	size_t n = DESCRIBE_MAX - 3;

	if (strlen(s) <= DESCRIBE_MAX)
		return;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(s + n, "...", 4);
}

char *
conditions_describe(const json_t *cond)
{
	const char *column = json_string_value(json_object_get(cond, "column"));
	const char *name = json_string_value(json_object_get(cond, "operator"));
	const struct op *op = find_op(name);
	const json_t *v = json_object_get(cond, "value");
	const char *shown = NULL;
	char *value = NULL, *out;

	if (v != NULL && (op == NULL || op->rule != VALUE_NONE)) {
		value = jsonout_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
					     JSON_REAL_PRECISION(15));
		if (value == NULL)
			return NULL;
		shown = value;
	} else if (op != NULL && op->rule != VALUE_NONE) {
		shown = "?";
	}
	if (asprintf(&out, "%s %s%s%s", column ? column : "?",
		     name ? name : "?", shown ? " " : "",
		     shown ? shown : "") < 0)
		out = NULL;
	free(value);
	if (out != NULL)
		shorten(out);
	return out;
}
