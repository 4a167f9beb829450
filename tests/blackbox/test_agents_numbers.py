"""Agents and phone numbers: create, show, list and validation."""
import pytest

from conftest import assert_error, unique_e164

AGENTS = "/api/v1/agents"
NUMBERS = "/api/v1/phone_numbers"


def agent_count(api):
    ids, page = [], 1
    while True:
        r = api.get("%s?pageno=%d&pagesize=100" % (AGENTS, page))
        assert r.status == 200, r
        ids += [a["id"] for a in r.json["agents"]]
        if len(r.json["agents"]) < 100:
            return len(ids)
        page += 1


# --- agents ------------------------------------------------------------------


def test_create_agent_lists_its_variables(api):
    r = api.post(AGENTS, {
        "name": "Sales bot",
        "welcome_message": "Hi {{first_name}}, this is {{ agent.name }}.",
        "prompt": "Talk to {{first_name}} about {{plan}}; JSON }} is text.",
    })
    assert r.status == 201, r
    a = r.json
    assert isinstance(a["id"], int) and a["id"] > 0
    assert a["name"] == "Sales bot"
    assert a["variables"] == ["first_name", "agent.name", "plan"]
    assert a["created_at"].endswith("Z")

    r = api.get("%s/%d" % (AGENTS, a["id"]))
    assert r.status == 200, r
    assert r.json == a


def test_agent_without_placeholders_has_no_variables(api):
    a = api.make_agent(name="plain", welcome_message="Hello",
                       prompt="Be nice.")
    assert a["variables"] == []


def test_agent_optional_fields_default_to_empty(api):
    r = api.post(AGENTS, {"name": "only a name"})
    assert r.status == 201, r
    assert r.json["welcome_message"] == ""
    assert r.json["prompt"] == ""
    assert r.json["variables"] == []


def test_list_agents_pages(api):
    made = [api.make_agent(name="pager %d" % i)["id"] for i in range(5)]
    seen, page = [], 1
    while True:
        r = api.get("%s?pageno=%d&pagesize=2" % (AGENTS, page))
        assert r.status == 200, r
        assert r.json["pageno"] == page and r.json["pagesize"] == 2
        got = [a["id"] for a in r.json["agents"]]
        assert len(got) <= 2
        seen += got
        if len(got) < 2:
            break
        page += 1
    assert len(seen) == len(set(seen))
    assert seen == sorted(seen)
    assert set(made) <= set(seen)
    # Past the end: an empty page, not an error.
    r = api.get("%s?pageno=%d&pagesize=2" % (AGENTS, page + 5))
    assert r.status == 200 and r.json["agents"] == []


def test_list_agents_default_page(api):
    r = api.get(AGENTS)
    assert r.status == 200, r
    assert r.json["status"] == "success"
    assert r.json["pageno"] == 1 and r.json["pagesize"] == 20
    assert len(r.json["agents"]) <= 20


@pytest.mark.parametrize("query", ["pagesize=0", "pagesize=101",
                                   "pageno=0", "pageno=-1", "pagesize=abc",
                                   "pagesize=1x",
                                   "pagesize=99999999999999999999999"])
def test_list_agents_bad_paging_is_400(api, query):
    assert_error(api.get(AGENTS + "?" + query), 400, "invalid_query")


def test_get_unknown_agent_is_404(api):
    assert_error(api.get(AGENTS + "/999999999"), 404, "not_found")


@pytest.mark.parametrize("body,code,field", [
    ({}, "missing_field", "name"),
    ({"name": None}, "missing_field", "name"),
    ({"name": ""}, "empty_field", "name"),
    ({"name": 42}, "invalid_type", "name"),
    ({"name": "x" * 201}, "field_too_long", "name"),
    ({"name": "bell\u0007"}, "invalid_characters", "name"),
    ({"name": "a", "prompt": "{{ }}"}, "invalid_template", "prompt"),
    ({"name": "a", "prompt": "Hi {{unclosed"}, "invalid_template", "prompt"),
    ({"name": "a", "prompt": "{{}}"}, "invalid_template", "prompt"),
    ({"name": "a", "prompt": "{{a b}}"}, "invalid_template", "prompt"),
    ({"name": "a", "prompt": "{{.a}}"}, "invalid_template", "prompt"),
    ({"name": "a", "prompt": "{{a..b}}"}, "invalid_template", "prompt"),
    ({"name": "a", "welcome_message": "{{ }}"}, "invalid_template",
     "welcome_message"),
    ({"name": "a", "prompt": 5}, "invalid_type", "prompt"),
    ({"name": "a", "welcome_message": "x" * 4001}, "field_too_long",
     "welcome_message"),
])
def test_agent_validation(api, body, code, field):
    before = agent_count(api)
    assert_error(api.post(AGENTS, body), 422, code, field)
    assert agent_count(api) == before


def test_agent_name_at_the_limit_is_accepted(api):
    a = api.make_agent(name="n" * 200)
    assert a["name"] == "n" * 200


