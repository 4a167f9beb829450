/*
 * The HTTP server: libmicrohttpd on a few epoll threads, with body size
 * limits, deadlines, and one callback per complete request whose reply may
 * come later. It knows nothing of routes.
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

/* What a handler did with a request. */
enum http_step {
	HTTP_DONE,  /* *res is the reply */
	HTTP_LATER, /* the reply comes after http_resume() */
};

/*
 * Called on one of the server's threads once a request's body is in. It
 * fills *res and returns HTTP_DONE, or calls http_suspend(req) and returns
 * HTTP_LATER; then, once someone calls http_resume(req), it is called again
 * with the same req (and a fresh *res) to reply or wait again. It must not
 * block for long: each thread serves many connections. A handler with
 * slow work parks the request and does it on a thread of its own (the
 * API's routes for CSV uploads, stats and listings do).
 */
typedef enum http_step (*http_handler_fn)(struct http_request *req,
					  struct http_response *res, void *ctx);

/*
 * Returns the largest body a request to (method, path) with this
 * Authorization header (NULL when absent) may carry; larger ones are
 * answered 413 without reaching the handler. ctx is the config's.
 */
typedef size_t (*http_limit_fn)(void *ctx, const char *method, const char *path,
				const char *authorization);

struct http_config {
	const char *listen; /* "HOST:PORT"; port 0 picks a free one */
	http_handler_fn fn;
	http_limit_fn limit;  /* NULL: HTTP_BODY_MAX for every request */
	void *ctx;	      /* passed to fn and limit */
	unsigned threads;     /* 0: one per core */
	unsigned connections; /* open at once; 0: HTTP_CONNECTIONS */
	unsigned per_address; /* from one client address; 0: no limit */
};

#define HTTP_CONNECTIONS 1000
#define HTTP_PER_ADDRESS 250

/*
 * Starts listening as cfg says. Returns 0 and sets *out, or a negative
 * code (logged).
 */
int http_start(const struct http_config *cfg, struct http_server **out);

/* Returns the port actually bound. */
unsigned http_port(const struct http_server *srv);

/*
 * Stops accepting, waits for the suspended requests to be resumed and
 * answered, closes every connection and frees the server.
 */
void http_stop(struct http_server *srv);

const char *http_method(const struct http_request *req);
const char *http_path(const struct http_request *req);
const char *http_body(const struct http_request *req, size_t *len);

/* Returns a header or query parameter value, or NULL when absent. */
const char *http_header(const struct http_request *req, const char *name);
const char *http_query(const struct http_request *req, const char *name);

/*
 * Per-request state of the handler: set once, freed by free_fn (when not
 * NULL) after the request ends, answered or not.
 */
void http_set_state(struct http_request *req, void *state,
		    void (*free_fn)(void *state));
void *http_state(const struct http_request *req);

/*
 * http_suspend() parks the request from inside the handler, before
 * anything that may call http_resume() is started; http_resume(), from
 * any thread, exactly once per http_suspend(), has the handler called
 * again.
 */
void http_suspend(struct http_request *req);
void http_resume(struct http_request *req);

/* Adds a header line to the response; silently dropped when full. */
void http_add_header(struct http_response *res, const char *name,
		     const char *value);

#endif
