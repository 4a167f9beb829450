/*
 * Checking contacts as requests bring them: one add_contact body, a batch,
 * or a campaign's contact list. Each good contact comes out normalised as
 * {to_number, custom_variables, metadata}.
 */
#ifndef CD_CONTACT_H
#define CD_CONTACT_H

#include <jansson.h>

#include "core/verr.h"

#define CONTACT_VARIABLES_MAX 100 /* keys of custom_variables or metadata */

/*
 * Checks one contact: an object with to_number (and optional
 * custom_variables and metadata objects), or, when number_key is not NULL
 * and the row has no to_number, a contact-list row whose number_key column
 * holds the number and whose other columns become custom variables.
 * Returns 0 and sets *out to a new normalised object, CD_EINVAL with *e
 * naming the field, or CD_ENOMEM. The object may share custom_variables
 * and metadata with row: change neither.
 */
int contact_check(const json_t *row, const char *number_key, json_t **out,
		  struct verr *e);

/*
 * Checks each contact of `list`: good ones are appended to `good` as
 * normalised objects with their "index", bad ones to `bad` as {index,
 * code, message, field}.
 */
void contact_check_list(const json_t *list, const char *number_key,
			json_t *good, json_t *bad);

#endif
