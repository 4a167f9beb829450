/*
 * The dashboard's static files, served from the copies embedded in the
 * binary (see scripts/embed.sh).
 */
#include <string.h>

#include "api/handler.h"
#include "api/web_assets.h"

static const struct web_asset *
find_asset(const char *path)
{
	for (const struct web_asset *a = web_assets; a->path != NULL; a++)
		if (strcmp(a->path, path) == 0)
			return a;
	return NULL;
}

void
web_serve(struct api_ctx *ctx)
{
	const char *path = http_path(ctx->req);
	const char *last = strrchr(path, '/');
	const struct web_asset *a;

	/* "*" and other targets that are not paths name no file. */
	if (last == NULL || path[0] != '/') {
		api_error(ctx, 404, "not_found", "no such file");
		return;
	}
	if (strcmp(path, "/") == 0 || strchr(last, '.') == NULL)
		path = "/index.html";
	a = find_asset(path);
	if (a == NULL) {
		api_error(ctx, 404, "not_found", "no such file");
		return;
	}
	ctx->file = a->data;
	ctx->file_len = a->len;
	ctx->file_type = a->content_type;
}
