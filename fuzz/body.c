/*
 * Fuzz target: a request body as the router reads it (json_loadb with
 * JSON_REJECT_DUPLICATES), then every domain check a body goes through:
 * add_contact, add_contacts and create (campaign_spec_parse, contact lists
 * and CSV, call conditions), and the update routes' settings checks.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "domain/campaign.h"
#include "domain/conditions.h"
#include "domain/contact.h"
#include "domain/csv.h"
#include "domain/e164.h"
#include "domain/fields.h"
#include "domain/retry.h"
#include "domain/tz.h"
#include "fuzz.h"

/* As in src/api/lines.c. */
#define BODY_BATCH_MAX 1000

/* A filled verr holds NUL-terminated text and a code. */
static void
body_check_verr(const struct verr *e)
{
	FUZZ_CHECK(memchr(e->field, '\0', sizeof(e->field)) != NULL);
	FUZZ_CHECK(memchr(e->code, '\0', sizeof(e->code)) != NULL);
	FUZZ_CHECK(memchr(e->message, '\0', sizeof(e->message)) != NULL);
	FUZZ_CHECK(e->code[0] != '\0');
}

/* A contact that passed: what lines_insert() and the store rely on. */
static void
body_check_contact(const json_t *c)
{
	const char *to = json_string_value(json_object_get(c, "to_number"));
	const json_t *vars = json_object_get(c, "custom_variables");
	const json_t *meta = json_object_get(c, "metadata");

	FUZZ_CHECK(to != NULL && e164_valid(to));
	FUZZ_CHECK(json_is_object(vars) && json_is_object(meta));
	FUZZ_CHECK(fields_flat_object(vars, "v", CONTACT_VARIABLES_MAX, NULL) ==
		   0);
	FUZZ_CHECK(fields_flat_object(meta, "m", CONTACT_VARIABLES_MAX, NULL) ==
		   0);
}

/* contact_check_list(): each row lands in good or in bad, never both. */
static void
body_check_list(const json_t *list, const char *number_key, json_t *good)
{
	size_t i, nbad = 0, before = json_array_size(good);
	json_t *row, *norm;
	struct verr e;

	json_array_foreach(list, i, row)
	{
		memset(&e, 0, sizeof(e));
		if (contact_check(row, number_key, &norm, &e) == 0) {
			body_check_contact(norm);
			json_array_append_new(good, norm);
		} else {
			body_check_verr(&e);
			nbad++;
		}
	}
	FUZZ_CHECK(json_array_size(good) - before + nbad ==
		   json_array_size(list));
}

/* read_csv() in src/api/campaigns.c, as far as the domain goes. */
static void
body_read_csv(const char *text, json_t *good)
{
	struct csv_table *t;
	json_t *rows, *errors;
	struct verr e;
	int rc;

	memset(&e, 0, sizeof(e));
	if (csv_parse(text, strlen(text), &t, &e) < 0) {
		body_check_verr(&e);
		return;
	}
	rc = csv_to_contacts(t, &rows, &errors);
	csv_free(t);
	FUZZ_CHECK(rc == 0 || rc == CD_EINVAL);
	if (rc == 0)
		body_check_list(rows, NULL, good);
	else
		FUZZ_CHECK(json_array_size(rows) == 0 &&
			   json_array_size(errors) == 1);
	json_decref(rows);
	json_decref(errors);
}

/* lines_insert(): the call conditions and the skip reason. */
static void
body_eval_conditions(const json_t *settings, const json_t *contacts)
{
	const json_t *conds = json_object_get(settings, "call_conditions");
	const json_t *c;
	char *reason;
	size_t i;
	int failed, rc;

	FUZZ_CHECK(conditions_check(conds, NULL) == 0);
	json_array_foreach(contacts, i, c)
	{
		rc = conditions_eval(
		    conds, json_string_value(json_object_get(c, "to_number")),
		    json_object_get(c, "custom_variables"),
		    json_object_get(c, "metadata"), &failed);
		FUZZ_CHECK(rc == 0 || rc == 1);
		if (rc == 1) {
			FUZZ_CHECK(failed == -1);
			continue;
		}
		FUZZ_CHECK(failed >= 0 &&
			   (size_t)failed < json_array_size(conds));
		reason = conditions_describe(json_array_get(conds, failed));
		FUZZ_CHECK(reason != NULL && strlen(reason) <= 240);
		free(reason);
	}
}

