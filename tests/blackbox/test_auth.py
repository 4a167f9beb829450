"""Authentication: every API route needs a valid, unrevoked key."""
import re
from pathlib import Path

import pytest

from conftest import BULK, KEY_RE, assert_error

# Every route of the API, with an id that may or may not exist: without a
# valid key the answer must be 401 before anything else is looked at.
ROUTES = [
    ("POST", "/api/v1/agents"),
    ("GET", "/api/v1/agents"),
    ("GET", "/api/v1/agents/1"),
    ("POST", "/api/v1/phone_numbers"),
    ("GET", "/api/v1/phone_numbers"),
    ("GET", "/api/v1/phone_numbers/1"),
    ("PUT", "/api/v1/phone_numbers/1"),
    ("GET", "/api/v1/keys"),
    ("POST", "/api/v1/keys"),
    ("DELETE", "/api/v1/keys/1"),
    ("POST", BULK + "/create"),
    ("GET", BULK),
    ("GET", BULK + "/1"),
    ("PUT", BULK + "/1"),
    ("DELETE", BULK + "/1"),
    ("POST", BULK + "/1/start"),
    ("PUT", BULK + "/1/concurrency"),
    ("PUT", BULK + "/1/daily-time-control"),
    ("PUT", BULK + "/1/retry-settings"),
    ("PUT", BULK + "/1/reschedule-settings"),
    ("POST", BULK + "/1/add_contact"),
    ("POST", BULK + "/1/add_contacts"),
    ("GET", BULK + "/1/lines"),
    ("GET", BULK + "/1/lines/1"),
    ("GET", BULK + "/1/lines/export"),
    ("GET", BULK + "/1/stats"),
    ("POST", BULK + "/1/manual_retry"),
    ("POST", "/api/v1/calls/attempts/1/result"),
    ("GET", "/api/v1/dnc"),
    ("POST", "/api/v1/dnc"),
    ("POST", "/api/v1/dnc/bulk"),
    ("DELETE", "/api/v1/dnc/1"),
]

BODY = {"to_number": "+15551234567", "name": "x", "action": "pause",
        "concurrent_call_limit": 2, "outcome": "completed",
        "number": "+15551234567", "numbers": ["+15551234567"]}


def test_route_list_covers_the_route_table():
    """Guards ROUTES against new routes: every route in the daemon's table
    must be in the list the tests below walk."""
    router = Path(__file__).resolve().parents[2] / "src/api/router.c"
    if not router.exists():
        pytest.skip("no source tree")
    text = router.read_text()
    table = text[text.index("routes[] = {"):]
    table = table[:table.index("};")]
    found = set()
    for method, parts in re.findall(
            r'\{"(GET|POST|PUT|DELETE|PATCH)",\s*((?:BULK|"[^"]*"|\s)+),',
            table):
        p = "".join(
            BULK if tok == "BULK" else tok.strip('"')
            for tok in re.findall(r'BULK|"[^"]*"', parts))
        found.add((method, p.replace("{id}", "1")))
    assert found, "could not read the route table"
    assert found <= set(ROUTES), sorted(found - set(ROUTES))


def test_health_needs_no_key(api):
    r = api.get("/health", key=None)
    assert r.status == 200
    assert r.json == {"status": "ok"}


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_route_refuses_a_missing_key(api, method, path):
    body = BODY if method in ("POST", "PUT") else None
    err = assert_error(api.request(method, path, body, key=None), 401,
                       "missing_api_key")
    assert "Bearer" in err["message"]


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_route_refuses_an_unknown_key(api, method, path):
    body = BODY if method in ("POST", "PUT") else None
    unknown = "cdk_0123456789ab_" + "A" * 43
    assert_error(api.request(method, path, body, key=unknown), 401,
                 "invalid_api_key")


@pytest.mark.parametrize("header", [
    "Basic dXNlcjpwYXNz",
    "Bearer",
    "Bearer ",  # blanks around a header value are not part of it
    "Token cdk_0123456789ab_xyz",
])
def test_wrong_scheme_is_a_missing_key(api, header):
    r = api.get("/api/v1/agents", key=None,
                headers={"Authorization": header})
    assert_error(r, 401, "missing_api_key")


