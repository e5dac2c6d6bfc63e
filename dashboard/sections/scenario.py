"""Section "Szenario" (planner mode only): place housing and facilities, see the effects, suggest sites, save and share.

The panel edits the scenario in `ids.SCENARIO` (a `Scenario.to_dict()`); the core callbacks show it on the map and in the linked
views. Every number comes from `layers.scenario`; the callbacks here read inputs, call it and format.
"""

from __future__ import annotations

import base64
from functools import lru_cache

import dash_bootstrap_components as dbc
import h3
import pandas as pd
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update

from layers.accommodation import type_title as accommodation_type_title
from layers.bundle import Bundle
from layers.infrastructure.access import facility_points, type_title
from layers.numbers import format_number as num
from layers.scenario import (
    FacilityChange,
    Housing,
    NewAccommodation,
    NewFacility,
    Scenario,
    ScenarioError,
    Site,
    facility_type_choices,
    need_weight_keys,
    scenario_effects,
    store_for,
    suggest_sites,
    validate_scenario,
)
from layers.scenario.overlay import locate_points
from layers.scenario.store import slugify
from layers.scenario.suggest import default_need_weights
from layers.settings import Settings

from .. import ids
from ..context import SETTINGS_KEY, bundle_key, cache, current_bundle, current_settings, settings_key
from ..figures import PROPOSAL_TRACE
from ..i18n import format_date, t
from ..state import period_at
from ..views import SELECTABLE_TRACES
from .common import map_redrawn, redraw_gate, redrawn_id, store, topic_id, when_active

SECTION_ID = "scenario"
KIND = "scenario-kind"
DWELLINGS = "scenario-dwellings"
PERSONS = "scenario-persons"
SUBSIDISED = "scenario-subsidised"
MIX = "scenario-mix"
REFERENCE = "scenario-reference"
FACILITY_TYPE = "scenario-facility-type"
CAPACITY = "scenario-capacity"
CHANGE_FACILITY = "scenario-change-facility"
NEW_CAPACITY = "scenario-new-capacity"
CLOSE = "scenario-close"
LABEL = "scenario-label"
HOUSING_FIELDS = "scenario-housing-fields"
FACILITY_FIELDS = "scenario-facility-fields"
CHANGE_FIELDS = "scenario-change-fields"
PLACE = "scenario-place"
AT_SELECTION = "scenario-at-selection"
ADD_CHANGE = "scenario-add-change"
UPDATE = "scenario-update"
CANCEL = "scenario-cancel"
HINT = "scenario-hint"
MESSAGE = "scenario-message"
EDITING = "scenario-editing"  # dcc.Store: 0-based index of the intervention being edited, or None
LIST = "scenario-list"
ITEM_EDIT = "scenario-item-edit"  # pattern-matching id type {"type": ITEM_EDIT, "index": i}
ITEM_DELETE = "scenario-item-delete"
EFFECTS = "scenario-effects"
CARDS = "scenario-cards"
SUGGEST_TYPE = "scenario-suggest-type"
SUGGEST_K = "scenario-suggest-k"
WEIGHT = "scenario-weight"  # pattern-matching id type {"type": WEIGHT, "key": name}
SUGGEST_RUN = "scenario-suggest-run"
SUGGESTIONS = "scenario-suggestions"
PROPOSALS = "scenario-proposals"  # dcc.Store: the last proposals as dicts
ACCEPT = "scenario-accept"  # pattern-matching {"type": ACCEPT, "index": rank}
MOVE = "scenario-move"
NAME = "scenario-name"
SAVE = "scenario-save"
SAVED = "scenario-saved"
LOAD = "scenario-load"
DELETE_SAVED = "scenario-delete-saved"
EXPORT = "scenario-export"
DOWNLOAD = "scenario-download"
UPLOAD = "scenario-upload"
NEW = "scenario-new"
STORE_MESSAGE = "scenario-store-message"
SUGGEST_TYPES = ("kita", "meeting_place", "community_centre", "youth_club", "playground", "library")
MAX_FACILITY_OPTIONS = 400


def title(lang: str) -> str:
    return t("scenario_title", lang)


def available(settings: Settings) -> bool:
    """Scenarios are a planner tool: the public portal never shows the section (BRIEF §6)."""
    return settings.mode != "portal"


# --- layout ------------------------------------------------------------------------------------------------

