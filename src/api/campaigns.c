/*
 * Campaigns (the API's bulk calls): create, list, show, and the user's
 * decisions while they run: pause, resume, reschedule, cancel, start, and
 * live settings.
 */
#include <string.h>

#include "api/handler.h"
#include "core/err.h"
#include "domain/campaign.h"
#include "domain/contact.h"
#include "domain/csv.h"
#include "domain/fields.h"
#include "domain/retry.h"
#include "domain/status.h"

#define LIST_PAGE_MAX 100

/*
 * Contacts written per commit when a campaign is created: a part takes
 * the writer under 10 ms, so a 100,000-row upload does not hold up the
 * webhooks of every other campaign for a second.
 */
#define CREATE_PART 1000

enum campaign_status
campaign_status_of(const struct store_campaign *cp, int64_t now)
{
	struct campaign_facts f = {
	    .type = cp->type,
	    .state = cp->state,
	    .start_at = cp->start_at,
	    .resumed_at = cp->resumed_at,
	    .next_due_at = cp->next_due_at,
	};
	struct daily_window w;

	if (campaign_window(cp->settings, &w))
		f.window = &w;
	memcpy(f.counts, cp->counts, sizeof(f.counts));
	return status_derive(&f, now);
}

static json_t *
counts_view(const struct store_campaign *cp, int64_t *total)
{
	json_t *counts = json_object();

	*total = 0;
	for (int s = 0; s < LINE_STATUS_COUNT; s++) {
		json_object_set_new(counts, line_status_name(s),
				    json_integer(cp->counts[s]));
		*total += cp->counts[s];
	}
	return counts;
}

/* When an auto-paused campaign opens again by itself, or null. */
static json_t *
resumes_at(const struct store_campaign *cp, int64_t now)
{
	struct daily_window w;
	int64_t t;

	if (!campaign_window(cp->settings, &w))
		return json_null();
	t = window_next_open(&w, cp->resumed_at, now);
	return t > now ? api_time(t) : json_null();
}

json_t *
campaign_view(const struct store_campaign *cp, int64_t now)
{
	enum campaign_status st = campaign_status_of(cp, now);
	json_t *v = json_object(), *counts;
	int64_t total;

	counts = counts_view(cp, &total);
	json_object_set_new(v, "id", json_integer(cp->id));
	json_object_set_new(v, "name", json_string(cp->name));
	json_object_set_new(v, "type",
			    json_string(campaign_type_name(cp->type)));
	json_object_set_new(v, "is_dynamic",
			    json_boolean(cp->type == CAMPAIGN_DYNAMIC));
	json_object_set_new(v, "campaign_status",
			    json_string(campaign_status_name(st)));
	json_object_set_new(v, "phone_number_id",
			    json_integer(cp->phone_number_id));
	json_object_set_new(v, "bot_id", json_integer(cp->agent_id));
	json_object_set_new(v, "concurrent_call_limit",
			    json_integer(cp->concurrent_call_limit));
	json_object_update(v, cp->settings);
	json_object_del(v, "window");
	json_object_update(v, json_object_get(cp->settings, "window"));
	json_object_set_new(v, "start_at", api_time(cp->start_at));
	json_object_set_new(v, "counts", counts);
	json_object_set_new(v, "total_lines", json_integer(total));
	json_object_set_new(v, "calls_in_flight",
			    json_integer(cp->counts[LINE_CALLING]));
	json_object_set_new(v, "next_due_at", api_time(cp->next_due_at));
	json_object_set_new(v, "resumes_at",
			    st == CSTATUS_AUTO_PAUSED ? resumes_at(cp, now)
						      : json_null());
	json_object_set_new(v, "created_at", api_time(cp->created_at));
	json_object_set_new(v, "updated_at", api_time(cp->updated_at));
	return v;
}

/* --- Create --- */

struct create {
	struct campaign_spec spec;
	json_t *contacts; /* checked rows: {to_number, custom_variables} */
	json_t *rejected; /* {index, code, message, field} */
	struct store_campaign cp; /* once inserted (cp.id set) */
	size_t written;		  /* contacts in committed parts */
};

static int
resolve_agent(struct store_conn *c, struct api_ctx *ctx,
	      struct campaign_spec *spec)
{
	json_t *num, *agent;
	int64_t attached;

