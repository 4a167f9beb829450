/*
 * Names of the domain enumerations, in the spelling of the public API.
 */
#include <string.h>

#include "domain/model.h"

static const char *const type_names[] = {"dynamic", "csv"};

static const char *const state_names[] = {"draft", "active", "paused",
					  "cancelled"};

static const char *const status_names[] = {
    "draft",	   "scheduled", "in_progress", "waiting",
    "auto_paused", "paused",	"cancelled",   "completed",
};

static const char *const line_names[] = {
    "pending",	 "calling", "retry_scheduled", "callback_scheduled",
    "completed", "failed",  "skipped",	       "cancelled",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
find_name(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n && name != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *
campaign_type_name(enum campaign_type t)
{
	return (unsigned)t < NELEM(type_names) ? type_names[t] : "?";
}

const char *
campaign_state_name(enum campaign_state s)
{
	return (unsigned)s < NELEM(state_names) ? state_names[s] : "?";
}

const char *
campaign_status_name(enum campaign_status s)
{
	return (unsigned)s < NELEM(status_names) ? status_names[s] : "?";
}

const char *
line_status_name(enum line_status s)
{
	return (unsigned)s < NELEM(line_names) ? line_names[s] : "?";
}

int
campaign_type_parse(const char *name)
{
	return find_name(type_names, NELEM(type_names), name);
}

int
campaign_state_parse(const char *name)
{
	return find_name(state_names, NELEM(state_names), name);
}

int
campaign_status_parse(const char *name)
{
	return find_name(status_names, NELEM(status_names), name);
}

int
line_status_parse(const char *name)
{
	return find_name(line_names, NELEM(line_names), name);
}

bool
line_status_final(enum line_status s)
{
	return s == LINE_COMPLETED || s == LINE_FAILED || s == LINE_SKIPPED ||
	       s == LINE_CANCELLED;
}

bool
line_status_due(enum line_status s)
{
	return s == LINE_PENDING || s == LINE_RETRY_SCHEDULED ||
	       s == LINE_CALLBACK_SCHEDULED;
}
