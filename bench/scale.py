#!/usr/bin/env python3
"""Scale: 10,000 simultaneous simulated calls, and a campaign of 1,000,000
lines listed, paged through and exported.

usage: bench/scale.py [--bin build/rel/campaignd] [--calls 10000]
                      [--lines 1000000]
"""

import argparse
import http.client
import sys
import tempfile
import time

from common import Daemon, campaign, setup_number


def simultaneous_calls(d, api, calls):
    # Ten campaigns of 1000 concurrent calls, each call talking 60 s.
    per = 1000
    cids = []
    for i in range(calls // per):
        cid = campaign(api, "scale %d" % i, limit=per)
        api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "pause"})
        for j in range(0, per, 500):
            api.call("POST", "/calls/bulk_call/%d/add_contacts" % cid,
                     {"contacts": [{"to_number": "+1666%03d%04d" % (i, j + k)}
                                   for k in range(500)]})
        cids.append(cid)
    t0 = time.monotonic()
    for cid in cids:
        api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "resume"})
    peak = 0
    while time.monotonic() - t0 < 30:
        live = sum(api.call("GET", "/calls/bulk_call/%d" % c)["calls_in_flight"]
                   for c in cids)
        peak = max(peak, live)
        if live >= calls:
            break
        time.sleep(0.2)
    took = time.monotonic() - t0
    print("simultaneous calls: %d in flight after %.1f s; rss %.1f MB, "
          "threads %d" % (peak, took, d.status("VmRSS"), d.threads()))
    for cid in cids:
        api.call("DELETE", "/calls/bulk_call/%d" % cid)


def big_campaign(d, api, n):
    cid = campaign(api, "million", limit=1)
    api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "pause"})
    t0 = time.monotonic()
    for i in range(0, n, 500):
        api.call("POST", "/calls/bulk_call/%d/add_contacts" % cid,
                 {"contacts": [{"to_number": "+1777%07d" % (i + k),
                                "custom_variables": {"first_name": "L%d" % k}}
                               for k in range(min(500, n - i))]})
    print("filled %d lines in %.1f s" % (n, time.monotonic() - t0))

    t0 = time.monotonic()
    c = api.call("GET", "/calls/bulk_call/%d" % cid)
    print("campaign view with %d lines: %.1f ms" % (c["total_lines"],
                                                   (time.monotonic() - t0) * 1e3))
    t0 = time.monotonic()
    page = api.call("GET", "/calls/bulk_call/%d/lines?pagesize=150"
                    "&include_total=true" % cid)
    print("first page with total: %.1f ms (total %d)"
          % ((time.monotonic() - t0) * 1e3, page["total"]))

    t0 = time.monotonic()
    seen, cursor, pages = 0, None, 0
    while True:
        q = "/calls/bulk_call/%d/lines?pagesize=150" % cid
        if cursor:
            q += "&cursor=" + cursor
        page = api.call("GET", q)
        seen += len(page["lines"])
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    took = time.monotonic() - t0
    print("paged through %d lines in %d pages: %.1f s (%.2f ms a page)"
          % (seen, pages, took, took * 1e3 / pages))

    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=600)
    conn.request("GET", "/api/v1/calls/bulk_call/%d/lines/export" % cid,
                 headers={"Authorization": "Bearer " + d.key})
    r = conn.getresponse()
    size, rows = 0, 0
    while True:
        chunk = r.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
        rows += chunk.count(b"\n")
    print("exported %d rows, %.1f MB in %.1f s; peak rss %.1f MB"
          % (rows - 1, size / 1e6, time.monotonic() - t0, d.status("VmHWM")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/rel/campaignd")
    ap.add_argument("--calls", type=int, default=10000)
    ap.add_argument("--lines", type=int, default=1000000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as wd:
        d = Daemon(a.bin, wd)
        api = d.api()
        setup_number(api, rules=[{"prefix": "+1666", "outcomes": ["completed"],
                                  "ring_seconds": 1, "talk_seconds": 60}])
        simultaneous_calls(d, api, a.calls)
        big_campaign(d, api, a.lines)
        d.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
