/*
 * The store service: picks the backend, lends connections to readers and
 * runs every write on one thread, many writes to a commit (group commit).
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/lock.h"
#include "core/log.h"
#include "core/clock.h"
#include "store/store_backend.h"

/* Upper bound on writes sharing one commit, to bound a batch's latency. */
#define BATCH_MAX 1024

/* Commits slower than this are logged: the disk is struggling. */
#define SLOW_COMMIT_MS 100

/*
 * A queued write. When it is done, the writer calls done(done_arg, rc);
 * a waiting caller's done posts a semaphore, a caller that went on frees
 * the request there.
 */
struct write_req {
	store_write_fn fn;
	void *arg;
	int rc;
	store_done_fn done;
	void *done_arg;
	struct write_req *next;
};

struct store {
	const struct store_backend *be;
	char *target;
	int schema_version;

	pthread_mutex_t pool_lock;
	struct store_conn *idle;

	pthread_mutex_t lock;
	pthread_cond_t work;
	struct write_req *head;
	struct write_req **tailp;
	bool stopping;
	pthread_t writer;
	struct store_conn *wconn;

	/*
	 * Batches committed but not yet durable, oldest first, for the syncer
	 * thread (backends with a sync hook).
	 */
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_work;
	struct write_req *unsynced;
	struct write_req **unsynced_tail;
	bool sync_stopping;
	bool syncing;
	pthread_t syncer;

	pthread_t upkeeper;
	bool upkeeping;
	int64_t idem_ttl;  /* under lock: ms; 0 keeps Idempotency-Key replies */
	int64_t idem_next; /* the upkeep thread's: when to expire next */
	struct store_conn *uconn;
	pthread_cond_t upkeep_stop;
};

static const struct store_backend *
backend_for(const char *url, const char **target)
{
	if (strncmp(url, "sqlite:", 7) == 0) {
		*target = url + 7;
		return &store_sqlite_backend;
	}
	*target = url;
	return &store_sqlite_backend;
}

static struct write_req *
take_batch(struct store *s)
{
	struct write_req *batch;

	pthread_mutex_lock(&s->lock);
	while (s->head == NULL && !s->stopping)
		pthread_cond_wait(&s->work, &s->lock);
	batch = s->head;
	s->head = NULL;
	s->tailp = &s->head;
	pthread_mutex_unlock(&s->lock);
	return batch;
}

static void
run_one(struct store *s, struct write_req *r)
{
	const struct store_backend *be = s->be;

	if (be->savepoint(s->wconn) < 0) {
		r->rc = CD_ESTORE;
		return;
	}
	r->rc = r->fn(s->wconn, r->arg);
	if (r->rc < 0)
		be->rollback_to(s->wconn);
	else if (be->release(s->wconn) < 0)
		r->rc = CD_ESTORE;
}

/* Tells each write of a batch how it ended, once the batch is durable. */
static void
finish_batch(struct write_req *batch, int commit_rc)
{
	struct write_req *r, *next;

	for (r = batch; r != NULL; r = next) {
		next = r->next;
		if (commit_rc < 0)
			r->rc = CD_ESTORE;
		r->done(r->done_arg, r->rc);
	}
}

/*
 * Runs one batch: a transaction, a savepoint per write, one commit. Writes
 * beyond BATCH_MAX go back to the front of the queue for the next round.
 */
static void
run_batch(struct store *s, struct write_req *batch)
{
	struct write_req *r, *last = NULL, *rest;
	int64_t t0;
	int n = 0, rc;

	for (r = batch; r != NULL && n < BATCH_MAX; r = r->next, n++)
		last = r;
	if (last == NULL)
		return;
	rest = last->next;
	last->next = NULL;
	if (rest != NULL) {
		pthread_mutex_lock(&s->lock);
		for (r = rest; r->next != NULL; r = r->next)
			;
		r->next = s->head;
		if (s->head == NULL)
			s->tailp = &r->next;
		s->head = rest;
		pthread_mutex_unlock(&s->lock);
	}
	rc = s->be->begin(s->wconn);
	for (r = batch; r != NULL && rc == 0; r = r->next)
		run_one(s, r);
	t0 = clock_mono_ms();
	if (rc == 0)
		rc = s->be->commit(s->wconn);
	if (clock_mono_ms() - t0 > SLOW_COMMIT_MS)
		log_warn("store: a commit of %d writes took %lld ms", n,
			 (long long)(clock_mono_ms() - t0));
	if (rc < 0) {
		log_error("store: commit of %d writes failed", n);
		s->be->rollback(s->wconn);
	}
	if (rc < 0 || !s->syncing) {
		finish_batch(batch, rc);
		return;
	}
	/* Answered once synced; the writer goes on with the next batch. */
	pthread_mutex_lock(&s->sync_lock);
	*s->unsynced_tail = batch;
	s->unsynced_tail = &last->next;
	pthread_cond_signal(&s->sync_work);
	pthread_mutex_unlock(&s->sync_lock);
}

