/*
 * What a store backend provides: a table of functions that store.c calls.
 * Only backends and store.c include this header.
 */
#ifndef CD_STORE_BACKEND_H
#define CD_STORE_BACKEND_H

#include "store/store.h"

/* Every backend connection starts with this, so store.c can dispatch. */
struct store_conn {
	const struct store_backend *be;
	struct store_conn *next_idle; /* the pool's free list */
};

struct store_backend {
	const char *name;

	/* Connections and schema. */
	int (*connect)(const char *target, struct store_conn **out);
	void (*disconnect)(struct store_conn *c);
	int (*migrate)(struct store_conn *c);
	int (*schema_version)(struct store_conn *c);
	/*
	 * Background upkeep on a connection of its own, called every
	 * STORE_UPKEEP_MS by a thread that never blocks the writer; may be
	 * NULL.
	 */
	void (*upkeep)(struct store_conn *c);

	/*
	 * The writer's transaction and each write's savepoint. When sync is
	 * not NULL, commit() need not reach stable storage: sync() (called
	 * from another thread, while the writer goes on) makes every commit
	 * made on c before it was called durable, touching nothing of c that
	 * the writer uses.
	 */
	int (*begin)(struct store_conn *c);
	int (*commit)(struct store_conn *c);
	int (*sync)(struct store_conn *c);
	void (*rollback)(struct store_conn *c);
	/* A read snapshot on a reader's connection (store.h); may be NULL. */
	int (*read_begin)(struct store_conn *c);
	void (*read_end)(struct store_conn *c);
	int (*savepoint)(struct store_conn *c);
	int (*release)(struct store_conn *c);
	void (*rollback_to)(struct store_conn *c);

	int (*account_ensure)(struct store_conn *, const char *, int64_t,
			      int64_t *);
	int (*account_find)(struct store_conn *, const char *, int64_t *);
	int (*account_count)(struct store_conn *, int64_t *);
	int (*key_insert)(struct store_conn *, const struct store_key *,
			  int64_t, int64_t *);
	int (*key_find)(struct store_conn *, const char *, struct store_key *);
	int (*key_list)(struct store_conn *, int64_t, json_t **);
	int (*key_revoke)(struct store_conn *, int64_t, const char *, int64_t);

	int (*agent_insert)(struct store_conn *, const struct store_agent *,
			    int64_t, int64_t *);
	int (*agent_get)(struct store_conn *, int64_t, int64_t, json_t **);
	int (*agent_list)(struct store_conn *, int64_t, int64_t, int64_t,
			  json_t **);

	int (*number_insert)(struct store_conn *, const struct store_number *,
			     int64_t, int64_t *);
	int (*number_get)(struct store_conn *, int64_t, int64_t, json_t **);
	int (*number_list)(struct store_conn *, int64_t, int64_t, int64_t,
			   json_t **);
	int (*number_set_agent)(struct store_conn *, int64_t, int64_t, int64_t);

	int (*campaign_insert)(struct store_conn *,
			       const struct store_campaign *, int64_t *);
	int (*campaign_head)(struct store_conn *, int64_t, int64_t,
			     struct store_campaign *);
	int (*campaign_get)(struct store_conn *, int64_t, int64_t,
			    struct store_campaign *);
	int (*campaign_ids)(struct store_conn *, int64_t, unsigned, json_t **);
	int (*campaign_loaded)(struct store_conn *, int64_t);
	int (*campaign_drop_loading)(struct store_conn *, int64_t, int64_t *);
	int (*campaign_update)(struct store_conn *,
			       const struct store_campaign *, int64_t);

	int (*line_insert)(struct store_conn *, const struct store_line *,
			   int64_t, int64_t *);
	int (*line_list)(struct store_conn *, const struct store_line_query *,
			 json_t **);
	int (*line_count)(struct store_conn *, const struct store_line_query *,
			  int64_t *);
	int (*line_cancel_open)(struct store_conn *, int64_t, int64_t,
				int64_t *);

	int (*campaign_live_ids)(struct store_conn *, json_t **);
	int (*line_due)(struct store_conn *, int64_t, int64_t, int, json_t **);
	int (*line_set)(struct store_conn *, const struct store_line_change *,
			int64_t);
	int (*attempt_begin)(struct store_conn *,
			     const struct store_attempt_new *, int64_t,
			     int64_t *, int *);
	int (*attempt_get)(struct store_conn *, int64_t, int64_t,
			   struct store_attempt *);
	int (*attempt_finish)(struct store_conn *, int64_t,
			      const struct store_attempt_end *);
	int (*attempts_open)(struct store_conn *, json_t **);
	int (*line_get)(struct store_conn *, int64_t, int64_t, int64_t,
			json_t **);
	int (*attempt_list)(struct store_conn *, int64_t, json_t **);
	int (*attempt_stats)(struct store_conn *, int64_t, int64_t, json_t **);
	int (*line_requeue_failed)(struct store_conn *, int64_t, int64_t,
				   int64_t *);
	int (*line_expire_retries)(struct store_conn *, int64_t, int, int64_t,
				   int64_t *);
	int (*line_drop_callbacks)(struct store_conn *, int64_t, int64_t,
				   int64_t *);
	int (*dnc_add)(struct store_conn *, int64_t, int64_t, const char *,
		       const char *, int64_t, int64_t *);
	int (*dnc_remove)(struct store_conn *, int64_t, int64_t);
	int (*dnc_list)(struct store_conn *, int64_t, int64_t, int64_t, int64_t,
			json_t **, int64_t *);
	int (*dnc_listed)(struct store_conn *, int64_t, int64_t, const char *,
			  bool *);

	int (*idem_get)(struct store_conn *, int64_t, const char *,
			const unsigned char *, int *, char **);
	int (*idem_put)(struct store_conn *, int64_t, const char *,
			const unsigned char *, int, const char *, int64_t);
	int (*idem_drop_held)(struct store_conn *, int64_t, const char *);
	int (*idem_expire)(struct store_conn *, int64_t, int, int64_t *);
};

#define STORE_UPKEEP_MS 200

extern const struct store_backend store_sqlite_backend;

#endif
