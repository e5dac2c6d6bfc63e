"""What every section's callbacks share: compute only for the visible tab, and re-draw overlays after a new map."""

from __future__ import annotations

import json
from typing import Callable

from dash import Dash, Input, Output, State, dcc, html, no_update

from .. import ids


def when_active(section_id: str, outputs: int, fn: Callable) -> Callable:
    """Wrap a callback whose first argument is the active tab: hidden sections do no work (a click on the tab
    triggers it again). Heavy views, such as index tables with permutation tests, then cost nothing while unseen.

    Register it with `prevent_initial_call=True`: a page opens on the overview tab, so a section's first call would
    only answer "not active" and cost a request on page load (issue 19: at most 5 callback requests on load). Take the
    period, basis and district from the topic's own stores (`topic_id`), not from the controls: a change made while
    another tab is open then costs no request either. Take the
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
    """True right after the map got a whole new figure (a basis switch or the first draw): overlays must be re-applied."""
    return bool(drawn) and bool(drawn.get("full"))


# --- what a topic tab sees of the main controls -------------------------------------------------------------

TOPIC_KINDS = {"period": (ids.PERIOD, "value"), "basis": (ids.BASIS, "value"), "district": (ids.DISTRICT, "value")}
TOPIC_STATE = """
function(period, basis, district, tab, ...shown) {
    // each topic reads the period, basis and district from its own stores: they follow the controls while its tab is
    // open (and when it opens), so a change made elsewhere costs the topic's callbacks no request
    const topics = %s, controls = [period, basis, district];
    const skip = window.dash_clientside.no_update;
    return topics.flatMap((own, k) => controls.map((value, j) => {
        const before = shown[controls.length * k + j];
        return (tab !== own || (value ?? null) === (before ?? null)) ? skip : value;
    }));
}
"""


def waiting(content) -> html.Div:
    """`content` in a box that dims it and shows a spinner while a callback updates a component inside it for longer
    than half a second (assets/waiting.css; Dash marks such a component with ``data-dash-is-loading``).

    Not dcc.Loading: every dcc.Loading on the page (Dash's `dashChildrenUpdate`) makes each store update walk all the
    page's updated layout paths once more.
    """
    return html.Div(content, className="qa-waiting")


def store(component_id: str, data=None) -> dcc.Store:
    """A memory store; without a value it leaves `data` out: given None, dcc.Store reports a change to undefined when it
    mounts (it compares its empty backing store with null), which runs every callback that reads it on page load."""
    return dcc.Store(id=component_id, **({"data": data} if data is not None else {}))


def topic_id(kind: str, section_id: str) -> str:
    """The store of the main control `kind` ("period", "basis", "district") as the topic `section_id` sees it: the
    control's value, brought up to date while the topic's tab is open (`register_topic_state`)."""
    if kind not in TOPIC_KINDS:
        raise ValueError(f"unknown topic control {kind!r}; known: {', '.join(TOPIC_KINDS)}")
    return f"state-topic-{kind}-{section_id}"


def topic_stores(bundle, state, section_ids: list[str]) -> list[dcc.Store]:
    """Every topic's stores, in the page's state."""
    values = {"period": bundle.periods.index(state.period), "basis": state.basis, "district": state.district}
    return [store(topic_id(kind, section_id), values[kind]) for section_id in section_ids for kind in TOPIC_KINDS]


def register_topic_state(app: Dash, section_ids: list[str]) -> None:
    """Keep each topic's view of the main controls (`topic_id`) up to date while its tab is open, in the browser.

    One callback for all topics: each callback run is a dozen store updates of Dash's renderer, which walks every mounted
    component on each (issue 19: five of them ran on every period switch, before the map's frame)."""
    stores = [topic_id(kind, section_id) for section_id in section_ids for kind in TOPIC_KINDS]
    app.clientside_callback(TOPIC_STATE % json.dumps(section_ids), *[Output(store_id, "data") for store_id in stores],
                            *[Input(*control) for control in TOPIC_KINDS.values()], Input(ids.SECTION_TABS, "active_tab"),
                            *[State(store_id, "data") for store_id in stores])


# What patches the map after a new figure, each through a gate of its own (`redraw_gate`).
REDRAWN_FOR = ("facilities", "funding", "education", "proposals", "candidates")

REDRAW_GATE = """
function(drawn, wanted) {
    // Pass a whole new figure on only when this overlay has something to draw: a value update of the map, or a new
    // figure with the overlay switched off, costs no request (issue 19: page load and period switches).
    const some = Array.isArray(wanted) ? wanted.length > 0 : Boolean(wanted);
    return drawn && drawn.full && some ? drawn : window.dash_clientside.no_update;
}
"""


def redrawn_id(name: str) -> str:
    """The store through which the overlay `name` learns that the map got a new figure (`redraw_gate`)."""
    if name not in REDRAWN_FOR:
        raise ValueError(f"unknown map overlay {name!r}; known: {', '.join(REDRAWN_FOR)}")
    return f"{ids.MAP_DRAWN}-{name}"


def redrawn_stores() -> list[dcc.Store]:
    """One store per overlay (and per overlay that follows controls, `follow_gate`), in the page's main part (not in a
    tab, which a language switch rebuilds)."""
    return [store(redrawn_id(name)) for name in REDRAWN_FOR] + [store(follows_id(name)) for name in FOLLOWING]


FOLLOW_GATE = """
function(...args) {
    // Pass the controls' values on only while this overlay is switched on: with the overlay off, a period switch
    // costs it no request (issue 19). The last argument is the overlay's own control or data.
    const wanted = args[args.length - 1];
    const some = Array.isArray(wanted) ? wanted.length > 0 : Boolean(wanted);
    return some ? args.slice(0, -1) : window.dash_clientside.no_update;
}
"""


FOLLOWING = ("education",)  # overlays that follow main controls through `follow_gate`


def follows_id(name: str) -> str:
    """The store through which the overlay `name` learns of changes of the controls it follows (`follow_gate`)."""
    if name not in FOLLOWING:
        raise ValueError(f"unknown following overlay {name!r}; known: {', '.join(FOLLOWING)}")
    return f"{ids.MAP_DRAWN}-{name}-follows"


def follow_gate(app: Dash, name: str, controls: list[tuple[str, str]], wanted: State) -> Input:
    """The input a map-patching callback takes to follow main controls (period, language) only while `wanted` is not
    empty; the callback reads the controls themselves as State."""
    app.clientside_callback(FOLLOW_GATE, Output(follows_id(name), "data"), *[Input(*control) for control in controls], wanted,
                            prevent_initial_call=True)
    return Input(follows_id(name), "data")


def redraw_gate(app: Dash, name: str, wanted: State) -> Input:
    """The input a map-patching callback takes to re-apply its overlay after the map got a whole new figure.

    A clientside callback passes `ids.MAP_REDRAWN` on while `wanted` (the overlay's own control or data) is not empty.
    The map callback sets that store only with a whole new figure (the first draw, a basis switch), so a value update of
    the map runs none of the gates (issue 19: five clientside runs on every period switch, before the map's frame), and
    it sets it in its own answer (not after the frame, `ids.MAP_FRAMED`: a gate run superseded within a frame would lose
    the whole figure). The callback itself checks again (`map_redrawn`)."""
    app.clientside_callback(REDRAW_GATE, Output(redrawn_id(name), "data"), Input(ids.MAP_REDRAWN, "data"), wanted)
    return Input(redrawn_id(name), "data")
