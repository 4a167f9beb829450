#!/usr/bin/env python3
"""The campaign list filtered by status, on an account with many campaigns.

Creates --campaigns dynamic campaigns (every fourth one paused, the rest
waiting for contacts), then asks for the first page of the waiting ones
(`GET /api/v1/calls/bulk_call?status=waiting`) and of all of them (no
filter) --rounds times each, and prints the median and slowest time of
each. Give several binaries to compare them on the same machine in one
run: each gets its own store, and the rounds alternate between them.

usage: bench/campaign_list.py [--bin build/rel/campaignd ...]
                              [--campaigns 5000] [--rounds 50]
"""

import argparse
import statistics
import tempfile
import time

from common import Daemon, campaign, setup_number


def fill(api, n):
    setup_number(api)
    for i in range(n):
        cid = campaign(api, "list bench %d" % i)
        if i % 4 == 0:
            api.call("PUT", "/calls/bulk_call/%d" % cid, {"action": "pause"})


def timed(api, path):
    t = time.perf_counter()
    status, body = api.raw("GET", path)
    elapsed = time.perf_counter() - t
    if status != 200:
        raise RuntimeError("GET %s -> %d %s" % (path, status, body[:200]))
    return elapsed * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append")
    ap.add_argument("--campaigns", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    bins = args.bin or ["build/rel/campaignd"]
    paths = {"status=waiting": "/calls/bulk_call?status=waiting&pagesize=20",
             "no filter": "/calls/bulk_call?pagesize=20"}

    daemons = []
    for b in bins:
        d = Daemon(b, tempfile.mkdtemp(prefix="cd-list-"))
        fill(d.api(), args.campaigns)
        daemons.append((b, d, d.api()))
    times = {(b, p): [] for b in bins for p in paths}
    for _ in range(args.rounds):
        for b, _, api in daemons:
            for p, path in paths.items():
                times[(b, p)].append(timed(api, path))
    for _, d, _ in daemons:
        d.stop()

    print("%d campaigns (a quarter paused), first page of 20, %d rounds"
          % (args.campaigns, args.rounds))
    for b in bins:
        for p in paths:
            xs = times[(b, p)]
            print("%-40s %-15s median %7.2f ms  slowest %7.2f ms"
                  % (b, p, statistics.median(xs), max(xs)))


if __name__ == "__main__":
    main()
