/*
 * Checking E.164 numbers. The checker reports the first rule broken so
 * that a client can fix the number without guessing.
 */
#include <stddef.h>

#include "core/err.h"
#include "domain/e164.h"

#define E164_EXAMPLE "e.g. +15551234567"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Returns the first rule s breaks as a message, or NULL when it is valid. */
static const char *
e164_problem(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return "is empty; expected '+' and a country "
		       "code, " E164_EXAMPLE;
	if (s[0] != '+')
		return "must start with '+' and a country code, " E164_EXAMPLE;
	for (n = 0; s[n + 1] != '\0'; n++) {
		if (!is_digit(s[n + 1]))
			return "may contain only digits after the '+', with no "
			       "spaces or punctuation, " E164_EXAMPLE;
	}
	if (n > 0 && s[1] == '0')
		return "has a country code starting with 0; country codes "
		       "start with 1-9";
	if (n < E164_MIN_DIGITS)
		return "is too short; E.164 numbers have at least 7 digits "
		       "after the '+'";
	if (n > E164_MAX_DIGITS)
		return "is too long; E.164 numbers have at most 15 digits "
		       "after the '+'";
	return NULL;
}

bool
e164_valid(const char *s)
{
	return e164_problem(s) == NULL;
}

int
e164_check(const char *s, const char *field, struct verr *err)
{
	const char *problem = e164_problem(s);

	if (problem == NULL)
		return 0;
	return verr_set(err, field, "invalid_e164", "%s %s",
			field && field[0] ? field : "phone number", problem);
}
