/*
 * Writes jansson values as JSON text into a growing buffer, matching
 * json_dumps() byte for byte except that reals take their shortest form.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/buf.h"
#include "core/jsonout.h"

#define PRECISION_MASK 0x1F /* as wide as JSON_REAL_PRECISION's field */
#define SHORTEST_MAX   17   /* digits that always bring a double back */

#define SUPPORTED_FLAGS                                                        \
	(JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS |                     \
	 JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(PRECISION_MASK))

/* The text being built and what writing it needs to know. */
struct out {
	struct buf text;
	const char *item_sep; /* between array items and object members */
	const char *key_sep;  /* between a key and its value */
	int sort;
	int precision;
	const json_t **path; /* containers being written, outermost first */
	size_t depth;
	size_t path_cap;
};

/* A member of an object, for writing the members in key order. */
struct member {
	const char *key;
	size_t key_len;
	json_t *value;
};

static int write_value(struct out *o, const json_t *json);

/* Output is bounded by memory alone. */
#define OUT_MAX (SIZE_MAX / 2)

static int
put(struct out *o, const char *s, size_t n)
{
	return buf_add(&o->text, s, n, OUT_MAX);
}

static int
put_str(struct out *o, const char *s)
{
	return put(o, s, strlen(s));
}

/*
 * Returns the length of the well-formed UTF-8 sequence starting s (1 to 4
 * bytes, at most avail), or 0 for bytes jansson would refuse: stray or
 * overlong forms, surrogates and code points past U+10FFFF.
 */
static size_t
utf8_len(const unsigned char *s, size_t avail)
{
	uint32_t cp, min;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2, cp = s[0] & 0x1F, min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3, cp = s[0] & 0x0F, min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/*
 * Fills esc with the escape jansson writes for byte c and returns its
 * length, or returns 0 when c goes out as it is.
 */
static size_t
escape_of(unsigned char c, char esc[6])
{
	static const char hex[] = "0123456789ABCDEF";
	char named;

	switch (c) {
	case '"':
	case '\\':
		named = (char)c;
		break;
	case '\b':
		named = 'b';
		break;
	case '\f':
		named = 'f';
		break;
	case '\n':
		named = 'n';
		break;
	case '\r':
		named = 'r';
		break;
	case '\t':
		named = 't';
		break;
	default:
		if (c >= 0x20)
			return 0;
		memcpy(esc, "\\u00", 4);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 0xF];
		return 6;
	}
	esc[0] = '\\';
	esc[1] = named;
	return 2;
}

/* Writes s[0..len) quoted; CD_EINVAL if it is not valid UTF-8. */
static int
write_string(struct out *o, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, plain = 0, n, e;
	char esc[6];
	int err = put(o, "\"", 1);

	while (err == 0 && i < len) {
		n = utf8_len(u + i, len - i);
		if (n == 0)
			return CD_EINVAL;
		e = n == 1 ? escape_of(u[i], esc) : 0;
		if (e == 0) {
			i += n;
			continue;
		}
		err = put(o, s + plain, i - plain);
		if (err == 0)
			err = put(o, esc, e);
		plain = ++i;
	}
	if (err == 0)
		err = put(o, s + plain, len - plain);
	return err ? err : put(o, "\"", 1);
}

/* Remembers that c is being written; CD_EINVAL if it already is. */
static int
enter(struct out *o, const json_t *c)
{
	size_t i;

	for (i = 0; i < o->depth; i++)
		if (o->path[i] == c)
			return CD_EINVAL;
	if (o->depth == o->path_cap) {
		size_t cap = o->path_cap ? o->path_cap * 2 : 16;
		const json_t **path = realloc(o->path, cap * sizeof(*path));

		if (path == NULL)
			return CD_ENOMEM;
		o->path = path;
		o->path_cap = cap;
	}
	o->path[o->depth++] = c;
	return 0;
}

static int
write_array(struct out *o, const json_t *array)
{
	size_t i, n = json_array_size(array);
	int err = enter(o, array);

	if (err != 0)
		return err;
	err = put(o, "[", 1);
	for (i = 0; err == 0 && i < n; i++) {
		if (i > 0)
			err = put_str(o, o->item_sep);
		if (err == 0)
			err = write_value(o, json_array_get(array, i));
	}
	if (err == 0)
		err = put(o, "]", 1);
	o->depth--;
	return err;
}

