/*
 * The dispatcher loop. Campaign facts live in memory and are reloaded
 * when notified; due lines are claimed in batches, in one store write, and
 * are durable as `calling` with an attempt row before any call is placed.
 *
 * A call is live from its placing until the carrier reports its end. The
 * agent's report can settle an attempt (and move its line on) while the
 * call is still live; such a line is not dialled again, and the call still
 * counts toward the campaign's concurrency limit, until the carrier hangs
 * up.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carrier/carrier.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/idmap.h"
#include "core/log.h"
#include "dispatch/dispatch.h"
#include "dispatch/settle.h"
#include "domain/campaign.h"
#include "domain/status.h"
#include "domain/template.h"

#define CLAIM_BATCH  64	  /* lines per campaign per pass */
#define IDLE_WAKE_MS 1000 /* re-derive statuses at least this often */

/* What the dispatcher knows of one campaign. */
struct dcampaign {
	int64_t id;
	int64_t account_id;
	bool dirty;    /* reload before use */
	bool queued;   /* on the dirty list */
	bool dialling; /* under lock: could dial when last reloaded */
	bool tracked;  /* in the dispatcher thread's `all` */
	struct dcampaign *next_dirty;

	/* The dispatcher thread's own: */
	int live;  /* calls the carrier has not reported ended */
	bool held; /* due lines wait only for their live calls to end */

	struct campaign_facts facts;
	struct daily_window window;
	int limit;
	enum campaign_status last_status;
	bool known_status;

	/* For placing calls: */
	char from[24];
	json_t *number_settings;
	char *welcome;
	double cps; /* calls per second; 0 for no pacing */
	double tokens;
	int64_t tokens_at;
};

struct dispatcher {
	struct store *store;
	struct carrier *sim;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;

	/* Under lock: */
	struct idmap campaigns; /* id -> struct dcampaign */
	struct dcampaign *dirty;
	bool urgent; /* a change that may need a call placed */
	struct carrier_event *events;
	size_t nevents, capevents;

	/* The dispatcher thread's own: */
	struct dcampaign **all;
	size_t nall, capall, rr;
	struct idmap live_by_attempt; /* attempt id -> struct live_call */
	struct idmap live_by_line;    /* line id -> struct live_call */
};

/* A call placed and not yet reported ended by the carrier. */
struct live_call {
	int64_t attempt_id;
	int64_t line_id;
	struct dcampaign *dc;
};

/* A call claimed in the store, to be placed once the claim is durable. */
struct claimed {
	struct dcampaign *dc;
	int64_t line_id;
	int64_t attempt_id;
	int attempt_number;
	char to[24];
};

struct claim_pass {
	struct dispatcher *d;
	struct dcampaign **runnable;
	size_t n;
	int64_t now;
	struct claimed *calls;
	size_t ncalls, capcalls;
};

/* --- Notifications and carrier reports --- */

static struct dcampaign *
lookup_locked(struct dispatcher *d, int64_t id)
{
	struct dcampaign *dc = idmap_get(&d->campaigns, id);

	if (dc != NULL)
		return dc;
	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		return NULL;
	dc->id = id;
	dc->dirty = true;
	dc->facts.next_due_at = -1;
	if (idmap_put(&d->campaigns, id, dc) < 0) {
		free(dc);
		return NULL;
	}
	return dc;
}

static void
mark_dirty_locked(struct dispatcher *d, int64_t id)
{
	struct dcampaign *dc = lookup_locked(d, id);

	if (dc == NULL) {
		log_error("dispatch: out of memory tracking campaign %lld",
			  (long long)id);
		return;
	}
	dc->dirty = true;
	if (!dc->queued) {
		dc->queued = true;
		dc->next_dirty = d->dirty;
		d->dirty = dc;
	}
}

void
dispatch_notify(struct dispatcher *d, int64_t campaign_id)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	mark_dirty_locked(d, campaign_id);
	d->urgent = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

/*
 * Lines added to a campaign that cannot dial now (paused, cancelled,
 * scheduled, outside its hours) change nothing until it can: the campaign
 * is reloaded at the next pass, without waking the dispatcher once per
 * contact of a webhook burst.
 */
