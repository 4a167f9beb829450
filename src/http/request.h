/*
 * One HTTP request as the server hands it to a handler: its head copied out
 * of the connection's input (path and query decoded), its body, and the
 * handler's state. Internal to src/http; handlers use server.h.
 */
#ifndef CD_HTTP_REQUEST_H
#define CD_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define HTTP_HEADERS_MAX 100

/* A piece of the input buffer, as offsets, since the buffer may move. */
struct http_span {
	size_t off, len;
};

/* Where the parser found the parts of a request head in its input. */
struct http_head {
	const char *method; /* static */
	struct http_span url;
	struct http_span name[HTTP_HEADERS_MAX];
	struct http_span value[HTTP_HEADERS_MAX];
	unsigned n;
};

struct http_pair {
	const char *name, *value;
};

struct http_request {
	void *conn; /* the server's connection */
	struct http_request *next_resumed;
	const char *method;
	const char *path;
	struct http_pair *header, *query;
	unsigned nheader, nquery;

	struct buf body;
	size_t max; /* the body limit of this request */
	bool too_large;
	bool busy; /* counted in the server's busy requests */
	bool suspended;

	void *state;
	void (*state_free)(void *state);
	/* the decoded text that the pointers above point into follows */
};

/*
 * Returns a request built from the head that the parser found in base, or
 * NULL when out of memory. Header values lose their surrounding blanks;
 * the path and query parameters are percent-decoded, '+' in the query
 * being a space. Free it with request_free().
 */
struct http_request *request_new(const struct http_head *head,
				 const char *base);

/* Runs the state's free function and frees the request; NULL is a no-op. */
void request_free(struct http_request *req);

/*
 * Appends n bytes of body, keeping it NUL-terminated. Past req->max the
 * body is dropped and req->too_large set. Returns 0, or -1 when out of
 * memory.
 */
int request_take_body(struct http_request *req, const char *data, size_t n);

/*
 * Decodes %XX escapes of src[0..n) into dst (n + 1 bytes), and '+' into a
 * space when plus is set; a '%' not followed by two hex digits is kept.
 * Returns the decoded length; dst is NUL-terminated.
 */
size_t http_unescape(char *dst, const char *src, size_t n, bool plus);

#endif
