"""Attempt records as the line detail shows them, after the agent's
result endpoint settles a call. (The dialler's behaviour is in
test_dialer.py; this checks that the record is self-consistent.)"""
from datetime import datetime

from conftest import BULK, wait_for


def ts(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def held_attempt(api):
    c = api.make_campaign()
    lid = api.add_contact(c["id"]).json["line_id"]
    detail = "%s/%d/lines/%d" % (BULK, c["id"], lid)
    attempts = wait_for(lambda: api.get(detail).json["line"]["attempt_list"])
    return detail, attempts[0]


def settle(api, attempt, **body):
    r = api.post("/api/v1/calls/attempts/%d/result" % attempt["attempt_id"],
                 body)
    assert r.status == 200, r


def test_settled_attempt_times_are_ordered(api):
    detail, a = held_attempt(api)
    settle(api, a, outcome="completed")
    line = api.get(detail).json["line"]
    assert line["status"] == "completed"
    a = line["attempt_list"][0]
    assert a["outcome"] == "completed"
    assert ts(a["started_at"]) <= ts(a["ended_at"])
    assert ts(line["created_at"]) <= ts(a["started_at"])


def test_answered_at_is_never_before_started_at(api):
    detail, a = held_attempt(api)
    # The agent reports a longer talk than the call can have lasted.
    settle(api, a, outcome="completed", duration_seconds=600)
    a = api.get(detail).json["line"]["attempt_list"][0]
    assert a["duration_ms"] == 600000 and a["duration_seconds"] == 600, a
    assert ts(a["started_at"]) <= ts(a["answered_at"]) <= ts(a["ended_at"])

