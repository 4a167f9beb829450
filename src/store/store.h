/*
 * The durable store: every account, key, agent, number, campaign and line.
 * Callers never see SQL; a backend (store_sqlite.c) sits behind a table of
 * functions, and writes from all threads are grouped into shared commits.
 */
#ifndef CD_STORE_H
#define CD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/model.h"

struct store;	   /* the service: connections and the writer thread */
struct store_conn; /* one connection, used by one thread at a time */

/*
 * Opens the store at `url` (a file path, or "sqlite:PATH"), creating it
 * or migrating it to the current schema, and starts its writer thread.
 * Returns 0 and sets *out, or CD_ESTORE (logged) when it cannot.
 */
int store_open(const char *url, struct store **out);

/*
 * Stops the writer after the writes already submitted, then frees all.
 * Every other thread that read through the store must have exited first:
 * each keeps its last read connection until it does.
 */
void store_close(struct store *s);

/* Returns the schema version the store is at. */
int store_schema_version(struct store *s);

/*
 * Reads: borrow a connection for the calling thread, then give it back
 * (the thread keeps it for its next read). store_acquire returns NULL
 * (logged) when no connection can be opened.
 */
struct store_conn *store_acquire(struct store *s);
void store_release(struct store *s, struct store_conn *c);

/*
 * Reads on c between these two see one snapshot of the store, and a
 * listing that reads many rows takes the store's read lock once instead
 * of once per statement. Keep it short: while a snapshot is held the
 * store cannot recycle the log written since. store_read_end() on a
 * connection without a snapshot does nothing; store_release() ends one.
 */
int store_read_begin(struct store_conn *c);
void store_read_end(struct store_conn *c);

/*
 * A write: runs on the writer thread inside a transaction shared with other
 * writes. Returning a negative code undoes everything the function did
 * (and only that). It must not act outside the store: its effects exist
 * only once store_write() returns.
 */
typedef int (*store_write_fn)(struct store_conn *c, void *arg);

/*
 * Runs fn(conn, arg) in the next group commit and waits until the commit
 * is on stable storage. Returns fn's result, or CD_ESTORE if the commit
 * failed (then nothing fn did was kept), or CD_ESHUTDOWN while closing.
 */
int store_write(struct store *s, store_write_fn fn, void *arg);

/* Told how a write ended: rc is what store_write() would have returned. */
typedef void (*store_done_fn)(void *done_arg, int rc);

/*
 * Runs fn(conn, arg) in the next group commit like store_write(), without
 * waiting: done(done_arg, rc) is called once the commit is on stable
 * storage, on the writer thread (so it must be quick and must not write),
 * or at once on the calling thread when the write cannot be queued (out of
 * memory, or closing). arg must stay valid until then.
 */
void store_write_async(struct store *s, store_write_fn fn, void *arg,
		       store_done_fn done, void *done_arg);

/* --- Accounts and API keys --------------------------------------------- */

struct store_key {
	int64_t id;
	int64_t account_id;
	char prefix[24];
	unsigned char hash[32]; /* SHA-256 of the whole key */
	int64_t revoked_at;	/* 0 when active */
};

/* Finds or creates the account called `name`; sets *id. */
int store_account_ensure(struct store_conn *c, const char *name, int64_t now,
			 int64_t *id);

/* Finds the account called `name`; CD_ENOTFOUND when there is none. */
int store_account_find(struct store_conn *c, const char *name, int64_t *id);

/* Counts accounts. */
int store_account_count(struct store_conn *c, int64_t *n);

/* Adds a key; the prefix is its public identifier. */
int store_key_insert(struct store_conn *c, const struct store_key *k,
		     int64_t now, int64_t *id);

/* Finds a key by prefix, revoked or not; CD_ENOTFOUND when unknown. */
int store_key_find(struct store_conn *c, const char *prefix,
		   struct store_key *out);

/*
 * Sets *out to a new array of {id, prefix, account, created_at,
 * revoked_at}; account_id 0 lists every account's keys.
 */
int store_key_list(struct store_conn *c, int64_t account_id, json_t **out);

