/*
 * Opaque paging cursors: a client gets one with each page and passes it
 * back for the next. It encodes the last line id seen and a version byte.
 */
#ifndef CD_CURSOR_H
#define CD_CURSOR_H

#include <stdint.h>

#define CURSOR_LEN 12 /* characters, without the NUL */

/* Writes the cursor after `last_id` (> 0) into out (CURSOR_LEN + 1). */
void cursor_encode(int64_t last_id, char *out);

/*
 * Decodes a cursor into *last_id. Returns 0, or CD_EINVAL for anything
 * cursor_encode did not make.
 */
int cursor_decode(const char *s, int64_t *last_id);

#endif
