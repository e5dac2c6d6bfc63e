"""The WebGL map engine's pure JavaScript (number and hover formatting, escaping, colour scales, selection geometry), tested
with Node's own test runner (`npm test`): Node comes with scripts/test.sh, which also builds the engine."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_map_engines_javascript_passes_its_unit_tests():
    node = shutil.which("node")
    assert node, "Node is needed (scripts/test.sh installs Debian's nodejs)"
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "dashboard/mapgl/tests").glob("*.test.js"))
    assert files, "no JavaScript tests found"
    # files named explicitly (Node 21+ no longer searches a folder given as argument), TAP output on every Node version
    done = subprocess.run([node, "--test", "--test-reporter=tap", *files], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout, done.stdout[-1500:]


def test_a_missing_bundle_falls_back_to_plotly(monkeypatch, caplog):
    """Without the built bundle the app says how to build it and draws with Plotly; an unknown engine is refused."""
    from dashboard import mapgl

    monkeypatch.setattr(mapgl, "BUILT", False)
    mapgl.engine.cache_clear()
    try:
        with caplog.at_level("WARNING", logger="quartiersatlas"):
            assert mapgl.engine("webgl") == "plotly"
        assert "scripts/setup-js.sh" in caplog.text
        assert mapgl.js_dist() == []
        assert mapgl.engine("plotly") == "plotly"
        with pytest.raises(ValueError, match="map_engine"):
            mapgl.engine("leaflet")
    finally:
        mapgl.engine.cache_clear()


def test_without_the_built_runtime_dash_keeps_its_babel_polyfill(monkeypatch, tmp_path):
    """The runtime replaces Babel's polyfill only where it is built; otherwise Dash's page scripts stay as Dash has them
    (the lazy components need a `regeneratorRuntime`)."""
    import copy
    import re

    from dash import _dash_renderer

    from dashboard import mapgl

    def page_scripts() -> list[str]:
        return [path for dependency in _dash_renderer._js_dist_dependencies for path in dependency["relative_package_path"]["prod"]]

    assert page_scripts()[0] == mapgl.RUNTIME_PATH and not any("polyfill@" in path for path in page_scripts())  # built here
    saved = copy.deepcopy(_dash_renderer._js_dist_dependencies)
    react = next(m.group(1) for path in page_scripts() if (m := re.fullmatch(r"deps/react@(.+)\.min\.js", path)))
    try:
        _dash_renderer._set_react_version(react, react)  # Dash's own list, as at import
        monkeypatch.setattr(mapgl, "RUNTIME", tmp_path / "missing.js")
        kept = mapgl.use_regenerator_runtime()
        without = page_scripts()
        monkeypatch.undo()
        again = [mapgl.use_regenerator_runtime(), mapgl.use_regenerator_runtime()]  # twice: listed once
        with_runtime = page_scripts()
    finally:
        _dash_renderer._js_dist_dependencies[:] = saved
    assert kept is False and without[0] == "deps/polyfill@7.12.1.min.js" and mapgl.RUNTIME_PATH not in without
    assert again == [True, True] and with_runtime.count(mapgl.RUNTIME_PATH) == 1 and with_runtime[0] == mapgl.RUNTIME_PATH
    assert with_runtime[1] == f"deps/react@{react}.min.js" and not any("polyfill@" in path for path in with_runtime)
