/*
 * Mutexes for locks that many threads take for a moment per request: they
 * spin briefly before sleeping, which saves a futex round trip each time.
 */
#ifndef CD_LOCK_H
#define CD_LOCK_H

#include <pthread.h>

/* Initialises m as an adaptive mutex (a plain one where unsupported). */
void lock_init_hot(pthread_mutex_t *m);

#endif
