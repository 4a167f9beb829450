/*
 * The SQLite backend: one file in WAL mode, each commit made durable by a
 * sync of the WAL file before any write it holds is answered. Statements
 * are prepared once per connection and kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/err.h"
#include "core/jsonout.h"
#include "core/log.h"
#include "store/schema_sqlite.h"
#include "store/store_backend.h"

/*
 * Lines waiting for their due time (pending, retry or callback scheduled):
 * the condition of the line_due index, word for word so that the queries
 * can use it, and comparisons rather than an IN list (schema_sqlite.c).
 */
#define LINE_WAITING "status < 4 AND status <> 1"
_Static_assert(LINE_PENDING == 0 && LINE_CALLING == 1 &&
		   LINE_RETRY_SCHEDULED == 2 && LINE_CALLBACK_SCHEDULED == 3 &&
		   LINE_COMPLETED == 4,
	       "LINE_WAITING spells out these values");

enum stmt_id {
	S_BEGIN,
	S_READ_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_ACCOUNT_FIND,
	S_ACCOUNT_INSERT,
	S_ACCOUNT_COUNT,
	S_KEY_INSERT,
	S_KEY_FIND,
	S_KEY_LIST,
	S_KEY_REVOKE,
	S_AGENT_INSERT,
	S_AGENT_GET,
	S_AGENT_LIST,
	S_NUMBER_INSERT,
	S_NUMBER_GET,
	S_NUMBER_LIST,
	S_NUMBER_SET_AGENT,
	S_CAMPAIGN_INSERT,
	S_CAMPAIGN_GET,
	S_CAMPAIGN_COUNTS,
	S_CAMPAIGN_NEXT_DUE,
	S_CAMPAIGN_IDS,
	S_CAMPAIGN_UPDATE,
	S_LINE_INSERT,
	S_LINE_LIST,
	S_LINE_LIST_STATUS,
	S_LINE_COUNT,
	S_LINE_TALLY,
	S_LINE_CANCEL_OPEN,
	S_IDEM_GET,
	S_IDEM_PUT,
	S_CAMPAIGN_LIVE,
	S_LINE_DUE,
	S_LINE_SET,
	S_ATTEMPT_INSERT,
	S_LINE_CALLING,
	S_ATTEMPT_GET,
	S_ATTEMPT_FINISH,
	S_ATTEMPTS_OPEN,
	S_LINE_GET,
	S_ATTEMPT_LIST,
	S_ATTEMPT_STATS,
	S_LINE_REQUEUE,
	S_LINE_EXPIRE,
	S_LINE_DROP_CALLBACKS,
	S_DNC_ADD,
	S_DNC_REMOVE,
	S_DNC_LIST,
	S_DNC_COUNT,
	S_DNC_LISTED,
	S_CAMPAIGN_LOADED,
	S_LOADING_LINES_DROP,
	S_LOADING_COUNTS_DROP,
	S_LOADING_DROP,
	S_IDEM_DROP_HELD,
	S_IDEM_EXPIRE,
	S_COUNT
};

#define LINE_COLUMNS                                                           \
	"id, to_number, custom_variables, metadata, status, due_at, "          \
	"attempts, skip_reason, created_at, updated_at"

/*
 * Filters of the line list and count: status and number search. Listing
 * with and without a status are separate statements so each walks its own
 * index in id order ((campaign_id, status, id) or (campaign_id, id)).
 */
#define LINE_SEARCH "AND (?3 IS NULL OR instr(to_number, ?3) > 0) "
#define LINE_FILTER "campaign_id = ?1 AND (?2 < 0 OR status = ?2) " LINE_SEARCH

