"""Editing the scenario: add, place (on the map or at the selection), replace, delete, accept and move interventions.

Each action is a plain function of an `Edit` that returns the four outputs of `edit_scenario`: the scenario store, the
placing store (what the next map click places), the message and the index being edited. On bad input an action raises
`ScenarioError`; the callback then shows its message and nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from layers import Settings
from layers import format_number as num
from layers.bundle import Bundle
from layers.infrastructure import type_title
from layers.scenario import Scenario, ScenarioError, Site, validate_scenario

from ... import ids
from ...context import current_bundle, current_settings
from ...i18n import t
from .component_ids import (
    ACCEPT,
    ADD_CHANGE,
    AT_SELECTION,
    CANCEL,
    EDITING,
    FORM_FIELDS,
    HINT,
    ITEM_DELETE,
    ITEM_EDIT,
    LIST,
    MESSAGE,
    MOVE,
    NEW,
    PLACE,
    PROPOSALS,
    UPDATE,
)
from .describe import describe, facility_name, intervention_list
from .form import form_dict
from .places import area_site, placeholder_site, site_of_click
from .stored import data_of, scenario_of
from .widgets import alert

NOTHING = (no_update,) * 4


@dataclass(frozen=True)
class Edit:
    """What an edit works on: the scenario, the form as an intervention dict (`form.form_dict`) and the panel's state.

    `capacity` is the form's capacity field as entered (an accepted proposal takes it); `placing` what the next map click
    places; `editing` the 0-based index being edited; `selection` the map's selection; `proposals` the last suggestions."""
    bundle: Bundle
    settings: Settings
    scenario: Scenario
    form: dict
    capacity: float | None
    placing: dict | None
    editing: int | None
    selection: dict | None
    proposals: list[dict] | None
    lang: str


def apply(edit: Edit, item: dict, site: Site | None, replace: int | None) -> Scenario:
    """The scenario with the intervention `item` (+ `site`) added, or replacing the one at `replace`; ScenarioError when it is not valid.

    Parsing and validation run on the whole new scenario, so the message names the intervention's position and field.
    """
    item = dict(item)
    if site is not None and item.get("kind") != "change":
        item["site"] = site.to_dict()
    items = [*edit.scenario.to_dict()["interventions"]]
    if replace is None:
        items.append(item)
    else:
        items[replace] = item
    new = Scenario.from_dict({"name": edit.scenario.name, "interventions": items})
    validate_scenario(edit.bundle, new, edit.settings)
    return new


def what(bundle: Bundle, item: dict, lang: str) -> str:
    """What is being placed, for the "click the map now" hint."""
    if item.get("kind") == "housing":
        return f"{num(item.get('dwellings'), lang)} {t('scenario_dwellings', lang)}"
    if item.get("kind") == "facility":
        return type_title(str(item.get("facility_type")), lang)
    return facility_name(bundle, str(item.get("facility_id")), lang)


def _placing(edit: Edit, item: dict, replace: int | None, move: bool = False) -> dict:
    """The placing store: the next map click puts `item` there (replacing the intervention at `replace`)."""
    return {"item": item, "replace": replace, "what": what(edit.bundle, item, edit.lang), **({"move": True} if move else {})}


def _put(edit: Edit, item: dict, site: Site | None, replace: int | None):
    """Add the intervention (or replace the one at `replace`) and say so."""
    new = apply(edit, item, site, replace)
    index = len(new) - 1 if replace is None else replace
    key = "scenario_replaced" if replace is not None else "scenario_added"
    return data_of(new), None, alert(t(key, edit.lang, n=index + 1, what=describe(edit.bundle, new.interventions[index], edit.lang)), ok=True), None


def _refused(key: str, lang: str):
    return no_update, no_update, alert(t(key, lang), ok=False), no_update


# --- the actions -------------------------------------------------------------------------------------------

def cancel(edit: Edit):
    return no_update, None, "", None


def clear(edit: Edit):
    return None, None, alert(t("scenario_cleared", edit.lang), ok=True), None


