"""Hostile input: garbage bodies, deep nesting, huge numbers, duplicate
keys, bad UTF-8, odd paths and broken connections. Every one gets a 4xx
and the daemon keeps serving (the module's teardown also checks a clean
exit and no sanitizer report)."""
import json
import os
import socket
import time

import pytest

from conftest import BULK, assert_error, unique_e164


@pytest.fixture(scope="module")
def camp(api):
    return api.make_campaign(name="robust")


def add_path(cid):
    return "%s/%d/add_contact" % (BULK, cid)


@pytest.fixture(autouse=True)
def still_serving(api):
    yield
    r = api.get("/health")
    assert r.status == 200, "daemon stopped serving"


BAD_JSON = [
    b"\x00\x01\x02\x03\xff\xfe",
    os.urandom(4096),
    b"[" * 10000,
    b"[" * 60000,
    b"{\"a\":" * 10000,
    b"{" * 5000 + b"}" * 5000,
    b'{"to_number": "+15551234567", "custom_variables": {"n": 1e400}}',
    b'{"to_number": "+15551234567", "custom_variables": '
    b'{"n": 123456789012345678901234567890}}',
    b'{"to_number": "+15551234567", "custom_variables": {"n": -1e99999}}',
    b'{"to_number": "+15551234567", "to_number": "+15551234568"}',
    b'{"to_number": "+15551234567", "custom_variables": {"a": 1, "a": 2}}',
    b'{"to_number": "+15551234567", "custom_variables": {"a": "\xff\xfe"}}',
    b'{"to_number": "+1555\xc3\x281234567"}',
    b'{"to_number": "+15551234567", "custom_variables": {"\xed\xa0\x80": 1}}',
    b'{"to_number": "+15551234567", "custom_variables": {"a": "\\ud800"}}',
    b'{"to_number": "+15551234567", "custom_variables": {"a": "x\\u0000y"}}',
    b'{"to_number": "+15551234567", "custom_variables": {"a\\u0000": 1}}',
    b'{"to_number": "+15551234567"} trailing',
    b'{"to_number": "+15551234567"}{"to_number": "+15551234567"}',
    b'{"to_number": NaN}',
    b'{"to_number": Infinity}',
    b"{'to_number': '+15551234567'}",
    b'\xef\xbb\xbf{"to_number": "+15551234567"}',
    b" ",
]


@pytest.mark.parametrize("raw", BAD_JSON, ids=range(len(BAD_JSON)))
def test_bad_json_is_400_and_stores_nothing(api, camp, raw):
    before = api.line_total(camp["id"])
    r = api.post(add_path(camp["id"]), raw)
    assert_error(r, 400, "invalid_json")
    assert api.line_total(camp["id"]) == before


@pytest.mark.parametrize("route", ["/api/v1/agents", "/api/v1/phone_numbers",
                                   BULK + "/create"])
def test_bad_json_on_create_routes(api, route):
    for raw in (b"[" * 10000, b'{"name": "a", "name": "b"}', b"\xff"):
        assert_error(api.post(route, raw), 400, "invalid_json")


@pytest.mark.parametrize("value", [
    1e300, -1e300, 9223372036854775807, -9223372036854775808,
    18446744073709551615, 0.5, 1.0000000001])
def test_huge_numbers_in_integer_fields_are_rejected(api, camp, value):
    r = api.put("%s/%d/concurrency" % (BULK, camp["id"]),
                {"concurrent_call_limit": value})
    assert r.status in (400, 422), r
    assert api.campaign(camp["id"])["concurrent_call_limit"] == 10


def test_whole_real_is_accepted_as_integer(api, camp):
    r = api.put("%s/%d/concurrency" % (BULK, camp["id"]),
                {"concurrent_call_limit": 10.0})
    assert r.status == 200, r
    assert r.json["concurrent_call_limit"] == 10


def test_huge_numbers_in_variables_are_kept_exactly(api, camp):
    r = api.add_contact(camp["id"], custom_variables={
        "big": 9223372036854775807, "small": -9223372036854775808,
        "real": 1.5e308, "tiny": 5e-324})
    assert r.status == 200, r
    line = [l for l in api.all_lines(camp["id"])
            if l["line_id"] == r.json["line_id"]][0]
    assert line["custom_variables"]["big"] == 9223372036854775807
    assert line["custom_variables"]["small"] == -9223372036854775808
    assert line["custom_variables"]["real"] == 1.5e308


