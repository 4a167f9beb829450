"""The dialer, black box: the real daemon with its simulated carrier.

Every campaign here has its own phone number whose settings script the
simulated carrier ("rules": the longest prefix of the dialled number wins,
attempt n takes outcomes[n - 1], the last one repeats). Rings and talks are
short, so the scenarios run in seconds; tests poll the API against a
deadline rather than sleep a fixed time.

One daemon serves the whole module (the conftest fixture `daemon` is
overridden here only to pin the simulator's time scale to real time);
scenarios use separate campaigns. The crash scenario has daemons of its
own. The daily-window scenario has to wait for a UTC minute boundary: its
campaign is set up by the first test of the file and checked by the last
one, so the wait overlaps the other scenarios.
"""
import os
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from conftest import BULK, Daemon, assert_error

SCALE_ENV = "CAMPAIGND_SIM_TIME_SCALE"

# Every dialled number is a scenario tag (a prefix its campaign's rules
# match) and five more digits.
_serial = iter(range(1, 10_000_000))
_serial_lock = threading.Lock()


def number(tag):
    """A fresh E.164 number starting with tag (a prefix of digits)."""
    with _serial_lock:
        n = next(_serial)
    return "%s%05d" % (tag, (os.getpid() * 97 + n) % 100_000)


# --- Daemons -----------------------------------------------------------------


class SimDaemon(Daemon):
    """A Daemon whose simulated carrier runs at a chosen time scale."""

    def __init__(self, workdir, scale=1.0):
        super().__init__(workdir)
        self.scale = scale

    def start(self):
        old = os.environ.get(SCALE_ENV)
        os.environ[SCALE_ENV] = repr(float(self.scale))
        try:
            return super().start()
        finally:
            if old is None:
                os.environ.pop(SCALE_ENV, None)
            else:
                os.environ[SCALE_ENV] = old


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    """Overrides conftest's: the same daemon, simulator in real time."""
    d = SimDaemon(tmp_path_factory.mktemp("dialer"), scale=1.0).start()
    assert d.first_key, "no first-run API key on stdout"
    yield d
    if d.alive():
        d.stop_clean()


# --- Helpers -----------------------------------------------------------------


def rule(prefix, outcomes, ring=0.1, talk=0.2, callback_after=2):
    return {"prefix": prefix, "outcomes": list(outcomes),
            "ring_seconds": ring, "talk_seconds": talk,
            "callback_after_seconds": callback_after}


def sim_campaign(api, rules, welcome=None, **fields):
    """A dynamic campaign (unless fields say otherwise) on a new number
    scripted by rules; returns its id."""
    agent = api.make_agent(**({"welcome_message": welcome}
                              if welcome is not None else {}))
    num = api.make_number(agent_id=agent["id"], settings={"rules": rules})
    return api.make_campaign(phone_number_id=num["id"], **fields)["id"]


def add(api, cid, to, **kw):
    r = api.add_contact(cid, to, **kw)
    assert r.status == 200, r
    return r.json["line_id"]


def add_many(api, cid, numbers):
    r = api.post("%s/%d/add_contacts" % (BULK, cid),
                 {"contacts": [{"to_number": n} for n in numbers]})
    assert r.status == 200, r
    assert r.json["rejected"] == [], r
    return [a["line_id"] for a in r.json["added"]]


def line(api, cid, lid):
    r = api.get("%s/%d/lines/%d" % (BULK, cid, lid))
    assert r.status == 200, r
    return r.json["line"]


