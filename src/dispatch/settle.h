/*
 * Settling an attempt: recording how a call ended and moving its line on
 * (completed, failed, retry or callback) in one store write. Used by the
 * dispatcher for carrier reports and by the agent's result endpoint.
 */
#ifndef CD_SETTLE_H
#define CD_SETTLE_H

#include <stdint.h>

#include "domain/retry.h"
#include "store/store.h"

struct settle {
	int64_t attempt_id;
	int64_t account_id; /* 0 for any account (the carrier's reports) */
	enum call_outcome outcome;
	int64_t answered_at; /* 0 when never answered */
	int64_t ended_at;
	int64_t duration_ms;
	int64_t callback_at; /* 0 when none */
	const char *summary; /* NULL when none */
};

/*
 * Runs inside a store write. Returns 0 and sets *campaign_id, CD_ENOTFOUND
 * for an unknown attempt (or another account's), CD_ECONFLICT when the
 * attempt already has an outcome, or a store error.
 */
int settle_attempt(struct store_conn *c, const struct settle *in, int64_t now,
		   int64_t *campaign_id);

#endif
