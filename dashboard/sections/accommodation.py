"""Section "Unterkünfte und Wohnen" (planner mode only): how accommodation places are spread, site screening, placing a
site as a scenario, and the housing stock.

Every number comes from `layers.accommodation` and `layers.housing` through the one exit (`publish_table` with planner-only
specs); the callbacks read the shared view state, call them and format. The portal never builds this section, and its
component ids (prefix ``accommodation``) are refused there (`dashboard.security.PORTAL_HIDDEN_COMPONENTS`).
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update

from layers import Settings, indicator_date, mean_over, publish_table
from layers import format_number as num
from layers.accommodation import (
    ACCOMMODATION_AREAS,
    ACCOMMODATION_CHANGE,
    ACCOMMODATION_SCREENING,
    COMPONENTS,
    HOUSING_EVENNESS,
    TYPE_TITLES,
    Candidate,
    area_table,
    change_table,
    concentration,
    evenness,
    has_sites,
    has_stock,
    large_from,
    screen,
    stock_date,
    suggest,
)
from layers.bundle import Bundle, BundleValidationError, outside_extent
from layers.infrastructure import current_params
from layers.scenario import NewAccommodation, Scenario, ScenarioError, Site, place_site, validate_scenario
from layers.sources import read_point_file

from .. import ids
from ..context import current_bundle, current_settings
from ..figures import PROPOSAL_TRACE
from ..i18n import format_date, t
from ..state import period_at
from .common import map_redrawn, redraw_gate, redrawn_id, topic_id, waiting, when_active
from .scenario.places import site_of_click
from .scenario.stored import scenario_of

SECTION_ID = "accommodation"
LEVEL = "accommodation-level"
DISTRIBUTION = "accommodation-distribution"
CANDIDATES = "accommodation-candidates"  # dcc.Store: list of candidate dicts (lon, lat, label, origin)
ADD_CLICK = "accommodation-add-click"
SUGGEST = "accommodation-suggest"
UPLOAD = "accommodation-upload"
CLEAR = "accommodation-clear"
MESSAGE = "accommodation-message"
SCREENING = "accommodation-screening"
PLACES = "accommodation-places"
TYPE = "accommodation-type"
PLACE = "accommodation-place"  # pattern-matching {"type": PLACE, "index": n}
HOUSING = "accommodation-housing"
MAX_CANDIDATES = 20
HOUSING_INDICATORS = ("mss_simple_housing_pct", "mss_residence_5y_pct")


def title(lang: str) -> str:
    """The tab's label: a short form of `full_title`."""
    return t("accommodation_title", lang)


def full_title(lang: str) -> str:
    """The section's full name: the tab's tooltip and accessible name."""
    return t("accommodation_title_full", lang)


def available(settings: Settings) -> bool:
    """Accommodation sites are internal (BRIEF §6): the public portal never shows the section."""
    return settings.mode != "portal"


# --- layout ------------------------------------------------------------------------------------------------

def _label(key: str, lang: str) -> dbc.Label:
    return dbc.Label(t(key, lang), className="small fw-semibold mb-1")


