"""The simulated carrier's time scale (`--sim-time-scale`,
CAMPAIGND_SIM_TIME_SCALE). carrier.h: it "multiplies every simulated
duration (1 is real time, 0.01 a hundred times faster, 0 instant)".

A daemon of this module's own runs the simulator ten times faster.
"""
import os

import pytest

from test_dialer import SimDaemon, add, rule, sim_campaign, ts, wait_line, \
    number

SCALE = 0.1

# How far a measured interval may stray from the scaled one: a call's start
# is stamped when it is claimed, before the claim's commit, which under
# valgrind (CAMPAIGND_REAL_BIN set) can take a tenth of a second more. Still
# well under the unscaled durations these intervals are told apart from.
SLACK = 0.3 if os.environ.get("CAMPAIGND_REAL_BIN") else 0.1


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    d = SimDaemon(tmp_path_factory.mktemp("scaled"), scale=SCALE).start()
    yield d
    if d.alive():
        d.stop_clean()


def one_call(fast, outcomes, **kw):
    api = fast.client()
    cid = sim_campaign(api, [rule("+1", outcomes, **kw)],
                       enabled_reschedule_call=True)
    lid = add(api, cid, number("+1260"))
    return api, cid, lid


def test_rings_and_talks_are_scaled(fast):
    api, cid, lid = one_call(fast, ["completed"], ring=2, talk=5)
    a = wait_line(api, cid, lid, "completed", attempts=1,
                  timeout=5)["attempt_list"][0]
    assert ts(a["answered_at"]) - ts(a["started_at"]) == pytest.approx(
        2 * SCALE, abs=SLACK), a
    assert ts(a["ended_at"]) - ts(a["answered_at"]) == pytest.approx(
        5 * SCALE, abs=SLACK), a


def test_reported_duration_matches_the_call(fast):
    api, cid, lid = one_call(fast, ["completed"], ring=0.5, talk=5)
    a = wait_line(api, cid, lid, "completed", attempts=1,
                  timeout=5)["attempt_list"][0]
    talked = ts(a["ended_at"]) - ts(a["answered_at"])
    assert a["duration_seconds"] == pytest.approx(talked, abs=SLACK), a
    assert a["duration_ms"] == round(5 * SCALE * 1000), a
    assert a["duration_seconds"] == a["duration_ms"] / 1000, a


def test_callback_delay_is_scaled(fast):
    api, cid, lid = one_call(fast, ["callback_requested", "completed"],
                             ring=0.5, talk=1, callback_after=10)
    ln = wait_line(api, cid, lid, "callback_scheduled", attempts=1,
                   timeout=5)
    a = ln["attempt_list"][0]
    assert ts(a["callback_at"]) - ts(a["ended_at"]) == pytest.approx(
        10 * SCALE, abs=SLACK + 0.1), a
