#!/usr/bin/env python3
"""Random and mutational HTTP client that hammers a campaignd on loopback.

It sends malformed request lines, methods, paths (long, %-encoded, "..",
unicode, odd ids), headers (huge, many, broken framing) and bodies (JSON
seeds from fuzz/corpus/body mutated, random bytes, deep nesting), over raw
sockets so nothing is normalised on the way. Every --check-every requests,
and at the end, it checks that the daemon still answers GET /health.

Bounded: at most --count requests and --time seconds. Only loopback
addresses (127.0.0.0/8, ::1) are accepted as targets.

Either point it at a running daemon:
    fuzz/http_fuzz.py --port 8080 [--key KEY]
or let it start one on a fresh store in a temporary folder:
    fuzz/http_fuzz.py --start build/san/campaignd
With a key it first makes a few agents, numbers, campaigns and lines, so
that fuzzed ids hit real objects. --replay DIR sends each file of DIR once
instead (fuzz/regressions/http holds the requests that broke it before).

Exit status: 0 all well; 1 the daemon died, stopped answering /health, or
(when started here) printed a sanitizer report; 2 bad usage; 3 the daemon
answered 500 (an internal error) to some request. Requests that broke it
are written to --save-dir (default fuzz/crashes/http/).
"""
import argparse
import ipaddress
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BULK = "/api/v1/calls/bulk_call"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "ERROR: UndefinedBehaviorSanitizer")

ROUTES = [
    ("POST", "/api/v1/agents"), ("GET", "/api/v1/agents"),
    ("GET", "/api/v1/agents/{id}"), ("POST", "/api/v1/phone_numbers"),
    ("GET", "/api/v1/phone_numbers"), ("GET", "/api/v1/phone_numbers/{id}"),
    ("GET", "/api/v1/keys"), ("DELETE", "/api/v1/keys/{id}"),
    ("POST", BULK + "/create"), ("GET", BULK), ("GET", BULK + "/{id}"),
    ("PUT", BULK + "/{id}"), ("DELETE", BULK + "/{id}"),
    ("POST", BULK + "/{id}/start"), ("PUT", BULK + "/{id}/concurrency"),
    ("PUT", BULK + "/{id}/daily-time-control"),
    ("PUT", BULK + "/{id}/retry-settings"),
    ("PUT", BULK + "/{id}/reschedule-settings"),
    ("POST", BULK + "/{id}/add_contact"),
    ("POST", BULK + "/{id}/add_contacts"),
    ("GET", BULK + "/{id}/lines"), ("GET", BULK + "/{id}/lines/{id}"),
    ("GET", BULK + "/{id}/lines/export"), ("GET", BULK + "/{id}/stats"),
    ("POST", BULK + "/{id}/manual_retry"),
    ("POST", "/api/v1/calls/attempts/{id}/result"), ("GET", "/api/v1/dnc"),
    ("POST", "/api/v1/dnc"), ("POST", "/api/v1/dnc/bulk"),
    ("DELETE", "/api/v1/dnc/{id}"), ("GET", "/health"), ("GET", "/"),
    ("GET", "/index.html"), ("GET", "/js/app.js"),
]

METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
           "TRACE", "CONNECT", "get", "Post", "G E T", "GET\x00", "",
           "M" * 300, "\xff\xfe", "PRI", "POST /x"]

VERSIONS = ["HTTP/1.1", "HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/9.9",
            "HTTP/1.1 extra", "http/1.1", "HTTP/1.", "HTTP/", "", "HTTP/1.1\r"]

IDS = ["1", "2", "0", "-1", "01", "999999999999999999",
       "9223372036854775807", "9223372036854775808", "1e3", "0x10", "١",
       "1%00", "%31", "1.0", " 1", "18446744073709551616", "abc"]

PATH_TOKENS = ["..", "../", "%2e%2e", "%2e%2e%2f", "%2F", "%00", "%", "%z",
               "%G0", "%ff", "%c0%af", "//", "/./", "\\", "~", "?", "#",
               "&", "=", ";", "é", "\u202e", "\U0001F600", "\ufeff",
               "%ef%bb%bf", "%e2%80%ae", "*", " ", "\t"]

