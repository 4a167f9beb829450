/*
 * The daily calling window of a campaign: the hours and weekdays in which it
 * may dial, read from and written to the API's JSON fields.
 */
#ifndef CD_WINDOW_H
#define CD_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/verr.h"
#include "domain/tz.h"

/* The days value allowing every weekday. */
#define WINDOW_EVERY_DAY 0x7fu

/*
 * Minutes count from local midnight (0..1439, 18:30 is 1110); days hold one
 * bit per weekday, bit 0 = Sunday .. bit 6 = Saturday.
 */
struct daily_window {
	/* enable_daily_hard_stop, daily_stop_time, daily_stop_timezone */
	bool hard_stop;
	int stop_minute;
	char stop_zone[TZ_NAME_MAX];

	/* enable_daily_auto_start, daily_start_time, daily_start_timezone */
	bool auto_start;
	int start_minute;
	char start_zone[TZ_NAME_MAX];

	/* allowed_days, judged on the local calendar of the campaign zone */
	unsigned days;
	char zone[TZ_NAME_MAX];
};

/*
 * When the window is open, with all instants in ms since the epoch and
 * resumed_at the last time the campaign was started or resumed by hand:
 *
 * - Days: open only on allowed weekdays of the local calendar in zone.
 * - Hard stop and auto start: open from each start instant (start_minute in
 *   start_zone) until the next stop instant (stop_minute in stop_zone), that
 *   is, in [start, stop). A start later in the day than the stop gives a
 *   window across midnight; equal times in the same zone, always open.
 * - Hard stop alone: open until the first stop instant after resumed_at,
 *   then closed until the next resume by hand. A stop falling on a day that
 *   is not allowed is ignored: there is nothing to stop.
 * - Auto start alone, or neither: hours never close.
 * - Reopening: on an allowed day that follows a day that is not allowed, the
 *   window opens at that day's start time with auto start, or else at the
 *   local midnight of zone (if the hours allow it then).
 *
 * resumed_at matters only with a hard stop alone. Daylight-saving gaps and
 * overlaps follow tz.h. A window without a hard stop that allows every day
 * is always open; any other counts as closed when a conversion fails (a
 * zone not valid, an instant out of tz.h's range).
 */

/*
 * Reads the window from the API fields of obj (a JSON object):
 * enable_daily_hard_stop, daily_stop_time, daily_stop_timezone,
 * enable_daily_auto_start, daily_start_time, daily_start_timezone and
 * allowed_days. Times are hours as numbers (18.5 is 18:30, 0 <= h < 24, a
 * whole minute), required when their flag is true; zones default to
 * campaign_zone ("UTC" when NULL); allowed_days is a non-empty array of
 * lowercase day names or numbers 0..6 (0 = Sunday), every day when absent.
 * An absent field and JSON null are the same. Fills *out and returns 0, or
 * fills *err (when not NULL) with the first broken field and returns
 * CD_EINVAL, leaving *out untouched.
 */
int window_from_json(const json_t *obj, const char *campaign_zone,
		     struct daily_window *out, struct verr *err);

/*
 * Sets the fields read by window_from_json() on obj, times as hours and
 * allowed_days as day names from Monday. Returns 0, CD_EINVAL if obj is not
 * an object, or CD_ENOMEM.
 */
int window_to_json(const struct daily_window *w, json_t *obj);

/* Returns true if the window is open at now. */
bool window_is_open(const struct daily_window *w, int64_t resumed_at,
		    int64_t now);

/*
 * Returns the first instant >= now at which the window is open (now itself
 * when open), or -1 when it will not open without a resume by hand, or has
 * no allowed day.
 */
int64_t window_next_open(const struct daily_window *w, int64_t resumed_at,
			 int64_t now);

/*
 * Returns the first instant > now at which the window closes, having been
 * open just before (when closed at now, the close after it next opens), or
 * -1 if it does not close again.
 */
int64_t window_next_close(const struct daily_window *w, int64_t resumed_at,
			  int64_t now);

/*
 * Moves t into the window: returns t when the window is open then, otherwise
 * the next instant it opens, or -1 when it will not open by itself.
 */
int64_t window_fit(const struct daily_window *w, int64_t resumed_at, int64_t t);

#endif
