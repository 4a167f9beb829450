"""The webhook: add_contact and add_contacts, and that a failed request
stores nothing."""
import http.client
import json
import re
import socket

import pytest

from conftest import BULK, OPEN, assert_error, unique_e164

SEED = re.compile(rb'\{"status": "success", "campaign_status": '
                  rb'"(\w+)", "line_id": (\d+)\}')


def add_path(cid, many=False):
    return "%s/%d/add_contact%s" % (BULK, cid, "s" if many else "")


@pytest.fixture
def camp(api):
    return api.make_campaign(name="webhook")


def counts(api, cid):
    g = api.campaign(cid)
    return g["total_lines"], api.line_total(cid)


# --- the seed example --------------------------------------------------------


def test_seed_example_exact_reply(api, camp):
    body = {"to_number": "+15551234567",
            "custom_variables": {"first_name": "Ann", "plan": "gold",
                                 "age": 42, "vip": True, "note": None},
            "metadata": {"crm_id": "abc-123", "score": 0.75}}
    r = api.post(add_path(camp["id"]), body)
    assert r.status == 200, r
    m = SEED.fullmatch(r.raw)
    assert m, r.raw
    assert m.group(1) == b"in_progress"
    line_id = int(m.group(2))
    assert r.json == {"status": "success", "campaign_status": "in_progress",
                      "line_id": line_id}
    assert r.headers["Content-Type"].startswith("application/json")

    lines = api.all_lines(camp["id"])
    assert len(lines) == 1
    line = lines[0]
    assert line["line_id"] == line_id
    assert line["to_number"] == "+15551234567"
    assert line["custom_variables"] == body["custom_variables"]
    assert line["metadata"] == body["metadata"]
    # The dialler may already have placed the (held) call.
    assert line["status"] in OPEN
    g = api.campaign(camp["id"])
    assert g["total_lines"] == 1
    assert g["counts"]["pending"] + g["counts"]["calling"] == 1
    assert g["campaign_status"] == "in_progress"


def test_line_ids_are_unique_across_campaigns(api):
    a = api.make_campaign()
    b = api.make_campaign()
    ids = []
    for _ in range(3):
        ids.append(api.add_contact(a["id"]).json["line_id"])
        ids.append(api.add_contact(b["id"]).json["line_id"])
    assert len(set(ids)) == 6
    assert ids == sorted(ids)


def test_only_to_number_is_required(api, camp):
    r = api.post(add_path(camp["id"]), {"to_number": unique_e164()})
    assert r.status == 200, r
    line = api.all_lines(camp["id"])[0]
    assert line["custom_variables"] == {} and line["metadata"] == {}


