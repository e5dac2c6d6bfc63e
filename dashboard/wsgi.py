"""WSGI entry for gunicorn: `gunicorn 'dashboard.wsgi:server'` serves the configured city's bundle."""

from .app import create_app

app = create_app()
# Dash registers the component suites' files (the map's bundle, plotly.js' basic bundle) while it renders the page: once
# here, so that with `--preload` every worker knows them (otherwise a worker that has not served the page answers 404
# for them), as `quartiersatlas serve` does (dashboard/server.py).
if app.server.test_client().get("/").status_code != 200:
    raise RuntimeError("the app failed to render its page; see the log above")
server = app.server
