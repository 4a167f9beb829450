/*
 * A few threads that run queued jobs in order of arrival, for work too slow
 * to run on a thread that serves many connections.
 */
#ifndef CD_CORE_POOL_H
#define CD_CORE_POOL_H

#include <stddef.h>

struct pool;

typedef void (*pool_job_fn)(void *arg);

/*
 * Starts a pool of n threads (n >= 1). Returns NULL (logged) when the
 * threads or memory cannot be had.
 */
struct pool *pool_start(size_t n, const char *name);

/*
 * Queues fn(arg) to run on one of the threads. Returns 0, or CD_ENOMEM or
 * CD_ESHUTDOWN (the job will not run; the caller still owns arg).
 */
int pool_submit(struct pool *p, pool_job_fn fn, void *arg);

/* Runs every job already queued, then stops the threads and frees p. */
void pool_stop(struct pool *p);

#endif
