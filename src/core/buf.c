/*
 * Growing byte buffers: capacity doubles from 256 bytes, capped by what
 * the caller's maximum needs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

int
buf_add(struct buf *b, const void *s, size_t n, size_t max)
{
	size_t cap;
	char *data;

	if (max >= SIZE_MAX || n > max || b->len > max - n)
		return CD_ERANGE;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap = cap <= max / 2 ? cap * 2 : max + 1;
		if (cap > max + 1)
			cap = max + 1;
		if ((data = realloc(b->data, cap)) == NULL)
			return CD_ENOMEM;
		b->data = data;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}
