/*
 * Replies, errors and the group-commit glue shared by every route handler.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/handler.h"
#include "core/err.h"
#include "core/jsonout.h"
#include "core/log.h"
#include "dispatch/dispatch.h"

void
api_ok(struct api_ctx *ctx, int status, json_t *body)
{
	json_decref(ctx->reply);
	ctx->status = status;
	ctx->reply = body;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Makes text (which may quote a client's bytes, or be cut in the middle
 * of a character) valid UTF-8 in place: bad bytes become '?'.
 */
static void
utf8_clean(char *text)
{
	unsigned char *s = (unsigned char *)text;

	while (*s != '\0') {
		size_t n = utf8_seq(s);

		if (n == 0) {
			*s++ = '?';
			continue;
		}
		s += n;
	}
}

static json_t *
error_body(const char *code, const char *message, const char *field)
{
	json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);

	if (field != NULL && field[0] != '\0')
		json_object_set_new(err, "field", json_string(field));
	return json_pack("{s:s, s:o}", "status", "error", "error", err);
}

int
api_error(struct api_ctx *ctx, int status, const char *code, const char *fmt,
	  ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_clean(msg);
	api_ok(ctx, status, error_body(code, msg, NULL));
	return CD_EINVAL;
}

int
api_invalid(struct api_ctx *ctx, const struct verr *e)
{
	struct verr clean = *e;

	utf8_clean(clean.message);
	utf8_clean(clean.field);
	e = &clean;
	api_ok(ctx, 422, error_body(e->code, e->message, e->field));
	return CD_EINVAL;
}

int
api_store_error(struct api_ctx *ctx, int rc, const char *what)
{
	switch (rc) {
	case CD_ENOTFOUND:
		api_error(ctx, 404, "not_found", "%s not found", what);
		break;
	case CD_EEXIST:
		api_error(ctx, 409, "already_exists", "%s already exists",
			  what);
		break;
	case CD_ECONFLICT:
		api_error(ctx, 409, "conflict", "%s cannot change now", what);
		break;
	case CD_ENOMEM:
		api_error(ctx, 503, "out_of_memory", "try again later");
		break;
	default:
		api_error(ctx, 503, "store_unavailable",
			  "the store could not complete the request; "
			  "nothing was saved");
	}
	return rc;
}

struct store_conn *
api_reader(struct api_ctx *ctx)
{
	if (ctx->reader == NULL)
		ctx->reader = store_acquire(ctx->store);
	if (ctx->reader == NULL)
		api_store_error(ctx, CD_ESTORE, "");
	return ctx->reader;
}

struct store_conn *
api_snapshot(struct api_ctx *ctx)
{
	struct store_conn *c = api_reader(ctx);

	if (c == NULL || ctx->snapshot)
		return c;
	if (store_read_begin(c) < 0) {
		api_store_error(ctx, CD_ESTORE, "");
		return NULL;
	}
	ctx->snapshot = true;
	return c;
}

void
api_reader_release(struct api_ctx *ctx)
{
	if (ctx->reader == NULL)
		return;
	ctx->snapshot = false;
	store_release(ctx->store, ctx->reader); /* ends the snapshot too */
	ctx->reader = NULL;
}

json_t *
api_time(int64_t ms)
{
	char buf[64];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0)
		return json_null();
	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return json_string(buf);
}

int
api_query_int(struct api_ctx *ctx, const char *name, int64_t min, int64_t max,
	      int64_t def, int64_t *out)
{
	const char *v = http_query(ctx->req, name);
	char *end;
	long long n;

	*out = def;
	if (v == NULL || v[0] == '\0')
		return 0;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return api_error(ctx, 400, "invalid_query",
				 "%s must be a whole number from %lld to "
				 "%lld",
				 name, (long long)min, (long long)max);
	*out = n;
	return 0;
}

/* --- Memory that lives as long as the request --- */

struct api_block {
	struct api_block *next;
	size_t size;
	max_align_t data[];
};

void *
api_alloc(struct api_ctx *ctx, size_t size)
{
	struct api_block *b = calloc(1, sizeof(*b) + size);

	if (b == NULL) {
		api_store_error(ctx, CD_ENOMEM, "");
		return NULL;
	}
	b->size = size;
	b->next = ctx->blocks;
	ctx->blocks = b;
	return b->data;
}

void
api_keep(struct api_ctx *ctx, json_t *json)
{
	if (ctx->kept == NULL)
		ctx->kept = json_array();
	json_array_append_new(ctx->kept, json);
}

void
api_ctx_free(struct api_ctx *ctx)
{
	struct api_block *b, *next;

	if (ctx == NULL)
		return;
	api_reader_release(ctx);
	json_decref(ctx->body);
	json_decref(ctx->reply);
	json_decref(ctx->kept);
	/* Some blocks held secrets (a new API key): wipe them all. */
	for (b = ctx->blocks; b != NULL; b = next) {
		next = b->next;
		explicit_bzero(b->data, b->size);
		free(b);
	}
	free(ctx);
}

