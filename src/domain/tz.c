/*
 * Time-zone conversions on ICU calendars. Opening a calendar costs far more
 * than using one, so each thread keeps the last few it opened, by zone.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "core/err.h"
#include "domain/tz.h"

#define CACHE_SLOTS 8
#define YEAR_MIN    1900
#define YEAR_MAX    9999
#define MS_MIN	    (-2208988800000LL) /* 1900-01-01 00:00:00 UTC */
#define MS_MAX	    253402300799999LL  /* 9999-12-31 23:59:59.999 UTC */
#define ZONE_CHARS                                                             \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-"

struct slot {
	char zone[TZ_NAME_MAX];
	UCalendar *cal;
	unsigned long used; /* cache clock at the last use, for eviction */
};

struct cache {
	struct slot slots[CACHE_SLOTS];
	unsigned long clock;
};

struct wall {
	int year, month, day, hour, minute, second;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static bool cache_key_ok;

/* Copies a zone name into id, or returns false if it cannot be one. */
static bool
zone_to_uchars(const char *zone, UChar *id, int32_t *len)
{
	size_t n;

	if (zone == NULL)
		return false;
	n = strnlen(zone, TZ_NAME_MAX);
	if (n == 0 || n >= TZ_NAME_MAX || strspn(zone, ZONE_CHARS) != n)
		return false;
	u_charsToUChars(zone, id, (int32_t)n);
	*len = (int32_t)n;
	return true;
}

/*
 * ICU maps an unknown name to "Etc/Unknown" instead of failing, and accepts
 * custom offsets such as "GMT+05:00": only names from its zone database are
 * "system" ids.
 */
static bool
icu_knows(const UChar *id, int32_t len)
{
	UChar canon[2 * TZ_NAME_MAX];
	UBool system = false;
	UErrorCode st = U_ZERO_ERROR;

	ucal_getCanonicalTimeZoneID(id, len, canon, 2 * TZ_NAME_MAX, &system,
				    &st);
	return U_SUCCESS(st) && system;
}

/*
 * Zones this thread found valid lately: asking ICU costs microseconds,
 * and every status of a campaign with daily hours checks its zone.
 */
#define KNOWN_SLOTS 4
static _Thread_local char known[KNOWN_SLOTS][TZ_NAME_MAX];
static _Thread_local unsigned known_next;

bool
tz_valid(const char *zone)
{
	UChar id[TZ_NAME_MAX];
	int32_t len;
	unsigned i;

	for (i = 0; zone != NULL && i < KNOWN_SLOTS; i++)
		if (known[i][0] != '\0' && strcmp(known[i], zone) == 0)
			return true;
	if (!zone_to_uchars(zone, id, &len) || !icu_knows(id, len))
		return false;
	/* zone_to_uchars() checked that it fits. */
	strcpy(known[known_next++ % KNOWN_SLOTS], zone);
	return true;
}

int
tz_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	bool leap;

	if (month < 1 || month > 12)
		return 0;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[month - 1] + (month == 2 && leap);
}

static void
cache_free(void *p)
{
	struct cache *c = p;
	int i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (c->slots[i].cal != NULL)
			ucal_close(c->slots[i].cal);
	free(c);
}

