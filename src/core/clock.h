/*
 * Wall-clock time in milliseconds since the Unix epoch. Tests replace the
 * clock to run day-long schedules in milliseconds.
 */
#ifndef CD_CLOCK_H
#define CD_CLOCK_H

#include <stdint.h>

/* Returns the current time in ms since the epoch (UTC). */
int64_t clock_now_ms(void);

/*
 * Makes clock_now_ms() return *fake instead of the real time, read on each
 * call so a test can move it; NULL restores the real clock. Not for use
 * while other threads read the clock.
 */
void clock_set_fake(const int64_t *fake);

/* Returns a monotonic time in ms, unaffected by wall-clock changes. */
int64_t clock_mono_ms(void);

struct timespec;

/*
 * Sets *ts to the real time ms from now, the deadline that
 * pthread_cond_timedwait() takes with a default condition variable.
 */
void clock_deadline(struct timespec *ts, int64_t ms);

#endif
