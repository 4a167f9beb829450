/*
 * A hash map from positive 64-bit ids to pointers, for the in-memory
 * tables of long-running services. Not thread-safe: callers lock.
 */
#ifndef CD_IDMAP_H
#define CD_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
	int64_t *keys; /* 0 marks an empty slot */
	void **vals;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* Returns the value stored for id (> 0), or NULL. */
void *idmap_get(const struct idmap *m, int64_t id);

/* Stores val for id (> 0), replacing any old value. 0 or CD_ENOMEM. */
int idmap_put(struct idmap *m, int64_t id, void *val);

/* Removes id and returns what was stored for it, or NULL. */
void *idmap_del(struct idmap *m, int64_t id);

/* Frees the map's memory, not the values. */
void idmap_free(struct idmap *m);

#endif