def test_unicode_is_kept_exactly(api, camp):
    text = "Zo\u00eb \u6771\u4eac \U0001F600 \u202e"
    r = api.add_contact(camp["id"], custom_variables={"name": text,
                                                     "\u540d": "x"})
    assert r.status == 200, r
    line = [l for l in api.all_lines(camp["id"])
            if l["line_id"] == r.json["line_id"]][0]
    assert line["custom_variables"] == {"name": text, "\u540d": "x"}


def test_control_characters_in_names_are_422(api):
    r = api.post("/api/v1/agents", {"name": "a\u0001b"})
    assert_error(r, 422, "invalid_characters", "name")


@pytest.mark.parametrize("p", [
    BULK + "/0", BULK + "/-1", BULK + "/1e3",
    BULK + "/" + "9" * 19, BULK + "/" + "9" * 40,
    BULK + "/999999999999999999", BULK + "//1", BULK + "/1/",
    BULK + "/1/lines/extra", "/api/v1/agents/1/../1",
    "/api/", "/api/v1/" + "a" * 3000,
])
def test_odd_paths_are_4xx(api, p):
    r = api.get(p)
    assert 400 <= r.status < 500, r


def test_very_long_url_is_refused(api):
    r = api.get("/api/v1/agents?x=" + "a" * 100000)
    assert 400 <= r.status < 500, r


def test_huge_header_is_refused(api):
    r = api.get("/api/v1/agents", headers={"X-Junk": "a" * 100000})
    assert 400 <= r.status < 500, r


@pytest.mark.parametrize("method", ["PATCH", "OPTIONS", "TRACE"])
def test_unknown_methods_on_known_paths_are_405(api, camp, method):
    r = api.request(method, "%s/%d" % (BULK, camp["id"]))
    assert_error(r, 405, "method_not_allowed")


def test_a_method_http_does_not_define_is_501(api, camp):
    r = api.request("FOO", "%s/%d" % (BULK, camp["id"]))
    assert_error(r, 501, "method_not_implemented")


def test_query_string_junk_is_400(api, camp):
    for q in ("pagesize=%ff", "cursor=%ff%fe", "search=%ff",
              "pagesize=1%201", "call_status=pend%20ing"):
        r = api.get("%s/%d/lines?%s" % (BULK, camp["id"], q))
        assert r.status == 400, (q, r)


# Error messages quote the request (a path, a query value) and are cut at a
# fixed length; invalid UTF-8 in the quote, or a cut inside a multi-byte
# character, once made the JSON reply impossible and the daemon answered 500.
@pytest.mark.parametrize("target,status,auth", [
    ("/api/v1/%ff", 404, False),
    ("/api/v1/calls/bulk_call?status=%ff", 400, True),
    ("/api/v1/calls/bulk_call/{cid}/lines?call_status=%ff", 400, True),
])
def test_invalid_utf8_in_request_is_4xx_not_500(api, camp, target, status,
                                                auth):
    r = api.get(target.replace("{cid}", str(camp["id"])),
                key=api.key if auth else None)
    assert_error(r, status)


def test_long_multibyte_path_is_404_not_500(api):
    from urllib.parse import quote
    # "no route for /api/v1/x" + 3-byte characters: the 255-byte message
    # limit falls inside a character.
    r = api.get("/api/v1/" + quote("x" + "\u20ac" * 100), key=None)
    assert_error(r, 404, "not_found")


