/*
 * API keys of the caller's own account: list (prefixes only), create (the
 * key is shown once) and revoke.
 */
#include <string.h>

#include "api/handler.h"
#include "core/err.h"
#include "domain/apikey.h"

static json_t *
key_view(json_t *k)
{
	json_int_t revoked =
	    json_integer_value(json_object_get(k, "revoked_at"));

	json_object_del(k, "account");
	json_object_set_new(
	    k, "created_at",
	    api_time(json_integer_value(json_object_get(k, "created_at"))));
	json_object_set_new(k, "revoked_at", api_time(revoked));
	json_object_set_new(k, "active", json_boolean(revoked == 0));
	return k;
}

void
keys_list(struct api_ctx *ctx)
{
	struct store_conn *c = api_reader(ctx);
	json_t *keys, *k;
	size_t i;
	int rc;

	if (c == NULL)
		return;
	if ((rc = store_key_list(c, ctx->account_id, &keys)) < 0) {
		api_store_error(ctx, rc, "keys");
		return;
	}
	json_array_foreach(keys, i, k) key_view(k);
	api_ok(ctx, 200,
	       json_pack("{s:s, s:o}", "status", "success", "keys", keys));
}

static int
write_key(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct store_key k = {.account_id = ctx->account_id};
	char *key = arg;
	int64_t id;
	int rc;

	if (apikey_generate(key, k.prefix, k.hash) < 0)
		return api_store_error(ctx, CD_ESTORE, "key");
	if ((rc = store_key_insert(c, &k, ctx->now, &id)) < 0)
		return api_store_error(ctx, rc, "key");
	api_ok(ctx, 201,
	       json_pack("{s:s, s:I, s:s, s:s, s:o}", "status", "success", "id",
			 (json_int_t)id, "prefix", k.prefix, "key", key,
			 "created_at", api_time(ctx->now)));
	return 0;
}

void
keys_create(struct api_ctx *ctx)
{
	/* Wiped when the request ends. */
	char *key = api_alloc(ctx, APIKEY_MAX);

	if (key == NULL)
		return;
	/* A replayed reply would have to keep the secret: never store it. */
	ctx->idem_key = NULL;
	api_commit(ctx, write_key, key);
}

static int
write_revoke(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	json_t *keys, *k;
	size_t i;
	int rc;

	(void)arg;
	if ((rc = store_key_list(c, ctx->account_id, &keys)) < 0)
		return api_store_error(ctx, rc, "key");
	rc = CD_ENOTFOUND;
	json_array_foreach(keys, i, k)
	{
		if (json_integer_value(json_object_get(k, "id")) != ctx->id)
			continue;
		rc = store_key_revoke(
		    c, ctx->account_id,
		    json_string_value(json_object_get(k, "prefix")), ctx->now);
		break;
	}
	json_decref(keys);
	if (rc < 0)
		return api_store_error(ctx, rc, "active key");
	ctx->after = api_keys_changed;
	api_ok(ctx, 200,
	       json_pack("{s:s, s:I, s:b}", "status", "success", "id",
			 (json_int_t)ctx->id, "active", 0));
	return 0;
}

void
keys_revoke(struct api_ctx *ctx)
{
	api_commit(ctx, write_revoke, NULL);
}
