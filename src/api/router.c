/*
 * The route table and the steps every API request goes through: match,
 * authenticate, parse the body, handle, reply.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/handler.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/idmap.h"
#include "core/jsonout.h"
#include "core/log.h"
#include "core/pool.h"
#include "domain/apikey.h"

#define IDEM_KEY_MAX 255

/*
 * Rate limiting per API key, as a generic cell rate algorithm: each key has
 * one atomic "theoretical arrival time" (microseconds); a request is let in
 * while that time is less than a burst ahead of now. One compare-and-swap
 * per request, no lock.
 */
struct bucket {
	_Atomic int64_t tat;
};

struct api {
	struct store *store;
	struct dispatcher *dispatcher;
	struct pool *slow;     /* runs the slow routes; NULL: run them inline */
	double rate;	       /* requests per second per key; 0 for no limit */
	pthread_rwlock_t lock; /* guards the map, not the buckets */
	struct idmap buckets;  /* key id -> struct bucket */
};

struct route {
	const char *method;
	const char *pattern; /* "{id}" matches a positive integer */
	api_handler_fn fn;
	bool slow; /* may take long (a 16 MiB CSV, a huge campaign's stats) */
};

/* Threads for the slow routes, so they never hold up an HTTP thread. */
#define SLOW_THREADS 2

#define BULK "/api/v1/calls/bulk_call"

static const struct route routes[] = {
    {"POST", "/api/v1/agents", agents_create, false},
    {"GET", "/api/v1/agents", agents_list, false},
    {"GET", "/api/v1/agents/{id}", agents_get, false},
    {"POST", "/api/v1/phone_numbers", numbers_create, false},
    {"GET", "/api/v1/phone_numbers", numbers_list, false},
    {"GET", "/api/v1/phone_numbers/{id}", numbers_get, false},
    {"PUT", "/api/v1/phone_numbers/{id}", numbers_update, false},
    {"GET", "/api/v1/keys", keys_list, false},
    {"POST", "/api/v1/keys", keys_create, false},
    {"DELETE", "/api/v1/keys/{id}", keys_revoke, false},
    {"POST", BULK "/create", campaigns_create, true},
    {"GET", BULK, campaigns_list, true},
    {"GET", BULK "/{id}", campaigns_get, false},
    {"PUT", BULK "/{id}", campaigns_update, false},
    {"DELETE", BULK "/{id}", campaigns_cancel, false},
    {"POST", BULK "/{id}/start", campaigns_start, false},
    {"PUT", BULK "/{id}/concurrency", campaigns_concurrency, false},
    {"PUT", BULK "/{id}/daily-time-control", campaigns_daily_time, false},
    {"PUT", BULK "/{id}/retry-settings", campaigns_retry_settings, false},
    {"PUT", BULK "/{id}/reschedule-settings", campaigns_reschedule_settings,
     false},
    {"POST", BULK "/{id}/add_contact", lines_add_contact, false},
    {"POST", BULK "/{id}/add_contacts", lines_add_contacts, false},
    {"GET", BULK "/{id}/lines", lines_list, true},
    {"GET", BULK "/{id}/lines/{id}", lines_get, false},
    {"GET", BULK "/{id}/lines/export", lines_export, false},
    {"GET", BULK "/{id}/stats", campaigns_stats, true},
    {"POST", BULK "/{id}/manual_retry", campaigns_manual_retry, false},
    {"POST", "/api/v1/calls/attempts/{id}/result", attempts_result, false},
    {"GET", "/api/v1/dnc", dnc_list, false},
    {"POST", "/api/v1/dnc", dnc_add, false},
    {"POST", "/api/v1/dnc/bulk", dnc_bulk, false},
    {"DELETE", "/api/v1/dnc/{id}", dnc_remove, false},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

struct api *
api_new(struct store *store, struct dispatcher *dispatcher)
{
	struct api *api = calloc(1, sizeof(*api));

	if (api != NULL) {
		api->store = store;
		api->dispatcher = dispatcher;
		api->rate = API_RATE_DEFAULT;
		pthread_rwlock_init(&api->lock, NULL);
		api->slow = pool_start(SLOW_THREADS, "api");
	}
	return api;
}

void
api_set_rate_limit(struct api *api, double per_second)
{
	api->rate = per_second > 0 ? per_second : 0;
}

void
api_free(struct api *api)
{
	if (api == NULL)
		return;
	pool_stop(api->slow);
	for (size_t i = 0; i < api->buckets.cap; i++)
		if (api->buckets.keys[i] != 0)
			free(api->buckets.vals[i]);
	idmap_free(&api->buckets);
	pthread_rwlock_destroy(&api->lock);
	free(api);
}

static struct bucket *
find_bucket(struct api *api, int64_t key_id)
{
	struct bucket *b;

	pthread_rwlock_rdlock(&api->lock);
	b = idmap_get(&api->buckets, key_id);
	pthread_rwlock_unlock(&api->lock);
	if (b != NULL)
		return b;
	pthread_rwlock_wrlock(&api->lock);
	b = idmap_get(&api->buckets, key_id);
	if (b == NULL && (b = calloc(1, sizeof(*b))) != NULL &&
	    idmap_put(&api->buckets, key_id, b) < 0) {
		free(b);
		b = NULL;
	}
	pthread_rwlock_unlock(&api->lock);
	return b;
}

/*
 * Lets one request of the key through. Returns 0, or the whole seconds to
 * wait before the key may make a request again.
 */
static int
rate_take(struct api *api, int64_t key_id, int64_t now_ms)
{
	int64_t now = now_ms * 1000, step, burst, tat, next;
	struct bucket *b;

	if (api->rate <= 0 || (b = find_bucket(api, key_id)) == NULL)
		return 0;
	step = (int64_t)(1e6 / api->rate);
	/* Up to 2 x rate requests may arrive at once. */
	burst = (int64_t)((2 * api->rate - 1) * (double)step);
	if (burst < 0)
		burst = 0;
	tat = atomic_load(&b->tat);
	do {
		int64_t start = tat > now ? tat : now;

		if (start - now > burst)
			return (int)((start - now - burst) / 1000000) + 1;
		next = start + step;
	} while (!atomic_compare_exchange_weak(&b->tat, &tat, next));
	return 0;
}

/* Matches one path segment against one pattern segment. */
static bool
match_segment(const char *seg, size_t len, const char *pat, size_t plen,
	      int64_t *id)
{
	int64_t v = 0;

	if (plen != 4 || strncmp(pat, "{id}", 4) != 0)
		return len == plen && strncmp(seg, pat, len) == 0;
	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (seg[i] < '0' || seg[i] > '9')
			return false;
		v = v * 10 + (seg[i] - '0');
	}
	*id = v;
	return v > 0;
}