/* The campaigns still being written: one (?1) or all (?1 = 0). */
#define LOADING                                                                \
	"SELECT id FROM campaign WHERE loading = 1 AND (?1 = 0 OR id = ?1)"

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_READ_BEGIN] = "BEGIN",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT w",
    [S_RELEASE] = "RELEASE w",
    [S_ROLLBACK_TO] = "ROLLBACK TO w",
    [S_ACCOUNT_FIND] = "SELECT id FROM account WHERE name = ?",
    [S_ACCOUNT_INSERT] = "INSERT INTO account (name, created_at) "
			 "VALUES (?, ?)",
    [S_ACCOUNT_COUNT] = "SELECT count(*) FROM account",
    [S_KEY_INSERT] = "INSERT INTO api_key (account_id, prefix, hash, "
		     "created_at) VALUES (?, ?, ?, ?)",
    [S_KEY_FIND] = "SELECT id, account_id, hash, revoked_at FROM api_key "
		   "WHERE prefix = ?",
    [S_KEY_LIST] = "SELECT k.id, k.prefix, a.name, k.created_at, "
		   "k.revoked_at FROM api_key k JOIN account a ON "
		   "a.id = k.account_id WHERE ?1 = 0 OR k.account_id = ?1 "
		   "ORDER BY k.id",
    [S_KEY_REVOKE] = "UPDATE api_key SET revoked_at = ?3 WHERE prefix = ?2 "
		     "AND (?1 = 0 OR account_id = ?1) AND revoked_at = 0",
    [S_AGENT_INSERT] = "INSERT INTO agent (account_id, name, "
		       "welcome_message, prompt, created_at) "
		       "VALUES (?, ?, ?, ?, ?)",
    [S_AGENT_GET] = "SELECT id, name, welcome_message, prompt, created_at "
		    "FROM agent WHERE account_id = ? AND id = ?",
    [S_AGENT_LIST] = "SELECT id, name, welcome_message, prompt, "
		     "created_at FROM agent WHERE account_id = ? "
		     "ORDER BY id LIMIT ? OFFSET ?",
    [S_NUMBER_INSERT] = "INSERT INTO phone_number (account_id, number, "
			"provider, agent_id, settings, created_at) "
			"VALUES (?, ?, ?, ?, ?, ?)",
    [S_NUMBER_GET] = "SELECT id, number, provider, agent_id, settings, "
		     "created_at FROM phone_number "
		     "WHERE account_id = ? AND id = ?",
    [S_NUMBER_LIST] = "SELECT id, number, provider, agent_id, settings, "
		      "created_at FROM phone_number WHERE account_id = ? "
		      "ORDER BY id LIMIT ? OFFSET ?",
    [S_NUMBER_SET_AGENT] = "UPDATE phone_number SET agent_id = ?3 "
			   "WHERE account_id = ?1 AND id = ?2",
    [S_CAMPAIGN_INSERT] = "INSERT INTO campaign (account_id, name, type, "
			  "state, phone_number_id, agent_id, start_at, "
			  "resumed_at, concurrent_call_limit, settings, "
			  "created_at, updated_at, loading) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_CAMPAIGN_GET] = "SELECT id, account_id, name, type, state, "
		       "phone_number_id, agent_id, start_at, resumed_at, "
		       "concurrent_call_limit, settings, created_at, "
		       "updated_at FROM campaign "
		       "WHERE id = ?2 AND (?1 = 0 OR account_id = ?1) "
		       "AND loading = 0",
    [S_CAMPAIGN_COUNTS] = "SELECT status, n FROM line_count "
			  "WHERE campaign_id = ?",
    [S_CAMPAIGN_NEXT_DUE] = "SELECT min(due_at) FROM line "
			    "INDEXED BY line_due "
			    "WHERE campaign_id = ? AND " LINE_WAITING,
    [S_CAMPAIGN_IDS] = "SELECT id FROM campaign WHERE account_id = ?1 "
		       "AND loading = 0 AND (?2 = 0 OR (?2 >> state) & 1) "
		       "ORDER BY id DESC",
    [S_CAMPAIGN_UPDATE] = "UPDATE campaign SET state = ?, start_at = ?, "
			  "resumed_at = ?, concurrent_call_limit = ?, "
			  "settings = ?, updated_at = ? WHERE id = ?",
    [S_LINE_INSERT] = "INSERT INTO line (campaign_id, account_id, "
		      "to_number, custom_variables, metadata, status, "
		      "due_at, skip_reason, created_at, updated_at) "
		      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_LINE_LIST] = "SELECT " LINE_COLUMNS " FROM line "
		    "WHERE campaign_id = ?1 " LINE_SEARCH
		    "AND id > ?4 ORDER BY id LIMIT ?5",
    [S_LINE_LIST_STATUS] = "SELECT " LINE_COLUMNS " FROM line "
			   "WHERE campaign_id = ?1 AND status = ?2 " LINE_SEARCH
			   "AND id > ?4 ORDER BY id LIMIT ?5",
    [S_LINE_COUNT] = "SELECT count(*) FROM line WHERE " LINE_FILTER,
    [S_LINE_TALLY] = "SELECT coalesce(sum(n), 0) FROM line_count "
		     "WHERE campaign_id = ?1 AND (?2 < 0 OR status = ?2)",
    [S_LINE_CANCEL_OPEN] = "UPDATE line SET status = 7, updated_at = ?2 "
			   "WHERE campaign_id = ?1 "
			   "AND " LINE_WAITING,
    [S_IDEM_GET] = "SELECT fingerprint, status, body FROM idempotency "
		   "WHERE account_id = ? AND key = ?",
    [S_IDEM_PUT] = "INSERT INTO idempotency (account_id, key, "
		   "fingerprint, status, body, created_at) "
		   "VALUES (?, ?, ?, ?, ?, ?) "
		   "ON CONFLICT (account_id, key) DO UPDATE SET "
		   "status = excluded.status, body = excluded.body "
		   "WHERE status = 0",
    [S_CAMPAIGN_LIVE] = "SELECT id FROM campaign WHERE state IN (1, 2) "
			"AND loading = 0",
    [S_LINE_DUE] = "SELECT id, to_number, custom_variables, metadata, "
		   "due_at, attempts, retries, reschedules FROM line "
		   "INDEXED BY line_due "
		   "WHERE campaign_id = ?1 AND " LINE_WAITING " "
		   "AND due_at <= ?2 ORDER BY due_at LIMIT ?3",
    [S_LINE_SET] = "UPDATE line SET status = ?2, due_at = ?3, retries = ?4, "
		   "reschedules = ?5, "
		   "last_outcome = coalesce(?6, last_outcome), "
		   "skip_reason = coalesce(?7, skip_reason), "
		   "updated_at = ?8 WHERE id = ?1",
    [S_ATTEMPT_INSERT] = "INSERT INTO attempt (line_id, campaign_id, "
			 "account_id, number, due_at, started_at, "
			 "welcome_message, missing_variables) "
			 "VALUES (?1, ?2, ?3, "
			 "(SELECT attempts + 1 FROM line WHERE id = ?1), "
			 "?4, ?5, ?6, ?7)",
    [S_LINE_CALLING] = "UPDATE line SET status = 1, "
		       "attempts = attempts + 1, updated_at = ?2 "
		       "WHERE id = ?1 AND " LINE_WAITING " "
		       "RETURNING attempts",
    [S_ATTEMPT_GET] = "SELECT a.id, a.line_id, a.campaign_id, "
		      "a.account_id, a.number, a.started_at, a.outcome, "
		      "l.status, l.retries, l.reschedules, l.to_number "
		      "FROM attempt a JOIN line l ON l.id = a.line_id "
		      "WHERE a.id = ?2 AND (?1 = 0 OR a.account_id = ?1)",
    [S_ATTEMPT_FINISH] = "UPDATE attempt SET outcome = ?2, "
			 "answered_at = ?3, ended_at = ?4, "
			 "duration_ms = ?5, callback_at = ?6, "
			 "summary = ?7 WHERE id = ?1 AND outcome IS NULL",
    [S_ATTEMPTS_OPEN] = "SELECT id FROM attempt WHERE outcome IS NULL",
    [S_LINE_GET] = "SELECT " LINE_COLUMNS ", retries, reschedules, "
		   "last_outcome FROM line WHERE id = ?3 "
		   "AND campaign_id = ?2 AND account_id = ?1",
    [S_ATTEMPT_LIST] = "SELECT id, number, started_at, answered_at, "
		       "ended_at, outcome, duration_ms, welcome_message, "
		       "missing_variables, callback_at, summary "
		       "FROM attempt WHERE line_id = ? ORDER BY id",
    [S_ATTEMPT_STATS] = "SELECT started_at / 3600000 * 3600000 AS hour, "
			"outcome, count(*) FROM attempt "
			"WHERE campaign_id = ?1 AND started_at >= ?2 "
			"AND outcome IS NOT NULL "
			"GROUP BY hour, outcome ORDER BY hour",
    [S_LINE_REQUEUE] = "UPDATE line SET status = 0, due_at = ?2, "
		       "retries = 0, updated_at = ?2 "
		       "WHERE campaign_id = ?1 AND status = 5",
    [S_LINE_EXPIRE] = "UPDATE line SET status = 5, updated_at = ?3 "
		      "WHERE campaign_id = ?1 AND status = 2 "
		      "AND retries > ?2",
    [S_LINE_DROP_CALLBACKS] = "UPDATE line SET status = 4, "
			      "updated_at = ?2 WHERE campaign_id = ?1 "
			      "AND status = 3",
    [S_DNC_ADD] = "INSERT INTO dnc (account_id, campaign_id, number, "
		  "reason, created_at) VALUES (?, ?, ?, ?, ?)",
    [S_DNC_REMOVE] = "DELETE FROM dnc WHERE id = ?2 AND account_id = ?1",
    [S_DNC_LIST] = "SELECT id, number, campaign_id, reason, created_at "
		   "FROM dnc WHERE account_id = ?1 "
		   "AND (?2 < 0 OR campaign_id = ?2) "
		   "ORDER BY id LIMIT ?3 OFFSET ?4",
    [S_DNC_COUNT] = "SELECT count(*) FROM dnc WHERE account_id = ?1 "
		    "AND (?2 < 0 OR campaign_id = ?2)",
    [S_DNC_LISTED] = "SELECT 1 FROM dnc WHERE account_id = ?1 "
		     "AND number = ?3 AND (+campaign_id = 0 "
		     "OR +campaign_id = ?2) LIMIT 1",
    [S_CAMPAIGN_LOADED] = "UPDATE campaign SET loading = 0 WHERE id = ?",
    [S_LOADING_LINES_DROP] = "DELETE FROM line WHERE campaign_id IN "
			     "(" LOADING ")",
    [S_LOADING_COUNTS_DROP] = "DELETE FROM line_count WHERE campaign_id IN "
			      "(" LOADING ")",
    [S_LOADING_DROP] = "DELETE FROM campaign WHERE id IN (" LOADING ")",
    [S_IDEM_DROP_HELD] = "DELETE FROM idempotency WHERE status = 0 AND "
			 "(?1 = 0 OR (account_id = ?1 AND key = ?2))",
    [S_IDEM_EXPIRE] = "DELETE FROM idempotency WHERE (account_id, key) IN "
		      "(SELECT account_id, key FROM idempotency "
		      "WHERE created_at < ?1 AND status <> 0 LIMIT ?2)",
};

