"""Campaigns: create (dynamic, csv, draft, scheduled), list, show, the
user's actions and the live settings."""
import pytest

from conftest import BULK, OPEN, assert_error, unique_e164, wait_for

CREATE = BULK + "/create"


def path(cid, sub=""):
    return "%s/%d%s" % (BULK, cid, sub)


def campaign_ids(api, **query):
    from urllib.parse import urlencode
    ids, page = [], 1
    while True:
        q = dict(query, pageno=page, pagesize=100)
        r = api.get(BULK + "?" + urlencode(q))
        assert r.status == 200, r
        ids += [c["id"] for c in r.json["campaigns"]]
        if len(r.json["campaigns"]) < 100:
            return ids
        page += 1


# --- create ------------------------------------------------------------------


def test_create_dynamic_campaign(api):
    num = api.make_number()
    r = api.post(CREATE, {"name": "Inbound leads", "is_dynamic": True,
                          "phone_number_id": num["id"]})
    assert r.status == 201, r
    c = r.json
    assert c["status"] == "success"
    assert c["campaign_id"] == c["id"] > 0
    assert c["is_dynamic"] is True and c["type"] == "dynamic"
    assert c["campaign_status"] == "waiting"
    assert c["phone_number_id"] == num["id"]
    # Without bot_id, the phone number's agent.
    assert c["bot_id"] == num["agent_id"]
    assert c["total_lines"] == 0
    assert c["timezone"] == "UTC"
    assert c["rejected"] == []
    assert set(c["counts"]) == {"pending", "calling", "retry_scheduled",
                                "callback_scheduled", "completed", "failed",
                                "skipped", "cancelled"}
    assert api.campaign(c["id"])["campaign_status"] == "waiting"


def test_bot_id_overrides_number_agent(api):
    num = api.make_number()
    agent = api.make_agent(name="override")
    c = api.make_campaign(phone_number_id=num["id"], bot_id=agent["id"])
    assert c["bot_id"] == agent["id"]


def test_create_csv_with_contact_list(api):
    good1, good2 = unique_e164(), unique_e164()
    r = api.post(CREATE, api.campaign_body(contact_list=[
        {"phone_number": good1, "first_name": "Ann", "plan": "gold"},
        {"phone_number": "555-0100", "first_name": "Bad"},
        {"phone_number": good2, "first_name": "Cy"},
        {"first_name": "No number"},
        "not an object",
    ]))
    assert r.status == 201, r
    c = r.json
    assert c["is_dynamic"] is False and c["type"] == "csv"
    assert c["campaign_status"] == "in_progress"
    rejected = {x["index"]: x for x in c["rejected"]}
    assert set(rejected) == {1, 3, 4}
    assert rejected[1]["code"] == "invalid_e164"
    assert rejected[1]["field"] == "phone_number"
    assert rejected[3]["code"] == "missing_field"
    assert c["total_lines"] == 2
    assert c["counts"]["pending"] + c["counts"]["calling"] == 2

    lines = api.all_lines(c["id"])
    assert [l["to_number"] for l in lines] == [good1, good2]
    assert lines[0]["custom_variables"] == {"first_name": "Ann",
                                            "plan": "gold"}
    assert lines[1]["custom_variables"] == {"first_name": "Cy"}
    assert all(l["status"] in OPEN for l in lines)
    assert all(l["metadata"] == {} for l in lines)


def test_csv_rows_may_use_to_number_with_metadata(api):
    n = unique_e164()
    c = api.make_campaign(contact_list=[
        {"to_number": n, "custom_variables": {"a": "1"},
         "metadata": {"crm_id": 7}}])
    lines = api.all_lines(c["id"])
    assert len(lines) == 1
    assert lines[0]["custom_variables"] == {"a": "1"}
    assert lines[0]["metadata"] == {"crm_id": 7}


def test_csv_with_no_valid_contact_is_422_and_stores_nothing(api):
    body = api.campaign_body(name="all bad", contact_list=[
        {"phone_number": "123"}, {"phone_number": "+1 555"}])
    before = campaign_ids(api)
    err = assert_error(api.post(CREATE, body), 422, "no_valid_contacts")
    assert "field" not in err
    assert campaign_ids(api) == before


def test_no_valid_contacts_lists_the_rejected(api):
    r = api.post(CREATE, api.campaign_body(contact_list=[
        {"phone_number": "123"}, "str"]))
    assert_error(r, 422, "no_valid_contacts")
    assert [(x["index"], x["code"]) for x in r.json["rejected"]] == \
        [(0, "invalid_e164"), (1, "invalid_type")]
    r = api.post(CREATE, api.campaign_body(
        contact_csv="phone_number,name\n5551,x\n+15551230000,y,z\n"))
    assert_error(r, 422, "no_valid_contacts")
    assert [(x["row"], x["code"]) for x in r.json["rejected"]] == \
        [(2, "invalid_e164"), (3, "wrong_column_count")]


