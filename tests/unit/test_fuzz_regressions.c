/*
 * Replays the inputs kept under fuzz/regressions/<target>/ (each one made a
 * fuzz target fail once) and the seeds under fuzz/corpus/<target>/ through
 * the fuzz targets' own code, and the raw requests under
 * fuzz/regressions/http/ through an in-process server, so that what was
 * fixed stays fixed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "api/api.h"
#include "domain/tz.h"
#include "http/server.h"
#include "store/store.h"

/* The input being replayed, named when a target's check fails. */
static const char *replay_current = "";

#define FUZZ_NO_MAIN
#define FUZZ_FAIL(...)                                                         \
	do {                                                                   \
		print_error("%s: ", replay_current);                           \
		fail_msg(__VA_ARGS__);                                         \
	} while (0)

#include "../../fuzz/body.c"
#include "../../fuzz/conditions.c"
#include "../../fuzz/csv.c"
#include "../../fuzz/cursor.c"
#include "../../fuzz/e164.c"
#include "../../fuzz/jsonout.c"
#include "../../fuzz/template.c"
#include "../../fuzz/tz.c"
#include "../../fuzz/window.c"
#include "../../fuzz/wire.c"

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Finds the fuzz/ folder: $FUZZ_DIR, then from the working directory (make
 * runs the tests from the top of the tree), then next to this file.
 */
static const char *
fuzz_dir(void)
{
	static char path[4096];
	const char *env = getenv("FUZZ_DIR");
	const char *slash;

	if (env != NULL && env[0] != '\0')
		return env;
	if (is_dir("fuzz/corpus"))
		return "fuzz";
	slash = strrchr(__FILE__, '/');
	snprintf(path, sizeof(path), "%.*s/../../fuzz",
		 slash != NULL ? (int)(slash - __FILE__) : 1,
		 slash != NULL ? __FILE__ : ".");
	return path;
}

/* Reads a whole file; NULL when it cannot. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static int
not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Replays every file of dir through fn; returns how many there were. */
static size_t
replay_dir(const char *dir, fuzz_fn fn)
{
	char path[4096];
	struct dirent **names;
	uint8_t *data;
	size_t count = 0, len = 0;
	int n, i;

	n = scandir(dir, &names, not_hidden, alphasort);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		if (is_dir(path))
			continue;
		data = read_file(path, &len);
		if (data == NULL)
			fail_msg("cannot read %s", path);
		replay_current = path;
		fn(data, len);
		replay_current = "";
		free(data);
		count++;
	}
	free(names);
	return count;
}

/* The seeds must be there, so that a moved folder cannot pass unnoticed. */
static void
replay(const char *target, fuzz_fn fn)
{
	char dir[4096];
	size_t seeds;

	snprintf(dir, sizeof(dir), "%s/corpus/%s", fuzz_dir(), target);
	seeds = replay_dir(dir, fn);
	if (seeds == 0)
		fail_msg("no seed inputs in %s (set FUZZ_DIR)", dir);
	snprintf(dir, sizeof(dir), "%s/regressions/%s", fuzz_dir(), target);
	replay_dir(dir, fn);
}

static void
test_body(void **state)
{
	(void)state;
	replay("body", fuzz_body);
}

static void
test_csv(void **state)
{
	(void)state;
	replay("csv", fuzz_csv);
}

static void
test_conditions(void **state)
{
	(void)state;
	replay("conditions", fuzz_conditions);
}

static void
test_template(void **state)
{
	(void)state;
	replay("template", fuzz_template);
}

static void
test_jsonout(void **state)
{
	(void)state;
	replay("jsonout", fuzz_jsonout);
}

static void
test_wire(void **state)
{
	(void)state;
	replay("wire", fuzz_wire);
}

static void
test_e164(void **state)
{
	(void)state;
	replay("e164", fuzz_e164);
}

static void
test_cursor(void **state)
{
	(void)state;
	replay("cursor", fuzz_cursor);
}