def test_content_type_with_charset_is_accepted(api, camp):
    r = api.post(add_path(camp["id"]), {"to_number": unique_e164()},
                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status == 200, r


def test_contact_added_while_paused_is_queued(api, camp):
    api.action(camp["id"], "pause")
    r = api.add_contact(camp["id"])
    assert r.status == 200, r
    assert r.json["campaign_status"] == "paused"
    line = api.all_lines(camp["id"])[0]
    assert line["line_id"] == r.json["line_id"]
    assert line["status"] == "pending"
    g = api.campaign(camp["id"])
    assert g["campaign_status"] == "paused"
    assert g["counts"]["pending"] == 1
    r = api.action(camp["id"], "resume")
    assert r.json["campaign_status"] == "in_progress"


def test_contact_added_while_scheduled_is_queued(api):
    c = api.make_campaign(is_scheduled=True,
                          scheduled_datetime="2031-05-05 09:00:00",
                          timezone="Europe/Berlin")
    r = api.add_contact(c["id"])
    assert r.status == 200, r
    assert r.json["campaign_status"] == "scheduled"
    assert api.all_lines(c["id"])[0]["status"] == "pending"
    assert api.campaign(c["id"])["campaign_status"] == "scheduled"


def test_line_failing_call_conditions_is_skipped(api):
    c = api.make_campaign(call_conditions=[
        {"column": "tier", "operator": "equals", "value": "gold"}])
    ok = api.add_contact(c["id"], custom_variables={"tier": "gold"})
    assert ok.status == 200 and "line_status" not in ok.json
    sk = api.add_contact(c["id"], custom_variables={"tier": "tin"})
    assert sk.status == 200, sk
    assert sk.json["line_status"] == "skipped"
    lines = {l["line_id"]: l for l in api.all_lines(c["id"])}
    assert lines[ok.json["line_id"]]["status"] in OPEN
    assert lines[sk.json["line_id"]]["status"] == "skipped"
    assert lines[sk.json["line_id"]]["attempts"] == 0
    assert "call_conditions[0]" in lines[sk.json["line_id"]]["skip_reason"]


# --- errors store nothing ----------------------------------------------------


@pytest.mark.parametrize("body,status,code,field", [
    ({"to_number": "5551234567"}, 422, "invalid_e164", "to_number"),
    ({"to_number": "+1 555 123 4567"}, 422, "invalid_e164", "to_number"),
    ({"to_number": "+15551234567x"}, 422, "invalid_e164", "to_number"),
    ({"to_number": "+\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"},
     422, "invalid_e164", "to_number"),
    ({"to_number": 15551234567}, 422, "invalid_type", "to_number"),
    ({}, 422, "missing_field", "to_number"),
    ({"custom_variables": {"a": 1}}, 422, "missing_field", "to_number"),
    ({"to_number": "+15551234567", "custom_variables": "x"}, 422,
     "invalid_type", "custom_variables"),
    ({"to_number": "+15551234567", "custom_variables": [1]}, 422,
     "invalid_type", "custom_variables"),
    ({"to_number": "+15551234567", "metadata": []}, 422, "invalid_type",
     "metadata"),
    ({"to_number": "+15551234567", "metadata": ["a"]}, 422, "invalid_type",
     "metadata"),
    ({"to_number": "+15551234567",
      "custom_variables": {"v%d" % i: i for i in range(101)}}, 422,
     "too_many_fields", "custom_variables"),
    ({"to_number": "+15551234567",
      "metadata": {"v%d" % i: i for i in range(101)}}, 422,
     "too_many_fields", "metadata"),
    ({"to_number": "+15551234567", "custom_variables": {"a": {"b": 1}}},
     422, "invalid_value", "custom_variables"),
    ({"to_number": "+15551234567", "custom_variables": {"a": [1]}}, 422,
     "invalid_value", "custom_variables"),
    ({"to_number": "+15551234567", "custom_variables": {"a": "x" * 1025}},
     422, "field_too_long", "custom_variables"),
    ({"to_number": "+15551234567", "custom_variables": {"k" * 65: 1}},
     422, "invalid_key", "custom_variables"),
    ({"to_number": "+15551234567", "custom_variables": {"": 1}},
     422, "invalid_key", "custom_variables"),
])
def test_invalid_contact_is_rejected_and_stores_nothing(api, camp, body,
                                                         status, code, field):
    before = counts(api, camp["id"])
    assert_error(api.post(add_path(camp["id"]), body), status, code, field)
    assert counts(api, camp["id"]) == before == (0, 0)


def test_one_hundred_variables_are_accepted(api, camp):
    r = api.add_contact(camp["id"],
                        custom_variables={"v%d" % i: i for i in range(100)},
                        metadata={"m%d" % i: "x" for i in range(100)})
    assert r.status == 200, r


@pytest.mark.parametrize("raw", [b"{", b'{"to_number": }', b"nope",
                                 b'{"to_number": "+15551234567",}',
                                 b"[]", b'"a string"', b"42", b"null"])
def test_malformed_json_is_400(api, camp, raw):
    assert_error(api.post(add_path(camp["id"]), raw), 400, "invalid_json")
    assert counts(api, camp["id"]) == (0, 0)


def test_missing_body_is_400(api, camp):
    assert_error(api.post(add_path(camp["id"])), 400, "missing_body")
    assert counts(api, camp["id"]) == (0, 0)


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-"
                                   "urlencoded", "application/jsonx",
                                   "multipart/form-data; boundary=x"])
def test_wrong_content_type_is_415(api, camp, ctype):
    r = api.post(add_path(camp["id"]), {"to_number": unique_e164()},
                 headers={"Content-Type": ctype})
    assert_error(r, 415, "unsupported_media_type")
    assert counts(api, camp["id"]) == (0, 0)


