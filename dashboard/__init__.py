"""Quartiersatlas Dash app: factory, layout, callbacks, API."""

from .mapgl import js_dist as _mapgl_js_dist

__version__ = "0.1.0"  # fingerprints the map engine's bundle URL (Dash adds the file's time as well)
_js_dist = _mapgl_js_dist()  # Dash serves component suites of the package that defines a component (dashboard.mapgl)