def panel(bundle: Bundle, settings: Settings, lang: str):
    levels = [{"label": lv.name_de if lang == "de" else lv.name_en, "value": lv.id} for lv in bundle.levels]
    default_level = bundle.levels[min(1, len(bundle.levels) - 1)].id
    distribution = html.Div([
        dbc.Row(dbc.Col([_label("accommodation_level", lang), dcc.Dropdown(levels, default_level, id=LEVEL, clearable=False)], md=5),
                className="mb-2"),
        waiting(html.Div(id=DISTRIBUTION)),
    ], className="pt-2")
    screening = html.Div([
        html.P(t("accommodation_screening_intro", lang), className="small"),
        html.Div([
            dbc.Button(t("accommodation_add_click", lang), id=ADD_CLICK, size="sm", color="primary", className="me-2 mb-1"),
            dbc.Button(t("accommodation_suggest", lang), id=SUGGEST, size="sm", color="secondary", outline=True, className="me-2 mb-1"),
            dcc.Upload(dbc.Button(t("accommodation_upload", lang), size="sm", color="secondary", outline=True), id=UPLOAD,
                       className="d-inline-block me-2 mb-1", max_size=2_000_000),
            dbc.Button(t("accommodation_clear", lang), id=CLEAR, size="sm", color="link", className="mb-1"),
        ]),
        dbc.Row([
            dbc.Col([_label("accommodation_places_input", lang),
                     dbc.Input(id=PLACES, type="number", min=1, max=int(settings.values["scenario_max_capacity"]), step=1, value=200,
                               size="sm")], md=3),
            dbc.Col([_label("accommodation_type_input", lang),
                     dcc.Dropdown([{"label": de if lang == "de" else en, "value": k} for k, (de, en) in TYPE_TITLES.items()],
                                  "gemeinschaftsunterkunft", id=TYPE, clearable=False)], md=6),
        ], className="my-2"),
        html.Div(id=MESSAGE, className="small", role="status"),
        waiting(html.Div(id=SCREENING)),
    ], className="pt-2")
    housing = waiting(html.Div(id=HOUSING, className="pt-2"))
    head = [html.P(t("accommodation_internal", lang), className="small text-muted mb-2")]
    if not has_sites(bundle):
        note = bundle.manifest.notes.get("accommodation", "")
        note = note.split(" EN: ")[0].removeprefix("DE: ") if lang == "de" else (note.split(" EN: ")[-1] if " EN: " in note else note)
        head.append(dbc.Alert([html.Div(t("accommodation_no_sites", lang)),
                               html.Div(note or t("accommodation_import_hint", lang), className="small")], color="info", className="py-2",
                              id="accommodation-no-sites"))
    tabs = dbc.Tabs([
        dbc.Tab(distribution, label=t("accommodation_tab_distribution", lang), tab_id="accommodation-tab-distribution"),
        dbc.Tab(screening, label=t("accommodation_tab_screening", lang), tab_id="accommodation-tab-screening"),
        dbc.Tab(housing, label=t("accommodation_tab_housing", lang), tab_id="accommodation-tab-housing"),
    ], id="accommodation-tabs", active_tab="accommodation-tab-distribution")
    return html.Div([*head, tabs, dcc.Store(id=CANDIDATES, data=[])], className="p-2", id="accommodation-panel")


# --- formatting ----------------------------------------------------------------------------------------------

def _table(head: list[str], rows: list[list], table_id: str) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows])],
                     size="sm", striped=True, bordered=False, responsive=True, className="small", id=table_id)


def lorenz_figure(curve: pd.DataFrame, lang: str) -> dict:
    """The Lorenz curve of places over residents with the line of equal distribution."""
    return {"data": [{"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines", "name": t("accommodation_lorenz_equal", lang),
                      "line": {"dash": "dot", "color": "#777"}},
                     {"type": "scatter", "x": curve["residents_share"].round(4).tolist(), "y": curve["places_share"].round(4).tolist(),
                      "mode": "lines+markers", "name": t("accommodation_lorenz_curve", lang), "line": {"color": "#5e3c99"}}],
            "layout": {"margin": {"l": 55, "r": 10, "t": 10, "b": 45}, "height": 260, "legend": {"orientation": "h", "y": -0.3},
                       "xaxis": {"title": {"text": t("accommodation_lorenz_x", lang)}, "tickformat": ".0%", "range": [0, 1]},
                       "yaxis": {"title": {"text": t("accommodation_lorenz_y", lang)}, "tickformat": ".0%", "range": [0, 1]},
                       "separators": ",." if lang == "de" else ".,"}}


def distribution_view(bundle: Bundle, level: str, period: str, lang: str, settings: Settings) -> list:
    if not has_sites(bundle):
        return []
    large = large_from()
    df = publish_table(area_table(bundle, level, period, current_params(), large), ACCOMMODATION_AREAS, settings)
    change = publish_table(change_table(bundle, level, large), ACCOMMODATION_CHANGE, settings)
    conc = concentration(df["places"].to_numpy(), df["residents"].to_numpy())
    lv = bundle.level(level)
    rows = [[r.name, num(r.residents, lang), num(r.sites, lang), num(r.places, lang), num(r.places_per_1000, lang, 1),
             num(r.large_share, lang), num(r.mss_child_poverty_pct, lang, 1), num(r.mss_unemployment_pct, lang, 1),
             num(r.kita_per_100, lang), num(r.primary_school_per_100, lang)]
            for r in df.sort_values("name", key=lambda s: s.astype(str).str.casefold()).itertuples()]
    head = [t(f"accommodation_col_{k}", lang) for k in ("area", "residents", "sites", "places", "per_1000", "large", "poverty",
                                                           "unemployment", "kita", "school")]
    change_rows = [[format_date(p, lang), num(r.sites, lang), num(r.places, lang), num(r.places_per_1000, lang, 1), num(r.large_share, lang),
                    num(r.gini, lang, 2)] for p, r in zip(change.index, change.itertuples())]
    change_head = [t(f"accommodation_col_{k}", lang) for k in ("period", "sites", "places", "per_1000", "large", "gini")]
    csv = f"api/v1/accommodation/areas?level={level}&period={period}&format=csv"
    date = indicator_date(bundle, "mss_child_poverty_pct") or "–"
    return [
        html.P(t("accommodation_intro", lang, period=format_date(period, lang)), className="small"),
        html.P(t("accommodation_concentration", lang, n=conc.areas, level=lv.name_de if lang == "de" else lv.name_en,
                 gini=num(conc.gini, lang, 2)), className="small fw-semibold", id="accommodation-gini"),
        dcc.Graph(figure=lorenz_figure(conc.curve, lang), config={"displaylogo": False, "responsive": True}, id="accommodation-lorenz"),
        _table(head, rows, "accommodation-area-table"),
        html.P(t("accommodation_large_note", lang, places=num(large, lang), date=format_date(date, lang) if date != "–" else date),
               className="small text-muted"),
        html.A(t("accommodation_download", lang), href=csv, className="small"),
        html.H6(t("accommodation_change_title", lang), className="mt-3"),
        _table(change_head, change_rows, "accommodation-change-table"),
    ]


