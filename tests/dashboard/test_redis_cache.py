"""A shared cache with a real Redis (issue 18): two apps (as two gunicorn workers) share one cache; when Redis goes
down the app keeps serving from computation and logs the outage once."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest

from dashboard.app import create_app
from layers.settings import load_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def redis_url():
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed (scripts/test.sh installs Debian's redis-server)"
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", proc, client
    proc.kill()
    proc.wait(5)


def _app(demo_bundle, settings, url):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), cache_type="RedisCache", cache_redis_url=url, access_log=False)
    return create_app(s, demo_bundle.folder).server.test_client()


def test_two_workers_share_one_redis_cache(demo_bundle, settings, redis_url):
    url, _, client = redis_url
    first, second = _app(demo_bundle, settings, url), _app(demo_bundle, settings, url)
    assert client.dbsize() == 0
    a = first.get("/api/v1/layers/migration_share?res=9")
    keys_after_first = client.dbsize()
    assert a.status_code == 200 and keys_after_first > 0  # the result went to Redis
    b = second.get("/api/v1/layers/migration_share?res=9")
    assert b.status_code == 200 and b.data == a.data
    assert client.dbsize() == keys_after_first  # the second worker found it there and added nothing


def test_redis_down_costs_no_request(demo_bundle, settings, redis_url, caplog):
    url, proc, _ = redis_url
    app = _app(demo_bundle, settings, url)
    assert app.get("/api/v1/layers/migration_share?level=bezirk").status_code == 200
    proc.kill()
    proc.wait(5)
    with caplog.at_level(logging.WARNING, logger="quartiersatlas.cache"):
        codes = [app.get(u).status_code for u in ("/api/v1/layers/migration_share?level=bezirk", "/api/v1/layers/migration_count?res=8",
                                                  "/api/v1/layers/migration_share?res=9")]
    assert codes == [200, 200, 200]
    outage = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(outage) == 1  # logged once per outage, not per request