/* Matches a path against a pattern, collecting up to two ids. */
static bool
match_path(const char *path, const char *pattern, int64_t ids[2])
{
	int n = 0;
	int64_t id;

	while (*path == '/' && *pattern == '/') {
		size_t len = strcspn(++path, "/");
		size_t plen = strcspn(++pattern, "/");

		id = 0;
		if (!match_segment(path, len, pattern, plen, &id))
			return false;
		if (id > 0 && n < 2)
			ids[n++] = id;
		path += len;
		pattern += plen;
	}
	return *path == '\0' && *pattern == '\0';
}

/*
 * Finds the route for the request. When the path exists under other
 * methods only, lists them in allow (", "-separated) for a 405.
 */
static const struct route *
find_route(const char *method, const char *path, int64_t ids[2], char *allow,
	   size_t allow_len)
{
	size_t used = 0;

	allow[0] = '\0';
	for (size_t i = 0; i < NROUTES; i++) {
		if (!match_path(path, routes[i].pattern, ids))
			continue;
		if (strcmp(routes[i].method, method) == 0)
			return &routes[i];
		used += (size_t)snprintf(allow + used, allow_len - used, "%s%s",
					 used ? ", " : "", routes[i].method);
		if (used >= allow_len)
			used = allow_len - 1;
	}
	return NULL;
}

/*
 * Keys each HTTP thread read lately, so that a burst of requests does not
 * read the store once each. An entry lives KEY_CACHE_MS, and every entry
 * goes stale at once when this process revokes a key (api_keys_changed);
 * a key revoked by another process (the command line) stops working
 * within KEY_CACHE_MS.
 */
#define KEY_CACHE_SLOTS 16
#define KEY_CACHE_MS	1000