/*
 * Makes committed batches durable, as many at a time as have piled up
 * during the previous sync, then tells their writes.
 */
static void *
syncer_main(void *arg)
{
	struct store *s = arg;
	struct write_req *batch;
	int64_t t0;
	int rc;

	log_set_context("syncer");
	for (;;) {
		pthread_mutex_lock(&s->sync_lock);
		while (s->unsynced == NULL && !s->sync_stopping)
			pthread_cond_wait(&s->sync_work, &s->sync_lock);
		batch = s->unsynced;
		s->unsynced = NULL;
		s->unsynced_tail = &s->unsynced;
		pthread_mutex_unlock(&s->sync_lock);
		if (batch == NULL)
			return NULL;
		t0 = clock_mono_ms();
		rc = s->be->sync(s->wconn);
		if (clock_mono_ms() - t0 > SLOW_COMMIT_MS)
			log_warn("store: a sync took %lld ms",
				 (long long)(clock_mono_ms() - t0));
		finish_batch(batch, rc);
	}
}

static int
start_syncer(struct store *s)
{
	pthread_mutex_init(&s->sync_lock, NULL);
	pthread_cond_init(&s->sync_work, NULL);
	s->unsynced_tail = &s->unsynced;
	if (s->be->sync == NULL)
		return 0;
	if (pthread_create(&s->syncer, NULL, syncer_main, s) != 0)
		return CD_ESTORE;
	s->syncing = true;
	return 0;
}

static void
stop_syncer(struct store *s)
{
	if (s->syncing) {
		pthread_mutex_lock(&s->sync_lock);
		s->sync_stopping = true;
		pthread_cond_signal(&s->sync_work);
		pthread_mutex_unlock(&s->sync_lock);
		pthread_join(s->syncer, NULL);
	}
	pthread_mutex_destroy(&s->sync_lock);
	pthread_cond_destroy(&s->sync_work);
}

static void *
writer_main(void *arg)
{
	struct store *s = arg;
	struct write_req *batch;

	log_set_context("writer");
	while ((batch = take_batch(s)) != NULL)
		run_batch(s, batch);
	return NULL;
}

void
store_set_idem_ttl(struct store *s, int64_t ms)
{
	pthread_mutex_lock(&s->lock);
	s->idem_ttl = ms;
	pthread_mutex_unlock(&s->lock);
}

/*
 * Responses deleted per write, and writes per pass: expiry never holds
 * the writer long, nor the upkeep thread away from its checkpoints (a
 * store with millions of old replies is emptied over several passes).
 */
#define IDEM_EXPIRE_BATCH  1000
#define IDEM_EXPIRE_WRITES 100

struct expiry {
	int64_t before;
	int64_t deleted;
};

static int
write_expire(struct store_conn *c, void *arg)
{
	struct expiry *e = arg;

	return store_idem_expire(c, e->before, IDEM_EXPIRE_BATCH, &e->deleted);
}

/*
 * Forgets Idempotency-Key responses older than ttl (ms): once a minute,
 * or once per ttl when that is shorter, and at the next upkeep again
 * while a pass leaves some behind.
 */