/* Parsed campaign settings, kept while their stored text is unchanged. */
#define SETTINGS_CACHE 4

struct settings_entry {
	char *text;
	json_t *json;
};

struct sqlite_conn {
	struct store_conn base;
	sqlite3 *db;
	sqlite3_stmt *stmts[S_COUNT];
	struct settings_entry settings[SETTINGS_CACHE];
	unsigned next_victim;

	/* Used by sqlite_sync() only, on the thread that syncs. */
	char *wal_path;
	int wal_fd; /* -1 until opened */
	dev_t wal_dev;
	ino_t wal_ino;
};

static struct sqlite_conn *
sq(struct store_conn *c)
{
	return (struct sqlite_conn *)c;
}

static int
fail(struct sqlite_conn *c, const char *what)
{
	log_error("sqlite: %s: %s", what, sqlite3_errmsg(c->db));
	return CD_ESTORE;
}

/* Returns the prepared, reset statement `id`, or NULL (logged). */
static sqlite3_stmt *
stmt(struct store_conn *base, enum stmt_id id)
{
	struct sqlite_conn *c = sq(base);
	sqlite3_stmt *st = c->stmts[id];

	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1,
			       SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		fail(c, stmt_sql[id]);
		return NULL;
	}
	c->stmts[id] = st;
	return st;
}

/* Runs a statement expected to return no row; maps constraint errors. */
static int
step_done(struct store_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return CD_EEXIST;
	return fail(sq(c), sqlite3_sql(st));
}

/* Runs a bound UPDATE or DELETE and sets *n to the rows it changed. */
static int
step_changes(struct store_conn *c, sqlite3_stmt *st, int64_t *n)
{
	int rc = step_done(c, st);

	if (rc < 0)
		return rc;
	*n = sqlite3_changes(sq(c)->db);
	return 0;
}

static int
step_row(struct store_conn *c, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return fail(sq(c), sqlite3_sql(st));
}

static int
exec_simple(struct store_conn *c, enum stmt_id id)
{
	sqlite3_stmt *st = stmt(c, id);

	return st == NULL ? CD_ESTORE : step_done(c, st);
}

