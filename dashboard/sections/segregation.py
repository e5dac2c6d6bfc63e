"""Segregation section: city and district indices over time, their change with p-values; hot-spot maps are layers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dash_table, dcc, html, no_update

from layers import basis_name, publish_table
from layers import format_number as num
from layers.segregation import (
    DEFAULT_ITERATIONS,
    DEFAULT_SEED,
    INDEX_DEFS,
    MULTI_INDICES,
    SEGREGATION_CHANGE,
    SEGREGATION_INDICES,
    SINGLE_INDICES,
    available_groups,
)
from layers.spatial import Basis

from .. import ids
from ..api_segregation import change_frame, indices_frame, multigroup_frame
from ..context import current_bundle, current_settings
from ..i18n import PLOTLY_DAY, format_date, t
from ..state import period_at
from .common import topic_id, when_active

SECTION_ID = "segregation"
GROUP = "segregation-group"
INDEX = "segregation-index"
PERIOD_FROM = "segregation-period-from"
EXPLAIN = "segregation-explain"
CHART = "segregation-chart"
TABLE = "segregation-table"
TABLE_TITLE = "segregation-table-title"
CHANGE = "segregation-change"
CHANGE_TITLE = "segregation-change-title"
CHANGE_NOTE = "segregation-change-note"
DEFAULT_GROUP = "mig_bg_under_18"
CITY_COLOUR = "#222222"
# 12 districts, 12 distinguishable colours (ColorBrewer Paired, reordered so neighbours in the legend differ in hue)
DISTRICT_COLOURS = ("#1f78b4", "#e31a1c", "#33a02c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#fb9a99", "#b2df8a",
                    "#fdbf6f", "#cab2d6", "#8c8c00")


def title(lang: str) -> str:
    return t("segregation_title", lang)


def _key() -> str:
    bundle = current_bundle()
    return f"{bundle.folder}:{bundle.manifest.built_at}"


def _basis(bundle, value) -> str:
    keys = [lvl.id for lvl in bundle.levels] + [f"h3_{r}" for r in bundle.manifest.h3_resolutions]
    return value if value in keys else bundle.finest_level.id


def _p(p, lang: str, iterations: int) -> str:
    if p is None or not np.isfinite(p):
        return "–"
    return f"< {num(1 / iterations, lang, 2)}" if p == 0 else num(p, lang, 2)


def panel(bundle, settings, lang: str):
    groups = available_groups(bundle)
    if not groups:  # a bundle without migration counts: nothing to measure
        return html.Div(t("segregation_no_groups", lang), className="text-muted small mt-2")
    group = DEFAULT_GROUP if any(g.id == DEFAULT_GROUP for g in groups) else groups[0].id
    return html.Div([
        html.Div([
            html.Div([html.Label(t("segregation_group", lang), className="small"),
                      dcc.Dropdown([{"label": g.title(lang), "value": g.id} for g in groups], group, id=GROUP, clearable=False)],
                     style={"flex": "3 1 14rem"}),
            html.Div([html.Label(t("segregation_index", lang), className="small"),
                      dcc.Dropdown([{"label": f"{d.title(lang)} ({d.symbol})", "value": d.id} for d in SINGLE_INDICES], "dissim",
                                   id=INDEX, clearable=False)], style={"flex": "2 1 11rem"}),
            html.Div([html.Label(t("segregation_period_from", lang), className="small"),
                      dcc.Dropdown([{"label": format_date(p, lang), "value": p} for p in bundle.periods], bundle.periods[0],
                                   id=PERIOD_FROM, clearable=False)], style={"flex": "1 1 8.5rem"}),
        ], className="d-flex flex-wrap gap-2 my-2"),  # side by side where the panel is wide enough, else below each other
        html.Div(id=EXPLAIN, className="small border rounded p-2 bg-light"),
        dcc.Graph(id=CHART, config={"displayModeBar": False}, style={"height": "320px"}),
        html.H6(id=TABLE_TITLE, className="mt-2"),
        # headers spelled out (symbol in brackets, the explanation on hover), wrapped so the table fits the page
        dash_table.DataTable(id=TABLE, style_table={"overflowX": "auto", "maxWidth": "100%"},
                             style_cell={"fontSize": "12px", "padding": "2px 4px", "whiteSpace": "normal", "height": "auto",
                                         "minWidth": "3.2rem", "maxWidth": "6.5rem"},
                             style_header={"fontSize": "11px", "lineHeight": "1.15", "textDecoration": "underline dotted", "cursor": "help"},
                             tooltip_delay=200, tooltip_duration=None,
                             style_data_conditional=[{"if": {"filter_query": '{area} = "city"'}, "fontWeight": "bold"}]),
        html.Div(t("segregation_multi_note", lang), className="small text-muted"),
        html.H6(id=CHANGE_TITLE, className="mt-3"),
        dash_table.DataTable(id=CHANGE, style_table={"overflowX": "auto"}, style_cell={"fontSize": "12px", "padding": "2px 6px"},
                             style_header={"fontSize": "11px", "lineHeight": "1.15"},  # a date in each head: 4 of them fit 1366 px
                             style_data_conditional=[{"if": {"filter_query": '{area} = "city"'}, "fontWeight": "bold"}]),
        html.Div(id=CHANGE_NOTE, className="small text-muted"),
        html.Div(t("segregation_source", lang), className="small text-muted mt-1"),
    ])


def _explanation(d, basis: str, blabel: str, period: str, lang: str) -> list:
    """What the index measures, the caveat, and which basis and period the figures are on."""
    explain = [html.B(f"{d.title(lang)} ({d.symbol}): "), d.explain(lang), html.Br(), html.I(t("segregation_caveat", lang)), html.Br(),
               t("segregation_basis_note", lang, basis=blabel, period=format_date(period, lang))]
    if Basis.parse(basis).is_h3:
        explain += [" ", t("segregation_interpolated", lang)]
    return explain


MAX_PERIOD_TICKS = 4  # date labels that fit side by side under the chart in the topic column at 1366 px


def _period_ticks(periods: list[str], lang: str) -> list[str]:
    """A label per Stichtag, at most `MAX_PERIOD_TICKS` of them (counting back from the newest, always labelled): the
    others keep their tick mark without text, so the dates never run into each other."""
    step = -(-len(periods) // MAX_PERIOD_TICKS)
    return [format_date(p, lang) if (len(periods) - 1 - i) % step == 0 else "" for i, p in enumerate(periods)]


def _chart(bundle, table, d, index: str, district: str | None, title: str, lang: str) -> go.Figure:
    """The index over the bundle's periods: the city and each district (only the chosen one when there is one)."""
    fig = go.Figure()
    districts = [a for a in table["area"].drop_duplicates() if a != "city"]
    for area, rows in table.groupby("area", sort=False):
        city = area == "city"
        if not (city or area == district or district is None):
            continue
        colour = CITY_COLOUR if city else DISTRICT_COLOURS[districts.index(area) % len(DISTRICT_COLOURS)]
        fig.add_trace(go.Scatter(x=rows["period"], y=rows[index], mode="lines+markers", name=t("segregation_city", lang) if city else rows["area_name"].iloc[0],
                                 line={"width": 3 if city else 1.6, "color": colour}, marker={"size": 5 if not city else 7}))
    fig.update_layout(title={"text": title, "font": {"size": 12}},
                      margin={"l": 40, "r": 10, "t": 66, "b": 30}, legend={"font": {"size": 10}},
                      yaxis={"title": d.symbol}, template="plotly_white", separators=",." if lang == "de" else ".,",
                      # ticks at the reference dates themselves (a date axis would label 31.12.2024 as "Jan 2025")
                      xaxis={"tickvals": list(bundle.periods), "ticktext": _period_ticks(bundle.periods, lang), "tickangle": 0,
                             "tickfont": {"size": 10}, "hoverformat": PLOTLY_DAY[lang]})
    return fig