QUERY_KEYS = ["cursor", "pagesize", "call_status", "search",
              "include_total", "status", "page", "account"]
QUERY_VALUES = ["", "AQAAAAAAAAAB", "AQAAAAAAAAAA", "=", "%00", "150", "151",
                "0", "-1", "99999999999999999999", "pending", "true",
                "+1555", "x" * 5000, "%ZZ", "AQ==", "\u00e9"]

HEADER_TOKENS = ["\r\n", "\n", "\r", ":", " ", "\t", "\x00", "\xff",
                 "Content-Length: -1", "Content-Length: 99999999999999999999",
                 "Content-Length: 5, 6", "Transfer-Encoding: chunked",
                 "Transfer-Encoding: gzip, chunked", "Expect: 100-continue",
                 "Content-Type: application/json; charset=utf-8",
                 "Content-Type: text/plain", "Authorization: Bearer ",
                 "Authorization: Basic Zm9vOmJhcg==", "Idempotency-Key: ",
                 "Host: ", " folded", "Connection: keep-alive"]

BODY_TOKENS = [b"{", b"}", b"[", b"]", b'"', b":", b",", b"null", b"true",
               b"1e400", b"-0", b"9223372036854775807",
               b"9223372036854775808.0", b"\\u0000", b"\\ud800", b"\xff",
               b"\xed\xa0\x80", b'"to_number"', b'"+15551234567"',
               b'"call_conditions"', b'"contact_csv"', b'"{{"', b'"}}"',
               b'"retry_config"', b'"allowed_days"', b'"timezone"']


class Daemon:
    """A campaignd serve started here on a fresh store, with its stderr."""

    def __init__(self, binary, workdir):
        self.dir = Path(workdir)
        self.port = free_port()
        self.err_path = self.dir / "stderr"
        out_path = self.dir / "stdout"
        with open(out_path, "wb") as fo, open(self.err_path, "wb") as fe:
            self.proc = subprocess.Popen(
                [binary, "serve", "--db", str(self.dir / "fuzz.db"),
                 "--listen", "127.0.0.1:%d" % self.port, "--rate-limit",
                 "0"], stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                cwd=str(self.dir))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("http_fuzz: the daemon exited at start:\n" +
                                 self.stderr())
            if health("127.0.0.1", self.port):
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise SystemExit("http_fuzz: the daemon did not start")
        lines = out_path.read_text(errors="replace").split()
        self.key = lines[0] if lines else None

    def alive(self):
        return self.proc.poll() is None

    def stderr(self):
        try:
            return self.err_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self):
        """Stops the daemon; returns its exit code (None if killed)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exchange(host, port, raw, timeout=1.0, half_close=False):
    """Sends raw bytes; returns the reply bytes ('' on a dropped link)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    chunks = []
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((host, port))
            s.sendall(raw)
            if half_close:
                s.shutdown(socket.SHUT_WR)
            total = 0
            while total < 4 << 20:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
                total += len(data)
    except (OSError, socket.timeout):
        pass
    return b"".join(chunks)


def status_of(reply):
    """The status code of an HTTP reply, or None."""
    first = reply.split(b"\r\n", 1)[0].split()
    if len(first) >= 2 and first[0].startswith(b"HTTP/"):
        try:
            return int(first[1])
        except ValueError:
            return None
    return None


def health(host, port):
    reply = exchange(host, port, b"GET /health HTTP/1.1\r\nHost: x\r\n"
                     b"Connection: close\r\n\r\n", timeout=5.0)
    return status_of(reply) == 200 and b'"ok"' in reply


