/*
 * The dispatcher: a thread inside `campaignd serve` that turns due lines
 * into calls, within each campaign's state, schedule, window, concurrency
 * limit and pacing, and settles calls as carriers report them.
 */
#ifndef CD_DISPATCH_H
#define CD_DISPATCH_H

#include <stdint.h>

#include "store/store.h"

struct dispatcher;

struct dispatch_config {
	double sim_time_scale; /* see carrier_sim_new */
	uint64_t sim_seed;
};

/*
 * Settles the calls a previous run left in flight, then starts the thread.
 * Returns 0 and sets *out, or a negative code (logged).
 */
int dispatch_start(struct store *s, const struct dispatch_config *cfg,
		   struct dispatcher **out);

/* Stops placing calls and joins the thread; calls in flight are left to
 * be settled by the next start. */
void dispatch_stop(struct dispatcher *d);

/*
 * Tells the dispatcher that a campaign changed: lines added, state or
 * settings updated, an attempt settled. Cheap; any thread; NULL d is a
 * no-op.
 */
void dispatch_notify(struct dispatcher *d, int64_t campaign_id);

/*
 * Tells the dispatcher that lines were added to a campaign and nothing
 * else changed: it wakes only if the campaign could dial now, and reloads
 * the campaign at its next pass otherwise.
 */
void dispatch_lines_added(struct dispatcher *d, int64_t campaign_id);

#endif