static void
expire_idem(struct store *s, int64_t ttl)
{
	struct expiry e = {.before = clock_now_ms() - ttl};
	int64_t now = clock_mono_ms(), total = 0;
	int writes = 0;

	if (ttl <= 0 || now < s->idem_next)
		return;
	s->idem_next = now + (ttl < 60000 ? ttl : 60000);
	do {
		e.deleted = 0;
		if (store_write(s, write_expire, &e) < 0)
			break;
		total += e.deleted;
	} while (e.deleted == IDEM_EXPIRE_BATCH &&
		 ++writes < IDEM_EXPIRE_WRITES);
	if (e.deleted == IDEM_EXPIRE_BATCH)
		s->idem_next = now;
	if (total > 0)
		log_info(
		    "store: forgot %lld Idempotency-Key replies older than "
		    "%lld s",
		    (long long)total, (long long)(ttl / 1000));
}

static void *
upkeep_main(void *arg)
{
	struct store *s = arg;
	struct timespec ts;
	int64_t ttl;

	log_set_context("upkeep");
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		clock_deadline(&ts, STORE_UPKEEP_MS);
		pthread_cond_timedwait(&s->upkeep_stop, &s->lock, &ts);
		if (s->stopping)
			break;
		ttl = s->idem_ttl;
		pthread_mutex_unlock(&s->lock);
		if (s->be->upkeep != NULL)
			s->be->upkeep(s->uconn);
		expire_idem(s, ttl);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Starts the upkeep thread: the backend's own upkeep, and expiry. */
static void
start_upkeep(struct store *s)
{
	if (s->be->upkeep != NULL && s->be->connect(s->target, &s->uconn) < 0)
		return;
	pthread_cond_init(&s->upkeep_stop, NULL);
	if (pthread_create(&s->upkeeper, NULL, upkeep_main, s) == 0) {
		s->upkeeping = true;
		return;
	}
	pthread_cond_destroy(&s->upkeep_stop);
	if (s->uconn != NULL)
		s->be->disconnect(s->uconn);
}

/* Queues r for the writer, or returns CD_ESHUTDOWN while closing. */
static int
enqueue(struct store *s, struct write_req *r)
{
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		return CD_ESHUTDOWN;
	}
	*s->tailp = r;
	s->tailp = &r->next;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/*
 * A waiting caller sleeps on a semaphore of its own, rather than on one
 * condition variable, so that a batch's callers do not pile up on a lock
 * when they wake.
 */
struct waiter {
	sem_t sem;
	int rc;
};

static void
wake_waiter(void *arg, int rc)
{
	struct waiter *w = arg;

	w->rc = rc;
	sem_post(&w->sem);
}

int
store_write(struct store *s, store_write_fn fn, void *arg)
{
	struct waiter w = {.rc = 0};
	struct write_req r = {
	    .fn = fn, .arg = arg, .done = wake_waiter, .done_arg = &w};
	int rc;

	sem_init(&w.sem, 0, 0);
	/* r and w live on this stack until the writer posts w.sem. */
	if ((rc = enqueue(s, &r)) == 0) {
		while (sem_wait(&w.sem) != 0)
			;
		rc = w.rc;
	}
	sem_destroy(&w.sem);
	return rc;
}

struct async {
	struct write_req r;
	store_done_fn done;
	void *done_arg;
};

static void
finish_async(void *arg, int rc)
{
	struct async *a = arg;
	store_done_fn done = a->done;
	void *done_arg = a->done_arg;

	free(a);
	done(done_arg, rc);
}

void
store_write_async(struct store *s, store_write_fn fn, void *arg,
		  store_done_fn done, void *done_arg)
{
	struct async *a = malloc(sizeof(*a));
	int rc;

	if (a == NULL) {
		done(done_arg, CD_ENOMEM);
		return;
	}
	*a = (struct async){
	    .r = {.fn = fn, .arg = arg}, .done = done, .done_arg = done_arg};
	a->r.done = finish_async;
	a->r.done_arg = a;
	if ((rc = enqueue(s, &a->r)) < 0) {
		free(a);
		done(done_arg, rc);
	}
}

static int
open_writer(struct store *s)
{
	int rc;

	rc = s->be->connect(s->target, &s->wconn);
	if (rc == 0)
		rc = s->be->migrate(s->wconn);
	if (rc == 0 && s->be->sync != NULL)
		rc = s->be->sync(s->wconn);
	if (rc == 0)
		s->schema_version = s->be->schema_version(s->wconn);
	return rc;
}

int
store_open(const char *url, struct store **out)
{
	struct store *s;
	const char *target;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return CD_ENOMEM;
	s->be = backend_for(url, &target);
	s->target = strdup(target);
	s->tailp = &s->head;
	s->idem_ttl = STORE_IDEM_TTL_MS;
	lock_init_hot(&s->pool_lock);
	lock_init_hot(&s->lock);
	pthread_cond_init(&s->work, NULL);
	if (s->target == NULL || open_writer(s) < 0 || start_syncer(s) < 0)
		goto fail;
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		stop_syncer(s);
		goto fail;
	}
	start_upkeep(s);
	*out = s;
	return 0;
fail:
	if (s->wconn != NULL)
		s->be->disconnect(s->wconn);
	free(s->target);
	free(s);
	return CD_ESTORE;
}

