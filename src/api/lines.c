/*
 * Lines: contacts added to a campaign one by one through the webhook, in
 * batches, or from a create request's contact list, and their listing.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api/handler.h"
#include "core/err.h"
#include "core/log.h"
#include "domain/conditions.h"
#include "domain/contact.h"
#include "domain/cursor.h"
#include "domain/e164.h"
#include "domain/fields.h"

#define BATCH_MAX      1000
#define LINES_PAGE     50
#define LINES_PAGE_MAX 150
#define SEARCH_MAX     16

/* --- Adding lines --- */

static char *
skip_reason(const json_t *conditions, int failed)
{
	char *what = conditions_describe(json_array_get(conditions, failed));
	char *reason = NULL;

	if (asprintf(&reason, "call_conditions[%d]: %s", failed,
		     what != NULL ? what : "?") < 0)
		reason = NULL;
	free(what);
	return reason;
}

int
lines_insert(struct store_conn *c, struct api_ctx *ctx,
	     const struct store_campaign *cp, const json_t *contact,
	     int64_t *id, enum line_status *status)
{
	const json_t *conds = json_object_get(cp->settings, "call_conditions");
	struct store_line l = {
	    .campaign_id = cp->id,
	    .account_id = cp->account_id,
	    .to_number =
		json_string_value(json_object_get(contact, "to_number")),
	    .custom_variables = json_object_get(contact, "custom_variables"),
	    .metadata = json_object_get(contact, "metadata"),
	    .status = LINE_PENDING,
	    .due_at = ctx->now,
	};
	char *reason = NULL;
	bool listed = false;
	int failed = -1, rc;

	rc = store_dnc_listed(c, cp->account_id, cp->id, l.to_number, &listed);
	if (rc < 0)
		return rc;
	if (listed) {
		l.status = LINE_SKIPPED;
		l.skip_reason = "dnc";
	} else if (json_array_size(conds) > 0 &&
		   conditions_eval(conds, l.to_number, l.custom_variables,
				   l.metadata, &failed) == 0) {
		l.status = LINE_SKIPPED;
		l.skip_reason = reason = skip_reason(conds, failed);
	}
	rc = store_line_insert(c, &l, ctx->now, id);
	free(reason);
	if (status != NULL)
		*status = l.status;
	return rc;
}

static int
open_for_contacts(struct api_ctx *ctx, const struct store_campaign *cp)
{
	if (cp->type != CAMPAIGN_DYNAMIC)
		return api_error(ctx, 409, "campaign_not_dynamic",
				 "contacts are added through the webhook "
				 "only to dynamic campaigns");
	if (cp->state == CSTATE_CANCELLED)
		return api_error(ctx, 409, "campaign_cancelled",
				 "the campaign is cancelled and takes no new "
				 "contacts");
	return 0;
}

/* Accounts for a line just added without reading the campaign again. */
static void
count_new_line(struct store_campaign *cp, enum line_status st, int64_t now)
{
	cp->counts[st]++;
	if (st == LINE_PENDING &&
	    (cp->next_due_at < 0 || now < cp->next_due_at))
		cp->next_due_at = now;
}

static int
write_add_contact(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct store_campaign cp;
	enum line_status st;
	json_t *reply;
	int64_t id;
	int rc;

	/*
	 * A line due now makes the campaign's status what its state and
	 * hours say, whatever its counts: read those only for a line that
	 * was skipped.
	 */
	if ((rc = store_campaign_head(c, ctx->account_id, ctx->id, &cp)) < 0)
		return api_store_error(ctx, rc, "campaign");
	if ((rc = open_for_contacts(ctx, &cp)) < 0 ||
	    (rc = lines_insert(c, ctx, &cp, arg, &id, &st)) < 0) {
		if (rc != CD_EINVAL)
			api_store_error(ctx, rc, "line");
		store_campaign_clear(&cp);
		return rc;
	}
	if (st != LINE_PENDING) {
		store_campaign_clear(&cp);
		rc = store_campaign_get(c, ctx->account_id, ctx->id, &cp);
		if (rc < 0)
			return api_store_error(ctx, rc, "campaign");
	} else
		count_new_line(&cp, st, ctx->now);
	ctx->touched = cp.id;
	ctx->lines_only = true;
	reply =
	    json_pack("{s:s, s:s, s:I}", "status", "success", "campaign_status",
		      campaign_status_name(campaign_status_of(&cp, ctx->now)),
		      "line_id", (json_int_t)id);
	if (st != LINE_PENDING)
		json_object_set_new(reply, "line_status",
				    json_string(line_status_name(st)));
	store_campaign_clear(&cp);
	api_ok(ctx, 200, reply);
	return 0;
}