static void
test_window(void **state)
{
	(void)state;
	replay("window", fuzz_window);
}

static void
test_tz(void **state)
{
	(void)state;
	replay("tz", fuzz_tz);
}

/* --- Raw HTTP requests --- */

/* The daemon's API on a fresh store, served on a loopback port. */
struct http_rig {
	char dir[64];
	struct store *store;
	struct api *api;
	struct http_server *srv;
	unsigned port;
};

static void
rig_path(const struct http_rig *r, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", r->dir, name);
}

static void
rig_start(struct http_rig *r)
{
	char db[128];

	snprintf(r->dir, sizeof(r->dir), "/tmp/cd-fuzz-regress-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	rig_path(r, "store.db", db, sizeof(db));
	assert_int_equal(store_open(db, &r->store), 0);
	r->api = api_new(r->store, NULL);
	assert_non_null(r->api);
	struct http_config cfg = {.listen = "127.0.0.1:0",
				  .fn = api_handle,
				  .limit = api_body_limit,
				  .ctx = r->api};

	assert_int_equal(http_start(&cfg, &r->srv), 0);
	r->port = http_port(r->srv);
	assert_true(r->port > 0);
}

static void
rig_stop(struct http_rig *r)
{
	static const char *const files[] = {"store.db", "store.db-wal",
					    "store.db-shm"};
	char path[128];
	size_t i;

	http_stop(r->srv);
	api_free(r->api);
	store_close(r->store);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		rig_path(r, files[i], path, sizeof(path));
		unlink(path);
	}
	rmdir(r->dir);
}

/*
 * Sends len bytes on a new connection and reads the reply until the server
 * closes or 5 s pass. Returns the reply's status, 0 when there is none.
 */
static int
http_exchange(unsigned port, const void *req, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct timeval tv = {5, 0};
	char reply[4096];
	size_t got = 0;
	ssize_t n;
	int fd, status = 0;

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	for (size_t off = 0; off < len; off += (size_t)n) {
		n = send(fd, (const char *)req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
	}
	while (got < sizeof(reply) - 1 &&
	       (n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	close(fd);
	if (sscanf(reply, "HTTP/1.%*1d %d", &status) != 1)
		status = 0;
	return status;
}

static int
http_health(unsigned port)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";

	return http_exchange(port, req, sizeof(req) - 1);
}

/*
 * Each kept request gets an answer other than 500 (or none, for framing
 * the server refuses), and the server still answers /health after it.
 */
static void
test_http(void **state)
{
	char dir[2048], path[4096];
	struct dirent **names;
	struct http_rig rig;
	uint8_t *data;
	size_t len = 0;
	int n, i, bad = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/regressions/http", fuzz_dir());
	n = scandir(dir, &names, not_hidden, alphasort);
	if (n <= 0)
		fail_msg("no requests in %s (set FUZZ_DIR)", dir);
	rig_start(&rig);
	assert_int_equal(http_health(rig.port), 200);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		data = read_file(path, &len);
		if (data == NULL)
			fail_msg("cannot read %s", path);
		if (http_exchange(rig.port, data, len) == 500) {
			print_error("%s: the server answered 500\n", path);
			bad++;
		}
		free(data);
		if (http_health(rig.port) != 200)
			fail_msg("%s: /health stopped answering", path);
	}
	free(names);
	rig_stop(&rig);
	if (bad > 0)
		fail_msg("%d kept requests got a 500", bad);
}

/* Frees this thread's calendars so valgrind sees no leak. */
static int
teardown(void **state)
{
	(void)state;
	tz_thread_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_body),       cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_conditions), cmocka_unit_test(test_template),
	    cmocka_unit_test(test_e164),       cmocka_unit_test(test_jsonout),
	    cmocka_unit_test(test_cursor),     cmocka_unit_test(test_window),
	    cmocka_unit_test(test_tz),	       cmocka_unit_test(test_http),
	    cmocka_unit_test(test_wire),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
