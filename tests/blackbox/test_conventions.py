"""Conventions that hold across routes (docs/api.md): reply headers and
shapes, the order in which a request's checks fail, and the
Idempotency-Key rules that are not about one route."""
import http.client
import json
import socket
import uuid

import pytest

from conftest import BULK, KEY_RE, assert_error, unique_e164


@pytest.fixture(scope="module")
def camp(api):
    return api.make_campaign(name="conventions")


def add_path(cid):
    return "%s/%d/add_contact" % (BULK, cid)


def too_big():
    return b'{"to_number": "+15551234567", "x": "' + b"a" * 70000 + b'"}'


# --- every reply -------------------------------------------------------------


def test_every_reply_is_no_store(api, camp):
    replies = [
        api.get("/health", key=None),
        api.get("/"),
        api.get("/api/v1/agents"),
        api.get("/api/v1/agents", key=None),
        api.get("/api/v1/nothing"),
        api.get(add_path(camp["id"])),
        api.post(add_path(camp["id"]), b"{"),
        api.post(add_path(camp["id"]), {"to_number": "1"}),
        api.post(add_path(camp["id"]), too_big()),
        api.add_contact(camp["id"]),
        api.get("%s/%d/lines/export" % (BULK, camp["id"])),
    ]
    for r in replies:
        assert r.headers.get("Cache-Control") == "no-store", r


def test_agent_and_number_replies_are_bare_objects(api):
    a = api.make_agent()
    n = api.make_number(agent_id=a["id"])
    for obj in (a, n, api.get("/api/v1/agents/%d" % a["id"]).json,
                api.get("/api/v1/phone_numbers/%d" % n["id"]).json):
        assert "status" not in obj


def test_campaign_list_entries_have_no_reply_members(api, camp):
    entries = api.get(BULK + "?pagesize=100").json["campaigns"]
    mine = [c for c in entries if c["id"] == camp["id"]]
    assert len(mine) == 1
    for member in ("status", "campaign_id", "rejected"):
        assert member not in mine[0], member
    shown = api.campaign(camp["id"])
    assert shown["status"] == "success"
    assert shown["campaign_id"] == camp["id"]
    assert "rejected" not in shown


def test_api_keys_are_sixty_characters(api, daemon):
    assert len(daemon.first_key) == 60
    made = api.post("/api/v1/keys").json["key"]
    assert len(made) == 60 and KEY_RE.match(made)


# --- which check fails first -------------------------------------------------


def test_body_size_is_checked_before_route_and_key(api, camp):
    assert_error(api.post("/api/v1/nothing", too_big(), key=None), 413,
                 "body_too_large")
    assert_error(api.post(add_path(camp["id"]), too_big(), key=None), 413,
                 "body_too_large")


def test_route_is_checked_before_key(api, camp):
    assert_error(api.get(add_path(camp["id"]), key=None), 405,
                 "method_not_allowed")
    assert_error(api.get("/api/v1/nothing", key=None), 404, "not_found")


def test_key_is_checked_before_body_type(api, camp):
    r = api.post(add_path(camp["id"]), b"<xml/>", key=None,
                 headers={"Content-Type": "text/xml"})
    assert_error(r, 401, "missing_api_key")


def test_body_type_before_json_before_idempotency_header(api, camp):
    bad_key = {"Idempotency-Key": "has space"}
    r = api.post(add_path(camp["id"]), b"{", headers=dict(
        bad_key, **{"Content-Type": "text/plain"}))
    assert_error(r, 415, "unsupported_media_type")
    r = api.post(add_path(camp["id"]), b"{", headers=bad_key)
    assert_error(r, 400, "invalid_json")
    r = api.post(add_path(camp["id"]), {"to_number": "1"}, headers=bad_key)
    assert_error(r, 400, "invalid_idempotency_key")


def test_fields_are_checked_before_a_used_idempotency_key(api, camp):
    key = str(uuid.uuid4())
    assert api.post(add_path(camp["id"]), {"to_number": unique_e164()},
                    headers={"Idempotency-Key": key}).status == 200
    r = api.post(add_path(camp["id"]), {"to_number": "not a number"},
                 headers={"Idempotency-Key": key})
    assert_error(r, 422, "invalid_e164", "to_number")


# --- body limits -------------------------------------------------------------


def test_campaign_create_takes_bodies_over_64_kib(api):
    numbers = [unique_e164() for _ in range(3000)]
    body = api.campaign_body(save_as_draft=True, contact_list=[
        {"phone_number": n, "first_name": "Contact"} for n in numbers])
    assert len(json.dumps(body)) > 64 * 1024
    r = api.post(BULK + "/create", body)
    assert r.status == 201, r
    assert r.json["total_lines"] == 3000
    assert r.json["rejected"] == []