def _indices_table(table, multi, period: str, lang: str) -> tuple[list[dict], list[dict], dict]:
    """The columns, rows and header tooltips of every index in the period, city and districts."""
    now = table[table["period"] == period].merge(multi[multi["period"] == period][["area", *[m.id for m in MULTI_INDICES]]], on="area")
    cols = [{"name": t("segregation_col_area", lang), "id": "area_name"}, {"name": t("segregation_col_units", lang), "id": "n_units"},
            {"name": t("segregation_col_share", lang), "id": "share_pct"}] + [{"name": f"{x.title(lang)} ({x.symbol})", "id": x.id}
                                                                             for x in SINGLE_INDICES + MULTI_INDICES]
    data = [{"area": r["area"], "area_name": t("segregation_city", lang) if r["area"] == "city" else r["area_name"], "n_units": int(r["n_units"]),
             "share_pct": num(r["share_pct"], lang, 1), **{x.id: num(r[x.id], lang, 3) for x in SINGLE_INDICES + MULTI_INDICES}}
            for r in now.to_dict("records")]
    tooltips = {x.id: {"value": f"{x.title(lang)} ({x.symbol}): {x.explain(lang)}", "type": "text"} for x in SINGLE_INDICES + MULTI_INDICES}
    return cols, data, tooltips