def test_null_means_absent(api):
    c = api.make_campaign(is_dynamic=True, contact_list=None,
                          contact_csv=None, call_conditions=None,
                          retry_config={"retry_delays_seconds": None,
                                        "retry_delays_minutes": None,
                                        "retry_on": None})
    assert c["type"] == "dynamic"
    assert c["call_conditions"] == []
    assert c["retry_config"] == {
        "auto_retry": False, "retry_limit": 0, "retry_delays_seconds": [3600],
        "retry_on": ["no_answer", "busy", "failed", "voicemail"]}


def test_create_with_contact_csv_text(api):
    a, b, c3 = unique_e164(), unique_e164(), unique_e164()
    text = ("\ufeffphone_number,first_name,note\r\n"
            "%s,Ann,\"hello, world\"\r\n"
            "not-a-number,Bob,x\r\n"
            "%s,\"Cy \"\"the\"\" Third\",\"two\r\nlines\"\r\n"
            "%s,Dee\r\n"
            "  %s  ,Eve,spaces\r\n" % (a, b, unique_e164(), c3))
    r = api.post(CREATE, api.campaign_body(contact_csv=text))
    assert r.status == 201, r
    camp = r.json
    rejected = {x["row"]: x["code"] for x in camp["rejected"]}
    # Row 1 is the header; row 4 spans two physical lines.
    assert rejected == {3: "invalid_e164", 5: "wrong_column_count"}
    lines = api.all_lines(camp["id"])
    assert [l["to_number"] for l in lines] == [a, b, c3]
    assert lines[0]["custom_variables"] == {"first_name": "Ann",
                                            "note": "hello, world"}
    assert lines[1]["custom_variables"] == {"first_name": 'Cy "the" Third',
                                            "note": "two\r\nlines"}
    assert lines[2]["custom_variables"] == {"first_name": "Eve",
                                            "note": "spaces"}


def test_contact_csv_without_phone_column_is_422(api):
    r = api.post(CREATE, api.campaign_body(
        contact_csv="name,email\nAnn,a@example.com\n"))
    err = assert_error(r, 422, "invalid_csv", "contact_csv")
    assert r.json["rejected"][0]["row"] == 1
    assert r.json["rejected"][0]["code"] == "missing_phone_column"
    del err


def test_contact_csv_syntax_error_is_422(api):
    r = api.post(CREATE, api.campaign_body(
        contact_csv="phone_number,name\n+15551230000,\"unclosed\n"))
    assert_error(r, 422, "invalid_csv")


def test_contact_csv_syntax_error_names_contact_csv(api):
    r = api.post(CREATE, api.campaign_body(
        contact_csv="phone_number,name\n+15551230000,\"unclosed\n"))
    assert_error(r, 422, "invalid_csv", "contact_csv")


def test_contact_csv_blank_lines_keep_row_numbers(api):
    good = unique_e164()
    r = api.post(CREATE, api.campaign_body(
        contact_csv="phone_number,name\n\n+1bad,x\n%s,y\n" % good))
    assert r.status == 201, r
    assert [(x["row"], x["code"]) for x in r.json["rejected"]] == \
        [(3, "invalid_e164")]
    assert [l["to_number"] for l in api.all_lines(r.json["id"])] == [good]


def test_contact_csv_header_only_is_422(api):
    r = api.post(CREATE, api.campaign_body(contact_csv="phone_number\n"))
    assert_error(r, 422, "no_valid_contacts")


def test_contact_csv_header_is_case_and_space_insensitive(api):
    good = unique_e164()
    r = api.post(CREATE, api.campaign_body(
        contact_csv=" Phone_Number , name\n%s,Ann\n" % good))
    assert r.status == 201, r
    line = api.all_lines(r.json["id"])[0]
    assert line["to_number"] == good
    assert line["custom_variables"] == {"name": "Ann"}


@pytest.mark.parametrize("header,code", [
    ("a,b", "missing_phone_column"),
    ("phone_number,to_number", "duplicate_phone_column"),
    ("phone_number,x,x", "duplicate_column"),
])
def test_contact_csv_bad_header(api, header, code):
    r = api.post(CREATE, api.campaign_body(
        contact_csv=header + "\n+15551230000,1,2\n"))
    assert_error(r, 422, "invalid_csv", "contact_csv")
    assert [(x["row"], x["code"]) for x in r.json["rejected"]] == [(1, code)]


def test_draft_then_start(api):
    c = api.make_campaign(save_as_draft=True)
    assert c["campaign_status"] == "draft"
    # A draft cannot be paused or resumed, only started.
    assert_error(api.action(c["id"], "pause"), 409, "campaign_draft")
    r = api.post(path(c["id"], "/start"))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "waiting"
    assert api.campaign(c["id"])["campaign_status"] == "waiting"
    assert_error(api.post(path(c["id"], "/start")), 409,
                 "campaign_not_draft")


