"""What waits for the WebGL map's first frame (`dashboard.mapgl.AfterMap`): the overview's histogram, the topic panels and
the area search are in the first layout inside an AfterMap where the WebGL engine draws the map, in a plain Div where Plotly's does (also
when the bundle is not built: the browser then has no AfterMap)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from plotly.basedatatypes import BaseTraceType

from dashboard import ids, mapgl
from dashboard.app import create_app
from layers.bundle import write_bundle
from tests.tiny import tiny_build

PAGE = "http://localhost/"


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)


@pytest.fixture
def engine_cache():
    """`mapgl.engine` remembers its answer: forgotten before and after a test that changes what it sees."""
    mapgl.engine.cache_clear()
    yield
    mapgl.engine.cache_clear()


def first_layout(settings, folder) -> dict:
    client = create_app(settings, folder).server.test_client()
    response = client.get("/_dash-layout", headers={"Referer": PAGE})
    assert response.status_code == 200
    return orjson.loads(response.data)


def components(node, parent=None):
    """(component, its parent component) of a layout (JSON), depth first."""
    if isinstance(node, dict) and "props" in node:
        yield node, parent
        yield from components(node["props"].get("children"), node)
    elif isinstance(node, list):
        for child in node:
            yield from components(child, parent)


def wrapper_of(page, component_id: str) -> dict:
    found = [parent for c, parent in components(page) if c["props"].get("id") == component_id]
    assert len(found) == 1, f"{component_id}: {len(found)} components"
    return found[0]


def panes(page) -> list[dict]:
    """The content of each tab pane of the section tabs (inside the Div that carries a short-labelled tab's full name)."""
    tabs = next(c for c, _ in components(page) if c["props"].get("id") == ids.SECTION_TABS)
    contents = [tab["props"]["children"] for tab in tabs["props"]["children"]]
    return [c["props"]["children"][-1] if "data-tab-title" in c["props"] else c for c in contents]


def test_with_the_webgl_map_the_histogram_and_the_topic_panels_wait_for_it(settings, tiny_folder, engine_cache):
    if not mapgl.BUILT:
        pytest.skip("the WebGL map is not built (scripts/setup-js.sh)")
    webgl = replace(settings, values={**settings.values, "map_engine": "webgl"})
    page = first_layout(webgl, tiny_folder)
    wrapper = wrapper_of(page, ids.HISTOGRAM)
    assert (wrapper["namespace"], wrapper["type"]) == ("quartiersatlas_map", "AfterMap")
    assert wrapper["props"]["style"] == {"minHeight": "240px"}  # the histogram's height, kept while it waits
    histogram = wrapper["props"]["children"]["props"]
    assert histogram["figure"]["data"] and histogram["style"] == {"height": "240px"}  # the first view's figure, prerendered
    overview, *topics = panes(page)
    assert topics and all(pane["type"] == "AfterMap" for pane in topics)
    assert overview["type"] != "AfterMap"  # the open tab's table, detail and key figures are drawn at once
    search = wrapper_of(page, ids.AREA_SEARCH)  # dcc.Dropdown indexes its options when it mounts: after the map's frame
    assert search["type"] == "AfterMap" and search["props"]["style"] == {"minHeight": "38px"}
    assert search["props"]["children"]["props"]["options"]  # the options are in the first layout: nothing to ask for later


@pytest.mark.parametrize("cause", ["plotly engine", "bundle not built"])
def test_where_plotly_draws_the_map_nothing_waits_and_no_aftermap_is_sent(settings, tiny_folder, engine_cache, monkeypatch, cause):
    wanted = "plotly" if cause == "plotly engine" else "webgl"
    if cause == "bundle not built":
        monkeypatch.setattr(mapgl, "BUILT", False)
    page = first_layout(replace(settings, values={**settings.values, "map_engine": wanted}), tiny_folder)
    assert not [c for c, _ in components(page) if c["type"] == "AfterMap"]
    wrapper = wrapper_of(page, ids.HISTOGRAM)
    assert (wrapper["namespace"], wrapper["type"]) == ("dash_html_components", "Div")
    assert wrapper["props"]["className"] == "mt-2" and wrapper["props"]["style"] == {"minHeight": "240px"}
    assert wrapper["props"]["children"]["props"]["figure"]["data"]
    assert [c for c, _ in components(page) if c["props"].get("id") == ids.MAP][0]["type"] == "Graph"
    assert wrapper_of(page, ids.AREA_SEARCH)["type"] == "Div"


def test_after_map_chooses_by_the_engine_that_runs(engine_cache, monkeypatch):
    monkeypatch.setattr(mapgl, "BUILT", True)
    assert isinstance(mapgl.after_map("x", "webgl", className="c"), mapgl.AfterMap)
    assert mapgl.after_map("x", "plotly", className="c").to_plotly_json()["type"] == "Div"
    assert mapgl.AfterMap("x", id="a", style={"minHeight": "1px"}).to_plotly_json() == {
        "props": {"children": "x", "id": "a", "style": {"minHeight": "1px"}}, "type": "AfterMap", "namespace": "quartiersatlas_map"}


BASIC_TRACES = {"bar", "pie", "scatter"}  # what plotly.js' basic bundle draws (its README; the browser test asks the bundle)


def test_under_the_webgl_engine_the_page_names_plotlys_basic_bundle_and_serves_it(webgl, tiny_folder, engine_cache):
    client = create_app(webgl, tiny_folder).server.test_client()
    found = re.findall(rf'<meta name="{mapgl.PLOTLY_META}" content="([^"]+)">', client.get("/").get_data(as_text=True))
    assert found == ["/_dash-component-suites/dashboard/mapgl/dist/plotly-basic.min.js"]
    script = client.get(found[0])
    assert script.status_code == 200 and script.data == mapgl.PLOTLY.read_bytes()
    assert b"plotly.js (basic - minified) v" in script.data[:200]


def test_the_plotly_engine_keeps_the_full_bundle(settings, tiny_folder, engine_cache):
    assert settings.map_engine == "plotly"
    page = create_app(settings, tiny_folder).server.test_client().get("/").get_data(as_text=True)
    assert mapgl.PLOTLY_META not in page


def test_the_basic_bundle_is_plotly_pys_own_version():
    """package.json pins plotly.js' basic bundle; it must be the plotly.js that plotly.py (pyproject) ships and its
    figures are written for."""
    from plotly.offline import get_plotlyjs_version

    package = orjson.loads((Path(__file__).parents[2] / "package.json").read_bytes())
    assert package["dependencies"]["plotly.js-basic-dist-min"] == get_plotlyjs_version()
    assert f"v{get_plotlyjs_version()}".encode() in mapgl.PLOTLY.read_bytes()[:200]


def test_the_charts_beside_the_map_use_only_trace_types_of_the_basic_bundle():
    """Every chart the WebGL engine's page draws with plotly.js is built in dashboard/ (dashboard/figures.py writes the
    map's figure, which DeckMap reads, and dashboard/mapgl is the engine): their trace types must be in the basic
    bundle. Trace types as dict literals, `type=` keywords, `go.<Trace>(…)` and `fig.add_<trace>(…)`; plotly.express
    is not used (it would hide the types)."""
    import plotly.graph_objects as go

    trace_types = {name.lower() for name in dir(go) if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)}
    root = Path(__file__).parents[2] / "dashboard"
    used: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        if path.name == "figures.py" and path.parent == root or "mapgl" in path.parts:
            continue
        text = path.read_text()
        assert not re.search(r"\bpx\.[a-z_]+\(|import plotly\.express", text), f"{path}: plotly.express"
        names = set(re.findall(r"""["']type["']\s*:\s*["']([a-z0-9]+)["']|\btype\s*=\s*["']([a-z0-9]+)["']""", text))
        names = {n for pair in names for n in pair if n} | {n.lower() for n in re.findall(r"\bgo\.([A-Z][A-Za-z0-9]+)\(", text)}
        names |= set(re.findall(r"\.add_([a-z0-9]+)\(", text))
        if names & trace_types:
            used[str(path.relative_to(root))] = names & trace_types
    assert used and set().union(*used.values()) <= BASIC_TRACES, used
