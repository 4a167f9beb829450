/*
 * The simulated carrier: rings, answers, talks and hangs up on a timer
 * thread, with a realistic outcome mix by default or a script per number
 * prefix for tests and demos.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carrier/carrier.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"

struct sim_event {
	int64_t due_mono; /* monotonic ms when it fires */
	struct carrier_event ev;
};

struct sim {
	struct carrier base;
	double scale;
	uint64_t seed;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stopping;
	struct sim_event *heap; /* a binary min-heap on due_mono */
	size_t n, cap;
};

/* What one call will do. */
struct script {
	enum call_outcome outcome;
	double ring_s;
	double talk_s;
	double callback_after_s;
};

/* --- The event heap --- */

static void
heap_swap(struct sim *s, size_t a, size_t b)
{
	struct sim_event t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
}

static int
heap_push(struct sim *s, const struct sim_event *e)
{
	size_t i;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct sim_event *h = realloc(s->heap, cap * sizeof(*h));

		if (h == NULL)
			return CD_ENOMEM;
		s->heap = h;
		s->cap = cap;
	}
	i = s->n++;
	s->heap[i] = *e;
	while (i > 0 && s->heap[(i - 1) / 2].due_mono > s->heap[i].due_mono) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void
heap_pop(struct sim *s)
{
	size_t i = 0;

	s->heap[0] = s->heap[--s->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->n && s->heap[l].due_mono < s->heap[m].due_mono)
			m = l;
		if (r < s->n && s->heap[r].due_mono < s->heap[m].due_mono)
			m = r;
		if (m == i)
			return;
		heap_swap(s, i, m);
		i = m;
	}
}

/* --- Deciding what a call does --- */

/* A reproducible number in [0, 1) for (seed, attempt, salt). */
static double
unit_random(uint64_t seed, int64_t attempt, unsigned salt)
{
	uint64_t x = seed ^ ((uint64_t)attempt * 0x9e3779b97f4a7c15ULL) ^
		     ((uint64_t)salt << 32);

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb93fe53ce34dULL;
	x ^= x >> 33;
	return (double)(x >> 11) / (double)(1ULL << 53);
}

static void
default_script(const struct sim *s, int64_t attempt, struct script *out)
{
	static const struct {
		enum call_outcome o;
		double p;
	} mix[] = {
	    {OUTCOME_COMPLETED, 0.45}, {OUTCOME_NO_ANSWER, 0.25},
	    {OUTCOME_VOICEMAIL, 0.12}, {OUTCOME_BUSY, 0.08},
	    {OUTCOME_FAILED, 0.05},    {OUTCOME_CALLBACK_REQUESTED, 0.05},
	};
	double r = unit_random(s->seed, attempt, 1), acc = 0;

	out->outcome = OUTCOME_COMPLETED;
	for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
		acc += mix[i].p;
		if (r < acc) {
			out->outcome = mix[i].o;
			break;
		}
	}
	out->ring_s = 2 + 18 * unit_random(s->seed, attempt, 2);
	out->talk_s = 30 + 210 * unit_random(s->seed, attempt, 3);
	out->callback_after_s = 86400;
}

static const json_t *
best_rule(const json_t *rules, const char *to)
{
	const json_t *best = NULL, *r;
	size_t i, best_len = 0;

	json_array_foreach(rules, i, r)
	{
		const char *p = json_string_value(json_object_get(r, "prefix"));
		size_t len = p != NULL ? strlen(p) : 0;

		if (p != NULL && strncmp(to, p, len) == 0 &&
		    (best == NULL || len > best_len)) {
			best = r;
			best_len = len;
		}
	}
	return best;
}

static double
number_or(const json_t *obj, const char *key, double def)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : def;
}

static void
rule_script(const json_t *rule, int attempt_number, struct script *out)
{
	const json_t *list = json_object_get(rule, "outcomes");
	size_t n = json_array_size(list);
	size_t i = attempt_number > 0 ? (size_t)attempt_number - 1 : 0;
	int o = -1;

	if (n > 0)
		o = outcome_parse(
		    json_string_value(json_array_get(list, i < n ? i : n - 1)));
	out->outcome = o >= 0 ? (enum call_outcome)o : OUTCOME_COMPLETED;
	out->ring_s = number_or(rule, "ring_seconds", 1);
	out->talk_s = number_or(rule, "talk_seconds", 5);
	out->callback_after_s = number_or(rule, "callback_after_seconds", 60);
}