static void drop_held(struct store *s);

void
store_close(struct store *s)
{
	struct store_conn *c;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->work);
	if (s->upkeeping)
		pthread_cond_signal(&s->upkeep_stop);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer, NULL);
	stop_syncer(s);
	if (s->upkeeping) {
		pthread_join(s->upkeeper, NULL);
		pthread_cond_destroy(&s->upkeep_stop);
		if (s->uconn != NULL)
			s->be->disconnect(s->uconn);
	}
	s->be->disconnect(s->wconn);
	drop_held(s);
	while ((c = s->idle) != NULL) {
		s->idle = c->next_idle;
		s->be->disconnect(c);
	}
	pthread_mutex_destroy(&s->pool_lock);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	free(s->target);
	free(s);
}

int
store_schema_version(struct store *s)
{
	return s->schema_version;
}

/*
 * Each thread keeps the read connection it used last, so a request costs
 * no trip to the shared pool; it goes back to the pool when the thread
 * exits.
 */
struct held {
	struct store *s;
	struct store_conn *c;
};

static pthread_key_t held_key;
static pthread_once_t held_once = PTHREAD_ONCE_INIT;

static void
pool_push(struct store *s, struct store_conn *c)
{
	pthread_mutex_lock(&s->pool_lock);
	c->next_idle = s->idle;
	s->idle = c;
	pthread_mutex_unlock(&s->pool_lock);
}

static void
held_free(void *p)
{
	struct held *h = p;

	if (h->c != NULL)
		pool_push(h->s, h->c);
	free(h);
}

static void
held_key_make(void)
{
	pthread_key_create(&held_key, held_free);
}

static struct held *
held_get(void)
{
	struct held *h;

	pthread_once(&held_once, held_key_make);
	h = pthread_getspecific(held_key);
	if (h == NULL && (h = calloc(1, sizeof(*h))) != NULL &&
	    pthread_setspecific(held_key, h) != 0) {
		free(h);
		h = NULL;
	}
	return h;
}

struct store_conn *
store_acquire(struct store *s)
{
	struct held *h = held_get();
	struct store_conn *c = NULL;

	if (h != NULL && h->s == s && h->c != NULL) {
		c = h->c;
		h->c = NULL;
		return c;
	}
	pthread_mutex_lock(&s->pool_lock);
	c = s->idle;
	if (c != NULL)
		s->idle = c->next_idle;
	pthread_mutex_unlock(&s->pool_lock);
	if (c == NULL && s->be->connect(s->target, &c) < 0)
		return NULL;
	return c;
}

void
store_release(struct store *s, struct store_conn *c)
{
	struct held *h;

	if (c == NULL)
		return;
	/* Kept or pooled, a connection must not pin an old snapshot. */
	store_read_end(c);
	h = held_get();
	if (h != NULL && h->c == NULL) {
		h->s = s;
		h->c = c;
		return;
	}
	pool_push(s, c);
}

/* Closes the calling thread's kept connection to s, if it has one. */
static void
drop_held(struct store *s)
{
	struct held *h = held_get();

	if (h != NULL && h->s == s && h->c != NULL) {
		s->be->disconnect(h->c);
		h->c = NULL;
	}
}

/* The rest forwards each call to the connection's backend. */

void
store_campaign_clear(struct store_campaign *cp)
{
	free(cp->name);
	json_decref(cp->settings);
	cp->name = NULL;
	cp->settings = NULL;
}

