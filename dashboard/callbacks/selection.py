"""The selection store: map click (toggle), map box or lasso, histogram brush, clear, a basis switch (translated), the
area search, and a click on an area's name in the overview table (in the browser: `TABLE_FOCUS`).

The store is {"basis": basis key, "ids": selected ids, "focus": the area of the detail panel or None}."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layers.spatial import Basis, translate_selection

from .. import ids
from ..context import current_bundle, layer_result
from ..state import area_view
from ..view import Controls, current_query, view_controls
from ..views import SELECTABLE_TRACES, ids_in_range

TABLE_FOCUS = """
function(clicks, selection, basis) {
    // a click on an area's name in the overview table: that area in focus, the selection kept (on the basis shown).
    // In the browser, because every new table (each period or layer switch) would otherwise cost a request.
    const skip = window.dash_clientside.no_update;
    const trigger = window.dash_clientside.callback_context.triggered_id;
    if (!trigger || !(clicks || []).some(Boolean)) { return skip; }
    const kept = selection && selection.basis === basis ? (selection.ids || []) : [];
    return {basis: basis, ids: kept, focus: trigger.index};
}
"""


def carried_over(selection: dict, basis_key: str) -> dict:
    """The selection and its focus on a new basis (the areas of the new basis that overlap them)."""
    bundle = current_bundle()
    old, new = Basis.parse(selection["basis"]), Basis.parse(basis_key)
    chosen, focus = translate_selection(bundle, list(selection.get("ids") or []), old, new), selection.get("focus")
    moved = translate_selection(bundle, [focus], old, new) if focus else []
    return {"basis": basis_key, "ids": chosen, "focus": moved[0] if moved else None}


def toggled(basis_key: str, chosen: list[str], click: dict | None) -> dict:
    """A click on a selectable area adds it to the selection or takes it out, and puts it in focus."""
    point = (click or {}).get("points", [{}])[0]
    area = point.get("location")
    if area is None or point.get("curveNumber") not in SELECTABLE_TRACES:
        return no_update
    chosen = [i for i in chosen if i != area] if area in chosen else chosen + [area]
    return {"basis": basis_key, "ids": chosen, "focus": area}


def boxed(basis_key: str, focus: str | None, box: dict | None) -> dict:
    """The selectable areas in a box or lasso are the selection; the focus stays when it is one of them."""
    points = (box or {}).get("points") or []
    picked = [p["location"] for p in points if p.get("curveNumber") in SELECTABLE_TRACES and p.get("location") is not None]
    if not picked:
        return no_update
    return {"basis": basis_key, "ids": list(dict.fromkeys(picked)), "focus": focus if focus in picked else picked[0]}


def brushed(controls: Controls, focus: str | None, brush: dict | None, district: str | None) -> dict:
    """The areas (of the district, or the city) whose values lie in the histogram's brushed range."""
    x_range = ((brush or {}).get("range") or {}).get("x")
    if not x_range:
        return no_update
    query = current_query(controls)
    if query is None:
        return no_update
    picked = ids_in_range(current_bundle(), layer_result(query), district, float(min(x_range)), float(max(x_range)))
    return {"basis": controls["basis"], "ids": picked, "focus": focus if focus in picked else None}


def update_selection(events: dict, selection: dict | None, controls: Controls, district: str | None, placing: dict | None):
    """Map click (toggle), map box/lasso, histogram brush, basis switch (translate), clear (`events`: what triggers; a click
    on an area's name in the table puts it in focus in the browser: `TABLE_FOCUS`). While the scenario panel is placing an
    intervention (`placing`), map clicks are its, not the selection's."""
    basis_key, trigger = controls["basis"], ctx.triggered_id
    selection = selection or {"basis": basis_key, "ids": [], "focus": None}
    if trigger == ids.BASIS:
        return carried_over(selection, basis_key)
    if trigger == ids.CLEAR_SELECTION:
        return {"basis": basis_key, "ids": [], "focus": None}
    same = selection.get("basis") == basis_key
    chosen, focus = (list(selection.get("ids") or []), selection.get("focus")) if same else ([], None)
    if trigger == ids.MAP and f"{ids.MAP}.clickData" in (ctx.triggered_prop_ids or {}):
        return no_update if placing else toggled(basis_key, chosen, events["click"])
    if trigger == ids.MAP:
        return boxed(basis_key, focus, events["box"])
    if trigger == ids.HISTOGRAM:
        return brushed(controls, focus, events["brush"], district)
    return no_update


def find_area(area: str | None) -> tuple:
    """The area search: the chosen unit on its own level, in its district, selected and in focus (as an `?area=` link)."""
    found = area_view(current_bundle(), area) if area else None
    if found is None:
        return no_update, no_update, no_update
    basis, district = found
    return basis, district, {"basis": basis, "ids": [area], "focus": area}


def register(app: Dash) -> None:
    """Attach the selection's callbacks."""
    events = dict(click=Input(ids.MAP, "clickData"), box=Input(ids.MAP, "selectedData"), brush=Input(ids.HISTOGRAM, "selectedData"),
                  clear=Input(ids.CLEAR_SELECTION, "n_clicks"))
    app.callback(
        Output(ids.SELECTION, "data", allow_duplicate=True),
        inputs=dict(events=events, selection=State(ids.SELECTION, "data"),
                    controls={**view_controls(State), "basis": Input(ids.BASIS, "value")},  # a basis switch carries the selection over
                    district=State(ids.DISTRICT, "value"), placing=State(ids.SCENARIO_PLACING, "data")),
        prevent_initial_call=True,
    )(update_selection)
    app.clientside_callback(TABLE_FOCUS, Output(ids.SELECTION, "data", allow_duplicate=True),
                            Input({"type": ids.TABLE_AREA, "index": ALL}, "n_clicks"), State(ids.SELECTION, "data"), State(ids.BASIS, "value"),
                            prevent_initial_call=True)
    app.callback(Output(ids.BASIS, "value", allow_duplicate=True), Output(ids.DISTRICT, "value", allow_duplicate=True),
                 Output(ids.SELECTION, "data", allow_duplicate=True), Input(ids.AREA_SEARCH, "value"),
                 prevent_initial_call=True)(find_area)
