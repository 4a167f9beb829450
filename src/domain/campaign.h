/*
 * Campaign settings: checking a create request, keeping the settings in
 * one normalised JSON object, and reading the parts the engine needs
 * (start time, daily window, retry policy) back out of it.
 */
#ifndef CD_CAMPAIGN_H
#define CD_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/verr.h"
#include "domain/model.h"
#include "domain/window.h"

#define CAMPAIGN_NAME_MAX	     200
#define CAMPAIGN_CONCURRENCY_MAX     1000
#define CAMPAIGN_CONCURRENCY_DEFAULT 10
#define CAMPAIGN_RETRY_MAX	     6
#define CAMPAIGN_CONTACTS_MAX	     100000

/* What a valid create request asks for. */
struct campaign_spec {
	const char *name; /* borrowed from the request body */
	enum campaign_type type;
	int64_t phone_number_id;
	int64_t agent_id; /* 0: the phone number's agent */
	bool draft;
	int64_t start_at; /* ms */
	int concurrent_call_limit;
	json_t *settings;	    /* new reference: normalised settings */
	const json_t *contact_list; /* borrowed; csv campaigns only */
	const char *contact_csv;    /* borrowed; CSV text instead of a list */
};

/*
 * Checks a create request and fills *out. Returns 0, or CD_EINVAL with
 * *err naming the field. On success the caller owns out->settings.
 */
int campaign_spec_parse(const json_t *body, int64_t now,
			struct campaign_spec *out, struct verr *err);

/*
 * Reads the daily window out of stored settings. Returns true and fills
 * *w when the campaign has one that can close, false when it never does.
 */
bool campaign_window(const json_t *settings, struct daily_window *w);

/* Returns the campaign's time zone ("UTC" when unset); borrowed. */
const char *campaign_timezone(const json_t *settings);

/*
 * Checks a reschedule request {new_scheduled_datetime, new_timezone} and
 * updates settings and *start_at. Returns 0 or CD_EINVAL with *err.
 */
int campaign_reschedule(json_t *settings, const json_t *body, int64_t *start_at,
			struct verr *err);

/*
 * Checks a retry_config object and sets *out to its normalised copy
 * (new reference). Returns 0 or CD_EINVAL with *err.
 */
int campaign_retry_parse(const json_t *cfg, json_t **out, struct verr *err);

/*
 * Checks the daily-window fields of body and stores them into settings,
 * replacing the old window. Returns 0 or CD_EINVAL with *err.
 */
int campaign_window_update(json_t *settings, const json_t *body,
			   struct verr *err);

#endif
