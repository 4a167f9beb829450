"""Power loss: the WAL is on stable storage before a 2xx leaves the daemon.

kill -9 only proves that a commit reached the kernel; a power cut also
loses what sits in the page cache. So this runs campaignd under strace and
proves from the system calls themselves, for each add_contact:

  1. a write to the -wal file carries the contact's number (its frame);
  2. a 24-byte WAL frame header marking a commit (non-zero "database size
     after commit") is written after it, by the same thread;
  3. fdatasync/fsync of the -wal file starts after those writes and
     *returns* before
  4. the first byte of the HTTP response is handed to the client's socket.

strace -yy names every descriptor (the -wal file by path, a socket by its
address pair), so each request's reply is found by the client's port. The
order is causal, not a timing guess: the writer thread is stopped at the
exit of fdatasync until strace has logged it, and only then can it wake the
connection thread that sends the reply.

A few requests go one at a time, then a burst goes at once (group commit:
several replies may wait on the same fdatasync). The analyzer is also run
on made-up traces to show that it does catch a reply sent before the sync.
See docs/durability.md.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest

import harness as h

SYNC_CALLS = {"fsync", "fdatasync"}
WRITE_CALLS = {"write", "pwrite64", "writev", "pwritev", "pwritev2"}
SEND_CALLS = {"sendto", "sendmsg", "write", "writev"}
TRACED = "fdatasync,fsync,sendto,sendmsg,write,writev,pwrite64,pwritev"

SEQUENTIAL = 5
BURST = 12


# --- Reading an strace -f -tt -T -yy -xx log ---------------------------------

_head = re.compile(r"^(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(.*)$")
_resumed = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
_call = re.compile(r"^(\w+)\((.*)$")
_tail = re.compile(r"=\s+(-?\d+|\?)(?:<[^>]*>)?(?:\s+\w+\s+\([^)]*\))?"
                   r"\s+<(\d+\.\d+)>\s*$")
_fd = re.compile(r"^(\d+)<(TCP:\[[^\]]*\]|UDP:\[[^\]]*\]|[^>]*)>")
_quoted = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')


def _unhex(s):
    return bytes.fromhex(s.replace("\\x", "")) if "\\x" in s else s.encode()


class Call:
    """One completed system call: thread, name, start and end (seconds
    since midnight), the first argument's descriptor annotation (a path
    or "TCP:[a->b]"), the bytes of its quoted strings, and its result."""

    def __init__(self, pid, name, start, args):
        self.pid = pid
        self.name = name
        self.start = start
        self.end = None
        self.args = args
        self.ret = None
        self.target = ""
        self.data = b""

    def finish(self, text):
        self.args += text
        m = _tail.search(self.args)
        if m:
            self.ret = m.group(1)
            self.end = self.start + float(m.group(2))
        m = _fd.match(self.args)
        if m:
            t = m.group(2)
            self.target = t if t.startswith(("TCP:", "UDP:")) else \
                _unhex(t).decode("utf-8", "replace")
        self.data = b"".join(_unhex(q) for q in _quoted.findall(self.args))
        return self

    def __repr__(self):
        return "<%s %s(%s) %.6f-%s %dB>" % (
            self.pid, self.name, self.target, self.start,
            "%.6f" % self.end if self.end is not None else "?",
            len(self.data))


def parse_trace(text):
    """Calls in the order strace finished them (unfinished/resumed pairs
    joined); lines that are not calls (signals, exits) are skipped."""
    pending, calls = {}, []
    for line in text.splitlines():
        m = _head.match(line)
        if not m:
            continue
        pid = int(m.group(1))
        ts = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + \
            float(m.group(4))
        rest = m.group(5)
        r = _resumed.match(rest)
        if r:
            c = pending.pop(pid, None)
            if c is not None and c.name == r.group(1):
                calls.append(c.finish(r.group(2)))
            continue
        c = _call.match(rest)
        if not c:
            continue
        call = Call(pid, c.group(1), ts, "")
        if rest.endswith("<unfinished ...>"):
            call.args = c.group(2)[:-len("<unfinished ...>")]
            pending[pid] = call
        else:
            calls.append(call.finish(c.group(2)))
    return [c for c in calls if c.end is not None]


def check_request(calls, number, client_port, line_id):
    """Checks one request's order in the trace; returns (problems, facts).
    facts: the sync that made it durable and the reply's delay after it."""
    number = number.encode()
    sock = "->127.0.0.1:%d]" % client_port
    sends = [c for c in calls if c.name in SEND_CALLS and
             c.target.startswith("TCP:") and c.target.endswith(sock) and
             c.data.startswith(b"HTTP/1.1 ")]
    if not sends:
        return ["no reply to client port %d in the trace" % client_port], {}
    send = min(sends, key=lambda c: c.start)
    if not send.data.startswith(b"HTTP/1.1 200") or \
            b'"line_id": %d' % line_id not in send.data:
        return ["the first bytes sent to port %d are not the 200 with line "
                "%d: %r" % (client_port, line_id, send.data[:200])], {}
    frames = [c for c in calls if c.name in WRITE_CALLS and
              c.target.endswith("-wal") and number in c.data and
              c.start < send.start]
    if not frames:
        return ["%s was not written to the WAL before its reply"
                % number.decode()], {}
    # Its first appearance is in its own transaction (later commits may
    # rewrite the same page with it and others).
    frame = min(frames, key=lambda c: c.start)

    def wal(c):
        return c.target.endswith("-wal")

    # That transaction began after the writer's previous WAL sync; its
    # commit frame is the first frame header since then with a non-zero
    # "database size after commit" (it may come before or after the page
    # holding the number).
    opened = max((c.end for c in calls if c.name in SYNC_CALLS and wal(c)
                  and c.pid == frame.pid and c.end <= frame.start),
                 default=0.0)
    commits = [c for c in calls if c.name in WRITE_CALLS and wal(c) and
               c.pid == frame.pid and len(c.data) == 24 and
               c.data[4:8] != b"\0\0\0\0" and c.start >= opened]
    if not commits:
        return ["no WAL commit frame written for %s" % number.decode()], {}
    commit = min(commits, key=lambda c: c.start)
    syncs = [c for c in calls if c.name in SYNC_CALLS and wal(c) and
             c.ret == "0" and c.start >= commit.end]
    if not syncs:
        return ["the WAL was never synced after the commit of %s"
                % number.decode()], {}
    sync = min(syncs, key=lambda c: c.end)
    if sync.end > send.start:
        return ["reply to %s began at %.6f, before the WAL sync after its "
                "commit frame returned (%.6f)"
                % (number.decode(), send.start, sync.end)], {}
    if commit.start > send.start:
        return ["reply to %s sent before its commit frame was written"
                % number.decode()], {}
    return [], {"sync": sync, "gap_ms": (send.start - sync.end) * 1e3}


