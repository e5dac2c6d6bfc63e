"""Shared fixtures: settings pointing at temporary bundle folders, the demo city and the real Berlin bundle."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

# One fixed cell-key secret for every test (a deployment makes its own): the portal's published values, and so every
# test of them, are the same on every machine. Tests that need another secret pass cell_key_secret_file themselves.
os.environ.setdefault("QUARTIERSATLAS_CELL_KEY_SECRET_FILE", str(Path(__file__).resolve().parent / "fixtures" / "cell-key.secret"))

from dashboard.mapgl import BUNDLE  # noqa: E402 - after the secret is set
from layers.bundle import load_bundle, write_bundle  # noqa: E402
from layers.settings import load_settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def pytest_setup_options():
    """dash[testing] hook: drive Debian's Chromium (chromedriver from /usr/bin) headless."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"):
        options.add_argument(arg)
    return options


@pytest.fixture(scope="session")
def bundle_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bundles")


@pytest.fixture(scope="session")
def settings(bundle_root):
    """Project settings with bundles written to a temporary folder.

    The map engine is Plotly's here: most browser tests read its figure in the page (gd._fullData, MapLibre's state).
    tests/dashboard/test_map_webgl_browser.py drives the WebGL engine, the default of config.toml."""
    return load_settings(bundle_dir=str(bundle_root), cache_type="SimpleCache", map_engine="plotly")


@pytest.fixture
def webgl(settings):
    """`settings` with the WebGL map engine (dashboard/mapgl), which must be built: scripts/test.sh builds it."""
    assert BUNDLE.exists(), "the WebGL map is not built: scripts/setup-js.sh (run by scripts/test.sh) builds it"
    return replace(settings, values={**settings.values, "map_engine": "webgl"})


@pytest.fixture(scope="session")
def berlin_dir(settings) -> Path:
    path = settings.path("berlin_dir")
    assert (path / "berlin_lor_2021").is_dir(), (
        f"the real Berlin data are needed at {path} (../shared/data/berlin beside the repo, or QUARTIERSATLAS_BERLIN_DIR)")
    return path


@pytest.fixture(scope="session")
def berlin_bundle(settings, berlin_dir):
    """The real Berlin bundle, built once through the real import code (H3 res 7–10)."""
    from layers.sources.berlin import build_berlin

    folder = write_bundle(build_berlin(berlin_dir, [7, 8, 9, 10]), settings.path("bundle_dir") / "berlin", log=lambda *_: None)
    return load_bundle(folder)


@pytest.fixture(scope="session")
def demo_bundle(settings):
    """The small synthetic demo city (seed 7)."""
    from layers.sources.demo import build_demo

    folder = write_bundle(build_demo("small", seed=7, h3_resolutions=[7, 8, 9, 10]), settings.path("bundle_dir") / "demo-small",
                          log=lambda *_: None)
    return load_bundle(folder)


@pytest.fixture(scope="session")
def koeln_bundle(settings):
    """Cologne, built once through the generic city source from its description (data/cities/koeln.toml)."""
    from layers.sources.generic import build_described, description_path

    path = settings.path("koeln_dir")
    assert (path / "population" / "bevoelkerung.csv").is_file(), (
        f"the real Cologne data are needed at {path} (../shared/data/koeln beside the repo, or QUARTIERSATLAS_KOELN_DIR)")
    folder = write_bundle(build_described(description_path("koeln"), path, [7, 8, 9, 10]), settings.path("bundle_dir") / "koeln",
                          log=lambda *_: None)
    return load_bundle(folder)
