/*
 * Unit tests for the id map: entries survive growth and removals of their
 * neighbours, removed ids are gone, and a long mix of puts and removals
 * agrees with a plain array at every step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/idmap.h"

/* Values are the ids' own addresses in this table, so each is distinct. */
static char slots[4096];

static void *
val_of(int64_t id)
{
	return &slots[id];
}

static void
test_put_get_del(void **state)
{
	struct idmap m = {0};

	(void)state;
	assert_null(idmap_get(&m, 7));
	assert_null(idmap_del(&m, 7));
	for (int64_t id = 1; id <= 1000; id++)
		assert_int_equal(idmap_put(&m, id, val_of(id)), 0);
	assert_int_equal(m.n, 1000);
	for (int64_t id = 1; id <= 1000; id += 2)
		assert_ptr_equal(idmap_del(&m, id), val_of(id));
	assert_int_equal(m.n, 500);
	for (int64_t id = 1; id <= 1000; id++)
		assert_ptr_equal(idmap_get(&m, id), id % 2 ? NULL : val_of(id));
	assert_null(idmap_del(&m, 1));
	assert_int_equal(m.n, 500);
	idmap_free(&m);
}

/*
 * Random puts and removals over a small id range keep probe runs long and
 * make them wrap around the end of the table; after each step every id
 * must read back as the reference array says.
 */
static void
test_agrees_with_an_array(void **state)
{
	enum { IDS = 4000, STEPS = 60000 };
	static bool present[IDS + 1];
	struct idmap m = {0};
	size_t n = 0;

	(void)state;
	srand(12345);
	for (int step = 0; step < STEPS; step++) {
		int64_t id = 1 + rand() % IDS;

		if (rand() % 3 == 0) {
			assert_ptr_equal(idmap_del(&m, id),
					 present[id] ? val_of(id) : NULL);
			n -= present[id];
			present[id] = false;
		} else {
			assert_int_equal(idmap_put(&m, id, val_of(id)), 0);
			n += !present[id];
			present[id] = true;
		}
		assert_int_equal(m.n, n);
		if (step % 997 != 0)
			continue;
		for (int64_t k = 1; k <= IDS; k++)
			assert_ptr_equal(idmap_get(&m, k),
					 present[k] ? val_of(k) : NULL);
	}
	for (int64_t k = 1; k <= IDS; k++)
		assert_ptr_equal(idmap_get(&m, k),
				 present[k] ? val_of(k) : NULL);
	idmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_put_get_del),
	    cmocka_unit_test(test_agrees_with_an_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
