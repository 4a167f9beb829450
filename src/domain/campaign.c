/*
 * Campaign settings rules. The stored settings object holds: timezone,
 * scheduled_datetime, retry_config, enabled_reschedule_call,
 * reschedule_limit, call_conditions and window (the daily window fields).
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "domain/campaign.h"
#include "domain/conditions.h"
#include "domain/fields.h"
#include "domain/tz.h"

#define RETRY_DELAY_DEFAULT 3600	 /* seconds before a retry */
#define RETRY_DELAY_MAX	    (30 * 86400) /* seconds */
#define RESCHEDULE_MAX	    20

/* 10000-01-01T00:00:00Z: times from then on cannot be written back. */
#define LAST_INSTANT_MS 253402300800000LL

static const char *const retryable[] = {"no_answer", "busy", "failed",
					"voicemail"};

const char *
campaign_timezone(const json_t *settings)
{
	const char *z =
	    json_string_value(json_object_get(settings, "timezone"));

	return z != NULL ? z : "UTC";
}

/* --- retry_config --- */

static int
parse_delay_list(const json_t *list, const char *name, int64_t unit,
		 json_t *out, struct verr *err)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > CAMPAIGN_RETRY_MAX)
		return verr_set(err, name, "invalid_value",
				"%s must be a list of 1 to %d delays", name,
				CAMPAIGN_RETRY_MAX);
	json_array_foreach(list, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > RETRY_DELAY_MAX / unit)
			return verr_set(err, name, "out_of_range",
					"%s[%zu] must be a whole number "
					"within 30 days",
					name, i);
		json_array_append_new(
		    out, json_integer(json_integer_value(v) * unit));
	}
	return 0;
}

static int
parse_single_delay(const json_t *cfg, json_t *out, struct verr *err)
{
	int64_t days = 0, hours = 0;

	if (fields_int(cfg, "retry_schedule_days", false, 0, 30, &days, err) <
		0 ||
	    fields_int(cfg, "retry_schedule_hours", false, 0, 720, &hours,
		       err) < 0)
		return CD_EINVAL;
	if (days * 86400 + hours * 3600 > RETRY_DELAY_MAX)
		return verr_set(err, "retry_config.retry_schedule_hours",
				"out_of_range",
				"the retry delay must be within 30 days");
	if (days == 0 && hours == 0)
		json_array_append_new(out, json_integer(RETRY_DELAY_DEFAULT));
	else
		json_array_append_new(
		    out, json_integer(days * 86400 + hours * 3600));
	return 0;
}

static int
parse_delays(const json_t *cfg, json_t *out, struct verr *err)
{
	const json_t *secs = json_object_get(cfg, "retry_delays_seconds");
	const json_t *mins = json_object_get(cfg, "retry_delays_minutes");

	if (json_is_null(secs))
		secs = NULL;
	if (json_is_null(mins))
		mins = NULL;
	if (secs != NULL)
		return parse_delay_list(
		    secs, "retry_config.retry_delays_seconds", 1, out, err);
	if (mins != NULL)
		return parse_delay_list(
		    mins, "retry_config.retry_delays_minutes", 60, out, err);
	return parse_single_delay(cfg, out, err);
}

static bool
is_retryable(const char *outcome)
{
	for (size_t i = 0; i < sizeof(retryable) / sizeof(retryable[0]); i++)
		if (strcmp(retryable[i], outcome) == 0)
			return true;
	return false;
}

static int
parse_retry_on(const json_t *cfg, json_t *out, struct verr *err)
{
	const json_t *list = json_object_get(cfg, "retry_on");
	size_t i;
	const json_t *v;

	if (list == NULL || json_is_null(list)) {
		for (i = 0; i < sizeof(retryable) / sizeof(retryable[0]); i++)
			json_array_append_new(out, json_string(retryable[i]));
		return 0;
	}
	if (!json_is_array(list) || json_array_size(list) == 0)
		return verr_set(err, "retry_config.retry_on", "invalid_value",
				"retry_on must be a non-empty list of "
				"outcomes");
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v) || !is_retryable(json_string_value(v)))
			return verr_set(
			    err, "retry_config.retry_on", "invalid_value",
			    "retry_on[%zu] must be one of no_answer, "
			    "busy, failed, voicemail",
			    i);
		json_array_append(out, (json_t *)v);
	}
	return 0;
}

static int finish_retry(bool auto_retry, int64_t limit, json_t *delays,
			json_t *on, json_t **out);

/* Names a nested field by its full path ("retry_config.retry_limit"). */
static void
prefix_field(struct verr *err, const char *prefix)
{
	char field[sizeof(err->field) + 32];

	if (err == NULL || strncmp(err->field, prefix, strlen(prefix)) == 0 ||
	    strcmp(err->field, "retry_config") == 0)
		return;
	snprintf(field, sizeof(field), "%s%s", prefix, err->field);
	snprintf(err->field, sizeof(err->field), "%.*s",
		 (int)sizeof(err->field) - 1, field);
}

