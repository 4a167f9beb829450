"""Idempotency-Key: a retried request gets the first reply and adds
nothing; a key is bound to one request and one account."""
import sqlite3
import threading
import time
import uuid

import pytest

from conftest import BULK, Daemon, assert_error, unique_e164, wait_for


def add_path(cid, many=False):
    return "%s/%d/add_contact%s" % (BULK, cid, "s" if many else "")


def idem(key):
    return {"Idempotency-Key": key}


@pytest.fixture
def camp(api):
    return api.make_campaign(name="idem")


def test_same_key_same_body_replays(api, camp):
    key = str(uuid.uuid4())
    body = {"to_number": unique_e164(), "custom_variables": {"a": 1}}
    first = api.post(add_path(camp["id"]), body, headers=idem(key))
    assert first.status == 200, first
    second = api.post(add_path(camp["id"]), body, headers=idem(key))
    assert second.status == 200
    assert second.raw == first.raw
    assert api.line_total(camp["id"]) == 1
    # A third time, after other writes, still the same.
    api.add_contact(camp["id"])
    third = api.post(add_path(camp["id"]), body, headers=idem(key))
    assert third.raw == first.raw
    assert api.line_total(camp["id"]) == 2


def test_same_key_different_body_is_422(api, camp):
    key = str(uuid.uuid4())
    api.post(add_path(camp["id"]), {"to_number": unique_e164()},
             headers=idem(key))
    r = api.post(add_path(camp["id"]), {"to_number": unique_e164()},
                 headers=idem(key))
    assert_error(r, 422, "idempotency_key_reused")
    assert api.line_total(camp["id"]) == 1


def test_same_key_same_body_other_campaign_is_422(api, camp):
    other_camp = api.make_campaign()
    key = str(uuid.uuid4())
    body = {"to_number": unique_e164()}
    assert api.post(add_path(camp["id"]), body,
                    headers=idem(key)).status == 200
    r = api.post(add_path(other_camp["id"]), body, headers=idem(key))
    assert_error(r, 422, "idempotency_key_reused")
    assert api.line_total(other_camp["id"]) == 0


def test_different_keys_add_two_lines(api, camp):
    body = {"to_number": unique_e164()}
    a = api.post(add_path(camp["id"]), body, headers=idem(uuid.uuid4().hex))
    b = api.post(add_path(camp["id"]), body, headers=idem(uuid.uuid4().hex))
    assert a.status == b.status == 200
    assert a.json["line_id"] != b.json["line_id"]
    assert api.line_total(camp["id"]) == 2


def test_no_key_adds_every_time(api, camp):
    body = {"to_number": unique_e164()}
    a = api.post(add_path(camp["id"]), body)
    b = api.post(add_path(camp["id"]), body)
    assert a.json["line_id"] != b.json["line_id"]
    assert api.line_total(camp["id"]) == 2


def test_failed_request_with_a_key_stores_nothing(api, camp):
    key = str(uuid.uuid4())
    bad = api.post(add_path(camp["id"]), {"to_number": "555"},
                   headers=idem(key))
    assert_error(bad, 422, "invalid_e164")
    assert api.line_total(camp["id"]) == 0
    again = api.post(add_path(camp["id"]), {"to_number": "555"},
                     headers=idem(key))
    assert_error(again, 422, "invalid_e164")
    # The key was not used up: the corrected request goes through once.
    good = {"to_number": unique_e164()}
    r = api.post(add_path(camp["id"]), good, headers=idem(key))
    assert r.status == 200, r
    assert api.post(add_path(camp["id"]), good,
                    headers=idem(key)).raw == r.raw
    assert api.line_total(camp["id"]) == 1


def test_conflict_with_a_key_is_not_remembered(api, camp):
    key = str(uuid.uuid4())
    body = {"to_number": unique_e164()}
    api.action(camp["id"], "pause")
    api.delete("%s/%d" % (BULK, camp["id"]))
    assert_error(api.post(add_path(camp["id"]), body, headers=idem(key)),
                 409, "campaign_cancelled")
    live = api.make_campaign()
    # Same key, other path: the failed request left no trace to clash with.
    r = api.post(add_path(live["id"]), body, headers=idem(key))
    assert r.status == 200, r


