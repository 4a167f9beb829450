/*
 * Shared pieces of the fuzz targets: one entry point per target, so the
 * cmocka regression test can replay inputs through the very same code.
 */
#ifndef CD_FUZZ_H
#define CD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each target: feeds one input (any bytes, any length) to the code under
 * test and checks what the headers promise. Returns 0; a broken promise
 * calls FUZZ_FAIL, a memory error is left to the sanitizers.
 */
int fuzz_body(const uint8_t *data, size_t size);
int fuzz_csv(const uint8_t *data, size_t size);
int fuzz_conditions(const uint8_t *data, size_t size);
int fuzz_template(const uint8_t *data, size_t size);
int fuzz_e164(const uint8_t *data, size_t size);
int fuzz_cursor(const uint8_t *data, size_t size);
int fuzz_window(const uint8_t *data, size_t size);
int fuzz_tz(const uint8_t *data, size_t size);
int fuzz_jsonout(const uint8_t *data, size_t size);
int fuzz_wire(const uint8_t *data, size_t size);

/*
 * A broken promise. Under libFuzzer it aborts so the input is saved as a
 * crash; the regression test defines its own to fail the test instead.
 */
#ifndef FUZZ_FAIL
#define FUZZ_FAIL(...)                                                         \
	do {                                                                   \
		fprintf(stderr, "fuzz: %s:%d: ", __FILE__, __LINE__);          \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		abort();                                                       \
	} while (0)
#endif

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			FUZZ_FAIL("check failed: %s", #cond);                  \
	} while (0)

/* The instant every target calls "now": 2024-03-10 12:00:00 UTC. */
#define FUZZ_NOW 1710072000000LL

/*
 * Copies size bytes into a malloc'd NUL-terminated string, as the daemon
 * sees text that came through JSON or a query string. NULL when out of
 * memory.
 */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		if (size > 0)
			memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/*
 * Splits [*data, *data + *size) at the first NUL: returns a malloc'd copy
 * of the part before it and moves *data and *size past the NUL (to the
 * end when there is none). NULL when out of memory.
 */
static inline char *
fuzz_take_part(const uint8_t **data, size_t *size)
{
	const uint8_t *nul = *size > 0 ? memchr(*data, '\0', *size) : NULL;
	size_t n = nul != NULL ? (size_t)(nul - *data) : *size;
	char *s = fuzz_strndup(*data, n);

	*data += nul != NULL ? n + 1 : n;
	*size -= nul != NULL ? n + 1 : n;
	return s;
}

/* Reads up to 8 bytes, little-endian, as an int64 (0 for what is missing). */
static inline int64_t
fuzz_take_i64(const uint8_t **data, size_t *size)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8 && *size > 0; i++, (*data)++, (*size)--)
		v |= (uint64_t) * *data << (8 * i);
	return (int64_t)v;
}

#endif
