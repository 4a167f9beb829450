/*
 * Agents and phone numbers: the configuration a campaign calls with.
 */
#include <string.h>

#include "api/handler.h"
#include "core/err.h"
#include "domain/e164.h"
#include "domain/fields.h"
#include "domain/template.h"

#define AGENT_NAME_MAX	 200
#define WELCOME_MAX	 4000
#define PROMPT_MAX	 32000
#define PAGE_MAX	 100
#define PROVIDER_DEFAULT "sim"

/* Shows stored times as ISO 8601 and the variables an agent uses. */
static json_t *
agent_view(json_t *a)
{
	const char *w =
	    json_string_value(json_object_get(a, "welcome_message"));
	const char *p = json_string_value(json_object_get(a, "prompt"));
	json_t *vars = template_variables(w != NULL ? w : "");
	json_t *more = template_variables(p != NULL ? p : "");
	size_t i;
	json_t *v;

	json_array_foreach(more, i, v)
	{
		size_t j;
		json_t *u;
		bool seen = false;

		json_array_foreach(vars, j, u) seen |= json_equal(u, v);
		if (!seen)
			json_array_append(vars, v);
	}
	json_decref(more);
	json_object_set_new(a, "variables", vars);
	json_object_set_new(
	    a, "created_at",
	    api_time(json_integer_value(json_object_get(a, "created_at"))));
	return a;
}

static json_t *
number_view(json_t *n)
{
	json_int_t agent = json_integer_value(json_object_get(n, "agent_id"));

	if (agent == 0)
		json_object_set_new(n, "agent_id", json_null());
	json_object_set_new(
	    n, "created_at",
	    api_time(json_integer_value(json_object_get(n, "created_at"))));
	return n;
}

static json_t *
map_views(json_t *arr, json_t *(*view)(json_t *))
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) view(v);
	return arr;
}

/* --- Agents --- */

static int
write_agent(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct store_agent *a = arg;
	json_t *row;
	int64_t id;
	int rc;

	if ((rc = store_agent_insert(c, a, ctx->now, &id)) < 0 ||
	    (rc = store_agent_get(c, ctx->account_id, id, &row)) < 0)
		return api_store_error(ctx, rc, "agent");
	api_ok(ctx, 201, agent_view(row));
	return 0;
}

