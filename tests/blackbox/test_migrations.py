"""Schema migrations: a store written by the first release (schema
version 1, frozen here as released) is upgraded in place by the current
binary, keeping every row; an upgraded store matches a fresh one."""
import base64
import hashlib
import json
import os
import sqlite3
import time

from conftest import BULK, HOLD, Daemon, assert_error

# Migration 1 exactly as released (src/store/schema_sqlite.c, v1).
V1 = """
CREATE TABLE account ( id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
 created_at INTEGER NOT NULL);
CREATE TABLE api_key ( id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL
 REFERENCES account(id), prefix TEXT NOT NULL UNIQUE, hash BLOB NOT NULL,
 created_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE agent ( id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL
 REFERENCES account(id), name TEXT NOT NULL, welcome_message TEXT NOT NULL,
 prompt TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX agent_account ON agent(account_id, id);
CREATE TABLE phone_number ( id INTEGER PRIMARY KEY, account_id INTEGER NOT
 NULL REFERENCES account(id), number TEXT NOT NULL, provider TEXT NOT NULL,
 agent_id INTEGER REFERENCES agent(id), settings TEXT NOT NULL, created_at
 INTEGER NOT NULL, UNIQUE (account_id, number));
CREATE TABLE campaign ( id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL
 REFERENCES account(id), name TEXT NOT NULL, type INTEGER NOT NULL, state
 INTEGER NOT NULL, phone_number_id INTEGER NOT NULL REFERENCES
 phone_number(id), agent_id INTEGER REFERENCES agent(id), start_at INTEGER
 NOT NULL, resumed_at INTEGER NOT NULL, concurrent_call_limit INTEGER NOT
 NULL, settings TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at
 INTEGER NOT NULL);
CREATE INDEX campaign_account ON campaign(account_id, id);
CREATE TABLE line ( id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL
 REFERENCES campaign(id), account_id INTEGER NOT NULL, to_number TEXT NOT
 NULL, custom_variables TEXT NOT NULL, metadata TEXT NOT NULL, status
 INTEGER NOT NULL, due_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
 skip_reason TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT
 NULL);
CREATE INDEX line_campaign ON line(campaign_id, status, id);
CREATE INDEX line_due ON line(campaign_id, due_at) WHERE status IN (0, 2, 3);
CREATE TABLE line_count ( campaign_id INTEGER NOT NULL, status INTEGER NOT
 NULL, n INTEGER NOT NULL, PRIMARY KEY (campaign_id, status)) WITHOUT ROWID;
CREATE TRIGGER line_count_insert AFTER INSERT ON line BEGIN INSERT INTO
 line_count VALUES (NEW.campaign_id, NEW.status, 1) ON CONFLICT
 (campaign_id, status) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER line_count_update AFTER UPDATE OF status ON line WHEN
 OLD.status <> NEW.status BEGIN UPDATE line_count SET n = n - 1 WHERE
 campaign_id = OLD.campaign_id AND status = OLD.status; INSERT INTO
 line_count VALUES (NEW.campaign_id, NEW.status, 1) ON CONFLICT
 (campaign_id, status) DO UPDATE SET n = n + 1; END;
CREATE TABLE idempotency ( account_id INTEGER NOT NULL, key TEXT NOT NULL,
 fingerprint BLOB NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
 created_at INTEGER NOT NULL, PRIMARY KEY (account_id, key)) WITHOUT ROWID;
PRAGMA user_version = 1;
"""

# Campaign settings as the first release stored them.
SETTINGS = {
    "timezone": "UTC",
    "retry_config": {"auto_retry": False, "retry_limit": 0,
                     "retry_delays_seconds": [3600],
                     "retry_on": ["no_answer", "busy", "failed",
                                  "voicemail"]},
    "enabled_reschedule_call": False, "reschedule_limit": 3,
    "call_conditions": [],
    "window": {"enable_daily_hard_stop": False, "daily_stop_time": 0,
               "daily_stop_timezone": "UTC",
               "enable_daily_auto_start": False, "daily_start_time": 0,
               "daily_start_timezone": "UTC",
               "allowed_days": ["monday", "tuesday", "wednesday",
                                "thursday", "friday", "saturday",
                                "sunday"]},
}


