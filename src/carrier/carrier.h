/*
 * The carrier interface: how the dispatcher places calls and learns how
 * they went. Each carrier (the built-in simulator, later real trunks) is a
 * table of functions; events come back through one report callback.
 */
#ifndef CD_CARRIER_H
#define CD_CARRIER_H

#include <stdint.h>

#include <jansson.h>

#include "domain/retry.h"

struct carrier_call {
	int64_t attempt_id;
	int attempt_number; /* 1 for the first call of a line */
	const char *from;   /* the campaign's phone number, E.164 */
	const char *to;
	const json_t *settings; /* the phone number's carrier settings */
};

enum carrier_event_kind { CARRIER_RINGING, CARRIER_ANSWERED, CARRIER_ENDED };

struct carrier_event {
	enum carrier_event_kind kind;
	int64_t attempt_id;
	int64_t at; /* ms since the epoch */
	/* For CARRIER_ENDED: */
	enum call_outcome outcome;
	int64_t answered_at; /* 0 when never answered */
	int64_t duration_ms; /* talk time */
	int64_t callback_at; /* for OUTCOME_CALLBACK_REQUESTED, else 0 */
};

/*
 * Called by a carrier, from any of its threads, for each event. Must not
 * block for long; the dispatcher only queues the event.
 */
typedef void (*carrier_report_fn)(void *ctx, const struct carrier_event *ev);

struct carrier;

struct carrier_ops {
	const char *name;
	/* Starts a call; returns 0 or a negative code (the call failed). */
	int (*place)(struct carrier *c, const struct carrier_call *call);
	/* Asks for a call placed before a restart; CD_ENOTFOUND when the
	 * carrier does not know it, else 0 with the final event in *ev. */
	int (*lookup)(struct carrier *c, int64_t attempt_id,
		      struct carrier_event *ev);
	/* Stops the carrier's threads; pending events are dropped. */
	void (*destroy)(struct carrier *c);
};

struct carrier {
	const struct carrier_ops *ops;
	carrier_report_fn report;
	void *report_ctx;
};

/*
 * Creates the simulated carrier. time_scale multiplies every simulated
 * duration (1 is real time, 0.01 a hundred times faster, 0 instant); seed
 * makes the default outcome mix reproducible. NULL when out of memory.
 *
 * A number's settings may script calls: "rules" is a list of {"prefix",
 * "outcomes": [...], "ring_seconds", "talk_seconds",
 * "callback_after_seconds"}; the longest matching prefix wins and attempt
 * n takes outcomes[n - 1] (the last one repeats).
 */
struct carrier *carrier_sim_new(double time_scale, uint64_t seed,
				carrier_report_fn report, void *ctx);

#endif
