/*
 * Fuzz target: E.164 numbers. The input is the number text (cut at a NUL,
 * as JSON strings with NULs never reach the check); e164_valid() and
 * e164_check() are compared with a plain restatement of the rule.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "domain/e164.h"
#include "fuzz.h"

/* The rule of e164.h, written out independently. */
static bool
e164_reference(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 + E164_MIN_DIGITS || n > 1 + E164_MAX_DIGITS || s[0] != '+')
		return false;
	if (s[1] < '1' || s[1] > '9')
		return false;
	for (i = 2; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
fuzz_e164(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	struct verr err;
	bool valid;
	int rc;

	if (s == NULL)
		return 0;
	valid = e164_valid(s);
	FUZZ_CHECK(valid == e164_reference(s));
	memset(&err, 0, sizeof(err));
	rc = e164_check(s, "to_number", &err);
	FUZZ_CHECK(rc == (valid ? 0 : CD_EINVAL));
	if (!valid) {
		FUZZ_CHECK(strcmp(err.field, "to_number") == 0);
		FUZZ_CHECK(strcmp(err.code, "invalid_e164") == 0);
		FUZZ_CHECK(strncmp(err.message, "to_number ", 10) == 0);
	}
	FUZZ_CHECK(e164_check(s, NULL, NULL) == rc);
	FUZZ_CHECK(e164_check(s, "", &err) == rc);
	free(s);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_e164(data, size);
}
#endif