def raw_exchange(port, data, read=True, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if not read:
            return b""
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
        return out


def test_garbage_request_line(api):
    out = raw_exchange(api.port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc"
                       + os.urandom(300) + b"\r\n\r\n")
    assert out == b"" or out.startswith(b"HTTP/1.1 4"), out[:100]


def test_half_requests_and_dropped_connections(api, camp):
    head = ("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\n" % (add_path(camp["id"]),
                                                   api.key)).encode()
    before = api.line_total(camp["id"])
    # Headers never finished; a body shorter than announced; many at once.
    socks = []
    for i in range(20):
        s = socket.create_connection(("127.0.0.1", api.port), timeout=5)
        if i % 2:
            s.sendall(head)
        else:
            s.sendall(head + b"Content-Length: 100\r\n\r\n"
                      b'{"to_number": "+1555')
        socks.append(s)
    time.sleep(0.1)
    assert api.get("/health").status == 200
    for s in socks:
        s.close()
    time.sleep(0.1)
    assert api.line_total(camp["id"]) == before
    r = api.add_contact(camp["id"], unique_e164())
    assert r.status == 200, r


def test_pipelined_requests_on_one_connection(api, camp):
    body = b'{"to_number": "%s"}' % unique_e164().encode()
    one = (b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
           % (add_path(camp["id"]).encode(), api.key.encode(), len(body),
              body))
    last = one.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n")
    out = raw_exchange(api.port, one + one + last)
    assert out.count(b"HTTP/1.1 200") == 3, out[:500]


def test_daemon_still_answers_correctly_after_the_abuse(api, camp):
    r = api.add_contact(camp["id"], unique_e164())
    assert r.status == 200, r
    assert api.campaign(camp["id"])["id"] == camp["id"]


def chunked_post(api, path, body, piece=8192):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    try:
        conn.request("POST", path,
                     body=iter([body[i:i + piece]
                                for i in range(0, len(body), piece)]),
                     headers={"Authorization": "Bearer " + api.key,
                              "Content-Type": "application/json"},
                     encode_chunked=True)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_chunked_body_under_a_megabyte_over_the_limit_is_413(api, camp):
    status, raw = chunked_post(api, add_path(camp["id"]),
                               b'{"to_number": "+15551234567", "x": "' +
                               b"a" * 900_000 + b'"}')
    assert status == 413, raw


def test_chunked_body_of_two_megabytes_is_413(api, camp):
    import http.client
    try:
        status, raw = chunked_post(api, add_path(camp["id"]),
                                   b'{"to_number": "+15551234567", "x": "' +
                                   b"a" * 2_000_000 + b'"}')
    except (http.client.HTTPException, OSError) as e:
        pytest.fail("no reply: %r" % e)
    assert status == 413, raw


def test_405_allow_header_names_the_methods_of_the_path(api, camp):
    r = api.get(add_path(camp["id"]))
    assert_error(r, 405, "method_not_allowed")
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed == {"POST"}
    r = api.request("PATCH", "%s/%d" % (BULK, camp["id"]))
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed == {"GET", "PUT", "DELETE"}


def test_head_health_is_200(api):
    r = api.request("HEAD", "/health", key=None)
    assert r.status == 200, r


def test_head_is_get_without_the_body(api, camp):
    path = "/api/v1/agents/%d" % api.make_agent()["id"]
    get = api.get(path)
    head = api.request("HEAD", path)
    assert head.status == 200 and head.raw == b"", head
    assert int(head.headers["Content-Length"]) == len(get.raw)
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    r = api.request("HEAD", path, key=None)
    assert r.status == 401 and r.raw == b"", r
    r = api.request("HEAD", BULK + "/create")
    assert r.status == 405 and r.headers["Allow"] == "POST", r
    r = api.request("HEAD", "%s/%d/lines/export" % (BULK, camp["id"]))
    assert r.status == 200 and r.raw == b"", r
    assert r.headers["Content-Type"].startswith("text/csv"), r


def test_head_ignores_the_idempotency_key_like_get(api):
    r = api.request("HEAD", "/api/v1/agents",
                    headers={"Idempotency-Key": "has space"})
    assert r.status == 200, r


def test_chunked_body_far_past_the_limit_is_413_and_stores_nothing(api, camp):
    # The excess is read and dropped to the end of the body, however long
    # (within the body deadline), so the sender still learns why.
    before = api.get("%s/%d" % (BULK, camp["id"])).json["total_lines"]
    body = (b'{"to_number": "+15551234567", "x": "' +
            b"a" * (64 * 1024 + 12 * 1024 * 1024) + b'"}')
    status, raw = chunked_post(api, add_path(camp["id"]), body, piece=65536)
    assert status == 413, raw[:200]
    assert json.loads(raw)["error"]["code"] == "body_too_large"
    assert api.get("%s/%d" % (BULK, camp["id"])).json["total_lines"] == before
    assert api.get("/health").status == 200


def test_many_idle_connections_do_not_block_service(api, camp):
    socks = []
    try:
        for _ in range(200):
            socks.append(socket.create_connection(("127.0.0.1", api.port),
                                                  timeout=5))
        t0 = time.monotonic()
        r = api.add_contact(camp["id"], unique_e164())
        assert r.status == 200, r
        assert time.monotonic() - t0 < 5
    finally:
        for s in socks:
            s.close()