static bool
answered(enum call_outcome o)
{
	return o == OUTCOME_COMPLETED || o == OUTCOME_VOICEMAIL ||
	       o == OUTCOME_CALLBACK_REQUESTED || o == OUTCOME_DO_NOT_CALL;
}

/* --- Placing calls --- */

static int
push_event(struct sim *s, enum carrier_event_kind kind, int64_t attempt,
	   int64_t delay_ms, const struct carrier_event *ended)
{
	struct sim_event e = {0};

	if (ended != NULL)
		e.ev = *ended;
	e.ev.kind = kind;
	e.ev.attempt_id = attempt;
	e.due_mono = clock_mono_ms() + delay_ms;
	return heap_push(s, &e);
}

/* Seconds of simulated time as milliseconds of the scaled clock. */
static int64_t
scaled_ms(const struct sim *s, double seconds)
{
	return (int64_t)(seconds * 1000 * s->scale);
}

/*
 * Queues a call's events. Every simulated duration is scaled, the reported
 * talk time and callback delay included, so a record always agrees with
 * its own timestamps.
 */
static int
schedule(struct sim *s, const struct carrier_call *call,
	 const struct script *sc)
{
	int64_t ring = scaled_ms(s, sc->ring_s);
	int64_t talk = answered(sc->outcome) ? scaled_ms(s, sc->talk_s) : 0;
	int64_t now = clock_now_ms();
	struct carrier_event end = {
	    .outcome = sc->outcome,
	    .duration_ms = talk,
	};
	int rc;

	if (sc->outcome == OUTCOME_CALLBACK_REQUESTED)
		end.callback_at =
		    now + ring + talk + scaled_ms(s, sc->callback_after_s);
	if (answered(sc->outcome))
		end.answered_at = now + ring;
	rc = push_event(s, CARRIER_RINGING, call->attempt_id, 0, NULL);
	if (rc == 0 && answered(sc->outcome))
		rc = push_event(s, CARRIER_ANSWERED, call->attempt_id, ring,
				NULL);
	if (rc == 0)
		rc = push_event(s, CARRIER_ENDED, call->attempt_id, ring + talk,
				&end);
	return rc;
}

static int
sim_place(struct carrier *c, const struct carrier_call *call)
{
	struct sim *s = (struct sim *)c;
	const json_t *rule =
	    best_rule(json_object_get(call->settings, "rules"), call->to);
	struct script sc;
	int rc;

	if (rule != NULL)
		rule_script(rule, call->attempt_number, &sc);
	else
		default_script(s, call->attempt_id, &sc);
	pthread_mutex_lock(&s->lock);
	rc = schedule(s, call, &sc);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* The simulator keeps nothing across restarts. */
static int
sim_lookup(struct carrier *c, int64_t attempt_id, struct carrier_event *ev)
{
	(void)c;
	(void)attempt_id;
	(void)ev;
	return CD_ENOTFOUND;
}

/* --- The timer thread --- */

static void
wait_until(struct sim *s, int64_t due_mono)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t ms = due_mono - clock_mono_ms();
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&s->wake, &s->lock, &ts);
}

static void *
sim_main(void *arg)
{
	struct sim *s = arg;
	struct carrier_event ev;

	log_set_context("sim");
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		if (s->n == 0) {
			pthread_cond_wait(&s->wake, &s->lock);
			continue;
		}
		if (s->heap[0].due_mono > clock_mono_ms()) {
			wait_until(s, s->heap[0].due_mono);
			continue;
		}
		ev = s->heap[0].ev;
		heap_pop(s);
		ev.at = clock_now_ms();
		pthread_mutex_unlock(&s->lock);
		s->base.report(s->base.report_ctx, &ev);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void
sim_destroy(struct carrier *c)
{
	struct sim *s = (struct sim *)c;

	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s->heap);
	free(s);
}

static const struct carrier_ops sim_ops = {
    .name = "sim",
    .place = sim_place,
    .lookup = sim_lookup,
    .destroy = sim_destroy,
};

struct carrier *
carrier_sim_new(double time_scale, uint64_t seed, carrier_report_fn report,
		void *ctx)
{
	struct sim *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (s == NULL)
		return NULL;
	s->base.ops = &sim_ops;
	s->base.report = report;
	s->base.report_ctx = ctx;
	s->scale = time_scale >= 0 ? time_scale : 1;
	s->seed = seed;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, sim_main, s) != 0) {
		free(s);
		return NULL;
	}
	return &s->base;
}
