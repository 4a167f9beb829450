/*
 * The HTTP/1.1 server: one epoll loop per thread, each with its own
 * listening socket on the shared port, http-parser for the wire format,
 * and a small state machine per connection (read the head, read the body,
 * run the handler or wait for it, write the reply). Every error it sends
 * itself has the API's JSON error shape.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <http_parser.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "http/request.h"
#include "http/server.h"

/*
 * Deadlines that trickling bytes do not move: a request head must be in
 * within HEAD_DEADLINE_MS of the connection opening or the previous reply
 * (so an idle keep-alive connection is closed then too), its body within
 * BODY_DEADLINE_MS plus a second per BODY_MIN_RATE bytes the route takes.
 * A reply that the client does not read for WRITE_TIMEOUT_MS is dropped.
 * After an error sent before the request was read to its end, the rest of
 * it is read and dropped for up to LINGER_MS, so that closing the socket
 * does not reset the connection under the reply.
 */
#define HEAD_DEADLINE_MS 30000
#define BODY_DEADLINE_MS 30000
#define BODY_MIN_RATE	 (64 * 1024)
#define WRITE_TIMEOUT_MS 30000
#define LINGER_MS	 2000
#define SWEEP_PERIOD_MS	 500

#define HEAD_MAX     (32 * 1024) /* request line and headers */
#define IN_START     4096
#define IN_BODY	     (64 * 1024) /* read size while a body comes in */
#define OUT_HEAD_MAX 1024
#define STREAM_CHUNK (32 * 1024)
#define CHUNK_PREFIX 16 /* room for "<hex size>\r\n" before a chunk */
#define EVENTS	     64

/*
 * Bytes one connection may read before its worker turns to the others: a
 * client sending a large body (or junk after an error) as fast as
 * loopback allows would otherwise hold the whole worker until it stops.
 */
#define READ_BUDGET (256 * 1024)

/* What a connection is doing. */
enum phase {
	PH_HEAD,    /* reading a request head (or idle between requests) */
	PH_BODY,    /* reading its body */
	PH_HANDLER, /* its handler is to run */
	PH_WAIT,    /* its handler suspended it */
	PH_WRITE,   /* writing the reply */
	PH_LINGER,  /* reply sent after an error; dropping the rest */
};

struct worker;

struct conn {
	struct conn *prev, *next; /* the worker's list */
	struct worker *w;
	int fd;
	in_addr_t addr;
	enum phase phase;
	int64_t deadline; /* monotonic ms; 0 for none */
	bool readable, writable;
	bool peer_closed; /* the client's end of the stream has been seen */
	bool keep_alive;  /* for the request being answered */
	bool linger;	  /* read what is left before closing */
	bool head_only;	  /* a HEAD request: the reply has no body */
	bool ready;	  /* on the worker's ready list */
	size_t taken;	  /* bytes read since the worker last came to it */
	struct conn *next_ready;

	http_parser parser;
	char *in; /* input; the current head always starts at in[0] */
	size_t in_len, in_cap, parsed;
	struct http_head head;
	bool seen_field, in_value, head_done, msg_done;
	const struct http_error *fail; /* found while parsing */
	struct http_request *req;

	char out_head[OUT_HEAD_MAX];
	size_t out_head_len, out_head_off;
	char *out_body;
	size_t out_body_len, out_body_off;
	long (*stream)(void *cls, char *buf, size_t max);
	void (*stream_free)(void *cls);
	void *stream_cls;
	bool chunked, stream_end;
	char *chunk; /* CHUNK_PREFIX + STREAM_CHUNK + 2 bytes */
	size_t chunk_off, chunk_len;
};

struct worker {
	struct http_server *srv;
	pthread_t thread;
	bool started;
	int ep, lfd, efd;
	struct conn conns;  /* list head of the open connections */
	struct conn *dead;  /* closed during this turn of the loop */
	struct conn *ready; /* had more to read when its budget ran out */
	struct conn **ready_tail;
	int64_t accept_off_until; /* out of descriptors: accept later */
	atomic_bool quit;

	pthread_mutex_t lock; /* guards the resumed list */
	struct http_request *resumed, **resumed_tail;

	time_t date_at;
	char date[40];
};

struct http_server {
	struct worker *workers;
	unsigned nworkers;
	struct http_config cfg;
	unsigned port;
	unsigned max_conns, max_per_addr;

	/*
	 * Open connections, in all and per client address (one entry per
	 * address with any open, at most max_conns), for the limits.
	 */
	pthread_mutex_t conns_lock;
	unsigned nconns;
	struct addr_count {
		in_addr_t addr;
		unsigned n;
	} * addrs;
	unsigned naddrs;

	pthread_mutex_t lock; /* guards what follows */
	pthread_cond_t changed;
	unsigned busy; /* requests in a handler or suspended */
	bool stopping;
};

/* An error the server answers by itself. */
struct http_error {
	int status;
	const char *code;
	const char *message;
};