int
campaign_retry_parse(const json_t *cfg, json_t **out, struct verr *err)
{
	bool auto_retry = false;
	int64_t limit = 0;
	json_t *delays = json_array(), *on = json_array();

	if (!json_is_object(cfg)) {
		verr_set(err, "retry_config", "invalid_type",
			 "retry_config must be an object");
		goto fail;
	}
	if (fields_bool(cfg, "auto_retry", false, &auto_retry, err) < 0 ||
	    fields_int(cfg, "retry_limit", false, 0, CAMPAIGN_RETRY_MAX, &limit,
		       err) < 0 ||
	    parse_delays(cfg, delays, err) < 0 ||
	    parse_retry_on(cfg, on, err) < 0)
		goto fail;
	return finish_retry(auto_retry, limit, delays, on, out);
fail:
	prefix_field(err, "retry_config.");
	json_decref(delays);
	json_decref(on);
	return CD_EINVAL;
}

static int
finish_retry(bool auto_retry, int64_t limit, json_t *delays, json_t *on,
	     json_t **out)
{
	*out = json_pack("{s:b, s:I, s:o, s:o}", "auto_retry", auto_retry,
			 "retry_limit", (json_int_t)limit,
			 "retry_delays_seconds", delays, "retry_on", on);
	return *out != NULL ? 0 : CD_ENOMEM;
}

/* --- Start time and window --- */

static int
parse_start(const json_t *body, json_t *settings, int64_t now,
	    int64_t *start_at, struct verr *err)
{
	bool scheduled = false;
	const char *when = NULL;

	*start_at = now;
	if (fields_bool(body, "is_scheduled", false, &scheduled, err) < 0)
		return CD_EINVAL;
	if (!scheduled)
		return 0;
	if (fields_string(body, "scheduled_datetime", true, 32, &when, err) < 0)
		return CD_EINVAL;
	if (tz_local_to_utc(campaign_timezone(settings), when, start_at) < 0 ||
	    *start_at >= LAST_INSTANT_MS)
		return verr_set(err, "scheduled_datetime", "invalid_datetime",
				"scheduled_datetime must be "
				"YYYY-MM-DD HH:MM:SS");
	json_object_set_new(settings, "scheduled_datetime", json_string(when));
	return 0;
}

int
campaign_window_update(json_t *settings, const json_t *body, struct verr *err)
{
	struct daily_window w;
	json_t *wj;

	if (window_from_json(body, campaign_timezone(settings), &w, err) < 0)
		return CD_EINVAL;
	wj = json_object();
	if (wj == NULL || window_to_json(&w, wj) < 0) {
		json_decref(wj);
		return CD_ENOMEM;
	}
	json_object_set_new(settings, "window", wj);
	return 0;
}

bool
campaign_window(const json_t *settings, struct daily_window *w)
{
	const json_t *wj = json_object_get(settings, "window");

	if (wj == NULL ||
	    window_from_json(wj, campaign_timezone(settings), w, NULL) < 0)
		return false;
	return w->hard_stop || (w->days & 0x7f) != 0x7f;
}

int
campaign_reschedule(json_t *settings, const json_t *body, int64_t *start_at,
		    struct verr *err)
{
	const char *when = NULL, *zone = NULL;
	int64_t at;

	if (fields_string(body, "new_scheduled_datetime", true, 32, &when,
			  err) < 0 ||
	    fields_string(body, "new_timezone", false, 64, &zone, err) < 0)
		return CD_EINVAL;
	if (zone == NULL)
		zone = campaign_timezone(settings);
	if (!tz_valid(zone))
		return verr_set(err, "new_timezone", "invalid_timezone",
				"'%s' is not a known time zone", zone);
	if (tz_local_to_utc(zone, when, &at) < 0 || at >= LAST_INSTANT_MS)
		return verr_set(err, "new_scheduled_datetime",
				"invalid_datetime",
				"new_scheduled_datetime must be "
				"YYYY-MM-DD HH:MM:SS");
	json_object_set_new(settings, "timezone", json_string(zone));
	json_object_set_new(settings, "scheduled_datetime", json_string(when));
	*start_at = at;
	return 0;
}

/* --- The whole create request --- */

