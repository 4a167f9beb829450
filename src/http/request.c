/*
 * Requests: the head copied out of the connection's buffer into one block
 * (decoded path, query parameters and trimmed headers), the body as it
 * arrives, and the accessors of server.h that handlers read them through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "http/request.h"
#include "http/server.h"

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
http_unescape(char *dst, const char *src, size_t n, bool plus)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (src[i] == '%' && i + 2 < n &&
		    (hi = hex_value(src[i + 1])) >= 0 &&
		    (lo = hex_value(src[i + 2])) >= 0) {
			dst[out++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus && src[i] == '+') {
			dst[out++] = ' ';
		} else {
			dst[out++] = src[i];
		}
	}
	dst[out] = '\0';
	return out;
}

/* Lays out decoded text one string after another. */
struct text {
	char *p;
};

static const char *
text_put(struct text *t, const char *src, size_t n, bool unescape, bool plus)
{
	char *s = t->p;

	if (unescape)
		n = http_unescape(s, src, n, plus);
	else {
		memcpy(s, src, n);
		s[n] = '\0';
	}
	t->p += n + 1;
	return s;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Narrows *s to the span without leading or trailing blanks. */
static void
trim(const char *base, struct http_span *s)
{
	while (s->len > 0 && is_blank(base[s->off])) {
		s->off++;
		s->len--;
	}
	while (s->len > 0 && is_blank(base[s->off + s->len - 1]))
		s->len--;
}

static unsigned
count_pairs(const char *q, size_t n)
{
	unsigned pairs = 1;
	size_t i;

	for (i = 0; i < n; i++)
		pairs += q[i] == '&';
	return pairs;
}

/* Splits "a=1&b=2" into decoded pairs; empty pieces are skipped. */
static unsigned
split_query(struct http_pair *out, struct text *t, const char *q, size_t n)
{
	unsigned count = 0;
	const char *end = q + n;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp != NULL ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		const char *name_end = eq != NULL ? eq : stop;

		if (stop > q) {
			out[count].name =
			    text_put(t, q, (size_t)(name_end - q), true, true);
			out[count].value =
			    eq != NULL
				? text_put(t, eq + 1, (size_t)(stop - eq - 1),
					   true, true)
				: text_put(t, "", 0, false, false);
			count++;
		}
		q = stop + 1;
	}
	return count;
}

struct http_request *
request_new(const struct http_head *head, const char *base)
{
	const char *url = base + head->url.off;
	size_t url_len = head->url.len;
	const char *hash = memchr(url, '#', url_len);
	const char *qmark;
	size_t path_len, query_len = 0, text_len, size;
	unsigned pairs = 0, i;
	struct http_span name, value;
	struct http_request *req;
	struct text t;

	if (hash != NULL)
		url_len = (size_t)(hash - url);
	qmark = memchr(url, '?', url_len);
	path_len = qmark != NULL ? (size_t)(qmark - url) : url_len;
	if (qmark != NULL) {
		query_len = url_len - path_len - 1;
		pairs = count_pairs(qmark + 1, query_len);
	}
	text_len = path_len + 1 + query_len + 2 * (size_t)pairs;
	for (i = 0; i < head->n; i++)
		text_len += head->name[i].len + head->value[i].len + 2;
	size = sizeof(*req) +
	       ((size_t)head->n + pairs) * sizeof(struct http_pair) + text_len;
	if ((req = calloc(1, size)) == NULL)
		return NULL;
	req->header = (struct http_pair *)(req + 1);
	req->query = req->header + head->n;
	t.p = (char *)(req->query + pairs);
	req->method = head->method;
	req->path = text_put(&t, url, path_len, true, false);
	if (qmark != NULL)
		req->nquery = split_query(req->query, &t, qmark + 1, query_len);
	for (i = 0; i < head->n; i++) {
		name = head->name[i];
		value = head->value[i];
		trim(base, &value);
		req->header[i].name =
		    text_put(&t, base + name.off, name.len, false, false);
		req->header[i].value =
		    text_put(&t, base + value.off, value.len, false, false);
	}
	req->nheader = head->n;
	return req;
}

void
request_free(struct http_request *req)
{
	if (req == NULL)
		return;
	if (req->state_free != NULL)
		req->state_free(req->state);
	buf_free(&req->body);
	free(req);
}

int
request_take_body(struct http_request *req, const char *data, size_t n)
{
	int rc;

	if (req->too_large)
		return 0;
	rc = buf_add(&req->body, data, n, req->max);
	if (rc == CD_ERANGE) {
		req->too_large = true;
		buf_free(&req->body);
		return 0;
	}
	return rc < 0 ? -1 : 0;
}

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
	*len = req->body.len;
	return req->body.data != NULL ? req->body.data : "";
}

/* Header names are case-insensitive; the first of several wins. */
const char *
http_header(const struct http_request *req, const char *name)
{
	unsigned i;

	for (i = 0; i < req->nheader; i++)
		if (strcasecmp(req->header[i].name, name) == 0)
			return req->header[i].value;
	return NULL;
}

const char *
http_query(const struct http_request *req, const char *name)
{
	unsigned i;

	for (i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].name, name) == 0)
			return req->query[i].value;
	return NULL;
}

void
http_set_state(struct http_request *req, void *state,
	       void (*free_fn)(void *state))
{
	req->state = state;
	req->state_free = free_fn;
}

void *
http_state(const struct http_request *req)
{
	return req->state;
}
