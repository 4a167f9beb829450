/*
 * campaignd's command line: `serve` runs the daemon; `keys` manages API
 * keys in a store directly, with or without a daemon running on it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "dispatch/dispatch.h"
#include "domain/apikey.h"
#include "http/server.h"
#include "store/store.h"

#define DEFAULT_DB	"./campaignd.db"
#define DEFAULT_LISTEN	"127.0.0.1:8080"
#define DEFAULT_ACCOUNT "default"

struct opts {
	const char *db;
	const char *listen;
	const char *account;
	struct dispatch_config dispatch;
	double rate_limit;
	double idem_ttl; /* seconds */
	struct http_config http;
};

static const char usage_text[] =
    "usage: campaignd serve [--db PATH] [--listen HOST:PORT]\n"
    "                       [--sim-time-scale X] [--sim-seed N] "
    "[--rate-limit N]\n"
    "                       [--http-threads N] [--max-per-address N]\n"
    "                       [--idempotency-ttl SECONDS]\n"
    "       campaignd keys create --db PATH --account NAME\n"
    "       campaignd keys list --db PATH [--account NAME]\n"
    "       campaignd keys revoke --db PATH PREFIX\n"
    "       campaignd --help | --version\n";

static const char help_text[] =
    "\n"
    "serve      run the daemon: JSON API, dashboard and dialer.\n"
    "           --db PATH          SQLite store (env CAMPAIGND_DB, "
    "default " DEFAULT_DB ")\n"
    "           --listen HOST:PORT address to serve on (env "
    "CAMPAIGND_LISTEN,\n"
    "                              default " DEFAULT_LISTEN ")\n"
    "           --sim-time-scale X multiply the simulated carrier's "
    "ring and\n"
    "                              talk times (env "
    "CAMPAIGND_SIM_TIME_SCALE, default 1)\n"
    "           --sim-seed N       seed of its outcome mix (default 1)\n"
    "           --rate-limit N     requests a second per API key, bursts "
    "of 2N\n"
    "                              (0: no limit; default 50000)\n"
    "           --http-threads N   threads serving HTTP (default: one per "
    "core)\n"
    "           --max-per-address N  connections open at once from one "
    "client\n"
    "                              address (0: no limit; default 250 of "
    "1000)\n"
    "           --idempotency-ttl SECONDS  how long a reply is kept for "
    "its\n"
    "                              Idempotency-Key (0: for ever; default "
    "604800,\n"
    "                              a week)\n"
    "           On an empty store it creates the account '" DEFAULT_ACCOUNT
    "'\n"
    "           and prints its first API key once.\n"
    "keys       create: make the account if needed, print only the new "
    "key;\n"
    "           list: key prefixes and their state; revoke: disable a "
    "key.\n";

static int
usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

