"""The per-request time limit (dashboard/time_limit.py) in one process: a request over the limit calls the exit once,
requests inside the limit never do, and a finished request is forgotten."""

from __future__ import annotations

import threading
import time

from dashboard.time_limit import EXIT_CODE, RequestClock


def _slow_app(seconds: float):
    def app(environ, start_response):
        time.sleep(seconds)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]
    return app


def _call(clock: RequestClock) -> list:
    return list(clock({"PATH_INFO": "/api/v1/slow"}, lambda status, headers: None))


def test_a_request_over_the_limit_ends_the_worker():
    exits: list[int] = []
    clock = RequestClock(_slow_app(0.6), limit_s=0.2, check_every_s=0.05)
    clock.watch(exits.append)
    assert _call(clock) == [b"done"]  # this process only records the exit; a worker would be gone by now
    assert exits == [EXIT_CODE] and EXIT_CODE not in (3, 4)  # gunicorn halts the whole server on 3 and 4


def test_requests_inside_the_limit_do_not():
    exits: list[int] = []
    clock = RequestClock(_slow_app(0.05), limit_s=0.5, check_every_s=0.05)
    clock.watch(exits.append)
    threads = [threading.Thread(target=_call, args=(clock,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(0.7)  # past the limit counted from the requests' start: finished requests must not count
    assert exits == [] and clock.running == {}


def test_overdue_names_the_path_and_seconds():
    clock = RequestClock(_slow_app(0), limit_s=10)
    clock.running[1] = (100.0, "/api/v1/segregation/indices")
    assert clock.overdue(now=105.0) == []
    assert clock.overdue(now=112.5) == [(12.5, "/api/v1/segregation/indices")]


class _SlowBody:
    """A request body that arrives slowly (one read of it takes `seconds`)."""

    def __init__(self, data: bytes, seconds: float):
        self.data, self.seconds = data, seconds

    def read(self, n: int = -1) -> bytes:
        time.sleep(self.seconds)
        return self.data


def test_a_slow_request_body_does_not_count_against_the_limit():
    exits: list[int] = []
    got: list[bytes] = []

    def app(environ, start_response):
        got.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b"ok"]

    clock = RequestClock(app, limit_s=0.2, check_every_s=0.05)
    clock.watch(exits.append)
    environ = {"PATH_INFO": "/_dash-update-component", "CONTENT_LENGTH": "4", "wsgi.input": _SlowBody(b"body", 0.6)}
    assert list(clock(environ, lambda status, headers: None)) == [b"ok"]
    time.sleep(0.2)
    assert got == [b"body"] and exits == []  # the 0.6 s of reading were the client's, not the app's