static const struct http_error
    err_bad_request = {400, "bad_request", "malformed HTTP request"},
    err_bad_header = {400, "bad_request",
		      "a header name is not an RFC 9110 token"},
    err_folded = {400, "bad_request",
		  "a header value is folded over several lines"},
    err_no_host = {400, "bad_request",
		   "an HTTP/1.1 request must carry a Host header"},
    err_too_large = {413, "body_too_large",
		     "the request body is larger than this route takes "
		     "(64 KiB; 16 MiB to create a campaign)"},
    err_url_too_long = {414, "url_too_long",
			"the request line is over the 32 KiB the server "
			"reads"},
    err_head_too_large = {431, "headers_too_large",
			  "the request headers are over the 32 KiB or the "
			  "100 headers the server reads"},
    err_no_memory = {503, "out_of_memory",
		     "the server is short of memory; nothing was done, try "
		     "again"},
    err_stopping = {503, "shutting_down",
		    "the server is stopping; nothing was done, try again"},
    err_too_many = {503, "too_many_connections",
		    "the server has as many connections as it takes from "
		    "this address or in all; try again"},
    err_method = {501, "method_not_implemented",
		  "the server does not know this request method"},
    err_encoding = {501, "transfer_encoding_not_implemented",
		    "the only transfer coding the server reads is chunked"},
    err_version = {505, "http_version_not_supported",
		   "the server speaks HTTP/1.0 and HTTP/1.1"};

/* Returns e as the API's JSON error body (malloc'd), or NULL. */
static char *
error_json(const struct http_error *e, const char *detail, size_t *len)
{
	char *s = NULL;
	int n;

	n = asprintf(&s,
		     "{\"status\": \"error\", \"error\": {\"code\": \"%s\", "
		     "\"message\": \"%s%s%s\"}}",
		     e->code, e->message, detail != NULL ? ": " : "",
		     detail != NULL ? detail : "");
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return s;
}

/* --- Busy requests and stopping --- */

/* Counts the request as busy, unless the server is stopping. */
static bool
enter_busy(struct http_server *srv, struct http_request *req)
{
	bool ok;

	pthread_mutex_lock(&srv->lock);
	ok = !srv->stopping;
	if (ok)
		srv->busy++;
	pthread_mutex_unlock(&srv->lock);
	req->busy = ok;
	return ok;
}

static void
leave_busy(struct http_server *srv, struct http_request *req)
{
	if (!req->busy)
		return;
	req->busy = false;
	pthread_mutex_lock(&srv->lock);
	if (--srv->busy == 0)
		pthread_cond_broadcast(&srv->changed);
	pthread_mutex_unlock(&srv->lock);
}

/* --- Connection limits --- */

/*
 * Counts a new connection from addr against the server-wide limits;
 * false, counting nothing, when it is over one. A linear search: there
 * are at most max_conns addresses, and connections open far less often
 * than requests come.
 */
static bool
addr_take(struct http_server *srv, in_addr_t addr)
{
	struct addr_count *e = NULL;
	unsigned i;
	bool ok;

	pthread_mutex_lock(&srv->conns_lock);
	for (i = 0; i < srv->naddrs && e == NULL; i++)
		if (srv->addrs[i].addr == addr)
			e = &srv->addrs[i];
	ok = srv->nconns < srv->max_conns &&
	     (srv->max_per_addr == 0 || e == NULL || e->n < srv->max_per_addr);
	if (ok) {
		if (e == NULL) {
			e = &srv->addrs[srv->naddrs++];
			*e = (struct addr_count){addr, 0};
		}
		e->n++;
		srv->nconns++;
	}
	pthread_mutex_unlock(&srv->conns_lock);
	return ok;
}

static void
addr_give(struct http_server *srv, in_addr_t addr)
{
	unsigned i;

	pthread_mutex_lock(&srv->conns_lock);
	for (i = 0; i < srv->naddrs; i++) {
		if (srv->addrs[i].addr != addr)
			continue;
		if (--srv->addrs[i].n == 0)
			srv->addrs[i] = srv->addrs[--srv->naddrs];
		srv->nconns--;
		break;
	}
	pthread_mutex_unlock(&srv->conns_lock);
}

/* --- Connections --- */

static void
conn_arm(struct conn *c, int64_t ms)
{
	c->deadline = ms > 0 ? clock_mono_ms() + ms : 0;
}

/* Gets the connection ready for the next request head. */
static void
conn_begin_head(struct conn *c)
{
	char *smaller;

	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	c->head.n = 0;
	c->head.url.off = c->head.url.len = 0;
	c->seen_field = c->in_value = c->head_done = c->msg_done = false;
	c->parsed = 0;
	c->fail = NULL;
	c->keep_alive = c->linger = c->head_only = false;
	c->phase = PH_HEAD;
	conn_arm(c, HEAD_DEADLINE_MS);
	if (c->in_cap > IN_START && c->in_len <= IN_START &&
	    (smaller = realloc(c->in, IN_START)) != NULL) {
		c->in = smaller;
		c->in_cap = IN_START;
	}
}

