"""Load and faults against a real portal (`quartiersatlas serve --mode portal`, gunicorn) on loopback: a realistic mix
of page loads, geometry, layer API JSON/CSV and recorded Dash callbacks at 50, 100 and 200 concurrent users; then one
worker killed with SIGKILL under 100 users, and Redis stopped once. Bounded: every level runs a fixed time, only
127.0.0.1 is ever contacted.

The client is a small asyncio HTTP/1.1 client with keep-alive (one connection per user), written here so that the
benchmark needs nothing beyond the standard library.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from .common import Row

HOST = "127.0.0.1"
LEVELS = (50, 100, 200)
SECONDS = 20.0  # per level
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends: the server compresses as it does for a browser
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


async def _request(reader, writer, method: str, path: str, body: bytes | None = None) -> int:
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: keep-alive\r\nAccept-Encoding: {ACCEPT_ENCODING}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + (body or b""))
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


def _mix(periods: int, bases: list[str], groups: list[str], first_period: str) -> list[tuple[str, str, bytes | None, str]]:
    """(method, path, body, kind) requests a portal visitor makes: a page load with its assets, geometry, API, callbacks."""
    from bench.run import _payload, _views_payload
    from dashboard import ids

    reqs = [("GET", "/", None, "page"), ("GET", "/_dash-layout", None, "page"), ("GET", "/_dash-dependencies", None, "page"),
            *(("GET", url, None, "asset") for url in _page_assets())]
    for basis in bases:
        reqs.append(("GET", f"/geo/{basis}.json", None, "geo"))
        for group in groups:
            reqs.append(("GET", f"/api/v1/layers/migration_share?{'res=' + basis[3:] if basis.startswith('h3_') else 'level=' + basis}"
                                f"&group={group}", None, "api"))
        reqs.append(("GET", f"/api/v1/layers/migration_count?level={bases[0]}&format=csv", None, "api"))
    for period in range(max(0, periods - 3), periods):
        for basis in bases:
            for group in groups:
                for changed in (f"{ids.PERIOD}.value", f"{ids.GROUP}.value", f"{ids.BASIS}.value", f"{ids.LAYER}.value"):
                    body = _payload("migration_share", group, basis, period, first_period, changed)
                    reqs.append(("POST", "/_dash-update-component", json.dumps(body).encode(), "callback"))
            reqs.append(("POST", "/_dash-update-component",
                         json.dumps(_views_payload("migration_share", basis, period, first_period, f"{ids.MAP_FRAMED}.data", None, [])).encode(),
                         "callback"))
    return reqs


def _page_assets() -> list[str]:
    """Every script and stylesheet the portal's page loads (as a first-time visitor fetches them), plus the map's
    lazily loaded chunk; read from the running server's page."""
    import re

    with urllib.request.urlopen(f"http://{HOST}:{PORT[0]}/", timeout=10) as page:
        html = page.read().decode()
    urls = re.findall(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"', html)
    return [*dict.fromkeys(urls), "/_dash-component-suites/dash/dcc/async-graph.js"]


async def _user(stop_at: float, reqs, results: list, rng: random.Random) -> None:
    reader = writer = None
    while time.perf_counter() < stop_at:
        method, path, body, kind = rng.choice(reqs)
        t0 = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, PORT[0])
            status = await asyncio.wait_for(_request(reader, writer, method, path, body), timeout=30)
            results.append((t0, time.perf_counter() - t0, kind, status))
        except (OSError, ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
            results.append((t0, time.perf_counter() - t0, kind, 0))
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


PORT = [0]


def _run(users: int, seconds: float, reqs, fault=None) -> list:
    results: list = []

    async def main():
        stop_at = time.perf_counter() + seconds
        tasks = [asyncio.create_task(_user(stop_at, reqs, results, random.Random(i))) for i in range(users)]
        if fault is not None:
            await asyncio.sleep(seconds / 3)
            await asyncio.get_running_loop().run_in_executor(None, fault)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    return results


def _stats(results: list, kinds=("api", "callback")) -> tuple[float, float, float, float, int, int]:
    lat = np.array([r[1] for r in results if r[2] in kinds and r[3] == 200])
    errors = sum(1 for r in results if r[3] not in (200, 204, 304))
    if len(lat) == 0:
        return 0, float("nan"), float("nan"), float("nan"), errors, len(results)
    return len(results), *np.percentile(lat, [50, 95, 99]), errors, len(results)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _serve(folder: Path, extra_env: dict, city: tuple[str, ...] = ("--city", "berlin"), mode: str = "portal") -> subprocess.Popen:
    """`quartiersatlas serve` (gunicorn, 2 workers) on PORT[0] in `mode`, once it answers and both workers run."""
    env = {**os.environ, "QUARTIERSATLAS_BUNDLE_DIR": str(folder.parent), "QUARTIERSATLAS_ACCESS_LOG": "false",
           "QUARTIERSATLAS_RATE_LIMIT_API": "", "QUARTIERSATLAS_RATE_LIMIT_DOWNLOADS": "", "QUARTIERSATLAS_RATE_LIMIT_CALLBACKS": "",
           "QUARTIERSATLAS_CELL_KEY_SECRET_FILE": str(folder.parent / "bench-cell-key.secret"), **extra_env}
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve", "--mode", mode, *city, "--port", str(PORT[0]),
                             "--workers", "2"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1200):
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT[0]}/api/v1/layers", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the {mode} did not start")
            time.sleep(0.1)
    for _ in range(100):
        if len(_children(proc.pid)) == 2:
            break
        time.sleep(0.1)
    return proc