def ts(text):
    """API time ("2025-01-02T03:04:05.678Z") as epoch seconds; None stays."""
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def wait_for(fn, timeout, what, interval=0.05):
    """Polls fn until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s; "
                                 "last: %r" % (timeout, what, last))
        time.sleep(interval)


FINAL = {"completed", "failed", "skipped", "cancelled"}


def wait_line(api, cid, lid, status=None, attempts=None, timeout=15):
    """Waits for the line to reach status (default: any final one) and,
    when given, that many attempts; returns the line."""
    def ok():
        ln = line(api, cid, lid)
        st_ok = (ln["status"] in FINAL if status is None
                 else ln["status"] == status)
        n_ok = attempts is None or len(ln["attempt_list"]) == attempts
        return ln if st_ok and n_ok else None
    return wait_for(ok, timeout, "line %d status=%s attempts=%s" %
                    (lid, status or "final", attempts))


def wait_campaign(api, cid, pred, timeout, what):
    """Waits until pred(campaign view) holds; returns the view."""
    def ok():
        v = api.campaign(cid)
        return v if pred(v) else None
    return wait_for(ok, timeout, what)


def wait_calling(api, cid, lid, timeout=10):
    return wait_line(api, cid, lid, "calling", timeout=timeout)


def outcomes(ln):
    return [a["outcome"] for a in ln["attempt_list"]]


def check_attempts_settled(ln):
    for a in ln["attempt_list"]:
        assert a["outcome"] is not None, ln
        assert a["started_at"] is not None and a["ended_at"] is not None, ln
        assert ts(a["ended_at"]) >= ts(a["started_at"]), ln
    nums = [a["attempt_number"] for a in ln["attempt_list"]]
    assert nums == list(range(1, len(nums) + 1)), ln
    assert ln["attempts"] == len(nums), ln


# --- 10 (first half). A daily window that closes and reopens -----------------


RING_THROUGH_CLOSE = 4.0


@pytest.fixture(scope="module")
def window_case(api):
    """A campaign whose daily window closes from the current UTC minute to
    the next one. Before it closes, one line has had a first call and
    waits for a retry, and another is ringing; while it is closed, the
    agent asks for a callback on the ringing one within the closed minute,
    and contacts are added. The ringing call goes on after the agent's
    report until the carrier gives up on it, before the window reopens
    (which is at least 4 s after the call was placed)."""
    pa, pb, pd = "+1201", "+1240", "+1241"
    cid = sim_campaign(
        api, [rule(pa, ["completed"], talk=1.5),
              rule(pb, ["no_answer", "completed"]),
              rule(pd, ["no_answer"], ring=RING_THROUGH_CLOSE)],
        enabled_reschedule_call=True,
        retry_config={"auto_retry": True, "retry_limit": 1,
                      "retry_delays_seconds": [2]})
    now = datetime.now(timezone.utc)
    if now.second >= 48:  # leave time to see it closed
        time.sleep(60.2 - now.second - now.microsecond / 1e6)
    lb = add(api, cid, number(pb))
    ld = add(api, cid, number(pd))
    wait_line(api, cid, lb, "retry_scheduled", attempts=1, timeout=3)
    ringing = wait_calling(api, cid, ld)["attempt_list"][0]["attempt_id"]

    now = datetime.now(timezone.utc)
    minute = now.hour * 60 + now.minute
    reopen = (now.replace(second=0, microsecond=0) +
              timedelta(minutes=1)).timestamp()
    r = api.put("%s/%d/daily-time-control" % (BULK, cid), {
        "enable_daily_hard_stop": True,
        "daily_stop_time": minute / 60,
        "enable_daily_auto_start": True,
        "daily_start_time": ((minute + 1) % 1440) / 60})
    assert r.status == 200, r
    view = r.json
    assert reopen - time.time() > 4, "too close to the minute boundary"
    # A hard stop alone at the next minute: open until then, and closed
    # after it until resumed by hand.
    stop_only = sim_campaign(api, [rule("+1", ["completed"])])
    r = api.put("%s/%d/daily-time-control" % (BULK, stop_only), {
        "enable_daily_hard_stop": True,
        "daily_stop_time": ((minute + 1) % 1440) / 60})
    assert r.status == 200, r
    assert r.json["campaign_status"] == "waiting", r
    before_stop = add(api, stop_only, number(pa))
    r = api.post(result_path(ringing), {"outcome": "callback_requested",
                                        "callback_at": iso(time.time() + 2)})
    assert r.status == 200, r
    lids = []
    for _ in range(3):
        r = api.add_contact(cid, number(pa))
        assert r.status == 200, r
        assert r.json["campaign_status"] == "auto_paused", r
        lids.append(r.json["line_id"])
    return {"id": cid, "lines": lids, "retry": lb, "callback": ld,
            "reopen": reopen, "view": view, "stop_only": stop_only,
            "before_stop": before_stop}


def test_window_closed_queues_contacts(api, window_case):
    cid, reopen = window_case["id"], window_case["reopen"]
    # Closing the window does not cut the call that was ringing.
    assert window_case["view"]["campaign_status"] == "auto_paused"
    assert window_case["view"]["calls_in_flight"] == 1
    c = api.campaign(cid)
    assert c["campaign_status"] == "auto_paused", c
    assert ts(c["resumes_at"]) == reopen, c
    # The callback asked for inside the closed window moves to its start.
    cb = line(api, cid, window_case["callback"])
    assert cb["status"] == "callback_scheduled", cb
    assert ts(cb["due_at"]) == reopen, cb
    assert ts(cb["attempt_list"][0]["callback_at"]) < reopen, cb
    # The retry falls due while the window is closed, and waits.
    rt = line(api, cid, window_case["retry"])
    assert rt["status"] == "retry_scheduled", rt
    due = ts(rt["due_at"])
    assert due < reopen - 1, rt
    wait_for(lambda: time.time() > max(due + 1.2,
                                       ts(c["updated_at"]) + 1.2), 5,
             "the retry's due time and a dispatcher pass to go by")
    rt = line(api, cid, window_case["retry"])
    assert rt["status"] == "retry_scheduled", rt
    assert len(rt["attempt_list"]) == 1, rt
    for lid in window_case["lines"]:
        ln = line(api, cid, lid)
        assert ln["status"] == "pending", ln
        assert ln["attempt_list"] == [], ln
    c = api.campaign(cid)
    assert c["calls_in_flight"] == 0 and c["campaign_status"] == "auto_paused"
    # The other campaign's window is still open: it dialled at once.
    so = window_case["stop_only"]
    wait_line(api, so, window_case["before_stop"], "completed", attempts=1)
    assert api.campaign(so)["campaign_status"] == "waiting"


# --- 1, 2. Immediate dial; waiting -> in_progress -> waiting -----------------


def test_add_contact_is_dialled_at_once(api):
    cid = sim_campaign(api, [rule("+1", ["completed"])])
    assert api.campaign(cid)["campaign_status"] == "waiting"
    lid = add(api, cid, number("+1202"))
    ln = wait_line(api, cid, lid, "completed", attempts=1)
    a = ln["attempt_list"][0]
    delay = ts(a["started_at"]) - ts(ln["created_at"])
    assert 0 <= delay < 1.0, ln
    assert a["attempt_number"] == 1 and a["outcome"] == "completed", ln
    check_attempts_settled(ln)


def test_a_full_campaign_does_not_hold_up_another(api):
    busy = sim_campaign(api, [rule("+1", ["completed"], talk=3)],
                        concurrent_call_limit=2)
    add_many(api, busy, [number("+1250") for _ in range(150)])
    wait_campaign(api, busy, lambda v: v["calls_in_flight"] == 2, 5,
                  "the first campaign at its limit")
    quiet = sim_campaign(api, [rule("+1", ["completed"])])
    lid = add(api, quiet, number("+1251"))
    ln = wait_line(api, quiet, lid, "completed", attempts=1)
    delay = ts(ln["attempt_list"][0]["started_at"]) - ts(ln["created_at"])
    assert 0 <= delay < 1.0, ln
    assert api.campaign(busy)["calls_in_flight"] == 2
    r = api.delete("%s/%d" % (BULK, busy))
    assert r.status == 200 and r.json["counts"]["cancelled"] == 148, r


def test_waiting_in_progress_waiting(api):
    cid = sim_campaign(api, [rule("+1", ["completed"], ring=0.1, talk=1.5)])
    c = api.campaign(cid)
    assert c["campaign_status"] == "waiting" and c["calls_in_flight"] == 0
    lid = add(api, cid, number("+1203"))
    c = wait_campaign(api, cid, lambda v: v["calls_in_flight"] == 1, 5,
                      "a call in flight")
    assert c["campaign_status"] == "in_progress", c
    assert c["counts"]["calling"] == 1, c
    assert line(api, cid, lid)["status"] == "calling"
    c = wait_campaign(api, cid, lambda v: v["campaign_status"] == "waiting",
                      6, "waiting again")
    assert c["calls_in_flight"] == 0, c
    assert c["counts"]["completed"] == 1, c
    ln = line(api, cid, lid)
    assert ln["status"] == "completed" and outcomes(ln) == ["completed"]
    assert ln["attempt_list"][0]["duration_seconds"] == pytest.approx(1.5)
    assert ln["attempt_list"][0]["duration_ms"] == 1500


# --- 3, 4. Pause and resume; cancel ------------------------------------------


def test_pause_keeps_call_queues_contacts_and_resume_dials(api):
    cid = sim_campaign(api, [rule("+1", ["completed"], ring=0.1, talk=1.2)])
    first = add(api, cid, number("+1204"))
    wait_calling(api, cid, first)
    r = api.action(cid, "pause")
    assert r.status == 200, r
    assert r.json["campaign_status"] == "paused", r
    queued = []
    for _ in range(3):
        r = api.add_contact(cid, number("+1204"))
        assert r.status == 200, r
        assert r.json["campaign_status"] == "paused", r
        queued.append(r.json["line_id"])
    # The call in flight is not cut: it ends normally while paused.
    ln = wait_line(api, cid, first, "completed", attempts=1, timeout=6)
    assert ln["attempt_list"][0]["duration_seconds"] == pytest.approx(1.2)
    assert api.campaign(cid)["campaign_status"] == "paused"
    time.sleep(2.0)
    for lid in queued:
        ln = line(api, cid, lid)
        assert ln["status"] == "pending" and ln["attempt_list"] == [], ln
    resumed = time.time()
    r = api.action(cid, "resume")
    assert r.status == 200, r
    assert r.json["campaign_status"] == "in_progress", r
    for lid in queued:
        ln = wait_line(api, cid, lid, "completed", attempts=1)
        assert ts(ln["attempt_list"][0]["started_at"]) >= resumed - 0.05, ln


def test_cancel_cancels_pending_and_lets_calls_finish(daemon, api):
    pa, pb = "+1205", "+1206"
    cid = sim_campaign(api, [rule(pa, ["completed"], ring=0.1, talk=1.5),
                             rule(pb, ["no_answer"], ring=1.5)],
                       concurrent_call_limit=2,
                       retry_config={"auto_retry": True, "retry_limit": 3,
                                     "retry_delays_seconds": [0]})
    a = add(api, cid, number(pa))
    b = add(api, cid, number(pb))
    wait_calling(api, cid, a)
    wait_calling(api, cid, b)
    pending = [add(api, cid, number(pa)) for _ in range(3)]
    c = api.campaign(cid)
    assert c["counts"]["pending"] == 3 and c["calls_in_flight"] == 2, c
    r = api.delete("%s/%d" % (BULK, cid))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "cancelled", r
    assert r.json["counts"]["cancelled"] == 3, r
    assert_error(api.add_contact(cid, number(pa)), 409, "campaign_cancelled")
    assert_error(api.post("%s/%d/manual_retry" % (BULK, cid)), 409,
                 "campaign_cancelled")
    # The call in flight ends normally; the other one would have been
    # retried, but a cancelled campaign dials nothing more.
    la = wait_line(api, cid, a, "completed", attempts=1)
    assert outcomes(la) == ["completed"]
    lb = wait_line(api, cid, b, "cancelled", attempts=1)
    assert outcomes(lb) == ["no_answer"]
    c = wait_campaign(api, cid, lambda v: v["calls_in_flight"] == 0, 5,
                      "no call in flight")
    assert c["campaign_status"] == "cancelled"
    wait_let_go(daemon, cid, "cancelled")
    time.sleep(0.5)
    for lid in pending:
        ln = line(api, cid, lid)
        assert ln["status"] == "cancelled" and ln["attempt_list"] == [], ln
    assert len(line(api, cid, b)["attempt_list"]) == 1


# --- 5, 6, 7. Retries --------------------------------------------------------


def test_retries_stop_at_the_limit(api):
    p1, p2 = "+1207", "+1208"
    retry = {"auto_retry": True, "retry_limit": 2, "retry_delays_seconds": [1]}
    same = sim_campaign(api, [rule(p1, ["no_answer"], ring=0.1)],
                        retry_config=retry)
    mix = sim_campaign(api, [rule(p2, ["no_answer", "busy", "voicemail",
                                       "failed"], ring=0.1, talk=0.1)],
                       retry_config=retry)
    l1 = add(api, same, number(p1))
    l2 = add(api, mix, number(p2))
    # In between: waiting for a retry, one retry used.
    mid = wait_line(api, same, l1, "retry_scheduled", attempts=1, timeout=5)
    assert mid["retries"] == 1, mid
    assert ts(mid["due_at"]) == pytest.approx(
        ts(mid["attempt_list"][0]["ended_at"]) + 1, abs=0.2), mid
    r1 = wait_line(api, same, l1, "failed", timeout=10)
    r2 = wait_line(api, mix, l2, "failed", timeout=10)
    time.sleep(1.5)  # past another retry delay: still no 4th attempt
    r1, r2 = line(api, same, l1), line(api, mix, l2)
    assert outcomes(r1) == ["no_answer"] * 3, r1
    assert outcomes(r2) == ["no_answer", "busy", "voicemail"], r2
    for ln in (r1, r2):
        assert ln["status"] == "failed" and ln["retries"] == 2, ln
        check_attempts_settled(ln)
        starts = [ts(a["started_at"]) for a in ln["attempt_list"]]
        ends = [ts(a["ended_at"]) for a in ln["attempt_list"]]
        for i in range(1, 3):  # each retry waits its delay
            assert starts[i] >= ends[i - 1] + 1 - 0.01, ln
            assert starts[i] < ends[i - 1] + 2, ln
    assert r2["last_outcome"] == "voicemail"


def test_retry_on_narrows_the_retried_outcomes(api):
    pn, pb = "+1209", "+1210"
    cid = sim_campaign(api, [rule(pn, ["no_answer"]),
                             rule(pb, ["busy", "completed"])],
                       retry_config={"auto_retry": True, "retry_limit": 2,
                                     "retry_delays_seconds": [0],
                                     "retry_on": ["busy"]})
    ln_no = add(api, cid, number(pn))
    ln_busy = add(api, cid, number(pb))
    b = wait_line(api, cid, ln_busy, "completed", attempts=2)
    assert outcomes(b) == ["busy", "completed"] and b["retries"] == 1, b
    n = wait_line(api, cid, ln_no, "failed", attempts=1)
    time.sleep(0.5)
    n = line(api, cid, ln_no)
    assert n["status"] == "failed" and outcomes(n) == ["no_answer"], n
    assert n["retries"] == 0, n


def test_invalid_number_is_never_retried(api):
    cid = sim_campaign(api, [rule("+1", ["invalid_number", "completed"])],
                       retry_config={"auto_retry": True, "retry_limit": 6,
                                     "retry_delays_seconds": [0]})
    lid = add(api, cid, number("+1211"))
    wait_line(api, cid, lid, "failed")
    time.sleep(0.7)
    ln = line(api, cid, lid)
    assert ln["status"] == "failed" and outcomes(ln) == ["invalid_number"]
    assert ln["retries"] == 0 and ln["last_outcome"] == "invalid_number", ln


# --- 8. Callbacks ------------------------------------------------------------


def test_callbacks_honoured_off_and_capped(api):
    p = "+1212"
    honoured = sim_campaign(
        api, [rule(p, ["callback_requested", "completed"], callback_after=2)],
        enabled_reschedule_call=True)
    off = sim_campaign(
        api, [rule(p, ["callback_requested", "completed"], callback_after=1)],
        enabled_reschedule_call=False,
        retry_config={"auto_retry": True, "retry_limit": 3,
                      "retry_delays_seconds": [0]})
    capped = sim_campaign(
        api, [rule(p, ["callback_requested"], callback_after=1)],
        enabled_reschedule_call=True, reschedule_limit=1)
    lh = add(api, honoured, number(p))
    lo = add(api, off, number(p))
    lc = add(api, capped, number(p))

    h = wait_line(api, honoured, lh, "callback_scheduled", attempts=1,
                  timeout=5)
    first = h["attempt_list"][0]
    assert first["outcome"] == "callback_requested", h
    assert ts(first["callback_at"]) == pytest.approx(
        ts(first["ended_at"]) + 2, abs=0.15), h
    assert h["due_at"] == first["callback_at"], h
    assert h["reschedules"] == 1 and h["retries"] == 0, h
    due = ts(h["due_at"])
    h = wait_line(api, honoured, lh, "completed", attempts=2, timeout=8)
    second = ts(h["attempt_list"][1]["started_at"])
    assert due <= second < due + 1.0, h
    assert outcomes(h) == ["callback_requested", "completed"]
    assert h["retries"] == 0, h  # a callback does not use a retry

    o = wait_line(api, off, lo, "completed", timeout=5)
    c = wait_line(api, capped, lc, "completed", attempts=2, timeout=8)
    time.sleep(1.5)  # past any callback time the carrier asked for
    o, c = line(api, off, lo), line(api, capped, lc)
    assert o["status"] == "completed" and outcomes(o) == [
        "callback_requested"], o
    assert o["reschedules"] == 0 and o["retries"] == 0, o
    assert c["status"] == "completed", c
    assert outcomes(c) == ["callback_requested"] * 2, c
    assert c["reschedules"] == 1, c
    for ln in (h, o, c):
        check_attempts_settled(ln)


# --- 9. The agent's result endpoint ------------------------------------------


def result_path(attempt_id):
    return "/api/v1/calls/attempts/%d/result" % attempt_id


def test_result_endpoint(api, other):
    # Calls ring for 2.5 s and then are not answered, unless the agent's
    # report settles them first.
    cid = sim_campaign(api, [rule("+1", ["no_answer"], ring=2.5)],
                       enabled_reschedule_call=True,
                       retry_config={"auto_retry": True, "retry_limit": 2,
                                     "retry_delays_seconds": [0]})
    la = add(api, cid, number("+1213"))
    lb = add(api, cid, number("+1213"))
    aa = wait_calling(api, cid, la)["attempt_list"][0]["attempt_id"]
    ab = wait_calling(api, cid, lb)["attempt_list"][0]["attempt_id"]

    # Refusals first; none of them settles anything.
    assert_error(other.post(result_path(aa), {"outcome": "completed"}),
                 404)
    assert_error(api.post(result_path(10 ** 9), {"outcome": "completed"}),
                 404)
    assert_error(api.post(result_path(aa), {"outcome": "hung_up"}), 422,
                 field="outcome")
    assert_error(api.post(result_path(aa), {"outcome": "unknown"}), 422,
                 field="outcome")
    assert_error(api.post(result_path(aa),
                          {"outcome": "callback_requested"}), 422,
                 field="callback_at")
    assert_error(api.post(result_path(aa),
                          {"outcome": "callback_requested",
                           "callback_at": "tomorrow"}), 422)
    assert line(api, cid, la)["status"] == "calling"

    when = int(time.time()) + 120
    r = api.post(result_path(aa), {"outcome": "callback_requested",
                                   "callback_at": iso(when),
                                   "summary": "call me later"})
    assert r.status == 200, r
    assert r.json == {"status": "success", "attempt_id": aa,
                      "outcome": "callback_requested"}, r
    r = api.post(result_path(ab), {"outcome": "completed",
                                   "duration_seconds": 3})
    assert r.status == 200, r
    assert_error(api.post(result_path(aa), {"outcome": "completed"}), 409,
                 "attempt_settled")
    assert_error(api.post(result_path(ab), {"outcome": "busy"}), 409,
                 "attempt_settled")

    a = line(api, cid, la)
    assert a["status"] == "callback_scheduled", a
    assert ts(a["due_at"]) == when, a
    assert a["attempt_list"][0]["callback_at"] == a["due_at"], a
    assert a["attempt_list"][0]["summary"] == "call me later", a
    b = line(api, cid, lb)
    assert b["status"] == "completed" and outcomes(b) == ["completed"], b
    assert b["attempt_list"][0]["duration_seconds"] == 3, b
    assert b["attempt_list"][0]["duration_ms"] == 3000, b

    # The carrier's own end of those calls (no answer) comes later and
    # changes nothing: the agent's report settled them.
    time.sleep(2.0)
    a, b = line(api, cid, la), line(api, cid, lb)
    assert a["status"] == "callback_scheduled" and ts(a["due_at"]) == when
    assert outcomes(a) == ["callback_requested"], a
    assert b["status"] == "completed" and outcomes(b) == ["completed"], b
    assert api.campaign(cid)["calls_in_flight"] == 0


def test_agent_report_does_not_ring_a_live_call_again(api):
    # The agent reports voicemail while the carrier still has the call (it
    # hangs up 3 s later), and the campaign retries voicemail at once. The
    # line must not ring again, and the campaign's other line (one call at
    # a time) must not ring either, before the first call is over.
    ring, talk = 0.2, 3.0
    cid = sim_campaign(api, [rule("+1", ["completed"], ring=ring, talk=talk)],
                       concurrent_call_limit=1,
                       retry_config={"auto_retry": True, "retry_limit": 2,
                                     "retry_delays_seconds": [0],
                                     "retry_on": ["voicemail"]})
    la = add(api, cid, number("+1312"))
    first = wait_calling(api, cid, la)["attempt_list"][0]
    lb = add(api, cid, number("+1312"))
    r = api.post(result_path(first["attempt_id"]), {"outcome": "voicemail"})
    assert r.status == 200, r
    assert line(api, cid, la)["status"] == "retry_scheduled"

    a = wait_line(api, cid, la, "completed", attempts=2, timeout=15)
    b = wait_line(api, cid, lb, "completed", attempts=1, timeout=15)
    assert outcomes(a) == ["voicemail", "completed"], a
    hangup = ts(first["started_at"]) + ring + talk
    later = [a["attempt_list"][1], b["attempt_list"][0]]
    for att in later:
        assert ts(att["started_at"]) >= hangup - 0.05, (first, att)
    # One call at a time after that, too.
    later.sort(key=lambda att: ts(att["started_at"]))
    assert ts(later[1]["started_at"]) >= ts(later[0]["ended_at"]) - 0.05
    for ln in (a, b):
        check_attempts_settled(ln)


# --- 11. Concurrency ---------------------------------------------------------


def max_overlap(intervals):
    """The most half-open [start, end) intervals open at one instant."""
    # At equal instants ends (-1) sort before starts (+1).
    events = sorted([(s, 1) for s, _ in intervals] +
                    [(e, -1) for _, e in intervals])
    cur = best = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    return best


def test_concurrency_limit_is_never_exceeded(api):
    cid = sim_campaign(api, [rule("+1", ["completed"], ring=0.05, talk=0.25)],
                       concurrent_call_limit=5)
    lids = add_many(api, cid, [number("+1214") for _ in range(200)])
    assert len(lids) == 200
    path = "%s/%d/lines?call_status=calling&include_total=true&pagesize=1" % (
        BULK, cid)
    before, after = [], []
    changed_at = None
    deadline = time.monotonic() + 60
    while True:
        c = api.campaign(cid)
        r = api.get(path)
        assert r.status == 200, r
        samples = before if changed_at is None else after
        samples.append(max(c["calls_in_flight"], c["counts"]["calling"],
                           r.json["total"]))
        done = c["counts"]["completed"]
        if changed_at is None and done >= 100:
            r = api.put("%s/%d/concurrency" % (BULK, cid),
                        {"concurrent_call_limit": 10})
            assert r.status == 200, r
            assert r.json["concurrent_call_limit"] == 10
            changed_at = time.time()
        if done == 200:
            break
        assert time.monotonic() < deadline, c
    assert max(before) <= 5, before
    assert max(before) == 5, before  # the limit is used, not just kept
    assert max(after) <= 10, after
    assert max(after) > 5, after  # the new limit is applied live
    c = api.campaign(cid)
    assert c["counts"]["completed"] == 200 and c["calls_in_flight"] == 0, c
    assert c["campaign_status"] == "waiting", c
    # Exactly, from the attempt records: how many calls overlapped.
    old, new = [], []
    for lid in lids:
        ln = line(api, cid, lid)
        assert ln["status"] == "completed", ln
        assert outcomes(ln) == ["completed"], ln
        a = ln["attempt_list"][0]
        iv = (ts(a["started_at"]), ts(a["ended_at"]))
        (old if iv[0] < changed_at - 0.5 else new).append(iv)
    assert max_overlap(old) <= 5
    assert max_overlap(old + new) <= 10


# --- 12. Call conditions -----------------------------------------------------


def test_call_conditions_skip_and_dial(api):
    cid = sim_campaign(api, [rule("+1", ["completed"])], call_conditions=[
        {"column": "age", "operator": "greater_than", "value": 30}])
    r = api.add_contact(cid, number("+1215"), custom_variables={"age": 20})
    assert r.status == 200, r
    assert r.json["line_status"] == "skipped", r
    young = r.json["line_id"]
    old = add(api, cid, number("+1215"), custom_variables={"age": 40})
    o = wait_line(api, cid, old, "completed", attempts=1)
    assert outcomes(o) == ["completed"]
    time.sleep(0.5)
    y = line(api, cid, young)
    assert y["status"] == "skipped" and y["attempt_list"] == [], y
    assert y["attempts"] == 0, y
    assert "call_conditions[0]" in y["skip_reason"], y
    assert "age" in y["skip_reason"], y


# --- 13. Do-not-call lists ---------------------------------------------------


DNC = "/api/v1/dnc"


def dnc_entries(client, **q):
    q.setdefault("pagesize", 500)
    r = client.get(DNC + "?" + urlencode(q))
    assert r.status == 200, r
    return r.json["entries"]


def test_dnc_account_and_campaign_lists(api):
    rules = [rule("+1", ["completed"])]
    c1 = sim_campaign(api, rules)
    c2 = sim_campaign(api, rules)
    acct, scoped, free = number("+1216"), number("+1216"), number("+1216")

    r = api.post(DNC, {"number": acct, "reason": "asked by letter"})
    assert r.status == 201, r
    acct_entry = r.json["id"]
    assert r.json["campaign_id"] is None
    assert_error(api.post(DNC, {"number": acct}), 409, "already_listed")
    r = api.post(DNC, {"number": scoped, "campaign_id": c1})
    assert r.status == 201 and r.json["campaign_id"] == c1, r
    assert_error(api.post(DNC, {"number": "555-1234"}), 422, field="number")
    assert_error(api.post(DNC, {"number": free, "campaign_id": 10 ** 9}),
                 422, "unknown_campaign")

    l_acct = add(api, c1, acct)
    l_scoped = add(api, c1, scoped)
    l_free = add(api, c1, free)
    l_scoped2 = add(api, c2, scoped)  # listed for c1 only
    l_acct2 = add(api, c2, acct)
    for cid, lid in ((c1, l_acct), (c1, l_scoped), (c2, l_acct2)):
        ln = wait_line(api, cid, lid, "skipped")
        assert ln["skip_reason"] == "dnc", ln
        assert ln["attempt_list"] == [] and ln["attempts"] == 0, ln
    for cid, lid in ((c1, l_free), (c2, l_scoped2)):
        ln = wait_line(api, cid, lid, "completed", attempts=1)

    listed = {(e["number"], e["campaign_id"]) for e in dnc_entries(api)}
    assert {(acct, None), (scoped, c1)} <= listed
    assert [e["number"] for e in dnc_entries(api, campaign_id=c1)] == [scoped]

    # Removed from the list: dialled again.
    r = api.delete("%s/%d" % (DNC, acct_entry))
    assert r.status == 200, r
    assert_error(api.delete("%s/%d" % (DNC, acct_entry)), 404)
    assert acct not in [e["number"] for e in dnc_entries(api)]
    lid = add(api, c1, acct)
    wait_line(api, c1, lid, "completed", attempts=1)


def test_do_not_call_outcome_lists_the_number(api):
    p = "+1217"
    c1 = sim_campaign(api, [rule(p, ["do_not_call"])],
                      retry_config={"auto_retry": True, "retry_limit": 3,
                                    "retry_delays_seconds": [0]})
    c2 = sim_campaign(api, [rule(p, ["completed"])])
    n = number(p)
    lid = add(api, c1, n)
    ln = wait_line(api, c1, lid, attempts=1)
    assert outcomes(ln) == ["do_not_call"], ln
    assert ln["status"] == "completed", ln
    entries = [e for e in dnc_entries(api) if e["number"] == n]
    assert len(entries) == 1, entries
    assert entries[0]["campaign_id"] is None, entries  # the whole account
    for cid in (c1, c2):
        later = add(api, cid, n)
        ln = wait_line(api, cid, later, "skipped")
        assert ln["skip_reason"] == "dnc" and ln["attempt_list"] == [], ln


def test_dnc_bulk_import_reports_bad_rows(api):
    good1, good2, dup = number("+1218"), number("+1218"), number("+1218")
    assert api.post(DNC, {"number": dup}).status == 201
    r = api.post(DNC + "/bulk", {"numbers": [good1, "12345", 7, good2,
                                             "+1 555 0100", dup]})
    assert r.status == 200, r
    assert r.json["added"] == 2, r
    assert [x["index"] for x in r.json["rejected"]] == [1, 2, 4], r
    assert all(x["code"] == "invalid_e164" for x in r.json["rejected"]), r
    listed = [e["number"] for e in dnc_entries(api)]
    assert good1 in listed and good2 in listed
    assert listed.count(dup) == 1
    assert_error(api.post(DNC + "/bulk", {"numbers": []}), 422)
    cid = sim_campaign(api, [rule("+1", ["completed"])])
    ln = wait_line(api, cid, add(api, cid, good2), "skipped")
    assert ln["skip_reason"] == "dnc", ln


def test_dnc_lists_are_per_account(api, other):
    n = number("+1219")
    r = api.post(DNC, {"number": n})
    assert r.status == 201, r
    mine = r.json["id"]
    mine_campaign = sim_campaign(api, [rule("+1", ["completed"])])
    assert n not in [e["number"] for e in dnc_entries(other)]
    assert_error(other.delete("%s/%d" % (DNC, mine)), 404)
    assert_error(other.post(DNC, {"number": number("+1219"),
                                  "campaign_id": mine_campaign}),
                 422, "unknown_campaign")
    # The other account's campaign dials the number mine lists.
    theirs = sim_campaign(other, [rule("+1", ["completed"])])
    ln = wait_line(other, theirs, add(other, theirs, n), "completed",
                   attempts=1)
    assert outcomes(ln) == ["completed"]
    # And its own entry does not block mine.
    m = number("+1219")
    assert other.post(DNC, {"number": m}).status == 201
    wait_line(api, mine_campaign, add(api, mine_campaign, m), "completed",
              attempts=1)
    assert n in [e["number"] for e in dnc_entries(api)]


def test_dnc_number_is_skipped_when_added(api):
    """Skipped at once, even in a paused campaign that dials nothing."""
    cid = sim_campaign(api, [rule("+1", ["completed"])])
    assert api.action(cid, "pause").status == 200
    n = number("+1220")
    assert api.post(DNC, {"number": n}).status == 201
    r = api.add_contact(cid, n)
    assert r.status == 200, r
    ln = line(api, cid, r.json["line_id"])
    assert ln["status"] == "skipped" and ln["skip_reason"] == "dnc", ln
    assert r.json.get("line_status") == "skipped", r


# --- 14. A csv campaign completes --------------------------------------------


def wait_let_go(daemon, cid, status):
    """Waits until the dispatcher logs that it no longer watches cid."""
    needle = "campaign=%d %s: no longer watched" % (cid, status)
    wait_for(lambda: needle in daemon.stderr(), 10, repr(needle))


def test_csv_campaign_reaches_completed(daemon, api):
    ok, bad = "+1221", "+1222"
    agent = api.make_agent()
    num = api.make_number(agent_id=agent["id"], settings={"rules": [
        rule(ok, ["completed"]), rule(bad, ["invalid_number"])]})
    rows = [{"phone_number": number(ok), "first_name": "A"},
            {"phone_number": number(ok), "first_name": "B"},
            {"phone_number": number(bad), "first_name": "C"},
            {"phone_number": number(ok), "first_name": "D"}]
    c = api.make_campaign(phone_number_id=num["id"], contact_list=rows,
                          concurrent_call_limit=2)
    assert c["campaign_status"] == "in_progress", c
    c = wait_campaign(api, c["id"],
                      lambda v: v["campaign_status"] == "completed", 10,
                      "csv campaign completed")
    assert c["counts"]["completed"] == 3 and c["counts"]["failed"] == 1, c
    assert c["calls_in_flight"] == 0
    for ln in api.all_lines(c["id"]):
        assert ln["status"] in ("completed", "failed") and ln["attempts"] == 1
    assert_error(api.action(c["id"], "pause"), 409, "campaign_completed")
    # The dispatcher lets go of a finished campaign; manual_retry brings
    # the failed line back, and the campaign runs and completes again.
    wait_let_go(daemon, c["id"], "completed")
    r = api.post("%s/%d/manual_retry" % (BULK, c["id"]))
    assert r.status == 200 and r.json["requeued"] == 1, r
    c = wait_campaign(api, c["id"],
                      lambda v: v["campaign_status"] == "completed" and
                      v["counts"]["failed"] == 1 and
                      sum(l["attempts"] for l in api.all_lines(v["id"])) == 5,
                      10, "completed again after the manual retry")


# --- 16. manual_retry and retry-settings -------------------------------------


def test_manual_retry_requeues_failed_lines(api, other):
    cid = sim_campaign(api, [rule("+1", ["failed", "completed"])])
    lids = [add(api, cid, number("+1223")) for _ in range(3)]
    for lid in lids:
        wait_line(api, cid, lid, "failed", attempts=1)
    assert_error(other.post("%s/%d/manual_retry" % (BULK, cid)), 404)
    r = api.post("%s/%d/manual_retry" % (BULK, cid))
    assert r.status == 200, r
    assert r.json["requeued"] == 3, r
    for lid in lids:
        ln = wait_line(api, cid, lid, "completed", attempts=2)
        assert outcomes(ln) == ["failed", "completed"], ln
        check_attempts_settled(ln)
    r = api.post("%s/%d/manual_retry" % (BULK, cid))
    assert r.status == 200 and r.json["requeued"] == 0, r


def test_lowering_the_retry_limit_fails_lines_without_budget(api):
    cfg = {"auto_retry": True, "retry_limit": 3,
           "retry_delays_seconds": [30]}
    cid = sim_campaign(api, [rule("+1", ["no_answer"])], retry_config=cfg)
    lids = [add(api, cid, number("+1224")) for _ in range(2)]
    for lid in lids:
        ln = wait_line(api, cid, lid, "retry_scheduled", attempts=1)
        assert ln["retries"] == 1, ln
    settings = "%s/%d/retry-settings" % (BULK, cid)
    # One retry used, limit 1: the scheduled retry is still allowed.
    r = api.put(settings, {"retry_config": dict(cfg, retry_limit=1)})
    assert r.status == 200, r
    assert r.json["retry_config"]["retry_limit"] == 1, r
    for lid in lids:
        assert line(api, cid, lid)["status"] == "retry_scheduled"
    # Limit 0: no budget left for it.
    r = api.put(settings, {"retry_config": dict(cfg, retry_limit=0)})
    assert r.status == 200, r
    assert r.json["counts"]["failed"] == 2, r
    assert r.json["counts"]["retry_scheduled"] == 0, r
    for lid in lids:
        ln = line(api, cid, lid)
        assert ln["status"] == "failed" and len(ln["attempt_list"]) == 1, ln
    assert api.campaign(cid)["next_due_at"] is None


# --- 17. The welcome message -------------------------------------------------


def test_welcome_message_rendered_per_attempt(api):
    cid = sim_campaign(api, [rule("+1", ["completed"])],
                       welcome="Hi {{first_name}}, about {{plan}}")
    lid = add(api, cid, number("+1225"), custom_variables={"first_name": "Jo"})
    full = add(api, cid, number("+1225"),
               custom_variables={"first_name": "Al", "plan": "gold"})
    a = wait_line(api, cid, lid, "completed")["attempt_list"][0]
    assert a["welcome_message"] == "Hi Jo, about {{plan}}", a
    assert a["missing_variables"] == ["plan"], a
    a = wait_line(api, cid, full, "completed")["attempt_list"][0]
    assert a["welcome_message"] == "Hi Al, about gold", a
    assert a["missing_variables"] == [], a
    # Metadata is never shown to the agent; null counts as missing.
    hidden = add(api, cid, number("+1225"),
                 custom_variables={"first_name": "Bo", "plan": None},
                 metadata={"plan": "secret", "first_name": "X"})
    a = wait_line(api, cid, hidden, "completed")["attempt_list"][0]
    assert a["welcome_message"] == "Hi Bo, about {{plan}}", a
    assert a["missing_variables"] == ["plan"], a
    numeric = add(api, cid, number("+1225"),
                  custom_variables={"first_name": "Cy", "plan": 42})
    a = wait_line(api, cid, numeric, "completed")["attempt_list"][0]
    assert a["welcome_message"] == "Hi Cy, about 42", a


def test_welcome_message_comes_from_the_campaign_agent(api):
    attached = api.make_agent(welcome_message="Wrong agent")
    chosen = api.make_agent(welcome_message="Hello {{name}}!")
    num = api.make_number(agent_id=attached["id"],
                          settings={"rules": [rule("+1", ["completed"])]})
    cid = api.make_campaign(phone_number_id=num["id"],
                            bot_id=chosen["id"])["id"]
    lid = add(api, cid, number("+1226"), custom_variables={"name": "Kim"})
    a = wait_line(api, cid, lid, "completed")["attempt_list"][0]
    assert a["welcome_message"] == "Hello Kim!", a


# --- 18. Stats ---------------------------------------------------------------


def test_stats_match_the_attempts(api, other):
    kinds = ["completed", "no_answer", "busy", "voicemail", "failed",
             "invalid_number", "callback_requested", "no_answer"]
    rules = [rule("+1227%d" % i, [k]) for i, k in enumerate(kinds)]
    rules.append(rule("+12279", ["busy", "no_answer", "completed"]))
    cid = sim_campaign(api, rules,
                       retry_config={"auto_retry": True, "retry_limit": 2,
                                     "retry_delays_seconds": [0],
                                     "retry_on": ["busy"]})
    lids = [add(api, cid, number("+1227%d" % i)) for i in range(len(kinds))]
    lids.append(add(api, cid, number("+12279")))
    expected = {}
    for lid in lids:
        ln = wait_line(api, cid, lid)
        for o in outcomes(ln):
            expected[o] = expected.get(o, 0) + 1
    # busy is retried (twice); the no_answer after a busy is not.
    assert expected == {"completed": 1, "no_answer": 3, "busy": 4,
                        "voicemail": 1, "failed": 1, "invalid_number": 1,
                        "callback_requested": 1}, expected
    r = api.get("%s/%d/stats" % (BULK, cid))
    assert r.status == 200, r
    assert r.json["outcomes"] == expected, r
    summed = {}
    for h in r.json["hours"]:
        for o, n in h["outcomes"].items():
            summed[o] = summed.get(o, 0) + n
    assert summed == expected, r
    assert_error(other.get("%s/%d/stats" % (BULK, cid)), 404)


def test_days_not_allowed_close_the_window(api):
    now = datetime.now(timezone.utc)
    if now.hour == 23 and now.minute == 59 and now.second >= 50:
        time.sleep(61 - now.second)
        now = datetime.now(timezone.utc)
    names = ["monday", "tuesday", "wednesday", "thursday", "friday",
             "saturday", "sunday"]
    today = names[now.weekday()]
    midnight = (now.replace(hour=0, minute=0, second=0, microsecond=0) +
                timedelta(days=1)).timestamp()
    cid = sim_campaign(api, [rule("+1", ["no_answer"], ring=60)],
                       enabled_reschedule_call=True)
    ringing = add(api, cid, number("+1248"))
    aid = wait_calling(api, cid, ringing)["attempt_list"][0]["attempt_id"]
    r = api.put("%s/%d/daily-time-control" % (BULK, cid),
                {"allowed_days": [d for d in names if d != today]})
    assert r.status == 200, r
    assert r.json["campaign_status"] == "auto_paused", r
    assert ts(r.json["resumes_at"]) == midnight, r
    assert r.json["calls_in_flight"] == 1, r  # not cut
    r = api.post(result_path(aid), {"outcome": "callback_requested",
                                    "callback_at": iso(time.time() + 60)})
    assert r.status == 200, r
    cb = line(api, cid, ringing)
    assert cb["status"] == "callback_scheduled", cb
    assert ts(cb["due_at"]) == midnight, cb
    lid = add(api, cid, number("+1248"))
    time.sleep(1.2)
    ln = line(api, cid, lid)
    assert ln["status"] == "pending" and ln["attempt_list"] == [], ln


def test_retry_delays(api):
    def camp(cfg):
        return sim_campaign(api, [rule("+1", ["no_answer"], ring=0.05)],
                            retry_config=dict(cfg, auto_retry=True,
                                              retry_limit=3))
    cases = {camp({"retry_delays_minutes": [2]}): 120,
             camp({"retry_schedule_hours": 2}): 7200,
             camp({"retry_schedule_days": 1, "retry_schedule_hours": 1}):
                 90000,
             camp({}): 3600}
    listed = {cid: add(api, cid, number("+1249")) for cid in cases}
    for cid, delay in cases.items():
        ln = wait_line(api, cid, listed[cid], "retry_scheduled", attempts=1)
        end = ts(ln["attempt_list"][0]["ended_at"])
        assert ts(ln["due_at"]) == pytest.approx(end + delay, abs=0.2), ln
    # The last delay repeats.
    cid = camp({"retry_delays_seconds": [0, 1]})
    ln = wait_line(api, cid, add(api, cid, number("+1249")), "failed",
                   attempts=4, timeout=8)
    a = ln["attempt_list"]
    gaps = [ts(a[i]["started_at"]) - ts(a[i - 1]["ended_at"])
            for i in range(1, 4)]
    assert gaps[0] < 0.5 and 1 <= gaps[1] + 0.01 < 1.6 and \
        1 <= gaps[2] + 0.01 < 1.6, gaps


# --- More: start time, drafts, live limit lowered, DNC between retries -------


def test_scheduled_campaign_dials_at_its_start(api):
    start = int(time.time()) + 3
    when = datetime.fromtimestamp(start, timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S")
    cid = sim_campaign(api, [rule("+1", ["completed"])], is_scheduled=True,
                       scheduled_datetime=when)
    r = api.add_contact(cid, number("+1242"))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "scheduled", r
    lid = r.json["line_id"]
    time.sleep(1.0)
    ln = line(api, cid, lid)
    assert ln["status"] == "pending" and ln["attempt_list"] == [], ln
    ln = wait_line(api, cid, lid, "completed", attempts=1, timeout=8)
    started = ts(ln["attempt_list"][0]["started_at"])
    assert start <= started < start + 1.0, ln


def test_draft_dials_only_once_started(api):
    cid = sim_campaign(api, [rule("+1", ["completed"])], save_as_draft=True)
    r = api.add_contact(cid, number("+1243"))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "draft", r
    lid = r.json["line_id"]
    time.sleep(1.2)
    assert line(api, cid, lid)["attempt_list"] == []
    started = time.time()
    r = api.post("%s/%d/start" % (BULK, cid))
    assert r.status == 200, r
    ln = wait_line(api, cid, lid, "completed", attempts=1)
    assert ts(ln["attempt_list"][0]["started_at"]) >= started - 0.05


def test_lowering_the_limit_live_holds_new_dials(api):
    cid = sim_campaign(api, [rule("+1", ["completed"], ring=0.05, talk=0.6)],
                       concurrent_call_limit=4)
    lids = add_many(api, cid, [number("+1244") for _ in range(8)])
    wait_campaign(api, cid, lambda v: v["calls_in_flight"] == 4, 5,
                  "4 calls in flight")
    r = api.put("%s/%d/concurrency" % (BULK, cid),
                {"concurrent_call_limit": 2})
    assert r.status == 200, r
    changed = time.time()
    calls = []
    for lid in lids:
        ln = wait_line(api, cid, lid, "completed", attempts=1, timeout=10)
        a = ln["attempt_list"][0]
        calls.append((ts(a["started_at"]), ts(a["ended_at"])))
    late = [c for c in calls if c[0] > changed]
    assert len(late) == 4, calls
    for s0, _ in late:
        # Open calls at the instant this one started, itself included.
        open_then = sum(1 for s, e in calls if s <= s0 < e)
        assert open_then <= 2, (s0, calls)


def test_calls_per_second_paces_dials(api):
    cps = 4
    agent = api.make_agent()
    num = api.make_number(agent_id=agent["id"], settings={
        "rules": [rule("+1", ["completed"], ring=0.05, talk=0.1)],
        "calls_per_second": cps})
    cid = api.make_campaign(phone_number_id=num["id"],
                            concurrent_call_limit=50)["id"]
    lids = add_many(api, cid, [number("+1252") for _ in range(12)])
    starts = sorted(
        ts(wait_line(api, cid, lid, "completed", attempts=1,
                     timeout=10)["attempt_list"][0]["started_at"])
        for lid in lids)
    # A bucket of cps calls, refilled at cps a second.
    for k, s0 in enumerate(starts):
        assert k + 1 <= cps + cps * (s0 - starts[0]) + 0.5, starts
    assert starts[-1] - starts[0] >= (len(starts) - cps) / cps - 0.3, starts


def test_number_listed_between_retries_is_skipped(api):
    p = "+1245"
    cid = sim_campaign(api, [rule(p, ["no_answer", "completed"])],
                       retry_config={"auto_retry": True, "retry_limit": 2,
                                     "retry_delays_seconds": [1]})
    acct, scoped = number(p), number(p)
    la, ls = add(api, cid, acct), add(api, cid, scoped)
    for lid in (la, ls):
        wait_line(api, cid, lid, "retry_scheduled", attempts=1, timeout=5)
    assert api.post(DNC, {"number": acct}).status == 201
    assert api.post(DNC, {"number": scoped, "campaign_id": cid}).status == 201
    for lid in (la, ls):
        ln = wait_line(api, cid, lid, "skipped", timeout=5)
        assert ln["skip_reason"] == "dnc", ln
        assert outcomes(ln) == ["no_answer"], ln
    time.sleep(1.2)
    for lid in (la, ls):
        assert len(line(api, cid, lid)["attempt_list"]) == 1


def test_result_local_time_do_not_call_and_reschedule_off(api):
    from zoneinfo import ZoneInfo
    zone = "America/New_York"
    cid = sim_campaign(api, [rule("+1", ["no_answer"], ring=60)],
                       timezone=zone, enabled_reschedule_call=True)
    lc = add(api, cid, number("+1246"))
    ln_dnc = add(api, cid, number("+1246"))
    ac = wait_calling(api, cid, lc)["attempt_list"][0]["attempt_id"]
    ad = wait_calling(api, cid, ln_dnc)["attempt_list"][0]["attempt_id"]
    local = (datetime.now(ZoneInfo(zone)) + timedelta(days=2)).replace(
        hour=10, minute=30, second=0, microsecond=0)
    r = api.post(result_path(ac), {
        "outcome": "callback_requested",
        "callback_at": local.strftime("%Y-%m-%d %H:%M:%S")})
    assert r.status == 200, r
    c = line(api, cid, lc)
    assert c["status"] == "callback_scheduled", c
    assert ts(c["due_at"]) == local.timestamp(), c
    r = api.post(result_path(ad), {"outcome": "do_not_call"})
    assert r.status == 200, r
    d = line(api, cid, ln_dnc)
    assert d["status"] == "completed", d
    assert d["to_number"] in [e["number"] for e in dnc_entries(api)]
    # Rescheduling switched off: the booked callback completes the line.
    r = api.put("%s/%d/reschedule-settings" % (BULK, cid),
                {"enabled_reschedule_call": False})
    assert r.status == 200, r
    c = line(api, cid, lc)
    assert c["status"] == "completed", c
    assert outcomes(c) == ["callback_requested"], c


def test_line_detail_is_scoped_to_campaign_and_account(api, other):
    c1 = sim_campaign(api, [rule("+1", ["completed"])])
    c2 = sim_campaign(api, [rule("+1", ["completed"])])
    lid = add(api, c1, number("+1247"))
    wait_line(api, c1, lid, "completed")
    assert_error(api.get("%s/%d/lines/%d" % (BULK, c2, lid)), 404)
    assert_error(other.get("%s/%d/lines/%d" % (BULK, c1, lid)), 404)


# --- 15. kill -9 with calls in flight ----------------------------------------


def open_attempts(api, cid):
    """{line_id: attempt_id} of the campaign's lines in flight."""
    out = {}
    for ln in api.all_lines(cid, call_status="calling"):
        d = line(api, cid, ln["line_id"])
        if d["status"] != "calling":
            continue
        open_ = [a for a in d["attempt_list"] if a["outcome"] is None]
        assert len(open_) == 1, d
        out[ln["line_id"]] = open_[0]["attempt_id"]
    return out