def _value_text(component: str, value: float, lang: str) -> str:
    if np.isnan(value):
        return "–"
    if not np.isfinite(value):
        return t("accommodation_value_none", lang)
    if component == "social":
        return t("accommodation_value_class", lang, c=num(value, lang))
    if component == "dispersal":
        return t("accommodation_value_places", lang, p=num(value, lang))
    return t("accommodation_value_m", lang, m=num(round(value, -1), lang))


def screening_view(bundle: Bundle, candidates: list[dict], period: str, lang: str, settings: Settings) -> list:
    if not candidates:
        return [html.P(t("accommodation_no_candidates", lang), className="small text-muted")]
    cands = [Candidate(float(c["lon"]), float(c["lat"]), str(c.get("label") or ""), str(c.get("origin") or "clicked")) for c in candidates]
    sites, components = screen(bundle, cands, period, settings)
    components = publish_table(components, ACCOMMODATION_SCREENING, settings)
    names = bundle.units["name"].set_axis(bundle.units["unit_id"].astype(str))
    out: list = []
    for n, site in sites.iterrows():
        area = f"{names.get(site['unit_id'], '–')} ({site['unit_id']})" if site["unit_id"] else "–"
        comp = components[components["candidate"] == n]
        rows = [[COMPONENTS[r.component][0 if lang == "de" else 1], _value_text(r.component, r.value, lang), num(r.score, lang, 2),
                 num(100 * r.weight, lang) + " %", num(r.contribution, lang, 2)] for r in comp.itertuples() if r.weight > 0]
        left = str(site["left_out"])
        out.append(dbc.Card(dbc.CardBody([
            html.H6(t("accommodation_candidate", lang, n=n + 1, label=site["label"] or f"{site['lon']:.5f}, {site['lat']:.5f}", area=area),
                    className="mb-1"),
            html.Div(t("accommodation_score", lang, score=num(site["score"], lang, 2), low=num(site["score_low"], lang, 2),
                       high=num(site["score_high"], lang, 2)), className="small fw-semibold"),
            _table([t(f"accommodation_col_{k}", lang) for k in ("component", "value", "score", "weight", "contribution")], rows,
                   f"accommodation-screening-table-{n + 1}"),
            html.Div(t("accommodation_left_out", lang, items=left), className="small text-muted") if left else None,
            dbc.Button(t("accommodation_place", lang), id={"type": PLACE, "index": n}, size="sm", color="primary", outline=True),
        ]), className="mb-2"))
    out.append(html.P(t("accommodation_range_note", lang), className="small text-muted"))
    return out