class Generator:
    """Makes one hostile request at a time from a seeded generator."""

    def __init__(self, rng, key, seeds):
        self.rng = rng
        self.key = key
        self.seeds = seeds or [b'{"to_number": "+15551234567"}']

    def pick(self, seq):
        return self.rng.choice(seq)

    # --- parts -----------------------------------------------------------

    def path(self):
        method, pattern = self.pick(ROUTES)
        parts = pattern.split("/")
        out = []
        for p in parts:
            if p == "{id}":
                p = self.pick(IDS) if self.rng.random() < 0.3 else str(
                    self.rng.randint(1, 5))
            out.append(p)
        path = "/".join(out)
        r = self.rng.random()
        if r < 0.25:
            pos = self.rng.randint(0, len(path))
            path = path[:pos] + self.pick(PATH_TOKENS) + path[pos:]
        elif r < 0.3:
            path = path + "/" + "a" * self.rng.choice([255, 4096, 70000])
        elif r < 0.35:
            path = "".join("%%%02x" % ord(c) if c.isascii() else c
                           for c in path)
        elif r < 0.4:
            path = self.pick(["*", "", "x", "http://127.0.0.1/health",
                              "//api/v1/agents", "/api/", "/api",
                              "/../../etc/passwd", "/%2e%2e/%2e%2e/x",
                              ".", "?", "/index.html/..", "/.js",
                              "/" + "/" * 5000])
        if self.rng.random() < 0.3:
            path += "?" + "&".join(
                "%s=%s" % (self.pick(QUERY_KEYS), self.pick(QUERY_VALUES))
                for _ in range(self.rng.randint(1, 6)))
        return method, path

    def body(self):
        r = self.rng.random()
        if r < 0.55:
            return self.mutate(self.pick(self.seeds))
        if r < 0.65:
            return os.urandom(self.rng.randint(0, 2048))
        if r < 0.75:
            depth = self.pick([100, 1000, 2040, 2048, 2049, 5000])
            inner = b"[" * depth + b"]" * depth
            return (b'{"name": "n", "phone_number_id": 1, "contact_list": '
                    b'[{"phone_number": "+15551234567", "x": ' + inner +
                    b'}], "call_conditions": ' + inner + b'}')
        if r < 0.8:
            return b'{"contact_csv": ' + json.dumps(
                "phone_number,a\n" + "\n".join(
                    "+1555%07d,%s" % (i, "x" * self.rng.randint(0, 50))
                    for i in range(self.rng.randint(0, 3000)))).encode() + \
                b', "name": "n", "phone_number_id": 1}'
        if r < 0.85:
            return b"x" * self.pick([65535, 65536, 65537, 200000])
        return b""

    def mutate(self, data):
        data = bytearray(data)
        for _ in range(self.rng.randint(1, 8)):
            op = self.rng.randrange(6)
            pos = self.rng.randint(0, len(data))
            if op == 0 and data:
                data[min(pos, len(data) - 1)] ^= 1 << self.rng.randrange(8)
            elif op == 1:
                data[pos:pos] = self.pick(BODY_TOKENS)
            elif op == 2:
                end = min(len(data), pos + self.rng.randint(1, 16))
                del data[pos:end]
            elif op == 3:
                end = min(len(data), pos + self.rng.randint(1, 64))
                data[pos:pos] = data[pos:end] * self.rng.randint(1, 20)
            elif op == 4:
                data[pos:pos] = os.urandom(self.rng.randint(1, 8))
            else:
                data = data[:pos]
        return bytes(data)

    def headers(self, body_len):
        h = []
        if self.rng.random() < 0.9:
            h.append("Host: 127.0.0.1")
        if self.key and self.rng.random() < 0.85:
            h.append("Authorization: Bearer " + self.key)
        elif self.rng.random() < 0.5:
            h.append("Authorization: " + self.pick(
                ["Bearer", "Bearer ", "Bearer cd_", "bearer " + "A" * 5000,
                 "Bearer \xff\xfe", "Bearer cd_x.y", "Basic x"]))
        if self.rng.random() < 0.9:
            h.append("Content-Type: application/json")
        if self.rng.random() < 0.85:
            h.append("Content-Length: %d" % body_len)
        if self.rng.random() < 0.1:
            h.append("Idempotency-Key: " + self.pick(
                ["k1", "", "x" * 300, "\x01", "é", "a b"]))
        r = self.rng.random()
        if r < 0.1:
            h += ["X-Filler-%d: %s" % (i, "v" * 20)
                  for i in range(self.rng.randint(100, 2000))]
        elif r < 0.15:
            h.append("X-Big: " + "b" * self.pick([8000, 70000, 200000]))
        elif r < 0.3:
            pos = self.rng.randint(0, len(h))
            h.insert(pos, self.pick(HEADER_TOKENS))
        h.append("Connection: close")
        return h

    # --- whole requests --------------------------------------------------

    def request(self):
        """Returns (raw bytes, half_close)."""
        method, path = self.path()
        if self.rng.random() < 0.15:
            method = self.pick(METHODS)
        version = "HTTP/1.1"
        if self.rng.random() < 0.1:
            version = self.pick(VERSIONS)
        body = self.body() if method in ("POST", "PUT") or \
            self.rng.random() < 0.1 else b""
        head = ["%s %s %s" % (method, path, version)]
        head += self.headers(len(body))
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8",
                                                      "surrogateescape")
        r = self.rng.random()
        if r < 0.05:
            raw = raw.replace(b"\r\n", b"\n")
        elif r < 0.1 and body:
            raw = raw.replace(b"Content-Length", b"Transfer-Encoding: "
                              b"chunked\r\nX-Old-Length")
            body = self.chunked(body)
        elif r < 0.15:
            raw = self.mutate(raw)
        raw += body
        if self.rng.random() < 0.05:
            raw = raw[:self.rng.randint(0, len(raw))]
            return raw, True
        return raw, self.rng.random() < 0.2

    def chunked(self, body):
        out = b""
        while body:
            n = self.rng.randint(1, 4096)
            size = b"%x" % n
            if self.rng.random() < 0.1:
                size = self.pick([b"-1", b"ffffffffffffffff", b"zz", b"",
                                  b"1;ext=1", b"0x10"])
            out += size + b"\r\n" + body[:n] + b"\r\n"
            body = body[n:]
        return out + b"0\r\n\r\n"


