#!/usr/bin/env python3
"""Crash loop: kill -9 campaignd at random moments under load, again and
again, on one store, and check what the store says afterwards.

The daemon dials through its simulated carrier, scripted per number prefix
(some numbers answer, some fail and are retried until the budget is used,
some ask for a callback, some are invalid), with auto retry and callbacks
on. Client threads add contacts with unique numbers the whole time, half
of them plainly (a failed request is abandoned), half with an
Idempotency-Key (a failed request is retried with the same key and body
until it is acknowledged, as a careful CRM would). After each restart the
test checks that the calls the dead process left in flight were settled
before the daemon served again, and that a few acknowledged idempotent
requests still replay their first answer. One more client creates CSV
campaigns of 8,000 contacts the whole time, each with its own
Idempotency-Key, retried until acknowledged: the daemon writes them in
parts, so kills land half way through some.

At the end the load stops, the dialer is left to finish every line, the
daemon is stopped cleanly and the SQLite file is read with sqlite3:

- every acknowledged contact is there exactly once, by line_id and number;
- no line was dialled twice for one due time, no two attempts of a line
  overlap, and attempt numbers run 1..n;
- no line used more than 1 + retry_limit calls that were not callbacks;
- every attempt has an outcome;
- line_count equals a GROUP BY over line;
- the campaign's status and counts from the API match its lines;
- every acknowledged created campaign is there once, whole; no campaign
  is left partly written or still loading, and no key is still held.

Run it longer than the pytest run does:

    python3 tests/robustness/crash_loop.py --kills 200 --seconds 600

(CAMPAIGND_BIN picks the binary, default build/rel/campaignd.) It prints
one line of figures and exits non-zero when a check failed.
"""
import argparse
import collections
import http.client
import itertools
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402

RETRY_LIMIT = 2
RESCHEDULE_LIMIT = 2
CREATE_ROWS = 8000  # contacts per created campaign: eight parts

# Number classes: "+15550" + class digit + a 6-digit serial.
CLASSES = {
    "0": ["completed"],
    "1": ["no_answer", "completed"],
    "2": ["busy"],  # fails until the budget is used: `failed`
    "3": ["callback_requested", "failed", "voicemail", "completed"],
    "4": ["invalid_number"],
}


def rules():
    return [{"prefix": "+15550" + c, "outcomes": outcomes,
             "ring_seconds": 0.05, "talk_seconds": 0.1,
             "callback_after_seconds": 0.3}
            for c, outcomes in CLASSES.items()]


class Target:
    """Where the daemon listens now; the loop moves it at each restart."""

    def __init__(self, port):
        self.port = port


def post(port, path, body, key, idem=None, timeout=5):
    hdrs = {"Authorization": "Bearer " + key,
            "Content-Type": "application/json"}
    if idem is not None:
        hdrs["Idempotency-Key"] = idem
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=hdrs)
        r = conn.getresponse()
        return h.Response(r.status, r.msg, r.read())
    finally:
        conn.close()


