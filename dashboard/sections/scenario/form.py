"""The intervention form: its fields, the intervention dict it gives, the values an edited intervention puts back, and the
facilities a change may name."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import h3
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update

from layers import format_number as num
from layers.bundle import Bundle
from layers.infrastructure import facility_points, type_title
from layers.scenario import Housing, NewAccommodation, NewFacility, Scenario, facility_type_choices

from ... import ids
from ...context import current_bundle
from ...i18n import t
from .component_ids import (
    ADD_CHANGE,
    AT_SELECTION,
    CANCEL,
    CAPACITY,
    CHANGE_FACILITY,
    CHANGE_FIELDS,
    CLOSE,
    DWELLINGS,
    EDITING,
    FACILITY_FIELDS,
    FACILITY_TYPE,
    FORM_FIELDS,
    HINT,
    HOUSING_FIELDS,
    KIND,
    LABEL,
    MESSAGE,
    MIX,
    NEW_CAPACITY,
    PERSONS,
    PLACE,
    REFERENCE,
    SUBSIDISED,
    UPDATE,
)
from .describe import facility_name
from .stored import scenario_of
from .widgets import field

MAX_FACILITY_OPTIONS = 400


# --- layout ------------------------------------------------------------------------------------------------

def _unit_options(bundle: Bundle) -> list[dict]:
    units = bundle.units_of(bundle.finest_level.id)
    return [{"label": f"{n} ({u})", "value": u} for u, n in sorted(zip(units.index, units["name"].astype(str)), key=lambda x: x[1])]


def form_block(bundle: Bundle, lang: str) -> html.Div:
    """The form: the kind of intervention, its fields (one group per kind), a label, the buttons, hint and message."""
    kinds = [{"label": t(f"scenario_kind_{k}", lang), "value": k} for k in ("housing", "facility", "change")]
    mixes = [{"label": t(f"scenario_mix_{m}", lang), "value": m} for m in ("reference", "new_build", "subsidised")]
    # the types a new facility may have: those `validate_scenario` accepts (the schema's, including meeting places)
    types = [{"label": type_title(k, lang), "value": k} for k in facility_type_choices(bundle)]
    housing = html.Div(dbc.Row([
        field(t("scenario_dwellings", lang), dcc.Input(id=DWELLINGS, type="number", value=200, step=1, className="form-control form-control-sm")),
        field(t("scenario_persons", lang), dcc.Input(id=PERSONS, type="number", value=2.0, step=0.1, className="form-control form-control-sm")),
        field(t("scenario_subsidised", lang), dcc.Slider(0, 100, 5, value=0, id=SUBSIDISED, marks={0: "0", 30: "30", 50: "50", 100: "100"},
                                                          tooltip={"placement": "bottom"}), md=12),
        # full width: in the dashboard's narrow form column two of these side by side run into each other (1920×1080)
        field(t("scenario_mix", lang), dcc.Dropdown(mixes, "reference", id=MIX, clearable=False), md=12),
        field(t("scenario_reference", lang), dcc.Dropdown(_unit_options(bundle), None, id=REFERENCE, placeholder=t("scenario_reference_default", lang)),
              md=12),
    ]), id=HOUSING_FIELDS)
    facility = html.Div(dbc.Row([
        field(t("scenario_facility_type", lang), dcc.Dropdown(types, "kita", id=FACILITY_TYPE, clearable=False)),
        field(t("scenario_capacity", lang), dcc.Input(id=CAPACITY, type="number", value=100, className="form-control form-control-sm")),
    ]), id=FACILITY_FIELDS, style={"display": "none"})
    change = html.Div(dbc.Row([
        field(t("scenario_change_facility", lang), dcc.Dropdown([], None, id=CHANGE_FACILITY,  # the whole city: none (`facility_options`)
                                                                 placeholder=t("scenario_change_facility_placeholder", lang)), md=12),
        field(t("scenario_new_capacity", lang), dcc.Input(id=NEW_CAPACITY, type="number", value=None, className="form-control form-control-sm")),
        dbc.Col(dbc.Checklist([{"label": t("scenario_close", lang), "value": "on"}], [], id=CLOSE, switch=True), md=6, className="pt-4"),
    ]), id=CHANGE_FIELDS, style={"display": "none"})
    buttons = html.Div([
        dbc.Button(t("scenario_place", lang), id=PLACE, size="sm", color="primary", className="me-2 mb-1"),
        dbc.Button(t("scenario_at_selection", lang), id=AT_SELECTION, size="sm", color="primary", outline=True, className="me-2 mb-1"),
        dbc.Button(t("scenario_add_change", lang), id=ADD_CHANGE, size="sm", color="primary", className="me-2 mb-1", style={"display": "none"}),
        dbc.Button(t("scenario_update", lang), id=UPDATE, size="sm", color="secondary", className="me-2 mb-1", style={"display": "none"}),
        dbc.Button(t("scenario_cancel", lang), id=CANCEL, size="sm", color="link", className="mb-1"),
    ])
    return html.Div([
        html.H6(t("scenario_form_title", lang)),
        dbc.RadioItems(options=kinds, value="housing", id=KIND, className="small mb-2"),
        housing, facility, change,
        dbc.Row([field(t("scenario_label", lang), dcc.Input(id=LABEL, type="text", value="", maxLength=80,
                                                            className="form-control form-control-sm"), md=12)]),
        buttons,
        html.Div(id=HINT, className="small"),
        html.Div(id=MESSAGE, className="small", role="status", **{"aria-live": "polite"}),
    ], className="border rounded p-2 mb-2")


# --- form <-> intervention ---------------------------------------------------------------------------------

def form_dict(kind, dwellings, persons, subsidised, mix, reference, facility_type, capacity, change_facility, new_capacity, close, label) -> dict:
    """The form as an intervention dict without a site (the dict form of `Scenario.from_dict`, so its checks name the field).

    The parameters are the fields of `FORM_FIELDS`; `subsidised` is in percent, `close` the switch's list (["on"]: closed)."""
    def given(d: dict) -> dict:
        return {k: v for k, v in d.items() if v is not None}
    label = (label or "").strip()
    if kind == "housing":
        return given({"kind": "housing", "dwellings": dwellings, "persons_per_dwelling": persons,
                      "subsidised_share": None if subsidised is None else float(subsidised) / 100, "mix": mix or "reference",
                      "reference_area": reference or None, "label": label})
    if kind == "facility":
        return given({"kind": "facility", "facility_type": facility_type, "capacity": capacity, "label": label})
    closed = "on" in (close or [])
    return given({"kind": "change", "facility_id": change_facility, "capacity": None if closed else new_capacity, "closed": closed, "label": label})