static void
reply_clear(struct conn *c)
{
	free(c->out_body);
	c->out_body = NULL;
	if (c->stream_free != NULL)
		c->stream_free(c->stream_cls);
	c->stream = NULL;
	c->stream_free = NULL;
	free(c->chunk);
	c->chunk = NULL;
	c->out_head_len = c->out_head_off = 0;
	c->out_body_len = c->out_body_off = 0;
	c->chunk_len = c->chunk_off = 0;
	c->chunked = c->stream_end = false;
}

static void
conn_end_request(struct conn *c)
{
	if (c->req == NULL)
		return;
	leave_busy(c->w->srv, c->req);
	request_free(c->req);
	c->req = NULL;
}

/* Puts c at the end of the worker's ready list, once. */
static void
ready_add(struct worker *w, struct conn *c)
{
	if (c->ready)
		return;
	c->ready = true;
	c->next_ready = NULL;
	*w->ready_tail = c;
	w->ready_tail = &c->next_ready;
}

static void
ready_remove(struct worker *w, struct conn *c)
{
	struct conn **p;

	for (p = &w->ready; *p != NULL; p = &(*p)->next_ready)
		if (*p == c) {
			*p = c->next_ready;
			if (w->ready_tail == &c->next_ready)
				w->ready_tail = p;
			break;
		}
	c->ready = false;
}

/*
 * Closes the socket now and frees the connection at the end of the
 * worker's turn, since events of this turn may still name it.
 */
static void
conn_close(struct conn *c)
{
	struct worker *w = c->w;

	if (c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
	if (c->ready)
		ready_remove(w, c);
	addr_give(w->srv, c->addr);
	conn_end_request(c);
	reply_clear(c);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	c->next = w->dead;
	w->dead = c;
}

static void
free_dead(struct worker *w)
{
	struct conn *c;

	while ((c = w->dead) != NULL) {
		w->dead = c->next;
		free(c->in);
		free(c);
	}
}

/* --- Replies --- */

static const char *
http_date(struct worker *w)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != w->date_at) {
		gmtime_r(&now, &tm);
		strftime(w->date, sizeof(w->date), "%a, %d %b %Y %H:%M:%S GMT",
			 &tm);
		w->date_at = now;
	}
	return w->date;
}

/* Appends "Name: value\n" lines as header lines. */
static size_t
put_extra_headers(char *out, size_t cap, const char *lines)
{
	size_t len = 0, n;
	const char *nl;

	while (*lines != '\0' && (nl = strchr(lines, '\n')) != NULL) {
		n = (size_t)(nl - lines);
		if (len + n + 2 >= cap)
			break;
		memcpy(out + len, lines, n);
		memcpy(out + len + n, "\r\n", 2);
		len += n + 2;
		lines = nl + 1;
	}
	return len;
}

static void
put_reply_head(struct conn *c, const struct http_response *res)
{
	char *out = c->out_head;
	size_t cap = sizeof(c->out_head) - 64, len;
	bool http10 = c->parser.http_major == 1 && c->parser.http_minor == 0;
	int n;

	n = snprintf(
	    out, cap,
	    "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\n"
	    "Cache-Control: no-store\r\n",
	    res->status, http_status_str((enum http_status)res->status),
	    http_date(c->w),
	    res->content_type ? res->content_type : "application/json");
	len = n > 0 && (size_t)n < cap ? (size_t)n : 0;
	len += put_extra_headers(out + len, cap - len, res->extra_headers);
	if (c->stream == NULL)
		len += (size_t)sprintf(out + len, "Content-Length: %zu\r\n",
				       res->body_len);
	else if (!http10)
		len += (size_t)sprintf(out + len,
				       "Transfer-Encoding: chunked\r\n");
	if (!c->keep_alive)
		len += (size_t)sprintf(out + len, "Connection: close\r\n");
	else if (http10)
		len += (size_t)sprintf(out + len, "Connection: keep-alive\r\n");
	memcpy(out + len, "\r\n", 2);
	c->out_head_len = len + 2;
}

/* Takes over res's body or stream and starts writing the reply. */
static void
reply_start(struct conn *c, struct http_response *res)
{
	bool http10 = c->parser.http_major == 1 && c->parser.http_minor == 0;

	c->out_body = res->body;
	c->out_body_len = res->body_len;
	if (res->stream != NULL) {
		free(c->out_body);
		c->out_body = NULL;
		c->out_body_len = 0;
		c->stream = res->stream;
		c->stream_free = res->stream_free;
		c->stream_cls = res->stream_cls;
		if (http10 && !c->head_only)
			c->keep_alive = false; /* the end of data is the end */
		c->chunked = !http10;
	}
	put_reply_head(c, res);
	if (c->head_only) {
		free(c->out_body);
		c->out_body = NULL;
		c->out_body_len = 0;
		c->stream_end = true;
	}
	c->phase = PH_WRITE;
	conn_arm(c, WRITE_TIMEOUT_MS);
}