struct cached_key {
	struct store_key key; /* key.prefix empty when the slot is free */
	int64_t until;	      /* monotonic ms */
	unsigned gen;
};

static _Thread_local struct cached_key key_cache[KEY_CACHE_SLOTS];
static atomic_uint key_gen;

void
api_keys_changed(void)
{
	atomic_fetch_add(&key_gen, 1);
}

static struct cached_key *
key_slot(const char *prefix)
{
	unsigned h = 2166136261u;

	for (; *prefix != '\0'; prefix++)
		h = (h ^ (unsigned char)*prefix) * 16777619u;
	return &key_cache[h % KEY_CACHE_SLOTS];
}

/* Finds a key by prefix, in this thread's cache or else in the store. */
static int
find_key(struct api_ctx *ctx, const char *prefix, struct store_key *key)
{
	struct cached_key *slot = key_slot(prefix);
	unsigned gen = atomic_load(&key_gen);
	int64_t now = clock_mono_ms();
	struct store_conn *c;
	int rc;

	if (slot->gen == gen && now < slot->until &&
	    strcmp(slot->key.prefix, prefix) == 0) {
		*key = slot->key;
		return 0;
	}
	if ((c = api_reader(ctx)) == NULL)
		return CD_ESTORE;
	if ((rc = store_key_find(c, prefix, key)) == 0) {
		slot->key = *key;
		slot->until = now + KEY_CACHE_MS;
		slot->gen = gen;
	}
	return rc;
}

/*
 * Checks an Authorization header value; sets ctx->account_id and
 * ctx->key_id, or an error reply.
 */
static int
check_key(struct api_ctx *ctx, const char *auth)
{
	char prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char hash[32];
	struct store_key key;
	int rc;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return api_error(ctx, 401, "missing_api_key",
				 "send Authorization: Bearer <API key>");
	if (apikey_parse(auth + 7, prefix, hash) < 0)
		return api_error(ctx, 401, "invalid_api_key",
				 "the API key is not valid");
	rc = find_key(ctx, prefix, &key);
	if (rc == CD_ENOTFOUND ||
	    (rc == 0 && !apikey_hash_equal(hash, key.hash)))
		return api_error(ctx, 401, "invalid_api_key",
				 "the API key is not valid");
	if (rc < 0)
		return api_store_error(ctx, rc, "");
	if (key.revoked_at != 0)
		return api_error(ctx, 401, "revoked_api_key",
				 "the API key was revoked");
	ctx->account_id = key.account_id;
	ctx->key_id = key.id;
	return 0;
}

static int
authenticate(struct api *api, struct api_ctx *ctx)
{
	int wait;

	if (check_key(ctx, http_header(ctx->req, "Authorization")) < 0)
		return CD_EINVAL;
	if ((wait = rate_take(api, ctx->key_id, ctx->now)) > 0) {
		snprintf(ctx->retry_after, sizeof(ctx->retry_after), "%d",
			 wait);
		return api_error(ctx, 429, "rate_limited",
				 "too many requests for this API key; retry "
				 "in %d s",
				 wait);
	}
	return 0;
}

