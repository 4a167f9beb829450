/*
 * Fuzz target: the daily calling window. The input is a JSON object with
 * the API's window fields, plus optional "timezone" (the campaign zone),
 * "now" and "resumed_at" (ms); window_from_json() reads it, and a window
 * that passes is written back, read again and asked when it is open.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "domain/tz.h"
#include "domain/window.h"
#include "fuzz.h"

static bool
win_equal(const struct daily_window *a, const struct daily_window *b)
{
	return a->hard_stop == b->hard_stop &&
	       a->stop_minute == b->stop_minute &&
	       strcmp(a->stop_zone, b->stop_zone) == 0 &&
	       a->auto_start == b->auto_start &&
	       a->start_minute == b->start_minute &&
	       strcmp(a->start_zone, b->start_zone) == 0 &&
	       a->days == b->days && strcmp(a->zone, b->zone) == 0;
}

/* window_to_json() gives fields that read back as the same window. */
static void
win_check_roundtrip(const struct daily_window *w)
{
	struct daily_window back;
	json_t *obj = json_object();
	struct verr err;

	FUZZ_CHECK(window_to_json(w, obj) == 0);
	memset(&back, 0, sizeof(back));
	FUZZ_CHECK(window_from_json(obj, w->zone, &back, &err) == 0);
	FUZZ_CHECK(win_equal(w, &back));
	json_decref(obj);
}

/* The four questions agree with each other, as window.h describes. */
static void
win_check_instants(const struct daily_window *w, int64_t resumed_at,
		   int64_t now)
{
	bool open = window_is_open(w, resumed_at, now);
	int64_t next = window_next_open(w, resumed_at, now);
	int64_t close = window_next_close(w, resumed_at, now);

	/* -1 means "never" even when now itself is before 1970. */
	FUZZ_CHECK(window_fit(w, resumed_at, now) == next);
	if (open)
		FUZZ_CHECK(next == now);
	else
		FUZZ_CHECK(next == -1 || next > now);
	if (next != -1 && next > now)
		FUZZ_CHECK(window_is_open(w, resumed_at, next));
	FUZZ_CHECK(close == -1 || close > now);
	if (close != -1)
		FUZZ_CHECK(!window_is_open(w, resumed_at, close));
	if (!w->hard_stop && (w->days & WINDOW_EVERY_DAY) == WINDOW_EVERY_DAY)
		FUZZ_CHECK(open && close == -1);
}

static int64_t
win_instant(const json_t *in, const char *name)
{
	const json_t *v = json_object_get(in, name);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : FUZZ_NOW;
}

int
fuzz_window(const uint8_t *data, size_t size)
{
	struct daily_window w, untouched;
	const char *zone;
	json_error_t jerr;
	struct verr err;
	json_t *in;
	int rc;

	in =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (in == NULL)
		return 0;
	zone = json_string_value(json_object_get(in, "timezone"));
	memset(&w, 0x5a, sizeof(w));
	untouched = w;
	memset(&err, 0, sizeof(err));
	rc = window_from_json(in, zone, &w, &err);
	if (rc < 0) {
		FUZZ_CHECK(rc == CD_EINVAL);
		FUZZ_CHECK(memcmp(&w, &untouched, sizeof(w)) == 0);
		FUZZ_CHECK(err.code[0] != '\0');
	} else {
		FUZZ_CHECK(rc == 0);
		FUZZ_CHECK(w.stop_minute >= 0 && w.stop_minute < 1440);
		FUZZ_CHECK(w.start_minute >= 0 && w.start_minute < 1440);
		FUZZ_CHECK(w.days != 0 && (w.days & ~WINDOW_EVERY_DAY) == 0);
		FUZZ_CHECK(tz_valid(w.zone) && tz_valid(w.stop_zone) &&
			   tz_valid(w.start_zone));
		win_check_roundtrip(&w);
		win_check_instants(&w, win_instant(in, "resumed_at"),
				   win_instant(in, "now"));
	}
	json_decref(in);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_window(data, size);
}
#endif
