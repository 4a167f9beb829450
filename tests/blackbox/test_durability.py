"""Durability and the store: an acknowledged line survives kill -9 exactly
once; the schema is versioned; a restart keeps everything."""
import collections
import sqlite3
import threading
import uuid

from conftest import BULK, KEY_RE, assert_error, unique_e164

THREADS = 6
PER_THREAD = 50


def add_path(cid):
    return "%s/%d/add_contact" % (BULK, cid)


def hammer(client, cid, n_threads, per_thread, stop=None):
    """Adds contacts from several threads; returns {line_id: to_number} of
    every 200 and the list of failures that were not connection errors."""
    acked, odd = {}, []
    lock = threading.Lock()

    def work(t):
        for i in range(per_thread):
            if stop is not None and stop.is_set():
                return
            number = "+1666%03d%04d" % (t, i)
            try:
                r = client.post(add_path(cid), {
                    "to_number": number,
                    "custom_variables": {"t": t, "i": i}}, timeout=10)
            except OSError:
                return  # the daemon is gone
            with lock:
                if r.status == 200:
                    assert r.json["line_id"] not in acked
                    acked[r.json["line_id"]] = number
                else:
                    odd.append(r)

    threads = [threading.Thread(target=work, args=(t,))
               for t in range(n_threads)]
    for t in threads:
        t.start()
    return threads, acked, odd


def wait_for_answers(acked, n):
    """Waits (up to 10 s) until hammer() has had n contacts acknowledged."""
    for _ in range(2000):
        if len(acked) >= n:
            return
        threading.Event().wait(0.005)


def db_lines(db, cid):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT id, to_number FROM line "
                           "WHERE campaign_id = ? ORDER BY id",
                           (cid,)).fetchall()
    finally:
        con.close()


def assert_counts_match_lines(db):
    """The per-status counts the API shows agree with the lines."""
    con = sqlite3.connect(db)
    try:
        real = con.execute("SELECT campaign_id, status, count(*) FROM line "
                           "GROUP BY campaign_id, status").fetchall()
        kept = con.execute("SELECT campaign_id, status, n FROM line_count "
                           "WHERE n <> 0").fetchall()
    finally:
        con.close()
    assert sorted(real) == sorted(kept)


def test_acknowledged_lines_survive_kill_9(fresh_daemon):
    d = fresh_daemon
    api = d.client()
    camp = api.make_campaign(name="durable")
    threads, acked, odd = hammer(api, camp["id"], THREADS, PER_THREAD)
    for t in threads:
        t.join()
    assert odd == []
    assert len(acked) == THREADS * PER_THREAD

    d.kill9()
    d.start()
    assert d.stdout_text == "", "a restart must not make a new first key"
    api = d.client(api.key)
    lines = api.all_lines(camp["id"])
    ids = [l["line_id"] for l in lines]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(acked)
    for l in lines:
        assert l["to_number"] == acked[l["line_id"]]
    g = api.campaign(camp["id"])
    assert g["total_lines"] == len(acked)
    assert sum(g["counts"].values()) == len(acked)
    assert g["campaign_status"] == "in_progress"
    d.stop_clean()

    rows = db_lines(d.db, camp["id"])
    assert collections.Counter(i for i, _ in rows) == \
        collections.Counter(acked.keys())
    assert dict(rows) == acked
    assert_counts_match_lines(d.db)


def test_kill_9_in_the_middle_loses_no_acknowledged_line(fresh_daemon):
    d = fresh_daemon
    api = d.client()
    camp = api.make_campaign(name="mid-flight")
    stop = threading.Event()
    threads, acked, odd = hammer(api, camp["id"], THREADS, 200, stop)
    # Kill while requests are in flight, once a good number were answered.
    wait_for_answers(acked, 150)
    d.kill9()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 150
    assert all(r.status >= 500 for r in odd) or odd == [], odd

    d.start()
    api = d.client(api.key)
    stored = {l["line_id"]: l["to_number"] for l in api.all_lines(camp["id"])}
    missing = set(acked) - set(stored)
    assert not missing, "acknowledged but lost: %s" % sorted(missing)[:20]
    for lid, number in acked.items():
        assert stored[lid] == number
    # Unacknowledged requests may or may not have landed, but never twice.
    numbers = collections.Counter(stored.values())
    assert max(numbers.values()) == 1
    g = api.campaign(camp["id"])
    assert g["total_lines"] == len(stored) == api.line_total(camp["id"])
    assert sum(g["counts"].values()) == len(stored)
    d.stop_clean()
    rows = db_lines(d.db, camp["id"])
    assert len(rows) == len({i for i, _ in rows}) == len(stored)
    assert_counts_match_lines(d.db)