int
store_account_ensure(struct store_conn *c, const char *name, int64_t now,
		     int64_t *id)
{
	return c->be->account_ensure(c, name, now, id);
}

int
store_account_find(struct store_conn *c, const char *name, int64_t *id)
{
	return c->be->account_find(c, name, id);
}

int
store_account_count(struct store_conn *c, int64_t *n)
{
	return c->be->account_count(c, n);
}

int
store_key_insert(struct store_conn *c, const struct store_key *k, int64_t now,
		 int64_t *id)
{
	return c->be->key_insert(c, k, now, id);
}

int
store_key_find(struct store_conn *c, const char *prefix, struct store_key *out)
{
	return c->be->key_find(c, prefix, out);
}

int
store_key_list(struct store_conn *c, int64_t account_id, json_t **out)
{
	return c->be->key_list(c, account_id, out);
}

int
store_key_revoke(struct store_conn *c, int64_t account_id, const char *prefix,
		 int64_t now)
{
	return c->be->key_revoke(c, account_id, prefix, now);
}

int
store_agent_insert(struct store_conn *c, const struct store_agent *a,
		   int64_t now, int64_t *id)
{
	return c->be->agent_insert(c, a, now, id);
}

int
store_agent_get(struct store_conn *c, int64_t account_id, int64_t id,
		json_t **out)
{
	return c->be->agent_get(c, account_id, id, out);
}

int
store_agent_list(struct store_conn *c, int64_t account_id, int64_t offset,
		 int64_t limit, json_t **out)
{
	return c->be->agent_list(c, account_id, offset, limit, out);
}

int
store_number_insert(struct store_conn *c, const struct store_number *n,
		    int64_t now, int64_t *id)
{
	return c->be->number_insert(c, n, now, id);
}

int
store_number_get(struct store_conn *c, int64_t account_id, int64_t id,
		 json_t **out)
{
	return c->be->number_get(c, account_id, id, out);
}

int
store_number_list(struct store_conn *c, int64_t account_id, int64_t offset,
		  int64_t limit, json_t **out)
{
	return c->be->number_list(c, account_id, offset, limit, out);
}

int
store_number_set_agent(struct store_conn *c, int64_t account_id, int64_t id,
		       int64_t agent_id)
{
	return c->be->number_set_agent(c, account_id, id, agent_id);
}

int
store_campaign_insert(struct store_conn *c, const struct store_campaign *cp,
		      int64_t *id)
{
	return c->be->campaign_insert(c, cp, id);
}

int
store_campaign_loaded(struct store_conn *c, int64_t id)
{
	return c->be->campaign_loaded(c, id);
}

int
store_campaign_drop_loading(struct store_conn *c, int64_t id, int64_t *dropped)
{
	return c->be->campaign_drop_loading(c, id, dropped);
}

int
store_campaign_head(struct store_conn *c, int64_t account_id, int64_t id,
		    struct store_campaign *out)
{
	return c->be->campaign_head(c, account_id, id, out);
}

int
store_campaign_get(struct store_conn *c, int64_t account_id, int64_t id,
		   struct store_campaign *out)
{
	return c->be->campaign_get(c, account_id, id, out);
}

int
store_read_begin(struct store_conn *c)
{
	return c->be->read_begin != NULL ? c->be->read_begin(c) : 0;
}

void
store_read_end(struct store_conn *c)
{
	if (c->be->read_end != NULL)
		c->be->read_end(c);
}

int
store_campaign_ids(struct store_conn *c, int64_t account_id, unsigned states,
		   json_t **ids)
{
	return c->be->campaign_ids(c, account_id, states, ids);
}

int
store_campaign_update(struct store_conn *c, const struct store_campaign *cp,
		      int64_t now)
{
	return c->be->campaign_update(c, cp, now);
}

int
store_line_insert(struct store_conn *c, const struct store_line *l, int64_t now,
		  int64_t *id)
{
	return c->be->line_insert(c, l, now, id);
}

int
store_line_list(struct store_conn *c, const struct store_line_query *q,
		json_t **out)
{
	return c->be->line_list(c, q, out);
}

int
store_line_count(struct store_conn *c, const struct store_line_query *q,
		 int64_t *n)
{
	return c->be->line_count(c, q, n);
}

