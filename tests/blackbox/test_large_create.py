"""A campaign created from many contacts is written in several commits (a
few thousand contacts each), so that other writes go in between. Until its
last part is in, nothing shows it; a Idempotency-Key sent again meanwhile
is refused as in use; a crash half way takes the parts back at the next
start.
"""
import os
import sqlite3
import threading
import time

from conftest import BULK, assert_error

# More contacts than several parts take (the daemon writes 1,000 a part).
MANY = 9_000

# Creates that must still be loading when the test looks, kills or stops
# the daemon. Under valgrind (CAMPAIGND_REAL_BIN set) the daemon is some
# twenty times slower, so a fifth of the contacts load for longer still.
UNDER_VALGRIND = bool(os.environ.get("CAMPAIGND_REAL_BIN"))
WATCHED = 4_000 if UNDER_VALGRIND else 20_000
BIG = 6_000 if UNDER_VALGRIND else 30_000


def contacts(n, prefix="+1444"):
    return [{"phone_number": "%s%07d" % (prefix, i), "first_name": "F%d" % i}
            for i in range(n)]


def csv_text(n, prefix="+1445"):
    rows = ["phone_number,first_name"]
    rows += ["%s%07d,F%d" % (prefix, i, i) for i in range(n)]
    return "\n".join(rows) + "\n"


def scheduled(api, **fields):
    """A create body that does not dial (it starts in 2030)."""
    return api.campaign_body(is_scheduled=True,
                             scheduled_datetime="2030-01-01 00:00:00",
                             **fields)


def loading_ids(db):
    """Ids of campaigns the store holds as still loading (read-only)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return {r[0] for r in con.execute(
            "SELECT id FROM campaign WHERE loading = 1")}
    finally:
        con.close()


def assert_nothing_kept(db, api):
    """Nothing of a create that was taken back: no campaign, line, count
    or Idempotency-Key row in the store, no campaign in the list."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        for sql in ("SELECT count(*) FROM campaign",
                    "SELECT count(*) FROM line",
                    "SELECT count(*) FROM line_count WHERE n <> 0",
                    "SELECT count(*) FROM idempotency"):
            assert con.execute(sql).fetchone() == (0,), sql
    finally:
        con.close()
    r = api.get(BULK)
    assert r.status == 200 and r.json["total"] == 0, r


def assert_sent_again_creates(api, body, key, n):
    """The key was never answered: the same request now creates it."""
    r = api.post(BULK + "/create", body, timeout=120,
                 headers={"Idempotency-Key": key})
    assert r.status == 201 and r.json["total_lines"] == n, r
    assert api.line_total(r.json["id"]) == n


def test_a_large_csv_campaign_has_every_line_in_order(api):
    r = api.post(BULK + "/create",
                 scheduled(api, name="large csv",
                           contact_csv=csv_text(MANY)))
    assert r.status == 201, r
    c = r.json
    assert c["total_lines"] == MANY and c["counts"]["pending"] == MANY, c
    assert c["campaign_status"] == "scheduled", c
    lines = api.all_lines(c["id"])
    assert [ln["to_number"] for ln in lines] == \
        ["+1445%07d" % i for i in range(MANY)]
    assert lines[-1]["custom_variables"] == {"first_name": "F%d" % (MANY - 1)}


def test_a_large_contact_list_with_rejected_rows(api):
    rows = contacts(4_500)
    rows[10]["phone_number"] = "not a number"
    rows[4_400]["phone_number"] = "+1"
    r = api.post(BULK + "/create",
                 scheduled(api, name="large list", contact_list=rows))
    assert r.status == 201, r
    assert r.json["total_lines"] == 4_498, r
    assert sorted(x["index"] for x in r.json["rejected"]) == [10, 4_400], r
    assert api.line_total(r.json["id"]) == 4_498


def test_a_loading_campaign_is_never_seen(daemon, api):
    """While the parts go in, another client keeps looking: the store
    holds a loading campaign, yet the API shows it either whole or not
    at all."""
    n = WATCHED
    body = scheduled(api, name="watched", contact_list=contacts(n, "+1446"))
    seen = {"loading": 0, "hidden": 0, "whole": 0, "partial": []}
    failed = []
    done = threading.Event()

    def watch():
        try:
            look()
        except Exception as e:  # handed to the test's thread
            failed.append(e)

    def look():
        while not done.is_set():
            before = loading_ids(daemon.db)
            r = api.get(BULK + "?pagesize=100")
            for c in r.json["campaigns"]:
                if c["name"] == "watched":
                    if c["total_lines"] == n:
                        seen["whole"] += 1
                    else:
                        seen["partial"].append(c["total_lines"])
            for cid in before:
                seen["loading"] += 1
                got = api.get("%s/%d" % (BULK, cid))
                if cid in loading_ids(daemon.db):
                    # Still loading after the read: it must not show.
                    assert_error(got, 404, "not_found")
                    seen["hidden"] += 1

    t = threading.Thread(target=watch)
    t.start()
    try:
        r = api.post(BULK + "/create", body, timeout=120)
    finally:
        time.sleep(0.2)
        done.set()
        t.join()
    if failed:
        raise failed[0]
    assert r.status == 201 and r.json["total_lines"] == n, r
    assert seen["partial"] == [], seen
    assert seen["loading"] > 0 and seen["hidden"] > 0, \
        "the watcher never caught the campaign loading: %r" % seen
    assert loading_ids(daemon.db) == set()