def test_agent_without_body_is_400(api):
    assert_error(api.post(AGENTS), 400, "missing_body")


# --- phone numbers -----------------------------------------------------------


def test_create_get_list_number(api):
    agent = api.make_agent()
    num = unique_e164()
    r = api.post(NUMBERS, {"number": num, "provider": "sim",
                           "agent_id": agent["id"],
                           "settings": {"answer_rate": 0.9}})
    assert r.status == 201, r
    n = r.json
    assert n["number"] == num
    assert n["provider"] == "sim"
    assert n["agent_id"] == agent["id"]
    assert n["settings"] == {"answer_rate": 0.9}

    r = api.get("%s/%d" % (NUMBERS, n["id"]))
    assert r.status == 200 and r.json == n

    ids, page = [], 1
    while True:
        r = api.get("%s?pageno=%d&pagesize=100" % (NUMBERS, page))
        assert r.status == 200, r
        ids += [x["id"] for x in r.json["phone_numbers"]]
        if len(r.json["phone_numbers"]) < 100:
            break
        page += 1
    assert n["id"] in ids


def test_number_defaults(api):
    r = api.post(NUMBERS, {"number": unique_e164()})
    assert r.status == 201, r
    assert r.json["provider"] == "sim"
    assert r.json["agent_id"] is None
    assert r.json["settings"] == {}


@pytest.mark.parametrize("number", [
    "5551234567", "+1 555 123 4567", "+1-555-1234567", "+0155512345",
    "+123456", "+1234567890123456", "++15551234567", "+1555123456a",
    "", "+",
])
def test_non_e164_number_is_422(api, number):
    assert_error(api.post(NUMBERS, {"number": number}), 422,
                 "invalid_e164" if number else None, "number")


def test_unknown_provider_is_422(api):
    assert_error(api.post(NUMBERS, {"number": unique_e164(),
                                    "provider": "carrier-pigeon"}),
                 422, "unsupported_provider", "provider")


def test_duplicate_number_is_409(api):
    num = unique_e164()
    assert api.post(NUMBERS, {"number": num}).status == 201
    assert_error(api.post(NUMBERS, {"number": num}), 409)


@pytest.mark.parametrize("settings", ["text", [], [1, 2], 5, True])
def test_settings_must_be_an_object(api, settings):
    assert_error(api.post(NUMBERS, {"number": unique_e164(),
                                    "settings": settings}),
                 422, "invalid_type", "settings")


def test_unknown_agent_id_is_422(api):
    assert_error(api.post(NUMBERS, {"number": unique_e164(),
                                    "agent_id": 987654321}),
                 422, "unknown_agent")


def test_other_accounts_agent_id_is_422(api, other):
    theirs = other.make_agent()
    num = unique_e164()
    assert_error(api.post(NUMBERS, {"number": num,
                                    "agent_id": theirs["id"]}),
                 422, "unknown_agent")
    # Nothing was stored: the same number registers fine afterwards.
    assert api.post(NUMBERS, {"number": num}).status == 201


@pytest.mark.parametrize("agent_id", [0, -1, "1", 1.5])
def test_bad_agent_id_types(api, agent_id):
    r = api.post(NUMBERS, {"number": unique_e164(), "agent_id": agent_id})
    assert_error(r, 422, field="agent_id")


def test_get_unknown_number_is_404(api):
    assert_error(api.get(NUMBERS + "/999999999"), 404, "not_found")


def test_attach_and_detach_an_agent(api):
    n = api.make_number(agent_id=None)
    a = api.make_agent(name="attached")
    r = api.put("%s/%d" % (NUMBERS, n["id"]), {"agent_id": a["id"]})
    assert r.status == 200, r
    assert r.json["agent_id"] == a["id"]
    assert api.get("%s/%d" % (NUMBERS, n["id"])).json["agent_id"] == a["id"]
    # A campaign created now takes the number's agent and keeps it.
    c = api.make_campaign(phone_number_id=n["id"])
    assert c["bot_id"] == a["id"]
    r = api.put("%s/%d" % (NUMBERS, n["id"]), {"agent_id": None})
    assert r.status == 200, r
    assert r.json["agent_id"] is None
    assert api.campaign(c["id"])["bot_id"] == a["id"]


@pytest.mark.parametrize("body,status,code", [
    ({}, 422, "missing_field"),
    ({"agent_id": 0}, 422, "out_of_range"),
    ({"agent_id": "1"}, 422, "invalid_type"),
    ({"agent_id": 987654321}, 422, "unknown_agent"),
])
def test_attach_agent_validation(api, body, status, code):
    a = api.make_agent()
    n = api.make_number(agent_id=a["id"])
    assert_error(api.put("%s/%d" % (NUMBERS, n["id"]), body), status, code)
    assert api.get("%s/%d" % (NUMBERS, n["id"])).json["agent_id"] == a["id"]


def test_attach_agent_to_unknown_number_is_404(api):
    a = api.make_agent()
    assert_error(api.put(NUMBERS + "/987654321", {"agent_id": a["id"]}),
                 404, "not_found")