def housing_view(bundle: Bundle, period: str, lang: str, settings: Settings) -> list:
    out: list = []
    if has_stock(bundle):
        df = publish_table(evenness(bundle, period), HOUSING_EVENNESS, settings)
        rows = [[r.name, num(r.dwellings, lang), num(r.social_dwellings, lang), num(r.social_share, lang, 1), num(r.dissim, lang, 2),
                 num(r.gini, lang, 2)] for r in df.itertuples()]
        head = [t(f"accommodation_col_{k}", lang) for k in ("area", "dwellings", "social", "social_share", "dissim", "gini")]
        out += [html.P(t("accommodation_housing_intro", lang, date=format_date(stock_date(bundle, period), lang)), className="small"),
                _table(head, rows, "accommodation-housing-table")]
    else:
        note = bundle.manifest.notes.get("housing", "")
        note = note.split(" EN: ")[0].removeprefix("DE: ") if lang == "de" else (note.split(" EN: ")[-1] if " EN: " in note else note)
        out.append(dbc.Alert([html.Div(t("accommodation_no_housing", lang)), html.Div(note, className="small") if note else None],
                             color="info", className="py-2"))
    present = [k for k in HOUSING_INDICATORS if k in bundle.manifest.indicators]
    if present:
        top = bundle.levels[0].id
        anc = bundle.ancestor(top)
        names = bundle.units_of(top)["name"]
        rows = []
        for d in names.index:
            means = mean_over(bundle, anc.index[anc.to_numpy() == d], period, tuple(present))
            rows.append([str(names[d]), *[num(means.get(k), lang, 1) for k in present]])
        cols = {"mss_simple_housing_pct": "simple", "mss_residence_5y_pct": "residence"}
        out += [html.H6(t("accommodation_mss_housing", lang, date=format_date(indicator_date(bundle, present[0]), lang)), className="mt-3"),
                _table([t("accommodation_col_area", lang), *[t(f"accommodation_col_{cols[k]}", lang) for k in present]], rows,
                       "accommodation-mss-housing")]
    return out


# --- callbacks ---------------------------------------------------------------------------------------------------

def update_distribution(level, period, lang):
    bundle, settings = current_bundle(), current_settings()
    return distribution_view(bundle, level, period_at(bundle, period), lang, settings)


def update_housing(period, lang):
    bundle, settings = current_bundle(), current_settings()
    return housing_view(bundle, period_at(bundle, period), lang, settings)


def _uploaded(bundle: Bundle, contents: str, filename: str) -> list[dict]:
    """The points of an uploaded candidate file; rows outside the city (or with lon/lat swapped) are refused by row."""
    raw = base64.b64decode(contents.split(",", 1)[1])
    suffix = Path(filename or "candidates.csv").suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{Path(filename or 'candidates').stem}{suffix}"
        path.write_bytes(raw)
        frame = read_point_file(path)
    problems = outside_extent(frame, path.name, tuple(bundle.units.total_bounds))
    if problems:
        raise BundleValidationError(problems)
    label = next((c for c in ("label", "name", "site_id") if c in frame.columns), None)
    return [{"lon": float(g.x), "lat": float(g.y), "label": str(frame[label].iloc[i]) if label and pd.notna(frame[label].iloc[i]) else "",
             "origin": "imported"} for i, g in enumerate(frame.geometry)]


def new_candidates(bundle: Bundle, settings: Settings, trigger: str, click: dict | None, upload: dict, district: str | None,
                   period: str) -> list[dict] | None:
    """The candidates `trigger` adds: the clicked place (None: the click was off the areas), three suggestions (inside the
    district when one is chosen) or the uploaded file's points. BundleValidationError or ValueError: a file or place refused."""
    if trigger == ADD_CLICK:
        site = site_of_click(bundle, click)
        if site is None:
            return None
        placed = place_site(bundle, site)
        return [{"lon": placed.lon, "lat": placed.lat, "label": "", "origin": "clicked"}]
    if trigger == SUGGEST:
        return [{"lon": c.lon, "lat": c.lat, "label": c.label, "origin": c.origin}
                for c in suggest(bundle, period_at(bundle, period), settings, 3, district or None)]
    return _uploaded(bundle, upload["contents"], upload["filename"])


def edit_candidates(clicks, upload, click, candidates, district, period, lang):
    """Add the clicked place, suggestions or an uploaded file's points to the candidates; clear them.

    `clicks` are the add, suggest and clear buttons' (only which one fired counts), `upload` the file's contents and name."""
    trigger = ctx.triggered_id
    if trigger is None or not ctx.triggered[0].get("value"):
        return no_update, no_update
    if trigger == CLEAR:
        return [], ""
    candidates = list(candidates or [])
    try:
        new = new_candidates(current_bundle(), current_settings(), trigger, click, upload, district, period)
    except (BundleValidationError, ValueError) as exc:
        return no_update, dbc.Alert(t("accommodation_upload_failed", lang, error=str(exc)), color="danger", className="py-1 small")
    if new is None:
        return no_update, dbc.Alert(t("accommodation_no_click", lang), color="warning", className="py-1 small")
    merged = (candidates + new)[:MAX_CANDIDATES]
    return merged, dbc.Alert(t("accommodation_added", lang, n=len(merged) - len(candidates)), color="success", className="py-1 small")


def update_screening(candidates, period, lang):
    bundle, settings = current_bundle(), current_settings()
    return screening_view(bundle, candidates or [], period_at(bundle, period), lang, settings)


