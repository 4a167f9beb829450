/*
 * A growing byte buffer that stays NUL-terminated, for text built piece by
 * piece (JSON output, rendered templates, request bodies).
 */
#ifndef CD_BUF_H
#define CD_BUF_H

#include <stddef.h>

/* Zero-initialised it is empty; data is NULL until the first append. */
struct buf {
	char *data; /* malloc'd, NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

/*
 * Appends n bytes of s. The buffer never holds more than max bytes (its
 * NUL aside) and never allocates beyond what max needs. Returns 0,
 * CD_ERANGE when the bytes would pass max (nothing is added), or
 * CD_ENOMEM.
 */
int buf_add(struct buf *b, const void *s, size_t n, size_t max);

/* Frees the bytes and empties the buffer. */
void buf_free(struct buf *b);

#endif