@pytest.mark.parametrize("key", [
    "nonsense",
    "cdk_",
    "cdk_XYZ456789abc_secret",           # prefix not lowercase hex
    "cdk_0123456789ab",                  # no secret
    "cdk_0123456789abXsecret",           # no separator
    "xyz_0123456789ab_" + "A" * 43,       # wrong head
    "cdk_0123456789ab_" + "A" * 200,     # too long
])
def test_malformed_key_is_invalid(api, key):
    assert_error(api.get("/api/v1/agents", key=key), 401, "invalid_api_key")


def test_right_prefix_wrong_secret_is_invalid(api, daemon):
    m = KEY_RE.match(daemon.first_key)
    secret = m.group(2)
    flipped = ("B" if secret[0] == "A" else "A") + secret[1:]
    bad = "cdk_%s_%s" % (m.group(1), flipped)
    assert_error(api.get("/api/v1/agents", key=bad), 401, "invalid_api_key")
    # A key with the prefix alone and a truncated secret fails too.
    assert_error(api.get("/api/v1/agents",
                         key=daemon.first_key[:-1]), 401, "invalid_api_key")


def test_unknown_and_wrong_secret_get_the_same_reply(api, daemon):
    m = KEY_RE.match(daemon.first_key)
    wrong = "cdk_%s_%s" % (m.group(1), "Z" * 43)
    unknown = "cdk_%s_%s" % ("f" * 12 if m.group(1) != "f" * 12
                             else "e" * 12, "Z" * 43)
    a = api.get("/api/v1/agents", key=wrong)
    b = api.get("/api/v1/agents", key=unknown)
    assert a.status == b.status == 401
    assert a.raw == b.raw


def test_bearer_scheme_is_case_insensitive(api, daemon):
    r = api.get("/api/v1/agents", key=None,
                headers={"Authorization": "bearer " + daemon.first_key})
    assert r.status == 200, r


def test_revoked_key_through_the_api(api):
    r = api.post("/api/v1/keys")
    assert r.status == 201, r
    new = r.json
    assert KEY_RE.match(new["key"])
    assert new["prefix"] == KEY_RE.match(new["key"]).group(1)
    c = api.with_key(new["key"])
    # On several connections, so every HTTP thread has checked the key
    # (and keeps it): the revocation must reach them all at once.
    for _ in range(8):
        assert c.get("/api/v1/agents").status == 200

    listed = {k["id"]: k for k in api.get("/api/v1/keys").json["keys"]}
    assert listed[new["id"]]["active"] is True
    assert all("key" not in k for k in listed.values())

    r = api.delete("/api/v1/keys/%d" % new["id"])
    assert r.status == 200, r
    assert r.json["active"] is False
    for _ in range(8):
        assert_error(c.get("/api/v1/agents"), 401, "revoked_api_key")
    assert_error(c.get("/api/v1/keys"), 401, "revoked_api_key")
    listed = {k["id"]: k for k in api.get("/api/v1/keys").json["keys"]}
    assert listed[new["id"]]["active"] is False
    assert listed[new["id"]]["revoked_at"] is not None
    # Revoking again: no active key with that id.
    assert_error(api.delete("/api/v1/keys/%d" % new["id"]), 404, "not_found")
    # The caller's own key still works.
    assert api.get("/api/v1/agents").status == 200


def test_auth_comes_before_body_parsing(api):
    r = api.post("/api/v1/agents", b"{not json", key=None)
    assert_error(r, 401, "missing_api_key")
    r = api.post("/api/v1/agents", b"{not json",
                 key="cdk_0123456789ab_" + "A" * 43)
    assert_error(r, 401, "invalid_api_key")


def test_unknown_api_path_is_404_not_a_leak(api):
    assert_error(api.get("/api/v1/nothing", key=None), 404, "not_found")
    assert_error(api.get("/api/v1/nothing"), 404, "not_found")
