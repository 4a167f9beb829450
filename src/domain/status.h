/*
 * Campaign status derivation: the visible status is never stored, it is
 * computed from the user's decisions, the clock and the lines.
 */
#ifndef CD_STATUS_H
#define CD_STATUS_H

#include <stdint.h>

#include "domain/model.h"
#include "domain/window.h"

struct campaign_facts {
	enum campaign_type type;
	enum campaign_state state;
	int64_t start_at;		   /* ms; dialling may begin then */
	int64_t resumed_at;		   /* last start or resume by hand */
	const struct daily_window *window; /* NULL when no daily window */
	int64_t counts[LINE_STATUS_COUNT]; /* lines per status */
	int64_t next_due_at; /* earliest due time of a waiting line, or -1 */
};

/*
 * Returns the status of a campaign at `now` (ms). In order: cancelled,
 * draft, completed (csv with every line final), paused, scheduled (before
 * start_at), auto_paused (outside the daily window), in_progress (a call in
 * flight or a line due), then waiting (dynamic) or in_progress (csv whose
 * remaining lines are due later).
 */
enum campaign_status status_derive(const struct campaign_facts *f, int64_t now);

/*
 * Returns the states (a mask of 1 << enum campaign_state) a campaign with
 * `status` can be in: a filter by status need only derive the status of
 * campaigns in those states.
 */
unsigned status_states(enum campaign_status status);

/* Returns the number of lines not yet in a final status. */
int64_t status_open_lines(const struct campaign_facts *f);

#endif