/*
 * Revokes the key with that prefix (within account_id unless 0).
 * CD_ENOTFOUND when there is no such active key.
 */
int store_key_revoke(struct store_conn *c, int64_t account_id,
		     const char *prefix, int64_t now);

/* --- Agents ------------------------------------------------------------- */

struct store_agent {
	int64_t account_id;
	const char *name;
	const char *welcome_message;
	const char *prompt;
};

int store_agent_insert(struct store_conn *c, const struct store_agent *a,
		       int64_t now, int64_t *id);

/* Sets *out to a new object {id, name, welcome_message, prompt,
 * created_at}; CD_ENOTFOUND unless it belongs to account_id. */
int store_agent_get(struct store_conn *c, int64_t account_id, int64_t id,
		    json_t **out);

/* Sets *out to a new array of agents, oldest first. */
int store_agent_list(struct store_conn *c, int64_t account_id, int64_t offset,
		     int64_t limit, json_t **out);

/* --- Phone numbers ------------------------------------------------------ */

struct store_number {
	int64_t account_id;
	const char *number;
	const char *provider;
	int64_t agent_id; /* 0 when none is attached */
	const json_t *settings;
};

/* CD_EEXIST when the account already has that number. */
int store_number_insert(struct store_conn *c, const struct store_number *n,
			int64_t now, int64_t *id);

/* Sets *out to a new object {id, number, provider, agent_id, settings,
 * created_at}; CD_ENOTFOUND unless it belongs to account_id. */
int store_number_get(struct store_conn *c, int64_t account_id, int64_t id,
		     json_t **out);

int store_number_list(struct store_conn *c, int64_t account_id, int64_t offset,
		      int64_t limit, json_t **out);

/* Attaches agent_id (0 detaches) to the account's number id. */
int store_number_set_agent(struct store_conn *c, int64_t account_id, int64_t id,
			   int64_t agent_id);

/* --- Campaigns ---------------------------------------------------------- */

struct store_campaign {
	int64_t id;
	int64_t account_id;
	char *name;
	enum campaign_type type;
	enum campaign_state state;
	int64_t phone_number_id;
	int64_t agent_id;
	int64_t start_at;   /* ms; dialling may begin then */
	int64_t resumed_at; /* last start or resume by hand */
	int concurrent_call_limit;
	json_t *settings; /* timezone, retry, window, conditions...; shared:
			     json_deep_copy it before changing it */
	int64_t created_at;
	int64_t updated_at;
	bool loading; /* on insert: hidden until store_campaign_loaded() */
	/* Filled by store_campaign_get, not stored as such: */
	int64_t counts[LINE_STATUS_COUNT];
	int64_t next_due_at; /* -1 when no line waits */
};

/* Releases what store_campaign_get allocated inside *cp. */
void store_campaign_clear(struct store_campaign *cp);

/* Inserts cp (id, counts and next_due_at ignored); sets *id. */
int store_campaign_insert(struct store_conn *c, const struct store_campaign *cp,
			  int64_t *id);

/*
 * Fills *out with the campaign alone: its counts are zero and next_due_at
 * is -1 (the cheap read for a caller that needs neither). Otherwise like
 * store_campaign_get().
 */
int store_campaign_head(struct store_conn *c, int64_t account_id, int64_t id,
			struct store_campaign *out);

/*
 * Fills *out with the campaign, its line counts and next due time.
 * account_id 0 matches any account. CD_ENOTFOUND when absent.
 */
int store_campaign_get(struct store_conn *c, int64_t account_id, int64_t id,
		       struct store_campaign *out);

/*
 * Sets *ids to a new array of the ids of the account's campaigns whose
 * state is in `states` (a mask of 1 << enum campaign_state; 0 for every
 * campaign), newest first.
 */
int store_campaign_ids(struct store_conn *c, int64_t account_id,
		       unsigned states, json_t **ids);

/*
 * A campaign inserted with `loading` set is written in several commits:
 * no read finds it (get, head, ids, live ids) until this call, in the
 * commit of its last part, shows it.
 */