static int64_t
last_id(struct store_conn *c)
{
	return sqlite3_last_insert_rowid(sq(c)->db);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

/* Parses a stored JSON column; a damaged value reads as an empty object. */
static json_t *
col_json(sqlite3_stmt *st, int i)
{
	json_t *j = json_loads(col_text(st, i), 0, NULL);

	return j != NULL ? j : json_object();
}

static char *
json_text(const json_t *j)
{
	if (j == NULL)
		return strdup("{}");
	return jsonout_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* --- Connections and schema -------------------------------------------- */

/*
 * synchronous = NORMAL: a commit writes its frames to the WAL without
 * waiting for the disk; store.c makes them durable with sqlite_sync() on
 * another thread, while the writer runs the next batch, and answers no
 * write before that. Checkpoints still sync the WAL before they copy it.
 */
/*
 * Waits out a lock held by another connection (the checkpoint that starts
 * the WAL over holds the writer back for a few milliseconds) in steps of
 * BUSY_STEP_US, not SQLite's default steps of up to 100 ms; gives up
 * after BUSY_LIMIT_MS.
 */
#define BUSY_STEP_US  200
#define BUSY_LIMIT_MS 10000

static int
on_busy(void *arg, int tries)
{
	(void)arg;
	if ((int64_t)tries * BUSY_STEP_US >= BUSY_LIMIT_MS * 1000LL)
		return 0;
	usleep(BUSY_STEP_US);
	return 1;
}

static int
configure(struct sqlite_conn *c)
{
	static const char pragmas[] = "PRAGMA journal_mode = WAL;"
				      "PRAGMA synchronous = NORMAL;"
				      "PRAGMA foreign_keys = ON;"
				      "PRAGMA temp_store = MEMORY;"
				      "PRAGMA wal_autocheckpoint = 0;";

	sqlite3_busy_handler(c->db, on_busy, NULL);
	if (sqlite3_exec(c->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
		return fail(c, "pragmas");
	return 0;
}

/*
 * SQLite counts every allocation under one process-wide mutex unless told
 * not to; the writer and the HTTP threads would queue on it.
 */
static void
setup_library(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int
sqlite_connect(const char *target, struct store_conn **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sqlite_conn *c;
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	pthread_once(&once, setup_library);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return CD_ENOMEM;
	c->base.be = &store_sqlite_backend;
	if (sqlite3_open_v2(target, &c->db, flags, NULL) != SQLITE_OK) {
		log_error("sqlite: cannot open %s: %s", target,
			  sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c);
		return CD_ESTORE;
	}
	c->wal_fd = -1;
	if (configure(c) < 0 ||
	    asprintf(&c->wal_path, "%s-wal",
		     sqlite3_db_filename(c->db, "main")) < 0) {
		sqlite3_close(c->db);
		free(c);
		return CD_ESTORE;
	}
	*out = &c->base;
	return 0;
}

static void
sqlite_disconnect(struct store_conn *base)
{
	struct sqlite_conn *c = sq(base);

	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(c->stmts[i]);
	for (int i = 0; i < SETTINGS_CACHE; i++) {
		free(c->settings[i].text);
		json_decref(c->settings[i].json);
	}
	sqlite3_close(c->db);
	if (c->wal_fd >= 0)
		close(c->wal_fd);
	free(c->wal_path);
	free(c);
}

/* Opens the WAL file, or again when SQLite has made a new one. */
static int
open_wal(struct sqlite_conn *c)
{
	struct stat st;

	if (c->wal_fd >= 0 && stat(c->wal_path, &st) == 0 &&
	    st.st_dev == c->wal_dev && st.st_ino == c->wal_ino)
		return 0;
	if (c->wal_fd >= 0)
		close(c->wal_fd);
	c->wal_fd = open(c->wal_path, O_RDONLY | O_CLOEXEC);
	if (c->wal_fd < 0 || fstat(c->wal_fd, &st) < 0) {
		log_error("sqlite: cannot open %s to sync it: %s", c->wal_path,
			  strerror(errno));
		return CD_ESTORE;
	}
	c->wal_dev = st.st_dev;
	c->wal_ino = st.st_ino;
	return 0;
}

/*
 * Every commit is in the WAL file once sqlite3_step() returns; syncing the
 * file puts all of them on stable storage (Linux syncs a file's data
 * whichever descriptor asks).
 */
static int
sqlite_sync(struct store_conn *base)
{
	struct sqlite_conn *c = sq(base);

	if (open_wal(c) < 0)
		return CD_ESTORE;
	if (fdatasync(c->wal_fd) < 0) {
		log_error("sqlite: fdatasync %s: %s", c->wal_path,
			  strerror(errno));
		return CD_ESTORE;
	}
	return 0;
}

static int
sqlite_schema_version(struct store_conn *base)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(sq(base)->db, "PRAGMA user_version", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Applies migration `v` (to version v + 1) in its own transaction. */
static int
apply_migration(struct sqlite_conn *c, int v)
{
	char sql[64];

	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return fail(c, "begin migration");
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
	if (sqlite3_exec(c->db, schema_sqlite_migrations[v], NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(c, "migration");
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return CD_ESTORE;
	}
	if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return fail(c, "commit migration");
	log_info("store: schema migrated to version %d", v + 1);
	return 0;
}

static int
sqlite_migrate(struct store_conn *base)
{
	struct sqlite_conn *c = sq(base);
	int v = sqlite_schema_version(base);

	if (v < 0)
		return fail(c, "schema version");
	if (v > schema_sqlite_version) {
		log_error("store: schema version %d is newer than this "
			  "release (%d)",
			  v, schema_sqlite_version);
		return CD_ESTORE;
	}
	for (; v < schema_sqlite_version; v++)
		if (apply_migration(c, v) < 0)
			return CD_ESTORE;
	return 0;
}

/*
 * Copies committed pages from the WAL into the database off the writer's
 * path (PASSIVE never waits for readers or the writer), so a commit never
 * pays for a checkpoint.
 *
 * PASSIVE alone lets the WAL grow without end under steady writes: SQLite
 * starts it over only when a write finds it wholly copied, and the writer
 * always has newer frames by then. So once it holds WAL_RESTART_FRAMES,
 * a RESTART checkpoint holds the writer back for the few frames still to
 * copy and makes the next write start over at the top of the file. The
 * file keeps its size, so later syncs write over allocated blocks and do
 * not wait for the file system's journal.
 */
#define WAL_RESTART_FRAMES 65536 /* 256 MiB of 4 KiB pages */

static void
sqlite_upkeep(struct store_conn *c)
{
	sqlite3 *db = sq(c)->db;
	int log = 0, done = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				       &log, &done);
	if (rc == SQLITE_OK && log >= WAL_RESTART_FRAMES)
		rc = sqlite3_wal_checkpoint_v2(
		    db, NULL, SQLITE_CHECKPOINT_RESTART, &log, &done);
	if (rc != SQLITE_OK && sqlite3_errcode(db) != SQLITE_BUSY)
		log_warn("sqlite: checkpoint: %s", sqlite3_errmsg(db));
}

static int
sqlite_begin(struct store_conn *c)
{
	return exec_simple(c, S_BEGIN);
}

static int
sqlite_commit(struct store_conn *c)
{
	return exec_simple(c, S_COMMIT);
}

static void
sqlite_rollback(struct store_conn *c)
{
	if (sqlite3_get_autocommit(sq(c)->db) == 0)
		exec_simple(c, S_ROLLBACK);
}

/*
 * A deferred transaction takes the WAL read lock at its first statement
 * and keeps that snapshot until it ends.
 */
static int
sqlite_read_begin(struct store_conn *c)
{
	return exec_simple(c, S_READ_BEGIN);
}

static int
sqlite_savepoint(struct store_conn *c)
{
	return exec_simple(c, S_SAVEPOINT);
}

static int
sqlite_release(struct store_conn *c)
{
	return exec_simple(c, S_RELEASE);
}

static void
sqlite_rollback_to(struct store_conn *c)
{
	if (exec_simple(c, S_ROLLBACK_TO) == 0)
		exec_simple(c, S_RELEASE);
}

/* --- Accounts and keys -------------------------------------------------- */

static int
sqlite_account_find(struct store_conn *c, const char *name, int64_t *id)
{
	sqlite3_stmt *st = stmt(c, S_ACCOUNT_FIND);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = step_row(c, st);
	if (rc <= 0)
		return rc == 0 ? CD_ENOTFOUND : rc;
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int
sqlite_account_ensure(struct store_conn *c, const char *name, int64_t now,
		      int64_t *id)
{
	sqlite3_stmt *st;
	int rc = sqlite_account_find(c, name, id);

	if (rc != CD_ENOTFOUND)
		return rc;
	if ((st = stmt(c, S_ACCOUNT_INSERT)) == NULL)
		return CD_ESTORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return 0;
}

static int
count_query(struct store_conn *c, sqlite3_stmt *st, int64_t *n)
{
	int rc = step_row(c, st);

	if (rc <= 0)
		return rc == 0 ? CD_ESTORE : rc;
	*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int
sqlite_account_count(struct store_conn *c, int64_t *n)
{
	sqlite3_stmt *st = stmt(c, S_ACCOUNT_COUNT);

	return st == NULL ? CD_ESTORE : count_query(c, st, n);
}

static int
sqlite_key_insert(struct store_conn *c, const struct store_key *k, int64_t now,
		  int64_t *id)
{
	sqlite3_stmt *st = stmt(c, S_KEY_INSERT);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, k->account_id);
	sqlite3_bind_text(st, 2, k->prefix, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, k->hash, sizeof(k->hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return 0;
}

static int
sqlite_key_find(struct store_conn *c, const char *prefix, struct store_key *out)
{
	sqlite3_stmt *st = stmt(c, S_KEY_FIND);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	rc = step_row(c, st);
	if (rc <= 0)
		return rc == 0 ? CD_ENOTFOUND : rc;
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->account_id = sqlite3_column_int64(st, 1);
	if (sqlite3_column_bytes(st, 2) == sizeof(out->hash))
		memcpy(out->hash, sqlite3_column_blob(st, 2),
		       sizeof(out->hash));
	out->revoked_at = sqlite3_column_int64(st, 3);
	snprintf(out->prefix, sizeof(out->prefix), "%s", prefix);
	sqlite3_reset(st);
	return 0;
}

/* A column as JSON: integers stay integers, NULL becomes null. */
static json_t *
col_value(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string(col_text(st, i));
	}
}

/*
 * Runs a bound query and collects each row as an object whose keys are
 * `names` (one per column; a name starting with '{' holds stored JSON).
 */
static int
collect_rows(struct store_conn *c, sqlite3_stmt *st, const char *const *names,
	     int ncol, json_t **out)
{
	json_t *arr = json_array();
	int rc;

	while ((rc = step_row(c, st)) == 1) {
		json_t *row = json_object();

		for (int i = 0; i < ncol; i++) {
			if (names[i][0] == '{')
				json_object_set_new(row, names[i] + 1,
						    col_json(st, i));
			else
				json_object_set_new(row, names[i],
						    col_value(st, i));
		}
		json_array_append_new(arr, row);
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int
collect_one(struct store_conn *c, sqlite3_stmt *st, const char *const *names,
	    int ncol, json_t **out)
{
	json_t *arr;
	int rc = collect_rows(c, st, names, ncol, &arr);

	if (rc < 0)
		return rc;
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return CD_ENOTFOUND;
	}
	*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return 0;
}

/* Runs a bound query whose first column is an id; *ids gets them all. */
static int
collect_ids(struct store_conn *c, sqlite3_stmt *st, json_t **ids)
{
	json_t *arr = json_array();
	int rc;

	while ((rc = step_row(c, st)) == 1)
		json_array_append_new(
		    arr, json_integer(sqlite3_column_int64(st, 0)));
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*ids = arr;
	return 0;
}

static int
sqlite_key_list(struct store_conn *c, int64_t account_id, json_t **out)
{
	static const char *const names[] = {"id", "prefix", "account",
					    "created_at", "revoked_at"};
	sqlite3_stmt *st = stmt(c, S_KEY_LIST);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	return collect_rows(c, st, names, 5, out);
}

static int
sqlite_key_revoke(struct store_conn *c, int64_t account_id, const char *prefix,
		  int64_t now)
{
	sqlite3_stmt *st = stmt(c, S_KEY_REVOKE);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	return sqlite3_changes(sq(c)->db) > 0 ? 0 : CD_ENOTFOUND;
}

/* --- Agents and numbers ------------------------------------------------- */

static const char *const agent_names[] = {"id", "name", "welcome_message",
					  "prompt", "created_at"};
static const char *const number_names[] = {
    "id", "number", "provider", "agent_id", "{settings", "created_at"};

static int
sqlite_agent_insert(struct store_conn *c, const struct store_agent *a,
		    int64_t now, int64_t *id)
{
	sqlite3_stmt *st = stmt(c, S_AGENT_INSERT);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, a->account_id);
	sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->welcome_message, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->prompt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return 0;
}

static int
get_by_id(struct store_conn *c, enum stmt_id id, const char *const *names,
	  int ncol, int64_t account_id, int64_t obj_id, json_t **out)
{
	sqlite3_stmt *st = stmt(c, id);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, obj_id);
	return collect_one(c, st, names, ncol, out);
}

static int
list_page(struct store_conn *c, enum stmt_id id, const char *const *names,
	  int ncol, int64_t account_id, int64_t offset, int64_t limit,
	  json_t **out)
{
	sqlite3_stmt *st = stmt(c, id);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	return collect_rows(c, st, names, ncol, out);
}

static int
sqlite_agent_get(struct store_conn *c, int64_t account_id, int64_t id,
		 json_t **out)
{
	return get_by_id(c, S_AGENT_GET, agent_names, 5, account_id, id, out);
}

static int
sqlite_agent_list(struct store_conn *c, int64_t account_id, int64_t offset,
		  int64_t limit, json_t **out)
{
	return list_page(c, S_AGENT_LIST, agent_names, 5, account_id, offset,
			 limit, out);
}

static int
sqlite_number_insert(struct store_conn *c, const struct store_number *n,
		     int64_t now, int64_t *id)
{
	sqlite3_stmt *st = stmt(c, S_NUMBER_INSERT);
	char *settings = json_text(n->settings);
	int rc;

	if (st == NULL || settings == NULL) {
		free(settings);
		return st == NULL ? CD_ESTORE : CD_ENOMEM;
	}
	sqlite3_bind_int64(st, 1, n->account_id);
	sqlite3_bind_text(st, 2, n->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, n->provider, -1, SQLITE_STATIC);
	if (n->agent_id > 0)
		sqlite3_bind_int64(st, 4, n->agent_id);
	sqlite3_bind_text(st, 5, settings, -1, free);
	sqlite3_bind_int64(st, 6, now);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return 0;
}

static int
sqlite_number_get(struct store_conn *c, int64_t account_id, int64_t id,
		  json_t **out)
{
	return get_by_id(c, S_NUMBER_GET, number_names, 6, account_id, id, out);
}

static int
sqlite_number_list(struct store_conn *c, int64_t account_id, int64_t offset,
		   int64_t limit, json_t **out)
{
	return list_page(c, S_NUMBER_LIST, number_names, 6, account_id, offset,
			 limit, out);
}

static int
sqlite_number_set_agent(struct store_conn *c, int64_t account_id, int64_t id,
			int64_t agent_id)
{
	sqlite3_stmt *st = stmt(c, S_NUMBER_SET_AGENT);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	if (agent_id > 0)
		sqlite3_bind_int64(st, 3, agent_id);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	return sqlite3_changes(sq(c)->db) > 0 ? 0 : CD_ENOTFOUND;
}

/* --- Campaigns ---------------------------------------------------------- */

static int
bind_campaign_fields(sqlite3_stmt *st, const struct store_campaign *cp)
{
	char *settings = json_text(cp->settings);

	if (settings == NULL)
		return CD_ENOMEM;
	sqlite3_bind_int64(st, 1, cp->account_id);
	sqlite3_bind_text(st, 2, cp->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, cp->type);
	sqlite3_bind_int(st, 4, cp->state);
	sqlite3_bind_int64(st, 5, cp->phone_number_id);
	if (cp->agent_id > 0)
		sqlite3_bind_int64(st, 6, cp->agent_id);
	sqlite3_bind_int64(st, 7, cp->start_at);
	sqlite3_bind_int64(st, 8, cp->resumed_at);
	sqlite3_bind_int(st, 9, cp->concurrent_call_limit);
	sqlite3_bind_text(st, 10, settings, -1, free);
	sqlite3_bind_int64(st, 11, cp->created_at);
	sqlite3_bind_int64(st, 12, cp->updated_at);
	return 0;
}

static int
sqlite_campaign_insert(struct store_conn *c, const struct store_campaign *cp,
		       int64_t *id)
{
	sqlite3_stmt *st = stmt(c, S_CAMPAIGN_INSERT);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	if ((rc = bind_campaign_fields(st, cp)) < 0)
		return rc;
	sqlite3_bind_int(st, 13, cp->loading);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return 0;
}

static int
sqlite_campaign_loaded(struct store_conn *c, int64_t id)
{
	sqlite3_stmt *st = stmt(c, S_CAMPAIGN_LOADED);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	return step_done(c, st);
}

static int
sqlite_campaign_drop_loading(struct store_conn *c, int64_t id, int64_t *dropped)
{
	static const enum stmt_id steps[] = {
	    S_LOADING_LINES_DROP, S_LOADING_COUNTS_DROP, S_LOADING_DROP};
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((st = stmt(c, steps[i])) == NULL)
			return CD_ESTORE;
		sqlite3_bind_int64(st, 1, id);
		/* The last step deletes the campaigns: its count is theirs. */
		if ((rc = step_changes(c, st, dropped)) < 0)
			return rc;
	}
	return 0;
}

/*
 * Returns a new reference to the parsed settings of column i. Adding a
 * contact reads the same campaign thousands of times a second, so parsed
 * settings are cached per connection; callers must not change them.
 */
static json_t *
cached_settings(struct sqlite_conn *c, sqlite3_stmt *st, int i)
{
	const char *text = col_text(st, i);
	struct settings_entry *e;
	char *copy;

	for (int k = 0; k < SETTINGS_CACHE; k++)
		if (c->settings[k].text != NULL &&
		    strcmp(c->settings[k].text, text) == 0)
			return json_incref(c->settings[k].json);
	if ((copy = strdup(text)) == NULL)
		return col_json(st, i);
	e = &c->settings[c->next_victim++ % SETTINGS_CACHE];
	free(e->text);
	json_decref(e->json);
	e->text = copy;
	e->json = col_json(st, i);
	return json_incref(e->json);
}

static void
read_campaign_row(struct sqlite_conn *c, sqlite3_stmt *st,
		  struct store_campaign *out)
{
	out->id = sqlite3_column_int64(st, 0);
	out->account_id = sqlite3_column_int64(st, 1);
	out->name = strdup(col_text(st, 2));
	out->type = (enum campaign_type)sqlite3_column_int(st, 3);
	out->state = (enum campaign_state)sqlite3_column_int(st, 4);
	out->phone_number_id = sqlite3_column_int64(st, 5);
	out->agent_id = sqlite3_column_int64(st, 6);
	out->start_at = sqlite3_column_int64(st, 7);
	out->resumed_at = sqlite3_column_int64(st, 8);
	out->concurrent_call_limit = sqlite3_column_int(st, 9);
	out->settings = cached_settings(c, st, 10);
	out->created_at = sqlite3_column_int64(st, 11);
	out->updated_at = sqlite3_column_int64(st, 12);
}

static int
read_counts(struct store_conn *c, struct store_campaign *out)
{
	sqlite3_stmt *st = stmt(c, S_CAMPAIGN_COUNTS);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, out->id);
	while ((rc = step_row(c, st)) == 1) {
		int s = sqlite3_column_int(st, 0);

		if (s >= 0 && s < LINE_STATUS_COUNT)
			out->counts[s] = sqlite3_column_int64(st, 1);
	}
	if (rc < 0)
		return rc;
	if ((st = stmt(c, S_CAMPAIGN_NEXT_DUE)) == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, out->id);
	if ((rc = step_row(c, st)) < 0)
		return rc;
	out->next_due_at = sqlite3_column_type(st, 0) == SQLITE_NULL
			       ? -1
			       : sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int
sqlite_campaign_head(struct store_conn *c, int64_t account_id, int64_t id,
		     struct store_campaign *out)
{
	sqlite3_stmt *st = stmt(c, S_CAMPAIGN_GET);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = step_row(c, st);
	if (rc <= 0)
		return rc == 0 ? CD_ENOTFOUND : rc;
	memset(out, 0, sizeof(*out));
	read_campaign_row(sq(c), st, out);
	sqlite3_reset(st);
	out->next_due_at = -1;
	if (out->name == NULL) {
		store_campaign_clear(out);
		return CD_ENOMEM;
	}
	return 0;
}

static int
sqlite_campaign_get(struct store_conn *c, int64_t account_id, int64_t id,
		    struct store_campaign *out)
{
	int rc = sqlite_campaign_head(c, account_id, id, out);

	if (rc == 0 && (rc = read_counts(c, out)) < 0)
		store_campaign_clear(out);
	return rc;
}

static int
sqlite_campaign_ids(struct store_conn *c, int64_t account_id, unsigned states,
		    json_t **ids)
{
	sqlite3_stmt *st = stmt(c, S_CAMPAIGN_IDS);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, states);
	return collect_ids(c, st, ids);
}

static int
sqlite_campaign_update(struct store_conn *c, const struct store_campaign *cp,
		       int64_t now)
{
	sqlite3_stmt *st = stmt(c, S_CAMPAIGN_UPDATE);
	char *settings = json_text(cp->settings);

	if (st == NULL || settings == NULL) {
		free(settings);
		return st == NULL ? CD_ESTORE : CD_ENOMEM;
	}
	sqlite3_bind_int(st, 1, cp->state);
	sqlite3_bind_int64(st, 2, cp->start_at);
	sqlite3_bind_int64(st, 3, cp->resumed_at);
	sqlite3_bind_int(st, 4, cp->concurrent_call_limit);
	sqlite3_bind_text(st, 5, settings, -1, free);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, cp->id);
	return step_done(c, st);
}

/* --- Lines -------------------------------------------------------------- */

static int
sqlite_line_insert(struct store_conn *c, const struct store_line *l,
		   int64_t now, int64_t *id)
{
	sqlite3_stmt *st = stmt(c, S_LINE_INSERT);
	char *vars = json_text(l->custom_variables);
	char *meta = json_text(l->metadata);
	int rc;

	if (st == NULL || vars == NULL || meta == NULL) {
		free(vars);
		free(meta);
		return st == NULL ? CD_ESTORE : CD_ENOMEM;
	}
	sqlite3_bind_int64(st, 1, l->campaign_id);
	sqlite3_bind_int64(st, 2, l->account_id);
	sqlite3_bind_text(st, 3, l->to_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, vars, -1, free);
	sqlite3_bind_text(st, 5, meta, -1, free);
	sqlite3_bind_int(st, 6, l->status);
	if (line_status_due(l->status))
		sqlite3_bind_int64(st, 7, l->due_at);
	if (l->skip_reason != NULL)
		sqlite3_bind_text(st, 8, l->skip_reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, now);
	sqlite3_bind_int64(st, 10, now);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return 0;
}

static void
bind_line_filter(sqlite3_stmt *st, const struct store_line_query *q)
{
	sqlite3_bind_int64(st, 1, q->campaign_id);
	sqlite3_bind_int(st, 2, q->status);
	if (q->search != NULL)
		sqlite3_bind_text(st, 3, q->search, -1, SQLITE_STATIC);
}

/* Stored line statuses are numbers; the API shows their names. */
static void
name_line_statuses(json_t *lines)
{
	size_t i;
	json_t *line;

	json_array_foreach(lines, i, line)
	{
		json_int_t s =
		    json_integer_value(json_object_get(line, "status"));

		json_object_set_new(
		    line, "status",
		    json_string(line_status_name((enum line_status)s)));
	}
}

static int
sqlite_line_list(struct store_conn *c, const struct store_line_query *q,
		 json_t **out)
{
	static const char *const names[] = {
	    "id",	  "to_number", "{custom_variables", "{metadata",
	    "status",	  "due_at",    "attempts",	    "skip_reason",
	    "created_at", "updated_at"};
	sqlite3_stmt *st =
	    stmt(c, q->status < 0 ? S_LINE_LIST : S_LINE_LIST_STATUS);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	bind_line_filter(st, q);
	sqlite3_bind_int64(st, 4, q->after_id);
	sqlite3_bind_int(st, 5, q->limit);
	if ((rc = collect_rows(c, st, names, 10, out)) == 0)
		name_line_statuses(*out);
	return rc;
}

/* Without a number search the trigger-kept tallies answer at once. */
static int
sqlite_line_count(struct store_conn *c, const struct store_line_query *q,
		  int64_t *n)
{
	sqlite3_stmt *st =
	    stmt(c, q->search == NULL ? S_LINE_TALLY : S_LINE_COUNT);

	if (st == NULL)
		return CD_ESTORE;
	bind_line_filter(st, q);
	return count_query(c, st, n);
}

static int
sqlite_line_cancel_open(struct store_conn *c, int64_t campaign_id, int64_t now,
			int64_t *n)
{
	sqlite3_stmt *st = stmt(c, S_LINE_CANCEL_OPEN);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, campaign_id);
	sqlite3_bind_int64(st, 2, now);
	return step_changes(c, st, n);
}

/* --- Calls -------------------------------------------------------------- */

static int
sqlite_campaign_live_ids(struct store_conn *c, json_t **ids)
{
	sqlite3_stmt *st = stmt(c, S_CAMPAIGN_LIVE);

	return st == NULL ? CD_ESTORE : collect_ids(c, st, ids);
}

static int
sqlite_line_due(struct store_conn *c, int64_t campaign_id, int64_t now,
		int limit, json_t **out)
{
	static const char *const names[] = {
	    "line_id", "to_number", "{custom_variables", "{metadata",
	    "due_at",  "attempts",  "retries",		 "reschedules"};
	sqlite3_stmt *st = stmt(c, S_LINE_DUE);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, campaign_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, limit);
	return collect_rows(c, st, names, 8, out);
}

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
	if (text != NULL)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v != 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int
sqlite_line_set(struct store_conn *c, const struct store_line_change *ch,
		int64_t now)
{
	sqlite3_stmt *st = stmt(c, S_LINE_SET);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, ch->line_id);
	sqlite3_bind_int(st, 2, ch->status);
	if (line_status_due(ch->status))
		sqlite3_bind_int64(st, 3, ch->due_at);
	sqlite3_bind_int(st, 4, ch->retries);
	sqlite3_bind_int(st, 5, ch->reschedules);
	bind_text_or_null(st, 6, ch->last_outcome);
	bind_text_or_null(st, 7, ch->skip_reason);
	sqlite3_bind_int64(st, 8, now);
	return step_done(c, st);
}

/* Moves the line to calling; sets *number to its attempt count. */
static int
mark_calling(struct store_conn *c, int64_t line_id, int64_t now, int *number)
{
	sqlite3_stmt *st = stmt(c, S_LINE_CALLING);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, line_id);
	sqlite3_bind_int64(st, 2, now);
	rc = step_row(c, st);
	if (rc <= 0)
		return rc == 0 ? CD_ECONFLICT : rc;
	*number = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return 0;
}

