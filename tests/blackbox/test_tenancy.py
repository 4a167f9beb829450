"""Tenant isolation: one account never sees or changes another's objects,
and cannot tell them apart from objects that do not exist."""
import pytest

from conftest import BULK, KEY_RE, assert_error, unique_e164, wait_for

MISSING = 987654321


@pytest.fixture(scope="module")
def mine(api):
    """Objects of the first account, the target of the other account."""
    agent = api.make_agent(name="mine")
    number = api.make_number(agent_id=agent["id"])
    camp = api.make_campaign(phone_number_id=number["id"],
                             concurrent_call_limit=7)
    draft = api.make_campaign(phone_number_id=number["id"],
                              save_as_draft=True)
    line = api.add_contact(camp["id"]).json["line_id"]
    key_id = api.get("/api/v1/keys").json["keys"][0]["id"]
    # The dialler places the (held) call: an attempt to aim at.
    attempts = wait_for(lambda: api.get("%s/%d/lines/%d" % (
        BULK, camp["id"], line)).json["line"]["attempt_list"])
    dnc = api.post("/api/v1/dnc", {"number": unique_e164(),
                                   "reason": "mine"})
    assert dnc.status == 201, dnc
    return {"agent": agent["id"], "number": number["id"], "camp": camp["id"],
            "draft": draft["id"], "line": line, "key": key_id,
            "attempt": attempts[0]["attempt_id"], "dnc": dnc.json["id"]}


def object_routes(m):
    """(method, path, body) of every route that takes an object id."""
    c = m["camp"]
    return [
        ("GET", "/api/v1/agents/%d", m["agent"], None),
        ("GET", "/api/v1/phone_numbers/%d", m["number"], None),
        ("PUT", "/api/v1/phone_numbers/%d", m["number"], {"agent_id": None}),
        ("DELETE", "/api/v1/keys/%d", m["key"], None),
        ("GET", BULK + "/%d", c, None),
        ("PUT", BULK + "/%d", c, {"action": "pause"}),
        ("PUT", BULK + "/%d", c, {"action": "reschedule",
                                  "new_scheduled_datetime":
                                  "2031-01-01 00:00:00"}),
        ("DELETE", BULK + "/%d", c, None),
        ("POST", BULK + "/%d/start", m["draft"], None),
        ("PUT", BULK + "/%d/concurrency", c, {"concurrent_call_limit": 1}),
        ("PUT", BULK + "/%d/daily-time-control", c,
         {"enable_daily_hard_stop": True, "daily_stop_time": 1}),
        ("PUT", BULK + "/%d/retry-settings", c,
         {"retry_config": {"auto_retry": True, "retry_limit": 6}}),
        ("PUT", BULK + "/%d/reschedule-settings", c,
         {"enabled_reschedule_call": True}),
        ("POST", BULK + "/%d/add_contact", c,
         {"to_number": unique_e164()}),
        ("POST", BULK + "/%d/add_contacts", c,
         {"contacts": [{"to_number": unique_e164()}]}),
        ("GET", BULK + "/%d/lines", c, None),
        ("GET", BULK + "/%d/lines/export", c, None),
        ("GET", BULK + "/%d/lines/" + str(m["line"]), c, None),
        ("GET", BULK + "/%d/stats", c, None),
        ("POST", BULK + "/%d/manual_retry", c, None),
        ("POST", "/api/v1/calls/attempts/%d/result", m["attempt"],
         {"outcome": "completed", "summary": "not yours"}),
        ("DELETE", "/api/v1/dnc/%d", m["dnc"], None),
    ]


def test_every_object_route_is_404_for_another_account(api, other, mine):
    before = api.campaign(mine["camp"])
    for method, pattern, oid, body in object_routes(mine):
        theirs = other.request(method, pattern % oid, body)
        missing = other.request(method, pattern % MISSING, body)
        assert_error(theirs, 404, "not_found")
        assert_error(missing, 404, "not_found")
        # Exactly as if it did not exist.
        assert theirs.raw == missing.raw, (method, pattern)

    after = api.campaign(mine["camp"])
    for k in ("campaign_status", "concurrent_call_limit", "retry_config",
              "enabled_reschedule_call", "enable_daily_hard_stop",
              "start_at", "total_lines", "counts"):
        assert after[k] == before[k], k
    assert api.campaign(mine["draft"])["campaign_status"] == "draft"
    lines = api.all_lines(mine["camp"])
    assert [l["line_id"] for l in lines] == [mine["line"]]
    # The call is still in flight: the other account's result was refused.
    assert lines[0]["status"] == "calling"
    detail = api.get("%s/%d/lines/%d" % (BULK, mine["camp"], mine["line"]))
    assert detail.json["line"]["attempt_list"][0]["outcome"] is None
    assert mine["dnc"] in [e["id"] for e in
                           api.get("/api/v1/dnc").json["entries"]]
    keys = api.get("/api/v1/keys").json["keys"]
    assert all(k["active"] for k in keys if k["id"] == mine["key"])
    assert api.get("/api/v1/agents").status == 200
    number = api.get("/api/v1/phone_numbers/%d" % mine["number"]).json
    assert number["agent_id"] == mine["agent"]


