/*
 * What happens to a line after a call: completed, failed, retried later or
 * called back, by the campaign's retry and reschedule settings. Pure
 * rules: the caller passes the clock and the window.
 */
#ifndef CD_RETRY_H
#define CD_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/model.h"
#include "domain/window.h"

enum call_outcome {
	OUTCOME_COMPLETED,
	OUTCOME_NO_ANSWER,
	OUTCOME_BUSY,
	OUTCOME_FAILED,
	OUTCOME_VOICEMAIL,
	OUTCOME_CALLBACK_REQUESTED,
	OUTCOME_INVALID_NUMBER,
	OUTCOME_DO_NOT_CALL,
	OUTCOME_UNKNOWN, /* the daemon stopped before learning the outcome */
	OUTCOME_COUNT
};

#define RETRY_DELAYS_MAX 6

struct retry_policy {
	bool auto_retry;
	int limit; /* retries after the first call, 0..6 */
	int64_t delays_ms[RETRY_DELAYS_MAX];
	int ndelays;	   /* the last delay repeats */
	unsigned retry_on; /* bit per enum call_outcome */
	bool reschedule;   /* enabled_reschedule_call */
	int reschedule_limit;
};

/* What a line becomes. */
struct line_fate {
	enum line_status status;
	int64_t due_at; /* for retry_scheduled and callback_scheduled */
	int retries;
	int reschedules;
	bool add_dnc; /* put the number on the account's do-not-call list */
};

const char *outcome_name(enum call_outcome o);

/* Returns the outcome called `name`, or -1. */
int outcome_parse(const char *name);

/* Reads the policy out of a campaign's normalised settings. */
void retry_policy_read(const json_t *settings, struct retry_policy *p);

/*
 * Decides the fate of a line whose call ended with outcome o, given the
 * retries and reschedules it used so far. callback_at (ms, 0 when none)
 * is moved into the window w (NULL when none) when it falls outside.
 * The retry budget is never exceeded: a line gets at most 1 + limit
 * calls that are not callbacks.
 */
void retry_decide(const struct retry_policy *p, enum call_outcome o,
		  int retries, int reschedules, int64_t callback_at,
		  int64_t now, const struct daily_window *w, int64_t resumed_at,
		  struct line_fate *out);

#endif
