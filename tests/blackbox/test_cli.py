"""The command line: help, version, usage errors and key management."""
import math
import re
import time

import pytest

from conftest import KEY_RE, assert_error, run_cli


def test_help_exits_zero_and_lists_commands():
    p = run_cli("--help")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("usage: campaignd serve")
    for word in ("serve", "keys create", "keys list", "keys revoke",
                 "--db", "--listen", "--account"):
        assert word in p.stdout, word
    assert p.stderr == ""


def test_version_prints_name_and_semver():
    p = run_cli("--version")
    assert p.returncode == 0
    assert re.fullmatch(r"campaignd \d+\.\d+\.\d+\n", p.stdout), p.stdout


def test_unknown_flag_prints_usage_on_stderr_and_exits_2():
    p = run_cli("--bogus")
    assert p.returncode == 2
    assert p.stdout == ""
    assert "usage: campaignd" in p.stderr


def test_unknown_serve_flag_and_extra_operand_exit_2(tmp_path):
    db = str(tmp_path / "x.db")
    p = run_cli("serve", "--db", db, "--bogus")
    assert p.returncode == 2
    assert "usage: campaignd" in p.stderr
    p = run_cli("serve", "--db", db, "extra")
    assert p.returncode == 2
    assert "usage: campaignd" in p.stderr


def test_no_arguments_and_unknown_command_exit_2(tmp_path):
    for args in ((), ("frobnicate",), ("keys",)):
        p = run_cli(*args, cwd=tmp_path)
        assert p.returncode == 2, args
        assert "usage: campaignd" in p.stderr, args
    assert list(tmp_path.iterdir()) == []


def test_unknown_keys_subcommand_is_usage_and_touches_no_store(tmp_path):
    db = tmp_path / "never.db"
    for args in (("keys", "rotate", "--db", str(db)),
                 ("keys", "create", "--db", str(db))):
        p = run_cli(*args, cwd=tmp_path)
        assert p.returncode == 2, args
        assert "usage: campaignd" in p.stderr, args
        assert not db.exists(), args


def test_keys_create_requires_account(tmp_path):
    p = run_cli("keys", "create", "--db", str(tmp_path / "k.db"))
    assert p.returncode == 2
    assert p.stdout == ""
    assert "usage" in p.stderr


def test_serve_refuses_bad_listen_address(tmp_path):
    p = run_cli("serve", "--db", str(tmp_path / "x.db"), "--listen",
                "not-an-address")
    assert p.returncode != 0
    assert "listen" in p.stderr


def test_keys_create_prints_only_the_key(tmp_path):
    db = str(tmp_path / "k.db")
    p = run_cli("keys", "create", "--db", db, "--account", "acme")
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("\n") == 1
    assert KEY_RE.match(p.stdout.rstrip("\n")), p.stdout


def test_key_format_has_enough_randomness(tmp_path):
    db = str(tmp_path / "k.db")
    keys = []
    for _ in range(3):
        p = run_cli("keys", "create", "--db", db, "--account", "acme")
        assert p.returncode == 0, p.stderr
        keys.append(p.stdout.strip())
    assert len(set(keys)) == 3
    prefixes = set()
    for k in keys:
        m = KEY_RE.match(k)
        assert m, k
        prefixes.add(m.group(1))
        # base64url secret: 6 bits a character; want at least 128 bits.
        assert len(m.group(2)) * 6 >= 128
        assert len(k) >= 4 + 12 + 1 + math.ceil(128 / 6)
    assert len(prefixes) == 3
    # Secrets of different keys share no long common run.
    secrets = {KEY_RE.match(k).group(2)[:16] for k in keys}
    assert len(secrets) == 3


def test_keys_list_shows_prefix_account_and_state(tmp_path):
    db = str(tmp_path / "k.db")
    a = run_cli("keys", "create", "--db", db, "--account", "acme").stdout
    b = run_cli("keys", "create", "--db", db, "--account", "zeta").stdout
    pa = KEY_RE.match(a.strip()).group(1)
    pb = KEY_RE.match(b.strip()).group(1)
    p = run_cli("keys", "revoke", "--db", db, pb)
    assert p.returncode == 0, p.stderr

    p = run_cli("keys", "list", "--db", db)
    assert p.returncode == 0, p.stderr
    rows = {line.split()[1]: line.split() for line in
            p.stdout.splitlines()[1:]}
    assert rows[pa][2:] == ["acme", "active"]
    assert rows[pb][2:] == ["zeta", "revoked"]
    # The secret part never appears in the listing.
    assert a.strip() not in p.stdout and b.strip() not in p.stdout

    p = run_cli("keys", "list", "--db", db, "--account", "acme")
    assert p.returncode == 0
    assert pa in p.stdout and pb not in p.stdout