# --- The analyzer on made-up traces ------------------------------------------


def _hx(b):
    return "".join("\\x%02x" % x for x in b)


def _fake_trace(order):
    """A trace of one add_contact, its events in the given order."""
    wal = _hx(b"/tmp/s/c.db-wal")
    page = b"\0" * 100 + b"+15550000001" + b"\0" * 100
    reply = b'HTTP/1.1 200 OK\r\n\r\n{"line_id": 7}'
    ev = {
        "frame": '10 pwrite64(4<%s>, "%s", %d, 32) = %d' % (
            wal, _hx(page), len(page), len(page)),
        "commit": '10 pwrite64(4<%s>, "%s", 24, 4128) = 24' % (
            wal, _hx(b"\0\0\0\x02\0\0\0\x09" + b"\x11" * 16)),
        "sync": '10 fdatasync(4<%s>) = 0' % wal,
        "send": '11 sendmsg(9<TCP:[127.0.0.1:8080->127.0.0.1:40000]>, '
                '{msg_iov=[{iov_base="%s", iov_len=%d}]}, MSG_NOSIGNAL) '
                '= %d' % (_hx(reply), len(reply), len(reply)),
    }
    out = []
    for i, name in enumerate(order):
        pid, rest = ev[name].split(" ", 1)
        out.append("%s 12:00:00.%06d %s <0.000010>" % (pid, 100 * (i + 1),
                                                         rest))
    return "\n".join(out)


@pytest.mark.parametrize("order,ok", [
    (("frame", "commit", "sync", "send"), True),
    (("frame", "commit", "send", "sync"), False),
    (("frame", "sync", "commit", "send"), False),
    (("frame", "commit", "send"), False),
    (("commit", "sync", "send"), False),
])
def test_analyzer_catches_a_reply_before_the_sync(order, ok):
    calls = parse_trace(_fake_trace(order))
    problems, _ = check_request(calls, "+15550000001", 40000, 7)
    assert (problems == []) == ok, problems


