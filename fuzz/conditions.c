/*
 * Fuzz target: call conditions. The input is a JSON object
 * {"call_conditions": [...], "to_number": "...", "custom_variables": {...},
 * "metadata": {...}}; the list goes through conditions_check(), then
 * conditions_eval() for that line and conditions_describe() for each entry.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "domain/conditions.h"
#include "fuzz.h"

/* Each operator and its negation, as conditions.h pairs them. */
static const char *const cond_pairs[][2] = {
    {"equals", "not_equals"},
    {"contains", "not_contains"},
    {"in", "not_in"},
    {"is_empty", "is_not_empty"},
};

static const char *
cond_negation(const char *op)
{
	size_t i;

	for (i = 0; op != NULL && i < sizeof(cond_pairs) / sizeof(*cond_pairs);
	     i++) {
		if (strcmp(op, cond_pairs[i][0]) == 0)
			return cond_pairs[i][1];
		if (strcmp(op, cond_pairs[i][1]) == 0)
			return cond_pairs[i][0];
	}
	return NULL;
}

/* Evaluates the one condition cond alone: 1, 0 or a negative code. */
static int
cond_eval_one(json_t *cond, const char *to, const json_t *vars,
	      const json_t *meta)
{
	json_t *list = json_array();
	int rc, failed;

	if (list == NULL || json_array_append(list, cond) < 0) {
		json_decref(list);
		return CD_ENOMEM;
	}
	rc = conditions_eval(list, to, vars, meta, &failed);
	json_decref(list);
	FUZZ_CHECK(rc != CD_EINVAL);
	FUZZ_CHECK(rc != 0 || failed == 0);
	return rc;
}

/* A negated operator holds exactly when its positive one does not. */
static void
cond_check_negation(const json_t *cond, int holds, const char *to,
		    const json_t *vars, const json_t *meta)
{
	const char *neg =
	    cond_negation(json_string_value(json_object_get(cond, "operator")));
	json_t *copy;
	int rc;

	if (neg == NULL || holds < 0)
		return;
	copy = json_copy((json_t *)cond);
	if (copy == NULL ||
	    json_object_set_new(copy, "operator", json_string(neg)) < 0) {
		json_decref(copy);
		return;
	}
	rc = cond_eval_one(copy, to, vars, meta);
	if (rc >= 0)
		FUZZ_CHECK(rc == !holds);
	json_decref(copy);
}

/* A valid list: the whole holds when each one does, else the first fails. */
static void
cond_check_eval(const json_t *list, const char *to, const json_t *vars,
		const json_t *meta)
{
	int rc, failed = -2, first_failed = -1, one;
	size_t i;

	rc = conditions_eval(list, to, vars, meta, &failed);
	FUZZ_CHECK(rc == 0 || rc == 1 || rc == CD_ENOMEM);
	if (rc == 1)
		FUZZ_CHECK(failed == -1);
	for (i = 0; i < json_array_size(list); i++) {
		json_t *cond = json_array_get(list, i);

		one = cond_eval_one(cond, to, vars, meta);
		if (one == 0 && first_failed < 0)
			first_failed = (int)i;
		cond_check_negation(cond, one, to, vars, meta);
	}
	if (rc == 1)
		FUZZ_CHECK(first_failed < 0);
	if (rc == 0)
		FUZZ_CHECK(failed == first_failed);
}

static void
cond_check_describe(const json_t *list)
{
	size_t i;
	char *s;

	for (i = 0; i < json_array_size(list); i++) {
		s = conditions_describe(json_array_get(list, i));
		FUZZ_CHECK(s != NULL && strlen(s) <= 240);
		free(s);
	}
}

int
fuzz_conditions(const uint8_t *data, size_t size)
{
	const json_t *list, *vars, *meta;
	const char *to;
	json_error_t jerr;
	struct verr err;
	json_t *in;
	int rc, failed;

	in =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(in)) {
		json_decref(in);
		return 0;
	}
	list = json_object_get(in, "call_conditions");
	to = json_string_value(json_object_get(in, "to_number"));
	vars = json_object_get(in, "custom_variables");
	meta = json_object_get(in, "metadata");
	vars = json_is_object(vars) ? vars : NULL;
	meta = json_is_object(meta) ? meta : NULL;
	memset(&err, 0, sizeof(err));
	rc = conditions_check(list, &err);
	if (rc < 0) {
		FUZZ_CHECK(rc == CD_EINVAL);
		FUZZ_CHECK(strcmp(err.code, "invalid_condition") == 0);
		FUZZ_CHECK(strncmp(err.field, "call_conditions", 15) == 0);
		FUZZ_CHECK(conditions_eval(list, to, vars, meta, &failed) ==
			   CD_EINVAL);
		FUZZ_CHECK(failed == -1);
	} else {
		FUZZ_CHECK(rc == 0);
		cond_check_eval(list, to, vars, meta);
	}
	if (json_is_array(list))
		cond_check_describe(list);
	json_decref(in);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_conditions(data, size);
}
#endif
