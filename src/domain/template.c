/*
 * Parsing and filling {{variable}} templates. One scanner finds each
 * placeholder; checking, listing names and rendering all walk with it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/jsonout.h"
#include "domain/template.h"

/* One placeholder, as byte offsets into the template. */
struct placeholder {
	size_t start;	 /* the opening "{{" */
	size_t end;	 /* just past the closing "}}" */
	size_t name;	 /* first byte of the name */
	size_t name_len; /* length of the name, blanks excluded */
};

/* Distinct names in order: the array to return and a set to test against. */
struct name_list {
	json_t *names;
	json_t *seen;
};

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static size_t
skip_blanks(const char *t, size_t i)
{
	while (t[i] == ' ' || t[i] == '\t')
		i++;
	return i;
}

/* Dots separate parts of a name, so none may be empty. */
static bool
name_dots_ok(const char *name, size_t len)
{
	size_t i;

	if (name[0] == '.' || name[len - 1] == '.')
		return false;
	for (i = 1; i < len; i++) {
		if (name[i] == '.' && name[i - 1] == '.')
			return false;
	}
	return true;
}

/*
 * Finds the first placeholder at or after from. Returns 1 and fills *ph,
 * 0 when there is none, or CD_EINVAL with *why (when not NULL) set to a
 * description and ph->start to the offset of the broken placeholder.
 */
static int
next_placeholder(const char *t, size_t from, struct placeholder *ph,
		 const char **why)
{
	const char *open = strstr(t + from, "{{");
	const char *problem = NULL;
	size_t i;

	if (open == NULL)
		return 0;
	ph->start = (size_t)(open - t);
	ph->name = skip_blanks(t, ph->start + 2);
	for (i = ph->name; is_name_char(t[i]); i++)
		;
	ph->name_len = i - ph->name;
	i = skip_blanks(t, i);
	ph->end = i + 2;
	if (strstr(t + ph->start + 2, "}}") == NULL)
		problem = "an unclosed placeholder";
	else if (t[i] != '}' || t[i + 1] != '}')
		problem = "a placeholder name with a character other than "
			  "letters, digits, '_' and '.'";
	else if (ph->name_len == 0)
		problem = "an empty placeholder";
	else if (!name_dots_ok(t + ph->name, ph->name_len))
		problem = "a placeholder name that starts or ends with '.' "
			  "or holds \"..\"";
	if (problem == NULL)
		return 1;
	if (why != NULL)
		*why = problem;
	return CD_EINVAL;
}

/* Returns 0, CD_EINVAL or CD_ERANGE for the template as a whole. */
static int
template_scan(const char *t, const char **why, size_t *at)
{
	struct placeholder ph;
	size_t pos = 0;
	int rc;

	*why = "no template";
	*at = 0;
	if (t == NULL)
		return CD_EINVAL;
	if (strnlen(t, TEMPLATE_MAX_LEN + 1) > TEMPLATE_MAX_LEN)
		return CD_ERANGE;
	while ((rc = next_placeholder(t, pos, &ph, why)) == 1)
		pos = ph.end;
	if (rc < 0)
		*at = ph.start;
	return rc;
}

int
template_check(const char *tmpl, struct verr *err, const char *field)
{
	const char *why;
	size_t at;
	int rc = template_scan(tmpl, &why, &at);

	if (rc == CD_ERANGE) {
		verr_set(err, field, "template_too_long",
			 "is longer than %d bytes", TEMPLATE_MAX_LEN);
		return CD_ERANGE;
	}
	if (rc < 0 && tmpl == NULL)
		return verr_set(err, field, "invalid_template", "is missing");
	if (rc < 0)
		return verr_set(err, field, "invalid_template",
				"has %s at byte offset %zu", why, at);
	return 0;
}

/* Appends name to the list unless it is there already. */
static int
name_list_add(struct name_list *l, const char *name, size_t len)
{
	json_t *s;

	if (json_object_getn(l->seen, name, len) != NULL)
		return 0;
	if (json_object_setn_new(l->seen, name, len, json_true()) < 0)
		return CD_ENOMEM;
	s = json_stringn(name, len);
	if (s == NULL || json_array_append_new(l->names, s) < 0)
		return CD_ENOMEM;
	return 0;
}

