/*
 * The dashboard's files, embedded at build time by scripts/embed.sh.
 */
#ifndef CD_WEB_ASSETS_H
#define CD_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path; /* "/index.html" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

/* Ends with an entry whose path is NULL. */
extern const struct web_asset web_assets[];

#endif
