"""Black-box harness: runs the real campaignd on loopback with a fresh store.

Only the standard library is used. The binary comes from CAMPAIGND_BIN
(default build/rel/campaignd). Each test module gets one daemon; tests make
their own agents, numbers and campaigns so they do not depend on each other.
"""
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("CAMPAIGND_BIN") or str(ROOT / "build" / "rel" /
                                               "campaignd")
BULK = "/api/v1/calls/bulk_call"

# Other people rebuild the binary while tests run: the suite runs a private
# copy taken once at the start (see pytest_configure).
RUN_BIN = BIN
_bin_dir = None

# What a sanitizer prints when it finds something; none may appear.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "ERROR: UndefinedBehaviorSanitizer")

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0

# Simulated-carrier settings for the numbers the helpers make: every call
# rings for a day, so the dialler moves a line to `calling` and it stays
# there for the whole test. Line statuses are then only ever pending,
# calling or set by the test itself. test_dialer.py scripts real outcomes.
HOLD = {"rules": [{"prefix": "+", "outcomes": ["no_answer"],
                   "ring_seconds": 86400}]}
OPEN = ("pending", "calling")  # statuses of a line not yet settled

_numbers = itertools.count(1)
_numbers_lock = threading.Lock()


def unique_e164(prefix="+1555"):
    """A valid E.164 number not used before in this test run."""
    with _numbers_lock:
        n = next(_numbers)
    return "%s%07d" % (prefix, (os.getpid() * 1000 + n) % 10_000_000)


def pytest_configure(config):
    global RUN_BIN, _bin_dir
    if not os.access(BIN, os.X_OK):
        raise pytest.UsageError("no campaignd binary at %s (set "
                                "CAMPAIGND_BIN or run make)" % BIN)
    _bin_dir = tempfile.mkdtemp(prefix="campaignd-bin-")
    RUN_BIN = os.path.join(_bin_dir, "campaignd")
    shutil.copy2(BIN, RUN_BIN)


def pytest_unconfigure(config):
    if _bin_dir:
        shutil.rmtree(_bin_dir, ignore_errors=True)


def pytest_report_header(config):
    return "campaignd binary: %s" % BIN


def run_cli(*args, timeout=30, cwd=None):
    """Runs the binary with args; returns the CompletedProcess (text).

    It runs in a scratch directory so that a default ./campaignd.db is
    never the developer's own.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("CAMPAIGND_DB", "CAMPAIGND_LISTEN")}
    return subprocess.run([RUN_BIN, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd or _bin_dir, env=env)


def sanitizer_reports(text):
    return [m for m in SANITIZER_MARKERS if m in text]


def _die_with_parent():
    """preexec_fn: the daemon gets SIGTERM when the test process dies, so
    an interrupted or killed run leaves no daemon behind (Linux only).
    The signal follows the thread that started the daemon: start daemons
    from the main thread."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))
    except (OSError, AttributeError):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP client -------------------------------------------------------------


