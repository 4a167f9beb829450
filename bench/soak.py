#!/usr/bin/env python3
"""Soak: a steady add_contact rate for a long time with calls running,
sampling the daemon's resident memory, open descriptors and threads.
Growth after the warm-up is what to look for.

usage: bench/soak.py [--bin build/rel/campaignd] [--minutes 30] [--rate 300]
"""

import argparse
import sys
import tempfile
import threading
import time

from common import Daemon, campaign, setup_number


def feed(api, cids, rate, stop, counter):
    period = 1.0 / rate
    n = 0
    next_t = time.monotonic()
    while not stop.is_set():
        cid = cids[n % len(cids)]
        api.call("POST", "/calls/bulk_call/%d/add_contact" % cid,
                 {"to_number": "+1555%07d" % (n % 10000000),
                  "custom_variables": {"first_name": "S%d" % n},
                  "metadata": {"soak": n}})
        n += 1
        counter[0] = n
        next_t += period
        delay = next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/rel/campaignd")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--rate", type=float, default=300)
    ap.add_argument("--sample", type=float, default=30)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as wd:
        d = Daemon(a.bin, wd, "--sim-time-scale", "0.01")
        api = d.api()
        setup_number(api)
        cids = [campaign(api, "soak %d" % i, limit=200,
                         retry_config={"auto_retry": True, "retry_limit": 2,
                                       "retry_delays_seconds": [5]},
                         enabled_reschedule_call=True) for i in range(4)]
        stop = threading.Event()
        counter = [0]
        t = threading.Thread(target=feed,
                             args=(d.api(), cids, a.rate, stop, counter))
        t.start()
        t0 = time.monotonic()
        print("%8s %10s %10s %6s %8s" % ("minutes", "contacts", "rss_mb",
                                          "fds", "threads"))
        samples = []
        while time.monotonic() - t0 < a.minutes * 60:
            time.sleep(a.sample)
            row = ((time.monotonic() - t0) / 60, counter[0],
                   d.status("VmRSS"), d.fds(), d.threads())
            samples.append(row)
            print("%8.1f %10d %10.1f %6d %8d" % row, flush=True)
        stop.set()
        t.join()
        d.stop()
    warm = samples[len(samples) // 5] if samples else None
    last = samples[-1] if samples else None
    if warm and last:
        print("after warm-up: rss %+.1f MB, fds %+d, threads %+d"
              % (last[2] - warm[2], last[3] - warm[3], last[4] - warm[4]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