int store_campaign_loaded(struct store_conn *c, int64_t id);

/*
 * Deletes a campaign that is still loading, with its lines; id 0 deletes
 * every one (at start-up, after a crash cut a load short). Sets *dropped
 * to how many campaigns went.
 */
int store_campaign_drop_loading(struct store_conn *c, int64_t id,
				int64_t *dropped);

/* Writes back the mutable fields of cp: state, start_at, resumed_at,
 * concurrent_call_limit and settings. */
int store_campaign_update(struct store_conn *c, const struct store_campaign *cp,
			  int64_t now);

/* --- Lines -------------------------------------------------------------- */

struct store_line {
	int64_t campaign_id;
	int64_t account_id;
	const char *to_number;
	const json_t *custom_variables; /* object, may be empty */
	const json_t *metadata;		/* object, may be empty */
	enum line_status status;
	int64_t due_at;		 /* ms, for due statuses */
	const char *skip_reason; /* NULL unless skipped */
};

int store_line_insert(struct store_conn *c, const struct store_line *l,
		      int64_t now, int64_t *id);

struct store_line_query {
	int64_t campaign_id;
	int status;	    /* an enum line_status, or -1 for any */
	const char *search; /* substring of to_number, or NULL */
	int64_t after_id;   /* cursor: lines with a larger id */
	int limit;
};

/* Sets *out to a new array of line objects in id order. */
int store_line_list(struct store_conn *c, const struct store_line_query *q,
		    json_t **out);

/* Counts the lines matching q (ignoring after_id and limit). */
int store_line_count(struct store_conn *c, const struct store_line_query *q,
		     int64_t *n);

/*
 * Moves every line of the campaign that waits for a due time to
 * `cancelled`; calls in flight finish on their own.
 */
int store_line_cancel_open(struct store_conn *c, int64_t campaign_id,
			   int64_t now, int64_t *n);

/* --- Calls -------------------------------------------------------------- */

/* Sets *ids to a new array of the ids of every active or paused campaign. */
int store_campaign_live_ids(struct store_conn *c, json_t **ids);

/*
 * Sets *out to a new array of up to `limit` lines of the campaign due at
 * or before `now`, earliest first: {line_id, to_number, custom_variables,
 * metadata, due_at, attempts, retries, reschedules}.
 */
int store_line_due(struct store_conn *c, int64_t campaign_id, int64_t now,
		   int limit, json_t **out);

/* A line's new state after a call or a decision about it. */
struct store_line_change {
	int64_t line_id;
	enum line_status status;
	int64_t due_at; /* for due statuses */
	int retries;
	int reschedules;
	const char *last_outcome; /* NULL keeps the old one */
	const char *skip_reason;  /* NULL keeps the old one */
};

int store_line_set(struct store_conn *c, const struct store_line_change *ch,
		   int64_t now);

struct store_attempt_new {
	int64_t line_id;
	int64_t campaign_id;
	int64_t account_id;
	int64_t due_at; /* the due time this dial answers */
	const char *welcome_message;
	const json_t *missing_variables; /* array of names */
};

/*
 * Records a dial about to be placed and moves its line to `calling`.
 * CD_EEXIST when the line was already dialled for that due time.
 */
int store_attempt_begin(struct store_conn *c, const struct store_attempt_new *a,
			int64_t now, int64_t *id, int *number);

struct store_attempt {
	int64_t id;
	int64_t line_id;
	int64_t campaign_id;
	int64_t account_id;
	int number;
	int64_t started_at;
	bool open; /* no outcome yet */
	char outcome[24];
	/* The line, as it stands: */
	enum line_status line_status;
	int retries;
	int reschedules;
	char to_number[24];
};

/* account_id 0 matches any account; CD_ENOTFOUND when absent. */
int store_attempt_get(struct store_conn *c, int64_t account_id, int64_t id,
		      struct store_attempt *out);

struct store_attempt_end {
	const char *outcome;
	int64_t answered_at; /* 0 when never answered */
	int64_t ended_at;
	int64_t duration_ms;
	int64_t callback_at; /* 0 when none */
	const char *summary; /* NULL when none */
};