class Load:
    """Client threads adding contacts while the daemon dies and returns.

    acked: number -> line_id of every 2xx. sent: every number sent at
    least once. odd: replies that are neither 2xx nor 5xx (a 4xx to a
    valid request is a bug). idem: number -> (key, body) of idempotent
    requests that were acknowledged, for replay checks.
    """

    def __init__(self, target, key, cid, threads, per_thread_rate):
        self.target = target
        self.key = key
        self.path = "%s/%d/add_contact" % (h.BULK, cid)
        self.n_threads = threads
        self.interval = 1.0 / per_thread_rate
        self.acked = {}
        self.sent = set()
        self.idem = {}
        self.odd = []
        self.requests = 0
        self.failures = 0
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.serial = itertools.count(1)
        self.threads = []
        self.finish_deadline = None

    def start(self):
        for t in range(self.n_threads):
            th = threading.Thread(target=self._work, args=(t,), daemon=True)
            th.start()
            self.threads.append(th)

    def stop(self, finish_within=20.0):
        """Stops adding; idempotent requests in flight are retried until
        acknowledged (the daemon must be up) or finish_within passes."""
        self.finish_deadline = time.monotonic() + finish_within
        self.stop_event.set()
        for th in self.threads:
            th.join(finish_within + 10)

    def _number(self, rng):
        with self.lock:
            n = next(self.serial)
        return "+15550%s%06d" % (rng.choice("0000111223334"), n)

    def _once(self, number, body, idem):
        with self.lock:
            self.sent.add(number)
            self.requests += 1
        try:
            r = post(self.target.port, self.path, body, self.key, idem)
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.failures += 1
            return False
        if r.status == 200 and isinstance(r.json, dict) and \
                isinstance(r.json.get("line_id"), int):
            with self.lock:
                if number in self.acked and \
                        self.acked[number] != r.json["line_id"]:
                    self.odd.append(("two line_ids for one number", number,
                                     self.acked[number], r.json))
                self.acked[number] = r.json["line_id"]
                if idem is not None:
                    self.idem[number] = (idem, body)
            return True
        with self.lock:
            if r.status >= 500:
                self.failures += 1
            else:
                self.odd.append((number, r.status, r.raw[:300]))
        return r.status < 500  # a 4xx is final, a 5xx may be retried

    def _work(self, t):
        rng = random.Random(t * 7919 + os.getpid())
        idempotent = t % 2 == 0
        while not self.stop_event.is_set():
            number = self._number(rng)
            body = json.dumps({"to_number": number,
                               "custom_variables": {"thread": t},
                               "metadata": {"crm_id": number[-6:]}})
            if not idempotent:
                self._once(number, body, None)
            else:
                key = str(uuid.uuid4())
                while not self._once(number, body, key):
                    if self.stop_event.is_set() and \
                            time.monotonic() > self.finish_deadline:
                        break
                    time.sleep(0.02)
            time.sleep(self.interval * rng.uniform(0.5, 1.5))


class Creates:
    """A client creating CSV campaigns of CREATE_ROWS contacts one after
    another, each with its own Idempotency-Key, sent again until it is
    acknowledged. acked: name -> campaign id."""

    def __init__(self, target, key, number_id):
        self.target = target
        self.key = key
        self.number_id = number_id
        self.acked = {}
        self.sent = 0
        self.odd = []
        self.stop_event = threading.Event()
        self.thread = None
        self.finish_deadline = None

    def start(self):
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def stop(self, finish_within=20.0):
        self.finish_deadline = time.monotonic() + finish_within
        self.stop_event.set()
        self.thread.join(finish_within + 30)

    def body(self, name):
        rows = ["phone_number,first_name"]
        rows += ["+1666%03d%04d,F%d" % (self.sent % 1000, i, i)
                 for i in range(CREATE_ROWS)]
        return json.dumps({"name": name, "phone_number_id": self.number_id,
                           "contact_csv": "\n".join(rows) + "\n",
                           "is_scheduled": True,
                           "scheduled_datetime": "2030-01-01 00:00:00"})

    def _once(self, name, body, key):
        try:
            r = post(self.target.port, h.BULK + "/create", body, self.key,
                     key, timeout=30)
        except (OSError, http.client.HTTPException):
            return False
        if r.status == 201 and isinstance(r.json, dict):
            self.acked[name] = r.json["id"]
            return True
        if r.status >= 500 or (r.status == 409 and r.json and
                               r.json["error"]["code"] ==
                               "idempotency_key_in_use"):
            return False
        self.odd.append((name, r.status, r.raw[:300]))
        return True

    def _work(self):
        while not self.stop_event.is_set():
            self.sent += 1
            name = "created %d" % self.sent
            body, key = self.body(name), str(uuid.uuid4())
            while not self._once(name, body, key):
                if self.stop_event.is_set() and \
                        time.monotonic() > self.finish_deadline:
                    break
                time.sleep(0.05)
            time.sleep(0.1)


# --- Reading the store -------------------------------------------------------