def test_keys_revoke_unknown_prefix_fails(tmp_path):
    db = str(tmp_path / "k.db")
    run_cli("keys", "create", "--db", db, "--account", "acme")
    p = run_cli("keys", "revoke", "--db", db, "0123456789ab")
    assert p.returncode == 1
    assert "0123456789ab" in p.stderr


def test_first_run_key_is_printed_once_and_works(daemon, api):
    assert KEY_RE.match(daemon.first_key), daemon.first_key
    assert daemon.stdout_text == daemon.first_key + "\n"
    r = api.get("/api/v1/keys")
    assert r.status == 200, r
    prefix = KEY_RE.match(daemon.first_key).group(1)
    assert [k["prefix"] for k in r.json["keys"]] == [prefix]
    assert r.json["keys"][0]["active"] is True
    assert "key" not in r.json["keys"][0]


def test_keys_create_and_revoke_while_daemon_runs(daemon, api):
    key = daemon.new_key("default")
    c = api.with_key(key)
    assert c.get("/api/v1/agents").status == 200

    prefix = KEY_RE.match(key).group(1)
    p = run_cli("keys", "list", "--db", daemon.db)
    assert re.search(r"\b%s\s+default\s+active\b" % prefix, p.stdout)

    p = run_cli("keys", "revoke", "--db", daemon.db, prefix)
    assert p.returncode == 0, p.stderr
    # The daemon's HTTP threads keep the keys they checked for up to a
    # second (KEY_CACHE_MS in src/api/router.c): a key revoked by another
    # process stops working within that; one revoked through the API, at
    # at once (test_auth.py).
    time.sleep(1.2)
    for _ in range(6):
        assert_error(c.get("/api/v1/agents"), 401, "revoked_api_key")
    assert_error(c.post("/api/v1/agents", {"name": "x"}), 401,
                 "revoked_api_key")
    # The other keys of the account keep working.
    assert api.get("/api/v1/agents").status == 200
    p = run_cli("keys", "list", "--db", daemon.db)
    assert re.search(r"\b%s\s+default\s+revoked\b" % prefix, p.stdout)
    # Revoking twice reports that no active key has that prefix.
    assert run_cli("keys", "revoke", "--db", daemon.db, prefix).returncode == 1



def serve_exit_code(tmp_path, *opts, wait=10.0):
    """Runs serve with opts; returns its exit code, or None when it was
    still running (and serving) after `wait` seconds. The wait is long
    because under valgrind merely starting the binary takes a second or
    more; a daemon that refuses its options exits long before."""
    import subprocess
    from conftest import RUN_BIN, free_port
    p = subprocess.Popen([RUN_BIN, "serve", "--db", str(tmp_path / "s.db"),
                          "--listen", "127.0.0.1:%d" % free_port(), *opts],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        p.wait(timeout=wait)
        return p.returncode
    except subprocess.TimeoutExpired:
        p.terminate()
        p.wait()
        return None


def test_serve_refuses_a_bad_time_scale(tmp_path):
    for value in ("-1", "fast", "1001"):
        assert serve_exit_code(tmp_path, "--sim-time-scale", value) == 2


@pytest.mark.parametrize("opt,value", [("--rate-limit", "lots"),
                                       ("--rate-limit", "-1"),
                                       ("--sim-seed", "lots"),
                                       ("--http-threads", "0"),
                                       ("--http-threads", "1.5"),
                                       ("--max-per-address", "-1"),
                                       ("--max-per-address", "5000"),
                                       ("--idempotency-ttl", "soon"),
                                       ("--idempotency-ttl", "-1"),
                                       ("--idempotency-ttl", "1.5")])
def test_serve_refuses_junk_numbers(tmp_path, opt, value):
    assert serve_exit_code(tmp_path, opt, value) == 2


def test_serve_reports_an_unusable_store(tmp_path):
    p = run_cli("serve", "--db", str(tmp_path / "no" / "such" / "dir.db"),
                "--listen", "127.0.0.1:0", timeout=30)
    assert p.returncode == 1
    assert p.stdout == ""
    assert p.stderr.strip()