/* --- Writes with idempotency --- */

static int
replay(struct api_ctx *ctx, int status, char *body)
{
	json_t *j = json_loads(body, 0, NULL);

	free(body);
	if (j == NULL)
		return api_store_error(ctx, CD_ESTORE, "");
	api_ok(ctx, status, j);
	return 0;
}

static int
remember(struct store_conn *c, struct api_ctx *ctx)
{
	char *body = jsonout_dumps(ctx->reply, JSON_COMPACT);
	int rc;

	if (body == NULL)
		return CD_ENOMEM;
	rc = store_idem_put(c, ctx->account_id, ctx->idem_key, ctx->fingerprint,
			    ctx->status, body, ctx->now);
	free(body);
	return rc;
}

/* The write of a request, on the writer thread. */
static int
commit_run(struct store_conn *c, void *p)
{
	struct api_ctx *ctx = p;
	int rc, status;
	char *body;

	if (ctx->idem_key != NULL && !ctx->partial) {
		rc = store_idem_get(c, ctx->account_id, ctx->idem_key,
				    ctx->fingerprint, &status, &body);
		if (rc == 0 && status == 0) {
			free(body);
			snprintf(ctx->retry_after, sizeof(ctx->retry_after),
				 "1");
			return api_error(ctx, 409, "idempotency_key_in_use",
					 "a request with this Idempotency-Key "
					 "is still being carried out; send it "
					 "again once that one is answered");
		}
		if (rc == 0)
			return replay(ctx, status, body);
		if (rc == CD_EIDEM)
			return api_error(ctx, 422, "idempotency_key_reused",
					 "this Idempotency-Key was used for a "
					 "different request");
		if (rc != CD_ENOTFOUND)
			return api_store_error(ctx, rc, "");
	}
	rc = ctx->write_fn(c, ctx, ctx->write_arg);
	if (rc < 0)
		return rc;
	if (ctx->more) {
		if (ctx->idem_key != NULL && !ctx->partial)
			rc = store_idem_put(c, ctx->account_id, ctx->idem_key,
					    ctx->fingerprint, 0, "", ctx->now);
		ctx->partial = rc == 0;
		return rc;
	}
	if (ctx->idem_key != NULL && ctx->status / 100 == 2)
		rc = remember(c, ctx);
	return rc;
}

/* Takes back the committed parts of a write that failed part way. */
static int
undo_run(struct store_conn *c, void *p)
{
	struct api_ctx *ctx = p;
	int rc;

	rc = ctx->undo(c, ctx, ctx->write_arg);
	if (rc == 0 && ctx->idem_key != NULL)
		rc = store_idem_drop_held(c, ctx->account_id, ctx->idem_key);
	return rc;
}

static void
undo_done(void *p, int rc)
{
	struct api_ctx *ctx = p;

	if (rc < 0)
		log_error("taking back a write that failed part way failed "
			  "too (%s); the next start does it",
			  cd_strerror(rc));
	http_resume(ctx->req);
}

void
api_commit(struct api_ctx *ctx, api_write_fn fn, void *arg)
{
	ctx->write_fn = fn;
	ctx->write_arg = arg;
}

/* On the writer thread, once the write is durable (or failed). */
static void
commit_done(void *p, int rc)
{
	struct api_ctx *ctx = p;

	ctx->write_rc = rc;
	if (rc == 0 && ctx->more) {
		ctx->more = false;
		store_write_async(ctx->store, commit_run, ctx, commit_done,
				  ctx);
		return;
	}
	if (ctx->partial && ctx->undo != NULL &&
	    (rc < 0 || ctx->status / 100 != 2)) {
		ctx->partial = false;
		store_write_async(ctx->store, undo_run, ctx, undo_done, ctx);
		return;
	}
	http_resume(ctx->req);
}

void
api_commit_queue(struct api_ctx *ctx)
{
	store_write_async(ctx->store, commit_run, ctx, commit_done, ctx);
}

void
api_commit_start(struct api_ctx *ctx)
{
	http_suspend(ctx->req);
	api_commit_queue(ctx);
}

void
api_commit_finish(struct api_ctx *ctx)
{
	int rc = ctx->write_rc;

	ctx->write_fn = NULL;
	if (rc == CD_ESTORE || rc == CD_ESHUTDOWN || rc == CD_ENOMEM) {
		log_error("write failed: %s", cd_strerror(rc));
		api_store_error(ctx, rc, "");
		return;
	}
	if (ctx->status / 100 != 2)
		return;
	if (ctx->after != NULL)
		ctx->after();
	if (ctx->touched == 0)
		return;
	if (ctx->lines_only)
		dispatch_lines_added(ctx->dispatcher, ctx->touched);
	else
		dispatch_notify(ctx->dispatcher, ctx->touched);
}