def check_contacts(lines, acked, sent, problems):
    """Every acknowledged contact once, by line_id and by number."""
    by_id = {r[0]: r for r in lines}
    numbers = collections.Counter(r[1] for r in lines)
    lost = [(n, lid) for n, lid in acked.items()
            if lid not in by_id or by_id[lid][1] != n]
    dups = {n: c for n, c in numbers.items() if c > 1}
    strangers = [n for n in numbers if n not in sent]
    if lost:
        problems.append("acknowledged but missing or changed: %d, e.g. %s"
                        % (len(lost), lost[:5]))
    if dups:
        problems.append("numbers stored more than once: %d, e.g. %s"
                        % (len(dups), list(dups.items())[:5]))
    if strangers:
        problems.append("numbers never sent: %s" % strangers[:5])
    return {"acked": len(acked), "found": len(acked) - len(lost),
            "lost": len(lost),
            "duplicates": sum(c - 1 for c in dups.values())}


def check_line_attempts(lid, atts, line, bad):
    """One line's attempts (line_id, id, number, started_at, ended_at,
    outcome), in order; returns its calls that were not callbacks."""
    calls = 0
    for i, a in enumerate(atts):
        prev = atts[i - 1] if i else None
        if prev is None or prev[5] != "callback_requested":
            calls += 1
        if prev is not None and (prev[4] is None or prev[4] > a[3]):
            bad["attempts of one line overlap (line, earlier, later)"] \
                .append((lid, prev[1], a[1]))
    if calls > 1 + RETRY_LIMIT:
        bad["lines over their budget of %d calls" % (1 + RETRY_LIMIT)] \
            .append((lid, calls, [a[5] for a in atts]))
    if [a[2] for a in atts] != list(range(1, len(atts) + 1)):
        bad["attempt numbers not 1..n"].append((lid, [a[2] for a in atts]))
    if line is not None and line[3] != len(atts):
        bad["line.attempts differs from its attempt rows"].append(
            (lid, line[3], len(atts)))
    return calls


def check_attempts(con, cid, lines, problems):
    """Dial once per due time, budgets, order, numbering, outcomes."""
    total, distinct = con.execute(
        "SELECT (SELECT count(*) FROM attempt), (SELECT count(*) FROM "
        "(SELECT DISTINCT line_id, due_at FROM attempt))").fetchone()
    if total != distinct:
        problems.append("a line was dialled twice for one due time: %d "
                        "attempts, %d distinct (line_id, due_at)"
                        % (total, distinct))
    per_line = collections.defaultdict(list)
    for r in con.execute(
            "SELECT line_id, id, number, started_at, ended_at, outcome "
            "FROM attempt WHERE campaign_id = ? ORDER BY line_id, id",
            (cid,)):
        per_line[r[0]].append(r)
    by_id = {r[0]: r for r in lines}
    bad = collections.defaultdict(list)
    max_calls = max([check_line_attempts(lid, atts, by_id.get(lid), bad)
                     for lid, atts in per_line.items()], default=0)
    for lid, r in by_id.items():
        if r[3] and lid not in per_line:
            bad["line.attempts differs from its attempt rows"].append(
                (lid, r[3], 0))
    for what, examples in bad.items():
        problems.append("%s: %d, e.g. %s" % (what, len(examples),
                                             examples[:5]))
    unsettled = con.execute("SELECT count(*) FROM attempt "
                            "WHERE outcome IS NULL").fetchone()[0]
    if unsettled:
        problems.append("%d attempts without an outcome" % unsettled)
    outcomes = dict(con.execute(
        "SELECT coalesce(outcome, '-'), count(*) FROM attempt "
        "WHERE campaign_id = ? GROUP BY 1", (cid,)).fetchall())
    return {"attempts": total, "max_calls_per_line": max_calls,
            "unknown_outcomes": outcomes.get("unknown", 0),
            "outcomes": outcomes}


def analyze(db, cid, acked, sent):
    """Reads the SQLite file (daemon stopped); returns (figures,
    problems)."""
    problems = []
    con = h.ro_connect(db)
    try:
        lines = con.execute(
            "SELECT id, to_number, status, attempts, retries FROM line "
            "WHERE campaign_id = ?", (cid,)).fetchall()
        figures = check_contacts(lines, acked, sent, problems)
        figures.update(check_attempts(con, cid, lines, problems))
    finally:
        con.close()
    drift = counts_drift(db)
    if drift:
        problems.append("at the end: %s" % drift)
    figures["lines"] = len(lines)
    figures["statuses"] = dict(collections.Counter(
        h.LINE_STATUS[r[2]] for r in lines))
    return figures, problems


