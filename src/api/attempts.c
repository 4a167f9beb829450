/*
 * The result endpoint the agent's runtime calls when a conversation ends:
 * its outcome, a callback time, the duration and a summary.
 */
#include <string.h>

#include "api/handler.h"
#include "core/err.h"
#include "dispatch/settle.h"
#include "domain/fields.h"
#include "domain/tz.h"

#define SUMMARY_MAX 4000

struct result {
	struct settle s;
	const char *callback_text;
};

/*
 * A callback time is ISO 8601 in UTC ("2027-01-05T15:00:00Z") or a wall
 * time "YYYY-MM-DD HH:MM:SS" in the campaign's time zone.
 */
static int
parse_callback(const char *text, const char *zone, int64_t *at)
{
	char buf[20];
	size_t n = strlen(text);

	if (n == 20 && text[10] == 'T' && text[19] == 'Z') {
		memcpy(buf, text, 19);
		buf[10] = ' ';
		buf[19] = '\0';
		return tz_local_to_utc("UTC", buf, at);
	}
	return tz_local_to_utc(zone, text, at);
}

static int
write_result(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct result *r = arg;
	struct store_attempt a;
	struct store_campaign cp;
	int64_t campaign;
	int rc;

	rc = store_attempt_get(c, ctx->account_id, ctx->id, &a);
	if (rc < 0)
		return api_store_error(ctx, rc, "attempt");
	if (r->s.answered_at != 0 && r->s.answered_at < a.started_at)
		r->s.answered_at = a.started_at;
	if (r->callback_text != NULL) {
		if ((rc = store_campaign_get(c, 0, a.campaign_id, &cp)) < 0)
			return api_store_error(ctx, rc, "campaign");
		rc = parse_callback(
		    r->callback_text,
		    json_string_value(json_object_get(cp.settings, "timezone")),
		    &r->s.callback_at);
		store_campaign_clear(&cp);
		if (rc < 0) {
			struct verr e;

			verr_set(&e, "callback_at", "invalid_datetime",
				 "callback_at must be YYYY-MM-DDTHH:MM:SSZ or "
				 "a local YYYY-MM-DD HH:MM:SS");
			return api_invalid(ctx, &e);
		}
	}
	rc = settle_attempt(c, &r->s, ctx->now, &campaign);
	if (rc == CD_ECONFLICT)
		return api_error(ctx, 409, "attempt_settled",
				 "attempt %lld already has an outcome",
				 (long long)ctx->id);
	if (rc < 0)
		return api_store_error(ctx, rc, "attempt");
	ctx->touched = campaign;
	api_ok(ctx, 200,
	       json_pack("{s:s, s:I, s:s}", "status", "success", "attempt_id",
			 (json_int_t)ctx->id, "outcome",
			 outcome_name(r->s.outcome)));
	return 0;
}

static int
read_result(struct api_ctx *ctx, struct result *r, struct verr *e)
{
	const char *outcome;
	int64_t secs = 0;
	int o;

	if (fields_string(ctx->body, "outcome", true, 32, &outcome, e) < 0)
		return CD_EINVAL;
	if ((o = outcome_parse(outcome)) < 0 || o == OUTCOME_UNKNOWN)
		return verr_set(e, "outcome", "invalid_outcome",
				"'%s' is not a call outcome", outcome);
	r->s.outcome = (enum call_outcome)o;
	if (fields_int(ctx->body, "duration_seconds", false, 0, 86400, &secs,
		       e) < 0 ||
	    fields_string(ctx->body, "summary", false, SUMMARY_MAX,
			  &r->s.summary, e) < 0 ||
	    fields_string(ctx->body, "callback_at", false, 32,
			  &r->callback_text, e) < 0)
		return CD_EINVAL;
	if (o == OUTCOME_CALLBACK_REQUESTED && r->callback_text == NULL)
		return verr_set(e, "callback_at", "missing_field",
				"callback_requested needs callback_at");
	r->s.duration_ms = secs * 1000;
	return 0;
}

void
attempts_result(struct api_ctx *ctx)
{
	struct result *r;
	struct verr e;

	if (ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	if ((r = api_alloc(ctx, sizeof(*r))) == NULL)
		return;
	if (read_result(ctx, r, &e) < 0) {
		api_invalid(ctx, &e);
		return;
	}
	r->s.attempt_id = ctx->id;
	r->s.account_id = ctx->account_id;
	r->s.ended_at = ctx->now;
	if (r->s.outcome != OUTCOME_NO_ANSWER && r->s.outcome != OUTCOME_BUSY &&
	    r->s.outcome != OUTCOME_FAILED &&
	    r->s.outcome != OUTCOME_INVALID_NUMBER)
		r->s.answered_at = ctx->now - r->s.duration_ms;
	api_commit(ctx, write_result, r);
}