/* Replies with a server error; the connection closes after it. */
static void
reply_error(struct conn *c, const struct http_error *e, const char *detail)
{
	struct http_response res = {.status = e->status};

	res.body = error_json(e, detail, &res.body_len);
	if (e->status == 503)
		http_add_header(&res, "Retry-After", "1");
	c->keep_alive = false;
	c->linger = !c->msg_done;
	reply_start(c, &res);
}

/* Fills the chunk buffer from the stream; -1 aborts the reply. */
static int
stream_fill(struct conn *c)
{
	char *data;
	long n;
	int hex;

	if (c->chunk == NULL &&
	    (c->chunk = malloc(CHUNK_PREFIX + STREAM_CHUNK + 2)) == NULL)
		return -1;
	data = c->chunk + CHUNK_PREFIX;
	n = c->stream(c->stream_cls, data, STREAM_CHUNK);
	if (n < 0 || n > STREAM_CHUNK)
		return -1;
	if (n == 0) {
		c->stream_end = true;
		c->chunk_off = CHUNK_PREFIX;
		c->chunk_len = c->chunked ? 5 : 0;
		memcpy(data, "0\r\n\r\n", 5);
		return 0;
	}
	c->chunk_off = CHUNK_PREFIX;
	c->chunk_len = (size_t)n;
	if (c->chunked) {
		char prefix[CHUNK_PREFIX];

		hex = snprintf(prefix, sizeof(prefix), "%lx\r\n", n);
		c->chunk_off -= (size_t)hex;
		memcpy(c->chunk + c->chunk_off, prefix, (size_t)hex);
		memcpy(data + n, "\r\n", 2);
		c->chunk_len += (size_t)hex + 2;
	}
	return 0;
}

/* Writes what it can: 1 when the reply is out, 0 to wait, -1 on error. */
static int
reply_write(struct conn *c)
{
	struct iovec iov[3];
	struct msghdr mh = {.msg_iov = iov};
	ssize_t n;
	size_t k, left;

	for (;;) {
		mh.msg_iovlen = 0;
		if (c->out_head_off < c->out_head_len)
			iov[mh.msg_iovlen++] =
			    (struct iovec){c->out_head + c->out_head_off,
					   c->out_head_len - c->out_head_off};
		if (c->out_body_off < c->out_body_len)
			iov[mh.msg_iovlen++] =
			    (struct iovec){c->out_body + c->out_body_off,
					   c->out_body_len - c->out_body_off};
		if (c->chunk_len > 0)
			iov[mh.msg_iovlen++] = (struct iovec){
			    c->chunk + c->chunk_off, c->chunk_len};
		if (mh.msg_iovlen == 0) {
			if (c->stream == NULL || c->stream_end)
				return 1;
			if (stream_fill(c) < 0)
				return -1;
			continue;
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->writable = false;
			return 0;
		}
		if (n < 0)
			return -1;
		left = (size_t)n;
		k = c->out_head_len - c->out_head_off;
		k = left < k ? left : k;
		c->out_head_off += k;
		left -= k;
		k = c->out_body_len - c->out_body_off;
		k = left < k ? left : k;
		c->out_body_off += k;
		left -= k;
		c->chunk_off += left;
		c->chunk_len -= left;
		conn_arm(c, WRITE_TIMEOUT_MS);
	}
}

/* The reply is out: on to the next request, or the end of the line. */
static void
reply_done(struct conn *c)
{
	reply_clear(c);
	conn_end_request(c);
	if (c->keep_alive) {
		memmove(c->in, c->in + c->parsed, c->in_len - c->parsed);
		c->in_len -= c->parsed;
		conn_begin_head(c);
		return;
	}
	if (!c->linger) {
		conn_close(c);
		return;
	}
	shutdown(c->fd, SHUT_WR);
	c->phase = PH_LINGER;
	conn_arm(c, LINGER_MS);
}

/* --- Parsing --- */

/* True when at continues the span: the next piece of one element. */
static bool
follows(const struct conn *c, const struct http_span *s, const char *at)
{
	return at == c->in + s->off + s->len;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;

	if (c->head.url.len == 0)
		c->head.url.off = (size_t)(at - c->in);
	c->head.url.len += len;
	return 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	struct http_head *h = &c->head;

	if (c->seen_field && !c->in_value) {
		h->name[h->n - 1].len += len;
		return 0;
	}
	if (h->n == HTTP_HEADERS_MAX) {
		c->fail = &err_head_too_large;
		return -1;
	}
	h->name[h->n] = (struct http_span){(size_t)(at - c->in), len};
	h->value[h->n] = (struct http_span){0, 0};
	h->n++;
	c->seen_field = true;
	c->in_value = false;
	return 0;
}

static int
on_header_value(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	struct http_span *v = &c->head.value[c->head.n - 1];

	if (!c->in_value)
		*v = (struct http_span){(size_t)(at - c->in), 0};
	else if (!follows(c, v, at)) {
		/* A line folded into the value (obsolete; RFC 9110 lets a
		 * server refuse it, and it hides line breaks in values). */
		c->fail = &err_folded;
		return -1;
	}
	v->len += len;
	c->in_value = true;
	return 0;
}