def padded(size):
    """A valid add_contact body of exactly size bytes."""
    head = json.dumps({"to_number": unique_e164()}).encode()
    return head[:-1] + b" " * (size - len(head)) + b"}"


def test_body_of_exactly_64_kib_is_accepted(api, camp):
    body = padded(64 * 1024)
    assert len(body) == 65536
    r = api.post(add_path(camp["id"]), body)
    assert r.status == 200, r


def test_body_over_64_kib_is_413(api, camp):
    body = padded(64 * 1024 + 1)
    assert_error(api.post(add_path(camp["id"]), body), 413,
                 "body_too_large")
    assert counts(api, camp["id"]) == (0, 0)


def test_chunked_body_over_64_kib_is_413(api, camp):
    body = padded(200 * 1024)
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    try:
        conn.request("POST", add_path(camp["id"]),
                     body=iter([body[i:i + 8192]
                                for i in range(0, len(body), 8192)]),
                     headers={"Authorization": "Bearer " + api.key,
                              "Content-Type": "application/json"},
                     encode_chunked=True)
        r = conn.getresponse()
        status, raw = r.status, r.read()
    finally:
        conn.close()
    assert status == 413, raw
    assert json.loads(raw)["error"]["code"] == "body_too_large"
    assert counts(api, camp["id"]) == (0, 0)


def test_huge_declared_length_is_refused_without_reading(api, camp):
    with socket.create_connection(("127.0.0.1", api.port), timeout=10) as s:
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer %s\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: 10000000000\r\n\r\n"
                   % (add_path(camp["id"]), api.key)).encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 413"), data
    assert api.get("/health").status == 200


def test_cancelled_campaign_is_409(api, camp):
    api.add_contact(camp["id"])
    api.delete("%s/%d" % (BULK, camp["id"]))
    before = counts(api, camp["id"])
    assert_error(api.add_contact(camp["id"]), 409, "campaign_cancelled")
    r = api.post(add_path(camp["id"], many=True),
                 {"contacts": [{"to_number": unique_e164()}]})
    assert_error(r, 409, "campaign_cancelled")
    assert counts(api, camp["id"]) == before == (1, 1)


def test_csv_campaign_is_409(api):
    c = api.make_campaign(contact_list=[{"phone_number": unique_e164()}])
    assert_error(api.add_contact(c["id"]), 409, "campaign_not_dynamic")
    r = api.post(add_path(c["id"], many=True),
                 {"contacts": [{"to_number": unique_e164()}]})
    assert_error(r, 409, "campaign_not_dynamic")
    assert counts(api, c["id"]) == (1, 1)


def test_unknown_and_foreign_campaign_are_identical_404(api, other):
    theirs = other.make_campaign()
    body = {"to_number": unique_e164()}
    foreign = api.post(add_path(theirs["id"]), body)
    missing = api.post(add_path(987654321), body)
    assert_error(foreign, 404, "not_found")
    assert_error(missing, 404, "not_found")
    assert foreign.raw == missing.raw
    foreign = api.post(add_path(theirs["id"], many=True), {"contacts": [body]})
    missing = api.post(add_path(987654321, many=True), {"contacts": [body]})
    assert_error(foreign, 404, "not_found")
    assert foreign.raw == missing.raw
    assert other.line_total(theirs["id"]) == 0


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(api, camp, method):
    r = api.request(method, add_path(camp["id"]),
                    {"to_number": unique_e164()}
                    if method in ("PUT", "PATCH") else None)
    assert_error(r, 405, "method_not_allowed")
    assert r.headers.get("Allow")
    assert counts(api, camp["id"]) == (0, 0)


@pytest.mark.parametrize("cid", ["0", "-1", "abc", "1.5",
                                 "99999999999999999999999"])
def test_bad_campaign_id_in_path_is_404(api, cid):
    r = api.post("%s/%s/add_contact" % (BULK, cid),
                 {"to_number": unique_e164()})
    assert_error(r, 404, "not_found")


# --- add_contacts ------------------------------------------------------------