static void
cache_key_create(void)
{
	cache_key_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

/* The calling thread's cache, created on first use; NULL if out of memory. */
static struct cache *
cache_get(void)
{
	struct cache *c;

	pthread_once(&cache_once, cache_key_create);
	if (!cache_key_ok)
		return NULL;
	c = pthread_getspecific(cache_key);
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c != NULL && pthread_setspecific(cache_key, c) != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

void
tz_thread_cleanup(void)
{
	struct cache *c;

	pthread_once(&cache_once, cache_key_create);
	if (!cache_key_ok)
		return;
	c = pthread_getspecific(cache_key);
	if (c == NULL)
		return;
	pthread_setspecific(cache_key, NULL);
	cache_free(c);
}

/* The slot holding zone's calendar, or else the one to reuse for it. */
static struct slot *
cache_slot(struct cache *c, const char *zone)
{
	struct slot *victim = &c->slots[0];
	int i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		struct slot *s = &c->slots[i];

		if (s->cal != NULL && strcmp(s->zone, zone) == 0)
			return s;
		if (s->cal == NULL || s->used < victim->used)
			victim = s;
	}
	return victim;
}

static int
calendar_open(const char *zone, UCalendar **out)
{
	UChar id[TZ_NAME_MAX];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	int32_t len;

	if (!zone_to_uchars(zone, id, &len) || !icu_knows(id, len))
		return CD_EINVAL;
	cal = ucal_open(id, len, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		return st == U_MEMORY_ALLOCATION_ERROR ? CD_ENOMEM : CD_EINVAL;
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_LAST);
	*out = cal;
	return 0;
}

/* The calling thread's calendar for zone, opened on a cache miss. */
static int
calendar_for(const char *zone, UCalendar **out)
{
	struct cache *c = cache_get();
	struct slot *s;
	UCalendar *cal;
	int err;

	if (c == NULL)
		return CD_ENOMEM;
	if (zone == NULL)
		return CD_EINVAL;
	s = cache_slot(c, zone);
	if (s->cal == NULL || strcmp(s->zone, zone) != 0) {
		err = calendar_open(zone, &cal);
		if (err < 0)
			return err;
		if (s->cal != NULL)
			ucal_close(s->cal);
		s->cal = cal;
		snprintf(s->zone, sizeof(s->zone), "%s", zone);
	}
	s->used = ++c->clock;
	*out = s->cal;
	return 0;
}

static bool
wall_valid(const struct wall *w)
{
	if (w->year < YEAR_MIN || w->year > YEAR_MAX)
		return false;
	if (w->day < 1 || w->day > tz_days_in_month(w->year, w->month))
		return false;
	return w->hour >= 0 && w->hour <= 23 && w->minute >= 0 &&
	       w->minute <= 59 && w->second >= 0 && w->second <= 59;
}

static int
wall_to_ms(const char *zone, const struct wall *w, int64_t *out_ms)
{
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;
	UDate t;
	int err;

	if (!wall_valid(w))
		return CD_EINVAL;
	err = calendar_for(zone, &cal);
	if (err < 0)
		return err;
	ucal_clear(cal);
	ucal_setDateTime(cal, w->year, UCAL_JANUARY + w->month - 1, w->day,
			 w->hour, w->minute, w->second, &st);
	t = ucal_getMillis(cal, &st);
	if (U_FAILURE(st))
		return CD_EINVAL;
	*out_ms = (int64_t)t;
	return 0;
}

static int
digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Reads exactly "YYYY-MM-DD HH:MM:SS"; ranges are checked by wall_valid(). */
static bool
parse_datetime(const char *s, struct wall *w)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	size_t i;

	if (s == NULL || strnlen(s, sizeof(shape)) != sizeof(shape) - 1)
		return false;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';

		if (shape[i] == 'd' ? !digit : s[i] != shape[i])
			return false;
	}
	w->year = digits(s, 4);
	w->month = digits(s + 5, 2);
	w->day = digits(s + 8, 2);
	w->hour = digits(s + 11, 2);
	w->minute = digits(s + 14, 2);
	w->second = digits(s + 17, 2);
	return true;
}

int
tz_local_to_utc(const char *zone, const char *datetime, int64_t *out_ms)
{
	struct wall w;

	if (!parse_datetime(datetime, &w))
		return CD_EINVAL;
	return wall_to_ms(zone, &w, out_ms);
}

int
tz_at_local_time(const char *zone, int year, int month, int day,
		 int minute_of_day, int64_t *out_ms)
{
	struct wall w = {year, month, day, 0, 0, 0};

	if (minute_of_day < 0 || minute_of_day >= 24 * 60)
		return CD_EINVAL;
	w.hour = minute_of_day / 60;
	w.minute = minute_of_day % 60;
	return wall_to_ms(zone, &w, out_ms);
}

int
tz_to_local(const char *zone, int64_t ms, struct tz_local *out)
{
	UErrorCode st = U_ZERO_ERROR;
	struct tz_local l;
	UCalendar *cal;
	int err;

	if (ms < MS_MIN || ms > MS_MAX)
		return CD_ERANGE;
	err = calendar_for(zone, &cal);
	if (err < 0)
		return err;
	ucal_setMillis(cal, (UDate)ms, &st);
	l.year = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
	l.month = ucal_get(cal, UCAL_MONTH, &st) - UCAL_JANUARY + 1;
	l.day = ucal_get(cal, UCAL_DATE, &st);
	l.hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	l.minute = ucal_get(cal, UCAL_MINUTE, &st);
	l.second = ucal_get(cal, UCAL_SECOND, &st);
	l.wday = ucal_get(cal, UCAL_DAY_OF_WEEK, &st) - UCAL_SUNDAY;
	l.offset_min = (ucal_get(cal, UCAL_ZONE_OFFSET, &st) +
			ucal_get(cal, UCAL_DST_OFFSET, &st)) /
		       60000;
	if (U_FAILURE(st))
		return CD_EINVAL;
	*out = l;
	return 0;
}

int
tz_format_local(const char *zone, int64_t ms, char *buf, size_t len)
{
	struct tz_local l;
	int err, n;

	err = tz_to_local(zone, ms, &l);
	if (err < 0)
		return err;
	n = snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d", l.year, l.month,
		     l.day, l.hour, l.minute, l.second);
	if (n < 0 || (size_t)n >= len)
		return CD_ERANGE;
	return 0;
}