def with_candidate(bundle: Bundle, settings: Settings, scenario: Scenario, candidate: dict, n: int, places, kind) -> tuple[NewAccommodation, Scenario]:
    """The accommodation site (`places` places of type `kind`) at the 0-based candidate `n`, and the scenario with it, validated
    like every intervention (ScenarioError, ValueError or TypeError when it is not valid)."""
    item = NewAccommodation(Site("point", float(candidate["lon"]), float(candidate["lat"])), int(places or 0), kind or "gemeinschaftsunterkunft",
                            label=candidate.get("label") or f"K{n + 1}")
    new = scenario.with_intervention(item)
    validate_scenario(bundle, new, settings)
    return item, new


def place_candidate(clicks, places, kind, candidates, data, lang):
    """Put an accommodation site at the candidate into the scenario (validated like every intervention)."""
    trigger = ctx.triggered_id
    if trigger is None or not ctx.triggered[0].get("value"):
        return no_update, no_update
    n = int(trigger["index"])
    if n >= len(candidates or []):
        return no_update, no_update
    try:
        item, new = with_candidate(current_bundle(), current_settings(), scenario_of(data), candidates[n], n, places, kind)
    except (ScenarioError, ValueError, TypeError) as exc:
        return no_update, dbc.Alert(str(exc), color="danger", className="py-1 small")
    return new.to_dict(), dbc.Alert(t("accommodation_placed", lang, places=num(item.places, lang), n=n + 1), color="success",
                                    className="py-1 small")


def candidates_on_map(candidates, drawn):
    """The candidates as numbered marks on the map (again after the map got a new figure)."""
    if ctx.triggered_id == redrawn_id("candidates") and not (map_redrawn(drawn) and candidates):
        return no_update
    patch = Patch()
    items = candidates or []
    patch["data"][PROPOSAL_TRACE]["lon"] = [c["lon"] for c in items]
    patch["data"][PROPOSAL_TRACE]["lat"] = [c["lat"] for c in items]
    patch["data"][PROPOSAL_TRACE]["text"] = [f"K{i}" for i in range(1, len(items) + 1)]
    patch["data"][PROPOSAL_TRACE]["hovertext"] = [f"K{i}: {c.get('label') or ''}" for i, c in enumerate(items, start=1)]
    return patch


def register(app: Dash) -> None:
    app.callback(Output(DISTRIBUTION, "children"), Input(ids.SECTION_TABS, "active_tab"), Input(LEVEL, "value"), Input(topic_id("period", SECTION_ID), "data"),
                 Input(ids.TABS_LANG, "data"), prevent_initial_call=True)(when_active(SECTION_ID, 1, update_distribution))
    app.callback(Output(HOUSING, "children"), Input(ids.SECTION_TABS, "active_tab"), Input(topic_id("period", SECTION_ID), "data"),
                 Input(ids.TABS_LANG, "data"), prevent_initial_call=True)(when_active(SECTION_ID, 1, update_housing))
    app.callback(output=[Output(CANDIDATES, "data"), Output(MESSAGE, "children")],
                 inputs={"clicks": {"add": Input(ADD_CLICK, "n_clicks"), "suggest": Input(SUGGEST, "n_clicks"), "clear": Input(CLEAR, "n_clicks")},
                         "upload": {"contents": Input(UPLOAD, "contents"), "filename": State(UPLOAD, "filename")},
                         "click": State(ids.MAP, "clickData"), "candidates": State(CANDIDATES, "data"), "district": State(ids.DISTRICT, "value"),
                         "period": State(ids.PERIOD, "value"), "lang": State(ids.LANGUAGE, "value")},
                 prevent_initial_call=True)(edit_candidates)
    app.callback(Output(SCREENING, "children"), Input(ids.SECTION_TABS, "active_tab"), Input(CANDIDATES, "data"), Input(topic_id("period", SECTION_ID), "data"),
                 Input(ids.TABS_LANG, "data"), prevent_initial_call=True)(when_active(SECTION_ID, 1, update_screening))
    app.callback(Output(ids.SCENARIO, "data", allow_duplicate=True), Output(MESSAGE, "children", allow_duplicate=True),
                 Input({"type": PLACE, "index": ALL}, "n_clicks"), State(PLACES, "value"), State(TYPE, "value"), State(CANDIDATES, "data"),
                 State(ids.SCENARIO, "data"), State(ids.LANGUAGE, "value"), prevent_initial_call=True)(place_candidate)
    app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(CANDIDATES, "data"),
                 redraw_gate(app, "candidates", State(CANDIDATES, "data")),
                 prevent_initial_call=True)(candidates_on_map)
