"""The HTTP layer on the wire: pipelined and fragmented requests, interim
100 Continue, HTTP/1.0 clients, and the errors the server answers before a
route sees the request, each in the API's JSON error shape."""
import email.message
import json
import socket
import time

import pytest

from conftest import BULK, Response, assert_error, unique_e164


def read_response(f, head_only=False):
    """Reads one response from a buffered socket file: (status, headers,
    body). Handles Content-Length, chunked and close-delimited bodies."""
    line = f.readline()
    if not line:
        return None, email.message.Message(), b""
    status = int(line.split()[1])
    headers = email.message.Message()  # names in any case
    while True:
        line = f.readline().rstrip(b"\r\n")
        if not line:
            break
        name, _, value = line.decode().partition(":")
        headers[name.strip()] = value.strip()
    if head_only or status in (100, 204, 304):
        return status, headers, b""
    if "Content-Length" in headers:
        return status, headers, f.read(int(headers["Content-Length"]))
    if headers.get("Transfer-Encoding") == "chunked":
        body = b""
        while True:
            size = int(f.readline().strip(), 16)
            body += f.read(size)
            f.readline()
            if size == 0:
                return status, headers, body
    return status, headers, f.read()


def connect(api):
    s = socket.create_connection(("127.0.0.1", api.port), timeout=10)
    return s, s.makefile("rb")


def add_request(api, cid, number, extra=""):
    body = json.dumps({"to_number": number}).encode()
    return ("POST %s/%d/add_contact HTTP/1.1\r\nHost: t\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n%s\r\n" % (BULK, cid, api.key, len(body),
                                               extra)).encode() + body


def as_error(status, headers, body):
    return Response(status, headers, body)


@pytest.fixture(scope="module")
def camp(api):
    c = api.make_campaign(name="http layer")
    assert api.action(c["id"], "pause").status == 200
    return c


def test_pipelined_requests_are_answered_in_order(api, camp):
    numbers = [unique_e164() for _ in range(5)]
    data = b"".join(add_request(api, camp["id"], n) for n in numbers)
    data += b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
    s, f = connect(api)
    try:
        s.sendall(data)
        ids = []
        for _ in numbers:
            status, _, body = read_response(f)
            assert status == 200, body
            ids.append(json.loads(body)["line_id"])
        status, _, body = read_response(f)
        assert (status, body) == (200, b'{"status": "ok"}')
    finally:
        f.close()
        s.close()
    assert ids == sorted(ids) and len(set(ids)) == 5
    for lid, number in zip(ids, numbers):
        r = api.get("%s/%d/lines/%d" % (BULK, camp["id"], lid))
        assert r.json["line"]["to_number"] == number


def test_a_request_sent_a_byte_at_a_time_is_served(api, camp):
    number = unique_e164()
    s, f = connect(api)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in add_request(api, camp["id"], number):
            s.send(bytes([b]))
        status, _, body = read_response(f)
    finally:
        f.close()
        s.close()
    assert status == 200, body
    r = api.get("%s/%d/lines/%s" % (BULK, camp["id"],
                                     json.loads(body)["line_id"]))
    assert r.json["line"]["to_number"] == number


def test_a_client_that_half_closes_gets_its_reply_and_the_end(api):
    s, f = connect(api)
    try:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
                  b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        s.shutdown(socket.SHUT_WR)
        t0 = time.monotonic()
        for _ in range(2):
            status, _, body = read_response(f)
            assert (status, body) == (200, b'{"status": "ok"}')
        assert f.read() == b""  # the server closes its end too
        assert time.monotonic() - t0 < 5
    finally:
        f.close()
        s.close()


def test_expect_100_continue_gets_the_interim_reply(api, camp):
    number = unique_e164()
    req = add_request(api, camp["id"], number, "Expect: 100-continue\r\n")
    head, body = req.split(b"\r\n\r\n", 1)
    s, f = connect(api)
    try:
        s.sendall(head + b"\r\n\r\n")
        status, _, _ = read_response(f)
        assert status == 100
        s.sendall(body)
        status, _, out = read_response(f)
    finally:
        f.close()
        s.close()
    assert status == 200, out


def test_http_1_0_keep_alive_and_a_streamed_reply(api, camp):
    api.add_contact(camp["id"])
    s, f = connect(api)
    try:
        s.sendall(b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        status, headers, body = read_response(f)
        assert (status, body) == (200, b'{"status": "ok"}')
        assert headers.get("connection") == "keep-alive"
        # An export has no length up front: over HTTP/1.0 its end is the
        # end of the connection, not a chunked body.
        s.sendall(("GET %s/%d/lines/export HTTP/1.0\r\n"
                   "Authorization: Bearer %s\r\n\r\n"
                   % (BULK, camp["id"], api.key)).encode())
        status, headers, body = read_response(f)
    finally:
        f.close()
        s.close()
    assert status == 200
    assert "transfer-encoding" not in headers
    assert headers["connection"] == "close"
    assert body.startswith(b"line_id,") and body.count(b"\n") >= 2


def exchange(api, data):
    s, f = connect(api)
    try:
        s.sendall(data)
        return read_response(f)
    finally:
        f.close()
        s.close()


@pytest.mark.parametrize("data,status,code", [
    (b"GET /health HTTP/1.1\r\n\r\n", 400, "bad_request"),
    (b"GET /health HTTP/2.0\r\nHost: t\r\n\r\n", 505,
     "http_version_not_supported"),
    (b"POST /health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
     501, "transfer_encoding_not_implemented"),
    (b"BREW /health HTTP/1.1\r\nHost: t\r\n\r\n", 501,
     "method_not_implemented"),
    (b"GET /he alth HTTP/1.1\r\nHost: t\r\n\r\n", 400, "bad_request"),
    (b"GET /health HTTP/1.1\r\nBad Header: x\r\nHost: t\r\n\r\n", 400,
     "bad_request"),
    (b"GET /health HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n", 400,
     "bad_request"),
    (b"GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n"
     b"Content-Length: 2\r\n\r\nab", 400, "bad_request"),
    (b"GET /health HTTP/1.1\r\nHost: t\r\n" + b"X-H: v\r\n" * 101 + b"\r\n",
     431, "headers_too_large"),
])
def test_http_errors_are_json_and_close_the_connection(api, data, status,
                                                       code):
    got, headers, body = exchange(api, data)
    assert_error(as_error(got, headers, body), status, code)
    assert headers["connection"] == "close"


def test_the_daemon_serves_after_the_errors(api):
    t0 = time.monotonic()
    assert api.get("/health").status == 200
    assert time.monotonic() - t0 < 5