static int
parse_type(const json_t *body, struct campaign_spec *out, struct verr *err)
{
	bool dynamic = false;

	if (fields_bool(body, "is_dynamic", false, &dynamic, err) < 0)
		return CD_EINVAL;
	out->contact_list = json_object_get(body, "contact_list");
	if (json_is_null(out->contact_list))
		out->contact_list = NULL;
	if (dynamic) {
		const char *field =
		    out->contact_list != NULL ? "contact_list" : "contact_csv";

		if (out->contact_list != NULL ||
		    json_is_string(json_object_get(body, "contact_csv")))
			return verr_set(err, field, "not_allowed",
					"a dynamic campaign takes contacts "
					"through add_contact, not %s",
					field);
		out->type = CAMPAIGN_DYNAMIC;
		return 0;
	}
	if (out->contact_list == NULL &&
	    json_is_string(json_object_get(body, "contact_csv"))) {
		out->contact_csv =
		    json_string_value(json_object_get(body, "contact_csv"));
		out->type = CAMPAIGN_CSV;
		return 0;
	}
	if (!json_is_array(out->contact_list))
		return verr_set(err, "contact_list", "missing_field",
				"contact_list (an array) or contact_csv (CSV "
				"text) is required unless is_dynamic is true");
	if (json_array_size(out->contact_list) > CAMPAIGN_CONTACTS_MAX)
		return verr_set(err, "contact_list", "too_many_items",
				"contact_list has more than %d contacts",
				CAMPAIGN_CONTACTS_MAX);
	out->type = CAMPAIGN_CSV;
	return 0;
}

static int
parse_zone(const json_t *body, json_t *settings, struct verr *err)
{
	const char *zone = "UTC";

	if (fields_string(body, "timezone", false, 64, &zone, err) < 0)
		return CD_EINVAL;
	if (!tz_valid(zone))
		return verr_set(err, "timezone", "invalid_timezone",
				"'%s' is not a known time zone", zone);
	json_object_set_new(settings, "timezone", json_string(zone));
	return 0;
}

static int
parse_reschedule(const json_t *body, json_t *settings, struct verr *err)
{
	bool on = false;
	int64_t cap = 3;

	if (fields_bool(body, "enabled_reschedule_call", false, &on, err) < 0 ||
	    fields_int(body, "reschedule_limit", false, 0, RESCHEDULE_MAX, &cap,
		       err) < 0)
		return CD_EINVAL;
	json_object_set_new(settings, "enabled_reschedule_call",
			    json_boolean(on));
	json_object_set_new(settings, "reschedule_limit", json_integer(cap));
	return 0;
}

static int
parse_conditions(const json_t *body, json_t *settings, struct verr *err)
{
	const json_t *list = json_object_get(body, "call_conditions");

	if (list == NULL || json_is_null(list)) {
		json_object_set_new(settings, "call_conditions", json_array());
		return 0;
	}
	if (conditions_check(list, err) < 0)
		return CD_EINVAL;
	json_object_set(settings, "call_conditions", (json_t *)list);
	return 0;
}

static int
parse_retry(const json_t *body, json_t *settings, struct verr *err)
{
	const json_t *cfg = json_object_get(body, "retry_config");
	json_t *norm;

	if (cfg == NULL || json_is_null(cfg))
		cfg = json_object();
	else
		json_incref((json_t *)cfg);
	if (campaign_retry_parse(cfg, &norm, err) < 0) {
		json_decref((json_t *)cfg);
		return CD_EINVAL;
	}
	json_decref((json_t *)cfg);
	json_object_set_new(settings, "retry_config", norm);
	return 0;
}

static int
parse_ids(const json_t *body, struct campaign_spec *out, struct verr *err)
{
	int64_t limit = CAMPAIGN_CONCURRENCY_DEFAULT;

	out->agent_id = 0;
	if (fields_string(body, "name", true, CAMPAIGN_NAME_MAX, &out->name,
			  err) < 0 ||
	    fields_int(body, "phone_number_id", true, 1, INT64_MAX,
		       &out->phone_number_id, err) < 0 ||
	    fields_int(body, "bot_id", false, 1, INT64_MAX, &out->agent_id,
		       err) < 0 ||
	    fields_int(body, "concurrent_call_limit", false, 1,
		       CAMPAIGN_CONCURRENCY_MAX, &limit, err) < 0 ||
	    fields_bool(body, "save_as_draft", false, &out->draft, err) < 0)
		return CD_EINVAL;
	out->concurrent_call_limit = (int)limit;
	return 0;
}

int
campaign_spec_parse(const json_t *body, int64_t now, struct campaign_spec *out,
		    struct verr *err)
{
	json_t *settings = json_object();

	memset(out, 0, sizeof(*out));
	if (settings == NULL)
		return CD_ENOMEM;
	if (parse_ids(body, out, err) < 0 || parse_type(body, out, err) < 0 ||
	    parse_zone(body, settings, err) < 0 ||
	    parse_start(body, settings, now, &out->start_at, err) < 0 ||
	    parse_retry(body, settings, err) < 0 ||
	    parse_reschedule(body, settings, err) < 0 ||
	    parse_conditions(body, settings, err) < 0 ||
	    campaign_window_update(settings, body, err) < 0) {
		json_decref(settings);
		return CD_EINVAL;
	}
	out->settings = settings;
	return 0;
}
