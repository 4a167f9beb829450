/*
 * The JSON API: routes every HTTP request to its handler, after checking
 * the API key, parsing the body and honouring Idempotency-Key.
 */
#ifndef CD_API_H
#define CD_API_H

#include "http/server.h"
#include "store/store.h"

struct api;

struct dispatcher;

/*
 * Creates the API over an open store; writes that change a campaign are
 * told to the dispatcher (NULL for none). Both are borrowed. NULL when
 * out of memory.
 */
struct api *api_new(struct store *store, struct dispatcher *dispatcher);
void api_free(struct api *api);

/* Requests a second each API key may make (bursts of twice that); 0 for
 * no limit. Call before serving. */
#define API_RATE_DEFAULT 50000
void api_set_rate_limit(struct api *api, double per_second);

/*
 * The http_limit_fn of the daemon (ctx is the struct api): creating a
 * campaign with a valid key may carry a CSV file (HTTP_UPLOAD_MAX); every
 * other request, and any without a valid key, HTTP_BODY_MAX.
 */
size_t api_body_limit(void *ctx, const char *method, const char *path,
		      const char *authorization);

/* The http_handler_fn of the daemon; ctx is the struct api. */
enum http_step api_handle(struct http_request *req, struct http_response *res,
			  void *ctx);

#endif