def test_csv_draft_starts_in_progress(api):
    c = api.make_campaign(save_as_draft=True,
                          contact_list=[{"phone_number": unique_e164()}])
    assert c["campaign_status"] == "draft"
    r = api.post(path(c["id"], "/start"))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "in_progress"


@pytest.mark.parametrize("local,zone,utc", [
    ("2030-07-01 12:00:00", "America/New_York", "2030-07-01T16:00:00.000Z"),
    ("2030-01-15 09:30:00", "America/New_York", "2030-01-15T14:30:00.000Z"),
    ("2030-07-01 12:00:00", "Asia/Kolkata", "2030-07-01T06:30:00.000Z"),
    ("2030-07-01 12:00:00", "UTC", "2030-07-01T12:00:00.000Z"),
    # Spring-forward gap: moved forward by the gap (03:30 EDT).
    ("2030-03-10 02:30:00", "America/New_York", "2030-03-10T07:30:00.000Z"),
    # Fall-back overlap: the earlier instant (01:30 EDT).
    ("2030-11-03 01:30:00", "America/New_York", "2030-11-03T05:30:00.000Z"),
])
def test_scheduled_campaign_in_a_time_zone(api, local, zone, utc):
    c = api.make_campaign(is_scheduled=True, scheduled_datetime=local,
                          timezone=zone)
    assert c["campaign_status"] == "scheduled"
    assert c["timezone"] == zone
    assert c["scheduled_datetime"] == local
    assert c["start_at"] == utc
    again = api.campaign(c["id"])
    assert again["campaign_status"] == "scheduled"
    assert again["start_at"] == utc


def test_scheduled_instant_past_year_9999_is_422(api):
    r = api.post(CREATE, api.campaign_body(
        is_scheduled=True, scheduled_datetime="9999-12-31 23:59:59",
        timezone="America/New_York"))
    assert_error(r, 422, "invalid_datetime", "scheduled_datetime")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "EST5EDT8",
                                  "america/new_york", "GMT+05:00", ""])
def test_bad_timezone_is_422(api, zone):
    r = api.post(CREATE, api.campaign_body(timezone=zone))
    assert_error(r, 422, "invalid_timezone", "timezone")


@pytest.mark.parametrize("when", ["2030-07-01T12:00:00", "2030-07-01 12:00",
                                  "2030-02-30 10:00:00",
                                  "2030-13-01 10:00:00",
                                  "2030-07-01 24:00:00", "tomorrow"])
def test_bad_scheduled_datetime_is_422(api, when):
    r = api.post(CREATE, api.campaign_body(is_scheduled=True,
                                           scheduled_datetime=when))
    assert_error(r, 422, "invalid_datetime", "scheduled_datetime")


def test_scheduled_without_datetime_is_422(api):
    r = api.post(CREATE, api.campaign_body(is_scheduled=True))
    assert_error(r, 422, "missing_field", "scheduled_datetime")


@pytest.mark.parametrize("change,code,field", [
    ({"name": None}, "missing_field", "name"),
    ({"name": "x" * 201}, "field_too_long", "name"),
    ({"phone_number_id": None}, "missing_field", "phone_number_id"),
    ({"phone_number_id": "1"}, "invalid_type", "phone_number_id"),
    ({"concurrent_call_limit": 0}, "out_of_range", "concurrent_call_limit"),
    ({"concurrent_call_limit": 1001}, "out_of_range",
     "concurrent_call_limit"),
    ({"is_dynamic": "yes"}, "invalid_type", "is_dynamic"),
    ({"is_dynamic": True, "contact_list": []}, "not_allowed",
     "contact_list"),
    ({"is_dynamic": False}, "missing_field", "contact_list"),
    ({"is_dynamic": True, "contact_csv": "phone_number\n+15551230000\n"},
     "not_allowed", None),
    ({"retry_config": {"retry_limit": 7}}, "out_of_range",
     "retry_config.retry_limit"),
    ({"retry_config": {"auto_retry": "yes"}}, "invalid_type",
     "retry_config.auto_retry"),
    ({"retry_config": {"retry_schedule_days": 31}}, "out_of_range",
     "retry_config.retry_schedule_days"),
    ({"retry_config": {"retry_on": []}}, "invalid_value",
     "retry_config.retry_on"),
    ({"retry_config": "often"}, "invalid_type", "retry_config"),
    ({"save_as_draft": 1}, "invalid_type", "save_as_draft"),
])
def test_create_validation(api, change, code, field):
    body = api.campaign_body()
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    before = campaign_ids(api)
    assert_error(api.post(CREATE, body), 422, code, field)
    assert campaign_ids(api) == before


