"""What the scenario changes: the effects table and the key-figure cards (every number from `layers.scenario`)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html

from layers import format_number as num
from layers.scenario import Scenario, scenario_effects

from ... import ids
from ...context import bundle_key, cache, current_bundle, current_settings, settings_key
from ...i18n import format_date, t
from ...state import period_at
from ..common import topic_id, when_active
from .component_ids import CARDS, EFFECTS, SECTION_ID
from .stored import scenario_of


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


def register(app: Dash) -> None:
    """The effects follow the scenario, the topic's period and the tabs' language while the tab is open."""
    app.callback(Output(EFFECTS, "children"), Output(CARDS, "children"),
                 Input(ids.SECTION_TABS, "active_tab"), Input(ids.SCENARIO, "data"),
                 Input(topic_id("period", SECTION_ID), "data"), Input(ids.TABS_LANG, "data"),
                 prevent_initial_call=True)(when_active(SECTION_ID, 2, update_effects))
