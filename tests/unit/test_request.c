/*
 * Unit tests for HTTP requests as handlers see them: percent-decoding,
 * the query split into parameters, trimmed header values looked up by any
 * case, and a body that stops growing at its limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/request.h"
#include "http/server.h"

static void
test_unescape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(http_unescape(out, "a%20b%2Fc", 9, false), 5);
	assert_string_equal(out, "a b/c");
	assert_int_equal(http_unescape(out, "a+b", 3, true), 3);
	assert_string_equal(out, "a b");
	http_unescape(out, "a+b", 3, false);
	assert_string_equal(out, "a+b");
	/* A '%' without two hex digits after it stays as it is. */
	http_unescape(out, "100%", 4, false);
	assert_string_equal(out, "100%");
	http_unescape(out, "%zz%4", 5, false);
	assert_string_equal(out, "%zz%4");
	http_unescape(out, "%e2%82%AC", 9, false);
	assert_string_equal(out, "\xe2\x82\xac");
}

/*
 * Builds a request from "METHOD URL\nName: value\n..." the way the server
 * hands the parser's findings over: spans into the text, values untrimmed.
 */
static struct http_request *
make(const char *text)
{
	static struct http_head head;
	const char *sp = strchr(text, ' ');
	const char *p = strchr(text, '\n');
	const char *colon;

	memset(&head, 0, sizeof(head));
	head.method = "GET";
	head.url.off = (size_t)(sp + 1 - text);
	head.url.len = (size_t)(p - sp - 1);
	while (*++p != '\0') {
		colon = strchr(p, ':');
		head.name[head.n].off = (size_t)(p - text);
		head.name[head.n].len = (size_t)(colon - p);
		p = strchr(colon, '\n');
		head.value[head.n].off = (size_t)(colon + 1 - text);
		head.value[head.n].len = (size_t)(p - colon - 1);
		head.n++;
	}
	return request_new(&head, text);
}

static void
test_path_and_query(void **state)
{
	struct http_request *req =
	    make("GET /api/v1/a%20b?status=in%20progress&x=1+2&&flag&"
		 "status=second#frag\n");

	(void)state;
	assert_non_null(req);
	assert_string_equal(http_method(req), "GET");
	assert_string_equal(http_path(req), "/api/v1/a b");
	assert_string_equal(http_query(req, "status"), "in progress");
	assert_string_equal(http_query(req, "x"), "1 2");
	assert_string_equal(http_query(req, "flag"), "");
	assert_null(http_query(req, "missing"));
	assert_null(http_query(req, "STATUS"));
	request_free(req);

	req = make("GET /health\n");
	assert_string_equal(http_path(req), "/health");
	assert_null(http_query(req, "status"));
	request_free(req);
}

static void
test_headers(void **state)
{
	struct http_request *req = make("GET /\nHost:  example \n"
					"Authorization: Bearer k\t\n"
					"X-Empty:\nx-dup: one\nX-Dup: two\n");

	(void)state;
	assert_string_equal(http_header(req, "host"), "example");
	assert_string_equal(http_header(req, "AUTHORIZATION"), "Bearer k");
	assert_string_equal(http_header(req, "X-Empty"), "");
	assert_string_equal(http_header(req, "X-Dup"), "one");
	assert_null(http_header(req, "Content-Type"));
	request_free(req);
}

static void
test_body_limit(void **state)
{
	struct http_request *req = make("POST /\n");
	size_t len;
	char block[3000];

	(void)state;
	memset(block, 'a', sizeof(block));
	req->max = 10000;
	assert_string_equal(http_body(req, &len), "");
	assert_int_equal(len, 0);
	assert_int_equal(request_take_body(req, block, 3000), 0);
	assert_int_equal(request_take_body(req, block, 3000), 0);
	assert_int_equal(request_take_body(req, block, 3000), 0);
	assert_false(req->too_large);
	assert_int_equal(strlen(http_body(req, &len)), 9000);
	assert_int_equal(len, 9000);
	/* One more block passes the limit: the body is dropped. */
	assert_int_equal(request_take_body(req, block, 3000), 0);
	assert_true(req->too_large);
	assert_int_equal(request_take_body(req, block, 10), 0);
	http_body(req, &len);
	assert_int_equal(len, 0);
	request_free(req);
}

static int freed;

static void
count_free(void *p)
{
	assert_ptr_equal(p, &freed);
	freed++;
}

static void
test_state_is_freed_with_the_request(void **state)
{
	struct http_request *req = make("GET /\n");

	(void)state;
	http_set_state(req, &freed, count_free);
	assert_ptr_equal(http_state(req), &freed);
	request_free(req);
	assert_int_equal(freed, 1);
	request_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unescape),
	    cmocka_unit_test(test_path_and_query),
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_body_limit),
	    cmocka_unit_test(test_state_is_freed_with_the_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