static bool
declares_body(const http_parser *p)
{
	return (p->flags & F_CHUNKED) ||
	       ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
}

/* Interim "go on" for a client that waits before sending its body. */
static void
send_continue(struct conn *c)
{
	static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";
	const char *expect = http_header(c->req, "Expect");

	if (expect != NULL && strcasecmp(expect, "100-continue") == 0 &&
	    declares_body(&c->parser))
		(void)send(c->fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
}

/* RFC 9110's token: what a header name is made of. */
static bool
is_token(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

/* Checks a complete head; NULL when the body may come. */
static const struct http_error *
check_head(struct conn *c)
{
	const struct http_config *cfg = &c->w->srv->cfg;
	struct http_request *req = c->req;
	const http_parser *p = &c->parser;

	unsigned i;

	if (p->http_major != 1)
		return &err_version;
	/* http-parser lets blanks into names; smugglers use them. */
	for (i = 0; i < req->nheader; i++)
		if (!is_token(req->header[i].name))
			return &err_bad_header;
	if (p->http_minor >= 1 && http_header(req, "Host") == NULL)
		return &err_no_host;
	req->max = HTTP_BODY_MAX;
	if (cfg->limit != NULL)
		req->max = cfg->limit(cfg->ctx, req->method, req->path,
				      http_header(req, "Authorization"));
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > req->max)
		return &err_too_large;
	return NULL;
}

static int
on_headers_complete(http_parser *p)
{
	struct conn *c = p->data;

	c->head.method = http_method_str((enum http_method)p->method);
	c->head_only = p->method == HTTP_HEAD;
	c->req = request_new(&c->head, c->in);
	if (c->req == NULL)
		c->fail = &err_no_memory;
	else {
		c->req->conn = c;
		c->fail = check_head(c);
	}
	if (c->fail != NULL) {
		http_parser_pause(p, 1);
		return 0;
	}
	c->head_done = true;
	send_continue(c);
	conn_arm(c, BODY_DEADLINE_MS +
			(int64_t)(c->req->max / BODY_MIN_RATE) * 1000);
	return 0;
}

static int
on_body(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;

	if (request_take_body(c->req, at, len) < 0) {
		c->fail = &err_no_memory;
		http_parser_pause(p, 1);
	}
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	struct conn *c = p->data;

	c->msg_done = true;
	c->keep_alive = http_should_keep_alive(p) != 0;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings parser_settings = {
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* True when s starts with a word of capitals and a space, as a method. */
static bool
method_like(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 32; i++) {
		if (s[i] == ' ')
			return i > 0;
		if (!(s[i] >= 'A' && s[i] <= 'Z') && s[i] != '-' && s[i] != '_')
			return false;
	}
	return false;
}

/* The error for what the parser refused at c->in[c->parsed]. */
static const struct http_error *
parse_error(const struct conn *c, enum http_errno e)
{
	switch (e) {
	case HPE_INVALID_METHOD:
		return method_like(c->in, c->in_len) ? &err_method
						     : &err_bad_request;
	case HPE_INVALID_TRANSFER_ENCODING:
		return &err_encoding;
	case HPE_HEADER_OVERFLOW:
		return &err_head_too_large;
	case HPE_INVALID_CONTENT_LENGTH:
		/* A digit refused is a length past 2^64 - 1. */
		if (c->parsed < c->in_len && c->in[c->parsed] >= '0' &&
		    c->in[c->parsed] <= '9')
			return &err_too_large;
		return &err_bad_request;
	default:
		return &err_bad_request;
	}
}

/* Drops the input the parser is done with; the head was copied out. */
static void
drop_parsed(struct conn *c)
{
	memmove(c->in, c->in + c->parsed, c->in_len - c->parsed);
	c->in_len -= c->parsed;
	c->parsed = 0;
}

/* Feeds the unparsed input to the parser and moves the phase on. */
static void
conn_parse(struct conn *c)
{
	size_t n;
	enum http_errno e;

	n = http_parser_execute(&c->parser, &parser_settings, c->in + c->parsed,
				c->in_len - c->parsed);
	c->parsed += n;
	e = HTTP_PARSER_ERRNO(&c->parser);
	if (c->fail == NULL && e != HPE_OK && e != HPE_PAUSED)
		c->fail = parse_error(c, e);
	if (c->fail != NULL) {
		reply_error(c, c->fail,
			    c->fail == &err_bad_request
				? http_errno_description(e)
				: NULL);
		return;
	}
	if (!c->head_done) {
		if (c->in_len >= HEAD_MAX)
			reply_error(c,
				    c->seen_field ? &err_head_too_large
						  : &err_url_too_long,
				    NULL);
		return;
	}
	if (!c->msg_done) {
		drop_parsed(c);
		c->phase = PH_BODY;
		return;
	}
	/* c->parsed stays: what follows it is the next request. */
	c->phase = PH_HANDLER;
}

/*
 * What a recv() that returned n means: 1 go on reading, 0 wait for the
 * next event, -1 the end of the stream or an error.
 */
static int
recv_outcome(struct conn *c, ssize_t n)
{
	if (n > 0 || (n < 0 && errno == EINTR))
		return 1;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		c->readable = false;
		return 0;
	}
	return -1;
}

/* Returns 1 when it read something, 0 when there is nothing yet, -1 at
 * the end of the stream or on an error. */
static int
conn_read(struct conn *c)
{
	size_t limit = c->head_done ? IN_BODY : HEAD_MAX;
	size_t room, want;
	ssize_t n;
	char *grown;

	if (c->in_cap - c->in_len < 1024 && c->in_cap < limit) {
		want = c->in_cap > 0 ? c->in_cap * 2 : IN_START;
		want = want < limit ? want : limit;
		if ((grown = realloc(c->in, want)) == NULL)
			return -1;
		c->in = grown;
		c->in_cap = want;
	}
	room = c->in_cap - c->in_len;
	if (room == 0)
		return 0;
	n = recv(c->fd, c->in + c->in_len, room, 0);
	if (n > 0) {
		c->in_len += (size_t)n;
		c->taken += (size_t)n;
		/*
		 * Edge-triggered: new data raises a new event, so a short
		 * read drained the socket; unless the client has closed its
		 * end, which raised its event already and which only the
		 * next read reports.
		 */
		if ((size_t)n < room && !c->peer_closed)
			c->readable = false;
		return 1;
	}
	return recv_outcome(c, n);
}

/* Reads and drops what the client still sends after an error reply. */
static int
conn_drain(struct conn *c)
{
	char scratch[16384];
	ssize_t n = recv(c->fd, scratch, sizeof(scratch), 0);

	if (n > 0)
		c->taken += (size_t)n;
	return recv_outcome(c, n);
}

static void
conn_handle(struct conn *c)
{
	struct http_server *srv = c->w->srv;
	struct http_request *req = c->req;
	struct http_response res = {.status = 500};

	if (!req->busy) {
		c->deadline = 0;
		if (req->too_large) {
			reply_error(c, &err_too_large, NULL);
			return;
		}
		if (!enter_busy(srv, req)) {
			reply_error(c, &err_stopping, NULL);
			return;
		}
	}
	req->suspended = false;
	if (srv->cfg.fn(req, &res, srv->cfg.ctx) == HTTP_LATER) {
		c->phase = PH_WAIT;
		return;
	}
	leave_busy(srv, req);
	reply_start(c, &res);
}

/*
 * True when c has read its budget for now: it goes on the ready list, to
 * be taken up again after the other connections' events.
 */
static bool
over_budget(struct conn *c)
{
	if (c->taken < READ_BUDGET)
		return false;
	ready_add(c->w, c);
	return true;
}

/* Moves the connection along as far as its socket lets it. */
static void
conn_run(struct conn *c)
{
	int r;

	c->taken = 0;
	while (c->fd >= 0) {
		switch (c->phase) {
		case PH_HEAD:
		case PH_BODY:
			if (c->parsed < c->in_len) {
				conn_parse(c);
				if (c->phase != PH_HEAD && c->phase != PH_BODY)
					break;
			}
			if (!c->readable || over_budget(c))
				return;
			if ((r = conn_read(c)) < 0)
				conn_close(c);
			else if (r == 0)
				return;
			break;
		case PH_HANDLER:
			conn_handle(c);
			break;
		case PH_WAIT:
			return;
		case PH_WRITE:
			if (!c->writable)
				return;
			if ((r = reply_write(c)) < 0)
				conn_close(c);
			else if (r == 0)
				return;
			else
				reply_done(c);
			break;
		case PH_LINGER:
			if (!c->readable || over_budget(c))
				return;
			if ((r = conn_drain(c)) < 0)
				conn_close(c);
			else if (r == 0)
				return;
			break;
		}
	}
}

static void
conn_event(struct conn *c, uint32_t events)
{
	if (c->fd < 0)
		return;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->readable = true;
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->peer_closed = true;
	if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		c->writable = true;
	conn_run(c);
}

/* --- Workers --- */

/* Answers 503 on a connection it will not take, and closes it. */
static void
refuse(int fd)
{
	char head[256];
	size_t len = 0;
	char *body = error_json(&err_too_many, NULL, &len);
	int n;

	if (body != NULL) {
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 503 Service Unavailable\r\n"
			     "Content-Type: application/json\r\n"
			     "Content-Length: %zu\r\nRetry-After: 1\r\n"
			     "Connection: close\r\n\r\n",
			     len);
		struct iovec iov[2] = {{head, (size_t)n}, {body, len}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

		(void)sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(body);
	}
	close(fd);
}

static void
conn_open(struct worker *w, int fd, in_addr_t addr)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events =
				     EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET};
	int one = 1;

	if (c == NULL) {
		addr_give(w->srv, addr);
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	c->addr = addr;
	c->writable = true; /* a new socket has room */
	ev.data.ptr = c;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		addr_give(w->srv, addr);
		close(fd);
		free(c);
		return;
	}
	c->next = w->conns.next;
	c->prev = &w->conns;
	c->next->prev = c;
	w->conns.next = c;
	conn_begin_head(c);
}

