/*
 * The campaign status rules of status.h.
 */
#include "domain/status.h"

int64_t
status_open_lines(const struct campaign_facts *f)
{
	int64_t n = 0;

	for (int s = 0; s < LINE_STATUS_COUNT; s++)
		if (!line_status_final((enum line_status)s))
			n += f->counts[s];
	return n;
}

static bool
window_closed(const struct campaign_facts *f, int64_t now)
{
	return f->window != NULL &&
	       !window_is_open(f->window, f->resumed_at, now);
}

enum campaign_status
status_derive(const struct campaign_facts *f, int64_t now)
{
	bool due;

	if (f->state == CSTATE_CANCELLED)
		return CSTATUS_CANCELLED;
	if (f->state == CSTATE_DRAFT)
		return CSTATUS_DRAFT;
	if (f->type == CAMPAIGN_CSV && status_open_lines(f) == 0)
		return CSTATUS_COMPLETED;
	if (f->state == CSTATE_PAUSED)
		return CSTATUS_PAUSED;
	if (now < f->start_at)
		return CSTATUS_SCHEDULED;
	if (window_closed(f, now))
		return CSTATUS_AUTO_PAUSED;
	due = f->next_due_at >= 0 && f->next_due_at <= now;
	if (f->counts[LINE_CALLING] > 0 || due)
		return CSTATUS_IN_PROGRESS;
	return f->type == CAMPAIGN_DYNAMIC ? CSTATUS_WAITING
					   : CSTATUS_IN_PROGRESS;
}

unsigned
status_states(enum campaign_status status)
{
	switch (status) {
	case CSTATUS_CANCELLED:
		return 1u << CSTATE_CANCELLED;
	case CSTATUS_DRAFT:
		return 1u << CSTATE_DRAFT;
	case CSTATUS_COMPLETED:
		return 1u << CSTATE_ACTIVE | 1u << CSTATE_PAUSED;
	case CSTATUS_PAUSED:
		return 1u << CSTATE_PAUSED;
	default:
		return 1u << CSTATE_ACTIVE;
	}
}
