"""Section "Szenario" (planner mode only): place housing and facilities, see the effects, suggest sites, save and share.

The panel edits the scenario in `ids.SCENARIO` (a `Scenario.to_dict()`); the core callbacks show it on the map and in the linked
views. Every number comes from `layers.scenario`; the callbacks here read inputs, call it and format. The parts:

- `component_ids`: the panel's component ids; `widgets`: a labelled field and a status message; `stored`: the store ↔ `Scenario`,
- `form`: the intervention form, the dict it gives and the values an edited intervention puts back,
- `editing`: add, place, replace, delete, accept and move interventions; the list of interventions,
- `places`: the site of a map click or an area; `describe`: the interventions in words, the list and the map's labels,
- `effects_view`: the effects table and cards; `suggestions`: proposed sites; `storage`: save, load, import, export.

This module is the section (`dashboard.sections`): its title, whether the deployment has it, the panel and the callbacks.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, dcc, html

from layers import Settings
from layers.bundle import Bundle
from layers.scenario import Scenario

from ...context import SETTINGS_KEY
from ...i18n import t
from ..common import store, waiting
from . import editing, effects_view, form, storage, suggestions
from .component_ids import (
    ACCEPT,
    ADD_CHANGE,
    AT_SELECTION,
    CANCEL,
    CAPACITY,
    CARDS,
    CHANGE_FACILITY,
    CHANGE_FIELDS,
    CLOSE,
    DELETE_SAVED,
    DOWNLOAD,
    DWELLINGS,
    EDITING,
    EFFECTS,
    EXPORT,
    FACILITY_FIELDS,
    FACILITY_TYPE,
    HINT,
    HOUSING_FIELDS,
    ITEM_DELETE,
    ITEM_EDIT,
    KIND,
    LABEL,
    LIST,
    LOAD,
    MESSAGE,
    MIX,
    MOVE,
    NAME,
    NEW,
    NEW_CAPACITY,
    PERSONS,
    PLACE,
    PROPOSALS,
    REFERENCE,
    SAVE,
    SAVED,
    SECTION_ID,
    STORE_MESSAGE,
    SUBSIDISED,
    SUGGEST_K,
    SUGGEST_RUN,
    SUGGEST_TYPE,
    SUGGESTIONS,
    UPDATE,
    UPLOAD,
    WEIGHT,
)
from .describe import intervention_list, site_text, sites
from .form import facility_options
from .places import site_of_click
from .stored import scenario_of

__all__ = [
    "ACCEPT", "ADD_CHANGE", "AT_SELECTION", "CANCEL", "CAPACITY", "CARDS", "CHANGE_FACILITY", "CHANGE_FIELDS", "CLOSE", "DELETE_SAVED", "DOWNLOAD",
    "DWELLINGS", "EDITING", "EFFECTS", "EXPORT", "FACILITY_FIELDS", "FACILITY_TYPE", "HINT", "HOUSING_FIELDS", "ITEM_DELETE", "ITEM_EDIT", "KIND",
    "LABEL", "LIST", "LOAD", "MESSAGE", "MIX", "MOVE", "NAME", "NEW", "NEW_CAPACITY", "PERSONS", "PLACE", "PROPOSALS", "REFERENCE", "SAVE", "SAVED",
    "SECTION_ID", "STORE_MESSAGE", "SUBSIDISED", "SUGGEST_K", "SUGGEST_RUN", "SUGGEST_TYPE", "SUGGESTIONS", "UPDATE", "UPLOAD", "WEIGHT",
    "available", "facility_options", "panel", "register", "scenario_of", "site_of_click", "site_text", "sites", "title",
]


def title(lang: str) -> str:
    return t("scenario_title", lang)


def available(settings: Settings) -> bool:
    """Scenarios are a planner tool: the public portal never shows the section (BRIEF §6)."""
    return settings.mode != "portal"


def panel(bundle: Bundle, settings: Settings, lang: str):
    """The form, the list of interventions and the store on the left; effects and suggestions on the right (side by side
    from 1400 px on: below that the topic column is too narrow for the form's paired fields, so the two stack)."""
    if not available(settings):
        return html.Div(t("scenario_portal", lang), className="p-2 small")
    return html.Div([
        html.P(t("scenario_intro", lang), className="small"),
        dbc.Row([
            dbc.Col([form.form_block(bundle, lang), html.H6(t("scenario_list_title", lang)),
                     html.Div(intervention_list(bundle, Scenario(), None, lang), id=LIST, className="small mb-2"),
                     storage.store_block(lang)], xxl=4),
            dbc.Col([html.H6(t("scenario_effects_title", lang)), html.Div(id=CARDS), waiting(html.Div(id=EFFECTS)),
                     suggestions.suggest_block(bundle, settings, lang)], xxl=8),
        ]),
        store(EDITING),
        dcc.Store(id=PROPOSALS, data=[]),
    ], className="p-2", id="scenario-panel")


def register(app: Dash) -> None:
    if not available(app.server.config[SETTINGS_KEY]):
        return  # the portal has no scenario panel, so no callbacks either
    for part in (editing, storage, form, effects_view, suggestions):
        part.register(app)
