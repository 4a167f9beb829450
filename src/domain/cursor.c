/*
 * Cursor encoding: nine bytes (version 1, then the id big-endian) in
 * unpadded base64url, which is exactly twelve characters.
 */
#include <string.h>

#include "core/err.h"
#include "domain/cursor.h"

#define CURSOR_VERSION 1

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
cursor_encode(int64_t last_id, char *out)
{
	unsigned char raw[9];
	uint64_t v = (uint64_t)last_id;
	int i, o = 0;

	raw[0] = CURSOR_VERSION;
	for (i = 8; i >= 1; i--, v >>= 8)
		raw[i] = (unsigned char)(v & 0xff);
	for (i = 0; i < 9; i += 3) {
		unsigned w = (unsigned)raw[i] << 16 |
			     (unsigned)raw[i + 1] << 8 | raw[i + 2];
		out[o++] = alphabet[w >> 18 & 63];
		out[o++] = alphabet[w >> 12 & 63];
		out[o++] = alphabet[w >> 6 & 63];
		out[o++] = alphabet[w & 63];
	}
	out[o] = '\0';
}

static int
sextet(char c)
{
	const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

int
cursor_decode(const char *s, int64_t *last_id)
{
	unsigned char raw[9];
	uint64_t v = 0;
	int i, j;

	if (s == NULL || strlen(s) != CURSOR_LEN)
		return CD_EINVAL;
	for (i = 0, j = 0; i < CURSOR_LEN; i += 4, j += 3) {
		int a = sextet(s[i]), b = sextet(s[i + 1]);
		int c = sextet(s[i + 2]), d = sextet(s[i + 3]);
		unsigned w;

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return CD_EINVAL;
		w = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 |
		    (unsigned)d;
		raw[j] = (unsigned char)(w >> 16);
		raw[j + 1] = (unsigned char)(w >> 8);
		raw[j + 2] = (unsigned char)w;
	}
	if (raw[0] != CURSOR_VERSION)
		return CD_EINVAL;
	for (i = 1; i <= 8; i++)
		v = v << 8 | raw[i];
	if (v == 0 || v > INT64_MAX)
		return CD_EINVAL;
	*last_id = (int64_t)v;
	return 0;
}