def make_key():
    prefix = os.urandom(6).hex()
    secret = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    key = "cdk_%s_%s" % (prefix, secret)
    return key, prefix, hashlib.sha256(key.encode()).digest()


def write_v1_store(db):
    now = int(time.time() * 1000)
    key, prefix, digest = make_key()
    con = sqlite3.connect(db)
    con.executescript(V1)
    con.execute("INSERT INTO account VALUES (1, 'legacy', ?)", (now,))
    con.execute("INSERT INTO api_key (account_id, prefix, hash, created_at)"
                " VALUES (1, ?, ?, ?)", (prefix, digest, now))
    con.execute("INSERT INTO agent VALUES (1, 1, 'old agent', "
                "'Hi {{first_name}}', 'Be brief.', ?)", (now,))
    con.execute("INSERT INTO phone_number VALUES (1, 1, '+15550001111', "
                "'sim', 1, ?, ?)", (json.dumps(HOLD), now))
    # A paused dynamic campaign (nothing dials it) and an active one.
    for cid, state in ((1, 2), (2, 1)):
        con.execute("INSERT INTO campaign VALUES (?, 1, 'old campaign', 0, "
                    "?, 1, 1, ?, ?, 4, ?, ?, ?)",
                    (cid, state, now, now, json.dumps(SETTINGS), now, now))
    for i in range(3):
        con.execute("INSERT INTO line (campaign_id, account_id, to_number, "
                    "custom_variables, metadata, status, due_at, "
                    "created_at, updated_at) VALUES (1, 1, ?, ?, '{}', 0, "
                    "?, ?, ?)", ("+1555000200%d" % i,
                                 json.dumps({"first_name": "N%d" % i}),
                                 now, now, now))
    con.execute("INSERT INTO line (campaign_id, account_id, to_number, "
                "custom_variables, metadata, status, due_at, created_at, "
                "updated_at) VALUES (2, 1, '+15550003000', '{}', '{}', 0, ?,"
                " ?, ?)", (now, now, now))
    con.commit()
    con.close()
    return key


def schema(db):
    con = sqlite3.connect(db)
    try:
        (version,) = con.execute("PRAGMA user_version").fetchone()
        objects = sorted(con.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE "
            "'sqlite_%'").fetchall())
        cols = {t: [c[1] for c in con.execute("PRAGMA table_info(%s)" % t)]
                for k, t in objects if k == "table"}
    finally:
        con.close()
    return version, objects, cols


def test_v1_store_is_upgraded_and_keeps_its_data(tmp_path):
    (tmp_path / "fresh").mkdir()
    fresh = Daemon(tmp_path / "fresh").start()
    fresh.stop_clean()
    want_version, want_objects, want_cols = schema(fresh.db)
    assert want_version >= 1

    (tmp_path / "old").mkdir()
    d = Daemon(tmp_path / "old")
    key = write_v1_store(d.db)
    d.start()
    try:
        assert d.stdout_text == "", "an existing account must not get a " \
            "new first key"
        api = d.client(key)
        assert api.get("/api/v1/agents/1").json["name"] == "old agent"
        assert api.get("/api/v1/agents/1").json["variables"] == \
            ["first_name"]
        assert api.get("/api/v1/phone_numbers/1").json["number"] == \
            "+15550001111"
        g = api.campaign(1)
        assert g["campaign_status"] == "paused"
        assert g["concurrent_call_limit"] == 4
        assert g["counts"]["pending"] == 3 and g["total_lines"] == 3
        lines = api.all_lines(1)
        assert [l["to_number"] for l in lines] == \
            ["+1555000200%d" % i for i in range(3)]
        assert lines[1]["custom_variables"] == {"first_name": "N1"}
        # The upgraded store takes new work: lines, resume, the dialler.
        r = api.add_contact(1, "+15550002009")
        assert r.status == 200, r
        assert r.json["line_id"] > lines[-1]["line_id"]
        assert api.action(1, "resume").json["campaign_status"] == \
            "in_progress"
        assert api.get("%s/2/lines" % BULK).json["lines"][0]["status"] in \
            ("pending", "calling")
        assert_error(api.get("/api/v1/agents", key=make_key()[0]), 401)
    finally:
        d.stop_clean()

    version, objects, cols = schema(d.db)
    assert version == want_version
    assert objects == want_objects
    assert cols == want_cols
