"""Callbacks: translate the view state into layer queries and results into figures (geometry is never resent).

One state (controls + selection store) drives every view; the URL mirrors it (`url`). The map gets a full figure only
when the basis changes; everything else is a Patch of values, highlight or view (`main_map`). The linked views follow
the map's answer (`linked`, `AFTER_MAP`); the selection store has its own module (`selection`), and so do the controls'
options, texts and player (`controls`). Each module attaches its own callbacks (`register`); `register_callbacks` all.
The page is built in its link's state, views included (`dashboard.first_view`): no view is computed again on load.
"""

from __future__ import annotations

from dash import Dash

from ..accessibility import register_accessibility
from . import controls, linked, main_map, selection, url
from .main_map import AFTER_MAP, geojson_bytes

__all__ = ["AFTER_MAP", "geojson_bytes", "register_callbacks"]


def register_callbacks(app: Dash) -> None:
    """Attach the callbacks to one app (explicitly: `dash.callback`'s global list is consumed by the first app
    that starts, so a second app in the same process, as in tests and benchmarks, would get none)."""
    for module in (main_map, linked, controls, selection, url):
        module.register(app)
    register_accessibility(app)  # map summary, table alternative, page language (dashboard/accessibility.py)
