/*
 * Exporting a campaign's lines as CSV, streamed page by page so a campaign
 * of millions of lines never sits in memory whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handler.h"
#include "core/err.h"
#include "core/jsonout.h"
#include "core/log.h"

#define EXPORT_PAGE 1000

static const char header[] =
    "line_id,to_number,status,attempts,due_at,skip_reason,created_at,"
    "updated_at,custom_variables,metadata\r\n";

struct export
{
	struct store *store;
	struct store_line_query q;
	char *buf; /* formatted CSV not sent yet */
	size_t len, off, cap;
	bool done;
};

static int
append(struct export *e, const char *s, size_t n)
{
	if (e->len + n > e->cap) {
		size_t cap = (e->len + n) * 2;
		char *b = realloc(e->buf, cap);

		if (b == NULL)
			return CD_ENOMEM;
		e->buf = b;
		e->cap = cap;
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
	return 0;
}

/* One CSV field: quoted, with quotes doubled, when it needs to be. */
static int
append_field(struct export *e, const char *s, bool last)
{
	int rc = 0;

	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		rc = append(e, s, strlen(s));
	} else {
		rc = append(e, "\"", 1);
		for (const char *p = s; rc == 0 && *p != '\0'; p++)
			rc = *p == '"' ? append(e, "\"\"", 2) : append(e, p, 1);
		if (rc == 0)
			rc = append(e, "\"", 1);
	}
	if (rc == 0)
		rc = last ? append(e, "\r\n", 2) : append(e, ",", 1);
	return rc;
}

static int
append_json(struct export *e, const json_t *j, bool last)
{
	char *text = jsonout_dumps(j, JSON_COMPACT);
	int rc = append_field(e, text != NULL ? text : "", last);

	free(text);
	return rc;
}

static int
append_line(struct export *e, json_t *l)
{
	static const char *const plain[] = {
	    "line_id", "to_number",   "status",	    "attempts",
	    "due_at",  "skip_reason", "created_at", "updated_at"};
	char num[32];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(plain) / sizeof(*plain); i++) {
		json_t *v = json_object_get(l, plain[i]);
		const char *s = json_string_value(v);

		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(v));
			s = num;
		}
		rc = append_field(e, s, false);
	}
	if (rc == 0)
		rc = append_json(e, json_object_get(l, "custom_variables"),
				 false);
	if (rc == 0)
		rc = append_json(e, json_object_get(l, "metadata"), true);
	return rc;
}

/* Formats the next page of lines; sets e->done after the last one. */
static int
next_page(struct export *e)
{
	struct store_conn *c = store_acquire(e->store);
	json_t *lines, *l;
	size_t i;
	int rc;

	if (c == NULL)
		return CD_ESTORE;
	rc = store_line_list(c, &e->q, &lines);
	store_release(e->store, c);
	if (rc < 0)
		return rc;
	e->len = e->off = 0;
	json_array_foreach(lines, i, l)
	{
		lines_view(l);
		if ((rc = append_line(e, l)) < 0)
			break;
		e->q.after_id =
		    json_integer_value(json_object_get(l, "line_id"));
	}
	e->done = json_array_size(lines) < (size_t)e->q.limit;
	json_decref(lines);
	return rc;
}

static long
export_read(void *cls, char *buf, size_t max)
{
	struct export *e = cls;
	size_t n;

	if (e->off == e->len) {
		if (e->done)
			return 0;
		if (next_page(e) < 0) {
			log_error("export of campaign %lld failed",
				  (long long)e->q.campaign_id);
			return -1;
		}
		if (e->len == 0)
			return 0;
	}
	n = e->len - e->off < max ? e->len - e->off : max;
	memcpy(buf, e->buf + e->off, n);
	e->off += n;
	return (long)n;
}

static void
export_free(void *cls)
{
	struct export *e = cls;

	free(e->buf);
	free(e);
}

void
lines_export(struct api_ctx *ctx)
{
	struct store_conn *c = api_reader(ctx);
	const char *status = http_query(ctx->req, "call_status");
	struct store_campaign cp;
	struct export *e;
	int rc;

	if (c == NULL)
		return;
	if ((rc = store_campaign_get(c, ctx->account_id, ctx->id, &cp)) < 0) {
		api_store_error(ctx, rc, "campaign");
		return;
	}
	store_campaign_clear(&cp);
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    append(e, header, sizeof(header) - 1) < 0) {
		free(e);
		api_store_error(ctx, CD_ENOMEM, "");
		return;
	}
	e->store = ctx->store;
	e->q.campaign_id = ctx->id;
	e->q.status = -1;
	e->q.limit = EXPORT_PAGE;
	if (status != NULL && status[0] != '\0' &&
	    (e->q.status = line_status_parse(status)) < 0) {
		export_free(e);
		api_error(ctx, 400, "invalid_query",
			  "call_status '%s' is not a line status", status);
		return;
	}
	ctx->stream = export_read;
	ctx->stream_free = export_free;
	ctx->stream_cls = e;
	ctx->stream_type = "text/csv; charset=utf-8";
	snprintf(ctx->disposition, sizeof(ctx->disposition),
		 "attachment; filename=\"campaign-%lld-lines.csv\"",
		 (long long)ctx->id);
}