def declared_upload(api, path, length, key):
    """Sends only the headers of a POST announcing length bytes; returns
    what arrives within 2 s (the reply should not wait for the body)."""
    head = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            "\r\nContent-Length: %d\r\n" % (path, length))
    if key:
        head += "Authorization: Bearer %s\r\n" % key
    with socket.create_connection(("127.0.0.1", api.port), timeout=2) as s:
        s.sendall((head + "\r\n").encode())
        out = b""
        try:
            while b"\r\n\r\n" not in out:
                chunk = s.recv(4096)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
    return out


def test_create_over_16_mib_is_413_without_reading(api):
    out = declared_upload(api, BULK + "/create", 16 * 1024 * 1024 + 1,
                          api.key)
    assert out.startswith(b"HTTP/1.1 413"), out[:100]


def test_anonymous_large_create_is_refused_before_the_body(api):
    out = declared_upload(api, BULK + "/create", 10 * 1024 * 1024, None)
    assert out.startswith(b"HTTP/1.1 413"), out[:100]


# Only a valid key may send more than 64 KiB, and only to /create: a bad
# key, or a valid key on another route, gets 413 before the body is read.
@pytest.mark.parametrize("path,key", [
    (BULK + "/create", "cdk_000000000000_" + "A" * 43),
    (BULK + "/create", "not-a-key"),
    ("/api/v1/agents", None),
    ("/api/v1/phone_numbers", None),
])
def test_large_declared_body_without_upload_right_is_413(api, path, key):
    if key is None:
        key = api.key
    out = declared_upload(api, path, 64 * 1024 + 1, key)
    assert out.startswith(b"HTTP/1.1 413"), out[:100]


def test_authenticated_csv_upload_may_pass_64_kib(api):
    rows = ["phone_number,note"] + ["%s,%s" % (unique_e164(), "n" * 250)
                                    for _ in range(4000)]
    body = api.campaign_body(save_as_draft=True,
                             contact_csv="\n".join(rows) + "\n")
    assert len(json.dumps(body)) > 1024 * 1024
    r = api.post(BULK + "/create", body)
    assert r.status == 201, r
    assert r.json["total_lines"] == 4000 and r.json["rejected"] == []


# --- Idempotency-Key, across routes ------------------------------------------


def test_empty_idempotency_key_is_400(api, camp):
    with socket.create_connection(("127.0.0.1", api.port), timeout=10) as s:
        body = b'{"to_number": "%s"}' % unique_e164().encode()
        s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s"
                  b"\r\nContent-Type: application/json\r\nIdempotency-Key:"
                  b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                  % (add_path(camp["id"]).encode(), api.key.encode(),
                     len(body), body))
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    assert out.startswith(b"HTTP/1.1 400"), out[:200]
    assert b"invalid_idempotency_key" in out


def test_get_ignores_the_idempotency_key(api):
    r = api.get("/api/v1/agents", headers={"Idempotency-Key": "has space"})
    assert r.status == 200, r


def test_idempotency_keys_span_routes(api, camp):
    key = str(uuid.uuid4())
    r = api.post("/api/v1/agents", {"name": "idem"},
                 headers={"Idempotency-Key": key})
    assert r.status == 201, r
    r = api.post(add_path(camp["id"]), {"to_number": unique_e164()},
                 headers={"Idempotency-Key": key})
    assert_error(r, 422, "idempotency_key_reused")


def test_same_json_with_other_spacing_is_another_request(api, camp):
    key = str(uuid.uuid4())
    n = unique_e164()
    a = api.post(add_path(camp["id"]), '{"to_number": "%s"}' % n,
                 headers={"Idempotency-Key": key})
    assert a.status == 200
    b = api.post(add_path(camp["id"]), '{"to_number":"%s"}' % n,
                 headers={"Idempotency-Key": key})
    assert_error(b, 422, "idempotency_key_reused")


def test_keys_create_never_replays(api):
    key = str(uuid.uuid4())
    a = api.post("/api/v1/keys", headers={"Idempotency-Key": key})
    b = api.post("/api/v1/keys", headers={"Idempotency-Key": key})
    assert a.status == b.status == 201
    assert a.json["key"] != b.json["key"]


def test_a_key_can_revoke_itself(api):
    made = api.post("/api/v1/keys").json
    c = api.with_key(made["key"])
    r = c.delete("/api/v1/keys/%d" % made["id"])
    assert r.status == 200, r
    assert_error(c.get("/api/v1/agents"), 401, "revoked_api_key")


def test_http_1_0_client_is_served(api):
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    conn._http_vsn, conn._http_vsn_str = 10, "HTTP/1.0"
    try:
        conn.request("GET", "/health")
        r = conn.getresponse()
        assert r.status == 200
        assert r.read() == b'{"status": "ok"}'
    finally:
        conn.close()