def test_unknown_phone_number_is_422(api):
    r = api.post(CREATE, {"name": "x", "is_dynamic": True,
                          "phone_number_id": 987654321})
    assert_error(r, 422, "unknown_phone_number")


def test_number_without_agent_needs_bot_id(api):
    num = api.make_number(agent_id=None)
    r = api.post(CREATE, {"name": "x", "is_dynamic": True,
                          "phone_number_id": num["id"]})
    assert_error(r, 422, "missing_agent")
    r = api.post(CREATE, {"name": "x", "is_dynamic": True,
                          "phone_number_id": num["id"], "bot_id": 987654321})
    assert_error(r, 422, "unknown_agent")


def test_create_without_body_is_400(api):
    assert_error(api.post(CREATE), 400, "missing_body")


# --- list and show -----------------------------------------------------------


def test_list_pages_and_filters_by_status(api):
    made = [api.make_campaign(name="list %d" % i)["id"] for i in range(3)]
    api.action(made[1], "pause")

    r = api.get(BULK + "?pageno=1&pagesize=2")
    assert r.status == 200, r
    assert r.json["pageno"] == 1 and r.json["pagesize"] == 2
    assert len(r.json["campaigns"]) == 2
    assert r.json["total"] >= 3
    # Newest first.
    assert [c["id"] for c in r.json["campaigns"]] == [made[2], made[1]]
    r = api.get(BULK + "?pageno=2&pagesize=2")
    assert r.json["campaigns"][0]["id"] == made[0]

    every = campaign_ids(api)
    assert len(every) == len(set(every))
    assert set(made) <= set(every)

    paused = api.get(BULK + "?status=paused&pagesize=100").json
    assert made[1] in [c["id"] for c in paused["campaigns"]]
    assert all(c["campaign_status"] == "paused" for c in paused["campaigns"])
    assert paused["total"] == len(paused["campaigns"])
    waiting = campaign_ids(api, status="waiting")
    assert made[0] in waiting and made[2] in waiting
    assert made[1] not in waiting


def test_status_filter_pages_through_the_matching_campaigns(api):
    made = [api.make_campaign(name="filter %d" % i)["id"] for i in range(4)]
    api.action(made[2], "pause")
    waiting = campaign_ids(api, status="waiting")
    seen, totals, page = [], set(), 1
    while True:
        r = api.get(BULK + "?status=waiting&pagesize=1&pageno=%d" % page)
        assert r.status == 200, r
        totals.add(r.json["total"])
        if not r.json["campaigns"]:
            break
        assert len(r.json["campaigns"]) == 1
        seen.append(r.json["campaigns"][0]["id"])
        page += 1
    assert seen == waiting and totals == {len(waiting)}
    assert made[2] not in seen and {made[0], made[1], made[3]} <= set(seen)


@pytest.mark.parametrize("query", ["status=running", "status=PAUSED",
                                   "pagesize=0", "pagesize=101",
                                   "pageno=0"])
def test_list_bad_query_is_400(api, query):
    assert_error(api.get(BULK + "?" + query), 400, "invalid_query")


def test_get_shows_settings_and_counts(api):
    c = api.make_campaign(concurrent_call_limit=3,
                          enabled_reschedule_call=True, reschedule_limit=2,
                          retry_config={"auto_retry": True, "retry_limit": 2,
                                        "retry_schedule_hours": 4})
    api.add_contact(c["id"])
    api.add_contact(c["id"])
    g = api.campaign(c["id"])
    assert g["concurrent_call_limit"] == 3
    assert g["enabled_reschedule_call"] is True
    assert g["reschedule_limit"] == 2
    assert g["retry_config"]["auto_retry"] is True
    assert g["retry_config"]["retry_limit"] == 2
    assert g["retry_config"]["retry_delays_seconds"] == [4 * 3600]
    assert g["counts"]["pending"] + g["counts"]["calling"] == 2
    assert g["total_lines"] == 2
    assert g["campaign_status"] == "in_progress"


def test_get_unknown_campaign_is_404(api):
    assert_error(api.get(path(987654321)), 404, "not_found")


# --- actions -----------------------------------------------------------------


def test_pause_resume(api):
    c = api.make_campaign()
    r = api.action(c["id"], "pause")
    assert r.status == 200, r
    assert r.json["campaign_status"] == "paused"
    assert api.campaign(c["id"])["campaign_status"] == "paused"
    r = api.action(c["id"], "resume")
    assert r.status == 200, r
    assert r.json["campaign_status"] == "waiting"
    api.add_contact(c["id"])
    api.action(c["id"], "pause")
    r = api.action(c["id"], "resume")
    assert r.json["campaign_status"] == "in_progress"