/* Reads a number from min to max; complains and returns -1 otherwise. */
static int
parse_number(const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*end != '\0' || end == s || !(v >= min && v <= max)) {
		fprintf(stderr,
			"campaignd: '%s' is not a number from %g to %g\n", s,
			min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_scale(const char *s, double *out)
{
	return parse_number(s, 0, 1000, out);
}

/* Parses the options; returns the first operand index, or -1. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"account", required_argument, NULL, 'a'},
	    {"sim-time-scale", required_argument, NULL, 't'},
	    {"sim-seed", required_argument, NULL, 's'},
	    {"rate-limit", required_argument, NULL, 'r'},
	    {"http-threads", required_argument, NULL, 'T'},
	    {"max-per-address", required_argument, NULL, 'P'},
	    {"idempotency-ttl", required_argument, NULL, 'I'},
	    {NULL, 0, NULL, 0},
	};
	double v;
	int ch;

	o->db = getenv("CAMPAIGND_DB") ? getenv("CAMPAIGND_DB") : DEFAULT_DB;
	o->listen = getenv("CAMPAIGND_LISTEN") ? getenv("CAMPAIGND_LISTEN")
					       : DEFAULT_LISTEN;
	o->dispatch.sim_time_scale = 1;
	o->rate_limit = API_RATE_DEFAULT;
	o->idem_ttl = (double)(STORE_IDEM_TTL_MS / 1000);
	o->http.per_address = HTTP_PER_ADDRESS;
	o->dispatch.sim_seed = 1;
	if (getenv("CAMPAIGND_SIM_TIME_SCALE") != NULL &&
	    parse_scale(getenv("CAMPAIGND_SIM_TIME_SCALE"),
			&o->dispatch.sim_time_scale) < 0)
		return -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'a':
			o->account = optarg;
			break;
		case 't':
			if (parse_scale(optarg, &o->dispatch.sim_time_scale) <
			    0)
				return -1;
			break;
		case 's':
			if (parse_number(optarg, 0, 1e18, &v) < 0 ||
			    v != (double)(uint64_t)v)
				return -1;
			o->dispatch.sim_seed = (uint64_t)v;
			break;
		case 'r':
			if (parse_number(optarg, 0, 1e9, &o->rate_limit) < 0)
				return -1;
			break;
		case 'T':
			if (parse_number(optarg, 1, 256, &v) < 0 ||
			    v != (double)(unsigned)v)
				return -1;
			o->http.threads = (unsigned)v;
			break;
		case 'I':
			if (parse_number(optarg, 0, 1e9, &o->idem_ttl) < 0 ||
			    o->idem_ttl != (double)(int64_t)o->idem_ttl)
				return -1;
			break;
		case 'P':
			if (parse_number(optarg, 0, HTTP_CONNECTIONS, &v) < 0 ||
			    v != (double)(unsigned)v)
				return -1;
			o->http.per_address = (unsigned)v;
			break;
		default:
			return -1;
		}
	}
	return optind;
}

/* --- Keys --- */

struct new_key {
	const char *account;
	char key[APIKEY_MAX];
};

static int
write_new_key(struct store_conn *c, void *arg)
{
	struct new_key *nk = arg;
	struct store_key k = {0};
	int64_t now = clock_now_ms(), id;
	int rc;

	if ((rc = store_account_ensure(c, nk->account, now, &k.account_id)) < 0)
		return rc;
	if ((rc = apikey_generate(nk->key, k.prefix, k.hash)) < 0)
		return rc;
	return store_key_insert(c, &k, now, &id);
}

/* Creates a key for the account (and the account if needed); prints it. */
static int
issue_key(struct store *s, const char *account)
{
	struct new_key nk = {.account = account};
	int rc = store_write(s, write_new_key, &nk);

	if (rc < 0) {
		fprintf(stderr, "campaignd: cannot create key: %s\n",
			cd_strerror(rc));
		return rc;
	}
	printf("%s\n", nk.key);
	fflush(stdout);
	explicit_bzero(nk.key, sizeof(nk.key));
	return 0;
}

static int
keys_list_cmd(struct store *s, const char *account)
{
	struct store_conn *c = store_acquire(s);
	int64_t account_id = 0;
	json_t *keys, *k;
	size_t i;
	int rc = CD_ESTORE;

	if (c == NULL)
		return rc;
	if (account != NULL &&
	    (rc = store_account_find(c, account, &account_id)) < 0)
		goto out;
	if ((rc = store_key_list(c, account_id, &keys)) < 0)
		goto out;
	printf("%-8s %-14s %-20s %s\n", "ID", "PREFIX", "ACCOUNT", "STATE");
	json_array_foreach(keys, i, k)
	{
		printf("%-8lld %-14s %-20s %s\n",
		       (long long)json_integer_value(json_object_get(k, "id")),
		       json_string_value(json_object_get(k, "prefix")),
		       json_string_value(json_object_get(k, "account")),
		       json_integer_value(json_object_get(k, "revoked_at"))
			   ? "revoked"
			   : "active");
	}
	json_decref(keys);
out:
	store_release(s, c);
	return rc;
}

struct revoke {
	const char *prefix;
};

static int
write_revoke(struct store_conn *c, void *arg)
{
	struct revoke *r = arg;

	return store_key_revoke(c, 0, r->prefix, clock_now_ms());
}

/* Checks a keys command line before any store is opened or made. */
static bool
keys_args_ok(const char *verb, const struct opts *o, int operands)
{
	if (strcmp(verb, "create") == 0)
		return o->account != NULL && operands == 0;
	if (strcmp(verb, "list") == 0)
		return operands == 0;
	return strcmp(verb, "revoke") == 0 && operands == 1;
}

static int
keys_cmd(int argc, char **argv)
{
	struct opts o = {0};
	struct store *s;
	int first, rc;

	if (argc < 2)
		return usage();
	if ((first = parse_opts(argc - 1, argv + 1, &o)) < 0)
		return usage();
	first++;
	if (!keys_args_ok(argv[1], &o, argc - first))
		return usage();
	if (store_open(o.db, &s) < 0)
		return 1;
	if (strcmp(argv[1], "create") == 0)
		rc = issue_key(s, o.account);
	else if (strcmp(argv[1], "list") == 0)
		rc = keys_list_cmd(s, o.account);
	else {
		struct revoke r = {argv[first]};

		rc = store_write(s, write_revoke, &r);
		if (rc == CD_ENOTFOUND)
			fprintf(stderr, "campaignd: no active key %s\n",
				argv[first]);
	}
	store_close(s);
	return rc < 0 ? 1 : 0;
}

/* --- Serve --- */

/*
 * A write in several commits (a campaign created from many contacts) that
 * a stop cut short was never answered: its parts are taken back before
 * anything reads the store. One daemon serves a store, so none is still
 * in progress at start-up.
 */
static int
write_drop_unfinished(struct store_conn *c, void *arg)
{
	int64_t *dropped = arg;
	int rc;

	rc = store_campaign_drop_loading(c, 0, dropped);
	if (rc == 0)
		rc = store_idem_drop_held(c, 0, NULL);
	return rc;
}

static int
drop_unfinished(struct store *s)
{
	int64_t dropped = 0;
	int rc = store_write(s, write_drop_unfinished, &dropped);

	if (rc == 0 && dropped > 0)
		log_info("store: took back %lld campaigns whose creation the "
			 "last stop cut short",
			 (long long)dropped);
	return rc;
}

/* On an empty store, makes the first account and shows its key once. */
static int
bootstrap(struct store *s)
{
	struct store_conn *c = store_acquire(s);
	int64_t n = 0;
	int rc;

	if (c == NULL)
		return CD_ESTORE;
	rc = store_account_count(c, &n);
	store_release(s, c);
	if (rc < 0 || n > 0)
		return rc;
	log_info("empty store: creating account '%s'; its API key follows "
		 "and is shown only once",
		 DEFAULT_ACCOUNT);
	return issue_key(s, DEFAULT_ACCOUNT);
}

static int
wait_for_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigwait(&set, &sig);
	return sig;
}

static int
serve_cmd(int argc, char **argv)
{
	struct opts o = {0};
	struct store *s = NULL;
	struct api *api = NULL;
	struct dispatcher *disp = NULL;
	struct http_server *srv = NULL;
	sigset_t set;
	int rc = 1;

	if (parse_opts(argc, argv, &o) != argc)
		return usage();
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (store_open(o.db, &s) < 0)
		goto out;
	store_set_idem_ttl(s, (int64_t)o.idem_ttl * 1000);
	if (drop_unfinished(s) < 0 || bootstrap(s) < 0)
		goto out;
	if (dispatch_start(s, &o.dispatch, &disp) < 0)
		goto out;
	if ((api = api_new(s, disp)) == NULL)
		goto out;
	api_set_rate_limit(api, o.rate_limit);
	o.http.listen = o.listen;
	o.http.fn = api_handle;
	o.http.limit = api_body_limit;
	o.http.ctx = api;
	if (http_start(&o.http, &srv) < 0)
		goto out;
	log_info("campaignd %s listening on %s (port %u), store %s",
		 CAMPAIGND_VERSION, o.listen, http_port(srv), o.db);
	log_info("stopping on signal %d", wait_for_signal());
	rc = 0;
out:
	http_stop(srv);
	dispatch_stop(disp);
	api_free(api);
	store_close(s);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		fputs(help_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("campaignd %s\n", CAMPAIGND_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "keys") == 0)
		return keys_cmd(argc - 1, argv + 1);
	return usage();
}
