"""Saving, loading, deleting, importing and exporting scenarios (the deployment's scenario store, `layers.scenario.store`)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from layers import Settings
from layers.bundle import Bundle
from layers.scenario import Scenario, ScenarioError, ScenarioStore, slugify, store_for, validate_scenario

from ... import ids
from ...context import current_bundle, current_settings
from ...i18n import format_date, t
from .component_ids import DELETE_SAVED, DOWNLOAD, EXPORT, LOAD, NAME, NEW, SAVE, SAVED, SECTION_ID, STORE_MESSAGE, UPLOAD
from .stored import data_of, scenario_of
from .widgets import alert, field

NOTHING = (no_update,) * 4


def store_block(lang: str) -> html.Div:
    """Name and save, the saved scenarios (load, delete), export, a new scenario, and the import field."""
    return html.Div([
        html.H6(t("scenario_store_title", lang)),
        dbc.Row([
            field(t("scenario_name", lang), dcc.Input(id=NAME, type="text", value="", maxLength=80, className="form-control form-control-sm")),
            dbc.Col(dbc.Button(t("scenario_save", lang), id=SAVE, size="sm", color="primary"), md=6, className="pt-4"),
            field(t("scenario_saved_list", lang), dcc.Dropdown([], None, id=SAVED)),
            dbc.Col([dbc.Button(t("scenario_load", lang), id=LOAD, size="sm", color="secondary", className="me-2"),
                     dbc.Button(t("scenario_delete_saved", lang), id=DELETE_SAVED, size="sm", color="danger", outline=True)], md=6, className="pt-4"),
        ]),
        html.Div([
            dbc.Button(t("scenario_export", lang), id=EXPORT, size="sm", color="secondary", outline=True, className="me-2"),
            dbc.Button(t("scenario_new", lang), id=NEW, size="sm", color="secondary", outline=True),
            dcc.Download(id=DOWNLOAD),
        ], className="mb-2"),
        dcc.Upload(html.Div(t("scenario_import", lang)), id=UPLOAD, accept=".json,application/json", max_size=1_000_000, multiple=False,
                   className="small border border-secondary rounded p-2 text-center text-muted", style={"borderStyle": "dashed"}),
        html.Div(id=STORE_MESSAGE, className="small mt-1", role="status", **{"aria-live": "polite"}),
    ], className="border rounded p-2 mb-2")


def saved_options(settings: Settings, lang: str) -> list[dict]:
    """The saved scenarios as dropdown options: name, number of interventions and the day saved."""
    out = []
    for info in store_for(settings).list():
        saved = format_date(info.saved_at[:10], lang) if info.saved_at else ""
        out.append({"label": t("scenario_saved_option", lang, name=info.name, n=info.n_interventions, saved=saved), "value": info.slug})
    return out


@dataclass(frozen=True)
class Storage:
    """What a storage action works on: the deployment's store and the scenario on the page."""
    bundle: Bundle
    settings: Settings
    store: ScenarioStore
    scenario: Scenario
    lang: str


# Each action returns the outputs of `store_scenario`: the scenario store, the message, the saved options, the name field.
# ScenarioError, FileNotFoundError, KeyError and ValueError mean: nothing saved, the scenario unchanged.

def save(storage: Storage, name: str | None):
    named = storage.scenario.renamed((name or "").strip())
    info = storage.store.save(named, storage.bundle)
    return data_of(named), alert(t("scenario_saved_ok", storage.lang, name=info.name), ok=True), saved_options(storage.settings, storage.lang), no_update


def load_or_delete(storage: Storage, slug: str | None, delete: bool):
    """Load the saved scenario `slug` (checked against this bundle) or delete it; without a choice, a message."""
    lang = storage.lang
    if not slug:
        return no_update, alert(t("scenario_choose_saved", lang), ok=False), no_update, no_update
    if delete:
        info = next((i for i in storage.store.list() if i.slug == slug), None)
        storage.store.delete(slug)
        return no_update, alert(t("scenario_deleted_ok", lang, name=info.name if info else slug), ok=True), saved_options(storage.settings, lang), no_update
    loaded = storage.store.load(slug)
    validate_scenario(storage.bundle, loaded, storage.settings)
    return data_of(loaded) or None, alert(t("scenario_loaded_ok", lang, name=loaded.name, n=len(loaded)), ok=True), no_update, loaded.name


def import_file(storage: Storage, contents: str, filename: str | None):
    """A scenario from an uploaded JSON file (a data URL), checked against this bundle."""
    source = filename or "upload.json"
    imported = Scenario.from_json(base64.b64decode(contents.split(",", 1)[-1]), source=source)
    validate_scenario(storage.bundle, imported, storage.settings)
    return (data_of(imported), alert(t("scenario_imported_ok", storage.lang, file=source, n=len(imported)), ok=True), no_update,
            imported.name or no_update)


# --- callbacks ---------------------------------------------------------------------------------------------

def store_scenario(active_tab, clicks, upload, name, slug, data, lang):
    """Save (named), load, delete a saved scenario, import a file. Errors: a message; nothing saved; the scenario unchanged.

    `clicks` are the save, load and delete buttons', `upload` the import field's contents and file name; opening the tab
    lists the saved scenarios."""
    trigger, settings = ctx.triggered_id, current_settings()
    if trigger == ids.SECTION_TABS:
        return no_update, no_update, saved_options(settings, lang) if active_tab == SECTION_ID else no_update, no_update
    storage = Storage(current_bundle(), settings, store_for(settings), scenario_of(data), lang)
    try:
        if trigger == SAVE and clicks["save"]:
            return save(storage, name)
        if trigger in (LOAD, DELETE_SAVED) and (clicks["load"] or clicks["delete"]):
            return load_or_delete(storage, slug, delete=trigger == DELETE_SAVED)
        if trigger == UPLOAD and upload["contents"]:
            return import_file(storage, upload["contents"], upload["filename"])
    except (ScenarioError, FileNotFoundError, KeyError, ValueError) as exc:
        return no_update, alert(t("scenario_error", lang, message=str(exc)) + " " + t("scenario_nothing_saved", lang), ok=False), no_update, no_update
    return NOTHING


def export_scenario(clicks, data, name):
    """The scenario as a JSON download, under the name in the field (else its own)."""
    if not clicks:
        return no_update
    scenario = scenario_of(data)
    named = scenario.renamed((name or "").strip() or scenario.name)
    return {"content": named.to_json(), "filename": f"{slugify(named.name) or 'szenario'}.json", "type": "application/json"}


def register(app: Dash) -> None:
    """Storing (save, load, delete, import; the list when the tab opens) and the export."""
    app.callback(
        output=[Output(ids.SCENARIO, "data", allow_duplicate=True), Output(STORE_MESSAGE, "children"), Output(SAVED, "options"),
                Output(NAME, "value")],
        inputs={"active_tab": Input(ids.SECTION_TABS, "active_tab"),
                "clicks": {"save": Input(SAVE, "n_clicks"), "load": Input(LOAD, "n_clicks"), "delete": Input(DELETE_SAVED, "n_clicks")},
                "upload": {"contents": Input(UPLOAD, "contents"), "filename": State(UPLOAD, "filename")},
                "name": State(NAME, "value"), "slug": State(SAVED, "value"), "data": State(ids.SCENARIO, "data"), "lang": State(ids.LANGUAGE, "value")},
        prevent_initial_call=True,
    )(store_scenario)
    app.callback(Output(DOWNLOAD, "data"), Input(EXPORT, "n_clicks"), State(ids.SCENARIO, "data"), State(NAME, "value"),
                 prevent_initial_call=True)(export_scenario)