def test_pause_and_resume_keep_a_schedule(api):
    c = api.make_campaign(is_scheduled=True,
                          scheduled_datetime="2031-01-01 10:00:00")
    assert api.action(c["id"], "pause").json["campaign_status"] == "paused"
    r = api.action(c["id"], "resume")
    assert r.json["campaign_status"] == "scheduled"
    assert r.json["start_at"] == "2031-01-01T10:00:00.000Z"


def test_reschedule(api):
    c = api.make_campaign()
    r = api.action(c["id"], "reschedule",
                   new_scheduled_datetime="2031-03-10 08:00:00",
                   new_timezone="Europe/Paris")
    assert r.status == 200, r
    assert r.json["campaign_status"] == "scheduled"
    assert r.json["start_at"] == "2031-03-10T07:00:00.000Z"
    assert r.json["timezone"] == "Europe/Paris"
    assert r.json["scheduled_datetime"] == "2031-03-10 08:00:00"
    # Without new_timezone, the campaign's zone is kept.
    r = api.action(c["id"], "reschedule",
                   new_scheduled_datetime="2031-07-10 08:00:00")
    assert r.status == 200, r
    assert r.json["start_at"] == "2031-07-10T06:00:00.000Z"
    assert api.campaign(c["id"])["start_at"] == "2031-07-10T06:00:00.000Z"


@pytest.mark.parametrize("body,code,field", [
    ({}, "missing_field", "new_scheduled_datetime"),
    ({"new_scheduled_datetime": "2031-03-10"}, "invalid_datetime",
     "new_scheduled_datetime"),
    ({"new_scheduled_datetime": "2031-03-10 08:00:00",
      "new_timezone": "Nowhere/Land"}, "invalid_timezone", "new_timezone"),
])
def test_reschedule_validation_changes_nothing(api, body, code, field):
    c = api.make_campaign()
    assert_error(api.action(c["id"], "reschedule", **body), 422, code, field)
    after = api.campaign(c["id"])
    assert after["campaign_status"] == "waiting"
    assert after["start_at"] == c["start_at"]
    assert after["timezone"] == "UTC"


@pytest.mark.parametrize("body,code", [
    ({"action": "explode"}, "invalid_action"),
    ({"action": ""}, "empty_field"),
    ({"action": 3}, "invalid_type"),
    ({}, "missing_field"),
])
def test_invalid_action_is_422(api, body, code):
    c = api.make_campaign()
    assert_error(api.put(path(c["id"]), body), 422, code)
    assert api.campaign(c["id"])["campaign_status"] == "waiting"


def test_put_without_body_is_400(api):
    c = api.make_campaign()
    assert_error(api.put(path(c["id"])), 400, "missing_body")


def test_cancel_cancels_pending_lines(api):
    c = api.make_campaign()
    api.action(c["id"], "pause")  # nothing is dialled: lines stay pending
    ids = [api.add_contact(c["id"]).json["line_id"] for _ in range(3)]
    assert api.campaign(c["id"])["counts"]["pending"] == 3
    r = api.delete(path(c["id"]))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "cancelled"
    g = api.campaign(c["id"])
    assert g["campaign_status"] == "cancelled"
    assert g["counts"]["pending"] == 0
    assert g["counts"]["cancelled"] == 3
    assert g["next_due_at"] is None
    lines = api.all_lines(c["id"])
    assert sorted(l["line_id"] for l in lines) == sorted(ids)
    assert all(l["status"] == "cancelled" for l in lines)
    # Nothing brings a cancelled campaign back.
    for act in ("pause", "resume"):
        assert_error(api.action(c["id"], act), 409, "campaign_cancelled")
    assert_error(api.action(c["id"], "reschedule",
                            new_scheduled_datetime="2031-01-01 00:00:00"),
                 409, "campaign_cancelled")
    assert_error(api.post(path(c["id"], "/start")), 409)
    assert api.campaign(c["id"])["campaign_status"] == "cancelled"


def test_cancel_keeps_the_call_in_flight(api):
    c = api.make_campaign(concurrent_call_limit=1)
    ids = [api.add_contact(c["id"]).json["line_id"] for _ in range(3)]
    wait_for(lambda: api.campaign(c["id"])["counts"]["calling"] == 1)
    r = api.delete(path(c["id"]))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "cancelled"
    assert r.json["counts"]["calling"] == 1
    assert r.json["counts"]["cancelled"] == 2
    assert r.json["counts"]["pending"] == 0
    statuses = sorted(l["status"] for l in api.all_lines(c["id"]))
    assert statuses == ["calling", "cancelled", "cancelled"]
    assert sorted(l["line_id"] for l in api.all_lines(c["id"])) == ids


