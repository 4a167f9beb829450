/*
 * Open addressing with linear probing; the table doubles at half full.
 * Removal moves later entries of the same probe run back into the hole,
 * so lookups never need tombstones and a table does not fill with them.
 */
#include <stdlib.h>

#include "core/err.h"
#include "core/idmap.h"

static size_t
slot_of(int64_t id, size_t cap)
{
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (cap - 1);
}

void *
idmap_get(const struct idmap *m, int64_t id)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = slot_of(id, m->cap); m->keys[i] != 0;
	     i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == id)
			return m->vals[i];
	return NULL;
}

static void
insert(int64_t *keys, void **vals, size_t cap, int64_t id, void *val)
{
	size_t i = slot_of(id, cap);

	while (keys[i] != 0 && keys[i] != id)
		i = (i + 1) & (cap - 1);
	keys[i] = id;
	vals[i] = val;
}

static int
grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	int64_t *keys = calloc(cap, sizeof(*keys));
	void **vals = calloc(cap, sizeof(*vals));

	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return CD_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != 0)
			insert(keys, vals, cap, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int
idmap_put(struct idmap *m, int64_t id, void *val)
{
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return CD_ENOMEM;
	if (idmap_get(m, id) == NULL)
		m->n++;
	insert(m->keys, m->vals, m->cap, id, val);
	return 0;
}

void *
idmap_del(struct idmap *m, int64_t id)
{
	size_t mask = m->cap - 1, hole, i, home;
	void *val;

	if (m->cap == 0)
		return NULL;
	for (hole = slot_of(id, m->cap); m->keys[hole] != id;
	     hole = (hole + 1) & mask)
		if (m->keys[hole] == 0)
			return NULL;
	val = m->vals[hole];
	/*
	 * An entry after the hole may move into it only if its home slot
	 * does not lie cyclically in (hole, i]: otherwise a lookup starting
	 * at its home would stop at the hole before reaching it.
	 */
	for (i = (hole + 1) & mask; m->keys[i] != 0; i = (i + 1) & mask) {
		home = slot_of(m->keys[i], m->cap);
		if (((i - home) & mask) < ((i - hole) & mask))
			continue;
		m->keys[hole] = m->keys[i];
		m->vals[hole] = m->vals[i];
		hole = i;
	}
	m->keys[hole] = 0;
	m->vals[hole] = NULL;
	m->n--;
	return val;
}

void
idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}