def form_values(item) -> tuple:
    """The values of `FORM_FIELDS` (in that order) for an intervention to edit; a field of another kind is left as it is."""
    n = no_update
    if isinstance(item, Housing):
        return ("housing", item.dwellings, item.persons_per_dwelling, round(100 * item.subsidised_share), item.mix, item.reference_area,
                n, n, n, n, n, item.label)
    if isinstance(item, NewFacility):
        return "facility", n, n, n, n, n, item.facility_type, item.capacity, n, n, n, item.label
    return "change", n, n, n, n, n, n, n, item.facility_id, item.capacity, ["on"] if item.closed else [], item.label


def editable(scenario: Scenario, editing: int | None):
    """The intervention at the 0-based `editing` the form can show; None for none, an index past the end or an accommodation
    site (placed and changed in its own section)."""
    if editing is None or editing >= len(scenario):
        return None
    item = scenario.interventions[editing]
    return None if isinstance(item, NewAccommodation) else item


def facility_options(bundle: Bundle, district: str | None, selection: dict | None, lang: str, keep: str | None = None) -> list[dict]:
    """Facilities in the chosen district, or near (inside) the selected areas; the one being edited always stays."""
    f = facility_points(bundle)
    chosen = list((selection or {}).get("ids") or [])
    if chosen:
        basis = (selection or {}).get("basis") or ""
        if basis.startswith("h3_"):
            res = int(basis[3:])
            cells = [h3.latlng_to_cell(la, lo, res) for la, lo in zip(f["lat"], f["lon"])]
            inside = pd.Series(cells, index=f.index).isin(chosen)
        else:
            inside = f["unit_id"].map(bundle.ancestor(basis)).isin(chosen) if basis in [lv.id for lv in bundle.levels] else f["unit_id"].isin(chosen)
        part = f[inside.to_numpy()]
    elif district:
        part = f[f["unit_id"].map(bundle.ancestor(bundle.levels[0].id)).to_numpy() == district]
    else:
        part = f.iloc[0:0]
    part = part.head(MAX_FACILITY_OPTIONS)
    opts = [{"label": f"{n if isinstance(n, str) and n else fid} – {type_title(k, lang)}" + (f" ({num(c, lang)})" if pd.notna(c) else ""),
             "value": fid} for fid, n, k, c in zip(part["facility_id"], part["name"], part["type"], part["capacity"])]
    if keep and keep not in set(part["facility_id"]):
        opts.insert(0, {"label": facility_name(bundle, keep, lang), "value": keep})
    return opts


# --- callbacks ---------------------------------------------------------------------------------------------

def fill_form(editing, data, district, selection, lang):
    """Editing an intervention puts its values into the form."""
    item = editable(scenario_of(data), editing)
    if item is None:
        return (no_update,) * (len(FORM_FIELDS) + 1)
    options = facility_options(current_bundle(), district, selection, lang, keep=getattr(item, "facility_id", None))
    return (*form_values(item), options)


def update_facility_options(district, selection, lang, current):
    return facility_options(current_bundle(), district, selection, lang, keep=current)


KIND_FIELDS = """
function(kind) {
    const show = {}, hide = {display: 'none'};
    const change = kind === 'change';
    return [kind === 'housing' ? show : hide, kind === 'facility' ? show : hide, change ? show : hide,
            change ? hide : show, change ? hide : show, change ? show : hide];
}
"""


def register(app: Dash) -> None:
    """Editing an intervention fills the form; the facility choices follow district, selection and language; the kind
    shows its fields and buttons (in the browser)."""
    app.callback(
        *[Output(i, "value", allow_duplicate=True) for i in FORM_FIELDS.values()], Output(CHANGE_FACILITY, "options", allow_duplicate=True),
        Input(EDITING, "data"), State(ids.SCENARIO, "data"), State(ids.DISTRICT, "value"), State(ids.SELECTION, "data"), State(ids.LANGUAGE, "value"),
        prevent_initial_call=True,
    )(fill_form)
    app.callback(Output(CHANGE_FACILITY, "options"), Input(ids.DISTRICT, "value"), Input(ids.SELECTION, "data"), Input(ids.LANGUAGE, "value"),
                 State(CHANGE_FACILITY, "value"), prevent_initial_call=True)(update_facility_options)
    app.clientside_callback(KIND_FIELDS, Output(HOUSING_FIELDS, "style"), Output(FACILITY_FIELDS, "style"), Output(CHANGE_FIELDS, "style"),
                            Output(PLACE, "style"), Output(AT_SELECTION, "style"), Output(ADD_CHANGE, "style"), Input(KIND, "value"))
