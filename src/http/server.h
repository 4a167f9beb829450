/*
 * The HTTP server: libmicrohttpd with a thread per connection, a body size
 * limit, and one callback per complete request. It knows nothing of routes.
 */
#ifndef CD_HTTP_SERVER_H
#define CD_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_BODY_MAX	(64 * 1024)	   /* for most requests */
#define HTTP_UPLOAD_MAX (16 * 1024 * 1024) /* for those that carry files */

struct http_server;
struct http_request; /* opaque; read through the accessors below */

struct http_response {
	int status;
	char *body; /* malloc'd; the server frees it */
	size_t body_len;
	const char *content_type; /* static string; JSON when NULL */
	char extra_headers[256];  /* "Name: value\n" lines, e.g. Retry-After */

	/*
	 * A body produced piece by piece (sent chunked) instead of `body`:
	 * stream() fills up to max bytes of buf and returns how many, 0 at
	 * the end, or -1 to abort the response. stream_free(stream_cls) runs
	 * once the response is done, sent or not.
	 */
	long (*stream)(void *cls, char *buf, size_t max);
	void (*stream_free)(void *cls);
	void *stream_cls;
};

/*
 * Called once per request with its whole body; fills *res. Runs on the
 * connection's thread and may block (for a commit, say).
 */
typedef void (*http_handler_fn)(struct http_request *req,
				struct http_response *res, void *ctx);

/*
 * Returns the largest body a request to (method, path) with this
 * Authorization header (NULL when absent) may carry; larger ones are
 * answered 413 without reaching the handler. ctx is http_start's.
 */
typedef size_t (*http_limit_fn)(void *ctx, const char *method, const char *path,
				const char *authorization);

/*
 * Starts listening on `listen` ("HOST:PORT"; port 0 picks a free one).
 * limit may be NULL (HTTP_BODY_MAX for every request). Returns 0 and sets
 * *out, or a negative code (logged).
 */
int http_start(const char *listen, http_handler_fn fn, http_limit_fn limit,
	       void *ctx, struct http_server **out);

/* Returns the port actually bound. */
unsigned http_port(const struct http_server *srv);

/* Stops accepting, waits for in-flight requests, frees the server. */
void http_stop(struct http_server *srv);

const char *http_method(const struct http_request *req);
const char *http_path(const struct http_request *req);
const char *http_body(const struct http_request *req, size_t *len);

/* Returns a header or query parameter value, or NULL when absent. */
const char *http_header(const struct http_request *req, const char *name);
const char *http_query(const struct http_request *req, const char *name);

/* Adds a header line to the response; silently dropped when full. */
void http_add_header(struct http_response *res, const char *name,
		     const char *value);

#endif
