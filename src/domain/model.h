/*
 * The nouns of the domain: campaign types, states and statuses, line
 * statuses, and their names as the API spells them.
 */
#ifndef CD_MODEL_H
#define CD_MODEL_H

#include <stdbool.h>
#include <stdint.h>

enum campaign_type { CAMPAIGN_DYNAMIC, CAMPAIGN_CSV };

/*
 * What the user decided; the visible status is derived from it, the clock
 * and the lines (see status.h).
 */
enum campaign_state {
	CSTATE_DRAFT,
	CSTATE_ACTIVE,
	CSTATE_PAUSED,
	CSTATE_CANCELLED,
};

enum campaign_status {
	CSTATUS_DRAFT,
	CSTATUS_SCHEDULED,
	CSTATUS_IN_PROGRESS,
	CSTATUS_WAITING,
	CSTATUS_AUTO_PAUSED,
	CSTATUS_PAUSED,
	CSTATUS_CANCELLED,
	CSTATUS_COMPLETED,
	CSTATUS_COUNT
};

enum line_status {
	LINE_PENDING,
	LINE_CALLING,
	LINE_RETRY_SCHEDULED,
	LINE_CALLBACK_SCHEDULED,
	LINE_COMPLETED,
	LINE_FAILED,
	LINE_SKIPPED,
	LINE_CANCELLED,
	LINE_STATUS_COUNT
};

/* Returns the API name of each value, e.g. "in_progress". */
const char *campaign_type_name(enum campaign_type t);
const char *campaign_state_name(enum campaign_state s);
const char *campaign_status_name(enum campaign_status s);
const char *line_status_name(enum line_status s);

/* Parses an API name; returns the value, or -1 when the name is unknown. */
int campaign_type_parse(const char *name);
int campaign_state_parse(const char *name);
int campaign_status_parse(const char *name);
int line_status_parse(const char *name);

/* True for the statuses a line never leaves by itself. */
bool line_status_final(enum line_status s);

/* True for the statuses in which a line waits for its due time. */
bool line_status_due(enum line_status s);

#endif