def check_creates(db, main_cid, acked, problems):
    """The created campaigns: each acknowledged one once and whole, none
    partly written or loading, no key held. Returns figures."""
    con = h.ro_connect(db)
    try:
        rows = con.execute(
            "SELECT c.id, c.name, c.loading, (SELECT count(*) FROM line l "
            "WHERE l.campaign_id = c.id) FROM campaign c WHERE c.id <> ?",
            (main_cid,)).fetchall()
        held = con.execute("SELECT count(*) FROM idempotency "
                           "WHERE status = 0").fetchone()[0]
    finally:
        con.close()
    by_name = collections.defaultdict(list)
    for cid, name, loading, n in rows:
        by_name[name].append(cid)
        if loading or n != CREATE_ROWS:
            problems.append("created campaign %d (%s) is partly written: "
                            "%d lines, loading=%d" % (cid, name, n, loading))
    twice = {n: ids for n, ids in by_name.items() if len(ids) > 1}
    if twice:
        problems.append("campaigns created twice: %s"
                        % list(twice.items())[:5])
    missing = [(n, cid) for n, cid in acked.items()
               if by_name.get(n) != [cid]]
    if missing:
        problems.append("acknowledged creates missing: %s" % missing[:5])
    if held:
        problems.append("%d Idempotency-Keys still held" % held)
    return {"creates_acked": len(acked), "creates_found": len(rows)}


def open_attempts_before(db, t_ms):
    """Attempts started before t_ms (by a previous process) still open."""
    con = h.ro_connect(db)
    try:
        return con.execute("SELECT count(*) FROM attempt WHERE outcome IS "
                           "NULL AND started_at < ?", (t_ms,)).fetchone()[0]
    finally:
        con.close()


def counts_drift(db):
    """line_count against a GROUP BY over line, in one snapshot; returns
    the difference as text, or None."""
    con = h.ro_connect(db)
    try:
        con.execute("BEGIN")
        kept = {(c, st): n for c, st, n in con.execute(
            "SELECT campaign_id, status, n FROM line_count WHERE n <> 0")}
        counted = {(c, st): n for c, st, n in con.execute(
            "SELECT campaign_id, status, count(*) FROM line "
            "GROUP BY campaign_id, status")}
        con.execute("COMMIT")
    finally:
        con.close()
    return None if kept == counted else "line_count %s, lines %s" % (
        kept, counted)


def open_attempt_ids(db):
    con = h.ro_connect(db)
    try:
        return {r[0] for r in con.execute(
            "SELECT id FROM attempt WHERE outcome IS NULL")}
    finally:
        con.close()


def unknown_attempt_ids(db):
    con = h.ro_connect(db)
    try:
        return {r[0] for r in con.execute(
            "SELECT id FROM attempt WHERE outcome = 'unknown'")}
    finally:
        con.close()


# --- The loop ----------------------------------------------------------------


def count_in_flight(d, in_flight, log):
    """Adds the attempts the dead process left open to in_flight (a set;
    None once a read failed)."""
    if in_flight is None:
        return None
    try:
        return in_flight | open_attempt_ids(d.db)
    except Exception as e:  # a figure only; never a failure
        log("note: could not read open attempts: %r" % (e,))
        return None


def setup_campaign(api):
    agent = api.make_agent(welcome_message="Hi {{thread}}")
    num = api.make_number(agent_id=agent["id"], settings={"rules": rules()})
    camp = api.make_campaign(
        name="crash loop", phone_number_id=num["id"],
        concurrent_call_limit=50, enabled_reschedule_call=True,
        reschedule_limit=RESCHEDULE_LIMIT,
        retry_config={"auto_retry": True, "retry_limit": RETRY_LIMIT,
                      "retry_delays_seconds": [1]})
    return camp["id"], num["id"]


