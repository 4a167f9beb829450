/*
 * What route handlers share: the request context, replies and errors, and
 * running a write in the store's group commit with idempotency.
 */
#ifndef CD_API_HANDLER_H
#define CD_API_HANDLER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/verr.h"
#include "domain/model.h"
#include "http/server.h"
#include "store/store.h"

struct api_ctx;
struct api_block;
struct pool;

/*
 * A write run by api_commit on the store's writer thread. It sets the
 * reply (api_ok or api_error) and returns 0 to keep its changes or a
 * negative code to undo them.
 */
typedef int (*api_write_fn)(struct store_conn *c, struct api_ctx *ctx,
			    void *arg);

/*
 * One request from routing to reply. It lives on the heap, since a
 * request that writes is parked while its commit reaches the disk.
 */
struct api_ctx {
	struct store *store;
	struct http_request *req;
	int64_t account_id;	       /* the caller, once authenticated */
	int64_t key_id;		       /* the caller's key */
	int64_t id;		       /* the object id in the path, if any */
	int64_t sub_id;		       /* a second id in the path, if any */
	struct dispatcher *dispatcher; /* told of committed changes */
	int64_t touched; /* campaign a write changed, to tell the dispatcher */
	bool lines_only; /* ...and it only gained lines */
	void (*after)(void); /* runs once a 2xx write is durable */
	json_t *body;	     /* the parsed request body, or NULL */
	const char *idem_key;
	unsigned char fingerprint[32]; /* of method, path and body */
	int64_t now;		       /* ms, when the request arrived */
	struct store_conn *reader;     /* lazily acquired; see api_reader */
	bool snapshot;		       /* reader holds one (api_snapshot) */

	char allow[32]; /* methods the path takes, for a 405 */

	int status; /* the reply: status and JSON body (owned) */
	json_t *reply;
	char retry_after[16];

	/* A reply that is a static file instead of JSON. */
	const unsigned char *file;
	size_t file_len;
	const char *file_type;

	/* A reply streamed in pieces (see struct http_response). */
	long (*stream)(void *cls, char *buf, size_t max);
	void (*stream_free)(void *cls);
	void *stream_cls;
	const char *stream_type;
	char disposition[96]; /* Content-Disposition, when not empty */

	/* The write api_commit() queued, and how it ended. */
	api_write_fn write_fn;
	void *write_arg;
	int write_rc;

	/* A write in parts (see api_commit). */
	bool more;    /* set by write_fn: run it again, in a later commit */
	bool partial; /* parts of it are committed */
	api_write_fn undo; /* takes those parts back if a later one fails */

	struct api_block *blocks; /* from api_alloc() */
	json_t *kept;		  /* from api_keep() */

	struct pool *slow; /* the slow routes' threads */
	bool heavy;	   /* a large body: freed on a slow-route thread */
};

typedef void (*api_handler_fn)(struct api_ctx *ctx);

/* Sets a success reply; takes the reference to body. */
void api_ok(struct api_ctx *ctx, int status, json_t *body);

