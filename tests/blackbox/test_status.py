"""Derived campaign status: daily windows (auto_paused and when it
resumes), completed csv campaigns, and contacts queued while closed.

The windows are built around the real clock so that they are closed (or
open) now whatever the time of day the suite runs.
"""
import datetime as dt

import pytest

from conftest import BULK, assert_error, unique_e164, wait_for

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday"]


def path(cid, sub=""):
    return "%s/%d%s" % (BULK, cid, sub)


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def same_day():
    """Skips a test that straddles midnight UTC (its window would move)."""
    start = utcnow()
    yield start
    if utcnow().date() != start.date():
        pytest.skip("ran across midnight UTC")


def test_day_not_allowed_is_auto_paused(api, same_day):
    today = same_day.weekday()
    allowed = [d for i, d in enumerate(DAYS) if i != today]
    c = api.make_campaign(allowed_days=allowed)
    assert c["campaign_status"] == "auto_paused"
    tomorrow = dt.datetime.combine(same_day.date() + dt.timedelta(days=1),
                                   dt.time(0, 0))
    assert c["resumes_at"] == iso(tomorrow)
    assert c["allowed_days"] == allowed

    # Contacts are still accepted and queued.
    r = api.add_contact(c["id"])
    assert r.status == 200, r
    assert r.json["campaign_status"] == "auto_paused"
    assert api.all_lines(c["id"])[0]["status"] == "pending"
    g = api.campaign(c["id"])
    assert g["campaign_status"] == "auto_paused"
    assert g["counts"]["pending"] == 1


def test_day_not_allowed_in_the_campaign_zone(api):
    zone = "Pacific/Kiritimati"  # UTC+14: often another day than UTC
    local = dt.datetime.now(dt.timezone(dt.timedelta(hours=14)))
    if local.hour == 23 and local.minute >= 58:
        pytest.skip("too close to local midnight")
    allowed = [d for i, d in enumerate(DAYS) if i != local.weekday()]
    c = api.make_campaign(timezone=zone, allowed_days=allowed)
    assert c["campaign_status"] == "auto_paused"
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1),
                                   dt.time(0, 0)) - dt.timedelta(hours=14)
    assert c["resumes_at"] == iso(midnight)


def test_only_today_allowed_is_open(api, same_day):
    c = api.make_campaign(allowed_days=[DAYS[same_day.weekday()]])
    assert c["campaign_status"] == "waiting"
    assert c["resumes_at"] is None


def test_allowed_days_as_numbers(api, same_day):
    # Numbers count from 0 = Sunday.
    sunday_first = (same_day.weekday() + 1) % 7
    c = api.make_campaign(allowed_days=[sunday_first])
    assert c["campaign_status"] == "waiting"
    assert c["allowed_days"] == [DAYS[same_day.weekday()]]


def closed_now_window(now):
    """Hard stop and auto start around now, so that now is outside."""
    q = (now.hour * 60 + now.minute) // 15 * 15
    stop = (q - 60) % 1440
    start = (q + 75) % 1440
    return stop / 60, start / 60, start


def test_outside_daily_hours_is_auto_paused(api, same_day):
    stop_h, start_h, start_min = closed_now_window(same_day)
    c = api.make_campaign(enable_daily_hard_stop=True,
                          daily_stop_time=stop_h,
                          enable_daily_auto_start=True,
                          daily_start_time=start_h)
    assert c["campaign_status"] == "auto_paused", c
    opens = dt.datetime.combine(same_day.date(), dt.time(0, 0)) + \
        dt.timedelta(minutes=start_min)
    if start_min < same_day.hour * 60 + same_day.minute:
        opens += dt.timedelta(days=1)
    assert c["resumes_at"] == iso(opens)
    r = api.add_contact(c["id"])
    assert r.json["campaign_status"] == "auto_paused"


def test_window_change_moves_status_both_ways(api, same_day):
    c = api.make_campaign()
    assert c["campaign_status"] == "waiting"
    stop_h, start_h, _ = closed_now_window(same_day)
    r = api.put(path(c["id"], "/daily-time-control"), {
        "enable_daily_hard_stop": True, "daily_stop_time": stop_h,
        "enable_daily_auto_start": True, "daily_start_time": start_h})
    assert r.status == 200, r
    assert r.json["campaign_status"] == "auto_paused"
    assert api.campaign(c["id"])["campaign_status"] == "auto_paused"
    r = api.put(path(c["id"], "/daily-time-control"),
                {"enable_daily_hard_stop": False})
    assert r.status == 200, r
    assert r.json["campaign_status"] == "waiting"


def test_paused_wins_over_auto_paused(api, same_day):
    allowed = [d for i, d in enumerate(DAYS) if i != same_day.weekday()]
    c = api.make_campaign(allowed_days=allowed)
    assert api.action(c["id"], "pause").json["campaign_status"] == "paused"
    assert api.action(c["id"], "resume").json["campaign_status"] == \
        "auto_paused"


def test_csv_with_every_line_skipped_is_completed(api):
    c = api.make_campaign(
        contact_list=[{"phone_number": unique_e164(), "tier": "tin"},
                      {"phone_number": unique_e164(), "tier": "lead"}],
        call_conditions=[{"column": "tier", "operator": "in",
                          "value": ["gold", "silver"]}])
    assert c["campaign_status"] == "completed"
    assert c["counts"]["skipped"] == 2
    for act in ("pause", "resume"):
        assert_error(api.action(c["id"], act), 409, "campaign_completed")
    assert_error(api.delete(path(c["id"])), 409, "campaign_completed")
    assert_error(api.put(path(c["id"], "/concurrency"),
                         {"concurrent_call_limit": 3}), 409,
                 "campaign_completed")
    assert api.campaign(c["id"])["campaign_status"] == "completed"
    assert api.campaign(c["id"])["concurrent_call_limit"] == 10