def test_kill9_mid_calls_and_restart(tmp_path):
    d = SimDaemon(tmp_path, scale=1.0).start()
    try:
        _kill9_scenario(d)
    finally:
        if d.alive():
            d.stop()


def _kill9_scenario(d):
    api = d.client()
    long_calls = [rule("+1", ["completed"], ring=0.1, talk=5)]
    retry = {"auto_retry": True, "retry_limit": 2, "retry_delays_seconds": [1]}
    c_retry = sim_campaign(api, long_calls, retry_config=retry,
                           concurrent_call_limit=3)
    c_fail = sim_campaign(api, long_calls, concurrent_call_limit=2)
    agent = api.make_agent()
    num = api.make_number(agent_id=agent["id"],
                          settings={"rules": long_calls})
    c_csv = api.make_campaign(
        phone_number_id=num["id"], concurrent_call_limit=1,
        retry_config=retry,
        contact_list=[{"phone_number": number("+1230")}
                      for _ in range(3)])["id"]
    c_paused = sim_campaign(api, long_calls)
    assert api.action(c_paused, "pause").status == 200
    # Lines whose retry falls due while the daemon is down.
    c_later = sim_campaign(api, [rule("+1", ["no_answer", "completed"],
                                      ring=0.1, talk=0.2)],
                           retry_config={"auto_retry": True,
                                         "retry_limit": 1,
                                         "retry_delays_seconds": [3]})
    later = add_many(api, c_later, [number("+1234") for _ in range(3)])
    lines = {c_retry: add_many(api, c_retry,
                               [number("+1231") for _ in range(8)]),
             c_fail: add_many(api, c_fail,
                              [number("+1232") for _ in range(4)]),
             c_csv: [ln["line_id"] for ln in api.all_lines(c_csv)],
             c_paused: add_many(api, c_paused,
                                [number("+1233") for _ in range(2)])}
    limits = {c_retry: 3, c_fail: 2, c_csv: 1}
    for cid, lim in limits.items():
        wait_for(lambda: api.campaign(cid)["calls_in_flight"] == lim, 5,
                 "calls in flight in campaign %d" % cid)
    in_flight = {cid: open_attempts(api, cid) for cid in limits}
    for cid, lim in limits.items():
        assert len(in_flight[cid]) == lim, in_flight
    dues = [ts(wait_line(api, c_later, lid, "retry_scheduled", attempts=1,
                         timeout=3)["due_at"]) for lid in later]
    key = d.first_key
    d.kill9()
    wait_for(lambda: time.time() > max(dues) + 0.3, 5,
             "retries to fall due while the daemon is down", interval=0.1)

    # Back at a faster pace, so that the rest of the calls take 0.25 s.
    d.scale = 0.05
    d.start()
    api = d.client(key)
    # Nothing in flight survives the restart unsettled.
    for cid, lids in in_flight.items():
        for lid, aid in lids.items():
            a = [x for x in line(api, cid, lid)["attempt_list"]
                 if x["attempt_id"] == aid]
            assert len(a) == 1 and a[0]["outcome"] == "unknown", (cid, a)
    assert api.campaign(c_paused)["campaign_status"] == "paused"
    # The agent's report on a call settled by the restart is refused.
    aid = next(iter(in_flight[c_fail].values()))
    assert_error(api.post(result_path(aid), {"outcome": "completed"}), 409,
                 "attempt_settled")
    restarted = time.time()
    for lid in later:  # due while down: dialled once, now
        ln = wait_line(api, c_later, lid, "completed", attempts=2)
        assert outcomes(ln) == ["no_answer", "completed"], ln
        assert ts(ln["attempt_list"][1]["started_at"]) <= restarted + 1, ln

    finals = {}
    for cid in (c_retry, c_fail, c_csv):
        for lid in lines[cid]:
            finals[lid] = wait_line(api, cid, lid, timeout=20)
    for cid in (c_retry, c_csv):  # retried once, then completed
        for lid in lines[cid]:
            ln = finals[lid]
            check_attempts_settled(ln)
            if lid in in_flight[cid]:
                assert outcomes(ln) == ["unknown", "completed"], ln
                assert ln["retries"] == 1, ln
                assert ts(ln["attempt_list"][1]["started_at"]) >= ts(
                    ln["attempt_list"][0]["ended_at"]) + 1 - 0.01, ln
            else:
                assert outcomes(ln) == ["completed"], ln
            assert ln["status"] == "completed", ln
    for lid in lines[c_fail]:
        ln = finals[lid]
        check_attempts_settled(ln)
        if lid in in_flight[c_fail]:
            assert ln["status"] == "failed", ln
            assert outcomes(ln) == ["unknown"], ln
            assert ln["last_outcome"] == "unknown", ln
        else:
            assert ln["status"] == "completed", ln
            assert outcomes(ln) == ["completed"], ln
    # Statuses re-derived from what is stored.
    assert api.campaign(c_retry)["campaign_status"] == "waiting"
    assert api.campaign(c_fail)["campaign_status"] == "waiting"
    assert api.campaign(c_csv)["campaign_status"] == "completed"
    p = api.campaign(c_paused)
    assert p["campaign_status"] == "paused" and p["counts"]["pending"] == 2
    for lid in lines[c_paused]:
        assert line(api, c_paused, lid)["attempt_list"] == []
    # No line lost.
    lines[c_later] = later
    for cid, lids in lines.items():
        assert sorted(x["line_id"] for x in api.all_lines(cid)) == sorted(lids)
    time.sleep(0.5)
    for lid in later:
        assert len(line(api, c_later, lid)["attempt_list"]) == 2
    d.stop_clean()

    db = sqlite3.connect(d.db)
    try:
        assert db.execute("SELECT count(*) FROM attempt "
                          "WHERE outcome IS NULL").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM line "
                          "WHERE status = 1").fetchone()[0] == 0
        assert db.execute("SELECT line_id, due_at FROM attempt GROUP BY "
                          "line_id, due_at HAVING count(*) > 1"
                          ).fetchall() == []
        assert db.execute(
            "SELECT l.id FROM line l WHERE l.attempts <> (SELECT count(*) "
            "FROM attempt a WHERE a.line_id = l.id)").fetchall() == []
        unknown = db.execute("SELECT count(*) FROM attempt WHERE outcome = "
                             "'unknown'").fetchone()[0]
        assert unknown == sum(len(v) for v in in_flight.values())
        # Line counts kept by triggers match the lines.
        assert db.execute(
            "SELECT c.campaign_id, c.status FROM line_count c WHERE c.n <> "
            "(SELECT count(*) FROM line l WHERE l.campaign_id = "
            "c.campaign_id AND l.status = c.status)").fetchall() == []
    finally:
        db.close()