def _field(label: str, control, md: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small fw-semibold mb-1"), control], md=md, className="mb-2")


def _new_types(bundle: Bundle) -> list[str]:
    """Types a new facility may have (those `validate_scenario` accepts: the schema's, including meeting places)."""
    return facility_type_choices(bundle)


def _unit_options(bundle: Bundle) -> list[dict]:
    units = bundle.units_of(bundle.finest_level.id)
    return [{"label": f"{n} ({u})", "value": u} for u, n in sorted(zip(units.index, units["name"].astype(str)), key=lambda x: x[1])]


def _form(bundle: Bundle, lang: str) -> html.Div:
    kinds = [{"label": t(f"scenario_kind_{k}", lang), "value": k} for k in ("housing", "facility", "change")]
    mixes = [{"label": t(f"scenario_mix_{m}", lang), "value": m} for m in ("reference", "new_build", "subsidised")]
    types = [{"label": type_title(k, lang), "value": k} for k in _new_types(bundle)]
    housing = html.Div(dbc.Row([
        _field(t("scenario_dwellings", lang), dcc.Input(id=DWELLINGS, type="number", value=200, step=1, className="form-control form-control-sm")),
        _field(t("scenario_persons", lang), dcc.Input(id=PERSONS, type="number", value=2.0, step=0.1, className="form-control form-control-sm")),
        _field(t("scenario_subsidised", lang), dcc.Slider(0, 100, 5, value=0, id=SUBSIDISED, marks={0: "0", 30: "30", 50: "50", 100: "100"},
                                                           tooltip={"placement": "bottom"}), md=12),
        _field(t("scenario_mix", lang), dcc.Dropdown(mixes, "reference", id=MIX, clearable=False)),
        _field(t("scenario_reference", lang), dcc.Dropdown(_unit_options(bundle), None, id=REFERENCE, placeholder=t("scenario_reference_default", lang))),
    ]), id=HOUSING_FIELDS)
    facility = html.Div(dbc.Row([
        _field(t("scenario_facility_type", lang), dcc.Dropdown(types, "kita", id=FACILITY_TYPE, clearable=False)),
        _field(t("scenario_capacity", lang), dcc.Input(id=CAPACITY, type="number", value=100, className="form-control form-control-sm")),
    ]), id=FACILITY_FIELDS, style={"display": "none"})
    change = html.Div(dbc.Row([
        _field(t("scenario_change_facility", lang), dcc.Dropdown([], None, id=CHANGE_FACILITY,  # the whole city: none (`facility_options`)
                                                                  placeholder=t("scenario_change_facility_placeholder", lang)), md=12),
        _field(t("scenario_new_capacity", lang), dcc.Input(id=NEW_CAPACITY, type="number", value=None, className="form-control form-control-sm")),
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
        dbc.Row([_field(t("scenario_label", lang), dcc.Input(id=LABEL, type="text", value="", maxLength=80,
                                                             className="form-control form-control-sm"), md=12)]),
        buttons,
        html.Div(id=HINT, className="small"),
        html.Div(id=MESSAGE, className="small", role="status", **{"aria-live": "polite"}),
    ], className="border rounded p-2 mb-2")


def _suggest(bundle: Bundle, settings: Settings, lang: str) -> html.Div:
    types = [{"label": type_title(k, lang), "value": k} for k in SUGGEST_TYPES if k in _new_types(bundle)]
    defaults = default_need_weights(bundle, "kita")
    weights = [dbc.Row([dbc.Col(html.Span(t(f"scenario_weight_{key}", lang), className="small"), md=5),
                        dbc.Col(dcc.Slider(0, 3, 0.5, value=defaults.get(key, 0.0), id={"type": WEIGHT, "key": key},
                                           marks={0: "0", 1: "1", 2: "2", 3: "3"}), md=7)])
               for key in need_weight_keys(bundle)]
    return html.Div([
        html.H6(t("scenario_suggest_title", lang)),
        html.P(t("scenario_suggest_intro", lang), className="small text-muted mb-1"),
        dbc.Row([
            _field(t("scenario_suggest_type", lang), dcc.Dropdown(types, "kita", id=SUGGEST_TYPE, clearable=False)),
            _field(t("scenario_suggest_k", lang), dcc.Slider(1, 10, 1, value=int(settings.values.get("suggest_k", 5)), id=SUGGEST_K,
                                                                     marks={1: "1", 5: "5", 10: "10"})),
        ]),
        html.Div([dbc.Label(t("scenario_suggest_weights", lang), className="small fw-semibold mb-1"), *weights]) if weights else html.Div(),
        dbc.Button(t("scenario_suggest_run", lang), id=SUGGEST_RUN, size="sm", color="secondary", className="my-1"),
        dcc.Loading(html.Div(id=SUGGESTIONS, className="small"), type="dot"),
    ], className="border rounded p-2 mb-2")


def _store(lang: str) -> html.Div:
    return html.Div([
        html.H6(t("scenario_store_title", lang)),
        dbc.Row([
            _field(t("scenario_name", lang), dcc.Input(id=NAME, type="text", value="", maxLength=80, className="form-control form-control-sm")),
            dbc.Col(dbc.Button(t("scenario_save", lang), id=SAVE, size="sm", color="primary"), md=6, className="pt-4"),
            _field(t("scenario_saved_list", lang), dcc.Dropdown([], None, id=SAVED)),
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


def panel(bundle: Bundle, settings: Settings, lang: str):
    if not available(settings):
        return html.Div(t("scenario_portal", lang), className="p-2 small")
    return html.Div([
        html.P(t("scenario_intro", lang), className="small"),
        dbc.Row([
            dbc.Col([_form(bundle, lang), html.H6(t("scenario_list_title", lang)),
                     html.Div(intervention_list(bundle, Scenario(), None, lang), id=LIST, className="small mb-2"),
                     _store(lang)], lg=4),
            dbc.Col([html.H6(t("scenario_effects_title", lang)), html.Div(id=CARDS), dcc.Loading(html.Div(id=EFFECTS), type="dot"),
                     _suggest(bundle, settings, lang)], lg=8),
        ]),
        store(EDITING),
        dcc.Store(id=PROPOSALS, data=[]),
    ], className="p-2", id="scenario-panel")


# --- the scenario in the store -----------------------------------------------------------------------------

def scenario_of(data) -> Scenario:
    """The scenario of the store (None or a `to_dict()`); an unreadable store is the baseline."""
    if not data:
        return Scenario()
    try:
        return Scenario.from_dict(data)
    except ScenarioError:
        return Scenario()


def _data(scenario: Scenario):
    return scenario.to_dict() if (scenario.interventions or scenario.name) else None


def _form_dict(kind, dwellings, persons, subsidised, mix, reference, facility_type, capacity, change_facility, new_capacity, close, label) -> dict:
    """The form as an intervention dict without a site (the dict form of `Scenario.from_dict`, so its checks name the field)."""
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


def site_of_click(bundle: Bundle, click: dict | None) -> Site | None:
    """The site a map click gives: a facility point (lon/lat), an H3 cell or a unit (with a point inside it); None off the areas."""
    point = ((click or {}).get("points") or [{}])[0]
    if point.get("lon") is not None and point.get("curveNumber") not in SELECTABLE_TRACES:
        return Site("point", float(point["lon"]), float(point["lat"]))
    area = point.get("location")
    if area is None or point.get("curveNumber") not in SELECTABLE_TRACES:
        return None
    return _area_site(bundle, str(area))


def _area_site(bundle: Bundle, area: str) -> Site:
    if area not in _unit_points(bundle).index and h3.is_valid_cell(area):
        lat, lon = h3.cell_to_latlng(area)
        return Site("cell", lon, lat, area)
    lon, lat = _unit_point(bundle, area)
    return Site("unit", lon, lat, area) if lon is not None else Site("unit", None, None, area)


@lru_cache(maxsize=4)
def _unit_points(bundle: Bundle) -> pd.DataFrame:
    units = bundle.units
    pts = units.geometry.representative_point()
    return pd.DataFrame({"lon": pts.x.round(6).to_numpy(), "lat": pts.y.round(6).to_numpy(), "name": units["name"].astype(str).to_numpy()},
                        index=pd.Index(units["unit_id"].astype(str), name="unit_id"))


def _unit_point(bundle: Bundle, unit_id: str) -> tuple[float | None, float | None]:
    pts = _unit_points(bundle)
    if unit_id not in pts.index:
        return None, None
    return float(pts.at[unit_id, "lon"]), float(pts.at[unit_id, "lat"])


def _placeholder_site(bundle: Bundle) -> Site:
    """A valid site (the first unit of the finest level) to check a form's fields before the user clicks the map."""
    return _area_site(bundle, str(bundle.units_of(bundle.finest_level.id).index[0]))


def apply(bundle: Bundle, scenario: Scenario, item: dict, site: Site | None, replace: int | None) -> Scenario:
    """The scenario with the intervention `item` (+ `site`) added, or replacing the one at `replace`; ScenarioError when it is not valid.

    Parsing and validation run on the whole new scenario, so the message names the intervention's position and field.
    """
    item = dict(item)
    if site is not None and item.get("kind") != "change":
        item["site"] = site.to_dict()
    items = [*scenario.to_dict()["interventions"]]
    if replace is None:
        items.append(item)
    else:
        items[replace] = item
    new = Scenario.from_dict({"name": scenario.name, "interventions": items})
    validate_scenario(bundle, new, current_settings())
    return new


# --- descriptions ------------------------------------------------------------------------------------------

def site_text(bundle: Bundle, site: Site, lang: str) -> str:
    """Where a site is, for people: the area's name (a clicked point or a suggested cell: the finest unit it lies in)."""
    names = _unit_points(bundle)["name"]
    if site.kind == "unit" and site.id in names.index:
        return t("scenario_site_unit", lang, name=names[site.id], id=site.id)
    lon, lat = site.lon, site.lat
    if site.kind == "cell" and lon is None:
        lat, lon = h3.cell_to_latlng(site.id)
    unit = locate_points(bundle, [lon], [lat])[0] if lon is not None else None
    if unit is not None and unit in names.index:
        return t("scenario_site_in_unit", lang, name=names[unit], id=unit)
    if site.kind == "cell":
        return t("scenario_site_cell", lang, id=site.id)
    return t("scenario_site_point", lang, lat=num(lat, lang, 5), lon=num(lon, lang, 5))


def _facility_name(bundle: Bundle, facility_id: str, lang: str = "de") -> str:
    f = facility_points(bundle).set_index("facility_id")
    if facility_id not in f.index:
        return facility_id
    name = f.at[facility_id, "name"]
    return f"{name if isinstance(name, str) and name else facility_id} ({type_title(f.at[facility_id, 'type'], lang)})"


def describe(bundle: Bundle, item, lang: str) -> str:
    """One line per intervention, in the UI language: where, then what."""
    if isinstance(item, Housing):
        mix = t(f"scenario_mix_{item.mix}", lang) + (f" {item.reference_area}" if item.mix == "reference" and item.reference_area else "")
        text = site_text(bundle, item.site, lang) + ": " + t(
            "scenario_item_housing", lang, dwellings=num(item.dwellings, lang), persons=num(item.persons_per_dwelling, lang, 1),
            subsidised=num(100 * item.subsidised_share, lang), mix=mix)
    elif isinstance(item, NewFacility):
        text = site_text(bundle, item.site, lang) + ": " + t("scenario_item_facility", lang, type=type_title(item.facility_type, lang),
                                                             capacity=num(item.capacity, lang))
    elif isinstance(item, NewAccommodation):
        text = site_text(bundle, item.site, lang) + ": " + t("scenario_item_accommodation", lang,
                                                             type=accommodation_type_title(item.accommodation_type, lang),
                                                             places=num(item.places, lang))
    else:
        name = _facility_name(bundle, item.facility_id, lang)
        if item.is_closure:
            text = t("scenario_item_close", lang, name=name)
        else:
            f = facility_points(bundle).set_index("facility_id")
            old = f.at[item.facility_id, "capacity"] if item.facility_id in f.index else None
            text = t("scenario_item_change", lang, name=name, old=num(None if pd.isna(old) else old, lang), new=num(item.capacity, lang))
    return f"{item.label} – {text}" if item.label else text


def intervention_list(bundle: Bundle, scenario: Scenario, editing: int | None, lang: str):
    if scenario.is_empty:
        return html.Div(t("scenario_list_empty", lang), className="text-muted")
    rows = []
    for i, item in enumerate(scenario.interventions):
        rows.append(html.Li([
            html.Span(f"{i + 1}. ", className="fw-semibold"), describe(bundle, item, lang), " ",
            # an accommodation site is placed and changed in its own section; here it can only be deleted
            *([] if isinstance(item, NewAccommodation) else
              [html.Button(t("scenario_edit", lang), id={"type": ITEM_EDIT, "index": i}, className="btn btn-link btn-sm p-0 me-2")]),
            html.Button(t("scenario_delete", lang), id={"type": ITEM_DELETE, "index": i}, className="btn btn-link btn-sm p-0 text-danger"),
        ], className="fw-semibold" if editing == i else "", id=f"scenario-item-{i + 1}"))
    return html.Ol(rows, className="list-unstyled mb-0")


def sites(bundle: Bundle, scenario: Scenario, lang: str) -> list[dict]:
    """Where the interventions are, for the map's scenario trace (`dashboard.callbacks.scenario_sites`): lon/lat (WGS84)
    and a label per intervention (1-based `index`)."""
    out = []
    fac = facility_points(bundle).set_index("facility_id")
    for i, item in enumerate(scenario.interventions, start=1):
        if isinstance(item, FacilityChange):
            if item.facility_id not in fac.index:
                continue
            lon, lat = float(fac.at[item.facility_id, "lon"]), float(fac.at[item.facility_id, "lat"])
        else:
            site = item.site
            lon, lat = (site.lon, site.lat) if site.lon is not None else _unit_point(bundle, site.id or "")
            if site.kind == "cell" and site.lon is None:
                lat, lon = h3.cell_to_latlng(site.id)
        if lon is None:
            continue
        out.append({"index": i, "kind": item.kind, "lon": round(float(lon), 6), "lat": round(float(lat), 6),
                    "label": f"{i}. {describe(bundle, item, lang)}"})
    return out


# --- effects -----------------------------------------------------------------------------------------------

@cache.memoize()
def _cached_effects(bundle_id: str, settings_id: str, scenario_json: str, period: str):
    return scenario_effects(current_bundle(), current_settings(), Scenario.from_json(scenario_json), period)


def effects_of(scenario: Scenario, period: str):
    """`scenario_effects` through the app cache (keyed by bundle, settings, the scenario's interventions and the period)."""
    bundle, settings = current_bundle(), current_settings()
    return _cached_effects(bundle_key(bundle), settings_key(settings), Scenario("", scenario.interventions).to_json(indent=None), period)


def _digits(e) -> int:
    """Decimals of an effect row: whole persons and children; one decimal for rates; two for small values (m² per resident)."""
    if max(abs(e.baseline or 0), abs(e.scenario or 0)) < 10 and not e.unit.startswith(("Personen", "Kinder")):
        return 2
    return 1 if any(w in e.unit + e.unit_en for w in ("%", "je 100", "per 100", "Index", "index", "m²", "points")) else 0


def effects_table(effects, lang: str) -> html.Div:
    """Baseline | scenario | difference per figure and scope, the low–high range of the scenario value, then the assumptions."""
    head = [t(k, lang) for k in ("scenario_col_effect", "scenario_col_baseline", "scenario_col_scenario", "scenario_col_difference",
                                 "scenario_col_range")]
    rows = []
    for e in effects.rows:
        d = _digits(e)
        rng = f"{num(e.low, lang, d)} – {num(e.high, lang, d)}" if e.low is not None and e.high is not None and e.low != e.high else ""
        unit = e.unit if lang == "de" or not e.unit_en else e.unit_en
        where = f"{t(f'scenario_scope_{e.scope}', lang)} {e.scope_name}"
        rows.append(html.Tr([html.Td([e.title(lang), html.Div(f"{unit} · {where}", className="text-muted")]),
                             html.Td(num(e.baseline, lang, d), className="text-end"), html.Td(num(e.scenario, lang, d), className="text-end"),
                             html.Td(num(e.difference, lang, d, sign=True), className="text-end fw-semibold"),
                             html.Td(rng, className="text-end")], id=f"scenario-effect-{e.key}-{e.scope}-{e.scope_id}",
                            className=f"scenario-effect-{e.key}"))
    assumptions = html.Ul([html.Li(de if lang == "de" else en) for de, en in effects.assumptions], className="small text-muted mb-0")
    return html.Div([
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], size="sm", striped=True, responsive=True,
                  className="small mb-1", id="scenario-effects-table"),
        html.Div(t("scenario_assumptions", lang), className="small fw-semibold"),
        assumptions,
    ])


def _card(label: str, value: str, card_id: str) -> dbc.Col:
    return dbc.Col(html.Div([html.Div(label, className="small text-muted"), html.Div(value, className="fs-5 fw-semibold")],
                            className="border rounded p-2", id=card_id), xs=6, md=3)


def effect_cards(effects, scenario: Scenario, lang: str) -> dbc.Row:
    """Key figures: new residents, of whom under 6, Kita places per 100 children in the area (baseline → scenario), interventions."""
    area = {e.key: e for e in reversed(effects.rows) if e.scope == "area"}  # the first area of each figure
    city = {e.key: e for e in effects.rows if e.scope == "city"}

    def diff(key: str) -> str:
        """The city's difference, or the sum over the touched areas (each area is listed once)."""
        if key in city:
            return num(city[key].difference, lang, sign=True)
        rows = [e.difference for e in effects.rows if e.scope == "area" and e.key == key]
        return num(sum(rows), lang, sign=True) if rows else "–"
    kita = area.get("kita_places_per_100")
    kita_text = f"{num(kita.baseline, lang, 1)} → {num(kita.scenario, lang, 1)}" if kita else "–"
    return dbc.Row([
        _card(t("scenario_cards_residents", lang), diff("residents"), "scenario-card-residents"),
        _card(t("scenario_cards_children", lang), diff("children_under_6"), "scenario-card-children"),
        _card(t("scenario_cards_kita", lang), kita_text, "scenario-card-kita"),
        _card(t("scenario_cards_interventions", lang), num(len(scenario), lang), "scenario-card-interventions"),
    ], className="g-2 mb-2")


# --- facility choices --------------------------------------------------------------------------------------

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
        opts.insert(0, {"label": _facility_name(bundle, keep, lang), "value": keep})
    return opts


# --- callbacks ---------------------------------------------------------------------------------------------

def _alert(text: str, ok: bool) -> dbc.Alert:
    return dbc.Alert(text, color="success" if ok else "danger", className="py-1 px-2 mb-1 small", id=f"{MESSAGE}-{'ok' if ok else 'error'}")


def _error(exc: ScenarioError, lang: str) -> dbc.Alert:
    return _alert(t("scenario_error", lang, message=str(exc)), ok=False)


def _what(bundle: Bundle, item: dict, lang: str) -> str:
    if item.get("kind") == "housing":
        return f"{num(item.get('dwellings'), lang)} {t('scenario_dwellings', lang)}"
    if item.get("kind") == "facility":
        return type_title(str(item.get("facility_type")), lang)
    return _facility_name(bundle, str(item.get("facility_id")), lang)


def _done(bundle: Bundle, new: Scenario, index: int, replaced: bool, lang: str):
    key = "scenario_replaced" if replaced else "scenario_added"
    return _data(new), None, _alert(t(key, lang, n=index + 1, what=describe(bundle, new.interventions[index], lang)), ok=True), None


def _proposal_item(proposal: dict, capacity, lang: str) -> tuple[dict, Site]:
    item = {"kind": "facility", "facility_type": proposal["facility_type"], "capacity": capacity if capacity is not None else 100,
            "label": t("scenario_proposal_label", lang, n=proposal["rank"])}
    return item, Site("cell", float(proposal["lon"]), float(proposal["lat"]), proposal["cell"])


def edit_scenario(place, at_selection, add_change, update, cancel, click, edit_clicks, delete_clicks, accept_clicks, move_clicks, new,
                  kind, dwellings, persons, subsidised, mix, reference, facility_type, capacity, change_facility, new_capacity, close, label,
                  data, placing, editing, selection, proposals, lang):
    """Add, place, replace, delete, accept and move interventions; on bad input a message and nothing else changes."""
    trigger = ctx.triggered_id
    # a button drawn anew (the tabs are rebuilt on a language switch) fires with no clicks: that is no click
    if trigger is None or not ctx.triggered[0].get("value"):
        return (no_update,) * 4
    if trigger == ids.MAP and not placing:
        return (no_update,) * 4  # a map click for the linked views
    bundle, scenario = current_bundle(), scenario_of(data)
    form = _form_dict(kind, dwellings, persons, subsidised, mix, reference, facility_type, capacity, change_facility, new_capacity, close, label)
    try:
        if trigger == CANCEL:
            return no_update, None, "", None
        if trigger == NEW:
            return None, None, _alert(t("scenario_cleared", lang), ok=True), None
        if trigger == PLACE:
            apply(bundle, scenario, form, _placeholder_site(bundle), editing)  # the form's fields are checked before the click
            return no_update, {"item": form, "replace": editing, "what": _what(bundle, form, lang)}, "", no_update
        if trigger == ids.MAP:
            site = site_of_click(bundle, click)
            if site is None:
                return no_update, no_update, _alert(t("scenario_click_outside", lang), ok=False), no_update
            replace = placing.get("replace")
            new_scenario = apply(bundle, scenario, placing["item"], site, replace)
            return _done(bundle, new_scenario, len(new_scenario) - 1 if replace is None else replace, replace is not None, lang)
        if trigger == AT_SELECTION:
            chosen = (selection or {}).get("ids") or []
            if not chosen:
                return no_update, no_update, _alert(t("scenario_no_selection", lang), ok=False), no_update
            area = (selection or {}).get("focus") if (selection or {}).get("focus") in chosen else chosen[0]
            new_scenario = apply(bundle, scenario, form, _area_site(bundle, str(area)), editing)
            return _done(bundle, new_scenario, len(new_scenario) - 1 if editing is None else editing, editing is not None, lang)
        if trigger in (ADD_CHANGE, UPDATE):
            if form["kind"] == "change" and not form.get("facility_id"):
                return no_update, no_update, _alert(t("scenario_no_facility", lang), ok=False), no_update
            replace = editing if trigger == UPDATE else None
            old = scenario.interventions[editing] if replace is not None and replace < len(scenario) else None
            site = getattr(old, "site", None) if form["kind"] != "change" else None
            if form["kind"] != "change" and site is None:
                return no_update, {"item": form, "replace": replace, "what": _what(bundle, form, lang)}, "", no_update
            new_scenario = apply(bundle, scenario, form, site, replace)
            return _done(bundle, new_scenario, len(new_scenario) - 1 if replace is None else replace, replace is not None, lang)
        index = int(trigger["index"])
        if trigger["type"] == ITEM_EDIT:
            return no_update, None, html.Div(t("scenario_editing", lang, n=index + 1), className="text-primary"), index
        if trigger["type"] == ITEM_DELETE:
            if index >= len(scenario):
                return (no_update,) * 4
            return _data(scenario.without(index)), None, _alert(t("scenario_deleted", lang, n=index + 1), ok=True), None
        proposal = next((p for p in proposals or [] if int(p["rank"]) == index), None)
        if proposal is None:
            return (no_update,) * 4
        item, site = _proposal_item(proposal, capacity, lang)
        new_scenario = apply(bundle, scenario, item, site, None)
        if trigger["type"] == MOVE:
            moved = {"item": item, "replace": len(new_scenario) - 1, "what": _what(bundle, item, lang), "move": True}
            return _data(new_scenario), moved, "", None
        return _done(bundle, new_scenario, len(new_scenario) - 1, False, lang)
    except ScenarioError as exc:
        return no_update, no_update, _error(exc, lang), no_update


def saved_options(settings: Settings, lang: str) -> list[dict]:
    out = []
    for info in store_for(settings).list():
        saved = format_date(info.saved_at[:10], lang) if info.saved_at else ""
        out.append({"label": t("scenario_saved_option", lang, name=info.name, n=info.n_interventions, saved=saved), "value": info.slug})
    return out


def store_scenario(active_tab, save, load, delete, contents, filename, name, slug, data, lang):
    """Save (named), load, delete a saved scenario, import a file. Errors: a message; nothing saved; the scenario unchanged."""
    bundle, settings = current_bundle(), current_settings()
    trigger = ctx.triggered_id
    if trigger == ids.SECTION_TABS:
        return no_update, no_update, saved_options(settings, lang) if active_tab == SECTION_ID else no_update, no_update
    store = store_for(settings)
    scenario = scenario_of(data)
    def failed(exc: Exception):
        text = t("scenario_error", lang, message=str(exc)) + " " + t("scenario_nothing_saved", lang)
        return no_update, _alert(text, ok=False), no_update, no_update
    try:
        if trigger == SAVE and save:
            named = scenario.renamed((name or "").strip())
            info = store.save(named, bundle)
            return _data(named), _alert(t("scenario_saved_ok", lang, name=info.name), ok=True), saved_options(settings, lang), no_update
        if trigger in (LOAD, DELETE_SAVED) and (load or delete):
            if not slug:
                return no_update, _alert(t("scenario_choose_saved", lang), ok=False), no_update, no_update
            if trigger == DELETE_SAVED:
                info = next((i for i in store.list() if i.slug == slug), None)
                store.delete(slug)
                return (no_update, _alert(t("scenario_deleted_ok", lang, name=info.name if info else slug), ok=True), saved_options(settings, lang),
                        no_update)
            loaded = store.load(slug)
            validate_scenario(bundle, loaded, settings)
            return _data(loaded) or None, _alert(t("scenario_loaded_ok", lang, name=loaded.name, n=len(loaded)), ok=True), no_update, loaded.name
        if trigger == UPLOAD and contents:
            source = filename or "upload.json"
            raw = base64.b64decode(contents.split(",", 1)[-1])
            imported = Scenario.from_json(raw, source=source)
            validate_scenario(bundle, imported, settings)
            return (_data(imported), _alert(t("scenario_imported_ok", lang, file=source, n=len(imported)), ok=True), no_update,
                    imported.name or no_update)
    except (ScenarioError, FileNotFoundError, KeyError, ValueError) as exc:
        return failed(exc)
    return (no_update,) * 4


def export_scenario(clicks, data, name):
    if not clicks:
        return no_update
    scenario = scenario_of(data)
    named = scenario.renamed((name or "").strip() or scenario.name)
    return {"content": named.to_json(), "filename": f"{slugify(named.name) or 'szenario'}.json", "type": "application/json"}


def fill_form(editing, data, district, selection, lang):
    """Editing an intervention puts its values into the form."""
    if editing is None:
        return (no_update,) * 13
    scenario = scenario_of(data)
    if editing >= len(scenario):
        return (no_update,) * 13
    item = scenario.interventions[editing]
    if isinstance(item, NewAccommodation):
        return (no_update,) * 13
    n = no_update
    options = facility_options(current_bundle(), district, selection, lang, keep=getattr(item, "facility_id", None))
    if isinstance(item, Housing):
        return ("housing", item.dwellings, item.persons_per_dwelling, round(100 * item.subsidised_share), item.mix, item.reference_area,
                n, n, n, n, n, item.label, options)
    if isinstance(item, NewFacility):
        return "facility", n, n, n, n, n, item.facility_type, item.capacity, n, n, n, item.label, options
    return "change", n, n, n, n, n, n, n, item.facility_id, item.capacity, ["on"] if item.closed else [], item.label, options


def update_facility_options(district, selection, lang, current):
    return facility_options(current_bundle(), district, selection, lang, keep=current)


def update_list(data, editing, lang):
    bundle = current_bundle()
    scenario = scenario_of(data)
    return (intervention_list(bundle, scenario, editing, lang),
            {} if editing is not None else {"display": "none"})


def update_hint(placing, lang):
    """"Click the map now" in the panel and at the map itself, where the click happens."""
    if not placing:
        return "", ""
    text = t("scenario_placing_move", lang) if placing.get("move") else t("scenario_placing_hint", lang, what=placing.get("what", ""))
    return (dbc.Alert(text, color="info", className="py-1 px-2 mb-1 small", id="scenario-placing-hint"),
            html.Div(dbc.Alert(text, color="warning", className="py-1 px-2 mb-1 small fw-semibold", id="map-placing-hint"), role="status"))


def update_effects(data, period, lang):
    """Effects table and key-figure cards of the current scenario (only while the tab is open)."""
    bundle = current_bundle()
    scenario = scenario_of(data)
    if scenario.is_empty:
        return html.Div(t("scenario_effects_empty", lang), className="small text-muted"), ""
    period = period_at(bundle, period)
    effects = effects_of(scenario, period)
    source = next((e.source for e in effects.rows if e.source), bundle.manifest.title)
    note = html.Div(t("scenario_effects_note", lang, period=format_date(period, lang), source=source), className="small text-muted mb-1")
    return html.Div([note, effects_table(effects, lang)]), effect_cards(effects, scenario, lang)


def update_suggestions(clicks, facility_type, k, weight_values, weight_ids, data, district, lang):
    """Proposals for a new facility (inside the chosen district when there is one), listed here and drawn on the map."""
    if not clicks:
        return no_update, no_update
    bundle, settings = current_bundle(), current_settings()
    weights = {w["key"]: float(v if v is not None else 0) for w, v in zip(weight_ids or [], weight_values or [])}
    scenario = scenario_of(data)
    proposals = suggest_sites(bundle, settings, facility_type, k=int(k or 5), need_weights=weights or None, scenario=scenario or None,
                              district=district or None)
    if not proposals:
        return html.Div(t("scenario_suggest_none", lang), className="text-muted"), []
    stored = [{"rank": p.rank, "cell": p.cell, "lon": p.lon, "lat": p.lat, "unit_id": p.unit_id, "unit_name": p.unit_name,
               "gain_need": p.gain_need, "gain_residents": p.gain_residents, "facility_type": facility_type} for p in proposals]
    where = (t("scenario_suggest_in_district", lang, name=bundle.units_of(bundle.levels[0].id)["name"].get(district, district))
             if district else t("scenario_suggest_in_city", lang))
    rows = [html.Li([
        html.Span(f"{p.rank}. {p.unit_name} ({p.unit_id}) – ", className="fw-semibold"),
        t("scenario_suggest_gain", lang, need=num(p.gain_need, lang), residents=num(p.gain_residents, lang)), " ",
        html.Button(t("scenario_accept", lang), id={"type": ACCEPT, "index": p.rank}, className="btn btn-link btn-sm p-0 me-2"),
        html.Button(t("scenario_move", lang), id={"type": MOVE, "index": p.rank}, className="btn btn-link btn-sm p-0"),
    ]) for p in proposals]
    return html.Div([html.Div(where, className="small text-muted", id="scenario-proposal-scope"),
                     html.Ol(rows, className="list-unstyled mb-0", id="scenario-proposal-list")]), stored


def proposals_on_map(proposals, drawn, lang):
    """The proposals as numbered marks on the map (again after the map got a new figure)."""
    if ctx.triggered_id == redrawn_id("proposals") and not (map_redrawn(drawn) and proposals):
        return no_update
    patch = Patch()
    items = proposals or []
    patch["data"][PROPOSAL_TRACE]["lon"] = [p["lon"] for p in items]
    patch["data"][PROPOSAL_TRACE]["lat"] = [p["lat"] for p in items]
    patch["data"][PROPOSAL_TRACE]["text"] = [str(p["rank"]) for p in items]
    patch["data"][PROPOSAL_TRACE]["hovertext"] = [t("scenario_proposal_hover", lang, n=p["rank"], name=p["unit_name"]) for p in items]
    return patch


def weight_defaults(facility_type, weight_ids):
    """The documented default need weights of the chosen facility type."""
    defaults = default_need_weights(current_bundle(), facility_type)
    return [defaults.get(w["key"], 0.0) for w in weight_ids or []]


KIND_FIELDS = """
function(kind) {
    const show = {}, hide = {display: 'none'};
    const change = kind === 'change';
    return [kind === 'housing' ? show : hide, kind === 'facility' ? show : hide, change ? show : hide,
            change ? hide : show, change ? hide : show, change ? show : hide];
}
"""


def register(app: Dash) -> None:
    if not available(app.server.config[SETTINGS_KEY]):
        return  # the portal has no scenario panel, so no callbacks either
    form = [State(i, p) for i, p in ((KIND, "value"), (DWELLINGS, "value"), (PERSONS, "value"), (SUBSIDISED, "value"), (MIX, "value"),
                                     (REFERENCE, "value"), (FACILITY_TYPE, "value"), (CAPACITY, "value"), (CHANGE_FACILITY, "value"),
                                     (NEW_CAPACITY, "value"), (CLOSE, "value"), (LABEL, "value"))]
    app.callback(
        Output(ids.SCENARIO, "data", allow_duplicate=True), Output(ids.SCENARIO_PLACING, "data", allow_duplicate=True),
        Output(MESSAGE, "children"), Output(EDITING, "data"),
        Input(PLACE, "n_clicks"), Input(AT_SELECTION, "n_clicks"), Input(ADD_CHANGE, "n_clicks"), Input(UPDATE, "n_clicks"),
        Input(CANCEL, "n_clicks"), Input(ids.MAP, "clickData"), Input({"type": ITEM_EDIT, "index": ALL}, "n_clicks"),
        Input({"type": ITEM_DELETE, "index": ALL}, "n_clicks"), Input({"type": ACCEPT, "index": ALL}, "n_clicks"),
        Input({"type": MOVE, "index": ALL}, "n_clicks"), Input(NEW, "n_clicks"),
        *form, State(ids.SCENARIO, "data"), State(ids.SCENARIO_PLACING, "data"), State(EDITING, "data"), State(ids.SELECTION, "data"),
        State(PROPOSALS, "data"), State(ids.LANGUAGE, "value"),
        prevent_initial_call=True,
    )(edit_scenario)
    app.callback(
        Output(ids.SCENARIO, "data", allow_duplicate=True), Output(STORE_MESSAGE, "children"), Output(SAVED, "options"), Output(NAME, "value"),
        Input(ids.SECTION_TABS, "active_tab"), Input(SAVE, "n_clicks"), Input(LOAD, "n_clicks"), Input(DELETE_SAVED, "n_clicks"),
        Input(UPLOAD, "contents"), State(UPLOAD, "filename"), State(NAME, "value"), State(SAVED, "value"), State(ids.SCENARIO, "data"),
        State(ids.LANGUAGE, "value"),
        prevent_initial_call=True,
    )(store_scenario)
    app.callback(Output(DOWNLOAD, "data"), Input(EXPORT, "n_clicks"), State(ids.SCENARIO, "data"), State(NAME, "value"),
                 prevent_initial_call=True)(export_scenario)
    app.callback(
        *[Output(s.component_id, "value", allow_duplicate=True) for s in form], Output(CHANGE_FACILITY, "options", allow_duplicate=True),
        Input(EDITING, "data"), State(ids.SCENARIO, "data"), State(ids.DISTRICT, "value"), State(ids.SELECTION, "data"), State(ids.LANGUAGE, "value"),
        prevent_initial_call=True,
    )(fill_form)
    app.callback(Output(CHANGE_FACILITY, "options"), Input(ids.DISTRICT, "value"), Input(ids.SELECTION, "data"), Input(ids.LANGUAGE, "value"),
                 State(CHANGE_FACILITY, "value"), prevent_initial_call=True)(update_facility_options)
    app.callback(Output(LIST, "children"), Output(UPDATE, "style"),
                 Input(ids.SCENARIO, "data"), Input(EDITING, "data"), Input(ids.LANGUAGE, "value"),
                 prevent_initial_call=True)(update_list)
    app.callback(Output(HINT, "children"), Output(ids.MAP_HINT, "children"), Input(ids.SCENARIO_PLACING, "data"),
                 Input(ids.LANGUAGE, "value"), prevent_initial_call=True)(update_hint)
    app.callback(Output(EFFECTS, "children"), Output(CARDS, "children"),
                 Input(ids.SECTION_TABS, "active_tab"), Input(ids.SCENARIO, "data"),
                 Input(topic_id("period", SECTION_ID), "data"), Input(ids.TABS_LANG, "data"),
                 prevent_initial_call=True)(when_active(SECTION_ID, 2, update_effects))
    app.callback(Output(SUGGESTIONS, "children"), Output(PROPOSALS, "data"),
                 Input(SUGGEST_RUN, "n_clicks"), State(SUGGEST_TYPE, "value"), State(SUGGEST_K, "value"),
                 State({"type": WEIGHT, "key": ALL}, "value"), State({"type": WEIGHT, "key": ALL}, "id"), State(ids.SCENARIO, "data"),
                 State(ids.DISTRICT, "value"), State(ids.LANGUAGE, "value"), prevent_initial_call=True)(update_suggestions)
    app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(PROPOSALS, "data"),
                 redraw_gate(app, "proposals", State(PROPOSALS, "data")),
                 State(ids.LANGUAGE, "value"), prevent_initial_call=True)(proposals_on_map)
    app.callback(Output({"type": WEIGHT, "key": ALL}, "value"), Input(SUGGEST_TYPE, "value"), State({"type": WEIGHT, "key": ALL}, "id"),
                 prevent_initial_call=True)(weight_defaults)
    app.clientside_callback(KIND_FIELDS, Output(HOUSING_FIELDS, "style"), Output(FACILITY_FIELDS, "style"), Output(CHANGE_FIELDS, "style"),
                            Output(PLACE, "style"), Output(AT_SELECTION, "style"), Output(ADD_CHANGE, "style"), Input(KIND, "value"))
