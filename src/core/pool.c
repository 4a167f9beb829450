/*
 * The job pool of pool.h: one queue under a mutex, threads that sleep on
 * a condition variable until a job or the end arrives.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/log.h"
#include "core/pool.h"

struct job {
	pool_job_fn fn;
	void *arg;
	struct job *next;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct job *head, **tailp;
	bool stopping;
	const char *name;
	size_t nthreads;
	pthread_t threads[];
};

static void *
pool_main(void *arg)
{
	struct pool *p = arg;
	struct job *j;

	log_set_context(p->name);
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if ((j = p->head) != NULL) {
			p->head = j->next;
			if (p->head == NULL)
				p->tailp = &p->head;
		}
		pthread_mutex_unlock(&p->lock);
		if (j == NULL)
			return NULL;
		j->fn(j->arg);
		free(j);
	}
}

struct pool *
pool_start(size_t n, const char *name)
{
	struct pool *p = calloc(1, sizeof(*p) + n * sizeof(pthread_t));

	if (p == NULL)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	p->tailp = &p->head;
	p->name = name;
	for (; p->nthreads < n; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, pool_main,
				   p) != 0) {
			log_error("%s: cannot start a thread", name);
			pool_stop(p);
			return NULL;
		}
	return p;
}

int
pool_submit(struct pool *p, pool_job_fn fn, void *arg)
{
	struct job *j = malloc(sizeof(*j));

	if (j == NULL)
		return CD_ENOMEM;
	*j = (struct job){.fn = fn, .arg = arg};
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		free(j);
		return CD_ESHUTDOWN;
	}
	*p->tailp = j;
	p->tailp = &j->next;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void
pool_stop(struct pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