def test_dynamic_campaign_never_completes(api):
    c = api.make_campaign(call_conditions=[
        {"column": "tier", "operator": "equals", "value": "gold"}])
    r = api.add_contact(c["id"], custom_variables={"tier": "tin"})
    assert r.json["line_status"] == "skipped"
    assert r.json["campaign_status"] == "waiting"
    assert api.campaign(c["id"])["campaign_status"] == "waiting"


@pytest.mark.parametrize("cond", [
    {"column": "tier", "operator": "bogus", "value": 1},
    {"column": "tier", "operator": "in", "value": "gold"},
    {"column": "age", "operator": "greater_than", "value": "old"},
    {"operator": "equals", "value": 1},
    "not an object",
])
def test_bad_call_conditions_are_422(api, cond):
    r = api.post(BULK + "/create", api.campaign_body(call_conditions=[cond]))
    assert_error(r, 422)


def test_call_conditions_on_metadata_and_number(api):
    c = api.make_campaign(call_conditions=[
        {"column": "metadata.source", "operator": "equals", "value": "crm"},
        {"column": "to_number", "operator": "starts_with", "value": "+1555"},
    ])
    ok = api.add_contact(c["id"], unique_e164("+1555"),
                         metadata={"source": "crm"})
    bad_meta = api.add_contact(c["id"], unique_e164("+1555"),
                               metadata={"source": "web"})
    bad_num = api.add_contact(c["id"], unique_e164("+4420"),
                              metadata={"source": "crm"})
    assert "line_status" not in ok.json
    assert bad_meta.json["line_status"] == "skipped"
    assert bad_num.json["line_status"] == "skipped"
    lines = {l["line_id"]: l for l in api.all_lines(c["id"])}
    assert "call_conditions[0]" in lines[bad_meta.json["line_id"]][
        "skip_reason"]
    assert "call_conditions[1]" in lines[bad_num.json["line_id"]][
        "skip_reason"]


def test_status_filter_finds_each_status_exactly(fresh_daemon, same_day):
    """An account with a campaign in every status: each filter lists
    exactly the campaigns whose own status it names, with the right
    total, through every page."""
    api = fresh_daemon.client()
    today = same_day.weekday()
    by_status = {}

    def made(c):
        by_status.setdefault(c["campaign_status"], set()).add(c["id"])
        return c["id"]

    made(api.make_campaign(name="waiting"))
    busy = api.make_campaign(name="in progress")
    assert api.add_contact(busy["id"]).status == 200
    made(api.campaign(busy["id"]))
    made(api.make_campaign(name="draft", save_as_draft=True))
    made(api.make_campaign(name="scheduled", is_scheduled=True,
                           scheduled_datetime="2030-01-01 00:00:00"))
    made(api.make_campaign(
        name="auto paused",
        allowed_days=[d for i, d in enumerate(DAYS) if i != today]))
    made(api.make_campaign(
        name="completed",
        contact_list=[{"phone_number": unique_e164(), "tier": "tin"}],
        call_conditions=[{"column": "tier", "operator": "equals",
                          "value": "gold"}]))
    paused = api.make_campaign(name="paused")
    assert api.action(paused["id"], "pause").status == 200
    made(api.campaign(paused["id"]))
    gone = api.make_campaign(name="cancelled")
    assert api.delete(path(gone["id"])).status == 200
    made(api.campaign(gone["id"]))
    # Paused while its one call rings, a CSV campaign is completed, not
    # paused, once the call ends.
    quick = api.make_number(settings={"rules": [
        {"prefix": "+", "outcomes": ["completed"], "ring_seconds": 5,
         "talk_seconds": 0.1}]})
    late = api.make_campaign(name="paused then completed",
                             phone_number_id=quick["id"],
                             contact_list=[{"phone_number": unique_e164()}])
    wait_for(lambda: api.campaign(late["id"])["counts"]["calling"] == 1,
             timeout=10)
    assert api.action(late["id"], "pause").status == 200
    made(wait_for(lambda: (lambda c: c["campaign_status"] == "completed"
                           and c)(api.campaign(late["id"])), timeout=20))

    assert set(by_status) >= {"waiting", "in_progress", "draft", "scheduled",
                              "auto_paused", "completed", "paused",
                              "cancelled"}, by_status
    for status in ("draft", "scheduled", "in_progress", "waiting",
                   "auto_paused", "paused", "cancelled", "completed"):
        seen, page = [], 1
        while True:
            r = api.get(BULK + "?status=%s&pagesize=2&pageno=%d"
                        % (status, page))
            assert r.status == 200, r
            assert r.json["total"] == len(by_status.get(status, ())), \
                (status, r.json)
            if not r.json["campaigns"]:
                break
            for c in r.json["campaigns"]:
                assert c["campaign_status"] == status, (status, c)
            seen += [c["id"] for c in r.json["campaigns"]]
            page += 1
        assert seen == sorted(by_status.get(status, ()), reverse=True), \
            (status, seen)