/*
 * The attempt row goes in first: when the line was already dialled for
 * this due time, UNIQUE (line_id, due_at) refuses it and nothing changed.
 */
static int
sqlite_attempt_begin(struct store_conn *c, const struct store_attempt_new *a,
		     int64_t now, int64_t *id, int *number)
{
	sqlite3_stmt *st = stmt(c, S_ATTEMPT_INSERT);
	char *missing = json_text(a->missing_variables);
	int rc;

	if (st == NULL || missing == NULL) {
		free(missing);
		return st == NULL ? CD_ESTORE : CD_ENOMEM;
	}
	sqlite3_bind_int64(st, 1, a->line_id);
	sqlite3_bind_int64(st, 2, a->campaign_id);
	sqlite3_bind_int64(st, 3, a->account_id);
	sqlite3_bind_int64(st, 4, a->due_at);
	sqlite3_bind_int64(st, 5, now);
	bind_text_or_null(st, 6, a->welcome_message);
	sqlite3_bind_text(st, 7, missing, -1, free);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return mark_calling(c, a->line_id, now, number);
}

static int
sqlite_attempt_get(struct store_conn *c, int64_t account_id, int64_t id,
		   struct store_attempt *out)
{
	sqlite3_stmt *st = stmt(c, S_ATTEMPT_GET);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	rc = step_row(c, st);
	if (rc <= 0)
		return rc == 0 ? CD_ENOTFOUND : rc;
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->line_id = sqlite3_column_int64(st, 1);
	out->campaign_id = sqlite3_column_int64(st, 2);
	out->account_id = sqlite3_column_int64(st, 3);
	out->number = sqlite3_column_int(st, 4);
	out->started_at = sqlite3_column_int64(st, 5);
	out->open = sqlite3_column_type(st, 6) == SQLITE_NULL;
	snprintf(out->outcome, sizeof(out->outcome), "%s", col_text(st, 6));
	out->line_status = (enum line_status)sqlite3_column_int(st, 7);
	out->retries = sqlite3_column_int(st, 8);
	out->reschedules = sqlite3_column_int(st, 9);
	snprintf(out->to_number, sizeof(out->to_number), "%s",
		 col_text(st, 10));
	sqlite3_reset(st);
	return 0;
}

