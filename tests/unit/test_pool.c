/*
 * Unit tests for the job pool: every job submitted runs exactly once, on
 * the pool's threads, including those still queued when it stops.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/pool.h"

#define JOBS 2000

struct tally {
	atomic_int runs[JOBS];
	atomic_int total;
	pthread_t submitter;
	atomic_int on_submitter;
};

struct job {
	struct tally *t;
	int i;
};

static void
count(void *arg)
{
	struct job *j = arg;

	atomic_fetch_add(&j->t->runs[j->i], 1);
	atomic_fetch_add(&j->t->total, 1);
	if (pthread_equal(pthread_self(), j->t->submitter))
		atomic_fetch_add(&j->t->on_submitter, 1);
}

static void
test_every_job_runs_once(void **state)
{
	static struct tally t;
	static struct job jobs[JOBS];
	struct pool *p = pool_start(3, "test");
	int i;

	(void)state;
	assert_non_null(p);
	t.submitter = pthread_self();
	for (i = 0; i < JOBS; i++) {
		jobs[i] = (struct job){&t, i};
		assert_int_equal(pool_submit(p, count, &jobs[i]), 0);
	}
	/* Stopping runs what is still queued before the threads end. */
	pool_stop(p);
	assert_int_equal(atomic_load(&t.total), JOBS);
	for (i = 0; i < JOBS; i++)
		assert_int_equal(atomic_load(&t.runs[i]), 1);
	assert_int_equal(atomic_load(&t.on_submitter), 0);
}

/*
 * Two jobs that each wait for the other to have started: they both meet
 * only when two threads run them at once. A pool that ran them one after
 * another would leave the first waiting until its deadline.
 */
struct meeting {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int arrived;
	int met;
};

static void
meet(void *arg)
{
	struct meeting *m = arg;
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	pthread_mutex_lock(&m->lock);
	m->arrived++;
	pthread_cond_broadcast(&m->cond);
	while (m->arrived < 2 &&
	       pthread_cond_timedwait(&m->cond, &m->lock, &deadline) == 0)
		;
	if (m->arrived == 2)
		m->met++;
	pthread_mutex_unlock(&m->lock);
}

static void
test_jobs_run_side_by_side(void **state)
{
	static struct meeting m = {PTHREAD_MUTEX_INITIALIZER,
				   PTHREAD_COND_INITIALIZER, 0, 0};
	struct pool *p = pool_start(2, "test");

	(void)state;
	assert_non_null(p);
	assert_int_equal(pool_submit(p, meet, &m), 0);
	assert_int_equal(pool_submit(p, meet, &m), 0);
	pool_stop(p);
	assert_int_equal(m.met, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_job_runs_once),
	    cmocka_unit_test(test_jobs_run_side_by_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
