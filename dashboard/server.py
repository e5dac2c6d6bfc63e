"""Serve the app with gunicorn (a real WSGI server), app preloaded so workers share the bundle."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
from pathlib import Path

from gunicorn.app.base import BaseApplication

from layers import Settings, bases
from layers.spatial import Basis, basis_geojson

from .app import create_app
from .context import BUNDLE_KEY
from .time_limit import RequestClock
from .view import area_labels


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_master(server, worker) -> None:
    """gunicorn `post_fork`: the kernel kills this worker when its master goes, however it goes (SIGKILL included), so
    no worker busy in a long computation is left orphaned at 80 % CPU after the server stopped."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: gunicorn's own graceful timeout still applies
        return
    if os.getppid() != server.pid:  # the master died between fork and prctl
        os._exit(1)


def serve(settings: Settings, folder: Path, workers: int = 2) -> None:
    """Start gunicorn on settings.host:settings.port serving the bundle in `folder`."""
    app = create_app(settings, folder)
    # Render the page once before forking: Dash registers its JS bundles while serving the index, and every
    # worker must know them (otherwise a worker that did not serve the index answers 500 for the scripts).
    warm = app.server.test_client()
    if warm.get("/").status_code != 200:
        raise RuntimeError("the app failed to render its page; see the log above")
    bundle = app.server.config[BUNDLE_KEY]
    # Every basis's map geometry too, once, before forking (workers share it): built on a worker's first request it
    # kept that request waiting (Berlin: 0.25 s Planungsraum, 0.3 s H3 res 9, 2.6 s res 10), first visitors' maps with it.
    # Built directly, not through the route: the portal's rate limit would count (and refuse) these requests.
    # Likewise what every map answer of a basis needs, whatever the layer and period: each H3 resolution's cells and
    # interpolation matrix, and each basis's hover heads with their social context. A worker's first period switch built
    # them and waited (Berlin H3 res 9: ~0.2 s on top of the values' 0.03 s; all of them: ~2 s once, here).
    for res in bundle.manifest.h3_resolutions:
        bundle.cells(res)
        bundle.interpolation(res)
    for basis_key in bases(bundle):
        try:
            basis_geojson(bundle, Basis.parse(basis_key))
        except Exception as exc:  # noqa: BLE001 - the page still serves; the route answers 500 for this basis
            logging.getLogger("quartiersatlas").warning("map geometry of %s could not be built: %s", basis_key, exc)
        for lang in ("de", "en"):
            area_labels(bundle, basis_key, lang)
    title = bundle.manifest.title
    print(f"Quartiersatlas: http://{settings.host}:{settings.port}  ({title}, mode {settings.mode})", flush=True)
    # gunicorn's own access log stays off: the app writes one JSON line per request itself (setting `access_log`,
    # dashboard/security/access_log.py: anonymised client, request id, bytes as sent); gunicorn's error log goes to stderr.
    # Every request has a time limit (`worker_timeout_s`: dashboard/time_limit.py ends a worker whose request runs longer,
    # gunicorn's own `timeout` catches a worker that hangs as a whole); on stop,
    # workers get `graceful_timeout_s` to finish, then SIGKILL; and they die with their master in any case.
    clock = RequestClock(app.server.wsgi_app, settings.values["worker_timeout_s"], max_body=int(settings.max_request_bytes))
    app.server.wsgi_app = clock

    def post_fork(server, worker) -> None:
        die_with_master(server, worker)
        clock.watch()

    _Gunicorn(app.server, {"bind": f"{settings.host}:{settings.port}", "workers": workers, "threads": 4, "preload_app": True,
                           "timeout": int(settings.values["worker_timeout_s"]), "graceful_timeout": int(settings.values["graceful_timeout_s"]),
                           "post_fork": post_fork, "accesslog": None, "errorlog": "-"}).run()