static int
sqlite_attempt_finish(struct store_conn *c, int64_t id,
		      const struct store_attempt_end *e)
{
	sqlite3_stmt *st = stmt(c, S_ATTEMPT_FINISH);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, e->outcome, -1, SQLITE_STATIC);
	bind_int_or_null(st, 3, e->answered_at);
	sqlite3_bind_int64(st, 4, e->ended_at);
	sqlite3_bind_int64(st, 5, e->duration_ms);
	bind_int_or_null(st, 6, e->callback_at);
	bind_text_or_null(st, 7, e->summary);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	return sqlite3_changes(sq(c)->db) > 0 ? 0 : CD_ECONFLICT;
}

static int
sqlite_attempts_open(struct store_conn *c, json_t **ids)
{
	sqlite3_stmt *st = stmt(c, S_ATTEMPTS_OPEN);

	return st == NULL ? CD_ESTORE : collect_ids(c, st, ids);
}

static int
sqlite_line_get(struct store_conn *c, int64_t account_id, int64_t campaign_id,
		int64_t line_id, json_t **out)
{
	static const char *const names[] = {
	    "id",	   "to_number",	 "{custom_variables", "{metadata",
	    "status",	   "due_at",	 "attempts",	      "skip_reason",
	    "created_at",  "updated_at", "retries",	      "reschedules",
	    "last_outcome"};
	sqlite3_stmt *st = stmt(c, S_LINE_GET);
	json_t *arr;
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, campaign_id);
	sqlite3_bind_int64(st, 3, line_id);
	if ((rc = collect_rows(c, st, names, 13, &arr)) < 0)
		return rc;
	name_line_statuses(arr);
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return CD_ENOTFOUND;
	}
	*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return 0;
}

