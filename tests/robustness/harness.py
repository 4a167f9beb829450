"""Shared helpers of the robustness suite.

Reuses the black-box harness (tests/blackbox/conftest.py: Daemon, Client,
assert_error, ...) by loading it under another module name, so that this
folder's own conftest.py does not shadow it. Adds what the robustness tests
need on top: daemons started with extra flags or under a wrapper (strace),
started without waiting (to kill them while they boot), read-only looks at
the SQLite file while the daemon runs, and a sanitizer-build check to scale
loads. Standard library only (plus pytest, which the loaded module imports).
"""
import http.client
import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

try:
    import pytest  # noqa: F401  (the black-box harness needs it)
except ImportError:  # crash_loop.py run by a Python without pytest
    import types

    _stub = types.ModuleType("pytest")
    _stub.fixture = lambda *a, **k: a[0] if a and callable(a[0]) else \
        (lambda f: f)
    _stub.UsageError = RuntimeError
    sys.modules["pytest"] = _stub

_spec = importlib.util.spec_from_file_location(
    "blackbox_conftest", ROOT / "tests" / "blackbox" / "conftest.py")
bb = importlib.util.module_from_spec(_spec)
sys.modules["blackbox_conftest"] = bb
_spec.loader.exec_module(bb)

BULK = bb.BULK
Client = bb.Client
Response = bb.Response
assert_error = bb.assert_error
free_port = bb.free_port
run_cli = bb.run_cli

# Line statuses as stored (schema_sqlite.c).
LINE_STATUS = ["pending", "calling", "retry_scheduled", "callback_scheduled",
               "completed", "failed", "skipped", "cancelled"]
OPEN_STATUSES = {"pending", "calling", "retry_scheduled",
                 "callback_scheduled"}


def use_binary(path=None):
    """Outside pytest: runs a private copy of the binary, as the
    black-box harness does in pytest_configure. Returns its path."""
    src = path or bb.BIN
    if not os.access(src, os.X_OK):
        raise SystemExit("no campaignd binary at %s (set CAMPAIGND_BIN or "
                         "run make)" % src)
    d = tempfile.mkdtemp(prefix="campaignd-bin-")
    bb._bin_dir = d
    bb.RUN_BIN = os.path.join(d, "campaignd")
    shutil.copy2(src, bb.RUN_BIN)
    return bb.RUN_BIN


def drop_binary():
    if bb._bin_dir:
        shutil.rmtree(bb._bin_dir, ignore_errors=True)
        bb._bin_dir = None


def is_sanitizer_build():
    """True when the binary under test was built with SAN=1 (slower)."""
    with open(bb.RUN_BIN, "rb") as f:
        return b"__asan_init" in f.read()


def load_factor():
    """Divides loads and multiplies deadlines: 1 for the release build,
    more for the sanitizer build (ASan + UBSan make the daemon slower)."""
    return 3.0 if is_sanitizer_build() else 1.0


def binary_has_flag(flag):
    p = run_cli("--help")
    return flag in p.stdout + p.stderr


class RDaemon(bb.Daemon):
    """A bb.Daemon that takes extra `serve` flags and an optional command
    prefix (e.g. strace), and can be spawned without waiting for it."""

    def __init__(self, workdir, args=(), wrapper=(), env=None):
        super().__init__(workdir)
        self.args = list(args)
        self.wrapper = list(wrapper)
        self.env = env
        self.launched_ms = None  # wall clock ms at the last spawn

    def command(self, port):
        return [*self.wrapper, bb.RUN_BIN, "serve", "--db", self.db,
                "--listen", "127.0.0.1:%d" % port, *self.args]

    def spawn(self):
        """Starts the process and returns at once (it may not serve yet)."""
        assert self.proc is None or self.proc.poll() is not None, \
            "a daemon of this store is still running"
        self.runs += 1
        out = self.dir / ("stdout.%d" % self.runs)
        self.stderr_path = self.dir / ("stderr.%d" % self.runs)
        self.port = free_port()
        self.launched_ms = int(time.time() * 1000)
        with open(out, "wb") as fo, open(self.stderr_path, "wb") as fe:
            self.proc = subprocess.Popen(
                self.command(self.port), stdout=fo, stderr=fe,
                stdin=subprocess.DEVNULL, env=self.env)
        self._stdout_path = out
        return self

    def start(self):
        last = ""
        for _ in range(5):
            self.spawn()
            if self._wait_healthy():
                self.stdout_text = self._stdout_path.read_text()
                lines = self.stdout_text.splitlines()
                if lines and self.first_key is None:
                    self.first_key = lines[0]
                return self
            last = self.stderr()
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        raise AssertionError("campaignd did not start:\n" + last)

    def all_stderr(self):
        """Every run's stderr, joined (for sanitizer checks at the end)."""
        parts = []
        for i in range(1, self.runs + 1):
            p = self.dir / ("stderr.%d" % i)
            if p.exists():
                parts.append(p.read_text(errors="replace"))
        return "\n".join(parts)


def ro_connect(db):
    """A read-only connection that never checkpoints or writes the file:
    safe while the daemon runs, and it leaves a crashed store as it is."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    con.execute("PRAGMA query_only = 1")
    return con


def health(port, timeout=2):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/health")
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def wait_for(fn, timeout, what, interval=0.05):
    """Polls fn until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s; "
                                 "last: %r" % (timeout, what, last))
        time.sleep(interval)


# Lines of figures the tests report; conftest.py prints them at the end.
FIGURES = []


def report(line):
    FIGURES.append(line)
    print(line)