def test_cancel_csv_draft(api):
    c = api.make_campaign(save_as_draft=True,
                          contact_list=[{"phone_number": unique_e164()},
                                        {"phone_number": unique_e164()}])
    assert c["counts"]["pending"] == 2
    r = api.delete(path(c["id"]))
    assert r.status == 200, r
    assert r.json["campaign_status"] == "cancelled"
    assert r.json["counts"]["cancelled"] == 2
    assert_error(api.post(path(c["id"], "/start")), 409)


def test_cancel_unknown_campaign_is_404(api):
    assert_error(api.delete(path(987654321)), 404, "not_found")


# --- live settings -----------------------------------------------------------


def test_concurrency(api):
    c = api.make_campaign()
    r = api.put(path(c["id"], "/concurrency"), {"concurrent_call_limit": 25})
    assert r.status == 200, r
    assert r.json["concurrent_call_limit"] == 25
    assert api.campaign(c["id"])["concurrent_call_limit"] == 25


@pytest.mark.parametrize("body,code", [
    ({"concurrent_call_limit": 0}, "out_of_range"),
    ({"concurrent_call_limit": -5}, "out_of_range"),
    ({"concurrent_call_limit": 1001}, "out_of_range"),
    ({"concurrent_call_limit": 2.5}, "out_of_range"),
    ({"concurrent_call_limit": "5"}, "invalid_type"),
    ({}, "missing_field"),
])
def test_concurrency_validation(api, body, code):
    c = api.make_campaign(concurrent_call_limit=4)
    assert_error(api.put(path(c["id"], "/concurrency"), body), 422, code,
                 "concurrent_call_limit")
    assert api.campaign(c["id"])["concurrent_call_limit"] == 4


def test_daily_time_control(api):
    c = api.make_campaign(timezone="America/New_York")
    r = api.put(path(c["id"], "/daily-time-control"), {
        "enable_daily_hard_stop": True, "daily_stop_time": 18.5,
        "enable_daily_auto_start": True, "daily_start_time": 9,
        "daily_start_timezone": "America/Chicago"})
    assert r.status == 200, r
    g = api.campaign(c["id"])
    assert g["enable_daily_hard_stop"] is True
    assert g["daily_stop_time"] == 18.5
    assert g["daily_stop_timezone"] == "America/New_York"
    assert g["enable_daily_auto_start"] is True
    assert g["daily_start_time"] == 9
    assert g["daily_start_timezone"] == "America/Chicago"
    assert g["campaign_status"] in ("waiting", "auto_paused")


@pytest.mark.parametrize("body,field", [
    ({"enable_daily_hard_stop": True}, "daily_stop_time"),
    ({"enable_daily_hard_stop": True, "daily_stop_time": 24},
     "daily_stop_time"),
    ({"enable_daily_hard_stop": True, "daily_stop_time": -1},
     "daily_stop_time"),
    ({"enable_daily_hard_stop": True, "daily_stop_time": "18:00"},
     "daily_stop_time"),
    ({"enable_daily_hard_stop": True, "daily_stop_time": 18,
      "daily_stop_timezone": "Nowhere/Land"}, "daily_stop_timezone"),
    ({"enable_daily_auto_start": "yes"}, "enable_daily_auto_start"),
    ({"allowed_days": []}, "allowed_days"),
    ({"allowed_days": ["funday"]}, "allowed_days"),
])
def test_daily_time_control_validation(api, body, field):
    c = api.make_campaign()
    r = api.put(path(c["id"], "/daily-time-control"), body)
    err = assert_error(r, 422)
    assert field in err.get("field", ""), r
    g = api.campaign(c["id"])
    assert g["enable_daily_hard_stop"] is False
    assert g["enable_daily_auto_start"] is False


def test_retry_settings(api):
    c = api.make_campaign()
    r = api.put(path(c["id"], "/retry-settings"), {"retry_config": {
        "auto_retry": True, "retry_limit": 3, "retry_schedule_hours": 2,
        "retry_on": ["busy", "no_answer"]}})
    assert r.status == 200, r
    g = api.campaign(c["id"])["retry_config"]
    assert g == {"auto_retry": True, "retry_limit": 3,
                 "retry_delays_seconds": [7200],
                 "retry_on": ["busy", "no_answer"]}
    r = api.put(path(c["id"], "/retry-settings"), {"retry_config": {
        "auto_retry": True, "retry_limit": 2,
        "retry_delays_minutes": [5, 30]}})
    assert r.status == 200, r
    g = api.campaign(c["id"])["retry_config"]
    assert g["retry_delays_seconds"] == [300, 1800]
    assert g["retry_limit"] == 2


