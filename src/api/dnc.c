/*
 * Do-not-call lists: numbers the account (or one campaign) must never
 * dial. A listed number is skipped when added and again before dialling.
 */
#include "api/handler.h"
#include "core/err.h"
#include "domain/e164.h"
#include "domain/fields.h"

#define REASON_MAX 200
#define BULK_MAX   10000

struct entry {
	const char *number;
	const char *reason;
	int64_t campaign_id; /* 0 for the whole account */
};

/* A campaign_id in a body must name one of the caller's campaigns. */
static int
check_campaign(struct store_conn *c, struct api_ctx *ctx, int64_t id)
{
	struct store_campaign cp;

	if (id == 0)
		return 0;
	if (store_campaign_get(c, ctx->account_id, id, &cp) < 0)
		return api_error(ctx, 422, "unknown_campaign",
				 "campaign %lld not found", (long long)id);
	store_campaign_clear(&cp);
	return 0;
}

static json_t *
entry_view(json_t *e)
{
	json_int_t cid = json_integer_value(json_object_get(e, "campaign_id"));

	json_object_set_new(e, "campaign_id",
			    cid ? json_integer(cid) : json_null());
	json_object_set_new(
	    e, "created_at",
	    api_time(json_integer_value(json_object_get(e, "created_at"))));
	return e;
}

static int
write_add(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct entry *en = arg;
	int64_t id;
	int rc;

	if ((rc = check_campaign(c, ctx, en->campaign_id)) < 0)
		return rc;
	rc = store_dnc_add(c, ctx->account_id, en->campaign_id, en->number,
			   en->reason, ctx->now, &id);
	if (rc == CD_EEXIST)
		return api_error(ctx, 409, "already_listed",
				 "%s is already on that list", en->number);
	if (rc < 0)
		return api_store_error(ctx, rc, "entry");
	api_ok(
	    ctx, 201,
	    json_pack("{s:s, s:I, s:s, s:o, s:s, s:o}", "status", "success",
		      "id", (json_int_t)id, "number", en->number, "campaign_id",
		      en->campaign_id ? json_integer(en->campaign_id)
				      : json_null(),
		      "reason", en->reason, "created_at", api_time(ctx->now)));
	return 0;
}

void
dnc_add(struct api_ctx *ctx)
{
	struct entry *en = api_alloc(ctx, sizeof(*en));
	struct verr e;

	if (en == NULL)
		return;
	en->reason = "";
	if (fields_string(ctx->body, "number", true, 64, &en->number, &e) < 0 ||
	    e164_check(en->number, "number", &e) < 0 ||
	    fields_string(ctx->body, "reason", false, REASON_MAX, &en->reason,
			  &e) < 0 ||
	    fields_int(ctx->body, "campaign_id", false, 1, INT64_MAX,
		       &en->campaign_id, &e) < 0) {
		api_invalid(ctx, &e);
		return;
	}
	api_commit(ctx, write_add, en);
}

struct bulk {
	json_t *numbers; /* checked numbers */
	json_t *rejected;
	int64_t campaign_id;
};

static int
write_bulk(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct bulk *b = arg;
	size_t i, added = 0;
	json_t *n;
	int64_t id;
	int rc;

	if ((rc = check_campaign(c, ctx, b->campaign_id)) < 0)
		return rc;
	json_array_foreach(b->numbers, i, n)
	{
		rc = store_dnc_add(c, ctx->account_id, b->campaign_id,
				   json_string_value(n), "", ctx->now, &id);
		if (rc == CD_EEXIST)
			continue;
		if (rc < 0)
			return api_store_error(ctx, rc, "entry");
		added++;
	}
	api_ok(ctx, 200,
	       json_pack("{s:s, s:I, s:O}", "status", "success", "added",
			 (json_int_t)added, "rejected", b->rejected));
	return 0;
}

void
dnc_bulk(struct api_ctx *ctx)
{
	const json_t *list = json_object_get(ctx->body, "numbers");
	struct bulk *b;
	struct verr e;
	size_t i;
	json_t *n;

	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > BULK_MAX) {
		api_error(ctx, 422, "invalid_numbers",
			  "numbers must be a list of 1 to %d numbers",
			  BULK_MAX);
		return;
	}
	if ((b = api_alloc(ctx, sizeof(*b))) == NULL)
		return;
	if (fields_int(ctx->body, "campaign_id", false, 1, INT64_MAX,
		       &b->campaign_id, &e) < 0) {
		api_invalid(ctx, &e);
		return;
	}
	api_keep(ctx, b->numbers = json_array());
	api_keep(ctx, b->rejected = json_array());
	json_array_foreach(list, i, n)
	{
		if (json_is_string(n) &&
		    e164_check(json_string_value(n), "number", &e) == 0) {
			json_array_append(b->numbers, n);
			continue;
		}
		json_array_append_new(b->rejected,
				      json_pack("{s:I, s:s, s:s}", "index",
						(json_int_t)i, "code",
						"invalid_e164", "message",
						"not an E.164 number"));
	}
	api_commit(ctx, write_bulk, b);
}

void
dnc_list(struct api_ctx *ctx)
{
	struct store_conn *c = api_reader(ctx);
	int64_t page, size, campaign, total;
	json_t *entries, *en;
	size_t i;
	int rc;

	if (c == NULL ||
	    api_query_int(ctx, "pageno", 1, 1000000, 1, &page) < 0 ||
	    api_query_int(ctx, "pagesize", 1, 500, 50, &size) < 0 ||
	    api_query_int(ctx, "campaign_id", 0, INT64_MAX, -1, &campaign) < 0)
		return;
	rc = store_dnc_list(c, ctx->account_id, campaign, (page - 1) * size,
			    size, &entries, &total);
	if (rc < 0) {
		api_store_error(ctx, rc, "entries");
		return;
	}
	json_array_foreach(entries, i, en) entry_view(en);
	api_ok(ctx, 200,
	       json_pack("{s:s, s:o, s:I}", "status", "success", "entries",
			 entries, "total", (json_int_t)total));
}

static int
write_remove(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	int rc;

	(void)arg;
	if ((rc = store_dnc_remove(c, ctx->account_id, ctx->id)) < 0)
		return api_store_error(ctx, rc, "entry");
	api_ok(ctx, 200,
	       json_pack("{s:s, s:I}", "status", "success", "id",
			 (json_int_t)ctx->id));
	return 0;
}

void
dnc_remove(struct api_ctx *ctx)
{
	api_commit(ctx, write_remove, NULL);
}
