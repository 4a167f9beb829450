/*
 * E.164 telephone numbers, the only form campaignd stores and dials:
 * a '+', a country code that does not start with 0, and 7 to 15 digits.
 */
#ifndef CD_E164_H
#define CD_E164_H

#include <stdbool.h>

#include "core/verr.h"

#define E164_MIN_DIGITS 7
#define E164_MAX_DIGITS 15

/*
 * Returns true when s is exactly '+' followed by E164_MIN_DIGITS to
 * E164_MAX_DIGITS ASCII digits, the first of them 1-9. Spaces, dashes,
 * brackets and non-ASCII digits are all rejected. NULL is not valid.
 */
bool e164_valid(const char *s);

/*
 * Returns 0 when s is valid as above. Otherwise returns CD_EINVAL and, when
 * err is not NULL, fills it with the given field, the code "invalid_e164"
 * and a message saying what is wrong with the number.
 */
int e164_check(const char *s, const char *field, struct verr *err);

#endif
