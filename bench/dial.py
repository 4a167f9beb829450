#!/usr/bin/env python3
"""Dialler benchmarks against the real daemon with the simulated carrier.

latency     time from an add_contact reply to the carrier's dial, on an
            idle daemon and on one holding PENDING lines in other (paused)
            campaigns; read from the line's created_at and its first
            attempt's started_at (both set by the daemon, in ms).
throughput  attempts completed per second with a zero-time carrier and the
            highest concurrency limit.
rss         the daemon's peak resident memory (VmHWM) at the end.

usage: bench/dial.py [--bin build/rel/campaignd] [--pending 1000000]
"""

import argparse
import sys
import tempfile
import time
from datetime import datetime

from common import Daemon, campaign, setup_number


def ms(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def fill_pending(api, n):
    """n pending lines spread over paused campaigns, 1000 per request."""
    per_campaign = 100000
    cid = None
    t0 = time.monotonic()
    for i in range(0, n, 1000):
        if i % per_campaign == 0:
            cid = campaign(api, "filler %d" % i)
            api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "pause"})
        batch = [{"to_number": "+1556%07d" % ((i + k) % 10000000)}
                 for k in range(min(1000, n - i))]
        api.call("POST", "/calls/bulk_call/%d/add_contacts" % cid,
                 {"contacts": batch})
    return time.monotonic() - t0


def latency(api, samples):
    cid = campaign(api, "latency", limit=100)
    ids = []
    for i in range(samples):
        r = api.call("POST", "/calls/bulk_call/%d/add_contact" % cid,
                     {"to_number": "+1557%07d" % i})
        ids.append(r["line_id"])
        time.sleep(0.005)
    time.sleep(1)
    lat = []
    for lid in ids:
        line = api.call("GET", "/calls/bulk_call/%d/lines/%d" % (cid, lid))["line"]
        first = line["attempt_list"][0]
        lat.append(ms(first["started_at"]) - ms(line["created_at"]))
    return percentile(lat, 50), percentile(lat, 99)


def throughput(api, n):
    cid = campaign(api, "throughput")
    api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "pause"})
    for i in range(0, n, 1000):
        api.call("POST", "/calls/bulk_call/%d/add_contacts" % cid,
                 {"contacts": [{"to_number": "+1558%07d" % (i + k)}
                               for k in range(1000)]})
    t0 = time.monotonic()
    api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "resume"})
    while True:
        c = api.call("GET", "/calls/bulk_call/%d" % cid)["counts"]
        done = n - c["pending"] - c["calling"] - c["retry_scheduled"] \
            - c["callback_scheduled"]
        if done >= n:
            break
        time.sleep(0.05)
    return n / (time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/rel/campaignd")
    ap.add_argument("--pending", type=int, default=1000000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--calls", type=int, default=50000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as wd:
        d = Daemon(a.bin, wd, "--sim-time-scale", "0")
        api = d.api()
        try:
            setup_number(api)
            p50, p99 = latency(api, a.samples)
            print("latency idle:            p50 %5.1f ms   p99 %5.1f ms"
                  % (p50, p99))
            tput = throughput(api, a.calls)
            print("throughput:              %.0f attempts/s (%d calls)"
                  % (tput, a.calls))
            secs = fill_pending(api, a.pending)
            print("filled:                  %d pending lines in %.1f s"
                  % (a.pending, secs))
            p50, p99 = latency(api, a.samples)
            print("latency with %7d pending: p50 %5.1f ms   p99 %5.1f ms"
                  % (a.pending, p50, p99))
            print("peak RSS:                %.1f MB" % d.status("VmHWM"))
        finally:
            d.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
