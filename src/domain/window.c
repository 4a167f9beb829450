/*
 * The daily calling window: JSON fields in and out, and when the window is
 * open, found by laying out a few weeks of local days and their limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "domain/window.h"

#define DAY_BITS	 WINDOW_EVERY_DAY
#define PLAN_BEFORE	 3  /* zone offsets differ by up to 26 hours */
#define PLAN_AFTER_NOW	 2  /* enough dates to judge one instant */
#define PLAN_AFTER_SCAN	 16 /* enough to find the next open and close */
#define PLAN_MAX	 (PLAN_BEFORE + 1 + PLAN_AFTER_SCAN)
#define CANDIDATES_MAX	 (3 * PLAN_MAX + 1)
#define STOP_SEARCH_DAYS 16
#define MINUTE_EPSILON	 1e-6

/* The JSON fields of one daily limit: the stop or the start. */
struct limit_fields {
	const char *flag;
	const char *time;
	const char *zone;
};

struct date {
	int year, month, day, wday;
};

/*
 * Consecutive local dates of the campaign zone, from three days before the
 * instant of interest, with the instants that bound the window on each.
 */
struct plan {
	int n;
	int64_t midnight[PLAN_MAX]; /* local 00:00 in the campaign zone */
	int64_t start[PLAN_MAX];    /* start time in start_zone, if any */
	int64_t stop[PLAN_MAX];	    /* stop time in stop_zone, if any */
	bool allowed[PLAN_MAX];
	int64_t first_stop; /* hard stop alone: the stop ending the run */
};

static const struct limit_fields stop_fields = {
    "enable_daily_hard_stop", "daily_stop_time", "daily_stop_timezone"};
static const struct limit_fields start_fields = {
    "enable_daily_auto_start", "daily_start_time", "daily_start_timezone"};

static const char *const day_names[7] = {"sunday",    "monday",	  "tuesday",
					 "wednesday", "thursday", "friday",
					 "saturday"};

static bool
absent(const json_t *v)
{
	return v == NULL || json_is_null(v);
}

static int
read_flag(const json_t *obj, const char *field, bool *on, struct verr *err)
{
	const json_t *v = json_object_get(obj, field);

	*on = false;
	if (absent(v))
		return 0;
	if (!json_is_boolean(v))
		return verr_set(err, field, "invalid_type",
				"%s must be true or false", field);
	*on = json_is_true(v);
	return 0;
}

static int
read_time(const json_t *obj, const char *field, bool required, int *minute,
	  struct verr *err)
{
	const json_t *v = json_object_get(obj, field);
	double h, m, off;
	long whole;

	*minute = 0;
	if (absent(v) && required)
		return verr_set(err, field, "missing_field",
				"%s is required when its flag is on", field);
	if (absent(v))
		return 0;
	if (!json_is_number(v))
		return verr_set(err, field, "invalid_type",
				"%s must be a number of hours", field);
	h = json_number_value(v);
	if (!(h >= 0 && h < 24))
		return verr_set(err, field, "out_of_range",
				"%s must be at least 0 and below 24", field);
	m = h * 60;
	whole = (long)(m + 0.5);
	off = m - (double)whole;
	if (off > MINUTE_EPSILON || off < -MINUTE_EPSILON)
		return verr_set(err, field, "invalid_value",
				"%s must be a whole number of minutes", field);
	if (whole >= 24 * 60)
		return verr_set(err, field, "out_of_range",
				"%s must be below 24", field);
	*minute = (int)whole;
	return 0;
}

static int
read_zone(const json_t *obj, const char *field, const char *fallback,
	  char *zone, struct verr *err)
{
	const json_t *v = json_object_get(obj, field);
	const char *name;

	if (absent(v)) {
		snprintf(zone, TZ_NAME_MAX, "%s", fallback);
		return 0;
	}
	if (!json_is_string(v))
		return verr_set(err, field, "invalid_type",
				"%s must be a string", field);
	name = json_string_value(v);
	if (json_string_length(v) != strlen(name) || !tz_valid(name))
		return verr_set(err, field, "invalid_timezone",
				"%s is not a known IANA time zone", field);
	snprintf(zone, TZ_NAME_MAX, "%s", name);
	return 0;
}

