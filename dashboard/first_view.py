"""The page in its link's state with every view filled in: the first answer draws the map, no callback runs on load.

Dash builds a page in two steps: the layout (`/_dash-layout`), then one callback request per view whose inputs are in
it, each waiting for the ones it depends on (23–32 requests on load before issue 19). Here the layout is built in the
state of the page's own query string and carries the views of that state: the map figure, legend, overview, key
figures, detail, text summary and link. Their callbacks are registered with `prevent_initial_call=True` and run only
when the user changes something.

The layout request does not carry the page's query string; the browser sends the page's address as `Referer` (the
app's `Referrer-Policy` keeps it for same-origin requests). When it is missing or not this site's page (a proxy that
drops it, a client that withholds it), the page is built in the default state and `restore_from_url` applies the link
as before: slower, never wrong. The views are computed by the callbacks' own functions (one way to build each view).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from html import escape
from typing import Any
from urllib.parse import urlsplit

from dash import Dash, no_update
from flask import Response, has_request_context, request

from layers import Settings
from layers.bundle import Bundle

from . import accessibility as a11y
from . import ids, mapgl
from .callbacks.linked import update_detail, update_views
from .callbacks.main_map import geo_url, update_map
from .callbacks.url import control_values, url_notice, write_url
from .context import current_bundle
from .guards import LAYOUT_PATH
from .layout import serve_layout
from .sections import infrastructure
from .sections.scenario import CHANGE_FACILITY, facility_options
from .security import hidden_layers, names_hidden
from .state import ViewState, default_state, link_basis, parse_query
from .view import VIEW_CONTROLS

log = logging.getLogger("quartiersatlas")


def layout_request() -> bool:
    """True while Dash answers a page's layout request (not when it builds the layout once to validate callbacks)."""
    return has_request_context() and request.path.endswith(LAYOUT_PATH)


def page_address(settings: Settings) -> tuple[str, str] | None:
    """(query string, address) of the page asking for its layout, from `Referer`; None when the header is missing, is not
    a page of this site, or names what this deployment does not show (the portal's internal layers: the URL callback's
    guard answers those, as for any other request)."""
    if not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    search = f"?{parts.query}" if parts.query else ""
    if names_hidden(search, hidden_layers(settings)):
        return None
    return search, request.referrer


def first_views(state: ViewState, search: str, href: str, settings: Settings) -> dict[tuple[str, str], Any] | None:
    """The value of every view of `state` that a callback would otherwise compute on load, by (component id, property);
    None when the state's query does not check (the page then starts from the default state)."""
    values = control_values(state)
    controls, scenario = {name: values[name] for name in VIEW_CONTROLS}, {"data": values["scenario"], "view": values["view"]}
    lang, district, selection = values["lang"], values["district"], values["selection"]
    figure, legend, drawn, redrawn = update_map(controls, lang, district, selection, scenario, None)
    if figure is no_update:
        return None
    histogram, cards, table, info = update_views(controls, district, selection, lang, scenario)
    summary, map_name = a11y.update_summary(controls, lang, district, selection, scenario)
    _, link, _, *briefing = write_url(values, search, href)
    views = {
        (ids.MAP, "figure"): figure, (ids.LEGEND, "children"): legend, (ids.MAP_DRAWN, "data"): drawn, (ids.MAP_FRAMED, "data"): drawn,
        (ids.MAP_REDRAWN, "data"): redrawn,
        (ids.HISTOGRAM, "figure"): histogram, (ids.CARDS, "children"): cards, (ids.TABLE, "children"): table,
        (ids.SELECTION_INFO, "children"): info,
        (ids.DETAIL, "children"): update_detail(selection, controls, lang, scenario),
        (a11y.SUMMARY, "children"): summary, (a11y.MAP_REGION, "aria-label"): map_name,
        (ids.LINK_TEXT, "value"): link, (ids.URL_NOTICE, "children"): url_notice(state),
        # The writing Location's address as the page had it: when Location fills an empty `href` itself on mounting, its
        # first write pushes that address back, undoing any change made since (the map's view in `?map=`, map-fit.js).
        (ids.URL_WRITE, "href"): href,
    }
    if briefing:
        views[(ids.BRIEFING_LINK, "href")] = briefing[0]
    # the topic panels' own pickers that follow the district (their callbacks run on a change of it, not on load)
    views[(infrastructure.AREA, "options")] = infrastructure.area_options(current_bundle(), state.district)
    if settings.mode != "portal":  # the scenario panel's list of facilities to change follows the district and selection
        views[(CHANGE_FACILITY, "options")] = facility_options(current_bundle(), state.district, selection, lang)
    return views