def wait_loading(db, sender):
    """Waits until the store holds a campaign loading, while the thread
    sender is still sending the request that creates it."""
    deadline = time.monotonic() + 60
    while not loading_ids(db):
        assert time.monotonic() < deadline, "the campaign never loaded"
        assert sender.is_alive(), \
            "the create finished before it was seen loading"
        time.sleep(0.002)


def test_an_idempotency_key_is_held_while_loading(daemon, api):
    """The same request sent again while the first is still being
    written is refused (409, Retry-After) or, once the first is in,
    answered with its reply: never a second campaign."""
    key = "large-create-1"
    body = scheduled(api, name="held key",
                     contact_list=contacts(BIG, "+1447"))
    replies = []

    def send():
        replies.append(api.post(BULK + "/create", body, timeout=120,
                                headers={"Idempotency-Key": key}))

    first = threading.Thread(target=send)
    first.start()
    wait_loading(daemon.db, first)
    second = api.post(BULK + "/create", body, timeout=120,
                      headers={"Idempotency-Key": key})
    first.join()
    r1 = replies[0]
    assert r1.status == 201, r1
    if second.status == 409:
        assert_error(second, 409, "idempotency_key_in_use")
        assert second.headers.get("Retry-After") == "1", second
    else:
        assert second.status == 201, second
        assert second.json["id"] == r1.json["id"], (r1, second)
    named = [c for c in api.get(BULK + "?pagesize=100").json["campaigns"]
             if c["name"] == "held key"]
    assert len(named) == 1, named
    # Once the first is answered, the key replays its reply.
    again = api.post(BULK + "/create", body, timeout=120,
                     headers={"Idempotency-Key": key})
    assert again.status == 201 and again.json["id"] == r1.json["id"], again


def test_kill_9_while_loading_takes_the_parts_back(fresh_daemon):
    d = fresh_daemon
    api = d.client()
    n = BIG
    body = scheduled(api, name="cut short",
                     contact_list=contacts(n, "+1448"))
    key = "cut-short-1"
    errors = []

    def send():
        try:
            api.post(BULK + "/create", body, timeout=120,
                     headers={"Idempotency-Key": key})
        except OSError as e:  # the daemon dies under it
            errors.append(e)

    t = threading.Thread(target=send)
    t.start()
    wait_loading(d.db, t)
    d.kill9()
    t.join()

    con = sqlite3.connect(d.db)
    try:
        partial = con.execute("SELECT count(*) FROM line").fetchone()[0]
    finally:
        con.close()
    assert partial > 0, "no part was committed before the kill"

    d.start()
    api = d.client(api.key)
    assert "took back 1 campaigns" in d.stderr(), d.stderr()
    assert_nothing_kept(d.db, api)
    assert_sent_again_creates(api, body, key, n)


def test_a_part_that_fails_takes_the_earlier_parts_back(fresh_daemon):
    """A trigger added to the store from outside makes the insert of one
    contact fail, in the sixth part: the reply is an error, and the five
    parts already committed are deleted again, key hold included."""
    d = fresh_daemon
    api = d.client()
    n = 8_000
    rows = contacts(n, "+1449")
    doomed = rows[5_500]["phone_number"]
    body = scheduled(api, name="fails late", contact_list=rows)
    key = "fails-late-1"
    con = sqlite3.connect(d.db, timeout=30)
    try:
        con.execute("CREATE TRIGGER fail_one BEFORE INSERT ON line "
                    "WHEN NEW.to_number = '%s' BEGIN "
                    "SELECT RAISE(ABORT, 'injected failure'); END" % doomed)
        con.commit()
        r = api.post(BULK + "/create", body, timeout=120,
                     headers={"Idempotency-Key": key})
        # The store reports the abort as a constraint failure.
        assert_error(r, 409, "already_exists")
        assert_nothing_kept(d.db, api)
        con.execute("DROP TRIGGER fail_one")
        con.commit()
    finally:
        con.close()
    assert_sent_again_creates(api, body, key, n)


def test_sigterm_while_loading_finishes_the_create(fresh_daemon):
    """A stop asked for while the parts go in waits for the last one: the
    create is answered 201 and the campaign is whole after a restart."""
    d = fresh_daemon
    api = d.client()
    n = BIG
    body = scheduled(api, name="stopped under it",
                     contact_list=contacts(n, "+1450"))
    replies = []

    def send():
        replies.append(api.post(BULK + "/create", body, timeout=120))

    t = threading.Thread(target=send)
    t.start()
    wait_loading(d.db, t)
    assert d.stop() == 0, d.stderr()
    t.join()
    assert replies[0].status == 201, replies[0]
    cid = replies[0].json["id"]
    d.start()
    api = d.client(api.key)
    assert api.campaign(cid)["total_lines"] == n
    assert loading_ids(d.db) == set()