def indices_view(group, index, basis_value, period_value, district, lang):
    """Explanation, time-series chart and the indices table of the chosen group, index, basis and period."""
    bundle = current_bundle()
    basis, period = _basis(bundle, basis_value), period_at(bundle, period_value)
    d = INDEX_DEFS[index]
    table = publish_table(indices_frame(_key(), basis, group), SEGREGATION_INDICES, current_settings())
    multi = publish_table(multigroup_frame(_key(), basis), SEGREGATION_INDICES, current_settings())
    gtitle = next(g.title(lang) for g in available_groups(bundle) if g.id == group)
    blabel = basis_name(bundle, Basis.parse(basis), lang)
    periods = f"{format_date(bundle.periods[0], lang)}–{format_date(bundle.periods[-1], lang)}"  # the bundle's own Stichtage
    title = t("segregation_chart_title", lang, index=f"{d.title(lang)} ({d.symbol})", group=gtitle, basis=blabel, periods=periods)
    cols, data, tooltips = _indices_table(table, multi, period, lang)
    return (_explanation(d, basis, blabel, period, lang), _chart(bundle, table, d, index, district, title, lang),
            t("segregation_table_title", lang, period=format_date(period, lang)), cols, data, tooltips)


def _change_table(frame, f0: str, f1: str, lang: str) -> tuple[list[dict], list[dict]]:
    """The columns and rows of the change table (`f0`, `f1`: the two periods as shown)."""
    cols = [{"name": t("segregation_col_area", lang), "id": "area_name"}, {"name": t("segregation_col_from", lang, period=f0), "id": "value_from"},
            {"name": t("segregation_col_to", lang, period=f1), "id": "value_to"}, {"name": t("segregation_col_diff", lang), "id": "difference"},
            {"name": t("segregation_col_p", lang), "id": "p_value_change"}, {"name": t("segregation_col_bc_from", lang, period=f0), "id": "dissim_bc_from"},
            {"name": t("segregation_col_bc_to", lang, period=f1), "id": "dissim_bc_to"}]
    data = [{"area": r["area"], "area_name": t("segregation_city", lang) if r["area"] == "city" else r["area_name"],
             "value_from": num(r["value_from"], lang, 3), "value_to": num(r["value_to"], lang, 3), "difference": num(r["difference"], lang, 3),
             "p_value_change": _p(r["p_value_change"], lang, DEFAULT_ITERATIONS), "dissim_bc_from": num(r["dissim_bc_from"], lang, 3),
             "dissim_bc_to": num(r["dissim_bc_to"], lang, 3)} for r in frame.to_dict("records")]
    return cols, data


def change_view(group, index, period_from, basis_value, period_value, lang):
    """The change table: index value in both periods, difference, p-value (TwoValueTest), bias-corrected D."""
    bundle = current_bundle()
    basis, period = _basis(bundle, basis_value), period_at(bundle, period_value)
    d = INDEX_DEFS[index]
    frame = publish_table(change_frame(_key(), basis, group, period_from, period, index, DEFAULT_ITERATIONS, DEFAULT_SEED),
                          SEGREGATION_CHANGE, current_settings())
    f0, f1 = format_date(period_from, lang), format_date(period, lang)
    cols, data = _change_table(frame, f0, f1, lang)
    return (t("segregation_change_title", lang, index=f"{d.title(lang)} ({d.symbol})", period_from=f0, period=f1), cols, data,
            t("segregation_change_note", lang, iterations=DEFAULT_ITERATIONS))


def pick_district(active_cell, data):
    """Clicking a district row sets the shared district dropdown (the city row clears it)."""
    if not active_cell or not data or active_cell.get("row") is None or active_cell["row"] >= len(data):
        return no_update
    area = data[active_cell["row"]]["area"]
    return None if area == "city" else area


def register(app: Dash) -> None:
    app.callback(
        Output(EXPLAIN, "children"), Output(CHART, "figure"), Output(TABLE_TITLE, "children"), Output(TABLE, "columns"), Output(TABLE, "data"),
        Output(TABLE, "tooltip_header"),
        Input(ids.SECTION_TABS, "active_tab"), Input(GROUP, "value"), Input(INDEX, "value"), Input(topic_id("basis", SECTION_ID), "data"),
        Input(topic_id("period", SECTION_ID), "data"), Input(topic_id("district", SECTION_ID), "data"),
        Input(ids.TABS_LANG, "data"), prevent_initial_call=True,
    )(when_active(SECTION_ID, 6, indices_view))
    app.callback(
        Output(CHANGE_TITLE, "children"), Output(CHANGE, "columns"), Output(CHANGE, "data"), Output(CHANGE_NOTE, "children"),
        Input(ids.SECTION_TABS, "active_tab"), Input(GROUP, "value"), Input(INDEX, "value"), Input(PERIOD_FROM, "value"),
        Input(topic_id("basis", SECTION_ID), "data"), Input(topic_id("period", SECTION_ID), "data"),
        Input(ids.TABS_LANG, "data"), prevent_initial_call=True,
    )(when_active(SECTION_ID, 4, change_view))
    app.callback(Output(ids.DISTRICT, "value", allow_duplicate=True), Input(TABLE, "active_cell"), State(TABLE, "data"),
                 prevent_initial_call=True)(pick_district)
    app.callback(Output(ids.DISTRICT, "value", allow_duplicate=True), Input(CHANGE, "active_cell"), State(CHANGE, "data"),
                 prevent_initial_call=True)(pick_district)