def check_replays(load, target, rng, problems, n=3):
    """A few acknowledged idempotent requests, sent again: same line_id."""
    with load.lock:
        done = list(load.idem.items())
    replayed = 0
    for number, (key, body) in rng.sample(done, min(n, len(done))):
        try:
            r = post(target.port, load.path, body, load.key, key)
        except (OSError, http.client.HTTPException) as e:
            problems.append("replay of %s failed: %r" % (number, e))
            continue
        replayed += 1
        if r.status != 200 or r.json.get("line_id") != load.acked[number]:
            problems.append("replay of %s (line %d) after a restart gave "
                            "%r" % (number, load.acked[number], r))
    return replayed


def kill_loop(d, load, target, kills, seconds, rng, figures, problems,
              log):
    """Kills d `kills` times (every fifth one while it boots), restarting
    it after each, while load runs. The daemon is up when it returns.
    Returns the ids of the attempts left open by the killed processes
    (None if they could not be read)."""
    t_start = time.monotonic()
    in_flight = set()
    while figures["kills"] < kills:
        # The daemon is up here. Let it work, then kill it.
        left = seconds - (time.monotonic() - t_start)
        mean_up = max(0.1, left / (kills - figures["kills"]) - 0.15)
        time.sleep(rng.uniform(0.2, 1.8) * mean_up)
        d.kill9()
        figures["kills"] += 1
        in_flight = count_in_flight(d, in_flight, log)
        if figures["kills"] % 5 == 4 and figures["kills"] < kills:
            # Kill the next one while it boots: during recovery, the
            # settling of orphans, or just after it listens.
            d.spawn()
            time.sleep(rng.uniform(0, 0.25))
            d.kill9()
            figures["kills"] += 1
            figures["boot_kills"] += 1
            in_flight = count_in_flight(d, in_flight, log)
        d.start()
        target.port = d.port
        left_open = open_attempts_before(d.db, d.launched_ms)
        if left_open:
            problems.append("after kill %d, %d calls of the previous run "
                            "were still unsettled while it served"
                            % (figures["kills"], left_open))
        drift = counts_drift(d.db)
        if drift:
            problems.append("after kill %d: %s" % (figures["kills"], drift))
        figures["replays"] += check_replays(load, target, rng, problems)
    time.sleep(rng.uniform(0.3, 1.0))
    return in_flight


def settle_and_stop(d, key, cid, problems):
    """Waits for every line to be final; returns the campaign as the API
    shows it then; stops the daemon cleanly."""
    api = d.client(key)

    def quiet():
        g = api.campaign(cid)
        opened = sum(g["counts"][s] for s in h.OPEN_STATUSES)
        return g if opened == 0 else None

    try:
        g = h.wait_for(quiet, 30 * h.load_factor(), "every line final",
                       interval=0.2)
    except AssertionError as e:
        problems.append(str(e)[:500])
        g = api.campaign(cid)
    d.stop_clean()
    return g


def compare_api(g, found, problems):
    """The API's counts and status against the lines in the file."""
    db_counts = collections.Counter(found["statuses"])
    api_counts = collections.Counter(
        {s: n for s, n in g["counts"].items() if n})
    if api_counts != db_counts or g["total_lines"] != found["lines"]:
        problems.append("API counts %s (total %s) != lines in the store %s"
                        % (dict(api_counts), g["total_lines"],
                           dict(db_counts)))
    opened = sum(db_counts[s] for s in h.OPEN_STATUSES)
    expect = "waiting" if opened == 0 else "in_progress"
    if g["campaign_status"] != expect:
        problems.append("API says the campaign is %r; its lines (%s) make "
                        "it %r" % (g["campaign_status"], dict(db_counts),
                                   expect))


class Result:
    """What a loop found (figures, problems) and what it checked them
    against: the store, the campaign, acknowledged and sent numbers."""

    def __init__(self, figures, problems, db, cid, acked, sent, creates):
        self.figures = figures
        self.problems = problems
        self.db = db
        self.cid = cid
        self.acked = acked
        self.sent = sent
        self.creates = creates  # name -> id of acknowledged creates