class Response:
    """One reply: status, headers (case-insensitive), raw bytes, JSON."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    def __iter__(self):
        return iter((self.status, self.headers, self.json))

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.raw[:300])


_DEFAULT = object()


class Client:
    """A small JSON client for one account (its API key)."""

    def __init__(self, port, key, host="127.0.0.1", source=None):
        self.host = host
        self.port = port
        self.key = key
        self.source = source  # a local address to connect from

    def with_key(self, key):
        return Client(self.port, key, self.host, self.source)

    def from_address(self, source):
        """The same client connecting from another loopback address."""
        return Client(self.port, self.key, self.host, source)

    def request(self, method, path, body=None, headers=None, key=_DEFAULT,
                timeout=30):
        """Sends one request on a new connection.

        body: dict/list (sent as JSON), str/bytes (sent as is) or None.
        headers: extra headers; a value of None drops a default header.
        key: the API key (default: the client's); None sends none.
        """
        hdrs = {}
        key = self.key if key is _DEFAULT else key
        if key is not None:
            hdrs["Authorization"] = "Bearer " + key
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = body
            hdrs["Content-Type"] = "application/json"
        for k, v in (headers or {}).items():
            if v is None:
                hdrs.pop(k, None)
            else:
                hdrs[k] = v
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=timeout,
            source_address=(self.source, 0) if self.source else None)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            raw = r.read()
            return Response(r.status, r.msg, raw)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --- objects ----------------------------------------------------------

    def make_agent(self, **fields):
        body = {"name": "agent", "welcome_message": "Hello {{first_name}}",
                "prompt": "You call {{first_name}} about {{topic}}."}
        body.update(fields)
        r = self.post("/api/v1/agents", body)
        assert r.status == 201, r
        return r.json

    def make_number(self, agent_id=_DEFAULT, **fields):
        if agent_id is _DEFAULT:
            agent_id = self.make_agent()["id"]
        body = {"number": unique_e164(), "provider": "sim",
                "settings": HOLD}
        if agent_id is not None:
            body["agent_id"] = agent_id
        body.update(fields)
        r = self.post("/api/v1/phone_numbers", body)
        assert r.status == 201, r
        return r.json

    def campaign_body(self, **fields):
        """A create body; makes a number (with an agent) unless given."""
        body = {"name": "campaign"}
        if "phone_number_id" not in fields:
            body["phone_number_id"] = self.make_number()["id"]
        if "contact_list" not in fields and "contact_csv" not in fields:
            body["is_dynamic"] = True
        body.update(fields)
        return body

    def make_campaign(self, **fields):
        """Creates a campaign (dynamic by default); returns its view."""
        r = self.post(BULK + "/create", self.campaign_body(**fields))
        assert r.status == 201, r
        return r.json

    def campaign(self, cid):
        r = self.get("%s/%d" % (BULK, cid))
        assert r.status == 200, r
        return r.json

    def add_contact(self, cid, to_number=None, **kw):
        body = {"to_number": to_number or unique_e164()}
        body.update(kw)
        return self.post("%s/%d/add_contact" % (BULK, cid), body)

    def action(self, cid, action, **fields):
        body = {"action": action}
        body.update(fields)
        return self.put("%s/%d" % (BULK, cid), body)

    def all_lines(self, cid, pagesize=150, **query):
        """Every line of a campaign, following next_cursor."""
        lines, cursor = [], None
        for _ in range(10000):
            q = dict(query, pagesize=pagesize)
            if cursor:
                q["cursor"] = cursor
            r = self.get("%s/%d/lines?%s" % (BULK, cid, urlencode(q)))
            assert r.status == 200, r
            lines.extend(r.json["lines"])
            cursor = r.json["next_cursor"]
            if cursor is None:
                return lines
        raise AssertionError("next_cursor never became null")

    def line_total(self, cid):
        r = self.get("%s/%d/lines?include_total=true&pagesize=1" %
                     (BULK, cid))
        assert r.status == 200, r
        return r.json["total"]


def wait_for(what, timeout=10.0, every=0.02):
    """Polls what() until it returns a true value; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        v = what()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %r" % (what,))
        time.sleep(every)


def urlencode(q):
    from urllib.parse import urlencode as enc
    return enc(q)


def assert_error(r, status, code=None, field=None):
    """Checks an error reply: status and {"status":"error","error":{...}}."""
    assert r.status == status, r
    assert isinstance(r.json, dict), r
    assert set(r.json) >= {"status", "error"}, r
    assert r.json["status"] == "error", r
    err = r.json["error"]
    assert isinstance(err.get("code"), str) and err["code"], r
    assert isinstance(err.get("message"), str) and err["message"], r
    if code is not None:
        assert err["code"] == code, r
    if field is not None:
        assert err.get("field") == field, r
    assert r.headers.get("Content-Type", "").startswith(
        "application/json"), r
    return err


# --- the daemon --------------------------------------------------------------


class Daemon:
    """One campaignd serve process on a store that outlives restarts."""

    def __init__(self, workdir, args=()):
        self.dir = Path(workdir)
        self.args = list(args)  # extra `serve` options
        self.db = str(self.dir / "c.db")
        self.proc = None
        self.port = None
        self.first_key = None
        self.runs = 0
        self.stdout_text = ""
        self.stderr_path = None

    def start(self):
        last = ""
        for _ in range(5):
            self.runs += 1
            out = self.dir / ("stdout.%d" % self.runs)
            self.stderr_path = self.dir / ("stderr.%d" % self.runs)
            port = free_port()
            with open(out, "wb") as fo, open(self.stderr_path, "wb") as fe:
                self.proc = subprocess.Popen(
                    [RUN_BIN, "serve", "--db", self.db, "--listen",
                     "127.0.0.1:%d" % port, *self.args],
                    stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent)
            self.port = port
            if self._wait_healthy():
                self.stdout_text = out.read_text()
                lines = self.stdout_text.splitlines()
                self.first_key = lines[0] if lines else None
                return self
            last = self.stderr()
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        raise AssertionError("campaignd did not start:\n" + last)

    def _wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                  timeout=2)
                conn.request("GET", "/health")
                r = conn.getresponse()
                r.read()
                conn.close()
                if r.status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def stderr(self):
        return self.stderr_path.read_text(errors="replace")

    def client(self, key=None):
        return Client(self.port, key or self.first_key)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM; returns the exit code. Checks for sanitizer reports."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("campaignd ignored SIGTERM:\n" +
                                 self.stderr())
        self.check_sanitizers()
        return rc

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)
        self.check_sanitizers()

    def check_sanitizers(self):
        text = self.stderr()
        found = sanitizer_reports(text)
        assert not found, "sanitizer reports %s:\n%s" % (found, text[-8000:])

    def stop_clean(self):
        rc = self.stop()
        assert rc == 0, "campaignd exited %r:\n%s" % (rc, self.stderr())

    def new_key(self, account):
        """A key for account (made if needed) via `campaignd keys create`."""
        p = run_cli("keys", "create", "--db", self.db, "--account", account)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.splitlines()
        assert len(lines) == 1, p.stdout
        return lines[0]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    d = Daemon(tmp_path_factory.mktemp("campaignd")).start()
    assert d.first_key, "no first-run API key on stdout"
    yield d
    if d.alive():
        d.stop_clean()


@pytest.fixture(scope="module")
def api(daemon):
    """The client of the first-run account."""
    return daemon.client()


@pytest.fixture(scope="module")
def other(daemon):
    """A client of a second account, made with `keys create`."""
    return daemon.client(daemon.new_key("other"))


@pytest.fixture
def fresh_daemon(tmp_path):
    """A daemon of the test's own, for tests that kill or restart it."""
    d = Daemon(tmp_path).start()
    yield d
    if d.alive():
        d.stop_clean()


KEY_RE = re.compile(r"^cdk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