static bool
json_content_type(const char *ct)
{
	size_t n = strlen("application/json");

	return ct == NULL || (strncasecmp(ct, "application/json", n) == 0 &&
			      (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '));
}

/*
 * Bodies from this size on make enough JSON values that freeing them
 * takes long (a campaign of 100,000 contacts: a quarter of a second); on
 * the HTTP thread that would hold up its other connections.
 */
#define HEAVY_BODY (256 * 1024)

static int
parse_body(struct api_ctx *ctx)
{
	size_t len;
	const char *body = http_body(ctx->req, &len);
	json_error_t jerr;

	if (len == 0)
		return 0;
	ctx->heavy = len >= HEAVY_BODY;
	if (!json_content_type(http_header(ctx->req, "Content-Type")))
		return api_error(ctx, 415, "unsupported_media_type",
				 "send the body as Content-Type: "
				 "application/json");
	ctx->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (ctx->body == NULL)
		return api_error(ctx, 400, "invalid_json",
				 "the body is not valid JSON: %s at line %d "
				 "column %d",
				 jerr.text, jerr.line, jerr.column);
	if (!json_is_object(ctx->body))
		return api_error(ctx, 400, "invalid_json",
				 "the body must be a JSON object");
	return 0;
}

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

static int
read_idempotency_key(struct api_ctx *ctx)
{
	const char *key = http_header(ctx->req, "Idempotency-Key");
	const char *method = http_method(ctx->req);
	const char *path = http_path(ctx->req);
	size_t mlen = strlen(method), plen = strlen(path), blen;
	const char *body = http_body(ctx->req, &blen);
	char *buf;

	if (key == NULL || strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0)
		return 0;
	if (key[0] == '\0' || strlen(key) > IDEM_KEY_MAX || !printable(key))
		return api_error(ctx, 400, "invalid_idempotency_key",
				 "Idempotency-Key must be 1 to %d printable "
				 "characters",
				 IDEM_KEY_MAX);
	if ((buf = malloc(mlen + plen + blen + 2)) == NULL)
		return api_store_error(ctx, CD_ENOMEM, "");
	memcpy(buf, method, mlen + 1);
	memcpy(buf + mlen + 1, path, plen + 1);
	memcpy(buf + mlen + plen + 2, body, blen);
	apikey_sha256(buf, mlen + plen + blen + 2, ctx->fingerprint);
	free(buf);
	ctx->idem_key = key;
	return 0;
}

/*
 * Finds the request's route. NULL when there is none to run: the reply is
 * set then (health, a dashboard file, 404, 405).
 */
static const struct route *
route_find(struct api_ctx *ctx)
{
	/* HEAD is GET without the body, which the server leaves out. */
	const char *method = strcmp(http_method(ctx->req), "HEAD") == 0
				 ? "GET"
				 : http_method(ctx->req);
	const char *path = http_path(ctx->req);
	const struct route *r;
	int64_t ids[2] = {0, 0};

	if (strcmp(path, "/health") == 0 && strcmp(method, "GET") == 0) {
		api_ok(ctx, 200, json_pack("{s:s}", "status", "ok"));
		return NULL;
	}
	if (strncmp(path, "/api/", 5) != 0 && strcmp(method, "GET") == 0) {
		web_serve(ctx);
		return NULL;
	}
	r = find_route(method, path, ids, ctx->allow, sizeof(ctx->allow));
	ctx->id = ids[0];
	ctx->sub_id = ids[1];
	if (r == NULL && ctx->allow[0] != '\0')
		api_error(ctx, 405, "method_not_allowed",
			  "%s is not allowed on %s", http_method(ctx->req),
			  path);
	else if (r == NULL)
		api_error(ctx, 404, "not_found", "no route for %s", path);
	return r;
}

/* Checks the key, the body and Idempotency-Key, then runs the route. */
static void
route_run(struct api *api, struct api_ctx *ctx, const struct route *r)
{
	if (authenticate(api, ctx) < 0 || parse_body(ctx) < 0 ||
	    read_idempotency_key(ctx) < 0)
		return;
	r->fn(ctx);
}

/* Headers that keep the dashboard from being framed or fed scripts. */
static void
render_file(struct api_ctx *ctx, struct http_response *res)
{
	res->status = 200;
	res->body = malloc(ctx->file_len + 1);
	if (res->body == NULL) {
		res->status = 503;
		return;
	}
	memcpy(res->body, ctx->file, ctx->file_len);
	res->body_len = ctx->file_len;
	res->content_type = ctx->file_type;
	http_add_header(res, "Content-Security-Policy",
			"default-src 'self'; frame-ancestors 'none'");
	http_add_header(res, "X-Content-Type-Options", "nosniff");
	http_add_header(res, "X-Frame-Options", "DENY");
	http_add_header(res, "Referrer-Policy", "no-referrer");
}

static void
render(struct api_ctx *ctx, struct http_response *res)
{
	if (ctx->file != NULL) {
		render_file(ctx, res);
		return;
	}
	if (ctx->stream != NULL) {
		res->status = 200;
		res->stream = ctx->stream;
		res->stream_free = ctx->stream_free;
		res->stream_cls = ctx->stream_cls;
		res->content_type = ctx->stream_type;
		if (ctx->disposition[0] != '\0')
			http_add_header(res, "Content-Disposition",
					ctx->disposition);
		return;
	}
	if (ctx->reply == NULL)
		api_error(ctx, 500, "internal_error", "no reply was produced");
	res->status = ctx->status;
	/* ", " and ": " separators, as the public API's examples show. */
	res->body = jsonout_dumps(ctx->reply, 0);
	res->body_len = res->body != NULL ? strlen(res->body) : 0;
	if (ctx->status == 405)
		http_add_header(res, "Allow", ctx->allow);
	if (ctx->retry_after[0] != '\0')
		http_add_header(res, "Retry-After", ctx->retry_after);
}

static int check_key(struct api_ctx *ctx, const char *auth);

size_t
api_body_limit(void *p, const char *method, const char *path,
	       const char *authorization)
{
	struct api *api = p;
	struct api_ctx ctx = {.store = api->store};
	size_t max = HTTP_BODY_MAX;

	if (strcmp(method, "POST") != 0 || strcmp(path, BULK "/create") != 0 ||
	    authorization == NULL)
		return max;
	if (check_key(&ctx, authorization) == 0)
		max = HTTP_UPLOAD_MAX;
	store_release(api->store, ctx.reader);
	json_decref(ctx.reply);
	return max;
}

static enum http_step
reply(struct api_ctx *ctx, struct http_response *res)
{
	render(ctx, res);
	if (ctx->status >= 500)
		log_warn("%s %s -> %d", http_method(ctx->req),
			 http_path(ctx->req), ctx->status);
	return HTTP_DONE;
}

static void
free_job(void *p)
{
	api_ctx_free(p);
}

static void
free_ctx(void *p)
{
	struct api_ctx *ctx = p;

	if (ctx->heavy && ctx->slow != NULL &&
	    pool_submit(ctx->slow, free_job, ctx) == 0)
		return;
	api_ctx_free(ctx);
}

static const char no_memory_json[] =
    "{\"status\": \"error\", \"error\": {\"code\": \"out_of_memory\", "
    "\"message\": \"try again later\"}}";

/* A slow route's request, run on the pool while its connection waits. */
struct slow_job {
	struct api *api;
	struct api_ctx *ctx;
	const struct route *route;
};

static void
run_slow(void *p)
{
	struct slow_job *job = p;
	struct api_ctx *ctx = job->ctx;

	route_run(job->api, ctx, job->route);
	api_reader_release(ctx);
	if (ctx->write_fn != NULL)
		api_commit_queue(ctx);
	else
		http_resume(ctx->req);
}

/* Parks the request and hands it to the pool (or, failing that, runs it
 * here); the reply follows its resumption. */
static void
park_slow(struct api *api, struct api_ctx *ctx, const struct route *r)
{
	struct slow_job *job = api_alloc(ctx, sizeof(*job));

	http_suspend(ctx->req);
	if (job == NULL) {
		http_resume(ctx->req);
		return;
	}
	*job = (struct slow_job){api, ctx, r};
	if (pool_submit(api->slow, run_slow, job) < 0)
		run_slow(job);
}

enum http_step
api_handle(struct http_request *req, struct http_response *res, void *p)
{
	struct api *api = p;
	struct api_ctx *ctx = http_state(req);
	const struct route *r;

	if (ctx != NULL) {
		/* Resumed: its write is durable, or its slow route ran. */
		if (ctx->write_fn != NULL)
			api_commit_finish(ctx);
		return reply(ctx, res);
	}
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		res->status = 503;
		res->body = strdup(no_memory_json);
		res->body_len = res->body != NULL ? strlen(res->body) : 0;
		return HTTP_DONE;
	}
	ctx->store = api->store;
	ctx->req = req;
	ctx->dispatcher = api->dispatcher;
	ctx->slow = api->slow;
	ctx->now = clock_now_ms();
	http_set_state(req, ctx, free_ctx);
	if ((r = route_find(ctx)) != NULL && r->slow && api->slow != NULL) {
		park_slow(api, ctx, r);
		return HTTP_LATER;
	}
	if (r != NULL)
		route_run(api, ctx, r);
	/* A parked request must not hold this thread's read connection. */
	api_reader_release(ctx);
	if (ctx->write_fn == NULL)
		return reply(ctx, res);
	api_commit_start(ctx);
	return HTTP_LATER;
}