static int
sqlite_attempt_list(struct store_conn *c, int64_t line_id, json_t **out)
{
	static const char *const names[] = {
	    "attempt_id",  "attempt_number",  "started_at",
	    "answered_at", "ended_at",	      "outcome",
	    "duration_ms", "welcome_message", "{missing_variables",
	    "callback_at", "summary"};
	sqlite3_stmt *st = stmt(c, S_ATTEMPT_LIST);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, line_id);
	return collect_rows(c, st, names, 11, out);
}

static int
sqlite_attempt_stats(struct store_conn *c, int64_t campaign_id, int64_t since,
		     json_t **out)
{
	static const char *const names[] = {"hour", "outcome", "n"};
	sqlite3_stmt *st = stmt(c, S_ATTEMPT_STATS);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, campaign_id);
	sqlite3_bind_int64(st, 2, since);
	return collect_rows(c, st, names, 3, out);
}

static int
sqlite_line_requeue_failed(struct store_conn *c, int64_t campaign_id,
			   int64_t now, int64_t *n)
{
	sqlite3_stmt *st = stmt(c, S_LINE_REQUEUE);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, campaign_id);
	sqlite3_bind_int64(st, 2, now);
	return step_changes(c, st, n);
}

static int
sqlite_line_expire_retries(struct store_conn *c, int64_t campaign_id,
			   int max_retries, int64_t now, int64_t *n)
{
	sqlite3_stmt *st = stmt(c, S_LINE_EXPIRE);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, campaign_id);
	sqlite3_bind_int(st, 2, max_retries);
	sqlite3_bind_int64(st, 3, now);
	return step_changes(c, st, n);
}

