"""App factory: one Dash app per settings and bundle; callbacks register through `dash.callback`."""

from __future__ import annotations

import logging
from pathlib import Path

from dash import Dash
from flask import Response, abort, g

from layers import ParameterError, Settings, activate, bases, bundle_path, computing_bundle, deactivate, load_settings, receipts, start_receipts
from layers.bundle import load_bundle
from layers.scenario import ScenarioError

from . import mapgl
from .accessibility import apply_index_string
from .api import api, parameter_error, scenario_error
from .briefing import briefing
from .callbacks import geojson_bytes, register_callbacks
from .catalogue import catalogue
from .compression import init_compression
from .context import BUNDLE_KEY, SETTINGS_KEY, cache, cache_config
from .cors import init_cors
from .first_view import init_first_view
from .guards import init_guards, lowercase_parameter_names
from .legal import init_legal
from .methods_page import methods_page
from .ogc import ogc
from .openapi import openapi
from .response_cache import init_response_cache
from .sections.common import register_topic_state
from .security import init_security
from .topics import blueprints_for, sections_for

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def create_app(settings: Settings | None = None, bundle_folder: Path | str | None = None) -> Dash:
    """Build the Dash app for a built bundle (default: the configured city's bundle)."""
    settings = settings or load_settings()
    bundle = computing_bundle(load_bundle(bundle_folder or bundle_path(settings)), settings)  # portal: published counts only
    app = Dash(__name__, title="Quartiersatlas", assets_folder=str(ASSETS), compress=False,
               suppress_callback_exceptions=False,
               serve_locally=True)
    server = app.server
    server.config[SETTINGS_KEY] = settings
    server.config[BUNDLE_KEY] = bundle
    init_compression(server)
    cache.init_app(server, config=cache_config(settings))
    server.register_blueprint(api)
    server.register_error_handler(ParameterError, parameter_error)
    server.register_error_handler(ScenarioError, scenario_error)
    server.before_request(start_receipts)
    server.before_request(lowercase_parameter_names)

    @server.before_request
    def _own_settings() -> None:
        """Every computation of this request reads this app's settings (no module-level settings anywhere)."""
        g.settings_token = activate(settings)

    @server.teardown_request
    def _settings_done(_exc) -> None:
        token = g.pop("settings_token", None)
        if token is not None:
            deactivate(token)

    @server.after_request
    def published_header(response: Response) -> Response:
        """How many results and tables of this response passed the one exit (`layers.publication`; checked by the contract test)."""
        names = list(dict.fromkeys(receipts()))
        response.headers["X-Quartiersatlas-Published"] = str(len(names))
        response.headers["X-Quartiersatlas-Published-Names"] = ",".join(names)[:2000]
        return response

    for blueprint in blueprints_for(settings):  # each topic's read routes (`layers.topics`)
        server.register_blueprint(blueprint)
    server.register_blueprint(briefing)  # council briefing and area profile
    server.register_blueprint(openapi)  # OpenAPI description of the read API
    init_cors(server, settings)  # CORS for reading
    server.register_blueprint(catalogue)  # open-data catalogue (DCAT-AP.de)
    server.register_blueprint(ogc)  # OGC API – Features
    init_legal(server, settings)  # Impressum, Datenschutz, Barrierefreiheit
    server.register_blueprint(methods_page)  # docs/methods.md, where the legend's method links point
    init_security(app, settings)  # portal hardening

    allowed = set(bases(bundle))

    @server.get("/geo/<basis_key>.json")
    def geometry(basis_key: str) -> Response:
        if basis_key not in allowed:
            abort(404)
        return Response(geojson_bytes(basis_key), mimetype="application/json",
                        headers={"Cache-Control": "public, max-age=86400"})

    init_first_view(app, bundle, settings)  # each page is built in its link's state, its views filled in
    register_callbacks(app)
    register_topic_state(app, [section.SECTION_ID for section in sections_for(settings)])
    for section in sections_for(settings):
        section.register(app)
    init_guards(app, settings)  # unknown paths 404, malformed callbacks 400 (after every route and callback exists)
    apply_index_string(app, settings.language)  # <html lang>, one contentinfo landmark (dashboard/accessibility.py)
    mapgl.use_basic_plotly(app, settings.map_engine)  # the charts' plotly.js: its basic bundle under the WebGL engine
    init_response_cache(app, settings)  # last: after every guard, before compression (portal only)
    if settings.mode == "portal" and not settings.values.get("public_base_url"):
        logging.getLogger("quartiersatlas").warning(
            "public_base_url is empty: links in the OGC API, the catalogue and the briefing's QR code point at http://%s:%s; "
            "set it to the address the public uses", settings.host, settings.port)
    return app