def test_references_in_bodies_are_422(api, other, mine):
    r = other.post("/api/v1/phone_numbers", {"number": unique_e164(),
                                             "agent_id": mine["agent"]})
    assert_error(r, 422, "unknown_agent")
    r = other.post(BULK + "/create", {"name": "x", "is_dynamic": True,
                                      "phone_number_id": mine["number"]})
    assert_error(r, 422, "unknown_phone_number")
    own = other.make_number()
    r = other.post(BULK + "/create", {"name": "x", "is_dynamic": True,
                                      "phone_number_id": own["id"],
                                      "bot_id": mine["agent"]})
    assert_error(r, 422, "unknown_agent")
    r = other.put("/api/v1/phone_numbers/%d" % own["id"],
                  {"agent_id": mine["agent"]})
    assert_error(r, 422, "unknown_agent")
    r = other.post("/api/v1/dnc", {"number": unique_e164(),
                                   "campaign_id": mine["camp"]})
    assert_error(r, 422, "unknown_campaign")
    r = other.post("/api/v1/dnc/bulk", {"numbers": [unique_e164()],
                                        "campaign_id": mine["camp"]})
    assert_error(r, 422, "unknown_campaign")
    assert other.get("/api/v1/dnc?campaign_id=%d" %
                     mine["camp"]).json["entries"] == []


def test_lists_show_only_own_objects(api, other, mine):
    their_agent = other.make_agent(name="theirs")
    their_camp = other.make_campaign()

    agents = [a["id"] for a in
              other.get("/api/v1/agents?pagesize=100").json["agents"]]
    assert mine["agent"] not in agents and their_agent["id"] in agents
    numbers = [n["id"] for n in other.get(
        "/api/v1/phone_numbers?pagesize=100").json["phone_numbers"]]
    assert mine["number"] not in numbers
    assert their_camp["phone_number_id"] in numbers
    camps = other.get(BULK + "?pagesize=100").json
    ids = [c["id"] for c in camps["campaigns"]]
    assert mine["camp"] not in ids and mine["draft"] not in ids
    assert their_camp["id"] in ids
    assert camps["total"] == len(ids)
    keys = other.get("/api/v1/keys").json["keys"]
    assert mine["key"] not in [k["id"] for k in keys]
    assert len(keys) >= 1
    theirs_dnc = other.post("/api/v1/dnc", {"number": unique_e164()}).json
    dnc = other.get("/api/v1/dnc?pagesize=500").json
    assert mine["dnc"] not in [e["id"] for e in dnc["entries"]]
    assert theirs_dnc["id"] in [e["id"] for e in dnc["entries"]]
    assert dnc["total"] == len(dnc["entries"])

    # And the other way round.
    mine_agents = [a["id"] for a in
                   api.get("/api/v1/agents?pagesize=100").json["agents"]]
    assert their_agent["id"] not in mine_agents
    mine_camps = [c["id"] for c in
                  api.get(BULK + "?pagesize=100").json["campaigns"]]
    assert their_camp["id"] not in mine_camps


def test_status_filtered_list_is_per_account(api, other, mine):
    c = other.make_campaign()
    other.action(c["id"], "pause")
    mine_paused = [x["id"] for x in api.get(
        BULK + "?status=paused&pagesize=100").json["campaigns"]]
    assert c["id"] not in mine_paused


def test_keys_created_through_the_api_belong_to_the_caller(api, other):
    r = other.post("/api/v1/keys")
    assert r.status == 201, r
    k = r.json["key"]
    c = other.with_key(k)
    mine_ids = [x["id"] for x in api.get("/api/v1/keys").json["keys"]]
    assert r.json["id"] not in mine_ids
    assert KEY_RE.match(k)
    camp = c.make_campaign()
    assert other.campaign(camp["id"])["id"] == camp["id"]
    assert_error(api.get("%s/%d" % (BULK, camp["id"])), 404, "not_found")


def test_same_number_in_two_accounts(api, other):
    """Numbers are unique per account; another account's registration
    neither blocks nor reveals anything."""
    n = unique_e164()
    assert api.post("/api/v1/phone_numbers", {"number": n}).status == 201
    # A 409 here would reveal that another tenant owns the number.
    r = other.post("/api/v1/phone_numbers", {"number": n})
    assert r.status == 201, r
    assert api.post("/api/v1/phone_numbers", {"number": n}).status == 409