static int
read_limit(const json_t *obj, const struct limit_fields *f,
	   const char *campaign_zone, bool *on, int *minute, char *zone,
	   struct verr *err)
{
	int rc;

	rc = read_flag(obj, f->flag, on, err);
	if (rc == 0)
		rc = read_time(obj, f->time, *on, minute, err);
	if (rc == 0)
		rc = read_zone(obj, f->zone, campaign_zone, zone, err);
	return rc;
}

/* Returns the weekday (0 = Sunday) entry i of allowed_days names. */
static int
read_day(const json_t *v, size_t i, struct verr *err)
{
	char field[40];
	json_int_t n;
	int k;

	snprintf(field, sizeof(field), "allowed_days[%zu]", i);
	if (json_is_integer(v)) {
		n = json_integer_value(v);
		if (n < 0 || n > 6)
			return verr_set(err, field, "out_of_range",
					"a day number is 0 (Sunday) to 6");
		return (int)n;
	}
	if (!json_is_string(v))
		return verr_set(err, field, "invalid_type",
				"a day is a lowercase name or a number");
	for (k = 0; k < 7; k++)
		if (strcmp(json_string_value(v), day_names[k]) == 0)
			return k;
	return verr_set(err, field, "invalid_value",
			"a day name is \"monday\" to \"sunday\"");
}

static int
read_days(const json_t *obj, unsigned *days, struct verr *err)
{
	const json_t *v = json_object_get(obj, "allowed_days");
	size_t i;
	int day;

	*days = DAY_BITS;
	if (absent(v))
		return 0;
	if (!json_is_array(v))
		return verr_set(err, "allowed_days", "invalid_type",
				"allowed_days must be an array");
	if (json_array_size(v) == 0)
		return verr_set(err, "allowed_days", "invalid_value",
				"allowed_days must name at least one day");
	*days = 0;
	for (i = 0; i < json_array_size(v); i++) {
		day = read_day(json_array_get(v, i), i, err);
		if (day < 0)
			return day;
		*days |= 1u << day;
	}
	return 0;
}

int
window_from_json(const json_t *obj, const char *campaign_zone,
		 struct daily_window *out, struct verr *err)
{
	struct daily_window w;
	int rc;

	if (campaign_zone == NULL)
		campaign_zone = "UTC";
	if (!json_is_object(obj))
		return verr_set(err, "", "invalid_type",
				"the campaign must be a JSON object");
	if (!tz_valid(campaign_zone))
		return verr_set(err, "timezone", "invalid_timezone",
				"timezone is not a known IANA time zone");
	memset(&w, 0, sizeof(w));
	snprintf(w.zone, sizeof(w.zone), "%s", campaign_zone);
	rc = read_limit(obj, &stop_fields, campaign_zone, &w.hard_stop,
			&w.stop_minute, w.stop_zone, err);
	if (rc == 0)
		rc =
		    read_limit(obj, &start_fields, campaign_zone, &w.auto_start,
			       &w.start_minute, w.start_zone, err);
	if (rc == 0)
		rc = read_days(obj, &w.days, err);
	if (rc == 0)
		*out = w;
	return rc;
}

static json_t *
hours_json(int minute)
{
	if (minute % 60 == 0)
		return json_integer(minute / 60);
	return json_real(minute / 60.0);
}