void
dispatch_lines_added(struct dispatcher *d, int64_t campaign_id)
{
	struct dcampaign *dc;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	dc = idmap_get(&d->campaigns, campaign_id);
	mark_dirty_locked(d, campaign_id);
	if (dc == NULL || dc->dialling) {
		d->urgent = true;
		pthread_cond_signal(&d->wake);
	}
	pthread_mutex_unlock(&d->lock);
}

static void
on_carrier_event(void *ctx, const struct carrier_event *ev)
{
	struct dispatcher *d = ctx;

	if (ev->kind != CARRIER_ENDED) {
		log_debug("attempt=%lld %s", (long long)ev->attempt_id,
			  ev->kind == CARRIER_RINGING ? "ringing" : "answered");
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (d->nevents == d->capevents) {
		size_t cap = d->capevents ? d->capevents * 2 : 256;
		struct carrier_event *e = realloc(d->events, cap * sizeof(*e));

		if (e == NULL) {
			pthread_mutex_unlock(&d->lock);
			log_error(
			    "attempt=%lld: report dropped (out of memory); "
			    "it settles as unknown on restart",
			    (long long)ev->attempt_id);
			return;
		}
		d->events = e;
		d->capevents = cap;
	}
	d->events[d->nevents++] = *ev;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

/* --- Live calls --- */

static int
live_add(struct dispatcher *d, const struct claimed *cl)
{
	struct live_call *lc = malloc(sizeof(*lc));

	if (lc == NULL)
		return CD_ENOMEM;
	lc->attempt_id = cl->attempt_id;
	lc->line_id = cl->line_id;
	lc->dc = cl->dc;
	if (idmap_put(&d->live_by_attempt, lc->attempt_id, lc) < 0) {
		free(lc);
		return CD_ENOMEM;
	}
	if (idmap_put(&d->live_by_line, lc->line_id, lc) < 0) {
		idmap_del(&d->live_by_attempt, lc->attempt_id);
		free(lc);
		return CD_ENOMEM;
	}
	lc->dc->live++;
	return 0;
}

/* The carrier ended a call: returns its campaign, or 0 if it was not live. */
static int64_t
live_end(struct dispatcher *d, int64_t attempt_id)
{
	struct live_call *lc = idmap_del(&d->live_by_attempt, attempt_id);
	int64_t campaign_id;

	if (lc == NULL)
		return 0;
	idmap_del(&d->live_by_line, lc->line_id);
	lc->dc->live--;
	campaign_id = lc->dc->id;
	free(lc);
	return campaign_id;
}

/* Calls that hold a place under the campaign's concurrency limit. */
static int
in_flight(const struct dcampaign *dc, int64_t calling)
{
	return calling > dc->live ? (int)calling : dc->live;
}

/* --- Settling --- */

struct settle_batch {
	const struct carrier_event *events;
	size_t n;
	int64_t *campaigns; /* out: campaign of each settled event, or 0 */
};

static void
settle_from_event(const struct carrier_event *ev, struct settle *s)
{
	memset(s, 0, sizeof(*s));
	s->attempt_id = ev->attempt_id;
	s->outcome = ev->outcome;
	s->answered_at = ev->answered_at;
	s->ended_at = ev->at;
	s->duration_ms = ev->duration_ms;
	s->callback_at = ev->callback_at;
}

static int
write_settle(struct store_conn *c, void *arg)
{
	struct settle_batch *b = arg;
	int64_t now = clock_now_ms();
	struct settle s;
	int rc;

	for (size_t i = 0; i < b->n; i++) {
		b->campaigns[i] = 0;
		settle_from_event(&b->events[i], &s);
		rc = settle_attempt(c, &s, now, &b->campaigns[i]);
		if (rc == CD_ECONFLICT || rc == CD_ENOTFOUND)
			continue; /* settled already, by the agent's report */
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void
settle_events(struct dispatcher *d, struct carrier_event *events, size_t n)
{
	struct settle_batch b = {events, n, calloc(n, sizeof(int64_t))};
	int rc;

	if (b.campaigns == NULL)
		return;
	rc = store_write(d->store, write_settle, &b);
	if (rc < 0)
		log_error("dispatch: settling %zu calls failed (%s); they "
			  "settle as unknown on restart",
			  n, cd_strerror(rc));
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < n; i++) {
		int64_t live_campaign = live_end(d, events[i].attempt_id);

		if (b.campaigns[i] != 0)
			mark_dirty_locked(d, b.campaigns[i]);
		if (live_campaign != 0)
			mark_dirty_locked(d, live_campaign);
	}
	pthread_mutex_unlock(&d->lock);
	free(b.campaigns);
}

/* Settles what a previous run left in flight, before any new dial. */
struct orphans {
	struct carrier *carrier;
	json_t *ids;
	size_t settled;
};

static int
write_orphans(struct store_conn *c, void *arg)
{
	struct orphans *o = arg;
	int64_t now = clock_now_ms(), campaign;
	struct carrier_event ev;
	struct settle s;
	size_t i;
	json_t *id;
	int rc;

	json_array_foreach(o->ids, i, id)
	{
		memset(&ev, 0, sizeof(ev));
		ev.attempt_id = json_integer_value(id);
		if (o->carrier->ops->lookup(o->carrier, ev.attempt_id, &ev) <
		    0) {
			ev.outcome = OUTCOME_UNKNOWN;
			ev.at = now;
		}
		settle_from_event(&ev, &s);
		rc = settle_attempt(c, &s, now, &campaign);
		if (rc < 0 && rc != CD_ECONFLICT)
			return rc;
		o->settled++;
	}
	return 0;
}

static int
settle_orphans(struct dispatcher *d)
{
	struct orphans o = {.carrier = d->sim};
	struct store_conn *c = store_acquire(d->store);
	int rc;

	if (c == NULL)
		return CD_ESTORE;
	rc = store_attempts_open(c, &o.ids);
	store_release(d->store, c);
	if (rc < 0)
		return rc;
	if (json_array_size(o.ids) > 0)
		rc = store_write(d->store, write_orphans, &o);
	if (rc == 0 && o.settled > 0)
		log_info("dispatch: settled %zu calls left in flight by the "
			 "previous run",
			 o.settled);
	json_decref(o.ids);
	return rc;
}

/* --- Loading campaigns --- */

static void
load_number(struct store_conn *c, struct dcampaign *dc,
	    const struct store_campaign *cp)
{
	json_t *num = NULL, *agent = NULL;

	json_decref(dc->number_settings);
	dc->number_settings = NULL;
	free(dc->welcome);
	dc->welcome = NULL;
	if (store_number_get(c, cp->account_id, cp->phone_number_id, &num) ==
	    0) {
		snprintf(dc->from, sizeof(dc->from), "%s",
			 json_string_value(json_object_get(num, "number")));
		dc->number_settings =
		    json_incref(json_object_get(num, "settings"));
		dc->cps = json_number_value(
		    json_object_get(dc->number_settings, "calls_per_second"));
	}
	if (store_agent_get(c, cp->account_id, cp->agent_id, &agent) == 0)
		dc->welcome = strdup(json_string_value(
		    json_object_get(agent, "welcome_message")));
	json_decref(num);
	json_decref(agent);
}

static void
load_facts(struct dcampaign *dc, const struct store_campaign *cp)
{
	struct campaign_facts *f = &dc->facts;

	dc->account_id = cp->account_id;
	f->type = cp->type;
	f->state = cp->state;
	f->start_at = cp->start_at;
	f->resumed_at = cp->resumed_at;
	f->next_due_at = cp->next_due_at;
	memcpy(f->counts, cp->counts, sizeof(f->counts));
	f->window =
	    campaign_window(cp->settings, &dc->window) ? &dc->window : NULL;
	dc->limit = cp->concurrent_call_limit;
}

static int
track(struct dispatcher *d, struct dcampaign *dc)
{
	if (dc->tracked)
		return 0;
	if (d->nall == d->capall) {
		size_t cap = d->capall ? d->capall * 2 : 64;
		struct dcampaign **a = realloc(d->all, cap * sizeof(*a));

		if (a == NULL)
			return CD_ENOMEM;
		d->all = a;
		d->capall = cap;
	}
	d->all[d->nall++] = dc;
	dc->tracked = true;
	return 0;
}

/*
 * Forgets a campaign, unless a notification came in since it was last
 * loaded. Anything that could need it again (new lines, a retry of failed
 * lines, a settled call) notifies the dispatcher, which loads it afresh.
 */
static bool
forget(struct dispatcher *d, struct dcampaign *dc)
{
	if (dc->live > 0)
		return false; /* a call's end will need it */
	pthread_mutex_lock(&d->lock);
	if (dc->queued) {
		pthread_mutex_unlock(&d->lock);
		return false;
	}
	idmap_del(&d->campaigns, dc->id);
	pthread_mutex_unlock(&d->lock);
	if (dc->tracked)
		for (size_t i = 0; i < d->nall; i++)
			if (d->all[i] == dc) {
				d->all[i] = d->all[--d->nall];
				break;
			}
	json_decref(dc->number_settings);
	free(dc->welcome);
	free(dc);
	return true;
}

static void
reload(struct dispatcher *d, struct store_conn *c, struct dcampaign *dc)
{
	struct store_campaign cp;
	bool first = dc->welcome == NULL && dc->number_settings == NULL;
	int rc;

	if ((rc = store_campaign_get(c, 0, dc->id, &cp)) < 0) {
		if (rc == CD_ENOTFOUND)
			forget(d, dc);
		return;
	}
	load_facts(dc, &cp);
	if (first)
		load_number(c, dc, &cp);
	store_campaign_clear(&cp);
	if (track(d, dc) < 0)
		log_error("dispatch: out of memory tracking campaigns");
}

static void
reload_dirty(struct dispatcher *d)
{
	struct dcampaign *list, *dc, *next;
	struct store_conn *c;

	pthread_mutex_lock(&d->lock);
	list = d->dirty;
	d->dirty = NULL;
	d->urgent = false;
	for (dc = list; dc != NULL; dc = dc->next_dirty) {
		dc->queued = false;
		dc->dirty = false;
	}
	pthread_mutex_unlock(&d->lock);
	if (list == NULL || (c = store_acquire(d->store)) == NULL)
		return;
	for (dc = list; dc != NULL; dc = next) {
		next = dc->next_dirty;
		reload(d, c, dc);
	}
	store_release(d->store, c);
}

static int
load_all(struct dispatcher *d)
{
	struct store_conn *c = store_acquire(d->store);
	json_t *ids, *id;
	size_t i;
	int rc;

	if (c == NULL)
		return CD_ESTORE;
	rc = store_campaign_live_ids(c, &ids);
	store_release(d->store, c);
	if (rc < 0)
		return rc;
	json_array_foreach(ids, i, id)
	    dispatch_notify(d, json_integer_value(id));
	json_decref(ids);
	return 0;
}

/* --- Claiming and placing --- */

static bool
dialling_allowed(const struct dcampaign *dc, int64_t now)
{
	const struct campaign_facts *f = &dc->facts;

	return f->state == CSTATE_ACTIVE && now >= f->start_at &&
	       (f->window == NULL ||
		window_is_open(f->window, f->resumed_at, now));
}

/* How many calls pacing allows now, refilling the token bucket. */
static int
paced(struct dcampaign *dc, int64_t now, int want)
{
	if (dc->cps <= 0)
		return want;
	dc->tokens += (double)(now - dc->tokens_at) * dc->cps / 1000.0;
	if (dc->tokens > dc->cps)
		dc->tokens = dc->cps;
	dc->tokens_at = now;
	return (int)dc->tokens < want ? (int)dc->tokens : want;
}

static bool
runnable(struct dcampaign *dc, int64_t now)
{
	const struct campaign_facts *f = &dc->facts;

	return dialling_allowed(dc, now) && f->next_due_at >= 0 &&
	       f->next_due_at <= now &&
	       in_flight(dc, f->counts[LINE_CALLING]) < dc->limit;
}

static int
add_call(struct claim_pass *p, struct dcampaign *dc,
	 const struct store_attempt_new *a, int64_t attempt_id, int number,
	 const char *to)
{
	struct claimed *cl;

	if (p->ncalls == p->capcalls) {
		size_t cap = p->capcalls ? p->capcalls * 2 : 64;

		if ((cl = realloc(p->calls, cap * sizeof(*cl))) == NULL)
			return CD_ENOMEM;
		p->calls = cl;
		p->capcalls = cap;
	}
	cl = &p->calls[p->ncalls++];
	cl->dc = dc;
	cl->line_id = a->line_id;
	cl->attempt_id = attempt_id;
	cl->attempt_number = number;
	snprintf(cl->to, sizeof(cl->to), "%s", to);
	return 0;
}

static int
skip_dnc(struct store_conn *c, const json_t *line, int64_t now)
{
	struct store_line_change ch = {
	    .line_id = json_integer_value(json_object_get(line, "line_id")),
	    .status = LINE_SKIPPED,
	    .retries =
		(int)json_integer_value(json_object_get(line, "retries")),
	    .reschedules =
		(int)json_integer_value(json_object_get(line, "reschedules")),
	    .skip_reason = "dnc",
	};

	log_info("line=%lld skipped: on a do-not-call list",
		 (long long)ch.line_id);
	return store_line_set(c, &ch, now);
}

/*
 * A line due again at a time it was already dialled for would be called
 * twice for one due time: that never happens; the line fails instead, and
 * the pass goes on for the other lines.
 */
static int
fail_redial(struct store_conn *c, const json_t *line, int64_t now)
{
	struct store_line_change ch = {
	    .line_id = json_integer_value(json_object_get(line, "line_id")),
	    .status = LINE_FAILED,
	    .retries =
		(int)json_integer_value(json_object_get(line, "retries")),
	    .reschedules =
		(int)json_integer_value(json_object_get(line, "reschedules")),
	    .skip_reason = "already dialled for this due time",
	};

	log_error("line=%lld was due again at a time it was dialled for; "
		  "failed instead of calling twice",
		  (long long)ch.line_id);
	return store_line_set(c, &ch, now);
}

static int
begin_call(struct store_conn *c, struct claim_pass *p, struct dcampaign *dc,
	   const json_t *line)
{
	const char *to = json_string_value(json_object_get(line, "to_number"));
	struct store_attempt_new a = {
	    .line_id = json_integer_value(json_object_get(line, "line_id")),
	    .campaign_id = dc->id,
	    .account_id = dc->account_id,
	    .due_at = json_integer_value(json_object_get(line, "due_at")),
	};
	char *text = NULL;
	json_t *missing = NULL;
	int64_t id;
	int number, rc;

	if (dc->welcome != NULL &&
	    template_render(dc->welcome,
			    json_object_get(line, "custom_variables"), &text,
			    &missing) == 0)
		a.welcome_message = text;
	a.missing_variables = missing;
	rc = store_attempt_begin(c, &a, p->now, &id, &number);
	free(text);
	json_decref(missing);
	if (rc < 0)
		return rc;
	return add_call(p, dc, &a, id, number, to);
}

static int
claim_campaign(struct store_conn *c, struct claim_pass *p, struct dcampaign *dc)
{
	struct store_campaign cp;
	json_t *lines, *line;
	bool listed;
	size_t i;
	int room, taken = 0, held = 0, rc;

	dc->held = false;
	if ((rc = store_campaign_get(c, 0, dc->id, &cp)) < 0)
		return rc;
	room =
	    cp.concurrent_call_limit - in_flight(dc, cp.counts[LINE_CALLING]);
	store_campaign_clear(&cp);
	if (cp.state != CSTATE_ACTIVE)
		return 0;
	room = paced(dc, p->now, room < CLAIM_BATCH ? room : CLAIM_BATCH);
	if (room <= 0)
		return 0;
	/* Past each line whose last call is still live, one more is read. */
	rc = store_line_due(c, dc->id, p->now, room + dc->live, &lines);
	if (rc < 0)
		return rc;
	json_array_foreach(lines, i, line)
	{
		if (taken == room)
			break;
		if (idmap_get(&p->d->live_by_line,
			      json_integer_value(
				  json_object_get(line, "line_id"))) != NULL) {
			held++;
			continue;
		}
		taken++;
		rc = store_dnc_listed(
		    c, dc->account_id, dc->id,
		    json_string_value(json_object_get(line, "to_number")),
		    &listed);
		if (rc == 0)
			rc = listed ? skip_dnc(c, line, p->now)
				    : begin_call(c, p, dc, line);
		if (rc == CD_EEXIST)
			rc = fail_redial(c, line, p->now);
		if (rc < 0)
			break;
	}
	if (dc->cps > 0)
		dc->tokens -= (double)taken;
	/* Only live calls' lines are left due: their ends wake the pass. */
	dc->held = held > 0 && taken < room;
	json_decref(lines);
	return rc;
}

static int
write_claim(struct store_conn *c, void *arg)
{
	struct claim_pass *p = arg;
	int rc;

	p->ncalls = 0;
	for (size_t i = 0; i < p->n; i++)
		if ((rc = claim_campaign(c, p, p->runnable[i])) < 0)
			return rc;
	return 0;
}

static void
place_calls(struct dispatcher *d, struct claim_pass *p)
{
	for (size_t i = 0; i < p->ncalls; i++) {
		struct claimed *cl = &p->calls[i];
		struct carrier_call call = {
		    .attempt_id = cl->attempt_id,
		    .attempt_number = cl->attempt_number,
		    .from = cl->dc->from,
		    .to = cl->to,
		    .settings = cl->dc->number_settings,
		};
		struct carrier_event failed = {
		    .kind = CARRIER_ENDED,
		    .attempt_id = cl->attempt_id,
		    .at = clock_now_ms(),
		    .outcome = OUTCOME_FAILED,
		};

		log_info("line=%lld attempt=%lld #%d placed to %s (campaign "
			 "%lld)",
			 (long long)cl->line_id, (long long)cl->attempt_id,
			 cl->attempt_number, cl->to, (long long)cl->dc->id);
		if (live_add(d, cl) < 0 ||
		    d->sim->ops->place(d->sim, &call) < 0)
			on_carrier_event(d, &failed);
	}
}

static void
claim_and_place(struct dispatcher *d, struct claim_pass *p, int64_t now)
{
	size_t start = d->nall ? d->rr % d->nall : 0;
	int rc;

	p->n = 0;
	p->now = now;
	for (size_t k = 0; k < d->nall; k++) {
		struct dcampaign *dc = d->all[(start + k) % d->nall];

		if (runnable(dc, now))
			p->runnable[p->n++] = dc;
	}
	d->rr++;
	if (p->n == 0)
		return;
	rc = store_write(d->store, write_claim, p);
	if (rc < 0) {
		log_error("dispatch: claiming calls failed: %s",
			  cd_strerror(rc));
		return;
	}
	place_calls(d, p);
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < p->n; i++)
		mark_dirty_locked(d, p->runnable[i]->id);
	pthread_mutex_unlock(&d->lock);
}

/* --- Time --- */

/* The next instant this campaign needs the dispatcher, or INT64_MAX. */
static int64_t
next_moment(const struct dcampaign *dc, int64_t now)
{
	const struct campaign_facts *f = &dc->facts;
	int64_t t = INT64_MAX, open;

	if (f->state != CSTATE_ACTIVE)
		return t;
	if (now < f->start_at)
		return f->start_at;
	if (f->window != NULL &&
	    !window_is_open(f->window, f->resumed_at, now)) {
		open = window_next_open(f->window, f->resumed_at, now);
		return open > now ? open : t;
	}
	if (f->window != NULL) {
		int64_t close =
		    window_next_close(f->window, f->resumed_at, now);

		if (close > now)
			t = close;
	}
	/*
	 * While the due lines all wait for live calls, the carrier's reports
	 * wake the dispatcher; a line falling due meanwhile waits at most
	 * until the idle wake.
	 */
	if (f->next_due_at >= 0 && !dc->held &&
	    in_flight(dc, f->counts[LINE_CALLING]) < dc->limit &&
	    f->next_due_at < t)
		t = f->next_due_at > now ? f->next_due_at : now;
	return t;
}

static void
log_status_changes(struct dispatcher *d, int64_t now)
{
	for (size_t i = 0; i < d->nall; i++) {
		struct dcampaign *dc = d->all[i];
		enum campaign_status st = status_derive(&dc->facts, now);

		if (dc->known_status && st == dc->last_status)
			continue;
		log_info("campaign=%lld status %s -> %s", (long long)dc->id,
			 dc->known_status
			     ? campaign_status_name(dc->last_status)
			     : "(loaded)",
			 campaign_status_name(st));
		dc->last_status = st;
		dc->known_status = true;
	}
}

/*
 * A campaign that is over (cancelled, or a CSV campaign without an open
 * line) and has no call in flight needs nothing more from the dispatcher.
 * It lets go of it, so that a daemon that runs for months does not walk
 * every campaign it ever saw on each pass.
 */
static void
forget_finished(struct dispatcher *d, int64_t now)
{
	size_t i = 0;

	while (i < d->nall) {
		struct dcampaign *dc = d->all[i];
		enum campaign_status st = status_derive(&dc->facts, now);
		int64_t id = dc->id;

		if ((st == CSTATUS_CANCELLED || st == CSTATUS_COMPLETED) &&
		    dc->facts.counts[LINE_CALLING] == 0 && forget(d, dc)) {
			log_info("campaign=%lld %s: no longer watched",
				 (long long)id, campaign_status_name(st));
			continue; /* the last campaign moved to i */
		}
		i++;
	}
}

/* Notes which campaigns could dial now, for dispatch_lines_added(). */
static void
note_dialling(struct dispatcher *d, int64_t now)
{
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nall; i++)
		d->all[i]->dialling = dialling_allowed(d->all[i], now);
	pthread_mutex_unlock(&d->lock);
}

static void
wait_for_work(struct dispatcher *d, int64_t deadline_mono)
{
	struct timespec ts;
	int64_t ms;

	pthread_mutex_lock(&d->lock);
	while (!d->stopping && !d->urgent && d->nevents == 0) {
		ms = deadline_mono - clock_mono_ms();
		if (ms <= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&d->wake, &d->lock, &ts);
	}
	pthread_mutex_unlock(&d->lock);
}

static int64_t
plan_wake(struct dispatcher *d, int64_t now)
{
	int64_t next = now + IDLE_WAKE_MS;

	for (size_t i = 0; i < d->nall; i++) {
		int64_t t = next_moment(d->all[i], now);

		if (t < next)
			next = t;
	}
	return clock_mono_ms() + (next > now ? next - now : 0);
}

static void
take_events(struct dispatcher *d, struct carrier_event **ev, size_t *n)
{
	pthread_mutex_lock(&d->lock);
	*ev = d->events;
	*n = d->nevents;
	d->events = NULL;
	d->nevents = d->capevents = 0;
	pthread_mutex_unlock(&d->lock);
}

static void *
dispatch_main(void *arg)
{
	struct dispatcher *d = arg;
	struct claim_pass pass = {.d = d};
	struct carrier_event *ev;
	size_t nev;
	int64_t now;

	log_set_context("dispatch");
	while (!d->stopping) {
		take_events(d, &ev, &nev);
		if (nev > 0)
			settle_events(d, ev, nev);
		free(ev);
		reload_dirty(d);
		now = clock_now_ms();
		pass.runnable = realloc(pass.runnable,
					(d->nall + 1) * sizeof(*pass.runnable));
		if (pass.runnable != NULL)
			claim_and_place(d, &pass, now);
		reload_dirty(d);
		log_status_changes(d, now);
		forget_finished(d, now);
		note_dialling(d, now);
		wait_for_work(d, plan_wake(d, clock_now_ms()));
	}
	free(pass.runnable);
	free(pass.calls);
	return NULL;
}

/* --- Life cycle --- */

int
dispatch_start(struct store *s, const struct dispatch_config *cfg,
	       struct dispatcher **out)
{
	struct dispatcher *d = calloc(1, sizeof(*d));
	pthread_condattr_t ca;
	int rc;

	if (d == NULL)
		return CD_ENOMEM;
	d->store = s;
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &ca);
	pthread_condattr_destroy(&ca);
	d->sim = carrier_sim_new(cfg->sim_time_scale, cfg->sim_seed,
				 on_carrier_event, d);
	if (d->sim == NULL || (rc = settle_orphans(d)) < 0 ||
	    (rc = load_all(d)) < 0 ||
	    pthread_create(&d->thread, NULL, dispatch_main, d) != 0) {
		log_error("dispatch: cannot start");
		if (d->sim != NULL)
			d->sim->ops->destroy(d->sim);
		free(d);
		return CD_ESTORE;
	}
	*out = d;
	return 0;
}

void
dispatch_stop(struct dispatcher *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	d->sim->ops->destroy(d->sim);
	for (size_t i = 0; i < d->campaigns.cap; i++) {
		struct dcampaign *dc = d->campaigns.vals[i];

		if (d->campaigns.keys[i] == 0 || dc == NULL)
			continue;
		json_decref(dc->number_settings);
		free(dc->welcome);
		free(dc);
	}
	idmap_free(&d->campaigns);
	for (size_t i = 0; i < d->live_by_attempt.cap; i++)
		if (d->live_by_attempt.keys[i] != 0)
			free(d->live_by_attempt.vals[i]);
	idmap_free(&d->live_by_attempt);
	idmap_free(&d->live_by_line);
	free(d->events);
	free(d->all);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->wake);
	free(d);
}
