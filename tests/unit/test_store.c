/*
 * Unit tests for the store's read snapshot on a real SQLite file: reads
 * between store_read_begin() and store_read_end() do not see a write
 * committed meanwhile, and reads after it do; ending a read that was
 * never begun is harmless; a connection given back loses its snapshot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

struct rig {
	char dir[64];
	char db[96];
	struct store *store;
};

static int
add_account(struct store_conn *c, void *arg)
{
	int64_t id;

	return store_account_ensure(c, arg, 1, &id);
}

static int64_t
accounts(struct store_conn *c)
{
	int64_t n = -1;

	assert_int_equal(store_account_count(c, &n), 0);
	return n;
}

static int
setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	snprintf(r->dir, sizeof(r->dir), "/tmp/cd-store-test-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->db, sizeof(r->db), "%s/store.db", r->dir);
	assert_int_equal(store_open(r->db, &r->store), 0);
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	struct rig *r = *state;
	char path[128];

	store_close(r->store);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", r->db, suffix[i]);
		unlink(path);
	}
	rmdir(r->dir);
	free(r);
	return 0;
}

static void
test_snapshot_hides_later_writes(void **state)
{
	struct rig *r = *state;
	struct store_conn *c;

	assert_int_equal(store_write(r->store, add_account, "first"), 0);
	c = store_acquire(r->store);
	assert_non_null(c);
	assert_int_equal(store_read_begin(c), 0);
	assert_int_equal(accounts(c), 1);

	/* Committed and durable, but after the snapshot was taken. */
	assert_int_equal(store_write(r->store, add_account, "second"), 0);
	assert_int_equal(accounts(c), 1);
	assert_int_equal(accounts(c), 1);

	store_read_end(c);
	assert_int_equal(accounts(c), 2);
	store_release(r->store, c);
}

static void
test_reads_without_a_snapshot_see_each_commit(void **state)
{
	struct rig *r = *state;
	struct store_conn *c = store_acquire(r->store);

	assert_non_null(c);
	store_read_end(c); /* nothing begun: nothing happens */
	assert_int_equal(accounts(c), 0);
	assert_int_equal(store_write(r->store, add_account, "one"), 0);
	assert_int_equal(accounts(c), 1);

	/* A snapshot can be taken again on the same connection. */
	assert_int_equal(store_read_begin(c), 0);
	assert_int_equal(accounts(c), 1);
	assert_int_equal(store_write(r->store, add_account, "two"), 0);
	assert_int_equal(accounts(c), 1);
	store_read_end(c);
	assert_int_equal(accounts(c), 2);
	store_release(r->store, c);
}

static void
test_release_ends_the_snapshot(void **state)
{
	struct rig *r = *state;
	struct store_conn *c = store_acquire(r->store), *again;

	assert_non_null(c);
	assert_int_equal(store_read_begin(c), 0);
	assert_int_equal(accounts(c), 0);
	store_release(r->store, c);
	assert_int_equal(store_write(r->store, add_account, "later"), 0);

	/* The thread gets the same connection back, seeing the write. */
	again = store_acquire(r->store);
	assert_ptr_equal(again, c);
	assert_int_equal(accounts(again), 1);
	store_release(r->store, again);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_snapshot_hides_later_writes,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_reads_without_a_snapshot_see_each_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_ends_the_snapshot,
					    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
