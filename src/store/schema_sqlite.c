/*
 * SQLite migrations. Never edit a released migration: add a new one.
 * Line statuses are stored as the numbers of enum line_status (model.h):
 * 0 pending, 1 calling, 2 retry_scheduled, 3 callback_scheduled,
 * 4 completed, 5 failed, 6 skipped, 7 cancelled.
 */
#include "store/schema_sqlite.h"

static const char v1[] =
    "CREATE TABLE account ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL);"

    "CREATE TABLE api_key ("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES account(id),"
    " prefix TEXT NOT NULL UNIQUE,"
    " hash BLOB NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " revoked_at INTEGER NOT NULL DEFAULT 0);"

    "CREATE TABLE agent ("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES account(id),"
    " name TEXT NOT NULL,"
    " welcome_message TEXT NOT NULL,"
    " prompt TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX agent_account ON agent(account_id, id);"

    "CREATE TABLE phone_number ("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES account(id),"
    " number TEXT NOT NULL,"
    " provider TEXT NOT NULL,"
    " agent_id INTEGER REFERENCES agent(id),"
    " settings TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (account_id, number));"

    "CREATE TABLE campaign ("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL REFERENCES account(id),"
    " name TEXT NOT NULL,"
    " type INTEGER NOT NULL,"
    " state INTEGER NOT NULL,"
    " phone_number_id INTEGER NOT NULL REFERENCES phone_number(id),"
    " agent_id INTEGER REFERENCES agent(id),"
    " start_at INTEGER NOT NULL,"
    " resumed_at INTEGER NOT NULL,"
    " concurrent_call_limit INTEGER NOT NULL,"
    " settings TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX campaign_account ON campaign(account_id, id);"

    "CREATE TABLE line ("
    " id INTEGER PRIMARY KEY,"
    " campaign_id INTEGER NOT NULL REFERENCES campaign(id),"
    " account_id INTEGER NOT NULL,"
    " to_number TEXT NOT NULL,"
    " custom_variables TEXT NOT NULL,"
    " metadata TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " due_at INTEGER,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " skip_reason TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX line_campaign ON line(campaign_id, status, id);"
    "CREATE INDEX line_due ON line(campaign_id, due_at)"
    " WHERE status IN (0, 2, 3);"

    /* Counts per status, kept by triggers so they never drift. */
    "CREATE TABLE line_count ("
    " campaign_id INTEGER NOT NULL,"
    " status INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (campaign_id, status)) WITHOUT ROWID;"
    "CREATE TRIGGER line_count_insert AFTER INSERT ON line BEGIN"
    " INSERT INTO line_count VALUES (NEW.campaign_id, NEW.status, 1)"
    "  ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + 1;"
    " END;"
    "CREATE TRIGGER line_count_update AFTER UPDATE OF status ON line"
    " WHEN OLD.status <> NEW.status BEGIN"
    " UPDATE line_count SET n = n - 1"
    "  WHERE campaign_id = OLD.campaign_id AND status = OLD.status;"
    " INSERT INTO line_count VALUES (NEW.campaign_id, NEW.status, 1)"
    "  ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + 1;"
    " END;"

    "CREATE TABLE idempotency ("
    " account_id INTEGER NOT NULL,"
    " key TEXT NOT NULL,"
    " fingerprint BLOB NOT NULL,"
    " status INTEGER NOT NULL,"
    " body TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (account_id, key)) WITHOUT ROWID;";

/*
 * Calls: attempts (one per dial; a line is never dialled twice for one
 * due time), retry and reschedule counters on lines, do-not-call lists.
 * A dnc row with campaign_id 0 covers the whole account.
 */
static const char v2[] =
    "ALTER TABLE line ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE line ADD COLUMN reschedules INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE line ADD COLUMN last_outcome TEXT;"

    "CREATE TABLE attempt ("
    " id INTEGER PRIMARY KEY,"
    " line_id INTEGER NOT NULL REFERENCES line(id),"
    " campaign_id INTEGER NOT NULL,"
    " account_id INTEGER NOT NULL,"
    " number INTEGER NOT NULL,"
    " due_at INTEGER NOT NULL,"
    " started_at INTEGER NOT NULL,"
    " answered_at INTEGER,"
    " ended_at INTEGER,"
    " outcome TEXT,"
    " duration_ms INTEGER,"
    " welcome_message TEXT,"
    " missing_variables TEXT,"
    " callback_at INTEGER,"
    " summary TEXT,"
    " UNIQUE (line_id, due_at));"
    "CREATE INDEX attempt_open ON attempt(id) WHERE outcome IS NULL;"
    "CREATE INDEX attempt_line ON attempt(line_id, id);"
    "CREATE INDEX attempt_campaign ON attempt(campaign_id, started_at);"

    "CREATE TABLE dnc ("
    " id INTEGER PRIMARY KEY,"
    " account_id INTEGER NOT NULL,"
    " campaign_id INTEGER NOT NULL DEFAULT 0,"
    " number TEXT NOT NULL,"
    " reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (account_id, number, campaign_id));";

/* Lines in id order within a campaign, for paging without a status. */
static const char v3[] =
    "CREATE INDEX line_campaign_order ON line(campaign_id, id);";

/*
 * The waiting lines' index, its condition written as comparisons: SQLite
 * builds a temporary table for an IN list each time it evaluates one, and
 * it evaluates this condition on every insert.
 */
static const char v4[] = "DROP INDEX line_due;"
			 "CREATE INDEX line_due ON line(campaign_id, due_at)"
			 " WHERE status < 4 AND status <> 1;";

/*
 * A campaign created from many contacts is written in several commits, so
 * that other writes are not held up behind one long one; until the last
 * part it is `loading`: no read shows it, and a start after a crash
 * deletes it.
 */
static const char v5[] =
    "ALTER TABLE campaign ADD COLUMN loading INTEGER NOT NULL DEFAULT 0;"
    /* Idempotency replies are forgotten by age. */
    "CREATE INDEX idempotency_age ON idempotency(created_at);";

const char *const schema_sqlite_migrations[] = {v1, v2, v3, v4, v5};

const int schema_sqlite_version = (int)(sizeof(schema_sqlite_migrations) /
					sizeof(schema_sqlite_migrations[0]));
