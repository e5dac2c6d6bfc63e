"""A time limit for every request under gunicorn's threaded workers.

gunicorn's `timeout` does not bound a request in a `gthread` worker: the worker's main loop keeps reporting to the
master while a thread computes, so a request can run for as long as its computation takes (a planner's
`/api/v1/segregation/indices?res=10&pvalues=1&iterations=999` on Berlin runs for many minutes). Python cannot stop a
thread from outside, so this does what gunicorn's sync workers do on a timeout: when a request of this worker has run
longer than the limit, the worker logs it and exits; the master starts a fresh one at once. The other requests in
flight on that worker fail with it (as with a sync-worker timeout); the server keeps serving.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

log = logging.getLogger("quartiersatlas.time_limit")

EXIT_CODE = 1  # any code but gunicorn's 3 (worker boot error) and 4 (app load error), which halt the whole server


class RequestClock:
    """WSGI middleware noting when each running request began; `watch()` (after the fork) ends the worker when one of
    them runs longer than `limit_s` seconds.

    Parameters
    ----------
    app : the WSGI application.
    limit_s : time limit of one request, seconds (setting `worker_timeout_s`).
    check_every_s : how often the watchdog looks, seconds.
    max_body : bodies up to this size (bytes; the app's `max_request_bytes`) are read before the clock starts.
    """

    def __init__(self, app: Callable, limit_s: float, check_every_s: float = 1.0, max_body: int = 16_777_216):
        self.app, self.limit_s, self.check_every_s, self.max_body = app, float(limit_s), check_every_s, max_body
        self.running: dict[int, tuple[float, str]] = {}  # thread id → (start, monotonic s; path)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # The clock starts once the request body is in: a client that sends its body slowly must not end the worker
        # (a buffering reverse proxy in front keeps such clients away from the workers altogether).
        length = int(environ.get("CONTENT_LENGTH") or 0) if str(environ.get("CONTENT_LENGTH") or "0").isdigit() else 0
        if 0 < length <= self.max_body:
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))
        thread = threading.get_ident()
        self.running[thread] = (time.monotonic(), environ.get("PATH_INFO", ""))
        try:
            return self.app(environ, start_response)
        finally:
            self.running.pop(thread, None)

    def overdue(self, now: float | None = None) -> list[tuple[float, str]]:
        """(seconds running, path) of every request over the limit."""
        now = time.monotonic() if now is None else now
        return [(now - start, path) for start, path in list(self.running.values()) if now - start > self.limit_s]

    def watch(self, exit_worker: Callable[[int], None] = os._exit) -> threading.Thread:
        """Start the watchdog thread of this process (call in gunicorn's `post_fork`: threads do not survive a fork)."""
        def loop() -> None:
            while True:
                time.sleep(self.check_every_s)
                late = self.overdue()
                if late:
                    seconds, path = max(late)
                    log.error("request %s ran %.0f s, over the time limit of %.0f s (worker_timeout_s): the worker "
                              "(pid %d) exits and is replaced", path[:200], seconds, self.limit_s, os.getpid())
                    for handler in logging.getLogger().handlers + log.handlers:
                        handler.flush()
                    exit_worker(EXIT_CODE)
                    return

        thread = threading.Thread(target=loop, name="request-time-limit", daemon=True)
        thread.start()
        return thread
