#!/usr/bin/env python3
"""Webhooks during a large CSV upload: how long does add_contact into one
campaign wait while another campaign is created from a big CSV file?

A client adds contacts one after another to a paused dynamic campaign
(so nothing is dialled), on its own keep-alive connection, for the whole
run; meanwhile the main thread creates a campaign from a CSV of --rows
rows (--uploads times, a second apart). Prints each upload's time and the
add_contact latencies seen while uploads were in flight (median, p99,
slowest), next to the same figures with no upload.

usage: bench/csv_upload.py [--bin build/rel/campaignd] [--rows 99000]
                           [--uploads 3]
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time

from common import Daemon, campaign, setup_number


def csv_text(rows):
    out = ["phone_number,first_name,last_name,company,notes"]
    for i in range(rows):
        out.append("+1888%07d,First%d,Last%d,Company %d,\"a note, "
                   "quoted\"" % (i, i, i, i % 100))
    return "\n".join(out) + "\n"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


class Webhooks(threading.Thread):
    """Adds contacts back to back; keeps (start, latency) of each."""

    def __init__(self, api, cid):
        super().__init__(daemon=True)
        self.api = api
        self.cid = cid
        self.samples = []
        self.errors = 0
        self.stop = False

    def run(self):
        n = 0
        while not self.stop:
            n += 1
            t0 = time.monotonic()
            status, _ = self.api.raw(
                "POST", "/calls/bulk_call/%d/add_contact" % self.cid,
                {"to_number": "+1999%07d" % n})
            self.samples.append((t0, time.monotonic() - t0))
            if status != 200:
                self.errors += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/rel/campaignd")
    ap.add_argument("--rows", type=int, default=99000)
    ap.add_argument("--uploads", type=int, default=3)
    a = ap.parse_args()
    text = csv_text(a.rows)
    print("CSV of %d rows, %.1f MB" % (a.rows, len(text) / 1e6))
    with tempfile.TemporaryDirectory() as wd:
        d = Daemon(a.bin, wd)
        api = d.api()
        setup_number(api)
        cid = campaign(api, "webhooks")
        api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "pause"})
        hooks = Webhooks(d.api(), cid)
        hooks.start()
        time.sleep(2)
        windows = []
        for i in range(a.uploads):
            t0 = time.monotonic()
            r = api.call("POST", "/calls/bulk_call/create",
                         {"name": "upload %d" % i, "phone_number_id": 1,
                          "contact_csv": text,
                          "is_scheduled": True,
                          "scheduled_datetime": "2030-01-01 00:00:00"})
            t1 = time.monotonic()
            windows.append((t0, t1))
            print("upload %d: %d lines in %.2f s" % (i, r["total_lines"],
                                                    t1 - t0))
            time.sleep(1)
        time.sleep(1)
        hooks.stop = True
        hooks.join()
        d.stop()
    during = [lat for t, lat in hooks.samples
              if any(w0 <= t + lat and t <= w1 for w0, w1 in windows)]
    quiet = [lat for t, lat in hooks.samples
             if not any(w0 - 0.5 <= t + lat and t <= w1 + 0.5
                        for w0, w1 in windows)]
    for name, xs in (("no upload", quiet), ("during uploads", during)):
        print("add_contact %-15s n=%-6d median %.2f ms  p99 %.1f ms  "
              "slowest %.1f ms" % (name, len(xs), statistics.median(xs) * 1e3,
                                   pct(xs, 0.99) * 1e3, max(xs) * 1e3))
    print("error replies: %d" % hooks.errors)
    return 1 if hooks.errors else 0


if __name__ == "__main__":
    sys.exit(main())