def build_page(bundle: Bundle, settings: Settings):
    """The layout of the page asking for it (see the module's docstring)."""
    if not layout_request():
        return serve_layout(bundle, settings)
    address = page_address(settings)
    # without the page's address: the default state, and the URL callback applies whatever query string the page has
    search, href = address or ("", request.url_root)
    state, built_from = parse_query(search, bundle, settings), (search if address else None)
    if state.scenario:  # the scenario panel and its stores follow the scenario store, which the URL callback sets
        state, built_from = replace(state, scenario=None), None
    try:
        views = first_views(state, search, href, settings)
    except Exception:  # a view that fails must not take the page down: the default state, the link applied by callbacks
        log.exception("the page for %r could not be built in its state; built in the default state", search[:300])
        views = None
    if views is None:
        state, built_from = default_state(bundle, settings), None
        views = first_views(state, "", href, settings)
    page = serve_layout(bundle, settings, state, built_from)
    for (component_id, prop), value in (views or {}).items():
        try:
            setattr(page[component_id], prop, value)
        except KeyError:  # a component this deployment does not have (the scenario panel in the portal)
            continue
    return page


def geometry_preloads(bundle: Bundle, settings: Settings) -> str:
    """`<link rel="preload">` for the geometry the page's first map draws: its basis (`link_basis` of the page's own
    query string, as its layout will be built) and the district outline, at the addresses the map figure names
    (`geo_url`).

    The map's bundle takes them up while the page's scripts still run (`dashboard/mapgl/src/index.js`), so the geometry
    is in and parsed when the map mounts; asked for by the map itself it came after React's first render of the page
    and waited for the main thread (0.38 s from request to parsed on a settled 2-core machine)."""
    search = request.query_string.decode("latin-1")
    default = default_state(bundle, settings).basis
    basis = default if names_hidden(search, hidden_layers(settings)) else link_basis(search, bundle, default)
    urls = dict.fromkeys([geo_url(basis), geo_url(bundle.levels[0].id)])
    return "".join(f'\n        <link rel="preload" href="{escape(url)}" as="fetch" crossorigin="anonymous" data-qa-geometry>'
                   for url in urls)


def init_first_view(app: Dash, bundle: Bundle, settings: Settings) -> None:
    """Build each page in its link's state; its layout answer depends on the page's address, so caches must not share it.
    The page's HTML asks for its map's geometry at once (`geometry_preloads`) where the WebGL engine draws it (Plotly's
    reads its GeoJSON otherwise and would not take the preloaded answer)."""
    app.layout = lambda: build_page(bundle, settings)

    @app.server.after_request
    def _layout_per_page(response: Response) -> Response:
        if request.path.endswith(LAYOUT_PATH):
            response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "Referer"]))
            response.headers["Cache-Control"] = "no-store"
        return response

    if mapgl.engine(settings.map_engine) == "webgl":
        interpolate_index = app.interpolate_index

        def with_geometry(**parts: str) -> str:
            try:
                links = geometry_preloads(bundle, settings)
            except Exception as exc:  # an optimisation only: the map asks for its geometry itself
                log.warning("no geometry preload for %r: %s", request.query_string[:300], exc)
                links = ""
            # after the style sheets (and the layout's preload, which follows the metas): on a slow line they come first
            return interpolate_index(**{**parts, "css": parts.get("css", "") + links})

        app.interpolate_index = with_geometry