/* What the engine reads back out of stored settings. */
static void
body_check_settings(const json_t *settings)
{
	struct daily_window w;
	struct retry_policy p;
	struct line_fate f;
	int o, i;

	FUZZ_CHECK(tz_valid(campaign_timezone(settings)));
	retry_policy_read(settings, &p);
	FUZZ_CHECK(p.limit >= 0 && p.limit <= CAMPAIGN_RETRY_MAX);
	FUZZ_CHECK(p.ndelays >= 1 && p.ndelays <= RETRY_DELAYS_MAX);
	for (i = 0; i < p.ndelays; i++)
		FUZZ_CHECK(p.delays_ms[i] >= 0 &&
			   p.delays_ms[i] <= 30LL * 86400 * 1000);
	for (o = 0; o < OUTCOME_COUNT; o++) {
		retry_decide(&p, (enum call_outcome)o, 0, 0, FUZZ_NOW + 60000,
			     FUZZ_NOW, NULL, FUZZ_NOW, &f);
		if (f.status == LINE_RETRY_SCHEDULED ||
		    f.status == LINE_CALLBACK_SCHEDULED)
			FUZZ_CHECK(f.due_at >= FUZZ_NOW);
	}
	if (campaign_window(settings, &w))
		(void)window_next_open(&w, FUZZ_NOW, FUZZ_NOW);
}

/* The create route: POST /api/v1/calls/bulk_call/create. */
static void
body_create(const json_t *body)
{
	struct campaign_spec spec;
	struct verr e;
	json_t *good;

	memset(&e, 0, sizeof(e));
	if (campaign_spec_parse(body, FUZZ_NOW, &spec, &e) < 0) {
		body_check_verr(&e);
		return;
	}
	FUZZ_CHECK(json_is_object(spec.settings));
	FUZZ_CHECK(spec.name != NULL && spec.phone_number_id > 0);
	FUZZ_CHECK(spec.concurrent_call_limit >= 1 &&
		   spec.concurrent_call_limit <= CAMPAIGN_CONCURRENCY_MAX);
	body_check_settings(spec.settings);
	good = json_array();
	if (spec.contact_csv != NULL)
		body_read_csv(spec.contact_csv, good);
	if (spec.contact_list != NULL)
		body_check_list(spec.contact_list, "phone_number", good);
	body_eval_conditions(spec.settings, good);
	json_decref(good);
	json_decref(spec.settings);
}

/* The update routes, on the settings of a campaign made without them. */
static void
body_updates(const json_t *body)
{
	json_t *settings, *norm;
	const json_t *cfg;
	struct verr e;
	int64_t start_at = 0;

	settings = json_pack("{s:s}", "timezone", "America/New_York");
	if (settings == NULL)
		return;
	memset(&e, 0, sizeof(e));
	if (campaign_reschedule(settings, body, &start_at, &e) < 0)
		body_check_verr(&e);
	if (campaign_window_update(settings, body, &e) < 0)
		body_check_verr(&e);
	cfg = json_object_get(body, "retry_config");
	if (campaign_retry_parse(cfg != NULL ? cfg : body, &norm, &e) == 0)
		json_object_set_new(settings, "retry_config", norm);
	else
		body_check_verr(&e);
	body_check_settings(settings);
	json_decref(settings);
}

int
fuzz_body(const uint8_t *data, size_t size)
{
	const json_t *list;
	json_error_t jerr;
	json_t *body, *contact, *good;
	struct verr e;

	body =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
	if (json_is_object(body)) {
		/* POST .../add_contact */
		memset(&e, 0, sizeof(e));
		if (contact_check(body, NULL, &contact, &e) == 0) {
			body_check_contact(contact);
			json_decref(contact);
		}
		/* POST .../add_contacts */
		list = json_object_get(body, "contacts");
		good = json_array();
		if (json_is_array(list) && json_array_size(list) > 0 &&
		    json_array_size(list) <= BODY_BATCH_MAX)
			body_check_list(list, NULL, good);
		json_decref(good);
		body_create(body);
		body_updates(body);
	}
	json_decref(body);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_body(data, size);
}
#endif