# --- 10 (second half). The window reopens ------------------------------------
# Kept last in the file: by now the minute boundary is near or past.


def test_window_reopens_and_dials(api, window_case):
    cid, reopen = window_case["id"], window_case["reopen"]
    wait_for(lambda: time.time() >= reopen, 75, "the window to reopen",
             interval=0.2)
    # The other tests ran meanwhile: the calls placed at the reopening may
    # all be over by now, so what is checked is when they started.
    c = wait_campaign(api, cid, lambda v: v["resumes_at"] is None, 5,
                      "the window to be open")
    assert c["campaign_status"] in ("in_progress", "waiting"), c
    for lid in window_case["lines"]:
        ln = wait_line(api, cid, lid, "completed", attempts=1, timeout=10)
        start = ts(ln["attempt_list"][0]["started_at"])
        assert reopen <= start < reopen + 2, ln
    rt = wait_line(api, cid, window_case["retry"], "completed", attempts=2)
    assert outcomes(rt) == ["no_answer", "completed"], rt
    assert reopen <= ts(rt["attempt_list"][1]["started_at"]) < reopen + 2
    # The callback, then its carrier's no answer and the one retry of it.
    cb = wait_line(api, cid, window_case["callback"], "failed", attempts=3,
                   timeout=20)
    assert outcomes(cb) == ["callback_requested", "no_answer",
                            "no_answer"], cb
    first, second = cb["attempt_list"][:2]
    assert reopen <= ts(second["started_at"]) < reopen + 2, cb
    # Not before the first call was over at the carrier either.
    assert (ts(second["started_at"]) >=
            ts(first["started_at"]) + RING_THROUGH_CLOSE), cb

    # A hard stop alone: closed at the stop, and it stays closed.
    so = window_case["stop_only"]
    c = api.campaign(so)
    assert c["campaign_status"] == "auto_paused", c
    assert c["resumes_at"] is None, c
    r = api.add_contact(so, number("+1201"))
    assert r.status == 200 and r.json["campaign_status"] == "auto_paused", r
    lid = r.json["line_id"]
    time.sleep(1.2)
    assert line(api, so, lid)["attempt_list"] == []
    resumed = time.time()
    r = api.action(so, "resume")
    assert r.status == 200, r
    assert r.json["campaign_status"] == "in_progress", r
    ln = wait_line(api, so, lid, "completed", attempts=1)
    assert ts(ln["attempt_list"][0]["started_at"]) >= resumed - 0.05
