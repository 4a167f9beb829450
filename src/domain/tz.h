/*
 * Time zones: IANA zone names, and conversions between UTC instants (ms since
 * the epoch) and wall-clock times, with ICU's daylight-saving rules.
 */
#ifndef CD_TZ_H
#define CD_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest zone name accepted, including the terminating NUL. */
#define TZ_NAME_MAX 64

/*
 * Wall-clock policy shared by every local-to-UTC conversion below:
 * - a wall time skipped by a daylight-saving gap is moved forward by the
 *   length of the gap (02:30 on a spring-forward night in New York is 03:30
 *   daylight time);
 * - a wall time that happens twice, in an overlap, is the earlier of the two
 *   instants (the one before the clocks go back).
 * Local years must lie in 1900..9999 and instants between 1900-01-01 and
 * 9999-12-31 UTC.
 */

/* A wall-clock reading in a zone. */
struct tz_local {
	int year;
	int month;	/* 1..12 */
	int day;	/* 1..31 */
	int hour;	/* 0..23 */
	int minute;	/* 0..59 */
	int second;	/* 0..59 */
	int wday;	/* 0 = Sunday .. 6 = Saturday */
	int offset_min; /* UTC offset in minutes, daylight saving included */
};

/*
 * Returns true if zone is a time-zone name ICU knows, spelled exactly (e.g.
 * "America/New_York", "UTC", "Asia/Kolkata"), and shorter than TZ_NAME_MAX.
 * NULL, empty, unknown and custom ("GMT+05:00") names give false.
 */
bool tz_valid(const char *zone);

/*
 * Returns the number of days in a month (1..12) of a Gregorian year, or 0
 * when month is out of range.
 */
int tz_days_in_month(int year, int month);

/*
 * Parses datetime, exactly "YYYY-MM-DD HH:MM:SS" naming a real calendar date
 * and time, as a wall-clock time in zone, and stores the instant in *out_ms.
 * Returns 0, CD_EINVAL for a bad zone or datetime, or CD_ENOMEM.
 */
int tz_local_to_utc(const char *zone, const char *datetime, int64_t *out_ms);

/*
 * Stores in *out_ms the instant of minute_of_day (0..1439) on the local date
 * year-month-day in zone. Returns 0, CD_EINVAL for a bad zone, date or
 * minute, or CD_ENOMEM.
 */
int tz_at_local_time(const char *zone, int year, int month, int day,
		     int minute_of_day, int64_t *out_ms);

/*
 * Fills *out with the wall-clock reading of instant ms in zone. Returns 0,
 * CD_EINVAL for a bad zone, CD_ERANGE for an instant out of range, or
 * CD_ENOMEM.
 */
int tz_to_local(const char *zone, int64_t ms, struct tz_local *out);

/*
 * Writes instant ms as "YYYY-MM-DD HH:MM:SS" in zone into buf (20 bytes are
 * enough). Returns 0, CD_EINVAL for a bad zone, CD_ERANGE when the instant is
 * out of range or buf is too small, or CD_ENOMEM.
 */
int tz_format_local(const char *zone, int64_t ms, char *buf, size_t len);

/*
 * Frees the calling thread's calendars. Each thread keeps a few, one per
 * recently used zone, and they are freed when the thread exits; the main
 * thread, which does not exit that way, calls this before the process ends.
 * The cache refills on the next conversion.
 */
void tz_thread_cleanup(void);

#endif
