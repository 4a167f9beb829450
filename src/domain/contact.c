/*
 * The contact checks of contact.h, shared by the webhook, batches, contact
 * lists and CSV uploads.
 */
#include "core/err.h"
#include "domain/contact.h"
#include "domain/e164.h"
#include "domain/fields.h"

static int
add_shape(const json_t *row, json_t **out, struct verr *e)
{
	const char *to = NULL;
	const json_t *vars = NULL, *meta = NULL;

	if (fields_string(row, "to_number", true, 64, &to, e) < 0 ||
	    e164_check(to, "to_number", e) < 0 ||
	    fields_object(row, "custom_variables", false, &vars, e) < 0 ||
	    fields_object(row, "metadata", false, &meta, e) < 0 ||
	    (vars && fields_flat_object(vars, "custom_variables",
					CONTACT_VARIABLES_MAX, e) < 0) ||
	    (meta && fields_flat_object(meta, "metadata", CONTACT_VARIABLES_MAX,
					e) < 0))
		return CD_EINVAL;
	/* Shared with row, not copied: neither is ever changed. */
	*out = json_pack("{s:s, s:o, s:o}", "to_number", to, "custom_variables",
			 vars ? json_incref((json_t *)vars) : json_object(),
			 "metadata",
			 meta ? json_incref((json_t *)meta) : json_object());
	return *out != NULL ? 0 : CD_ENOMEM;
}

/* A contact-list row: the number column plus variable columns. */
static int
column_shape(const json_t *row, const char *number_key, json_t **out,
	     struct verr *e)
{
	const char *to = NULL;
	json_t *vars;

	if (fields_string(row, number_key, true, 64, &to, e) < 0 ||
	    e164_check(to, number_key, e) < 0)
		return CD_EINVAL;
	vars = json_deep_copy(row);
	json_object_del(vars, number_key);
	if (fields_flat_object(vars, "custom_variables", CONTACT_VARIABLES_MAX,
			       e) < 0) {
		json_decref(vars);
		return CD_EINVAL;
	}
	*out = json_pack("{s:s, s:o, s:o}", "to_number", to, "custom_variables",
			 vars, "metadata", json_object());
	return *out != NULL ? 0 : CD_ENOMEM;
}

int
contact_check(const json_t *row, const char *number_key, json_t **out,
	      struct verr *e)
{
	if (!json_is_object(row))
		return verr_set(e, "", "invalid_type",
				"each contact must be an object");
	if (number_key == NULL || json_object_get(row, "to_number") != NULL)
		return add_shape(row, out, e);
	return column_shape(row, number_key, out, e);
}

void
contact_check_list(const json_t *list, const char *number_key, json_t *good,
		   json_t *bad)
{
	size_t i;
	json_t *row, *norm;
	struct verr e;

	json_array_foreach(list, i, row)
	{
		if (contact_check(row, number_key, &norm, &e) == 0) {
			json_object_set_new(norm, "index", json_integer(i));
			json_array_append_new(good, norm);
			continue;
		}
		json_array_append_new(
		    bad, json_pack("{s:I, s:s, s:s, s:s}", "index",
				   (json_int_t)i, "code", e.code, "message",
				   e.message, "field", e.field));
	}
}
