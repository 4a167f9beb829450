"""The per-key rate limit: 429 with Retry-After, per key, not for /health."""
import time

import pytest

from conftest import Daemon, assert_error

RATE = 2  # requests a second per key; bursts of 2 * RATE


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    d = Daemon(tmp_path_factory.mktemp("rate"),
               args=["--rate-limit", str(RATE)]).start()
    yield d
    if d.alive():
        d.stop_clean()


def test_burst_then_429_with_retry_after(limited):
    api = limited.client()
    statuses = [api.get("/api/v1/agents").status for _ in range(2 * RATE)]
    assert statuses == [200] * (2 * RATE)
    r = api.get("/api/v1/agents")
    err = assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1
    assert "retry" in err["message"]
    # Writes are limited too, and a refused write stores nothing.
    r = api.post("/api/v1/agents", {"name": "too fast"})
    assert_error(r, 429, "rate_limited")

    # Another key, even of the same account, has its own bucket.
    other = limited.client(limited.new_key("default"))
    assert other.get("/api/v1/agents").status == 200
    # /health is never limited.
    assert all(api.get("/health", key=None).status == 200
               for _ in range(10))

    time.sleep(float(r.headers["Retry-After"]) + 0.1)
    r = api.get("/api/v1/agents?pagesize=100")
    assert r.status == 200, r
    assert "too fast" not in [a["name"] for a in r.json["agents"]]


def test_bad_keys_are_not_charged_to_anyone(limited):
    api = limited.client(limited.new_key("default"))
    for _ in range(20):
        assert_error(api.get("/api/v1/agents",
                             key="cdk_0123456789ab_" + "A" * 43), 401)
    assert api.get("/api/v1/agents").status == 200
