#!/usr/bin/env python3
"""One HTTP thread, one client streaming a huge chunked body as fast as
loopback takes it: how long do other clients' requests wait meanwhile?

The daemon runs with --http-threads 1, so every connection shares the
streaming one's thread. A client sends --mib MiB of chunked junk to
add_contact (answered 413 once it ends); another asks GET /health on a
new connection, back to back, for as long as the stream runs (at most
200 times). Prints the /health median and slowest, per run.

usage: bench/fast_sender.py [--bin build/rel/campaignd] [--mib 3000]
                            [--runs 5]
"""

import argparse
import http.client
import socket
import statistics
import sys
import tempfile
import threading
import time

from common import Daemon


def stream(port, key, mib, out):
    chunk = b"%x\r\n" % (1 << 20) + b"x" * (1 << 20) + b"\r\n"
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /api/v1/calls/bulk_call/1/add_contact HTTP/1.1\r\n"
              b"Host: bench\r\nAuthorization: Bearer " + key.encode() +
              b"\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    t0 = time.monotonic()
    sent = 0
    try:
        for _ in range(mib):
            s.sendall(chunk)
            sent += 1
    except OSError:
        pass
    out["seconds"] = time.monotonic() - t0
    out["sent"] = sent
    s.close()


def one_run(binary, mib):
    with tempfile.TemporaryDirectory() as wd:
        d = Daemon(binary, wd, "--http-threads", "1")
        out = {}
        t = threading.Thread(target=stream, args=(d.port, d.key, mib, out))
        t.start()
        time.sleep(0.1)
        lat = []
        while t.is_alive() and len(lat) < 200:
            t0 = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=60)
            c.request("GET", "/health")
            c.getresponse().read()
            c.close()
            lat.append(time.monotonic() - t0)
        t.join()
        d.stop()
    return out, lat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/rel/campaignd")
    ap.add_argument("--mib", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    slowest = []
    for _ in range(a.runs):
        out, lat = one_run(a.bin, a.mib)
        slowest.append(max(lat))
        print("streamed %d MiB in %.2f s; /health n=%d median %.2f ms "
              "slowest %.1f ms" % (out["sent"], out["seconds"], len(lat),
                                   statistics.median(lat) * 1e3,
                                   max(lat) * 1e3))
    print("median of the slowest: %.1f ms" % (statistics.median(slowest)
                                               * 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
