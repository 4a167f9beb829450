/*
 * The settle step of settle.h.
 */
#include "core/err.h"
#include "core/log.h"
#include "domain/campaign.h"
#include "dispatch/settle.h"

static void
decide(const struct store_campaign *cp, const struct store_attempt *a,
       const struct settle *in, int64_t now, struct line_fate *fate)
{
	struct retry_policy p;
	struct daily_window w;
	bool has_window = campaign_window(cp->settings, &w);

	retry_policy_read(cp->settings, &p);
	retry_decide(&p, in->outcome, a->retries, a->reschedules,
		     in->callback_at, now, has_window ? &w : NULL,
		     cp->resumed_at, fate);
	/* A cancelled campaign dials nothing more. */
	if (cp->state == CSTATE_CANCELLED && line_status_due(fate->status))
		fate->status = LINE_CANCELLED;
}

static int
move_line(struct store_conn *c, const struct store_attempt *a,
	  const struct settle *in, const struct line_fate *fate, int64_t now)
{
	struct store_line_change ch = {
	    .line_id = a->line_id,
	    .status = fate->status,
	    .due_at = fate->due_at,
	    .retries = fate->retries,
	    .reschedules = fate->reschedules,
	    .last_outcome = outcome_name(in->outcome),
	};
	int64_t id;
	int rc;

	if ((rc = store_line_set(c, &ch, now)) < 0)
		return rc;
	log_info("line=%lld attempt=%lld outcome=%s -> %s",
		 (long long)a->line_id, (long long)a->id,
		 outcome_name(in->outcome), line_status_name(fate->status));
	if (!fate->add_dnc)
		return 0;
	rc = store_dnc_add(c, a->account_id, 0, a->to_number,
			   "the contact asked not to be called", now, &id);
	return rc == CD_EEXIST ? 0 : rc;
}

int
settle_attempt(struct store_conn *c, const struct settle *in, int64_t now,
	       int64_t *campaign_id)
{
	struct store_attempt_end end = {
	    .outcome = outcome_name(in->outcome),
	    .answered_at = in->answered_at,
	    .ended_at = in->ended_at,
	    .duration_ms = in->duration_ms,
	    .callback_at = in->callback_at,
	    .summary = in->summary,
	};
	struct store_attempt a;
	struct store_campaign cp;
	struct line_fate fate;
	int rc;

	if ((rc = store_attempt_get(c, in->account_id, in->attempt_id, &a)) < 0)
		return rc;
	if (!a.open)
		return CD_ECONFLICT;
	if ((rc = store_attempt_finish(c, a.id, &end)) < 0 ||
	    (rc = store_campaign_get(c, 0, a.campaign_id, &cp)) < 0)
		return rc;
	*campaign_id = a.campaign_id;
	if (a.line_status == LINE_CALLING) {
		decide(&cp, &a, in, now, &fate);
		rc = move_line(c, &a, in, &fate, now);
	}
	store_campaign_clear(&cp);
	return rc;
}