void
lines_add_contact(struct api_ctx *ctx)
{
	json_t *contact;
	struct verr e;

	if (ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	if (contact_check(ctx->body, NULL, &contact, &e) < 0) {
		api_invalid(ctx, &e);
		return;
	}
	api_keep(ctx, contact);
	api_commit(ctx, write_add_contact, contact);
}

struct batch {
	json_t *good;
	json_t *bad;
};

static int
write_add_contacts(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct batch *b = arg;
	struct store_campaign cp;
	json_t *added = json_array(), *row;
	enum line_status st;
	size_t i;
	int64_t id;
	int rc;

	if ((rc = store_campaign_get(c, ctx->account_id, ctx->id, &cp)) < 0) {
		json_decref(added);
		return api_store_error(ctx, rc, "campaign");
	}
	if ((rc = open_for_contacts(ctx, &cp)) < 0)
		goto out;
	json_array_foreach(b->good, i, row)
	{
		if ((rc = lines_insert(c, ctx, &cp, row, &id, &st)) < 0) {
			api_store_error(ctx, rc, "line");
			goto out;
		}
		count_new_line(&cp, st, ctx->now);
		json_array_append_new(
		    added, json_pack("{s:O, s:I, s:s}", "index",
				     json_object_get(row, "index"), "line_id",
				     (json_int_t)id, "line_status",
				     line_status_name(st)));
	}
	ctx->touched = cp.id;
	ctx->lines_only = true;
	api_ok(
	    ctx, 200,
	    json_pack("{s:s, s:s, s:O, s:O}", "status", "success",
		      "campaign_status",
		      campaign_status_name(campaign_status_of(&cp, ctx->now)),
		      "added", added, "rejected", b->bad));
out:
	json_decref(added);
	store_campaign_clear(&cp);
	return rc;
}

void
lines_add_contacts(struct api_ctx *ctx)
{
	const json_t *list = json_object_get(ctx->body, "contacts");
	struct batch *b;

	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > BATCH_MAX) {
		api_error(ctx, 422, "invalid_contacts",
			  "contacts must be a list of 1 to %d contacts",
			  BATCH_MAX);
		return;
	}
	if ((b = api_alloc(ctx, sizeof(*b))) == NULL)
		return;
	api_keep(ctx, b->good = json_array());
	api_keep(ctx, b->bad = json_array());
	contact_check_list(list, NULL, b->good, b->bad);
	api_commit(ctx, write_add_contacts, b);
}

/* --- Listing --- */

json_t *
lines_view(json_t *l)
{
	static const char *const times[] = {"due_at", "created_at",
					    "updated_at"};
	json_t *id = json_object_get(l, "id");

	json_object_set(l, "line_id", id);
	json_object_del(l, "id");
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		json_t *t = json_object_get(l, times[i]);

		json_object_set_new(l, times[i],
				    api_time(json_integer_value(t)));
	}
	return l;
}

static bool
valid_search(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= SEARCH_MAX && strspn(s, "+0123456789") == n;
}

/*
 * The number search, with '+' restored: a query string turns an unescaped
 * '+' into a space, and numbers never hold spaces.
 */
static const char *
search_text(struct api_ctx *ctx, char *buf, size_t len)
{
	const char *s = http_query(ctx->req, "search");
	size_t i;

	if (s == NULL || strlen(s) >= len)
		return s;
	for (i = 0; s[i] != '\0'; i++)
		buf[i] = s[i] == ' ' ? '+' : s[i];
	buf[i] = '\0';
	return buf;
}