def start_placing(edit: Edit):
    """The next map click places the form's intervention; its fields are checked now, before the click."""
    apply(edit, edit.form, placeholder_site(edit.bundle), edit.editing)
    return no_update, _placing(edit, edit.form, edit.editing), "", no_update


def place_at_click(edit: Edit, click: dict | None):
    site = site_of_click(edit.bundle, click)
    if site is None:
        return _refused("scenario_click_outside", edit.lang)
    return _put(edit, edit.placing["item"], site, edit.placing.get("replace"))


def at_selection(edit: Edit):
    """The form's intervention at the selected area in focus (else the first selected)."""
    chosen = (edit.selection or {}).get("ids") or []
    if not chosen:
        return _refused("scenario_no_selection", edit.lang)
    focus = (edit.selection or {}).get("focus")
    return _put(edit, edit.form, area_site(edit.bundle, str(focus if focus in chosen else chosen[0])), edit.editing)


def add_or_update(edit: Edit, update: bool):
    """A facility change as it is; a new intervention at the site of the one it replaces, else placed by the next map click."""
    form = edit.form
    if form["kind"] == "change" and not form.get("facility_id"):
        return _refused("scenario_no_facility", edit.lang)
    replace = edit.editing if update else None
    old = edit.scenario.interventions[replace] if replace is not None and replace < len(edit.scenario) else None
    site = getattr(old, "site", None) if form["kind"] != "change" else None
    if form["kind"] != "change" and site is None:
        return no_update, _placing(edit, form, replace), "", no_update
    return _put(edit, form, site, replace)


def start_editing(edit: Edit, index: int):
    return no_update, None, html.Div(t("scenario_editing", edit.lang, n=index + 1), className="text-primary"), index


def delete(edit: Edit, index: int):
    if index >= len(edit.scenario):
        return NOTHING
    return data_of(edit.scenario.without(index)), None, alert(t("scenario_deleted", edit.lang, n=index + 1), ok=True), None


def proposal_item(proposal: dict, capacity, lang: str) -> tuple[dict, Site]:
    """A suggested site as a new facility (the form's capacity, else 100 places) at the proposal's cell."""
    item = {"kind": "facility", "facility_type": proposal["facility_type"], "capacity": capacity if capacity is not None else 100,
            "label": t("scenario_proposal_label", lang, n=proposal["rank"])}
    return item, Site("cell", float(proposal["lon"]), float(proposal["lat"]), proposal["cell"])


def take_proposal(edit: Edit, rank: int, move: bool):
    """Add the proposal of this rank; to move it, the next map click then replaces it at the clicked site."""
    proposal = next((p for p in edit.proposals or [] if int(p["rank"]) == rank), None)
    if proposal is None:
        return NOTHING
    item, site = proposal_item(proposal, edit.capacity, edit.lang)
    if not move:
        return _put(edit, item, site, None)
    new = apply(edit, item, site, None)
    return data_of(new), _placing(edit, item, len(new) - 1, move=True), "", None


BUTTONS = {CANCEL: cancel, NEW: clear, PLACE: start_placing, AT_SELECTION: at_selection, ADD_CHANGE: partial(add_or_update, update=False),
           UPDATE: partial(add_or_update, update=True)}  # the action of each button, by its id
ENTRIES = {ITEM_EDIT: start_editing, ITEM_DELETE: delete, ACCEPT: partial(take_proposal, move=False),
           MOVE: partial(take_proposal, move=True)}  # the action of each list entry's button, by its id type


def act(edit: Edit, trigger, click: dict | None):
    """The outputs of the action `trigger` asks for: a button's id, the map, or the pattern-matching id of a list entry."""
    if trigger == ids.MAP:
        return place_at_click(edit, click)
    if isinstance(trigger, dict):
        return ENTRIES[trigger["type"]](edit, int(trigger["index"]))
    return BUTTONS[trigger](edit)