static int
name_list_init(struct name_list *l)
{
	l->names = json_array();
	l->seen = json_object();
	if (l->names == NULL || l->seen == NULL) {
		json_decref(l->names);
		json_decref(l->seen);
		return CD_ENOMEM;
	}
	return 0;
}

json_t *
template_variables(const char *tmpl)
{
	struct name_list l;
	struct placeholder ph;
	const char *why;
	size_t pos = 0;
	int rc;

	if (template_scan(tmpl, &why, &ph.start) < 0 || name_list_init(&l) < 0)
		return NULL;
	while ((rc = next_placeholder(tmpl, pos, &ph, NULL)) == 1) {
		rc = name_list_add(&l, tmpl + ph.name, ph.name_len);
		if (rc < 0)
			break;
		pos = ph.end;
	}
	json_decref(l.seen);
	if (rc < 0) {
		json_decref(l.names);
		return NULL;
	}
	return l.names;
}

/* Looks name up as a key, then as a path through nested objects. */
static const json_t *
lookup(const json_t *vars, const char *name, size_t len)
{
	const json_t *v = json_object_getn(vars, name, len);
	const char *dot;

	while (v == NULL && (dot = memchr(name, '.', len)) != NULL) {
		vars = json_object_getn(vars, name, (size_t)(dot - name));
		if (!json_is_object(vars))
			return NULL;
		len -= (size_t)(dot - name) + 1;
		name = dot + 1;
		v = json_object_getn(vars, name, len);
	}
	return json_is_null(v) ? NULL : v;
}

/* Appends the text a value renders as. */
static int
buf_add_value(struct buf *b, const json_t *v)
{
	char num[64];
	char *dump;
	int rc;

	if (json_is_string(v))
		return buf_add(b, json_string_value(v),
			       strlen(json_string_value(v)),
			       TEMPLATE_MAX_OUTPUT);
	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else if (json_is_real(v))
		snprintf(num, sizeof(num), "%.15g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(num, sizeof(num), "%s",
			 json_is_true(v) ? "true" : "false");
	else {
		dump = jsonout_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (dump == NULL)
			return CD_ENOMEM;
		rc = buf_add(b, dump, strlen(dump), TEMPLATE_MAX_OUTPUT);
		free(dump);
		return rc;
	}
	return buf_add(b, num, strlen(num), TEMPLATE_MAX_OUTPUT);
}

static int
render_one(const char *t, const struct placeholder *ph, const json_t *vars,
	   struct buf *out, struct name_list *missing)
{
	const json_t *v = lookup(vars, t + ph->name, ph->name_len);

	if (v != NULL)
		return buf_add_value(out, v);
	if (missing != NULL &&
	    name_list_add(missing, t + ph->name, ph->name_len) < 0)
		return CD_ENOMEM;
	return buf_add(out, t + ph->start, ph->end - ph->start,
		       TEMPLATE_MAX_OUTPUT);
}

static int
render_all(const char *t, const json_t *vars, struct buf *out,
	   struct name_list *missing)
{
	struct placeholder ph;
	size_t pos = 0;
	int rc;

	while ((rc = next_placeholder(t, pos, &ph, NULL)) == 1) {
		rc = buf_add(out, t + pos, ph.start - pos, TEMPLATE_MAX_OUTPUT);
		if (rc == 0)
			rc = render_one(t, &ph, vars, out, missing);
		if (rc < 0)
			return rc;
		pos = ph.end;
	}
	if (rc < 0)
		return rc;
	return buf_add(out, t + pos, strlen(t + pos), TEMPLATE_MAX_OUTPUT);
}

int
template_render(const char *tmpl, const json_t *vars, char **out,
		json_t **missing)
{
	struct buf b = {0};
	struct name_list l = {NULL, NULL};
	const char *why;
	size_t at;
	int rc;

	*out = NULL;
	if (missing != NULL)
		*missing = NULL;
	rc = template_scan(tmpl, &why, &at);
	if (rc < 0)
		return rc;
	if (missing != NULL && name_list_init(&l) < 0)
		return CD_ENOMEM;
	rc = render_all(tmpl, vars, &b, missing != NULL ? &l : NULL);
	if (rc == 0)
		rc = buf_add(&b, "", 0, TEMPLATE_MAX_OUTPUT);
	json_decref(l.seen);
	if (rc < 0) {
		buf_free(&b);
		json_decref(l.names);
		return rc;
	}
	*out = b.data;
	if (missing != NULL)
		*missing = l.names;
	return 0;
}