int
store_line_cancel_open(struct store_conn *c, int64_t campaign_id, int64_t now,
		       int64_t *n)
{
	return c->be->line_cancel_open(c, campaign_id, now, n);
}

int
store_campaign_live_ids(struct store_conn *c, json_t **ids)
{
	return c->be->campaign_live_ids(c, ids);
}

int
store_line_due(struct store_conn *c, int64_t campaign_id, int64_t now,
	       int limit, json_t **out)
{
	return c->be->line_due(c, campaign_id, now, limit, out);
}

int
store_line_set(struct store_conn *c, const struct store_line_change *ch,
	       int64_t now)
{
	return c->be->line_set(c, ch, now);
}

int
store_attempt_begin(struct store_conn *c, const struct store_attempt_new *a,
		    int64_t now, int64_t *id, int *number)
{
	return c->be->attempt_begin(c, a, now, id, number);
}

int
store_attempt_get(struct store_conn *c, int64_t account_id, int64_t id,
		  struct store_attempt *out)
{
	return c->be->attempt_get(c, account_id, id, out);
}

int
store_attempt_finish(struct store_conn *c, int64_t id,
		     const struct store_attempt_end *e)
{
	return c->be->attempt_finish(c, id, e);
}

int
store_attempts_open(struct store_conn *c, json_t **ids)
{
	return c->be->attempts_open(c, ids);
}

int
store_line_get(struct store_conn *c, int64_t account_id, int64_t campaign_id,
	       int64_t line_id, json_t **out)
{
	return c->be->line_get(c, account_id, campaign_id, line_id, out);
}

int
store_attempt_list(struct store_conn *c, int64_t line_id, json_t **out)
{
	return c->be->attempt_list(c, line_id, out);
}

int
store_attempt_stats(struct store_conn *c, int64_t campaign_id, int64_t since,
		    json_t **out)
{
	return c->be->attempt_stats(c, campaign_id, since, out);
}

int
store_line_requeue_failed(struct store_conn *c, int64_t campaign_id,
			  int64_t now, int64_t *n)
{
	return c->be->line_requeue_failed(c, campaign_id, now, n);
}

int
store_line_expire_retries(struct store_conn *c, int64_t campaign_id,
			  int max_retries, int64_t now, int64_t *n)
{
	return c->be->line_expire_retries(c, campaign_id, max_retries, now, n);
}

int
store_line_drop_callbacks(struct store_conn *c, int64_t campaign_id,
			  int64_t now, int64_t *n)
{
	return c->be->line_drop_callbacks(c, campaign_id, now, n);
}

int
store_dnc_add(struct store_conn *c, int64_t account_id, int64_t campaign_id,
	      const char *number, const char *reason, int64_t now, int64_t *id)
{
	return c->be->dnc_add(c, account_id, campaign_id, number, reason, now,
			      id);
}

int
store_dnc_remove(struct store_conn *c, int64_t account_id, int64_t id)
{
	return c->be->dnc_remove(c, account_id, id);
}

int
store_dnc_list(struct store_conn *c, int64_t account_id, int64_t campaign_id,
	       int64_t offset, int64_t limit, json_t **out, int64_t *total)
{
	return c->be->dnc_list(c, account_id, campaign_id, offset, limit, out,
			       total);
}

int
store_dnc_listed(struct store_conn *c, int64_t account_id, int64_t campaign_id,
		 const char *number, bool *listed)
{
	return c->be->dnc_listed(c, account_id, campaign_id, number, listed);
}

int
store_idem_get(struct store_conn *c, int64_t account_id, const char *key,
	       const unsigned char fp[32], int *status, char **body)
{
	return c->be->idem_get(c, account_id, key, fp, status, body);
}

int
store_idem_put(struct store_conn *c, int64_t account_id, const char *key,
	       const unsigned char fp[32], int status, const char *body,
	       int64_t now)
{
	return c->be->idem_put(c, account_id, key, fp, status, body, now);
}

int
store_idem_drop_held(struct store_conn *c, int64_t account_id, const char *key)
{
	return c->be->idem_drop_held(c, account_id, key);
}

int
store_idem_expire(struct store_conn *c, int64_t before, int limit,
		  int64_t *deleted)
{
	return c->be->idem_expire(c, before, limit, deleted);
}
