/*
 * The retry and reschedule rules of retry.h.
 */
#include <string.h>

#include "domain/retry.h"

static const char *const outcome_names[OUTCOME_COUNT] = {
    "completed",      "no_answer",   "busy",
    "failed",	      "voicemail",   "callback_requested",
    "invalid_number", "do_not_call", "unknown",
};

const char *
outcome_name(enum call_outcome o)
{
	return (unsigned)o < OUTCOME_COUNT ? outcome_names[o] : "?";
}

int
outcome_parse(const char *name)
{
	for (int i = 0; i < OUTCOME_COUNT && name != NULL; i++)
		if (strcmp(outcome_names[i], name) == 0)
			return i;
	return -1;
}

static void
read_delays(const json_t *cfg, struct retry_policy *p)
{
	const json_t *list = json_object_get(cfg, "retry_delays_seconds");
	size_t i;
	const json_t *v;

	p->ndelays = 0;
	json_array_foreach(list, i, v)
	{
		if (p->ndelays == RETRY_DELAYS_MAX)
			break;
		p->delays_ms[p->ndelays++] = json_integer_value(v) * 1000;
	}
	if (p->ndelays == 0)
		p->delays_ms[p->ndelays++] = 3600 * 1000;
}

void
retry_policy_read(const json_t *settings, struct retry_policy *p)
{
	const json_t *cfg = json_object_get(settings, "retry_config");
	const json_t *on = json_object_get(cfg, "retry_on");
	size_t i;
	const json_t *v;

	memset(p, 0, sizeof(*p));
	p->auto_retry = json_is_true(json_object_get(cfg, "auto_retry"));
	p->limit = (int)json_integer_value(json_object_get(cfg, "retry_limit"));
	read_delays(cfg, p);
	json_array_foreach(on, i, v)
	{
		int o = outcome_parse(json_string_value(v));

		if (o >= 0)
			p->retry_on |= 1u << o;
	}
	p->reschedule =
	    json_is_true(json_object_get(settings, "enabled_reschedule_call"));
	p->reschedule_limit = (int)json_integer_value(
	    json_object_get(settings, "reschedule_limit"));
}

static bool
retryable(const struct retry_policy *p, enum call_outcome o)
{
	if (o == OUTCOME_UNKNOWN)
		return true;
	return (p->retry_on & (1u << o)) != 0;
}

static void
decide_callback(const struct retry_policy *p, int64_t callback_at, int64_t now,
		const struct daily_window *w, int64_t resumed_at,
		struct line_fate *out)
{
	int64_t at;

	if (!p->reschedule || out->reschedules >= p->reschedule_limit ||
	    callback_at <= 0) {
		out->status = LINE_COMPLETED;
		return;
	}
	at = callback_at > now ? callback_at : now;
	if (w != NULL) {
		int64_t fit = window_fit(w, resumed_at, at);

		if (fit > 0)
			at = fit;
	}
	out->status = LINE_CALLBACK_SCHEDULED;
	out->due_at = at;
	out->reschedules++;
}

static void
decide_failure(const struct retry_policy *p, enum call_outcome o, int64_t now,
	       struct line_fate *out)
{
	int i;

	if (!p->auto_retry || !retryable(p, o) || out->retries >= p->limit) {
		out->status = LINE_FAILED;
		return;
	}
	i = out->retries < p->ndelays ? out->retries : p->ndelays - 1;
	out->status = LINE_RETRY_SCHEDULED;
	out->due_at = now + p->delays_ms[i];
	out->retries++;
}

void
retry_decide(const struct retry_policy *p, enum call_outcome o, int retries,
	     int reschedules, int64_t callback_at, int64_t now,
	     const struct daily_window *w, int64_t resumed_at,
	     struct line_fate *out)
{
	memset(out, 0, sizeof(*out));
	out->retries = retries;
	out->reschedules = reschedules;
	switch (o) {
	case OUTCOME_COMPLETED:
		out->status = LINE_COMPLETED;
		break;
	case OUTCOME_DO_NOT_CALL:
		out->status = LINE_COMPLETED;
		out->add_dnc = true;
		break;
	case OUTCOME_INVALID_NUMBER:
		out->status = LINE_FAILED;
		break;
	case OUTCOME_CALLBACK_REQUESTED:
		decide_callback(p, callback_at, now, w, resumed_at, out);
		break;
	default:
		decide_failure(p, o, now, out);
	}
}