@pytest.mark.parametrize("cfg", [
    {"retry_limit": 7},
    {"retry_limit": -1},
    {"retry_limit": "3"},
    {"auto_retry": "true"},
    {"retry_schedule_days": 31},
    {"retry_delays_minutes": []},
    {"retry_delays_minutes": [1, 2, 3, 4, 5, 6, 7]},
    {"retry_delays_minutes": [-1]},
    {"retry_on": ["invalid_number"]},
    {"retry_on": []},
])
def test_retry_settings_validation(api, cfg):
    c = api.make_campaign(retry_config={"auto_retry": True,
                                        "retry_limit": 1})
    assert_error(api.put(path(c["id"], "/retry-settings"),
                         {"retry_config": cfg}), 422)
    g = api.campaign(c["id"])["retry_config"]
    assert g["auto_retry"] is True and g["retry_limit"] == 1


def test_reschedule_settings(api):
    c = api.make_campaign()
    assert c["enabled_reschedule_call"] is False
    r = api.put(path(c["id"], "/reschedule-settings"),
                {"enabled_reschedule_call": True, "reschedule_limit": 5})
    assert r.status == 200, r
    g = api.campaign(c["id"])
    assert g["enabled_reschedule_call"] is True
    assert g["reschedule_limit"] == 5
    # The cap is kept when only the switch changes.
    r = api.put(path(c["id"], "/reschedule-settings"),
                {"enabled_reschedule_call": False})
    g = api.campaign(c["id"])
    assert g["enabled_reschedule_call"] is False
    assert g["reschedule_limit"] == 5


@pytest.mark.parametrize("body,field", [
    ({}, "enabled_reschedule_call"),
    ({"enabled_reschedule_call": "on"}, "enabled_reschedule_call"),
    ({"enabled_reschedule_call": True, "reschedule_limit": 21},
     "reschedule_limit"),
    ({"enabled_reschedule_call": True, "reschedule_limit": -1},
     "reschedule_limit"),
])
def test_reschedule_settings_validation(api, body, field):
    c = api.make_campaign()
    assert_error(api.put(path(c["id"], "/reschedule-settings"), body), 422,
                 field=field)
    g = api.campaign(c["id"])
    assert g["enabled_reschedule_call"] is False
    assert g["reschedule_limit"] == 3


@pytest.mark.parametrize("sub", ["/concurrency", "/daily-time-control",
                                 "/retry-settings", "/reschedule-settings"])
def test_settings_need_a_body(api, sub):
    c = api.make_campaign()
    assert_error(api.put(path(c["id"], sub)), 400, "missing_body")


@pytest.mark.parametrize("sub,body", [
    ("/concurrency", {"concurrent_call_limit": 5}),
    ("/daily-time-control", {"enable_daily_hard_stop": False}),
    ("/retry-settings", {"retry_config": {"retry_limit": 1}}),
    ("/reschedule-settings", {"enabled_reschedule_call": True}),
])
def test_settings_of_a_cancelled_campaign_are_409(api, sub, body):
    c = api.make_campaign()
    api.delete(path(c["id"]))
    assert_error(api.put(path(c["id"], sub), body), 409,
                 "campaign_cancelled")


@pytest.mark.parametrize("sub", ["/concurrency", "/daily-time-control",
                                 "/retry-settings", "/reschedule-settings"])
def test_settings_of_unknown_campaign_are_404(api, sub):
    assert_error(api.put(path(987654321, sub), {"x": 1}), 404, "not_found")


# --- documented details (docs/api.md) ----------------------------------------


def test_cancel_twice_answers_the_same_view(api):
    c = api.make_campaign()
    first = api.delete(path(c["id"]))
    again = api.delete(path(c["id"]))
    assert first.status == again.status == 200
    assert again.json["campaign_status"] == "cancelled"
    assert again.json["counts"] == first.json["counts"]


def test_pause_is_harmless_twice_and_works_when_scheduled(api):
    c = api.make_campaign(is_scheduled=True,
                          scheduled_datetime="2031-01-01 10:00:00")
    assert api.action(c["id"], "pause").json["campaign_status"] == "paused"
    r = api.action(c["id"], "pause")
    assert r.status == 200 and r.json["campaign_status"] == "paused"


def test_reschedule_keeps_the_state(api):
    paused = api.make_campaign()
    api.action(paused["id"], "pause")
    r = api.action(paused["id"], "reschedule",
                   new_scheduled_datetime="2031-06-01 12:00:00")
    assert r.status == 200, r
    assert r.json["campaign_status"] == "paused"
    assert api.action(paused["id"], "resume").json["campaign_status"] == \
        "scheduled"
    draft = api.make_campaign(save_as_draft=True)
    r = api.action(draft["id"], "reschedule",
                   new_scheduled_datetime="2031-06-01 12:00:00")
    assert r.json["campaign_status"] == "draft"
    # Started, a draft whose start time is ahead is scheduled.
    r = api.post(path(draft["id"], "/start"))
    assert r.json["campaign_status"] == "scheduled"
    assert r.json["start_at"] == "2031-06-01T12:00:00.000Z"