static int
write_member(struct out *o, const struct member *m, int first)
{
	int err = first ? 0 : put_str(o, o->item_sep);

	if (err == 0)
		err = write_string(o, m->key, m->key_len);
	if (err == 0)
		err = put_str(o, o->key_sep);
	return err ? err : write_value(o, m->value);
}

/* Orders keys as jansson does: bytewise, then the shorter one first. */
static int
compare_members(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int diff = memcmp(x->key, y->key, n);

	if (diff != 0)
		return diff;
	return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Fills all[0..n) with the members of obj in jansson's iteration order. */
static size_t
list_members(const json_t *obj, struct member *all, size_t n)
{
	void *it = json_object_iter((json_t *)obj);
	size_t i;

	for (i = 0; it != NULL && i < n; i++) {
		all[i].key = json_object_iter_key(it);
		all[i].key_len = json_object_iter_key_len(it);
		all[i].value = json_object_iter_value(it);
		it = json_object_iter_next((json_t *)obj, it);
	}
	return i;
}

static int
write_members_sorted(struct out *o, const json_t *obj)
{
	size_t i, n = json_object_size(obj);
	struct member *all;
	int err = 0;

	if (n == 0)
		return 0;
	all = calloc(n, sizeof(*all));
	if (all == NULL)
		return CD_ENOMEM;
	n = list_members(obj, all, n);
	qsort(all, n, sizeof(*all), compare_members);
	for (i = 0; err == 0 && i < n; i++)
		err = write_member(o, &all[i], i == 0);
	free(all);
	return err;
}

static int
write_members(struct out *o, const json_t *obj)
{
	void *it = json_object_iter((json_t *)obj);
	struct member m;
	int err = 0, first = 1;

	for (; err == 0 && it != NULL;
	     it = json_object_iter_next((json_t *)obj, it)) {
		m.key = json_object_iter_key(it);
		m.key_len = json_object_iter_key_len(it);
		m.value = json_object_iter_value(it);
		err = write_member(o, &m, first);
		first = 0;
	}
	return err;
}

static int
write_object(struct out *o, const json_t *obj)
{
	int err = enter(o, obj);

	if (err != 0)
		return err;
	err = put(o, "{", 1);
	if (err == 0)
		err = o->sort ? write_members_sorted(o, obj)
			      : write_members(o, obj);
	if (err == 0)
		err = put(o, "}", 1);
	o->depth--;
	return err;
}

static int
write_number(struct out *o, const json_t *json)
{
	char text[JSONOUT_REAL_MAX];
	int n;

	if (json_is_integer(json))
		n = snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
			     json_integer_value(json));
	else
		n = jsonout_format_real(json_real_value(json), o->precision,
					text, sizeof(text));
	return n < 0 ? CD_EINVAL : put(o, text, (size_t)n);
}

static int
write_value(struct out *o, const json_t *json)
{
	switch (json_typeof(json)) {
	case JSON_OBJECT:
		return write_object(o, json);
	case JSON_ARRAY:
		return write_array(o, json);
	case JSON_STRING:
		return write_string(o, json_string_value(json),
				    json_string_length(json));
	case JSON_INTEGER:
	case JSON_REAL:
		return write_number(o, json);
	case JSON_TRUE:
		return put_str(o, "true");
	case JSON_FALSE:
		return put_str(o, "false");
	case JSON_NULL:
		return put_str(o, "null");
	}
	return CD_EINVAL;
}

char *
jsonout_dumps(const json_t *json, size_t flags)
{
	struct out o;
	int err;

	if (json == NULL || (flags & ~(size_t)SUPPORTED_FLAGS) != 0)
		return NULL;
	if (!(flags & JSON_ENCODE_ANY) && !json_is_object(json) &&
	    !json_is_array(json))
		return NULL;
	memset(&o, 0, sizeof(o));
	o.item_sep = flags & JSON_COMPACT ? "," : ", ";
	o.key_sep = flags & JSON_COMPACT ? ":" : ": ";
	o.sort = (flags & JSON_SORT_KEYS) != 0;
	o.precision = (int)((flags / JSON_REAL_PRECISION(1)) & PRECISION_MASK);
	err = write_value(&o, json);
	free(o.path);
	if (err != 0) {
		buf_free(&o.text);
		return NULL;
	}
	return o.text.data;
}

/* Prints value with "%.<precision>g"; the length, or CD_ERANGE. */
static int
print_g(double value, int precision, char text[JSONOUT_REAL_MAX])
{
	int n = snprintf(text, JSONOUT_REAL_MAX, "%.*g", precision, value);

	return n < 0 || n >= JSONOUT_REAL_MAX ? CD_ERANGE : n;
}

