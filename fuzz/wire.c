/*
 * Fuzz target: the HTTP server on the wire. The input is sent as is, over
 * loopback, to an in-process server (src/http) whose handler echoes what
 * it was given, suspends requests to /later and streams replies to
 * /stream; then the client half-closes and reads until the server closes.
 * The server must neither crash nor hang, and must answer in HTTP/1.1
 * with the JSON error shape for every error it sends itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "http/server.h"
#include "fuzz.h"

#define WIRE_LIMIT   1024 /* body limit of paths under /small */
#define WIRE_TIMEOUT 5000 /* ms for one exchange */
#define WIRE_OUT_MAX (1 << 20)

static long
stream_some(void *cls, char *buf, size_t max)
{
	int *left = cls;

	if (*left == 0)
		return 0;
	(*left)--;
	return snprintf(buf, max, "piece %d\n", *left);
}

static enum http_step
wire_handle(struct http_request *req, struct http_response *res, void *ctx)
{
	const char *path = http_path(req), *echo = http_header(req, "X-Echo");
	size_t len;
	int *left;

	(void)ctx;
	http_body(req, &len);
	if (strncmp(path, "/later", 6) == 0 && http_state(req) == NULL) {
		http_set_state(req, malloc(1), free);
		http_suspend(req);
		http_resume(req);
		return HTTP_LATER;
	}
	res->status = 200;
	if (strncmp(path, "/stream", 7) == 0 &&
	    (left = malloc(sizeof(*left))) != NULL) {
		*left = 3;
		res->stream = stream_some;
		res->stream_free = free;
		res->stream_cls = left;
		res->content_type = "text/plain";
		return HTTP_DONE;
	}
	if (asprintf(&res->body, "{\"path\": %zu, \"body\": %zu}", strlen(path),
		     len) < 0)
		res->body = NULL;
	res->body_len = res->body != NULL ? strlen(res->body) : 0;
	if (echo != NULL && strlen(echo) < 100)
		http_add_header(res, "X-Echo", echo);
	return HTTP_DONE;
}

static size_t
wire_limit(void *ctx, const char *method, const char *path, const char *auth)
{
	(void)ctx;
	(void)method;
	(void)auth;
	return strncmp(path, "/small", 6) == 0 ? WIRE_LIMIT : HTTP_BODY_MAX;
}

static unsigned
wire_port(void)
{
	static struct http_server *srv;
	struct http_config cfg = {.listen = "127.0.0.1:0",
				  .fn = wire_handle,
				  .limit = wire_limit,
				  .threads = 1};

	if (srv == NULL) {
		log_set_level(LOG_ERROR);
		if (http_start(&cfg, &srv) < 0)
			FUZZ_FAIL("cannot start the server");
	}
	return http_port(srv);
}

static int
wire_connect(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		       errno != EINPROGRESS))
		FUZZ_FAIL("cannot connect: %s", strerror(errno));
	return fd;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Sends data while reading what comes back (so neither side blocks on a
 * full socket), half-closes, and reads to the end. Returns the length of
 * the reply kept in out (the rest is read and dropped).
 */
static size_t
wire_exchange(const uint8_t *data, size_t size, char *out, size_t cap)
{
	int fd = wire_connect(wire_port());
	int64_t until = now_ms() + WIRE_TIMEOUT;
	size_t sent = 0, got = 0;
	bool open_w = true;
	char scratch[65536];
	ssize_t n;

	for (;;) {
		struct pollfd p = {fd, POLLIN | (open_w ? POLLOUT : 0), 0};

		if (now_ms() > until)
			FUZZ_FAIL("the server neither answered nor closed");
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (open_w && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = sent < size ? send(fd, data + sent, size - sent,
					       MSG_NOSIGNAL)
					: 0;
			if (n > 0)
				sent += (size_t)n;
			if (sent == size || (n < 0 && errno != EAGAIN)) {
				shutdown(fd, SHUT_WR);
				open_w = false;
			}
		}
		if (!(p.revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		n = recv(fd, scratch, sizeof(scratch), 0);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			break;
		if (got < cap) {
			size_t k =
			    (size_t)n < cap - got ? (size_t)n : cap - got;

			memcpy(out + got, scratch, k);
			got += k;
		}
	}
	close(fd);
	return got;
}

/* Checks the first reply: HTTP/1.1, and an error of the server's own in
 * the JSON shape. */
static void
check_reply(const char *out, size_t len)
{
	const char *end;
	int status;

	if (len == 0)
		return;
	FUZZ_CHECK(len >= 12 && memcmp(out, "HTTP/1.1 ", 9) == 0);
	status = atoi(out + 9);
	FUZZ_CHECK(status >= 100 && status <= 599);
	while (status == 100) {
		out += 25; /* "HTTP/1.1 100 Continue\r\n\r\n" */
		len -= len >= 25 ? 25 : len;
		if (len < 12)
			return;
		FUZZ_CHECK(memcmp(out, "HTTP/1.1 ", 9) == 0);
		status = atoi(out + 9);
	}
	end = memmem(out, len, "\r\n\r\n", 4);
	FUZZ_CHECK(end != NULL);
	if (status >= 400 && (size_t)(end + 4 - out) < len)
		FUZZ_CHECK(strncmp(end + 4, "{\"status\": \"error\"", 18) == 0);
}

int
fuzz_wire(const uint8_t *data, size_t size)
{
	static char out[WIRE_OUT_MAX];
	size_t len = wire_exchange(data, size, out, sizeof(out) - 1);

	out[len] = '\0';
	check_reply(out, len);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_wire(data, size);
}
#endif