static int
read_line_query(struct api_ctx *ctx, struct store_line_query *q, char *buf,
		size_t len)
{
	const char *status = http_query(ctx->req, "call_status");
	const char *cursor = http_query(ctx->req, "cursor");
	int64_t size;

	q->campaign_id = ctx->id;
	q->status = -1;
	q->search = search_text(ctx, buf, len);
	q->after_id = 0;
	if (api_query_int(ctx, "pagesize", 1, LINES_PAGE_MAX, LINES_PAGE,
			  &size) < 0)
		return CD_EINVAL;
	q->limit = (int)size;
	if (status != NULL && status[0] != '\0' &&
	    (q->status = line_status_parse(status)) < 0)
		return api_error(ctx, 400, "invalid_query",
				 "call_status '%s' is not a line status",
				 status);
	if (q->search != NULL && q->search[0] == '\0')
		q->search = NULL;
	if (q->search != NULL && !valid_search(q->search))
		return api_error(ctx, 400, "invalid_query",
				 "search takes up to %d digits (and '+')",
				 SEARCH_MAX);
	if (cursor != NULL && cursor[0] != '\0' &&
	    cursor_decode(cursor, &q->after_id) < 0)
		return api_error(ctx, 400, "invalid_cursor",
				 "cursor is not one this server gave out");
	return 0;
}

static json_t *
next_cursor(json_t *lines, int limit)
{
	char buf[CURSOR_LEN + 1];
	json_t *last;

	if ((int)json_array_size(lines) < limit)
		return json_null();
	last = json_array_get(lines, json_array_size(lines) - 1);
	cursor_encode(json_integer_value(json_object_get(last, "line_id")),
		      buf);
	return json_string(buf);
}

static int
page_reply(struct store_conn *c, struct api_ctx *ctx,
	   const struct store_line_query *q, json_t *lines)
{
	const char *want_total = http_query(ctx->req, "include_total");
	json_t *reply, *l;
	size_t i;
	int64_t total;
	int rc;

	json_array_foreach(lines, i, l) lines_view(l);
	reply = json_pack("{s:s, s:o, s:o}", "status", "success", "lines",
			  lines, "next_cursor", next_cursor(lines, q->limit));
	if (want_total != NULL && strcmp(want_total, "true") == 0) {
		if ((rc = store_line_count(c, q, &total)) < 0) {
			json_decref(reply);
			return api_store_error(ctx, rc, "lines");
		}
		json_object_set_new(reply, "total", json_integer(total));
	}
	api_ok(ctx, 200, reply);
	return 0;
}

void
lines_list(struct api_ctx *ctx)
{
	struct store_conn *c = api_snapshot(ctx); /* the page and its total */
	struct store_line_query q;
	struct store_campaign cp;
	char search[SEARCH_MAX + 2];
	json_t *lines;
	int rc;

	if (c == NULL || read_line_query(ctx, &q, search, sizeof(search)) < 0)
		return;
	if ((rc = store_campaign_get(c, ctx->account_id, ctx->id, &cp)) < 0) {
		api_store_error(ctx, rc, "campaign");
		return;
	}
	store_campaign_clear(&cp);
	if ((rc = store_line_list(c, &q, &lines)) < 0) {
		api_store_error(ctx, rc, "lines");
		return;
	}
	page_reply(c, ctx, &q, lines);
}

static json_t *
attempt_view(json_t *a)
{
	static const char *const times[] = {"started_at", "answered_at",
					    "ended_at", "callback_at"};
	json_t *ms = json_object_get(a, "duration_ms");

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		json_object_set_new(
		    a, times[i],
		    api_time(json_integer_value(json_object_get(a, times[i]))));
	json_object_set_new(
	    a, "duration_seconds",
	    json_is_integer(ms)
		? json_real((double)json_integer_value(ms) / 1000.0)
		: json_null());
	return a;
}

/* One line with every attempt made for it. */
void
lines_get(struct api_ctx *ctx)
{
	struct store_conn *c = api_snapshot(ctx); /* the line and its calls */
	json_t *line, *attempts, *a;
	size_t i;
	int rc;

	if (c == NULL)
		return;
	rc = store_line_get(c, ctx->account_id, ctx->id, ctx->sub_id, &line);
	if (rc == 0 && (rc = store_attempt_list(c, ctx->sub_id, &attempts)) < 0)
		json_decref(line);
	if (rc < 0) {
		api_store_error(ctx, rc, "line");
		return;
	}
	json_array_foreach(attempts, i, a) attempt_view(a);
	lines_view(line);
	json_object_set_new(line, "attempt_list", attempts);
	api_ok(ctx, 200,
	       json_pack("{s:s, s:o}", "status", "success", "line", line));
}