def test_keys_are_per_account(api, other, camp):
    theirs = other.make_campaign()
    key = str(uuid.uuid4())
    body = {"to_number": unique_e164()}
    mine = api.post(add_path(camp["id"]), body, headers=idem(key))
    assert mine.status == 200
    # The same key and request from another account do not reach the first
    # account's remembered reply.
    r = other.post(add_path(camp["id"]), body, headers=idem(key))
    assert_error(r, 404, "not_found")
    # The other account's key space is its own: no replay, no 422.
    r = other.post(add_path(theirs["id"]), body, headers=idem(key))
    assert r.status == 200, r
    assert r.json["line_id"] != mine.json["line_id"]
    assert api.line_total(camp["id"]) == 1
    assert other.line_total(theirs["id"]) == 1


def test_add_contacts_replays(api, camp):
    key = str(uuid.uuid4())
    body = {"contacts": [{"to_number": unique_e164()} for _ in range(5)]}
    a = api.post(add_path(camp["id"], True), body, headers=idem(key))
    b = api.post(add_path(camp["id"], True), body, headers=idem(key))
    assert a.status == 200 and a.raw == b.raw
    assert api.line_total(camp["id"]) == 5


def test_create_campaign_replays(api):
    key = str(uuid.uuid4())
    body = api.campaign_body(name="idem create")
    a = api.post(BULK + "/create", body, headers=idem(key))
    b = api.post(BULK + "/create", body, headers=idem(key))
    assert a.status == 201, a
    assert b.status == 201 and b.raw == a.raw
    same_name = [c for c in api.get(BULK + "?pagesize=100").json["campaigns"]
                 if c["name"] == "idem create"]
    assert len(same_name) == 1


def test_concurrent_retries_add_one_line(api, camp):
    key = str(uuid.uuid4())
    body = {"to_number": unique_e164()}
    replies = []
    lock = threading.Lock()

    def send():
        r = api.post(add_path(camp["id"]), body, headers=idem(key))
        with lock:
            replies.append(r)

    threads = [threading.Thread(target=send) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status == 200 for r in replies), replies
    assert len({r.raw for r in replies}) == 1
    assert api.line_total(camp["id"]) == 1


@pytest.mark.parametrize("key", ["x" * 256, "has space", "tab\there",
                                 "caf\u00e9"])
def test_invalid_idempotency_key_is_400(api, camp, key):
    hdr = {"Idempotency-Key": key.encode("utf-8").decode("latin-1")}
    r = api.post(add_path(camp["id"]), {"to_number": unique_e164()},
                 headers=hdr)
    assert_error(r, 400, "invalid_idempotency_key")
    assert api.line_total(camp["id"]) == 0


def test_longest_idempotency_key_is_accepted(api, camp):
    r = api.post(add_path(camp["id"]), {"to_number": unique_e164()},
                 headers=idem("k" * 255))
    assert r.status == 200, r


def test_replies_are_forgotten_after_the_ttl(tmp_path):
    """With --idempotency-ttl 1, a key's reply is replayed at first, then
    forgotten by the store's upkeep: the same request runs again."""
    d = Daemon(tmp_path, args=["--idempotency-ttl", "1"]).start()
    try:
        api = d.client()
        cid = api.make_campaign(name="ttl")["id"]
        body = {"to_number": unique_e164()}
        t0 = time.monotonic()
        first = api.post(add_path(cid), body, headers=idem("ttl-1"))
        again = api.post(add_path(cid), body, headers=idem("ttl-1"))
        assert first.status == 200 and again.raw == first.raw, again

        def forgotten():
            con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True)
            try:
                return con.execute("SELECT count(*) FROM idempotency "
                                   "WHERE key = 'ttl-1'").fetchone() == (0,)
            finally:
                con.close()

        wait_for(forgotten, timeout=15)
        # Kept for its second at least, counted from before it was sent.
        assert time.monotonic() - t0 > 0.9, "forgotten before its time"
        # Logged once the deletion is durable, which can be a moment after
        # another connection sees it.
        wait_for(lambda: "forgot 1 Idempotency-Key replies" in d.stderr(),
                 timeout=5)
        later = api.post(add_path(cid), body, headers=idem("ttl-1"))
        assert later.status == 200, later
        assert later.json["line_id"] != first.json["line_id"]
        assert api.line_total(cid) == 2
    finally:
        d.stop_clean()


def test_replies_are_kept_by_default(api, camp):
    """The default keeps replies for a week: one made now is replayed
    after the upkeep has run a few times."""
    body = {"to_number": unique_e164()}
    first = api.post(add_path(camp["id"]), body, headers=idem("kept-1"))
    time.sleep(1.5)
    again = api.post(add_path(camp["id"]), body, headers=idem("kept-1"))
    assert again.raw == first.raw
