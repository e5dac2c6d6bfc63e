"""Quartiersatlas Dash app: factory, layout, callbacks, API."""

from .mapgl import js_dist as _mapgl_js_dist
from .mapgl import use_regenerator_runtime

__version__ = "0.1.0"  # fingerprints the map engine's bundle URL (Dash adds the file's time as well)
_js_dist = _mapgl_js_dist()  # Dash serves component suites of the package that defines a component (dashboard.mapgl)
use_regenerator_runtime()  # in place of Dash's Babel polyfill on every page, when built (dashboard.mapgl)