def test_past_schedule_starts_at_once(api):
    c = api.make_campaign(is_scheduled=True,
                          scheduled_datetime="2020-01-01 00:00:00")
    assert c["campaign_status"] == "waiting"
    assert c["start_at"] == "2020-01-01T00:00:00.000Z"


def test_contact_added_to_a_draft_waits(api):
    c = api.make_campaign(save_as_draft=True)
    r = api.add_contact(c["id"])
    assert r.status == 200, r
    assert r.json["campaign_status"] == "draft"
    line = api.get("%s/%d/lines/%d" % (BULK, c["id"],
                                      r.json["line_id"])).json["line"]
    assert line["status"] == "pending" and line["attempt_list"] == []
    r = api.post(path(c["id"], "/start"))
    assert r.json["campaign_status"] == "in_progress"


def test_daily_time_control_replaces_the_whole_window(api):
    c = api.make_campaign(timezone="Europe/Paris")
    r = api.put(path(c["id"], "/daily-time-control"), {
        "enable_daily_hard_stop": True, "daily_stop_time": 22,
        "enable_daily_auto_start": True, "daily_start_time": 22,
        "allowed_days": ["monday", "friday"]})
    assert r.status == 200, r
    r = api.put(path(c["id"], "/daily-time-control"),
                {"allowed_days": [0, 6]})
    assert r.status == 200, r
    g = api.campaign(c["id"])
    assert g["enable_daily_hard_stop"] is False
    assert g["enable_daily_auto_start"] is False
    assert g["daily_stop_time"] == 0 and g["daily_start_time"] == 0
    assert g["daily_stop_timezone"] == "Europe/Paris"
    assert g["allowed_days"] == ["saturday", "sunday"]


def test_equal_start_and_stop_is_always_open(api):
    c = api.make_campaign(enable_daily_hard_stop=True, daily_stop_time=7.25,
                          enable_daily_auto_start=True, daily_start_time=7.25)
    assert c["campaign_status"] == "waiting"
    assert c["daily_stop_time"] == 7.25


def test_retry_settings_replace_the_whole_config(api):
    c = api.make_campaign(retry_config={"auto_retry": True, "retry_limit": 4,
                                        "retry_on": ["busy"],
                                        "retry_delays_minutes": [1, 2]})
    r = api.put(path(c["id"], "/retry-settings"), {"retry_limit": 1})
    assert r.status == 200, r
    assert api.campaign(c["id"])["retry_config"] == {
        "auto_retry": False, "retry_limit": 1,
        "retry_delays_seconds": [3600],
        "retry_on": ["no_answer", "busy", "failed", "voicemail"]}


def test_retry_delay_precedence(api):
    c = api.make_campaign(retry_config={
        "retry_delays_seconds": [10], "retry_delays_minutes": [5],
        "retry_schedule_hours": 3})
    assert c["retry_config"]["retry_delays_seconds"] == [10]
    c = api.make_campaign(retry_config={
        "retry_delays_minutes": [5], "retry_schedule_hours": 3})
    assert c["retry_config"]["retry_delays_seconds"] == [300]
    c = api.make_campaign(retry_config={"retry_schedule_days": 1,
                                        "retry_schedule_hours": 3})
    assert c["retry_config"]["retry_delays_seconds"] == [27 * 3600]


@pytest.mark.parametrize("name,ok", [("\u20ac" * 66 + "xx", True),
                                     ("\u20ac" * 67, False)])
def test_name_limit_counts_utf8_bytes(api, name, ok):
    r = api.post(CREATE, api.campaign_body(name=name))
    if ok:
        assert r.status == 201, r
        assert r.json["name"] == name
    else:
        assert_error(r, 422, "field_too_long", "name")


def test_too_many_call_conditions_are_refused(api):
    cond = {"column": "a", "operator": "is_empty"}
    assert api.post(CREATE, api.campaign_body(
        call_conditions=[cond] * 50)).status == 201
    r = api.post(CREATE, api.campaign_body(call_conditions=[cond] * 51))
    assert_error(r, 422, "invalid_condition")


def test_manual_retry_and_stats(api):
    c = api.make_campaign()
    r = api.post(path(c["id"], "/manual_retry"))
    assert r.status == 200 and r.json == {"status": "success",
                                          "requeued": 0}
    r = api.get(path(c["id"], "/stats"))
    assert r.status == 200 and r.json["hours"] == []
    for q in ("hours=0", "hours=2161", "hours=x"):
        assert_error(api.get(path(c["id"], "/stats?" + q)), 400,
                     "invalid_query")
    api.delete(path(c["id"]))
    assert_error(api.post(path(c["id"], "/manual_retry")), 409,
                 "campaign_cancelled")
