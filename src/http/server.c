/*
 * libmicrohttpd glue: collects each request's body (refusing more than
 * HTTP_BODY_MAX), hands the complete request to the handler and sends the
 * response it fills in.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "core/err.h"
#include "core/log.h"
#include "http/server.h"

#define CONNECTION_LIMIT   1000
#define CONNECTION_TIMEOUT 30 /* seconds of silence before a drop */
/*
 * XXX: the timeout counts silence only, so a client that sends a header
 * byte every few seconds keeps its connection (and thread) for as long as
 * it likes, and nothing limits connections per client address: enough
 * such clients fill CONNECTION_LIMIT. Deployments put a proxy in front
 * (docs/security.md); a per-address limit would break CRMs that open
 * many connections from one address.
 */
#define THREAD_STACK (512 * 1024)

/*
 * A body without a declared length is read and dropped up to this far past
 * the limit, so its sender still gets a 413 (libmicrohttpd cannot reply
 * before the body is in); past it the connection is closed.
 */
#define DRAIN_MAX (8 * 1024 * 1024)

struct http_server {
	struct MHD_Daemon *daemon;
	http_handler_fn fn;
	http_limit_fn limit;
	void *ctx;
	unsigned port;
};

struct http_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	char *body;
	size_t len;
	size_t seen; /* bytes received, kept or not */
	size_t max;  /* the body limit of this request */
	bool too_large;
};

const char *
http_method(const struct http_request *req)
{
	return req->method;
}

const char *
http_path(const struct http_request *req)
{
	return req->path;
}

const char *
http_body(const struct http_request *req, size_t *len)
{
	*len = req->len;
	return req->body != NULL ? req->body : "";
}

const char *
http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

void
http_add_header(struct http_response *res, const char *name, const char *value)
{
	size_t used = strlen(res->extra_headers);

	snprintf(res->extra_headers + used, sizeof(res->extra_headers) - used,
		 "%s: %s\n", name, value);
}

static void
add_extra_headers(struct MHD_Response *r, char *lines)
{
	char *save = NULL, *line, *colon;

	for (line = strtok_r(lines, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		MHD_add_response_header(r, line, colon + 2);
	}
}

struct stream {
	long (*fn)(void *cls, char *buf, size_t max);
	void (*free_fn)(void *cls);
	void *cls;
};

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	long n = st->fn(st->cls, buf, max);

	(void)pos;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void
stream_done(void *cls)
{
	struct stream *st = cls;

	if (st->free_fn != NULL)
		st->free_fn(st->cls);
	free(st);
}

static struct MHD_Response *
make_stream(struct http_response *res)
{
	struct stream *st = malloc(sizeof(*st));
	struct MHD_Response *r;

	if (st == NULL) {
		if (res->stream_free != NULL)
			res->stream_free(res->stream_cls);
		return NULL;
	}
	st->fn = res->stream;
	st->free_fn = res->stream_free;
	st->cls = res->stream_cls;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024,
					      stream_read, st, stream_done);
	if (r == NULL)
		stream_done(st);
	return r;
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (res->stream != NULL) {
		free(res->body);
		r = make_stream(res);
	} else {
		r = MHD_create_response_from_buffer(res->body_len, res->body,
						    MHD_RESPMEM_MUST_FREE);
		if (r == NULL)
			free(res->body);
	}
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type",
				res->content_type ? res->content_type
						  : "application/json");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	add_extra_headers(r, res->extra_headers);
	ok = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
send_fixed(struct MHD_Connection *conn, int status, const char *json)
{
	struct http_response res = {.status = status};

	res.body = strdup(json);
	if (res.body == NULL)
		return MHD_NO;
	res.body_len = strlen(json);
	return send_response(conn, &res);
}

static const char too_large_json[] =
    "{\"status\": \"error\", \"error\": {\"code\": \"body_too_large\", "
    "\"message\": \"the request body is larger than this route takes "
    "(64 KiB; 16 MiB to create a campaign)\"}}";

/* Declared lengths over the limit are refused before reading the body. */
static bool
declared_too_large(struct MHD_Connection *conn, size_t max)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "Content-Length");
	char *end;
	unsigned long long n;

	if (cl == NULL)
		return false;
	n = strtoull(cl, &end, 10);
	return *end == '\0' && n > max;
}

static enum MHD_Result
take_upload(struct http_request *req, const char *data, size_t *size)
{
	size_t n = *size;

	req->seen += n;
	*size = 0;
	if (req->too_large)
		return req->seen > req->max + DRAIN_MAX ? MHD_NO : MHD_YES;
	if (req->len + n > req->max) {
		req->too_large = true;
		free(req->body);
		req->body = NULL;
		req->len = 0;
		return MHD_YES;
	}
	char *grown = realloc(req->body, req->len + n + 1);
	if (grown == NULL)
		return MHD_NO;
	memcpy(grown + req->len, data, n);
	req->len += n;
	grown[req->len] = '\0';
	req->body = grown;
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;
	struct http_response res = {.status = 500};

	(void)version;
	if (req == NULL) {
		size_t max = HTTP_BODY_MAX;

		if (srv->limit != NULL)
			max = srv->limit(
			    srv->ctx, method, url,
			    MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							"Authorization"));

		if (declared_too_large(conn, max))
			return send_fixed(conn, 413, too_large_json);
		req = calloc(1, sizeof(*req));
		if (req == NULL)
			return MHD_NO;
		req->max = max;
		req->conn = conn;
		req->method = method;
		req->path = url;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_size > 0)
		return take_upload(req, upload, upload_size);
	if (req->too_large)
		return send_fixed(conn, 413, too_large_json);
	srv->fn(req, &res, srv->ctx);
	return send_response(conn, &res);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode code)
{
	struct http_request *req = *con_cls;

	(void)cls;
	(void)conn;
	(void)code;
	if (req == NULL)
		return;
	free(req->body);
	free(req);
	*con_cls = NULL;
}

static void
on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("http: %s", msg);
}

static int
parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return CD_EINVAL;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port < 0 || port > 65535)
		return CD_EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return CD_EINVAL;
	return 0;
}

int
http_start(const char *listen, http_handler_fn fn, http_limit_fn limit,
	   void *ctx, struct http_server **out)
{
	struct http_server *srv;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			 MHD_USE_ERROR_LOG;

	if (parse_listen(listen, &sa) < 0) {
		log_error("http: cannot parse listen address '%s' "
			  "(want HOST:PORT)",
			  listen);
		return CD_EINVAL;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return CD_ENOMEM;
	srv->fn = fn;
	srv->limit = limit;
	srv->ctx = ctx;
	srv->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
	    on_mhd_error, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK, MHD_OPTION_END);
	if (srv->daemon == NULL) {
		log_error("http: cannot listen on %s", listen);
		free(srv);
		return CD_EINVAL;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info != NULL ? info->port : 0;
	*out = srv;
	return 0;
}

unsigned
http_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