static void
accept_off(struct worker *w)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, w->lfd, NULL);
	w->accept_off_until = clock_mono_ms() + 100;
	log_warn("http: out of file descriptors; not accepting for 100 ms");
}

static void
accept_on(struct worker *w)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->lfd};

	w->accept_off_until = 0;
	epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &ev);
}

static void
accept_all(struct worker *w)
{
	struct sockaddr_in sa;
	socklen_t len;
	int fd, i;

	for (i = 0; i < EVENTS; i++) {
		len = sizeof(sa);
		fd = accept4(w->lfd, (struct sockaddr *)&sa, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
			       errno == ENOBUFS || errno == ENOMEM))
			accept_off(w);
		if (fd < 0)
			return;
		if (addr_take(w->srv, sa.sin_addr.s_addr))
			conn_open(w, fd, sa.sin_addr.s_addr);
		else
			refuse(fd);
	}
}

/* Runs the handlers of the requests resumed from other threads. */
static void
run_resumed(struct worker *w)
{
	struct http_request *req, *next;
	struct conn *c;
	uint64_t n;

	(void)!read(w->efd, &n, sizeof(n));
	pthread_mutex_lock(&w->lock);
	req = w->resumed;
	w->resumed = NULL;
	w->resumed_tail = &w->resumed;
	pthread_mutex_unlock(&w->lock);
	for (; req != NULL; req = next) {
		next = req->next_resumed;
		c = req->conn;
		c->phase = PH_HANDLER;
		conn_run(c);
	}
}