def test_analyzer_joins_unfinished_and_resumed_lines():
    wal = _hx(b"/x/c.db-wal")
    text = ("5 10:00:00.000100 fdatasync(4<%s> <unfinished ...>\n"
            "6 10:00:00.000200 write(2<%s>, \"\\x41\", 1) = 1 <0.000001>\n"
            "5 10:00:00.000900 <... fdatasync resumed>) = 0 <0.000800>\n"
            % (wal, _hx(b"/dev/null")))
    calls = parse_trace(text)
    sync = [c for c in calls if c.name == "fdatasync"][0]
    assert sync.target == "/x/c.db-wal"
    assert abs(sync.end - (36000.0001 + 0.0008)) < 1e-9


# --- The real daemon ---------------------------------------------------------


def strace_usable():
    """None when strace can trace a child here, else why not."""
    if shutil.which("strace") is None:
        return "strace is not installed (apt-get install -y strace)"
    try:
        p = subprocess.run(["strace", "-f", "-o", "/dev/null", "true"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "strace cannot run: %r" % (e,)
    if p.returncode != 0:
        return "strace cannot trace here (ptrace refused?): %s" % (
            p.stderr.strip()[:300])
    return None


class StracedDaemon(h.RDaemon):
    """campaignd started by strace; stop() signals the daemon itself."""

    def daemon_pid(self):
        kids = Path("/proc/%d/task/%d/children" % (self.proc.pid,
                                                   self.proc.pid))
        try:
            pids = kids.read_text().split()
        except OSError:
            return None
        return int(pids[0]) if pids else None

    def stop(self):
        pid = self.daemon_pid()
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=h.bb.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("campaignd under strace did not stop")
        self.check_sanitizers()
        return rc


def add_contact(port, key, cid, number):
    """One add_contact on a connection of its own; returns (client port,
    line_id)."""
    body = json.dumps({"to_number": number}).encode()
    req = (b"POST %s/%d/add_contact HTTP/1.1\r\nHost: t\r\n"
           b"Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
           % (h.BULK.encode(), cid, key.encode(), len(body), body))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        local = s.getsockname()[1]
        s.sendall(req)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    head, _, payload = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), out[:300]
    return local, json.loads(payload)["line_id"]


def test_wal_is_synced_before_each_reply(tmp_path):
    why = strace_usable()
    if why:
        pytest.skip(why)
    trace = tmp_path / "strace.log"
    # LeakSanitizer cannot run under ptrace; leaks are the other tests'.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(
        filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    d = StracedDaemon(tmp_path, env=env, wrapper=[
        "strace", "-f", "-tt", "-T", "-yy", "-xx", "-s", "8192",
        "-e", "trace=" + TRACED, "-o", str(trace)])
    d.start()
    try:
        api = d.client()
        cid = api.make_campaign(name="fsync order")["id"]
        # Paused: no dialling, so the only writes are the requests'.
        assert api.action(cid, "pause").status == 200
        sent = []
        for i in range(SEQUENTIAL):
            number = "+1555777%04d" % i
            sent.append((number,) + add_contact(d.port, api.key, cid,
                                                number))
        burst, lock = [], threading.Lock()

        def one(i):
            number = "+1555778%04d" % i
            r = add_contact(d.port, api.key, cid, number)
            with lock:
                burst.append((number,) + r)

        threads = [threading.Thread(target=one, args=(i,))
                   for i in range(BURST)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(burst) == BURST
        d.stop_clean()
    finally:
        if d.alive():
            d.proc.kill()
            d.proc.wait()

    calls = parse_trace(trace.read_text(errors="replace"))
    assert any(c.name in SYNC_CALLS and c.target.endswith("c.db-wal")
               for c in calls), "no fsync of the WAL at all in the trace"
    problems, syncs, gaps = [], {}, []
    for number, port, line_id in sent + burst:
        p, facts = check_request(calls, number, port, line_id)
        problems.extend(p)
        if facts:
            syncs.setdefault(id(facts["sync"]), []).append(number)
            gaps.append(facts["gap_ms"])
    assert not problems, "\n".join(problems)
    n = len(sent) + len(burst)
    burst_syncs = {k for k, nums in syncs.items()
                   if any(x in nums for x, _, _ in burst)}
    h.report("fsync order: %d add_contact replies, each sent after the "
             "WAL fdatasync covering its commit frame returned; %d "
             "syncs in all, the %d concurrent requests shared %d; replies "
             "left %.2f-%.2f ms after their sync"
             % (n, len(syncs), BURST, len(burst_syncs), min(gaps),
                max(gaps)))