def json_request(host, port, key, method, path, body):
    data = json.dumps(body).encode()
    raw = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s"
           "\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
           "Connection: close\r\n\r\n" % (method, path, key,
                                           len(data))).encode() + data
    reply = exchange(host, port, raw, timeout=10.0)
    try:
        return json.loads(reply.split(b"\r\n\r\n", 1)[1])
    except (IndexError, ValueError):
        return {}


def prime(host, port, key):
    """Makes a few agents, numbers, campaigns and lines for ids to hit."""
    for i in range(3):
        agent = json_request(host, port, key, "POST", "/api/v1/agents", {
            "name": "fuzz agent %d" % i,
            "welcome_message": "Hello {{first_name}}",
            "prompt": "Call {{first_name}} about {{topic}}."})
        number = json_request(host, port, key, "POST",
                              "/api/v1/phone_numbers", {
                                  "number": "+1555000%04d" % i,
                                  "provider": "sim",
                                  "agent_id": agent.get("id", 1)})
        body = {"name": "fuzz %d" % i,
                "phone_number_id": number.get("id", 1),
                "save_as_draft": i == 2,
                "call_conditions": [{"column": "age",
                                     "operator": "greater_than",
                                     "value": 30}]}
        if i == 1:
            body["contact_list"] = [{"phone_number": "+1555100%04d" % k,
                                     "age": k} for k in range(20, 40)]
        else:
            body["is_dynamic"] = True
        camp = json_request(host, port, key, "POST", BULK + "/create", body)
        cid = camp.get("id") or camp.get("campaign_id") or (i + 1)
        for k in range(5):
            json_request(host, port, key, "POST",
                         "%s/%s/add_contact" % (BULK, cid),
                         {"to_number": "+1555200%04d" % (10 * i + k),
                          "custom_variables": {"age": 25 + 5 * k}})


def load_seeds():
    seeds = []
    for d in ("corpus/body", "regressions/body"):
        p = HERE / d
        if p.is_dir():
            seeds += [f.read_bytes() for f in sorted(p.iterdir())
                      if f.is_file()]
    return seeds