def test_add_contacts_mixed(api, camp):
    good = [unique_e164() for _ in range(3)]
    r = api.post(add_path(camp["id"], many=True), {"contacts": [
        {"to_number": good[0], "custom_variables": {"n": 0}},
        {"to_number": "12345"},
        {"to_number": good[1], "metadata": {"src": "crm"}},
        "not an object",
        {"to_number": good[2]},
        {"to_number": "+15551234567", "custom_variables": "x"},
    ]})
    assert r.status == 200, r
    assert r.json["status"] == "success"
    assert r.json["campaign_status"] == "in_progress"
    added = r.json["added"]
    assert [a["index"] for a in added] == [0, 2, 4]
    assert all(a["line_status"] == "pending" for a in added)
    rejected = {x["index"]: x for x in r.json["rejected"]}
    assert set(rejected) == {1, 3, 5}
    assert rejected[1]["code"] == "invalid_e164"
    assert rejected[1]["field"] == "to_number"
    assert rejected[3]["code"] == "invalid_type"
    assert rejected[5]["code"] == "invalid_type"
    assert rejected[5]["field"] == "custom_variables"
    assert all(x["message"] for x in rejected.values())

    lines = {l["line_id"]: l for l in api.all_lines(camp["id"])}
    assert sorted(lines) == sorted(a["line_id"] for a in added)
    by_index = {a["index"]: lines[a["line_id"]] for a in added}
    assert by_index[0]["to_number"] == good[0]
    assert by_index[0]["custom_variables"] == {"n": 0}
    assert by_index[2]["metadata"] == {"src": "crm"}
    assert by_index[4]["to_number"] == good[2]


def test_add_contacts_thousand(api, camp):
    contacts = [{"to_number": "+1444%07d" % i} for i in range(1000)]
    r = api.post(add_path(camp["id"], many=True), {"contacts": contacts})
    assert r.status == 200, r
    assert len(r.json["added"]) == 1000 and r.json["rejected"] == []
    ids = [a["line_id"] for a in r.json["added"]]
    assert len(set(ids)) == 1000
    assert counts(api, camp["id"]) == (1000, 1000)


@pytest.mark.parametrize("body", [
    {"contacts": [{"to_number": "+15551234567"}] * 1001},
    {"contacts": []},
    {"contacts": {"to_number": "+15551234567"}},
    {"to_number": "+15551234567"},
])
def test_add_contacts_bad_list_is_422(api, camp, body):
    assert_error(api.post(add_path(camp["id"], many=True), body), 422,
                 "invalid_contacts")
    assert counts(api, camp["id"]) == (0, 0)


def test_real_numbers_are_printed_as_sent(api):
    c = api.make_campaign()
    api.action(c["id"], "pause")
    api.add_contact(c["id"], custom_variables={"pi": 3.141592653589793,
                                               "tenth": 0.1, "round": 100.0,
                                               "tiny": 1e-7})
    raw = api.get("%s/%d/lines" % (BULK, c["id"])).raw
    assert b'"pi": 3.141592653589793,' in raw, raw
    assert b'"tenth": 0.1,' in raw, raw
    assert b'"round": 100.0,' in raw, raw
    assert b'"tiny": 1e-7}' in raw, raw
    csv = api.get("%s/%d/lines/export" % (BULK, c["id"])).raw
    assert b'""tenth"":0.1,""round"":100.0' in csv, csv


def test_add_contacts_all_bad_adds_nothing(api, camp):
    r = api.post(add_path(camp["id"], many=True),
                 {"contacts": [{"to_number": "1"}, {"to_number": "2"}]})
    assert r.status in (200, 422), r
    if r.status == 200:
        assert r.json["added"] == []
        assert len(r.json["rejected"]) == 2
    assert counts(api, camp["id"]) == (0, 0)


def test_real_numbers_in_variables_come_back_exactly(api):
    c = api.make_campaign()
    api.action(c["id"], "pause")
    vals = {"pi": 3.141592653589793, "lat": 37.774929512345,
            "amount": 123456789012.5, "tenth": 0.1}
    meta = {"score": 0.123456789012345}
    lid = api.add_contact(c["id"], custom_variables=vals,
                          metadata=meta).json["line_id"]
    listed = api.all_lines(c["id"])[0]
    detail = api.get("%s/%d/lines/%d" % (BULK, c["id"], lid)).json["line"]
    for line in (listed, detail):
        assert line["custom_variables"] == vals
        assert line["metadata"] == meta