/* Takes up the connections whose read budget ran out last time. */
static void
run_ready(struct worker *w)
{
	struct conn *c, *next;

	c = w->ready;
	w->ready = NULL;
	w->ready_tail = &w->ready;
	for (; c != NULL; c = next) {
		next = c->next_ready;
		c->ready = false;
		conn_run(c);
	}
}

/* Drops the connections past their deadline. */
static void
sweep(struct worker *w, int64_t now)
{
	struct conn *c, *next;
	unsigned n = 0;

	for (c = w->conns.next; c != &w->conns; c = next) {
		next = c->next;
		if (c->deadline == 0 || now < c->deadline)
			continue;
		if (c->phase == PH_HEAD || c->phase == PH_BODY)
			n += c->in_len > 0 || c->phase == PH_BODY;
		conn_close(c);
	}
	if (n > 0)
		log_info("http: dropped %u client(s) too slow to send their "
			 "request",
			 n);
}

/* One turn of the loop: waits up to ms for events and handles them. */
static void
worker_turn(struct worker *w, int ms, int64_t *next_sweep)
{
	struct epoll_event ev[EVENTS];
	int n, i;
	int64_t now;

	n = epoll_wait(w->ep, ev, EVENTS, w->ready != NULL ? 0 : ms);
	for (i = 0; i < n; i++) {
		if (ev[i].data.ptr == &w->lfd)
			accept_all(w);
		else if (ev[i].data.ptr == &w->efd)
			run_resumed(w);
		else
			conn_event(ev[i].data.ptr, ev[i].events);
	}
	run_ready(w);
	now = clock_mono_ms();
	if (now >= *next_sweep) {
		sweep(w, now);
		*next_sweep = now + SWEEP_PERIOD_MS;
		if (w->accept_off_until != 0 && now >= w->accept_off_until)
			accept_on(w);
	}
	free_dead(w);
}

static bool
writing(const struct worker *w)
{
	const struct conn *c;

	for (c = w->conns.next; c != &w->conns; c = c->next)
		if (c->phase == PH_WRITE)
			return true;
	return false;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int64_t next_sweep = clock_mono_ms() + SWEEP_PERIOD_MS, until;

	log_set_context("http");
	while (!atomic_load(&w->quit))
		worker_turn(w, SWEEP_PERIOD_MS, &next_sweep);
	/* Stopping: no new connections; replies under way get a second. */
	epoll_ctl(w->ep, EPOLL_CTL_DEL, w->lfd, NULL);
	close(w->lfd);
	w->lfd = -1;
	until = clock_mono_ms() + 1000;
	while (writing(w) && clock_mono_ms() < until)
		worker_turn(w, 100, &next_sweep);
	while (w->conns.next != &w->conns)
		conn_close(w->conns.next);
	free_dead(w);
	return NULL;
}

/* --- Starting and stopping --- */

void
http_suspend(struct http_request *req)
{
	req->suspended = true;
}

void
http_resume(struct http_request *req)
{
	struct conn *c = req->conn;
	struct worker *w = c->w;
	uint64_t one = 1;
	bool wake;

	pthread_mutex_lock(&w->lock);
	wake = w->resumed == NULL;
	req->next_resumed = NULL;
	*w->resumed_tail = req;
	w->resumed_tail = &req->next_resumed;
	pthread_mutex_unlock(&w->lock);
	if (wake)
		(void)!write(w->efd, &one, sizeof(one));
}