int store_attempt_finish(struct store_conn *c, int64_t id,
			 const struct store_attempt_end *e);

/* Sets *ids to a new array of the ids of attempts with no outcome. */
int store_attempts_open(struct store_conn *c, json_t **ids);

/* Sets *out to a new line object; CD_ENOTFOUND unless it is in the
 * account's campaign. */
int store_line_get(struct store_conn *c, int64_t account_id,
		   int64_t campaign_id, int64_t line_id, json_t **out);

/* Sets *out to a new array of the line's attempts, oldest first. */
int store_attempt_list(struct store_conn *c, int64_t line_id, json_t **out);

/*
 * Sets *out to a new array of {hour (ms), outcome, n}: ended attempts of
 * the campaign per hour since `since`.
 */
int store_attempt_stats(struct store_conn *c, int64_t campaign_id,
			int64_t since, json_t **out);

/* Moves the campaign's failed lines back to pending, with a fresh retry
 * budget; sets *n to how many. */
int store_line_requeue_failed(struct store_conn *c, int64_t campaign_id,
			      int64_t now, int64_t *n);

/* Fails retry_scheduled lines that already used more than max_retries. */
int store_line_expire_retries(struct store_conn *c, int64_t campaign_id,
			      int max_retries, int64_t now, int64_t *n);

/* Completes every callback_scheduled line of the campaign. */
int store_line_drop_callbacks(struct store_conn *c, int64_t campaign_id,
			      int64_t now, int64_t *n);

/* --- Do-not-call -------------------------------------------------------- */

/* campaign_id 0 lists the number for the whole account. CD_EEXIST when
 * it is listed there already. */
int store_dnc_add(struct store_conn *c, int64_t account_id, int64_t campaign_id,
		  const char *number, const char *reason, int64_t now,
		  int64_t *id);

int store_dnc_remove(struct store_conn *c, int64_t account_id, int64_t id);

/* campaign_id -1 lists every entry of the account. */
int store_dnc_list(struct store_conn *c, int64_t account_id,
		   int64_t campaign_id, int64_t offset, int64_t limit,
		   json_t **out, int64_t *total);

/* Sets *listed when the number is on the account's list or the
 * campaign's. */
int store_dnc_listed(struct store_conn *c, int64_t account_id,
		     int64_t campaign_id, const char *number, bool *listed);

/* --- Idempotency -------------------------------------------------------- */

/*
 * Looks up the response first given to (account, key). Returns 0 and the
 * stored status and body (malloc'd) when the fingerprint matches,
 * CD_EIDEM when the key was used for another request, CD_ENOTFOUND when
 * the key is new. Status 0 means the first request with the key is still
 * being carried out (a write in several commits holds the key).
 */
int store_idem_get(struct store_conn *c, int64_t account_id, const char *key,
		   const unsigned char fp[32], int *status, char **body);

/* Records the response to (account, key); status 0 holds the key, and a
 * later put with the response replaces the hold. */
int store_idem_put(struct store_conn *c, int64_t account_id, const char *key,
		   const unsigned char fp[32], int status, const char *body,
		   int64_t now);

/* Deletes the hold on (account, key), or every hold when account_id is
 * 0; a recorded response stays. */
int store_idem_drop_held(struct store_conn *c, int64_t account_id,
			 const char *key);

/*
 * Deletes up to `limit` recorded responses made before `before` (ms), not
 * holds; sets *deleted to how many went.
 */
int store_idem_expire(struct store_conn *c, int64_t before, int limit,
		      int64_t *deleted);

/* How long a recorded Idempotency-Key response is kept, by default. */
#define STORE_IDEM_TTL_MS (7 * 24 * 3600 * INT64_C(1000))

/*
 * Sets how long recorded responses are kept (ms; 0 keeps them for ever).
 * The store's upkeep thread deletes older ones, a batch at a time, at
 * least once a minute.
 */
void store_set_idem_ttl(struct store *s, int64_t ms);

#endif
