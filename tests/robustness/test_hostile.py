"""Hostile clients, each while a well-behaved client keeps working.

A canary thread adds contacts and reads its campaign the whole time a
hostile client does its thing; each test checks that every canary request
succeeded with low latency, that the hostile request got a clear error
status with the JSON error body, that nothing was stored for it, and that
the daemon still serves (the module's teardown also checks a clean exit
and no sanitizer report).

The connection timeout (30 s of silence, src/http/server.c) is tested
without waiting for it: connections opened when the module starts are
checked by the last tests, after the others ran (a bounded wait tops up
what is left of the 30 s).
"""
import http.client
import json
import os
import resource
import select
import socket
import statistics
import threading
import time

import pytest

import harness as h
from harness import BULK, assert_error

FACTOR = None  # set by the daemon fixture (1 release, more sanitizers)
PER_ADDRESS = 250         # HTTP_PER_ADDRESS, src/http/server.h
CONNECTION_TIMEOUT = 30   # src/http/server.c
FLOOD = 1100


def latency_bound():
    return 0.5 * FACTOR


# --- Fixtures ----------------------------------------------------------------


def raise_fd_limit(want=4096):
    """The flood needs ~2 descriptors per connection on each side; the
    daemon inherits this limit when it is spawned."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    global FACTOR
    FACTOR = h.load_factor()
    raise_fd_limit()
    d = h.RDaemon(tmp_path_factory.mktemp("hostile")).start()
    yield d
    if d.alive():
        d.stop_clean()


@pytest.fixture(scope="module")
def api(daemon):
    return daemon.client()


@pytest.fixture(scope="module")
def camp(api):
    """A paused campaign: contacts are stored, nothing is dialled."""
    c = api.make_campaign(name="hostile")
    assert api.action(c["id"], "pause").status == 200
    return c


@pytest.fixture(scope="module")
def canary_camp(api):
    """The canary's own paused campaign, so that it never changes the
    line counts the tests compare."""
    c = api.make_campaign(name="canary")
    assert api.action(c["id"], "pause").status == 200
    return c


def add_path(cid):
    return "%s/%d/add_contact" % (BULK, cid)


class Canary:
    """A well-behaved client: adds a contact, reads the campaign, again,
    every 20 ms, on a new connection each time; records each outcome."""

    def __init__(self, api, cid):
        self.api = api
        self.cid = cid
        self.results = []  # (ok, seconds, what)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)

    def _run(self):
        i = 0
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                if i % 2:
                    r = self.api.get("%s/%d" % (BULK, self.cid), timeout=10)
                else:
                    r = self.api.add_contact(self.cid, timeout=10)
                what = r.status
                ok = r.status == 200
            except (OSError, http.client.HTTPException) as e:
                what, ok = repr(e), False
            self.results.append((ok, time.monotonic() - t0, what))
            i += 1
            time.sleep(0.02)

    def oks(self):
        return [s for ok, s, _ in self.results if ok]

    def failures(self):
        return [(s, w) for ok, s, w in self.results if not ok]

    def assert_served(self, min_ok=5):
        fails = self.failures()
        assert not fails, "the canary was refused: %s" % fails[:5]
        oks = self.oks()
        assert len(oks) >= min_ok, "the canary got only %d replies" % len(
            oks)
        assert max(oks) < latency_bound(), \
            "the canary waited %.3f s (median %.3f s)" % (
                max(oks), statistics.median(oks))
        return oks

    def wait_for(self, n, timeout=10):
        deadline = time.monotonic() + timeout * FACTOR
        while len(self.results) < n and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def canary(api, canary_camp):
    """Runs a canary through the test and checks it was served."""
    with Canary(api, canary_camp["id"]) as c:
        c.wait_for(3)
        yield c
        c.wait_for(len(c.results) + 3)
    c.assert_served()


def readable(s):
    """True when s has data or EOF waiting (poll: fds may be past 1024)."""
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(p.poll(0))


def connect(port, timeout=10):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def exchange(port, data, timeout=10):
    """Sends raw bytes, reads until the server closes or goes quiet for
    a moment after a full reply; returns (status, headers, body) or
    (None, None, what happened)."""
    s = connect(port, timeout)
    try:
        try:
            s.sendall(data)
        except OSError:
            pass  # the server may refuse before reading it all
        resp = http.client.HTTPResponse(s)
        try:
            resp.begin()
            body = resp.read()
        except (OSError, http.client.HTTPException) as e:
            return None, None, repr(e)
        return resp.status, resp.msg, body
    finally:
        s.close()


def head(port_key, path, extra="", ct="application/json"):
    hdr = "POST %s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n" % (
        path, port_key)
    if ct:
        hdr += "Content-Type: %s\r\n" % ct
    return (hdr + extra).encode()


def chunked(body, size=8192):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n%s\r\n" % (len(part), part)
    return out + b"0\r\n\r\n"


def json_error(status, headers, body, want_status, code=None):
    """assert_error for a raw exchange."""
    r = h.Response(status, headers, body)
    if status is None:
        raise AssertionError("no reply: %s" % body)
    return assert_error(r, want_status, code)


# --- Slow clients (and the timeout, checked at the end) ----------------------


class SlowWatch:
    """Connections opened when the module starts: one silent, one with an
    unfinished request head, one that sends a header one byte a second
    forever. Records when the server drops each."""

    def __init__(self, port):
        self.opened = time.monotonic()
        self.idle = connect(port)
        self.partial = connect(port)
        self.partial.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        self.trickle = connect(port)
        self.trickle.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        self.dropped = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _check(self, name, s):
        if name in self.dropped:
            return
        if not readable(s):
            return
        try:
            data = s.recv(4096)
        except OSError as e:
            data = b""
            self.dropped[name] = (time.monotonic() - self.opened, repr(e))
            return
        if data == b"":
            self.dropped[name] = (time.monotonic() - self.opened, "EOF")

    def _run(self):
        while not self.stop.wait(1.0):
            if "trickle" not in self.dropped:
                try:
                    self.trickle.send(b"a")
                except OSError as e:
                    self.dropped["trickle"] = (
                        time.monotonic() - self.opened, repr(e))
            for name in ("idle", "partial", "trickle"):
                self._check(name, getattr(self, name))
            if len(self.dropped) == 3:
                return

    def wait(self, name, until):
        """Waits (bounded) until `until` s after opening or a drop."""
        while name not in self.dropped and \
                time.monotonic() - self.opened < until:
            time.sleep(0.2)
        return self.dropped.get(name)

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for s in (self.idle, self.partial, self.trickle):
            s.close()


@pytest.fixture(scope="module")
def slow_watch(daemon):
    w = SlowWatch(daemon.port)
    yield w
    w.close()


def test_slow_watch_opened(slow_watch):
    """Opens the watched connections first; the last tests check them."""
    assert slow_watch.dropped == {}


def test_slow_clients_do_not_block_others(daemon, canary):
    silent = [connect(daemon.port) for _ in range(100)]
    heads = []
    for _ in range(30):
        s = connect(daemon.port)
        s.sendall(b"POST %s HTTP/1.1\r\nHost: t\r\n" % add_path(1).encode())
        heads.append(s)
    bodies = []
    for _ in range(20):
        s = connect(daemon.port)
        s.sendall(head(canary.api.key, add_path(canary.cid),
                       "Content-Length: 100\r\n\r\n") + b'{"to_numb')
        bodies.append(s)
    try:
        t_end = time.monotonic() + 3
        while time.monotonic() < t_end:  # a byte a second from the heads
            for s in heads:
                s.send(b"X")
            time.sleep(1)
        n_before = len(canary.results)
        canary.wait_for(n_before + 10)
    finally:
        for s in silent + heads + bodies:
            s.close()
    oks = canary.assert_served(min_ok=20)
    h.report("slow clients: 150 held open (100 silent, 30 trickling "
             "headers, 20 half bodies); canary served %d/%d, max %.0f ms"
             % (len(oks), len(canary.results), max(oks) * 1e3))


# --- Too many connections ----------------------------------------------------


def serves(port):
    try:
        return h.health(port) == 200
    except (OSError, http.client.HTTPException):
        return False


def test_connection_flood_beyond_the_limit(daemon, api, canary_camp):
    if raise_fd_limit() < 2 * FLOOD + 200:
        pytest.skip("RLIMIT_NOFILE too low for %d connections" % FLOOD)
    socks, refused_at_connect = [], 0
    try:
        for _ in range(FLOOD):
            try:
                socks.append(connect(daemon.port, timeout=5))
            except OSError:
                refused_at_connect += 1
        time.sleep(0.5 * FACTOR)
        # Refused: answered 503 and closed, or closed outright.
        reset = 0
        for s in socks:
            if readable(s):
                try:
                    got = s.recv(64)
                    reset += got == b"" or got.startswith(b"HTTP/1.1 503 ")
                except OSError:
                    reset += 1
        # Another client address while one address floods: it must be
        # served throughout, since no address may take every connection.
        with Canary(api.from_address("127.0.0.2"), canary_camp["id"]) as c:
            c.wait_for(20)
        probes = c.results
        # The flooding address itself is answered or refused at once.
        with Canary(api, canary_camp["id"]) as same:
            same.wait_for(10)
        hung = [p for p in same.results if p[1] > 2 * FACTOR]
        assert not hung, "requests hung while the server was full: %s" % (
            hung[:5])
        assert daemon.alive()
    finally:
        for s in socks:
            s.close()
    c.assert_served(min_ok=20)
    t0 = time.monotonic()
    h.wait_for(lambda: serves(daemon.port), 5 * FACTOR,
               "service after the flood")
    back_ms = (time.monotonic() - t0) * 1e3
    with Canary(api, canary_camp["id"]) as after:
        after.wait_for(10)
    after.assert_served(min_ok=5)
    held = FLOOD - reset - refused_at_connect
    h.report("connection flood: %d idle connections from one address -> "
             "%d held, %d reset by the server at once, %d refused at "
             "connect; a client from another address meanwhile: %d/%d "
             "served; the flooding address: %d/%d served, none hung; "
             "served again %.0f ms after the flood closed"
             % (FLOOD, held, reset, refused_at_connect,
                sum(1 for ok, _, _ in probes if ok), len(probes),
                sum(1 for ok, _, _ in same.results if ok), len(same.results),
                back_ms))
    assert held <= PER_ADDRESS + 2, held
    assert reset + refused_at_connect >= FLOOD - PER_ADDRESS - 2


# --- Oversized requests ------------------------------------------------------


OVERSIZED_HEADS = {
    "one 100 KiB header": "X-Junk: %s\r\n" % ("a" * 100000),
    "3000 headers": "".join("X-H%d: v\r\n" % i for i in range(3000)),
}


@pytest.mark.parametrize("name", sorted(OVERSIZED_HEADS))
def test_oversized_headers_are_refused(daemon, api, camp, canary, name):
    before = api.line_total(camp["id"])
    body = b'{"to_number": "+15552220001"}'
    status, _, out = exchange(daemon.port, head(
        api.key, add_path(camp["id"]), OVERSIZED_HEADS[name] +
        "Content-Length: %d\r\n\r\n" % len(body)) + body)
    assert status is not None and 400 <= status < 500, (status, out[:200])
    assert api.line_total(camp["id"]) == before


# Errors of the HTTP layer itself, before any route sees the request.
HTTP_ERRORS = {
    "header over the 32 KiB connection memory":
        ("X-Junk: %s\r\nContent-Length: 2\r\n\r\n{}" % ("a" * 100000), 431),
    "URL over the memory": None,
    "bad chunk size":
        ("Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
    "Content-Length: -1": ("Content-Length: -1\r\n\r\n{}", 400),
    "Content-Length over 2^64":
        ("Content-Length: 99999999999999999999999\r\n\r\n{}", 413),
}


@pytest.mark.parametrize("name", sorted(HTTP_ERRORS))
def test_http_level_errors_have_a_json_body(daemon, api, camp, name):
    if HTTP_ERRORS[name] is None:
        data = ("GET /api/v1/agents?x=%s HTTP/1.1\r\nHost: t\r\n"
                "Authorization: Bearer %s\r\n\r\n" % ("a" * 100000,
                                                      api.key)).encode()
        want = 414
    else:
        extra, want = HTTP_ERRORS[name]
        data = head(api.key, add_path(camp["id"]), extra)
    s = connect(daemon.port)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
    finally:
        s.close()
    assert raw.count(b"HTTP/1.1 ") == 1, "status line sent %d times: %r" % (
        raw.count(b"HTTP/1.1 "), raw[:400])
    status, _, body = exchange(daemon.port, data)
    json_error(status, _, body, want)


def big_contact():
    return json.dumps({"to_number": "+15552220002",
                       "custom_variables": {"x": "a" * 70000}}).encode()


def test_body_over_64k_with_content_length_is_413(daemon, api, camp,
                                                  canary):
    before = api.line_total(camp["id"])
    body = big_contact()
    status, hdrs, out = exchange(daemon.port, head(
        api.key, add_path(camp["id"]),
        "Content-Length: %d\r\n\r\n" % len(body)) + body)
    json_error(status, hdrs, out, 413, "body_too_large")
    # Announced but never sent: refused before it is read.
    status, hdrs, out = exchange(daemon.port, head(
        api.key, add_path(camp["id"]), "Content-Length: 10000000000\r\n\r\n"))
    json_error(status, hdrs, out, 413, "body_too_large")
    assert api.line_total(camp["id"]) == before


def test_chunked_body_is_accepted(daemon, api, camp, canary):
    pad = {"v%d" % i: "b" * 900 for i in range(20)}  # ~18 KiB
    body = json.dumps({"to_number": "+15552220003",
                       "custom_variables": pad}).encode()
    status, _, out = exchange(daemon.port, head(
        api.key, add_path(camp["id"]),
        "Transfer-Encoding: chunked\r\n\r\n") + chunked(body, 1000))
    assert status == 200, out
    lid = json.loads(out)["line_id"]
    r = api.get("%s/%d/lines/%d" % (BULK, camp["id"], lid))
    assert r.status == 200 and r.json["line"]["custom_variables"] == pad


def test_chunked_body_over_64k_is_413(daemon, api, camp, canary):
    before = api.line_total(camp["id"])
    status, hdrs, out = exchange(daemon.port, head(
        api.key, add_path(camp["id"]),
        "Transfer-Encoding: chunked\r\n\r\n") + chunked(big_contact()))
    json_error(status, hdrs, out, 413, "body_too_large")
    assert api.line_total(camp["id"]) == before


def send_chunked_junk(daemon, api, camp, mib):
    body = b'{"to_number": "+15552220004", "x": "' + b"c" * (mib << 20) + \
        b'"}'
    return exchange(daemon.port, head(
        api.key, add_path(camp["id"]),
        "Transfer-Encoding: chunked\r\n\r\n") + chunked(body, 65536))


def test_chunked_body_of_2m_is_413(daemon, api, camp, canary):
    before = api.line_total(camp["id"])
    status, hdrs, out = send_chunked_junk(daemon, api, camp, 2)
    json_error(status, hdrs, out, 413, "body_too_large")
    assert api.line_total(camp["id"]) == before


def test_chunked_body_of_12m_is_413(daemon, api, camp, canary):
    before = api.line_total(camp["id"])
    status, hdrs, out = send_chunked_junk(daemon, api, camp, 12)
    assert api.line_total(camp["id"]) == before
    json_error(status, hdrs, out, 413, "body_too_large")


# --- Bodies the API refuses --------------------------------------------------


@pytest.mark.parametrize("ct", [
    "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/jsonx",
    "application/xml", "text/json"])
def test_wrong_content_type_is_415(api, camp, canary, ct):
    before = api.line_total(camp["id"])
    r = api.post(add_path(camp["id"]), {"to_number": "+15552220005"},
                 headers={"Content-Type": ct})
    assert_error(r, 415, "unsupported_media_type")
    assert api.line_total(camp["id"]) == before


def test_json_with_charset_is_accepted(api, camp, canary):
    r = api.post(add_path(camp["id"]), {"to_number": "+15552220006"},
                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status == 200, r


BAD_BODIES = {
    "nesting 60000 deep": b"[" * 60000,
    "objects 10000 deep": b'{"a":' * 10000,
    "nesting in a field": b'{"to_number": "+15552220007", '
                          b'"custom_variables": ' + b"[" * 30000,
    "invalid UTF-8": b'{"to_number": "+1555\xc3\x28222000"}',
    "lone surrogate": b'{"to_number": "+15552220008", '
                      b'"custom_variables": {"a": "\\ud800"}}',
    "overlong UTF-8": b'{"to_number": "+15552220009", '
                      b'"custom_variables": {"a": "\xc0\xaf"}}',
    "real overflow": b'{"to_number": "+15552220010", '
                     b'"custom_variables": {"n": 1e400}}',
    "1000-digit integer": b'{"to_number": "+15552220011", '
                          b'"custom_variables": {"n": ' + b"9" * 1000 +
                          b"}}",
    "duplicate keys": b'{"to_number": "+15552220012", '
                      b'"to_number": "+15552220013"}',
    "nested duplicate keys": b'{"to_number": "+15552220014", '
                             b'"metadata": {"a": 1, "a": 2}}',
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_bad_json_is_400(api, camp, canary, name):
    before = api.line_total(camp["id"])
    r = api.post(add_path(camp["id"]), BAD_BODIES[name])
    assert_error(r, 400, "invalid_json")
    assert api.line_total(camp["id"]) == before


@pytest.mark.parametrize("value", [1e300, 2 ** 63, -2 ** 63, 2 ** 64, 0.5])
def test_huge_numbers_in_fields_are_refused(api, camp, canary, value):
    r = api.put("%s/%d/concurrency" % (BULK, camp["id"]),
                {"concurrent_call_limit": value})
    assert r.status in (400, 422), r
    assert_error(r, r.status)
    assert api.campaign(camp["id"])["concurrent_call_limit"] == 10


@pytest.mark.parametrize("auth,code", [
    (None, "missing_api_key"),
    ("Basic dXNlcjpwYXNz", "missing_api_key"),
    ("Bearer", "missing_api_key"),
    ("Bearer ", "missing_api_key"),  # the blank is not part of the value
    ("Bearer not-a-key", "invalid_api_key"),
    ("Bearer cdk_000000000000_" + "A" * 43, "invalid_api_key"),
    ("Bearer " + "x" * 8000, "invalid_api_key"),
])
def test_requests_without_a_valid_key_are_401(api, camp, canary, auth,
                                              code):
    before = api.line_total(camp["id"])
    hdrs = {"Authorization": auth} if auth is not None else {}
    r = api.post(add_path(camp["id"]), {"to_number": "+15552220015"},
                 headers=hdrs, key=None)
    assert_error(r, 401, code)
    for path in ("/api/v1/agents", BULK, "%s/%d" % (BULK, camp["id"])):
        assert_error(api.get(path, headers=hdrs, key=None), 401)
    assert api.line_total(camp["id"]) == before


# --- Rate limiting -----------------------------------------------------------


@pytest.mark.xfail(not h.binary_has_flag("--rate-limit"), strict=False,
                   reason="rate limit flag not implemented yet")
def test_rate_limit_per_key(tmp_path):
    d = h.RDaemon(tmp_path, args=["--rate-limit", "5"]).start()
    try:
        first = d.client()
        other = d.client(d.new_key("other"))
        statuses, limited = [], []
        for i in range(50):
            r = first.get("/api/v1/agents")
            statuses.append(r.status)
            if r.status == 429:
                limited.append(r)
            if i % 6 == 0:  # the other key, interleaved: never limited
                r2 = other.get("/api/v1/agents")
                assert r2.status == 200, r2
        assert limited, "no 429 in 50 quick requests at 5/s: %s" % statuses
        assert set(statuses) <= {200, 429}, statuses
        # A burst of 2N, then about N a second.
        assert statuses.count(200) <= 10 + 5 * 3, statuses
        for r in limited:
            assert_error(r, 429, "rate_limited")
            ra = r.headers.get("Retry-After")
            assert ra is not None and ra.isdigit() and 1 <= int(ra) <= 60, \
                r.headers
        wait = max(int(r.headers["Retry-After"]) for r in limited)
        time.sleep(wait)
        assert first.get("/api/v1/agents").status == 200
        h.report("rate limit 5/s: %d of 50 quick requests answered 200, "
                 "%d 429 with Retry-After %s; another key: all 200"
                 % (statuses.count(200), len(limited),
                    sorted({r.headers["Retry-After"] for r in limited})))
        d.stop_clean()
    finally:
        if d.alive():
            d.proc.kill()
            d.proc.wait()


# --- The timeout, checked last -----------------------------------------------


def test_silent_connections_are_dropped_after_the_timeout(slow_watch):
    for name in ("idle", "partial"):
        got = slow_watch.wait(name, CONNECTION_TIMEOUT + 5 * FACTOR)
        assert got is not None, "%s connection still open after %.0f s" % (
            name, time.monotonic() - slow_watch.opened)
        assert CONNECTION_TIMEOUT - 1 <= got[0] <= CONNECTION_TIMEOUT + 3 * \
            FACTOR, got
    h.report("timeout: a silent connection was dropped after %.1f s, an "
             "unfinished request head after %.1f s"
             % (slow_watch.dropped["idle"][0],
                slow_watch.dropped["partial"][0]))


def test_trickling_client_is_dropped(slow_watch):
    got = slow_watch.wait("trickle", CONNECTION_TIMEOUT + 5 * FACTOR)
    assert got is not None, "a client sending one byte a second was still " \
        "connected after %.0f s" % (time.monotonic() - slow_watch.opened)
    # Its head had HEAD_DEADLINE_MS (the timeout) to arrive, checked twice
    # a second.
    assert got[0] <= CONNECTION_TIMEOUT + 2 * FACTOR, got
    h.report("deadline: a client trickling its request head a byte a "
             "second was dropped after %.1f s" % got[0])


def test_daemon_still_serves_after_all_that(daemon, api, camp):
    assert daemon.alive()
    r = api.add_contact(camp["id"], "+15552229999")
    assert r.status == 200, r
    assert api.get("/health").status == 200
