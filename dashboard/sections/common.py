"""What every section's callbacks share: compute only for the visible tab, and re-draw overlays after a new map."""

from __future__ import annotations

from typing import Callable

from dash import no_update


def when_active(section_id: str, outputs: int, fn: Callable) -> Callable:
    """Wrap a callback whose first argument is the active tab: hidden sections do no work (a click on the tab
    triggers it again). Heavy views, such as index tables with permutation tests, then cost nothing while unseen.

    Register it with `prevent_initial_call=True`: a page opens on the overview tab, so a section's first call would
    only answer "not active" and cost a request on page load (issue 19: at most 5 callback requests on load). Take the
    language from `ids.TABS_LANG`, not from the language control: a new language rebuilds the tabs, and the store changes
    in the same answer, so the section then fills the new tab's components, never the ones being replaced."""
    def wrapped(active_tab, *args):
        if active_tab != section_id:
            return no_update if outputs == 1 else (no_update,) * outputs
        return fn(*args)
    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def map_redrawn(drawn: dict | None) -> bool:
    """True right after the map got a whole new figure (a basis switch or the first draw): overlays must be re-applied.

    Callbacks that patch the map take `Input(ids.MAP_DRAWN, "data")`; before the first draw (None) there is nothing to patch.
    """
    return bool(drawn) and bool(drawn.get("full"))