/* Sets an error reply and returns CD_EINVAL, for `return api_error()`. */
int api_error(struct api_ctx *ctx, int status, const char *code,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets a 422 reply naming the field of a validation error. */
int api_invalid(struct api_ctx *ctx, const struct verr *e);

/*
 * Sets the reply for a store error code: not found (404, `what` names the
 * object), conflicts (409) and failures (503). Returns rc.
 */
int api_store_error(struct api_ctx *ctx, int rc, const char *what);

/* Returns a read connection for this request, or NULL (reply set). */
struct store_conn *api_reader(struct api_ctx *ctx);

/*
 * The same, for a handler that reads several things which must agree (a
 * page and its total, a line and its attempts): every read through it
 * until the request lets its reader go sees one snapshot of the store.
 */
struct store_conn *api_snapshot(struct api_ctx *ctx);

/* Ends the reader's snapshot, if any, and gives the connection back. */
void api_reader_release(struct api_ctx *ctx);

/*
 * Has fn(conn, ctx, arg) run in the next group commit once the handler
 * returns; the reply goes out when the commit is durable. A handler calls
 * it last and touches nothing after it: arg must live as long as the
 * request (from api_alloc, api_keep or the body). With an Idempotency-Key,
 * a request seen before gets its first reply again and fn does not run;
 * a 2xx reply is remembered in the same transaction as fn's changes.
 *
 * A write too big for one commit (a campaign with 100,000 contacts) is
 * done in parts, so that other requests' writes go in between: fn sets
 * ctx->more to be run again in a later commit, and sets the reply in its
 * last part. Should a part fail, ctx->undo (when fn set it) runs in a
 * commit of its own to take back the parts before. An Idempotency-Key is
 * held from the first part on: the same request sent meanwhile gets 409
 * `idempotency_key_in_use`.
 */
void api_commit(struct api_ctx *ctx, api_write_fn fn, void *arg);

/*
 * The router's side of api_commit: start() parks the request and queues
 * its write (queue() only queues it, for a request already parked); the
 * request is resumed once the write is durable, and finish() then turns
 * a failed commit into a 503 and tells the dispatcher of the change.
 */
void api_commit_start(struct api_ctx *ctx);
void api_commit_queue(struct api_ctx *ctx);
void api_commit_finish(struct api_ctx *ctx);

/*
 * Returns size zeroed bytes that live (and are wiped when freed) as long
 * as the request, or NULL with a 503 reply set.
 */
void *api_alloc(struct api_ctx *ctx, size_t size);

/* Keeps json (taking the reference) until the request ends. */
void api_keep(struct api_ctx *ctx, json_t *json);

/*
 * Makes every HTTP thread forget the API keys it keeps (see check_key),
 * after a key was revoked.
 */
void api_keys_changed(void);

/* Frees a request's context and all it holds. */
void api_ctx_free(struct api_ctx *ctx);

/* Formats ms since the epoch as an ISO 8601 UTC string (new reference). */
json_t *api_time(int64_t ms);

/* Reads a positive integer query parameter; def when absent. Returns 0 or
 * a 400 reply (CD_EINVAL). */
int api_query_int(struct api_ctx *ctx, const char *name, int64_t min,
		  int64_t max, int64_t def, int64_t *out);

struct store_campaign;

/* The campaign's status at now (see status.h). */
enum campaign_status campaign_status_of(const struct store_campaign *cp,
					int64_t now);

/* The API view of a campaign: settings, status, counts (new reference). */
json_t *campaign_view(const struct store_campaign *cp, int64_t now);

/*
 * Reads campaign id back and replies with its view; `rejected`, when not
 * NULL, is added as the list of contacts that were refused.
 */
int campaign_reply(struct store_conn *c, struct api_ctx *ctx, int64_t id,
		   int status, json_t *rejected);

/*
 * Adds one checked contact to campaign cp, as `pending` or, when the number
 * is on a do-not-call list or the call conditions refuse it, `skipped`. Sets
 * *id and, when not NULL, *status.
 */
int lines_insert(struct store_conn *c, struct api_ctx *ctx,
		 const struct store_campaign *cp, const json_t *contact,
		 int64_t *id, enum line_status *status);

/*
 * Serves a dashboard file for a GET outside /api/; paths without an
 * extension get index.html, so the dashboard's own routes load it.
 */
void web_serve(struct api_ctx *ctx);

/* Turns a stored line object into its API view (line_id, ISO times). */
json_t *lines_view(json_t *line);

/* Route handlers, one module per resource. */
void agents_create(struct api_ctx *ctx);
void agents_list(struct api_ctx *ctx);
void agents_get(struct api_ctx *ctx);
void numbers_create(struct api_ctx *ctx);
void numbers_list(struct api_ctx *ctx);
void numbers_get(struct api_ctx *ctx);
void numbers_update(struct api_ctx *ctx);
void campaigns_create(struct api_ctx *ctx);
void campaigns_list(struct api_ctx *ctx);
void campaigns_get(struct api_ctx *ctx);
void campaigns_update(struct api_ctx *ctx);
void campaigns_cancel(struct api_ctx *ctx);
void campaigns_start(struct api_ctx *ctx);
void campaigns_concurrency(struct api_ctx *ctx);
void campaigns_daily_time(struct api_ctx *ctx);
void campaigns_retry_settings(struct api_ctx *ctx);
void campaigns_reschedule_settings(struct api_ctx *ctx);
void lines_add_contact(struct api_ctx *ctx);
void lines_add_contacts(struct api_ctx *ctx);
void lines_list(struct api_ctx *ctx);
void lines_get(struct api_ctx *ctx);
void lines_export(struct api_ctx *ctx);
void campaigns_manual_retry(struct api_ctx *ctx);
void campaigns_stats(struct api_ctx *ctx);
void attempts_result(struct api_ctx *ctx);
void dnc_list(struct api_ctx *ctx);
void dnc_add(struct api_ctx *ctx);
void dnc_bulk(struct api_ctx *ctx);
void dnc_remove(struct api_ctx *ctx);
void keys_list(struct api_ctx *ctx);
void keys_create(struct api_ctx *ctx);
void keys_revoke(struct api_ctx *ctx);

#endif
