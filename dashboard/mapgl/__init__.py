"""The WebGL map engine: `DeckMap`, a Dash component that draws the map figure of `dashboard.figures` with deck.gl.

Its JavaScript (`src/`, deck.gl pinned in package.json) is bundled by esbuild into `dist/deckmap.js` by
`scripts/setup-js.sh`, which the README's commands run; nothing prebuilt is downloaded. The component reads the same
figure dict as `dcc.Graph` (so every callback that patches the map works unchanged; values may come as whole numbers of
their last shown decimal, `dashboard.figures.compact`, which plotly.js would not read) and emits `clickData` and
`selectedData` in dcc.Graph's shape. Where the bundle is missing the app falls back to the Plotly engine (`engine`).
`AfterMap` (through `after_map`) holds back what would delay the map's first frame (plotly.js) until that frame is drawn,
and a closed topic pane until it is first opened.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from dash import html
from dash.development.base_component import Component

BUNDLE = Path(__file__).parent / "dist" / "deckmap.js"
RELATIVE_PATH = "mapgl/dist/deckmap.js"  # inside the `dashboard` package, as Dash serves component suites
# Checked once, when the process starts: Dash registers the script at import, so the engine chosen for the pages must
# agree with it (a bundle built while the server runs is used after a restart). Registered whenever built, also under
# `map_engine = "plotly"`: the browser caches it by its fingerprinted URL.
BUILT = BUNDLE.exists()


PLOTLY = Path(__file__).parent / "dist" / "plotly-basic.min.js"
PLOTLY_PATH = "mapgl/dist/plotly-basic.min.js"  # npm plotly.js-basic-dist-min, copied by scripts/setup-js.sh
PLOTLY_META = "quartiersatlas-plotly"  # <meta name> the bundle reads the URL from (src/plotly-url.js)
PLOTLY_BUILT = BUILT and PLOTLY.exists()  # once, like BUILT: what Dash serves and what the pages name must agree


def js_dist() -> list[dict]:
    """The component suite Dash serves for this package: the bundle when it was built, nothing otherwise; plotly.js'
    basic bundle is served but not put on the page (`dynamic`: the charts load it, `use_basic_plotly`)."""
    if not BUILT:
        return []
    return [{"relative_package_path": RELATIVE_PATH, "namespace": "dashboard"},
            *([{"relative_package_path": PLOTLY_PATH, "namespace": "dashboard", "dynamic": True}] if PLOTLY_BUILT else [])]


def use_basic_plotly(app, map_engine: str) -> bool:
    """Under the WebGL engine, the page's charts load plotly.js' basic bundle (bar, pie and scatter traces; 1.2 MB)
    instead of the full one (4.8 MB, with the map traces only the Plotly engine needs). Its evaluation took ~0.15 s of the
    main thread against ~0.78 s (headless Chromium, 2 cores, 4 loads each): the charts appear sooner after the first
    map, and a switch in the first seconds waits less behind it. The page names the bundle in a `<meta>`, and the
    map's bundle gives dcc.Graph that address to load plotly.js from (`src/plotly-url.js`). The charts outside the map
    draw bar and scatter traces only; tests/dashboard/test_after_map_browser.py checks every chart's trace types against
    the loaded bundle. The version is plotly.py's own (a test holds package.json to it). True when in use."""
    if engine(map_engine) != "webgl" or not PLOTLY_BUILT:
        return False
    url = f"{app.config.requests_pathname_prefix}_dash-component-suites/dashboard/{PLOTLY_PATH}"
    meta = f'<meta name="{PLOTLY_META}" content="{url}">'
    app.index_string = app.index_string.replace("{%metas%}", f"{{%metas%}}\n        {meta}", 1)
    if meta not in app.index_string:
        raise RuntimeError("the page's index string has no {%metas%}: plotly.js' basic bundle cannot be named")
    return True


RUNTIME = Path(__file__).parent / "dist" / "regenerator-runtime.js"
RUNTIME_PATH = "mapgl/dist/regenerator-runtime.js"  # built beside the bundle by scripts/setup-js.sh (npm regenerator-runtime)


