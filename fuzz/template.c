/*
 * Fuzz target: agent message templates. The input is the template text, a
 * NUL byte, then a JSON object of variables (optional). The template goes
 * through template_check(), template_variables() and template_render().
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "domain/template.h"
#include "fuzz.h"

/* Rendering with no variables copies the template as it is. */
static void
tmpl_check_identity(const char *tmpl, const json_t *names)
{
	json_t *missing, *empty = json_object();
	char *out;
	int rc;

	rc = template_render(tmpl, empty, &out, &missing);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(strcmp(out, tmpl) == 0);
	FUZZ_CHECK(json_equal(missing, (json_t *)names));
	free(out);
	json_decref(missing);
	json_decref(empty);
}

static void
tmpl_check_render(const char *tmpl, const json_t *vars, const json_t *names)
{
	json_t *missing;
	size_t i;
	char *out;
	int rc;

	rc = template_render(tmpl, vars, &out, &missing);
	FUZZ_CHECK(rc == 0 || rc == CD_ERANGE);
	if (rc < 0) {
		FUZZ_CHECK(out == NULL && missing == NULL);
		return;
	}
	FUZZ_CHECK(out != NULL && strlen(out) <= TEMPLATE_MAX_OUTPUT);
	FUZZ_CHECK(json_array_size(missing) <= json_array_size(names));
	for (i = 0; i < json_array_size(missing); i++)
		FUZZ_CHECK(json_is_string(json_array_get(missing, i)));
	free(out);
	json_decref(missing);
	rc = template_render(tmpl, vars, &out, NULL);
	FUZZ_CHECK(rc == 0);
	free(out);
}

int
fuzz_template(const uint8_t *data, size_t size)
{
	json_t *vars = NULL, *names, *missing;
	char *tmpl, *out;
	json_error_t jerr;
	struct verr err;
	int rc;

	tmpl = fuzz_take_part(&data, &size);
	if (tmpl == NULL)
		return 0;
	if (size > 0)
		vars = json_loadb((const char *)data, size,
				  JSON_REJECT_DUPLICATES, &jerr);
	memset(&err, 0, sizeof(err));
	rc = template_check(tmpl, &err, "prompt");
	names = template_variables(tmpl);
	if (rc < 0) {
		FUZZ_CHECK(rc == CD_EINVAL || rc == CD_ERANGE);
		FUZZ_CHECK(strcmp(err.field, "prompt") == 0);
		FUZZ_CHECK(names == NULL);
		FUZZ_CHECK(template_render(tmpl, vars, &out, &missing) == rc);
		FUZZ_CHECK(out == NULL && missing == NULL);
	} else {
		FUZZ_CHECK(json_is_array(names));
		tmpl_check_identity(tmpl, names);
		tmpl_check_render(tmpl, json_is_object(vars) ? vars : NULL,
				  names);
	}
	json_decref(names);
	json_decref(vars);
	free(tmpl);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_template(data, size);
}
#endif