void
agents_create(struct api_ctx *ctx)
{
	struct store_agent *a;
	struct verr e;

	if (ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	if ((a = api_alloc(ctx, sizeof(*a))) == NULL)
		return;
	*a = (struct store_agent){
	    .account_id = ctx->account_id, .welcome_message = "", .prompt = ""};
	if (fields_string(ctx->body, "name", true, AGENT_NAME_MAX, &a->name,
			  &e) < 0 ||
	    fields_string(ctx->body, "welcome_message", false, WELCOME_MAX,
			  &a->welcome_message, &e) < 0 ||
	    fields_string(ctx->body, "prompt", false, PROMPT_MAX, &a->prompt,
			  &e) < 0 ||
	    template_check(a->welcome_message, &e, "welcome_message") < 0 ||
	    template_check(a->prompt, &e, "prompt") < 0) {
		api_invalid(ctx, &e);
		return;
	}
	api_commit(ctx, write_agent, a);
}

void
agents_get(struct api_ctx *ctx)
{
	struct store_conn *c = api_reader(ctx);
	json_t *a;
	int rc;

	if (c == NULL)
		return;
	rc = store_agent_get(c, ctx->account_id, ctx->id, &a);
	if (rc < 0)
		api_store_error(ctx, rc, "agent");
	else
		api_ok(ctx, 200, agent_view(a));
}

static void
list_page(struct api_ctx *ctx, const char *key,
	  int (*list)(struct store_conn *, int64_t, int64_t, int64_t,
		      json_t **),
	  json_t *(*view)(json_t *))
{
	struct store_conn *c = api_reader(ctx);
	int64_t page, size;
	json_t *arr;
	int rc;

	if (c == NULL ||
	    api_query_int(ctx, "pageno", 1, 1000000, 1, &page) < 0 ||
	    api_query_int(ctx, "pagesize", 1, PAGE_MAX, 20, &size) < 0)
		return;
	rc = list(c, ctx->account_id, (page - 1) * size, size, &arr);
	if (rc < 0) {
		api_store_error(ctx, rc, key);
		return;
	}
	api_ok(ctx, 200,
	       json_pack("{s:s, s:o, s:I, s:I}", "status", "success", key,
			 map_views(arr, view), "pageno", (json_int_t)page,
			 "pagesize", (json_int_t)size));
}

void
agents_list(struct api_ctx *ctx)
{
	list_page(ctx, "agents", store_agent_list, agent_view);
}

/* --- Phone numbers --- */

static int
write_number(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	struct store_number *n = arg;
	json_t *row;
	int64_t id;
	int rc;

	if (n->agent_id > 0 &&
	    store_agent_get(c, ctx->account_id, n->agent_id, &row) < 0)
		return api_error(ctx, 422, "unknown_agent",
				 "agent %lld not found",
				 (long long)n->agent_id);
	if (n->agent_id > 0)
		json_decref(row);
	rc = store_number_insert(c, n, ctx->now, &id);
	if (rc == CD_EEXIST)
		return api_error(ctx, 409, "number_exists",
				 "%s is already registered", n->number);
	if (rc < 0 || (rc = store_number_get(c, ctx->account_id, id, &row)) < 0)
		return api_store_error(ctx, rc, "phone number");
	api_ok(ctx, 201, number_view(row));
	return 0;
}

static int
check_provider(const char *provider, struct verr *e)
{
	if (strcmp(provider, "sim") == 0)
		return 0;
	return verr_set(e, "provider", "unsupported_provider",
			"provider must be 'sim' (the built-in simulated "
			"carrier)");
}

void
numbers_create(struct api_ctx *ctx)
{
	struct store_number *n;
	const json_t *settings = NULL;
	struct verr e;

	if (ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	if ((n = api_alloc(ctx, sizeof(*n))) == NULL)
		return;
	*n = (struct store_number){.account_id = ctx->account_id,
				   .provider = PROVIDER_DEFAULT};
	if (fields_string(ctx->body, "number", true, 64, &n->number, &e) < 0 ||
	    e164_check(n->number, "number", &e) < 0 ||
	    fields_string(ctx->body, "provider", false, 16, &n->provider, &e) <
		0 ||
	    check_provider(n->provider, &e) < 0 ||
	    fields_int(ctx->body, "agent_id", false, 1, INT64_MAX, &n->agent_id,
		       &e) < 0 ||
	    fields_object(ctx->body, "settings", false, &settings, &e) < 0) {
		api_invalid(ctx, &e);
		return;
	}
	if (settings == NULL)
		api_keep(ctx, (json_t *)(settings = json_object()));
	n->settings = settings;
	api_commit(ctx, write_number, n);
}

void
numbers_get(struct api_ctx *ctx)
{
	struct store_conn *c = api_reader(ctx);
	json_t *n;
	int rc;

	if (c == NULL)
		return;
	rc = store_number_get(c, ctx->account_id, ctx->id, &n);
	if (rc < 0)
		api_store_error(ctx, rc, "phone number");
	else
		api_ok(ctx, 200, number_view(n));
}

void
numbers_list(struct api_ctx *ctx)
{
	list_page(ctx, "phone_numbers", store_number_list, number_view);
}

static int
write_number_agent(struct store_conn *c, struct api_ctx *ctx, void *arg)
{
	int64_t agent = *(int64_t *)arg;
	json_t *row;
	int rc;

	if (agent > 0 && store_agent_get(c, ctx->account_id, agent, &row) < 0)
		return api_error(ctx, 422, "unknown_agent",
				 "agent %lld not found", (long long)agent);
	if (agent > 0)
		json_decref(row);
	if ((rc = store_number_set_agent(c, ctx->account_id, ctx->id, agent)) <
		0 ||
	    (rc = store_number_get(c, ctx->account_id, ctx->id, &row)) < 0)
		return api_store_error(ctx, rc, "phone number");
	api_ok(ctx, 200, number_view(row));
	return 0;
}

/*
 * Attaches an agent to a number ({"agent_id": N}, or null to detach). The
 * campaigns that call from it keep the agent they were created with.
 */
void
numbers_update(struct api_ctx *ctx)
{
	int64_t *agent = api_alloc(ctx, sizeof(*agent));
	struct verr e;

	if (agent == NULL)
		return;
	if (ctx->body == NULL) {
		api_error(ctx, 400, "missing_body", "send a JSON object");
		return;
	}
	if (json_object_get(ctx->body, "agent_id") == NULL) {
		verr_set(&e, "agent_id", "missing_field",
			 "agent_id is required (null detaches the agent)");
		api_invalid(ctx, &e);
		return;
	}
	if (fields_int(ctx->body, "agent_id", false, 1, INT64_MAX, agent, &e) <
	    0) {
		api_invalid(ctx, &e);
		return;
	}
	api_commit(ctx, write_number_agent, agent);
}