def bench_load(settings, folder: Path, seconds: float = SECONDS) -> list[Row]:
    from layers.bundle import load_bundle

    bundle = load_bundle(folder)
    PORT[0] = _free_port()
    rows: list[Row] = []
    proc = _serve(folder, {})
    try:
        reqs = _mix(len(bundle.periods), ["planungsraum", "bezirksregion", "h3_9"], ["mig_bg", "foreign"], bundle.periods[0])
        _run(20, 5.0, reqs)  # warm the caches as real traffic would
        for users in LEVELS:
            n, p50, p95, p99, errors, total = _stats(_run(users, seconds, reqs))
            ok = p95 <= 1.0 and errors == 0
            rows.append(Row(f"portal load, {users} users ({seconds:.0f} s)", "p95 ≤ 1 s, 0 errors",
                            f"{n / seconds:.0f} req/s; p50 {p50 * 1000:.0f} / p95 {p95 * 1000:.0f} / p99 {p99 * 1000:.0f} ms; {errors} errors",
                            ok, "API and callback latency; mix of pages, assets, geometry, API JSON/CSV, Dash callbacks"))
        workers = _children(proc.pid)
        rss = [_rss_mb(p) for p in workers]
        rows.append(Row("resident memory per worker, Berlin (portal, after the load)", "–", " / ".join(f"{r:.0f} MB" for r in rss), None,
                        f"master {_rss_mb(proc.pid):.0f} MB"))
        victim = workers[0]
        killed_at = [0.0]

        def kill_worker():
            killed_at[0] = time.perf_counter()
            os.kill(victim, signal.SIGKILL)

        results = _run(100, seconds, reqs, kill_worker)
        failed = [r for r in results if r[3] not in (200, 204, 304)]
        after = [r for r in results if r[0] >= killed_at[0]]
        last_fail = max((r[0] + r[1] for r in failed), default=killed_at[0])
        share = 100 * len(failed) / max(len(results), 1)
        recovery = max(0.0, last_fail - killed_at[0])
        rows.append(Row("one worker killed (SIGKILL) under 100 users", "≤ 1 % failed, recovered ≤ 5 s",
                        f"{len(failed)} of {len(results):,} failed ({share:.2f} %); recovered in {recovery:.1f} s",
                        share <= 1 and recovery <= 5, f"{len(after):,} requests after the kill; gunicorn replaced the worker"))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    rows.append(_without_answer_cache(folder, reqs, seconds))
    rows.append(_demo_memory(settings, folder, seconds))
    redis_bin = shutil.which("redis-server")
    if redis_bin:
        rport = _free_port()
        redis = subprocess.Popen([redis_bin, "--port", str(rport), "--bind", HOST, "--save", "", "--appendonly", "no"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        proc = _serve(folder, {"QUARTIERSATLAS_CACHE_TYPE": "RedisCache", "QUARTIERSATLAS_CACHE_REDIS_URL": f"redis://{HOST}:{rport}/0"})
        try:
            _run(20, 5.0, reqs)
            results = _run(100, seconds, reqs, lambda: (redis.kill(), redis.wait(5)))
            failed = sum(1 for r in results if r[3] not in (200, 204, 304))
            rows.append(Row("Redis stopped under 100 users (cache_type RedisCache)", "0 failed", f"{failed} of {len(results):,} failed",
                            failed == 0, "the fail-safe cache computes instead and logs the outage once"))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
            if redis.poll() is None:
                redis.kill()
    else:
        rows.append(Row("Redis stopped under 100 users", "0 failed", "not run: redis-server missing", False))
    return rows


def _without_answer_cache(folder: Path, reqs, seconds: float) -> Row:
    """200 users with `answer_cache` off: every callback builds its figure again (the capacity without repeated views)."""
    proc = _serve(folder, {"QUARTIERSATLAS_ANSWER_CACHE": "false"})
    try:
        _run(20, 5.0, reqs)
        n, p50, p95, p99, errors, _ = _stats(_run(200, seconds, reqs))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return Row("portal load, 200 users, answer cache off", "– (for comparison)",
               f"{n / seconds:.0f} req/s; p50 {p50 * 1000:.0f} / p95 {p95 * 1000:.0f} / p99 {p99 * 1000:.0f} ms; {errors} errors", None,
               "each callback builds and serialises its figure (~12 ms of CPU); layer results still cached")


def _demo_memory(settings, berlin_folder: Path, seconds: float) -> Row:
    """Resident memory per worker serving the synthetic demo city at Berlin size (3.9 million residents, address points)
    after a short load of its own views."""
    from layers.build import build_city
    from layers.bundle import load_bundle

    folder = berlin_folder.parent / "demo-berlin"
    if not (folder / "manifest.json").exists():
        from layers.settings import load_settings

        build_city(load_settings(settings.config_path, bundle_dir=str(berlin_folder.parent)), "demo", size="berlin", log=lambda *_: None)
    bundle = load_bundle(folder)
    levels = [lvl.id for lvl in bundle.manifest.levels]
    proc = _serve(folder, {}, ("--city", "demo", "--size", "berlin"))
    try:
        reqs = _mix(len(bundle.periods), [levels[-1], levels[-2], "h3_9"], ["mig_bg", "foreign"], bundle.periods[0])
        _run(20, 5.0, reqs)  # warm, as for Berlin
        _, _, p95, _, errors, _ = _stats(_run(50, seconds / 2, reqs))
        rss = [_rss_mb(p) for p in _children(proc.pid)]
        master = _rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return Row("resident memory per worker, demo city at Berlin size (portal, after load)", "–",
               " / ".join(f"{r:.0f} MB" for r in rss), None,
               f"master {master:.0f} MB; 50 users: p95 {p95 * 1000:.0f} ms, {errors} errors")