void
http_add_header(struct http_response *res, const char *name, const char *value)
{
	size_t used = strlen(res->extra_headers);

	snprintf(res->extra_headers + used, sizeof(res->extra_headers) - used,
		 "%s: %s\n", name, value);
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

/*
 * A listening socket of its own for each worker, all on one port
 * (SO_REUSEPORT): the kernel spreads new connections evenly over them,
 * where a shared socket lets whichever thread wakes first take a burst.
 */
static int
listen_on(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
worker_init(struct worker *w, struct http_server *srv,
	    const struct sockaddr_in *sa)
{
	struct epoll_event ev = {.events = EPOLLIN};

	w->srv = srv;
	w->conns.next = w->conns.prev = &w->conns;
	w->resumed_tail = &w->resumed;
	w->ready_tail = &w->ready;
	w->ep = w->efd = -1;
	pthread_mutex_init(&w->lock, NULL);
	atomic_init(&w->quit, false);
	if ((w->lfd = listen_on(sa)) < 0)
		return CD_EINVAL;
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->ep < 0 || w->efd < 0)
		return CD_ENOMEM;
	ev.data.ptr = &w->lfd;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &ev) < 0)
		return CD_ENOMEM;
	ev.data.ptr = &w->efd;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->efd, &ev) < 0)
		return CD_ENOMEM;
	return 0;
}

static void
worker_fini(struct worker *w)
{
	if (w->srv == NULL)
		return;
	if (w->lfd >= 0)
		close(w->lfd);
	if (w->ep >= 0)
		close(w->ep);
	if (w->efd >= 0)
		close(w->efd);
	pthread_mutex_destroy(&w->lock);
}

static unsigned
thread_count(unsigned asked)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (asked > 0)
		return asked;
	return cores > 0 ? (unsigned)cores : 1;
}

/* Binds every worker's socket; the first picks the port the rest share. */
static int
init_workers(struct http_server *srv, struct sockaddr_in *sa)
{
	struct sockaddr_in bound;
	socklen_t len = sizeof(bound);
	unsigned i;
	int rc;

	for (i = 0; i < srv->nworkers; i++) {
		if ((rc = worker_init(&srv->workers[i], srv, sa)) < 0)
			return rc;
		if (i > 0)
			continue;
		if (getsockname(srv->workers[0].lfd, (struct sockaddr *)&bound,
				&len) < 0)
			return CD_EINVAL;
		sa->sin_port = bound.sin_port;
		srv->port = ntohs(bound.sin_port);
	}
	return 0;
}

static void
free_server(struct http_server *srv)
{
	unsigned i;

	for (i = 0; i < srv->nworkers; i++)
		worker_fini(&srv->workers[i]);
	free(srv->workers);
	free(srv->addrs);
	pthread_mutex_destroy(&srv->conns_lock);
	pthread_cond_destroy(&srv->changed);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

int
http_start(const struct http_config *cfg, struct http_server **out)
{
	struct http_server *srv;
	struct sockaddr_in sa;
	unsigned i, limit;
	int rc;

	if (parse_listen(cfg->listen, &sa) < 0) {
		log_error("http: cannot parse listen address '%s' "
			  "(want HOST:PORT)",
			  cfg->listen);
		return CD_EINVAL;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return CD_ENOMEM;
	srv->cfg = *cfg;
	srv->nworkers = thread_count(cfg->threads);
	limit = cfg->connections > 0 ? cfg->connections : HTTP_CONNECTIONS;
	srv->max_conns = limit;
	srv->max_per_addr = cfg->per_address;
	srv->addrs = calloc(limit, sizeof(*srv->addrs));
	pthread_mutex_init(&srv->conns_lock, NULL);
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->changed, NULL);
	srv->workers = calloc(srv->nworkers, sizeof(*srv->workers));
	if (srv->workers == NULL || srv->addrs == NULL) {
		free_server(srv);
		return CD_ENOMEM;
	}
	if ((rc = init_workers(srv, &sa)) < 0) {
		log_error("http: cannot listen on %s: %s", cfg->listen,
			  strerror(errno));
		free_server(srv);
		return rc;
	}
	for (i = 0; i < srv->nworkers; i++) {
		if (pthread_create(&srv->workers[i].thread, NULL, worker_main,
				   &srv->workers[i]) != 0) {
			http_stop(srv);
			return CD_ENOMEM;
		}
		srv->workers[i].started = true;
	}
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
	uint64_t one = 1;
	unsigned i;

	if (srv == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	srv->stopping = true;
	while (srv->busy > 0)
		pthread_cond_wait(&srv->changed, &srv->lock);
	pthread_mutex_unlock(&srv->lock);
	for (i = 0; i < srv->nworkers; i++) {
		struct worker *w = &srv->workers[i];

		if (!w->started)
			continue;
		atomic_store(&w->quit, true);
		(void)!write(w->efd, &one, sizeof(one));
		pthread_join(w->thread, NULL);
	}
	free_server(srv);
}