	if (store_number_get(c, ctx->account_id, spec->phone_number_id, &num) <
	    0)
		return api_error(ctx, 422, "unknown_phone_number",
				 "phone number %lld not found",
				 (long long)spec->phone_number_id);
	attached = json_integer_value(json_object_get(num, "agent_id"));
	json_decref(num);
	if (spec->agent_id == 0)
		spec->agent_id = attached;
	if (spec->agent_id == 0)
		return api_error(ctx, 422, "missing_agent",
				 "give bot_id or attach an agent to the "
				 "phone number");
	if (store_agent_get(c, ctx->account_id, spec->agent_id, &agent) < 0)
		return api_error(ctx, 422, "unknown_agent",
				 "agent %lld not found",
				 (long long)spec->agent_id);
	json_decref(agent);
	return 0;
}

static int
insert_campaign(struct store_conn *c, struct api_ctx *ctx, struct create *cr)
{
	struct store_campaign *cp = &cr->cp;
	int rc;

	if ((rc = resolve_agent(c, ctx, &cr->spec)) < 0)
		return rc;
	cp->account_id = ctx->account_id;
	cp->name = (char *)cr->spec.name;
	cp->type = cr->spec.type;
	cp->state = cr->spec.draft ? CSTATE_DRAFT : CSTATE_ACTIVE;
	cp->phone_number_id = cr->spec.phone_number_id;
	cp->agent_id = cr->spec.agent_id;
	cp->start_at = cr->spec.start_at;
	cp->resumed_at = ctx->now;
	cp->concurrent_call_limit = cr->spec.concurrent_call_limit;
	cp->settings = cr->spec.settings;
	cp->created_at = cp->updated_at = ctx->now;
	cp->loading = json_array_size(cr->contacts) > CREATE_PART;
	if ((rc = store_campaign_insert(c, cp, &cp->id)) < 0)
		return api_store_error(ctx, rc, "campaign");
	return 0;
}

/*
 * Creates the campaign and its first CREATE_PART contacts, then the next
 * part in each later commit; the campaign stays hidden (loading) until
 * the commit of the last part shows it and replies.
 */
static int
write_create(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct create *cr = arg;
	size_t n = json_array_size(cr->contacts), end, i;
	int64_t id;
	int rc;

	if (cr->cp.id == 0 && (rc = insert_campaign(c, ctx, cr)) < 0)
		return rc;
	end = n - cr->written > CREATE_PART ? cr->written + CREATE_PART : n;
	for (i = cr->written; i < end; i++) {
		rc = lines_insert(c, ctx, &cr->cp,
				  json_array_get(cr->contacts, i), &id, NULL);
		if (rc < 0)
			return api_store_error(ctx, rc, "line");
	}
	cr->written = end;
	if (end < n) {
		ctx->more = true;
		return 0;
	}
	if (cr->cp.loading && (rc = store_campaign_loaded(c, cr->cp.id)) < 0)
		return api_store_error(ctx, rc, "campaign");
	ctx->touched = cr->cp.id;
	return campaign_reply(c, ctx, cr->cp.id, 201, cr->rejected);
}

/* Deletes a campaign whose creation failed after some of its parts. */
static int
undo_create(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct create *cr = arg;
	int64_t dropped = 0;

	(void)ctx;
	/* Id 0 would mean every loading campaign: there is none yet. */
	if (cr->cp.id == 0)
		return 0;
	return store_campaign_drop_loading(c, cr->cp.id, &dropped);
}

/*
 * Rejections from the contact checks name a position in `rows`; for CSV
 * text the user wants the spreadsheet row instead.
 */
static void
rows_for_indexes(const json_t *rows, json_t *bad, size_t from)
{
	for (size_t i = from; i < json_array_size(bad); i++) {
		json_t *r = json_array_get(bad, i);
		size_t k =
		    (size_t)json_integer_value(json_object_get(r, "index"));

		json_object_set(
		    r, "row", json_object_get(json_array_get(rows, k), "row"));
		json_object_del(r, "index");
	}
}

/*
 * Parses uploaded CSV text: good rows go through the same checks as a
 * contact list; bad rows are reported by their row number.
 */