/* The allowed days as names, Monday first. */
static json_t *
days_json(unsigned days)
{
	json_t *a = json_array();
	int k, day;

	for (k = 1; a != NULL && k <= 7; k++) {
		day = k % 7;
		if (!(days & (1u << day)))
			continue;
		if (json_array_append_new(a, json_string(day_names[day])) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

int
window_to_json(const struct daily_window *w, json_t *obj)
{
	int rc = 0;

	if (!json_is_object(obj))
		return CD_EINVAL;
	rc |= json_object_set_new(obj, stop_fields.flag,
				  json_boolean(w->hard_stop));
	rc |= json_object_set_new(obj, stop_fields.time,
				  hours_json(w->stop_minute));
	rc |= json_object_set_new(obj, stop_fields.zone,
				  json_string(w->stop_zone));
	rc |= json_object_set_new(obj, start_fields.flag,
				  json_boolean(w->auto_start));
	rc |= json_object_set_new(obj, start_fields.time,
				  hours_json(w->start_minute));
	rc |= json_object_set_new(obj, start_fields.zone,
				  json_string(w->start_zone));
	rc |= json_object_set_new(obj, "allowed_days", days_json(w->days));
	return rc == 0 ? 0 : CD_ENOMEM;
}

static bool
day_allowed(const struct daily_window *w, int wday)
{
	return (w->days & (1u << wday)) != 0;
}

static bool
always_open(const struct daily_window *w)
{
	return !w->hard_stop && (w->days & DAY_BITS) == DAY_BITS;
}

static bool
never_open(const struct daily_window *w)
{
	return (w->days & DAY_BITS) == 0;
}

static void
date_next(struct date *d)
{
	d->wday = (d->wday + 1) % 7;
	if (++d->day <= tz_days_in_month(d->year, d->month))
		return;
	d->day = 1;
	if (++d->month <= 12)
		return;
	d->month = 1;
	d->year++;
}

static void
date_prev(struct date *d)
{
	d->wday = (d->wday + 6) % 7;
	if (--d->day >= 1)
		return;
	if (--d->month < 1) {
		d->month = 12;
		d->year--;
	}
	d->day = tz_days_in_month(d->year, d->month);
}

static int
local_date(const char *zone, int64_t t, struct date *d)
{
	struct tz_local l;
	int rc;

	rc = tz_to_local(zone, t, &l);
	if (rc < 0)
		return rc;
	d->year = l.year;
	d->month = l.month;
	d->day = l.day;
	d->wday = l.wday;
	return 0;
}

static int
date_at(const char *zone, const struct date *d, int minute, int64_t *out)
{
	return tz_at_local_time(zone, d->year, d->month, d->day, minute, out);
}

/*
 * The first stop after resumed_at that falls on an allowed day, INT64_MAX if
 * none does within the search (no day is allowed).
 */
static int
first_stop_after(const struct daily_window *w, int64_t resumed_at, int64_t *out)
{
	struct tz_local l;
	struct date d;
	int64_t s;
	int i, rc;

	*out = INT64_MAX;
	rc = local_date(w->stop_zone, resumed_at, &d);
	for (i = 0; rc == 0 && i < STOP_SEARCH_DAYS; i++) {
		rc = date_at(w->stop_zone, &d, w->stop_minute, &s);
		date_next(&d);
		if (rc < 0 || s <= resumed_at)
			continue;
		rc = tz_to_local(w->zone, s, &l);
		if (rc == 0 && day_allowed(w, l.wday)) {
			*out = s;
			break;
		}
	}
	return rc;
}

static int
plan_day(const struct daily_window *w, const struct date *d, struct plan *p,
	 int i)
{
	int rc;

	p->allowed[i] = day_allowed(w, d->wday);
	p->start[i] = INT64_MIN;
	p->stop[i] = INT64_MIN;
	rc = date_at(w->zone, d, 0, &p->midnight[i]);
	if (rc == 0 && w->auto_start)
		rc = date_at(w->start_zone, d, w->start_minute, &p->start[i]);
	if (rc == 0 && w->hard_stop)
		rc = date_at(w->stop_zone, d, w->stop_minute, &p->stop[i]);
	return rc;
}

/* Lays out the dates around now, then `after` more. */
static int
plan_build(const struct daily_window *w, int64_t resumed_at, int64_t now,
	   int after, struct plan *p)
{
	struct date d;
	int i, rc;

	rc = local_date(w->zone, now, &d);
	if (rc < 0)
		return rc;
	for (i = 0; i < PLAN_BEFORE; i++)
		date_prev(&d);
	p->n = PLAN_BEFORE + 1 + after;
	for (i = 0; rc == 0 && i < p->n; i++) {
		rc = plan_day(w, &d, p, i);
		date_next(&d);
	}
	p->first_stop = INT64_MAX;
	if (rc == 0 && w->hard_stop && !w->auto_start)
		rc = first_stop_after(w, resumed_at, &p->first_stop);
	return rc;
}

/* Index of the date that contains t, or -1 if t is before the plan. */
static int
plan_index(const struct plan *p, int64_t t)
{
	int i;

	for (i = p->n - 1; i >= 0; i--)
		if (p->midnight[i] <= t)
			return i;
	return -1;
}

static int64_t
latest_until(const int64_t *v, int n, int64_t t)
{
	int64_t best = INT64_MIN;
	int i;

	for (i = 0; i < n; i++)
		if (v[i] <= t && v[i] > best)
			best = v[i];
	return best;
}

/* The hours alone: the days are judged by plan_open(). */
static bool
hours_open(const struct daily_window *w, const struct plan *p, int64_t t)
{
	if (w->hard_stop && w->auto_start)
		return latest_until(p->start, p->n, t) >=
		       latest_until(p->stop, p->n, t);
	if (w->hard_stop)
		return t < p->first_stop;
	return true;
}

static bool
plan_open(const struct daily_window *w, const struct plan *p, int64_t t)
{
	int i = plan_index(p, t);

	if (i < 1 || !p->allowed[i] || !hours_open(w, p, t))
		return false;
	return !w->auto_start || p->allowed[i - 1] || t >= p->start[i];
}

static int
compare_instants(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
add_candidate(int64_t *c, int *n, int64_t t, int64_t now, int64_t horizon)
{
	if (t > now && t <= horizon)
		c[(*n)++] = t;
}

/*
 * The instants after now, in order, at which the window may open or close,
 * up to a horizon early enough that the plan holds every limit before it.
 */
static int
plan_candidates(const struct plan *p, int64_t now, int64_t *c)
{
	int64_t horizon = p->midnight[p->n - 3];
	int i, n = 0;

	for (i = 0; i < p->n; i++) {
		add_candidate(c, &n, p->midnight[i], now, horizon);
		add_candidate(c, &n, p->start[i], now, horizon);
		add_candidate(c, &n, p->stop[i], now, horizon);
	}
	add_candidate(c, &n, p->first_stop, now, horizon);
	qsort(c, (size_t)n, sizeof(*c), compare_instants);
	return n;
}

bool
window_is_open(const struct daily_window *w, int64_t resumed_at, int64_t now)
{
	struct plan p;

	if (always_open(w))
		return true;
	if (never_open(w) ||
	    plan_build(w, resumed_at, now, PLAN_AFTER_NOW, &p) < 0)
		return false;
	return plan_open(w, &p, now);
}

int64_t
window_next_open(const struct daily_window *w, int64_t resumed_at, int64_t now)
{
	int64_t c[CANDIDATES_MAX];
	struct plan p;
	int i, n;

	if (always_open(w))
		return now;
	if (never_open(w) ||
	    plan_build(w, resumed_at, now, PLAN_AFTER_SCAN, &p) < 0)
		return -1;
	if (plan_open(w, &p, now))
		return now;
	n = plan_candidates(&p, now, c);
	for (i = 0; i < n; i++)
		if (plan_open(w, &p, c[i]))
			return c[i];
	return -1;
}

int64_t
window_next_close(const struct daily_window *w, int64_t resumed_at, int64_t now)
{
	int64_t c[CANDIDATES_MAX];
	struct plan p;
	bool was_open, open;
	int i, n;

	if (always_open(w) || never_open(w) ||
	    plan_build(w, resumed_at, now, PLAN_AFTER_SCAN, &p) < 0)
		return -1;
	was_open = plan_open(w, &p, now);
	n = plan_candidates(&p, now, c);
	for (i = 0; i < n; i++) {
		open = plan_open(w, &p, c[i]);
		if (was_open && !open)
			return c[i];
		was_open = open;
	}
	return -1;
}

int64_t
window_fit(const struct daily_window *w, int64_t resumed_at, int64_t t)
{
	return window_next_open(w, resumed_at, t);
}
