"""kill -9 at random moments under load, many times over, on one store.

The loop itself, its checks and a longer mode live in crash_loop.py
(python3 tests/robustness/crash_loop.py --kills N --seconds S). Here it
runs 22 kills in about 45 s, with a lighter load on the sanitizer build;
then its checks are run again on tampered copies of the store it left, to
show that each would catch what it looks for.
"""
import shutil
import sqlite3

import pytest

import crash_loop
import harness as h

KILLS = 22
SECONDS = 45.0


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    if h.is_sanitizer_build():
        threads, rate = 4, 8.0
    else:
        threads, rate = 6, 15.0
    res = crash_loop.crash_loop(
        kills=KILLS, seconds=SECONDS,
        workdir=tmp_path_factory.mktemp("crash-loop"), threads=threads,
        rate=rate)
    h.report(crash_loop.summary(res.figures))
    return res


def test_acknowledged_contacts_and_calls_survive_a_crash_loop(loop):
    f = loop.figures
    assert f["kills"] >= 20
    assert f["acked"] >= 200, "too little load to prove anything"
    assert f["unknown_outcomes"] > 0, \
        "no kill landed while a call was in flight"
    assert f["replays"] > 0
    assert f["creates_acked"] > 0, "no campaign was created"
    assert f["creates_taken_back"] > 0, \
        "no kill landed while a campaign was being written"
    assert not loop.problems, "\n".join(loop.problems)


def tamper(loop, tmp_path, sql):
    db = str(tmp_path / "copy.db")
    shutil.copy(loop.db, db)
    con = sqlite3.connect(db)
    con.executescript(sql.replace("{acked}", str(min(loop.acked.values()))))
    con.close()
    return crash_loop.analyze(db, loop.cid, loop.acked, loop.sent)[1]


@pytest.mark.parametrize("sql,expect", [
    ("DELETE FROM line WHERE id = {acked}", "acknowledged but missing"),
    ("INSERT INTO line (campaign_id, account_id, to_number, "
     "custom_variables, metadata, status, created_at, updated_at) "
     "SELECT campaign_id, account_id, to_number, '{}', '{}', 4, 0, 0 "
     "FROM line LIMIT 1", "stored more than once"),
    ("UPDATE attempt SET outcome = NULL WHERE id = 1",
     "without an outcome"),
    ("INSERT INTO attempt (line_id, campaign_id, account_id, number, "
     "due_at, started_at, ended_at, outcome) SELECT line_id, campaign_id, "
     "account_id, number + 1, due_at + 1, ended_at + 1, ended_at + 2, "
     "'busy' FROM attempt WHERE id = (SELECT max(id) FROM attempt "
     "WHERE line_id = (SELECT line_id FROM attempt GROUP BY line_id "
     "HAVING count(*) = 3 AND max(outcome = 'callback_requested') = 0 "
     "LIMIT 1))", "over their budget"),
    ("UPDATE attempt SET ended_at = ended_at + 60000 WHERE id = (SELECT "
     "min(id) FROM attempt WHERE line_id = (SELECT line_id FROM attempt "
     "GROUP BY line_id HAVING count(*) > 1 LIMIT 1))", "overlap"),
    ("UPDATE line_count SET n = n + 1 WHERE status = 4", "line_count"),
])
def test_the_checks_catch_a_tampered_store(loop, tmp_path, sql, expect):
    assert not loop.problems, "the untouched store must pass first"
    problems = tamper(loop, tmp_path, sql)
    assert any(expect in p for p in problems), problems


@pytest.mark.parametrize("sql,expect", [
    ("DELETE FROM line WHERE id = (SELECT max(id) FROM line "
     "WHERE campaign_id <> {main})", "partly written"),
    ("UPDATE campaign SET loading = 1 WHERE id = (SELECT max(id) "
     "FROM campaign)", "partly written"),
    ("INSERT INTO campaign (account_id, name, type, state, "
     "phone_number_id, start_at, resumed_at, concurrent_call_limit, "
     "settings, created_at, updated_at) SELECT account_id, name, type, "
     "state, phone_number_id, start_at, resumed_at, "
     "concurrent_call_limit, settings, created_at, updated_at FROM "
     "campaign WHERE id = (SELECT max(id) FROM campaign)",
     "created twice"),
    ("INSERT INTO idempotency VALUES (1, 'held', zeroblob(32), 0, '', 0)",
     "still held"),
])
def test_the_create_checks_catch_a_tampered_store(loop, tmp_path, sql,
                                                  expect):
    assert not loop.problems, "the untouched store must pass first"
    db = str(tmp_path / "copy.db")
    shutil.copy(loop.db, db)
    con = sqlite3.connect(db)
    con.executescript(sql.replace("{main}", str(loop.cid)))
    con.close()
    problems = []
    crash_loop.check_creates(db, loop.cid, loop.creates, problems)
    assert any(expect in p for p in problems), problems