static int
read_csv(struct api_ctx *ctx, const char *text, json_t *good, json_t *bad)
{
	struct csv_table *t;
	json_t *rows, *errors;
	struct verr e;
	int rc;

	memset(&e, 0, sizeof(e));
	if (csv_parse(text, strlen(text), &t, &e) < 0) {
		snprintf(e.field, sizeof(e.field), "contact_csv");
		return api_invalid(ctx, &e);
	}
	rc = csv_to_contacts(t, &rows, &errors);
	csv_free(t);
	if (rc == CD_ENOMEM)
		return api_store_error(ctx, rc, "");
	json_array_extend(bad, errors);
	if (rc < 0) {
		api_ok(ctx, 422,
		       json_pack("{s:s, s:{s:s, s:s, s:s}, s:O}", "status",
				 "error", "error", "code", "invalid_csv",
				 "message", "the CSV header is not usable",
				 "field", "contact_csv", "rejected", errors));
	} else {
		size_t from = json_array_size(bad);

		contact_check_list(rows, NULL, good, bad);
		rows_for_indexes(rows, bad, from);
	}
	json_decref(rows);
	json_decref(errors);
	return rc;
}

void
campaigns_create(struct api_ctx *ctx)
{
	struct create *cr;
	struct verr e;

	if (ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	if ((cr = api_alloc(ctx, sizeof(*cr))) == NULL)
		return;
	if (campaign_spec_parse(ctx->body, ctx->now, &cr->spec, &e) < 0) {
		api_invalid(ctx, &e);
		return;
	}
	api_keep(ctx, cr->spec.settings);
	api_keep(ctx, cr->contacts = json_array());
	api_keep(ctx, cr->rejected = json_array());
	if (cr->spec.contact_csv != NULL &&
	    read_csv(ctx, cr->spec.contact_csv, cr->contacts, cr->rejected) < 0)
		return;
	if (cr->spec.contact_list != NULL)
		contact_check_list(cr->spec.contact_list, "phone_number",
				   cr->contacts, cr->rejected);
	if (cr->spec.type == CAMPAIGN_CSV && json_array_size(cr->contacts) == 0)
		api_ok(ctx, 422,
		       json_pack("{s:s, s:{s:s, s:s}, s:O}", "status", "error",
				 "error", "code", "no_valid_contacts",
				 "message", "the campaign has no valid contact",
				 "rejected", cr->rejected));
	else {
		ctx->undo = undo_create;
		api_commit(ctx, write_create, cr);
	}
}

/* --- Show and list --- */

int
campaign_reply(struct store_conn *c, struct api_ctx *ctx, int64_t id,
	       int status, json_t *rejected)
{
	struct store_campaign cp;
	json_t *v;
	int rc;

	if ((rc = store_campaign_get(c, ctx->account_id, id, &cp)) < 0)
		return api_store_error(ctx, rc, "campaign");
	v = campaign_view(&cp, ctx->now);
	store_campaign_clear(&cp);
	json_object_set_new(v, "status", json_string("success"));
	json_object_set_new(v, "campaign_id", json_integer(id));
	if (rejected != NULL)
		json_object_set(v, "rejected", rejected);
	api_ok(ctx, status, v);
	return 0;
}

void
campaigns_get(struct api_ctx *ctx)
{
	/* Its row, line counts and next due time from one snapshot. */
	struct store_conn *c = api_snapshot(ctx);

	if (c != NULL)
		campaign_reply(c, ctx, ctx->id, 200, NULL);
}

static int
status_filter(struct api_ctx *ctx, int *status)
{
	const char *name = http_query(ctx->req, "status");

	*status = -1;
	if (name == NULL || name[0] == '\0')
		return 0;
	*status = campaign_status_parse(name);
	if (*status < 0)
		return api_error(ctx, 400, "invalid_query",
				 "status '%s' is not a campaign status", name);
	return 0;
}

/*
 * Puts in out the views of the account's campaigns (those with `status`,
 * or all when it is negative) from the first-th on, at most max of them,
 * and sets *total to how many there are in all. Without a status only the
 * page's campaigns are read.
 *
 * XXX: a status is derived from each campaign's settings, line counts and
 * the clock, so a filter reads the row of every campaign in a state that
 * can have that status (only the page's become JSON views): for scheduled,
 * auto_paused, in_progress and waiting, every active campaign of the
 * account. Fine for thousands, not for millions.
 */
static int
collect_campaigns(struct store_conn *c, struct api_ctx *ctx, int status,
		  size_t first, size_t max, json_t *out, size_t *total)
{
	json_t *ids, *idv;
	size_t i, matched = 0;
	bool in_page;
	int rc;

	rc = store_campaign_ids(c, ctx->account_id,
				status < 0 ? 0 : status_states(status), &ids);
	if (rc < 0)
		return rc;
	json_array_foreach(ids, i, idv)
	{
		struct store_campaign cp;

		if (status < 0 && (i < first || i - first >= max))
			continue;
		rc = store_campaign_get(c, ctx->account_id,
					json_integer_value(idv), &cp);
		if (rc < 0)
			break;
		if (status < 0) {
			in_page = true;
		} else if ((int)campaign_status_of(&cp, ctx->now) != status) {
			in_page = false;
		} else {
			in_page = matched >= first && matched - first < max;
			matched++;
		}
		if (in_page)
			json_array_append_new(out,
					      campaign_view(&cp, ctx->now));
		store_campaign_clear(&cp);
	}
	*total = status < 0 ? json_array_size(ids) : matched;
	json_decref(ids);
	return rc < 0 ? rc : 0;
}

void
campaigns_list(struct api_ctx *ctx)
{
	/* The page and the total agree, and the store's lock is taken once. */
	struct store_conn *c = api_snapshot(ctx);
	int64_t page, size;
	json_t *slice;
	size_t total = 0;
	int status, rc;

	if (c == NULL || status_filter(ctx, &status) < 0 ||
	    api_query_int(ctx, "pageno", 1, 1000000, 1, &page) < 0 ||
	    api_query_int(ctx, "pagesize", 1, LIST_PAGE_MAX, 20, &size) < 0)
		return;
	slice = json_array();
	rc = collect_campaigns(c, ctx, status, (size_t)((page - 1) * size),
			       (size_t)size, slice, &total);
	if (rc < 0) {
		json_decref(slice);
		api_store_error(ctx, rc, "campaigns");
		return;
	}
	api_ok(ctx, 200,
	       json_pack("{s:s, s:o, s:I, s:I, s:I}", "status", "success",
			 "campaigns", slice, "pageno", (json_int_t)page,
			 "pagesize", (json_int_t)size, "total",
			 (json_int_t)total));
}

/* --- Changes while running --- */

/*
 * A change to one campaign: checks the request against the campaign's
 * state and updates *cp; returns 0 or sets an error reply.
 */
typedef int (*change_fn)(struct store_conn *c, struct api_ctx *ctx,
			 struct store_campaign *cp);

static int
write_change(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	change_fn change = (change_fn)arg;
	struct store_campaign cp;
	json_t *settings;
	int rc;

	if ((rc = store_campaign_get(c, ctx->account_id, ctx->id, &cp)) < 0)
		return api_store_error(ctx, rc, "campaign");
	settings = json_deep_copy(cp.settings);
	json_decref(cp.settings);
	if ((cp.settings = settings) == NULL) {
		store_campaign_clear(&cp);
		return api_store_error(ctx, CD_ENOMEM, "campaign");
	}
	rc = change(c, ctx, &cp);
	if (rc == 0 && (rc = store_campaign_update(c, &cp, ctx->now)) < 0)
		api_store_error(ctx, rc, "campaign");
	if (rc == 0 && cp.state == CSTATE_CANCELLED) {
		int64_t n;

		if ((rc = store_line_cancel_open(c, cp.id, ctx->now, &n)) < 0)
			api_store_error(ctx, rc, "campaign");
	}
	store_campaign_clear(&cp);
	ctx->touched = ctx->id;
	return rc < 0 ? rc : campaign_reply(c, ctx, ctx->id, 200, NULL);
}

static void
run_change(struct api_ctx *ctx, change_fn change, bool needs_body)
{
	if (needs_body && ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	api_commit(ctx, write_change, (void *)change);
}

static int
refuse_final(struct api_ctx *ctx, const struct store_campaign *cp)
{
	enum campaign_status st = campaign_status_of(cp, ctx->now);

	if (st == CSTATUS_CANCELLED)
		return api_error(ctx, 409, "campaign_cancelled",
				 "the campaign is cancelled");
	if (st == CSTATUS_COMPLETED)
		return api_error(ctx, 409, "campaign_completed",
				 "the campaign is completed");
	return 0;
}

/* Pausing and resuming apply to running campaigns only. */
static int
refuse_not_running(struct api_ctx *ctx, const struct store_campaign *cp)
{
	if (refuse_final(ctx, cp) < 0)
		return CD_ECONFLICT;
	if (cp->state == CSTATE_DRAFT)
		return api_error(ctx, 409, "campaign_draft",
				 "a draft is not running; start it first");
	return 0;
}

static int
change_pause(struct store_conn *c, struct api_ctx *ctx,
	     struct store_campaign *cp)
{
	(void)c;
	if (refuse_not_running(ctx, cp) < 0)
		return CD_ECONFLICT;
	cp->state = CSTATE_PAUSED;
	return 0;
}

static int
change_resume(struct store_conn *c, struct api_ctx *ctx,
	      struct store_campaign *cp)
{
	(void)c;
	if (refuse_not_running(ctx, cp) < 0)
		return CD_ECONFLICT;
	cp->state = CSTATE_ACTIVE;
	cp->resumed_at = ctx->now;
	return 0;
}

static int
change_reschedule(struct store_conn *c, struct api_ctx *ctx,
		  struct store_campaign *cp)
{
	(void)c;
	struct verr e;

	if (refuse_final(ctx, cp) < 0)
		return CD_ECONFLICT;
	if (campaign_reschedule(cp->settings, ctx->body, &cp->start_at, &e) < 0)
		return api_invalid(ctx, &e);
	return 0;
}

void
campaigns_update(struct api_ctx *ctx)
{
	const char *action;
	struct verr e;

	if (ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	if (fields_string(ctx->body, "action", true, 32, &action, &e) < 0) {
		api_invalid(ctx, &e);
		return;
	}
	if (strcmp(action, "pause") == 0)
		run_change(ctx, change_pause, false);
	else if (strcmp(action, "resume") == 0)
		run_change(ctx, change_resume, false);
	else if (strcmp(action, "reschedule") == 0)
		run_change(ctx, change_reschedule, false);
	else
		api_error(ctx, 422, "invalid_action",
			  "action must be pause, resume or reschedule");
}

static int
change_cancel(struct store_conn *c, struct api_ctx *ctx,
	      struct store_campaign *cp)
{
	(void)c;
	if (campaign_status_of(cp, ctx->now) == CSTATUS_COMPLETED)
		return api_error(ctx, 409, "campaign_completed",
				 "the campaign is completed");
	cp->state = CSTATE_CANCELLED;
	return 0;
}

void
campaigns_cancel(struct api_ctx *ctx)
{
	run_change(ctx, change_cancel, false);
}

static int
change_start(struct store_conn *c, struct api_ctx *ctx,
	     struct store_campaign *cp)
{
	(void)c;
	if (cp->state != CSTATE_DRAFT)
		return api_error(ctx, 409, "campaign_not_draft",
				 "only a draft can be started");
	cp->state = CSTATE_ACTIVE;
	cp->resumed_at = ctx->now;
	return 0;
}

void
campaigns_start(struct api_ctx *ctx)
{
	run_change(ctx, change_start, false);
}

static int
change_concurrency(struct store_conn *c, struct api_ctx *ctx,
		   struct store_campaign *cp)
{
	(void)c;
	int64_t limit;
	struct verr e;

	if (refuse_final(ctx, cp) < 0)
		return CD_ECONFLICT;
	if (fields_int(ctx->body, "concurrent_call_limit", true, 1,
		       CAMPAIGN_CONCURRENCY_MAX, &limit, &e) < 0)
		return api_invalid(ctx, &e);
	cp->concurrent_call_limit = (int)limit;
	return 0;
}

void
campaigns_concurrency(struct api_ctx *ctx)
{
	run_change(ctx, change_concurrency, true);
}

static int
change_daily_time(struct store_conn *c, struct api_ctx *ctx,
		  struct store_campaign *cp)
{
	(void)c;
	struct verr e;

	if (refuse_final(ctx, cp) < 0)
		return CD_ECONFLICT;
	if (campaign_window_update(cp->settings, ctx->body, &e) < 0)
		return api_invalid(ctx, &e);
	return 0;
}

void
campaigns_daily_time(struct api_ctx *ctx)
{
	run_change(ctx, change_daily_time, true);
}

static int
change_retry(struct store_conn *c, struct api_ctx *ctx,
	     struct store_campaign *cp)
{
	const json_t *cfg = json_object_get(ctx->body, "retry_config");
	struct retry_policy p;
	json_t *norm;
	struct verr e;
	int64_t n;
	int rc;

	if (refuse_final(ctx, cp) < 0)
		return CD_ECONFLICT;
	if (campaign_retry_parse(cfg != NULL ? cfg : ctx->body, &norm, &e) < 0)
		return api_invalid(ctx, &e);
	json_object_set_new(cp->settings, "retry_config", norm);
	/* Lines waiting for a retry the new budget no longer allows fail. */
	retry_policy_read(cp->settings, &p);
	rc = store_line_expire_retries(c, cp->id, p.auto_retry ? p.limit : 0,
				       ctx->now, &n);
	return rc < 0 ? api_store_error(ctx, rc, "campaign") : 0;
}

void
campaigns_retry_settings(struct api_ctx *ctx)
{
	run_change(ctx, change_retry, true);
}

static int
change_reschedule_settings(struct store_conn *c, struct api_ctx *ctx,
			   struct store_campaign *cp)
{
	bool on;
	int64_t n;
	int rc;
	int64_t cap = json_integer_value(
	    json_object_get(cp->settings, "reschedule_limit"));
	struct verr e;

	if (refuse_final(ctx, cp) < 0)
		return CD_ECONFLICT;
	if (fields_bool(ctx->body, "enabled_reschedule_call", true, &on, &e) <
		0 ||
	    fields_int(ctx->body, "reschedule_limit", false, 0, 20, &cap, &e) <
		0)
		return api_invalid(ctx, &e);
	json_object_set_new(cp->settings, "enabled_reschedule_call",
			    json_boolean(on));
	json_object_set_new(cp->settings, "reschedule_limit",
			    json_integer(cap));
	/* With rescheduling off, booked callbacks complete the line. */
	if (!on &&
	    (rc = store_line_drop_callbacks(c, cp->id, ctx->now, &n)) < 0)
		return api_store_error(ctx, rc, "campaign");
	return 0;
}

void
campaigns_reschedule_settings(struct api_ctx *ctx)
{
	run_change(ctx, change_reschedule_settings, true);
}

static int
write_manual_retry(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct store_campaign cp;
	int64_t n;
	int rc;

	(void)arg;
	if ((rc = store_campaign_get(c, ctx->account_id, ctx->id, &cp)) < 0)
		return api_store_error(ctx, rc, "campaign");
	store_campaign_clear(&cp);
	if (cp.state == CSTATE_CANCELLED)
		return api_error(ctx, 409, "campaign_cancelled",
				 "the campaign is cancelled");
	if ((rc = store_line_requeue_failed(c, ctx->id, ctx->now, &n)) < 0)
		return api_store_error(ctx, rc, "campaign");
	ctx->touched = ctx->id;
	api_ok(ctx, 200,
	       json_pack("{s:s, s:I}", "status", "success", "requeued",
			 (json_int_t)n));
	return 0;
}

void
campaigns_manual_retry(struct api_ctx *ctx)
{
	api_commit(ctx, write_manual_retry, NULL);
}

/* Calls per hour by outcome, and the totals, over the last `hours`. */
void
campaigns_stats(struct api_ctx *ctx)
{
	struct store_conn *c = api_snapshot(ctx);
	struct store_campaign cp;
	json_t *rows, *row, *hours, *totals, *bucket = NULL;
	int64_t span, last = -1;
	size_t i;
	int rc;

	if (c == NULL || api_query_int(ctx, "hours", 1, 24 * 90, 24, &span) < 0)
		return;
	if ((rc = store_campaign_get(c, ctx->account_id, ctx->id, &cp)) < 0) {
		api_store_error(ctx, rc, "campaign");
		return;
	}
	store_campaign_clear(&cp);
	rc = store_attempt_stats(c, ctx->id, ctx->now - span * 3600000, &rows);
	if (rc < 0) {
		api_store_error(ctx, rc, "stats");
		return;
	}
	hours = json_array();
	totals = json_object();
	json_array_foreach(rows, i, row)
	{
		int64_t h = json_integer_value(json_object_get(row, "hour"));
		const char *o =
		    json_string_value(json_object_get(row, "outcome"));
		json_int_t n = json_integer_value(json_object_get(row, "n"));

		if (h != last) {
			bucket = json_object();
			json_array_append_new(
			    hours, json_pack("{s:o, s:o}", "hour", api_time(h),
					     "outcomes", bucket));
			last = h;
		}
		json_object_set_new(bucket, o, json_integer(n));
		json_object_set_new(
		    totals, o,
		    json_integer(
			json_integer_value(json_object_get(totals, o)) + n));
	}
	json_decref(rows);
	api_ok(ctx, 200,
	       json_pack("{s:s, s:o, s:o}", "status", "success", "hours", hours,
			 "outcomes", totals));
}