def crash_loop(kills=20, seconds=45.0, workdir=None, seed=None,
               threads=6, rate=15.0, log=print):
    """Runs the loop; returns a Result. kills: kill -9 count; seconds:
    about how long the killing lasts (restarts included)."""
    seed = random.randrange(1 << 30) if seed is None else seed
    rng = random.Random(seed)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="crash-loop-"))
    d = h.RDaemon(workdir, args=["--sim-time-scale", "1",
                                 "--sim-seed", str(seed)])
    problems = []
    figures = {"seed": seed, "kills": 0, "boot_kills": 0,
               "in_flight_at_kill": -1, "replays": 0}
    t_start = time.monotonic()
    d.start()
    try:
        key = d.first_key
        cid, number_id = setup_campaign(d.client(key))
        target = Target(d.port)
        load = Load(target, key, cid, threads, rate)
        creates = Creates(target, key, number_id)
        load.start()
        creates.start()
        try:
            in_flight = kill_loop(d, load, target, kills, seconds, rng,
                                  figures, problems, log)
        finally:
            load.stop()
            creates.stop()
        g = settle_and_stop(d, key, cid, problems)
    finally:
        if d.alive():
            d.proc.kill()
            d.proc.wait()
    figures["seconds"] = round(time.monotonic() - t_start, 1)
    figures["requests"] = load.requests
    figures["failed_requests"] = load.failures
    if load.odd or creates.odd:
        problems.append("unexpected replies to valid requests: %s"
                        % (load.odd + creates.odd)[:5])
    found, more = analyze(d.db, cid, load.acked, load.sent)
    figures.update(found)
    problems.extend(more)
    if in_flight is not None:
        figures["in_flight_at_kill"] = len(in_flight)
        unknown = unknown_attempt_ids(d.db)
        if unknown != in_flight:
            problems.append(
                "calls in flight at a kill and calls settled `unknown` "
                "differ: in flight only %s, unknown only %s"
                % (sorted(in_flight - unknown)[:10],
                   sorted(unknown - in_flight)[:10]))
    figures.update(check_creates(d.db, cid, creates.acked, problems))
    figures["creates_taken_back"] = d.all_stderr().count(
        "whose creation the last stop cut short")
    compare_api(g, found, problems)
    figures["campaign_status"] = g["campaign_status"]
    reports = h.bb.sanitizer_reports(d.all_stderr())
    if reports:
        problems.append("sanitizer reports %s" % reports)
    return Result(figures, problems, d.db, cid, load.acked, load.sent,
                  creates.acked)


def summary(f):
    return ("crash loop: kills=%d (%d while booting) acknowledged=%d "
            "found=%d lost=%d duplicates=%d requests=%d failed_requests=%d "
            "lines=%d attempts=%d unknown=%d in_flight_at_kill=%d "
            "replays=%d max_calls_per_line=%d status=%s creates=%d "
            "(%d found, %d taken back) seconds=%.1f seed=%d" % (
                f["kills"], f["boot_kills"], f["acked"], f["found"],
                f["lost"], f["duplicates"], f["requests"],
                f["failed_requests"], f["lines"], f["attempts"],
                f["unknown_outcomes"], f["in_flight_at_kill"],
                f["replays"], f["max_calls_per_line"],
                f["campaign_status"], f["creates_acked"],
                f["creates_found"], f["creates_taken_back"],
                f["seconds"], f["seed"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--threads", type=int, default=6)
    ap.add_argument("--rate", type=float, default=15.0,
                    help="requests a second per client thread")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--workdir", help="keep the store and logs here")
    ap.add_argument("--bin", help="campaignd binary (default CAMPAIGND_BIN "
                    "or build/rel/campaignd)")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    h.use_binary(a.bin)
    try:
        if a.workdir:
            os.makedirs(a.workdir, exist_ok=True)
        res = crash_loop(a.kills, a.seconds, a.workdir, a.seed, a.threads,
                         a.rate)
    finally:
        h.drop_binary()
    figures, problems = res.figures, res.problems
    print("statuses:", figures["statuses"])
    print("outcomes:", figures["outcomes"])
    for p in problems:
        print("PROBLEM:", p)
    print(summary(figures))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
