/*
 * JSON text from jansson values, as json_dumps() writes it except that reals
 * take the fewest digits that read back to the same double (0.1, not 0.1...1).
 */
#ifndef CD_JSONOUT_H
#define CD_JSONOUT_H

#include <stddef.h>

#include <jansson.h>

/* Room jsonout_format_real() needs for any double and any precision. */
#define JSONOUT_REAL_MAX 64

/*
 * A drop-in for jansson 2.14's json_dumps(json, flags): returns a malloc'd
 * NUL-terminated text the caller releases with free(), or NULL when memory
 * runs out or the value cannot be encoded: json is NULL; the top level is
 * neither an object nor an array and JSON_ENCODE_ANY is absent; a container
 * holds itself (a cycle); a string or key is not valid UTF-8 (possible only
 * through jansson's *_nocheck setters); a real is NaN or infinite; or flags
 * hold a flag not listed below.
 *
 * Supported flags, with jansson's meaning:
 * - 0: one line, ", " between items and ": " after keys;
 * - JSON_COMPACT: "," and ":" without spaces;
 * - JSON_ENCODE_ANY: any value may be the top level;
 * - JSON_SORT_KEYS: object keys in bytewise order (as memcmp, shorter first
 *   on a tie); without it keys come in jansson's insertion order;
 * - JSON_PRESERVE_ORDER: accepted and ignored, as in jansson 2.14;
 * - JSON_REAL_PRECISION(n), n > 0: reals exactly as jansson writes them,
 *   "%.<n>g" tidied, not the shortest form.
 * Refused (NULL): JSON_INDENT(n) with n > 0, JSON_ENSURE_ASCII,
 * JSON_ESCAPE_SLASH and JSON_EMBED.
 *
 * Everything but reals without JSON_REAL_PRECISION is byte-identical to
 * json_dumps(). Those reals are written as jsonout_format_real() says.
 * Differences from json_dumps(), all for values jansson cannot write well:
 * an invalid UTF-8 key gives NULL where jansson writes broken JSON.
 */
char *jsonout_dumps(const json_t *json, size_t flags);

/*
 * Writes value into out (size bytes, JSONOUT_REAL_MAX is always enough) as a
 * JSON number and returns its length, the text NUL-terminated. precision 0
 * picks the smallest p from 1 to 17 whose "%.<p>g" text reads back (strtod)
 * to exactly value; precision 1 to 31 uses "%.<precision>g" as is. The text
 * is then tidied as jansson does: ".0" is added when it has neither '.' nor
 * 'e', and the exponent loses its '+' and leading zeros (1e+300 -> 1e300,
 * 1e-05 -> 1e-5). The decimal point is '.' whatever the locale.
 * Returns CD_EINVAL for NaN, infinities or a precision outside 0..31, and
 * CD_ERANGE when size is too small.
 */
int jsonout_format_real(double value, int precision, char *out, size_t size);

#endif