static int
sqlite_line_drop_callbacks(struct store_conn *c, int64_t campaign_id,
			   int64_t now, int64_t *n)
{
	sqlite3_stmt *st = stmt(c, S_LINE_DROP_CALLBACKS);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, campaign_id);
	sqlite3_bind_int64(st, 2, now);
	return step_changes(c, st, n);
}

/* --- Do-not-call -------------------------------------------------------- */

static int
sqlite_dnc_add(struct store_conn *c, int64_t account_id, int64_t campaign_id,
	       const char *number, const char *reason, int64_t now, int64_t *id)
{
	sqlite3_stmt *st = stmt(c, S_DNC_ADD);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, campaign_id);
	sqlite3_bind_text(st, 3, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason != NULL ? reason : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if ((rc = step_done(c, st)) < 0)
		return rc;
	*id = last_id(c);
	return 0;
}

static int
sqlite_dnc_remove(struct store_conn *c, int64_t account_id, int64_t id)
{
	sqlite3_stmt *st = stmt(c, S_DNC_REMOVE);
	int64_t n;
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = step_changes(c, st, &n)) < 0)
		return rc;
	return n > 0 ? 0 : CD_ENOTFOUND;
}

static int
sqlite_dnc_list(struct store_conn *c, int64_t account_id, int64_t campaign_id,
		int64_t offset, int64_t limit, json_t **out, int64_t *total)
{
	static const char *const names[] = {"id", "number", "campaign_id",
					    "reason", "created_at"};
	sqlite3_stmt *st = stmt(c, S_DNC_COUNT);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, campaign_id);
	if ((rc = count_query(c, st, total)) < 0)
		return rc;
	if ((st = stmt(c, S_DNC_LIST)) == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, campaign_id);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	return collect_rows(c, st, names, 5, out);
}

static int
sqlite_dnc_listed(struct store_conn *c, int64_t account_id, int64_t campaign_id,
		  const char *number, bool *listed)
{
	sqlite3_stmt *st = stmt(c, S_DNC_LISTED);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, campaign_id);
	sqlite3_bind_text(st, 3, number, -1, SQLITE_STATIC);
	if ((rc = step_row(c, st)) < 0)
		return rc;
	*listed = rc == 1;
	sqlite3_reset(st);
	return 0;
}

/* --- Idempotency -------------------------------------------------------- */

static int
sqlite_idem_get(struct store_conn *c, int64_t account_id, const char *key,
		const unsigned char *fp, int *status, char **body)
{
	sqlite3_stmt *st = stmt(c, S_IDEM_GET);
	int rc;

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = step_row(c, st);
	if (rc <= 0)
		return rc == 0 ? CD_ENOTFOUND : rc;
	if (sqlite3_column_bytes(st, 0) != 32 ||
	    memcmp(sqlite3_column_blob(st, 0), fp, 32) != 0) {
		sqlite3_reset(st);
		return CD_EIDEM;
	}
	*status = sqlite3_column_int(st, 1);
	*body = strdup(col_text(st, 2));
	sqlite3_reset(st);
	return *body != NULL ? 0 : CD_ENOMEM;
}

static int
sqlite_idem_put(struct store_conn *c, int64_t account_id, const char *key,
		const unsigned char *fp, int status, const char *body,
		int64_t now)
{
	sqlite3_stmt *st = stmt(c, S_IDEM_PUT);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, fp, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, status);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	return step_done(c, st);
}

static int
sqlite_idem_drop_held(struct store_conn *c, int64_t account_id, const char *key)
{
	sqlite3_stmt *st = stmt(c, S_IDEM_DROP_HELD);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	return step_done(c, st);
}

static int
sqlite_idem_expire(struct store_conn *c, int64_t before, int limit,
		   int64_t *deleted)
{
	sqlite3_stmt *st = stmt(c, S_IDEM_EXPIRE);

	if (st == NULL)
		return CD_ESTORE;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	return step_changes(c, st, deleted);
}

const struct store_backend store_sqlite_backend = {
    .name = "sqlite",
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .migrate = sqlite_migrate,
    .schema_version = sqlite_schema_version,
    .upkeep = sqlite_upkeep,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .sync = sqlite_sync,
    .rollback = sqlite_rollback,
    .read_begin = sqlite_read_begin,
    .read_end = sqlite_rollback,
    .savepoint = sqlite_savepoint,
    .release = sqlite_release,
    .rollback_to = sqlite_rollback_to,
    .account_ensure = sqlite_account_ensure,
    .account_find = sqlite_account_find,
    .account_count = sqlite_account_count,
    .key_insert = sqlite_key_insert,
    .key_find = sqlite_key_find,
    .key_list = sqlite_key_list,
    .key_revoke = sqlite_key_revoke,
    .agent_insert = sqlite_agent_insert,
    .agent_get = sqlite_agent_get,
    .agent_list = sqlite_agent_list,
    .number_insert = sqlite_number_insert,
    .number_get = sqlite_number_get,
    .number_list = sqlite_number_list,
    .number_set_agent = sqlite_number_set_agent,
    .campaign_insert = sqlite_campaign_insert,
    .campaign_head = sqlite_campaign_head,
    .campaign_get = sqlite_campaign_get,
    .campaign_ids = sqlite_campaign_ids,
    .campaign_loaded = sqlite_campaign_loaded,
    .campaign_drop_loading = sqlite_campaign_drop_loading,
    .campaign_update = sqlite_campaign_update,
    .line_insert = sqlite_line_insert,
    .line_list = sqlite_line_list,
    .line_count = sqlite_line_count,
    .line_cancel_open = sqlite_line_cancel_open,
    .campaign_live_ids = sqlite_campaign_live_ids,
    .line_due = sqlite_line_due,
    .line_set = sqlite_line_set,
    .attempt_begin = sqlite_attempt_begin,
    .attempt_get = sqlite_attempt_get,
    .attempt_finish = sqlite_attempt_finish,
    .attempts_open = sqlite_attempts_open,
    .line_get = sqlite_line_get,
    .attempt_list = sqlite_attempt_list,
    .attempt_stats = sqlite_attempt_stats,
    .line_requeue_failed = sqlite_line_requeue_failed,
    .line_expire_retries = sqlite_line_expire_retries,
    .line_drop_callbacks = sqlite_line_drop_callbacks,
    .dnc_add = sqlite_dnc_add,
    .dnc_remove = sqlite_dnc_remove,
    .dnc_list = sqlite_dnc_list,
    .dnc_listed = sqlite_dnc_listed,
    .idem_get = sqlite_idem_get,
    .idem_put = sqlite_idem_put,
    .idem_drop_held = sqlite_idem_drop_held,
    .idem_expire = sqlite_idem_expire,
};