def use_regenerator_runtime() -> bool:
    """Dash's page scripts with `regenerator-runtime` (8 KB) in place of `@babel/polyfill` (99 KB), when it is built.

    Dash puts `@babel/polyfill` 7 (core-js 2 and regenerator-runtime) before React on every page. The browsers that
    draw the map (WebGL 2, ES2020) have everything core-js 2 adds; of the polyfill, Dash's component suites use only
    the global `regeneratorRuntime` (their lazy loaders, compiled by Babel). Evaluating the polyfill cost ~90 ms of the
    page's main thread before the first map in headless Chromium on 2 cores (Chromium's trace). Dash reads its
    dependencies from `dash._dash_renderer._js_dist_dependencies` when it writes a page, so the list is changed there,
    once, in the process: the runtime takes the polyfill's place, first, before React. Without the built file Dash's
    list stays as it is. True when the runtime is in place.
    """
    from dash import _dash_renderer

    if not RUNTIME.exists():
        return False
    for dependency in _dash_renderer._js_dist_dependencies:
        if not isinstance(dependency, dict):  # not the shape Dash 4.4 has: leave it to Dash
            continue
        for key in ("relative_package_path", "external_url"):
            for mode, paths in dependency.get(key, {}).items():
                dependency[key][mode] = [path for path in paths if "polyfill@" not in path]  # deps/… and unpkg.com/@babel/…
    runtime = {"relative_package_path": {"prod": [RUNTIME_PATH], "dev": [RUNTIME_PATH]}, "namespace": "dashboard"}
    if runtime not in _dash_renderer._js_dist_dependencies:
        _dash_renderer._js_dist_dependencies.insert(0, runtime)
    return True


@lru_cache(maxsize=2)
def engine(wanted: str) -> str:
    """The map engine that will run: "webgl" when wanted and built, else "plotly" (warning once how to build it)."""
    if wanted not in ("webgl", "plotly"):
        raise ValueError(f"map_engine must be 'webgl' or 'plotly', not {wanted!r}")
    if wanted == "webgl" and not BUILT:
        logging.getLogger("quartiersatlas").warning(
            "map_engine = 'webgl' but %s is not built (run scripts/setup-js.sh, which the README's commands do): "
            "drawing the map with Plotly", BUNDLE)
        return "plotly"
    return wanted


class DeckMap(Component):
    """The map drawn by deck.gl.

    Parameters
    ----------
    id : str
        The component's id (the app uses `dashboard.ids.MAP`).
    figure : dict
        The map figure of `dashboard.figures.map_figure`, patched by callbacks as dcc.Graph's figure is.
    clickData, selectedData : dict
        Set by the browser: the clicked mark, and the areas inside a box or lasso, as dcc.Graph reports them.
    style, className : optional
        Of the outer element.
    """

    _children_props: list[str] = []
    _base_nodes = ["children"]
    _namespace = "quartiersatlas_map"
    _type = "DeckMap"

    def __init__(self, id=None, figure=None, clickData=None, selectedData=None, style=None, className=None, **kwargs):  # noqa: A002
        self._prop_names = ["id", "figure", "clickData", "selectedData", "style", "className"]
        self._valid_wildcard_attributes = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties = []
        args = {k: v for k, v in {"id": id, "figure": figure, "clickData": clickData, "selectedData": selectedData,
                                   "style": style, "className": className}.items() if v is not None}
        super().__init__(**args, **kwargs)


class AfterMap(Component):
    """A container whose children are mounted once the page's DeckMap has drawn its values (fills, outlines and overlays;
    after 8 s without that, anyway) and, if the container is hidden when it mounts (a closed tab's pane), only once it is
    first shown: a Plotly graph's plotly.js is then loaded after the map's first frame, not before it, and a pane never
    opened costs Dash's renderer nothing (`src/after-map.js`). The children are in the layout from the start (their
    props and callbacks are as without the wrapper). Use `after_map`.

    Parameters
    ----------
    children : Component or list
        What waits for the map.
    id : str, optional
        The container's id.
    style, className : optional
        Of the container, which has them while it waits too (a `minHeight` keeps the children's space).
    """

    _children_props: list[str] = []
    _base_nodes = ["children"]
    _namespace = "quartiersatlas_map"
    _type = "AfterMap"

    def __init__(self, children=None, id=None, style=None, className=None, **kwargs):  # noqa: A002
        self._prop_names = ["children", "id", "style", "className"]
        self._valid_wildcard_attributes = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties = []
        args = {k: v for k, v in {"id": id, "style": style, "className": className}.items() if v is not None}
        super().__init__(children=children, **args, **kwargs)


def after_map(children, map_engine: str, **props) -> Component:
    """`children` in an `AfterMap` where the map is drawn by the WebGL engine; in a plain `html.Div` with the same `props`
    where Plotly draws it (the map itself needs plotly.js, and without the bundle the browser has no AfterMap).

    Parameters
    ----------
    children : Component or list
        What waits for the map.
    map_engine : str
        The `map_engine` setting ("webgl" or "plotly"); `engine` says which one runs.
    **props
        `id`, `style`, `className` of the container.
    """
    return AfterMap(children, **props) if engine(map_engine) == "webgl" else html.Div(children, **props)
