"""Serve the app with gunicorn (a real WSGI server), app preloaded so workers share the bundle."""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication

from layers.settings import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(settings: Settings, folder: Path, workers: int = 2) -> None:
    """Start gunicorn on settings.host:settings.port serving the bundle in `folder`."""
    from .app import create_app

    app = create_app(settings, folder)
    # Render the page once before forking: Dash registers its JS bundles while serving the index, and every
    # worker must know them (otherwise a worker that did not serve the index answers 500 for the scripts).
    warm = app.server.test_client()
    if warm.get("/").status_code != 200:
        raise RuntimeError("the app failed to render its page; see the log above")
    title = app.server.config["QUARTIERSATLAS_BUNDLE"].manifest.title
    print(f"Quartiersatlas: http://{settings.host}:{settings.port}  ({title}, mode {settings.mode})", flush=True)
    # gunicorn's own access log stays off: the app writes one JSON line per request itself (setting `access_log`,
    # dashboard/security.py: anonymised client, request id, bytes as sent); gunicorn's error log goes to stderr.
    _Gunicorn(app.server, {"bind": f"{settings.host}:{settings.port}", "workers": workers, "threads": 4,
                           "preload_app": True, "timeout": 120, "accesslog": None, "errorlog": "-"}).run()