/* Whether text, read with strtod, is exactly value, sign of zero too. */
static int
reads_back(const char *text, double value)
{
	double back = strtod(text, NULL);

	return memcmp(&back, &value, sizeof(back)) == 0;
}

/*
 * Copies printf's text to out in jansson's form: '.' for the locale's
 * decimal point, ".0" after a bare integer, no '+' or leading zeros in the
 * exponent. Returns the length, or CD_ERANGE when out is too small.
 */
static int
tidy(const char *text, char *out, size_t size)
{
	char buf[JSONOUT_REAL_MAX + 2];
	const char *p = text;
	size_t n = 0;
	int point = 0;

	while (*p != '\0' && *p != 'e') {
		if ((*p >= '0' && *p <= '9') || *p == '-') {
			buf[n++] = *p++;
			continue;
		}
		buf[n++] = '.';
		point = 1;
		while (*p != '\0' && *p != 'e' && (*p < '0' || *p > '9'))
			p++;
	}
	if (*p == 'e') {
		buf[n++] = *p++;
		if (*p == '-')
			buf[n++] = *p++;
		else if (*p == '+')
			p++;
		while (p[0] == '0' && p[1] != '\0')
			p++;
		while (*p != '\0')
			buf[n++] = *p++;
	} else if (!point) {
		buf[n++] = '.';
		buf[n++] = '0';
	}
	if (n >= size)
		return CD_ERANGE;
	memcpy(out, buf, n);
	out[n] = '\0';
	return (int)n;
}

/*
 * Returns the smallest precision whose "%.<p>g" text reads back to value.
 * The search is linear: at powers of two, whose gap below is half the gap
 * above, p digits can read back while p + 1 do not (2^149 with 14 and 16).
 */
static int
shortest_precision(double value)
{
	char text[JSONOUT_REAL_MAX];
	int p;

	for (p = 1; p < SHORTEST_MAX; p++)
		if (print_g(value, p, text) >= 0 && reads_back(text, value))
			break;
	return p;
}

/*
 * Lays out the significant digits `digits` of a number whose first digit
 * stands for 10^exp, without an exponent ("0.00012", "1500", "12.5").
 */
static int
place_point(const char *sign, const char *digits, int exp,
	    char text[JSONOUT_REAL_MAX])
{
	int len = (int)strlen(digits), n = 0, i;

	/* At most 17 digits and 16 zeros besides: it fits. */
	n += sprintf(text, "%s", sign);
	if (exp < 0) {
		text[n++] = '0';
		text[n++] = '.';
		for (i = 0; i < -exp - 1; i++)
			text[n++] = '0';
	}
	for (i = 0; i < len || i <= exp; i++) {
		if (i == exp + 1 && exp >= 0)
			text[n++] = '.';
		text[n++] = i < len ? digits[i] : '0';
	}
	text[n] = '\0';
	return n;
}

/*
 * The fewest significant digits that read back, without an exponent from
 * 1e-4 up to 1e17 as jansson's own "%.17g" would print them (so 100.0 is
 * "100.0", not "1e2"), and with one outside that range.
 */
static int
print_shortest(double value, char text[JSONOUT_REAL_MAX])
{
	char digits[JSONOUT_REAL_MAX], *e;
	int p = shortest_precision(value), exp, n, i = 0;
	const char *s;

	n = snprintf(text, JSONOUT_REAL_MAX, "%.*e", p - 1, value);
	if (n < 0 || n >= JSONOUT_REAL_MAX || (e = strchr(text, 'e')) == NULL)
		return CD_ERANGE;
	exp = atoi(e + 1);
	if (exp < -4 || exp >= 17)
		return print_g(value, p, text);
	for (s = text; s < e; s++)
		if (*s >= '0' && *s <= '9')
			digits[i++] = *s;
	digits[i] = '\0';
	return place_point(value < 0 || signbit(value) ? "-" : "", digits, exp,
			   text);
}

int
jsonout_format_real(double value, int precision, char *out, size_t size)
{
	char text[JSONOUT_REAL_MAX];
	int n;

	if (!isfinite(value) || precision < 0 || precision > PRECISION_MASK)
		return CD_EINVAL;
	if (precision == 0)
		n = print_shortest(value, text);
	else
		n = print_g(value, precision, text);
	return n < 0 ? n : tidy(text, out, size);
}