def test_idempotent_reply_survives_kill_9(fresh_daemon):
    d = fresh_daemon
    api = d.client()
    camp = api.make_campaign()
    key = str(uuid.uuid4())
    body = {"to_number": unique_e164()}
    first = api.post(add_path(camp["id"]), body,
                     headers={"Idempotency-Key": key})
    assert first.status == 200
    d.kill9()
    d.start()
    api = d.client(api.key)
    again = api.post(add_path(camp["id"]), body,
                     headers={"Idempotency-Key": key})
    assert again.raw == first.raw
    assert api.line_total(camp["id"]) == 1


def test_store_schema_is_versioned(fresh_daemon):
    d = fresh_daemon
    con = sqlite3.connect(d.db)
    try:
        (version,) = con.execute("PRAGMA user_version").fetchone()
        tables = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()
    assert version >= 1
    assert {"account", "api_key", "campaign", "line"} <= tables


def test_restart_keeps_data_and_keys(fresh_daemon):
    d = fresh_daemon
    api = d.client()
    agent = api.make_agent(name="kept")
    camp = api.make_campaign(name="kept", concurrent_call_limit=9,
                             timezone="Asia/Tokyo")
    line = api.add_contact(camp["id"], custom_variables={"x": "y"}).json
    api.action(camp["id"], "pause")
    revoked = api.post("/api/v1/keys").json
    api.delete("/api/v1/keys/%d" % revoked["id"])
    con = sqlite3.connect(d.db)
    (v1,) = con.execute("PRAGMA user_version").fetchone()
    con.close()
    d.stop_clean()

    d.start()
    assert d.stdout_text == ""
    api = d.client(api.key)
    assert api.get("/api/v1/agents/%d" % agent["id"]).json["name"] == "kept"
    g = api.campaign(camp["id"])
    assert g["name"] == "kept"
    assert g["campaign_status"] == "paused"
    assert g["concurrent_call_limit"] == 9
    assert g["timezone"] == "Asia/Tokyo"
    lines = api.all_lines(camp["id"])
    assert [l["line_id"] for l in lines] == [line["line_id"]]
    assert lines[0]["custom_variables"] == {"x": "y"}
    assert_error(api.get("/api/v1/agents", key=revoked["key"]), 401,
                 "revoked_api_key")
    # New ids continue after the old ones.
    assert api.add_contact(camp["id"]).json["line_id"] > line["line_id"]
    con = sqlite3.connect(d.db)
    (v2,) = con.execute("PRAGMA user_version").fetchone()
    con.close()
    assert v2 == v1
    # Only one account was ever bootstrapped.
    con = sqlite3.connect(d.db)
    (accounts,) = con.execute("SELECT count(*) FROM account").fetchone()
    con.close()
    assert accounts == 1


def test_store_from_a_newer_release_is_refused(tmp_path):
    from conftest import Daemon
    d = Daemon(tmp_path).start()
    d.stop_clean()
    con = sqlite3.connect(d.db)
    con.execute("PRAGMA user_version = 999")
    con.commit()
    con.close()
    import subprocess
    from conftest import RUN_BIN
    p = subprocess.run([RUN_BIN, "serve", "--db", d.db, "--listen",
                        "127.0.0.1:0"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode != 0
    assert "newer" in p.stderr
    con = sqlite3.connect(d.db)
    (v,) = con.execute("PRAGMA user_version").fetchone()
    con.close()
    assert v == 999


def test_keys_cli_on_a_live_store_sees_api_keys(fresh_daemon):
    d = fresh_daemon
    from conftest import run_cli
    api = d.client()
    made = api.post("/api/v1/keys").json
    p = run_cli("keys", "list", "--db", d.db)
    assert p.returncode == 0
    assert made["prefix"] in p.stdout
    assert KEY_RE.match(d.first_key).group(1) in p.stdout


def test_sigterm_under_load_exits_cleanly_and_keeps_acknowledged(
        fresh_daemon):
    """SIGTERM while contacts pour in: requests already being written are
    answered, later ones get 503 shutting_down (or find the port closed),
    the daemon exits 0, and every 200 is in the store afterwards."""
    d = fresh_daemon
    api = d.client()
    camp = api.make_campaign(name="clean stop")
    stop = threading.Event()
    threads, acked, odd = hammer(api, camp["id"], THREADS, 400, stop)
    wait_for_answers(acked, 150)
    assert d.stop() == 0, d.stderr()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 150
    for r in odd:
        assert_error(r, 503, "shutting_down")

    d.start()
    api = d.client(api.key)
    stored = {l["line_id"]: l["to_number"] for l in api.all_lines(camp["id"])}
    assert set(acked) <= set(stored), sorted(set(acked) - set(stored))[:20]
    for lid, number in acked.items():
        assert stored[lid] == number
    # A refused request stored nothing; one whose reply was cut off by
    # the stop may have landed, but never twice.
    assert len(stored) - len(acked) <= THREADS
    assert max(collections.Counter(stored.values()).values()) == 1
    d.stop_clean()