def save(save_dir, name, raw):
    save_dir.mkdir(parents=True, exist_ok=True)
    (save_dir / name).write_bytes(raw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--key", help="API key (default: the started daemon's)")
    ap.add_argument("--start", metavar="BIN",
                    help="start BIN serve on a fresh store and fuzz it")
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--time", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--check-every", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=1.0,
                    help="seconds to wait for each reply")
    ap.add_argument("--save-dir", default=str(HERE / "crashes" / "http"))
    ap.add_argument("--replay", metavar="DIR",
                    help="send each file of DIR once (e.g. "
                    "fuzz/regressions/http) instead of fuzzing")
    args = ap.parse_args()

    if not loopback(args.host):
        print("http_fuzz: only loopback targets are allowed", file=sys.stderr)
        return 2
    if args.count <= 0 or args.time <= 0 or args.count > 1_000_000 or \
            args.time > 24 * 3600:
        print("http_fuzz: --count and --time must be bounded", file=sys.stderr)
        return 2
    if (args.port is None) == (args.start is None):
        print("http_fuzz: give exactly one of --port or --start",
              file=sys.stderr)
        return 2

    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    save_dir = Path(args.save_dir)
    daemon = workdir = None
    if args.start:
        args.host = "127.0.0.1"
        workdir = tempfile.mkdtemp(prefix="campaignd-http-fuzz-")
        daemon = Daemon(args.start, workdir)
        args.port = daemon.port
        args.key = args.key or daemon.key
    elif not health(args.host, args.port):
        print("http_fuzz: no healthy daemon at %s:%d" % (args.host,
                                                          args.port),
              file=sys.stderr)
        return 2

    if args.replay:
        requests = [(f.name, f.read_bytes())
                    for f in sorted(Path(args.replay).iterdir())
                    if f.is_file()][:args.count]
    if args.key and not args.replay:
        prime(args.host, args.port, args.key)
    gen = Generator(rng, args.key, load_seeds())
    statuses = {}
    errors_500 = []
    recent = []
    failure = None
    sent = 0
    start = time.monotonic()
    print("http_fuzz: seed %d, up to %d requests or %.0f s against %s:%d" %
          (seed, args.count, args.time, args.host, args.port))
    while sent < args.count and time.monotonic() - start < args.time:
        if args.replay:
            if sent == len(requests):
                break
            name, raw = requests[sent]
            half = True
            print("http_fuzz: replay %s" % name)
        else:
            raw, half = gen.request()
        reply = exchange(args.host, args.port, raw, timeout=args.timeout,
                         half_close=half)
        sent += 1
        st = status_of(reply)
        statuses[st] = statuses.get(st, 0) + 1
        recent = (recent + [raw])[-args.check_every:]
        if st == 500:
            errors_500.append(raw)
            save(save_dir, "500-%d-%d" % (seed, sent), raw)
        dead = daemon is not None and not daemon.alive()
        if dead or args.replay or sent % args.check_every == 0:
            if dead or not health(args.host, args.port):
                failure = "the daemon %s after request %d" % (
                    "died" if dead else "stopped answering /health", sent)
                break
    if failure is None and not health(args.host, args.port):
        failure = "the daemon stopped answering /health at the end"

    elapsed = time.monotonic() - start
    print("http_fuzz: %d requests in %.1f s (%.0f/s)" %
          (sent, elapsed, sent / elapsed if elapsed else 0))
    print("http_fuzz: statuses " + ", ".join(
        "%s: %d" % (k, v) for k, v in sorted(statuses.items(),
                                              key=lambda kv: str(kv[0]))))
    rc = 0
    if failure:
        for i, raw in enumerate(recent):
            save(save_dir, "dead-%d-%03d" % (seed, i), raw)
        print("http_fuzz: FAIL: %s; the last %d requests are in %s "
              "(replay with --seed %d)" % (failure, len(recent), save_dir,
                                          seed), file=sys.stderr)
        rc = 1
    if daemon is not None:
        code = daemon.stop()
        err = daemon.stderr()
        found = [m for m in SANITIZER_MARKERS if m in err]
        if found or (code not in (0, None) and not failure):
            print("http_fuzz: FAIL: daemon exit %s, sanitizer: %s\n%s" %
                  (code, ", ".join(found) or "none", err[-4000:]),
                  file=sys.stderr)
            rc = 1
        elif failure:
            print(err[-4000:], file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    if rc == 0 and errors_500:
        print("http_fuzz: %d requests got a 500 reply; saved in %s" %
              (len(errors_500), save_dir), file=sys.stderr)
        rc = 3
    if rc == 0:
        print("http_fuzz: daemon alive and healthy")
    return rc


if __name__ == "__main__":
    sys.exit(main())