# --- callbacks ---------------------------------------------------------------------------------------------

def edit_scenario(clicks, click, fields, panel, lang):
    """Add, place, replace, delete, accept and move interventions; on bad input a message and nothing else changes.

    `clicks` are the buttons' (only which one fired counts), `click` the map's, `fields` the form's (`FORM_FIELDS`),
    `panel` the stores the edit works on."""
    trigger = ctx.triggered_id
    # a button drawn anew (the tabs are rebuilt on a language switch) fires with no clicks: that is no click
    if trigger is None or not ctx.triggered[0].get("value"):
        return NOTHING
    if trigger == ids.MAP and not panel["placing"]:
        return NOTHING  # a map click for the linked views
    edit = Edit(current_bundle(), current_settings(), scenario_of(panel["scenario"]), form_dict(**fields), fields["capacity"],
                panel["placing"], panel["editing"], panel["selection"], panel["proposals"], lang)
    try:
        return act(edit, trigger, click)
    except ScenarioError as exc:
        return no_update, no_update, alert(t("scenario_error", lang, message=str(exc)), ok=False), no_update


def update_list(data, editing, lang):
    """The interventions, and the "update" button while one is being edited."""
    return (intervention_list(current_bundle(), scenario_of(data), editing, lang),
            {} if editing is not None else {"display": "none"})


def update_hint(placing, lang):
    """"Click the map now" in the panel and at the map itself, where the click happens."""
    if not placing:
        return "", ""
    text = t("scenario_placing_move", lang) if placing.get("move") else t("scenario_placing_hint", lang, what=placing.get("what", ""))
    return (dbc.Alert(text, color="info", className="py-1 px-2 mb-1 small", id="scenario-placing-hint"),
            html.Div(dbc.Alert(text, color="warning", className="py-1 px-2 mb-1 small fw-semibold", id="map-placing-hint"), role="status"))


def register(app: Dash) -> None:
    """The edits, the list of interventions and the placing hint."""
    clicks = {"place": Input(PLACE, "n_clicks"), "at_selection": Input(AT_SELECTION, "n_clicks"), "add_change": Input(ADD_CHANGE, "n_clicks"),
              "update": Input(UPDATE, "n_clicks"), "cancel": Input(CANCEL, "n_clicks"), "new": Input(NEW, "n_clicks"),
              "item_edit": Input({"type": ITEM_EDIT, "index": ALL}, "n_clicks"), "item_delete": Input({"type": ITEM_DELETE, "index": ALL}, "n_clicks"),
              "accept": Input({"type": ACCEPT, "index": ALL}, "n_clicks"), "move": Input({"type": MOVE, "index": ALL}, "n_clicks")}
    panel = {"scenario": State(ids.SCENARIO, "data"), "placing": State(ids.SCENARIO_PLACING, "data"), "editing": State(EDITING, "data"),
             "selection": State(ids.SELECTION, "data"), "proposals": State(PROPOSALS, "data")}
    app.callback(
        output=[Output(ids.SCENARIO, "data", allow_duplicate=True), Output(ids.SCENARIO_PLACING, "data", allow_duplicate=True),
                Output(MESSAGE, "children"), Output(EDITING, "data")],
        inputs={"clicks": clicks, "click": Input(ids.MAP, "clickData"), "fields": {k: State(i, "value") for k, i in FORM_FIELDS.items()},
                "panel": panel, "lang": State(ids.LANGUAGE, "value")},
        prevent_initial_call=True,
    )(edit_scenario)
    app.callback(Output(LIST, "children"), Output(UPDATE, "style"),
                 Input(ids.SCENARIO, "data"), Input(EDITING, "data"), Input(ids.LANGUAGE, "value"),
                 prevent_initial_call=True)(update_list)
    app.callback(Output(HINT, "children"), Output(ids.MAP_HINT, "children"), Input(ids.SCENARIO_PLACING, "data"),
                 Input(ids.LANGUAGE, "value"), prevent_initial_call=True)(update_hint)
