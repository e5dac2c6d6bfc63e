"""The link is the state: every change of the controls writes the query string (`write_url`), and a link, back or
forward sets the controls (`restore_from_url`). Two Location components, so that reading and writing the URL are
separate nodes of the callback graph (no cycle)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, html, no_update

from .. import ids
from ..context import SETTINGS_KEY, current_bundle, current_settings
from ..i18n import t
from ..pages import briefing_href
from ..state import ViewState, embedded, parse_query, period_at, scenario_dict, to_query
from ..view import VIEW_CONTROLS, checked_scenario, selection_ids

# The controls a link restores (`restore_from_url`) and every change of which writes the link (`write_url`), by the name
# a callback gets each value under.
CONTROLS = {**VIEW_CONTROLS, "district": (ids.DISTRICT, "value"), "overlays": (ids.OVERLAYS, "value"), "lang": (ids.LANGUAGE, "value"),
            "selection": (ids.SELECTION, "data"), "scenario": (ids.SCENARIO, "data"), "view": (ids.SCENARIO_VIEW, "value")}

URL_GATE = """
function(search, written) {
    // the page was built in the state of its own query string, and the app writes every change itself:
    // only another query string (back/forward, a link the page was not built from) goes to the server
    if (search === undefined || search === null) { return window.dash_clientside.no_update; }  // not mounted yet
    return search === (written || "") ? window.dash_clientside.no_update : search;
}
"""


def control_values(state: ViewState) -> dict:
    """The values of `CONTROLS` (by name, in that order) that show `state`."""
    bundle = current_bundle()
    return {"layer": state.layer, "group": state.group, "basis": state.basis, "period": bundle.periods.index(state.period),
            "period_from": state.period_from, "compare": ["on"] if state.compare else [], "district": state.district,
            "overlays": list(state.overlays), "lang": state.lang,
            "selection": {"basis": state.basis, "ids": list(state.selection), "focus": state.focus},
            "scenario": scenario_dict(state.scenario), "view": state.view}


def state_of_controls(values: dict) -> ViewState:
    """The view state the controls show (`values`: by the names of `CONTROLS`)."""
    sel, basis_key = values["selection"] or {}, values["basis"]
    return ViewState(layer=values["layer"], group=values["group"], basis=basis_key, period=period_at(current_bundle(), values["period"]),
                     period_from=values["period_from"], compare=bool(values["compare"]), district=values["district"],
                     overlays=tuple(values["overlays"] or ()), lang=values["lang"], selection=tuple(selection_ids(sel, basis_key)),
                     focus=sel.get("focus") if sel.get("basis") == basis_key else None, scenario=checked_scenario(values["scenario"]),
                     view=values["view"] or "scenario")


def url_notice(state: ViewState) -> html.Div | None:
    """What of a link could not be applied (parameter and value), or None."""
    if not state.notices:
        return None
    return html.Div(t("url_notice", state.lang, params=", ".join(state.notices)), className="alert alert-warning py-1 small",
                    id="url-notice-text")


def restore_from_url(search: str | None, last_written: str | None, values: dict) -> tuple:
    """A link (or back/forward) sets the controls; the app's own writes and a link equal to the state change nothing."""
    bundle, settings = current_bundle(), current_settings()
    if ctx.triggered_id is not None and search == last_written:
        return (no_update,) * (len(CONTROLS) + 1)
    state = parse_query(search, bundle, settings)
    notice_box = url_notice(state)
    current = control_values(state_of_controls(values))
    # only what differs: every output that changes triggers the views (and patches of a map that may not be drawn yet)
    new = control_values(state)
    changed = tuple(new[name] if new[name] != current[name] else no_update for name in CONTROLS)  # the outputs' order
    return changed + (notice_box if state.notices or ctx.triggered_id is not None else no_update,)


def write_url(values: dict, search: str | None, href: str | None) -> tuple:
    """Every change of the state writes the query string (a new history entry, so back and forward work) and
    remembers it, so that the reading side can tell the app's own writes from back/forward (`values`: of `CONTROLS`)."""
    bundle, settings = current_bundle(), current_settings()
    if (values["selection"] or {}).get("basis") not in (None, values["basis"]):
        return (no_update,) * (3 + settings.briefing_enabled)  # mid basis switch: the selection is being carried over, write once it is
    canonical = to_query(state_of_controls(values), bundle, settings)
    query = canonical + ("&embed=1" if embedded(search) else "")
    link = (href or "").split("?")[0] + query
    # the address shows this state already, maybe in another spelling (a link as typed, back to it): no new history
    # entry, which would drop the entries ahead of it (forward)
    shown = query == search or (bool(search) and to_query(parse_query(search, bundle, settings), bundle, settings) == canonical)
    return (no_update if shown else query), link, query, *([briefing_href(query)] if settings.briefing_enabled else [])


def register(app: Dash) -> None:
    """Attach reading and writing the link."""
    app.clientside_callback(URL_GATE, Output(ids.URL_READ, "data"), Input(ids.URL, "search"), State(ids.URL_WRITTEN, "data"))
    app.callback(
        *[Output(i, p, allow_duplicate=(i in (ids.SELECTION, ids.PERIOD, ids.SCENARIO))) for i, p in CONTROLS.values()],
        Output(ids.URL_NOTICE, "children"),
        inputs=dict(search=Input(ids.URL_READ, "data"), last_written=State(ids.URL_WRITTEN, "data"),
                    values={name: State(*dependency) for name, dependency in CONTROLS.items()}),
        prevent_initial_call=True,
    )(restore_from_url)
    app.callback(
        Output(ids.URL_WRITE, "search"), Output(ids.LINK_TEXT, "value"), Output(ids.URL_WRITTEN, "data"),
        *([Output(ids.BRIEFING_LINK, "href")] if app.server.config[SETTINGS_KEY].briefing_enabled else []),
        inputs=dict(values={name: Input(*dependency) for name, dependency in CONTROLS.items()}, search=State(ids.URL_WRITE, "search"),
                    href=State(ids.URL_WRITE, "href")),
        prevent_initial_call=True,
    )(write_url)
