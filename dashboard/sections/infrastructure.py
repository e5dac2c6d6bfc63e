"""Section "Infrastruktur, Freiraum, Förderung": access to facilities, green and play space, funding areas and gaps.

The panel profiles one area (default: a Bezirksregion; any unit of the second-finest level) and offers the facility
points and the funding overlay on the map; callbacks only call `layers/` and format.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update

from layers import Settings, format_number, publish_table
from layers.bundle import Bundle
from layers.infrastructure import (
    ACCESS as ACCESS_TABLE,
)
from layers.infrastructure import (
    FUNDING_GAP,
    GAP_NEED,
    access_profile,
    current_params,
    facility_points,
    facility_types,
    funding_gap_table,
    funding_profile,
    has_funding_programmes,
    space_profile,
    type_title,
    use_series,
    use_summary,
)

from .. import ids
from ..context import current_bundle, current_settings
from ..figures import FACILITY_TRACE, FUNDING_LAYER, PROTECTION_LAYER
from ..i18n import PLOTLY_DAY, format_date, t
from ..state import period_at
from .common import map_redrawn, redraw_gate, redrawn_id, topic_id, when_active

SECTION_ID = "infrastructure"
AREA = "infrastructure-area"
TYPES = "infrastructure-types"
ACCESS = "infrastructure-access"
SPACE = "infrastructure-space"
FUNDING = "infrastructure-funding"
USE_PLACE = "infrastructure-use-place"
USE_GRAPH = "infrastructure-use-graph"
USE_ROW = "infrastructure-use-row"
FUNDING_URL = "api/v1/funding/areas"
TYPE_COLOURS = {"kita": "#1b9e77", "primary_school": "#d95f02", "secondary_school": "#7570b3", "school_other": "#9e9ac8",
                "youth_club": "#e7298a", "library": "#66a61e", "community_centre": "#e6ab02", "meeting_place": "#a6761d",
                "place_of_worship": "#666666", "sports": "#1f78b4", "playground": "#33a02c", "park": "#b2df8a", "health": "#fb9a99",
                "transit_stop": "#6a3d9a", "shop": "#b15928"}


def title(lang: str) -> str:
    """The tab's label: a short form of `full_title`."""
    return t("infrastructure_title", lang)


def full_title(lang: str) -> str:
    """The section's full name: the tab's tooltip and accessible name."""
    return t("infrastructure_title_full", lang)


def area_level(bundle: Bundle) -> str:
    """The level the panel profiles: the second-finest (Berlin: Bezirksregion)."""
    return bundle.levels[-2].id if len(bundle.levels) > 1 else bundle.levels[0].id


def area_options(bundle: Bundle, district: str | None) -> list[dict]:
    level = area_level(bundle)
    units = bundle.units_of(level)
    if district and level != bundle.levels[0].id:
        anc = bundle.ancestor(bundle.levels[0].id)
        level_of = bundle.ancestor(level)
        keep = set(level_of[anc == district])
        units = units[units.index.isin(keep)]
    return [{"label": f"{n} ({u})", "value": u} for u, n in sorted(zip(units.index, units["name"].astype(str)), key=lambda x: x[1])]


def panel(bundle: Bundle, settings: Settings, lang: str):
    types = facility_types(bundle)
    summary = use_summary(bundle)
    controls = dbc.Row([
        dbc.Col([dbc.Label(t("infrastructure_area", lang), className="small fw-semibold mb-1"),
                 dcc.Dropdown(area_options(bundle, None), None, id=AREA, placeholder=t("infrastructure_area_all", lang))], md=5),
        dbc.Col([dbc.Label(t("infrastructure_types", lang), className="small fw-semibold mb-1"),
                 dcc.Dropdown([{"label": type_title(k, lang), "value": k} for k in types], [], id=TYPES, multi=True,
                              placeholder=t("infrastructure_types_placeholder", lang))], md=7),
    ], className="mb-2")
    use = html.Div([
        html.H6(t("infrastructure_use_title", lang), className="mt-3"),
        html.Div(t("infrastructure_use_none", lang) if summary.empty else "", className="small text-muted"),
        html.Div([dcc.Dropdown([{"label": f"{r.name or r.space_id} ({r.methods}, {r.days} d)", "value": r.space_id}
                                for r in summary.itertuples()], summary["space_id"].iloc[0] if len(summary) else None, id=USE_PLACE,
                               clearable=False),
                  dcc.Graph(id=USE_GRAPH, figure=use_figure(bundle, summary["space_id"].iloc[0], lang) if len(summary) else {},
                            style={"height": "260px"}, config={"displaylogo": False})],
                 id=USE_ROW, style={} if len(summary) else {"display": "none"}),
    ])
    tabs = dbc.Tabs([
        dbc.Tab(html.Div(id=ACCESS, className="pt-2"), label=t("infrastructure_tab_access", lang), tab_id="infrastructure-tab-access"),
        dbc.Tab(html.Div([html.Div(id=SPACE, className="pt-2"), use]), label=t("infrastructure_tab_space", lang),
                tab_id="infrastructure-tab-space"),
        dbc.Tab(html.Div(id=FUNDING, className="pt-2"), label=t("infrastructure_tab_funding", lang), tab_id="infrastructure-tab-funding"),
    ], id="infrastructure-tabs", active_tab="infrastructure-tab-access")
    return html.Div([controls, tabs], className="p-2", id="infrastructure-panel")


# --- formatting ---------------------------------------------------------------------------------

def access_view(bundle: Bundle, unit: str | None, period: str, lang: str, settings: Settings) -> list:
    params = current_params()
    df = publish_table(access_profile(bundle, unit, period, params), ACCESS_TABLE, settings)
    head = [t(k, lang) for k in ("infrastructure_col_type", "infrastructure_col_facilities", "infrastructure_col_distance",
                                 "infrastructure_col_covered", "infrastructure_col_target", "infrastructure_col_mean",
                                 "infrastructure_col_places", "infrastructure_col_gap")]
    def shown(value) -> str:
        return t("not_shown_short", lang) if pd.isna(value) and settings.mode == "portal" else format_number(value, lang)

    rows = [html.Tr([html.Td(type_title(r.type, lang)), html.Td(format_number(r.facilities, lang)), html.Td(format_number(r.coverage_m, lang)),
                     html.Td(shown(r.covered_pct)), html.Td(shown(r.covered_target_pct)), html.Td(shown(r.mean_dist_m)),
                     html.Td(format_number(r.capacity, lang)), html.Td(shown(r.unserved_need))]) for r in df.itertuples()]
    csv = f"api/v1/infrastructure/access?format=csv&period={period}" + (f"&unit={unit}" if unit else "")
    return [html.P(t("infrastructure_access_intro", lang, detour=format_number(params.detour_factor, lang, 1), period=format_date(period, lang)),
                   className="small"),
            dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], size="sm", striped=True, bordered=False,
                      className="small", id="infrastructure-access-table"),
            html.A(t("infrastructure_download", lang), href=csv, className="small")]


def space_view(bundle: Bundle, unit: str | None, period: str, lang: str, settings: Settings) -> list:
    p = space_profile(bundle, unit, period, current_params())
    if settings.mode == "portal" and p["residents"] < settings.min_residents:
        return [html.P(t("not_shown_short", lang))]
    pct = lambda v: "–" if v is None else format_number(v, lang) + " %"  # noqa: E731
    items = [html.P(t("infrastructure_space_intro", lang, residents=format_number(p["residents"], lang), period=format_date(period, lang)),
                    className="small"),
             html.Li(t("infrastructure_green", lang, value=format_number(p["green_m2_per_resident"], lang, 1),
                       standard=format_number(p["green_guideline_m2"], lang, 1), pct=pct(p["green_pct_of_guideline"]))),
             html.Li(t("infrastructure_play", lang, value=format_number(p["play_m2_per_resident"], lang, 2),
                       standard=format_number(p["play_standard_m2"], lang, 1), pct=pct(p["play_pct_of_standard"])))]
    if p["playgrounds_without_net_area"]:
        items.append(html.Li(t("infrastructure_play_missing", lang, n=p["playgrounds_without_net_area"]), className="text-muted"))
    return [html.Ul(items, className="small", id="infrastructure-space-list")]


def funding_view(bundle: Bundle, unit: str | None, district: str | None, period: str, lang: str, settings: Settings) -> list:
    params = current_params()
    p = funding_profile(bundle, unit or district, period, params)
    programmes = has_funding_programmes(bundle)  # soziale Erhaltungsgebiete protect; they are no funding
    out = [html.P(t("infrastructure_funding_intro", lang), className="small"),
           html.P(t("infrastructure_funded", lang, pct=format_number(p["funded_share_pct"], lang) + " %",
                    areas=", ".join(p["funding_areas"]) or t("infrastructure_funded_none", lang)), className="small mb-1"),
           html.P(t("infrastructure_need", lang, need=p["units_need"], units=p["units_with_status"], funded=p["units_need_funded"],
                    unfunded=p["units_need_not_funded"]) if programmes else
                  t("infrastructure_need_only", lang, need=p["units_need"], units=p["units_with_status"]), className="small mb-1",
                  id="infrastructure-need")]
    if p["need_not_funded"] and programmes:
        out.append(html.P(t("infrastructure_need_list", lang, names=", ".join(p["need_not_funded"][:12])), className="small"))
    if not programmes:
        out.append(dbc.Alert(t("infrastructure_qm_missing", lang), color="light", className="small py-1"))
    gap = publish_table(funding_gap_table(bundle, period, params.funding_min_overlap, unit or district), FUNDING_GAP, settings)
    status = ({1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"} if lang == "de" else {1: "high", 2: "medium", 3: "low", 4: "very low"})
    dynamics = {1: "+", 3: "±", 5: "−"}
    head = [t(k, lang) for k in ("infrastructure_col_unit", "infrastructure_col_residents", "infrastructure_col_status",
                                 "infrastructure_col_dynamics", "infrastructure_col_funded", "infrastructure_col_gap_kind")]
    rows = [html.Tr([html.Td(f"{r.name} ({r.unit_id})"),
                     html.Td(t("not_shown_short", lang) if settings.mode == "portal" and pd.isna(r.residents)
                             else format_number(r.residents, lang)),
                     html.Td(status.get(int(r.status), "–") if pd.notna(r.status) else "–"),
                     html.Td(dynamics.get(int(r.dynamics), "–") if pd.notna(r.dynamics) else "–"), html.Td(format_number(r.funded_share_pct, lang)),
                     html.Td(t("infrastructure_gap_need" if r.gap == GAP_NEED else "infrastructure_gap_improved", lang))])
            for r in gap.head(60).itertuples()]
    csv = f"api/v1/funding/gap?format=csv&period={period}" + (f"&within={unit or district}" if unit or district else "")
    out += [html.H6(t("infrastructure_gap_title", lang), className="mt-2"),
            dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], size="sm", striped=True, className="small",
                      id="infrastructure-gap-table"),
            html.A(t("infrastructure_download", lang), href=csv, className="small")]
    return out


def facility_patch(bundle: Bundle, types: list[str], lang: str) -> Patch:
    f = facility_points(bundle)
    f = f[f["type"].isin(types or [])]
    cap_label, prov_label = ("Plätze", "Träger") if lang == "de" else ("places", "provider")
    text = [f"<b>{n if isinstance(n, str) else '–'}</b><br>{type_title(k, lang)}"
            + (f"<br>{cap_label}: {int(c)}" if pd.notna(c) else "") + (f"<br>{prov_label}: {p}" if isinstance(p, str) and p else "")
            for n, k, c, p in zip(f["name"], f["type"], f["capacity"], f["provider"])]
    patch = Patch()
    trace = patch["data"][FACILITY_TRACE]
    trace["lon"] = f["lon"].to_numpy()
    trace["lat"] = f["lat"].to_numpy()
    trace["text"] = text
    trace["customdata"] = f["facility_id"].tolist()
    trace["marker"] = {"size": 7, "color": [TYPE_COLOURS.get(k, "#1f4e79") for k in f["type"]], "line": {"width": 0.5, "color": "white"}}
    return patch


# --- callbacks ----------------------------------------------------------------------------------

def update_areas(district):
    return area_options(current_bundle(), district), None


def update_facilities(types, lang, drawn):
    """Facility points of the chosen types; re-drawn after the map gets a new figure (`drawn`, through `redraw_gate`)."""
    if ctx.triggered_id == redrawn_id("facilities") and not (map_redrawn(drawn) and types):
        return no_update
    return facility_patch(current_bundle(), types, lang)


def update_overlay(overlays, drawn):
    """The funding-areas overlay on every layer; re-applied after the map gets a new figure."""
    if ctx.triggered_id == redrawn_id("funding") and not (map_redrawn(drawn) and "funding" in (overlays or [])):
        return no_update
    patch = Patch()
    on = "funding" in (overlays or [])
    for layer, instrument in ((FUNDING_LAYER, "funding"), (PROTECTION_LAYER, "protection")):
        patch["layout"]["map"]["layers"][layer]["source"] = (f"{FUNDING_URL}?instrument={instrument}" if on
                                                             else {"type": "FeatureCollection", "features": []})
        patch["layout"]["map"]["layers"][layer]["visible"] = on
    return patch


def update_views(unit, district, period, lang):
    bundle, settings = current_bundle(), current_settings()
    period = period_at(bundle, period)
    scope = unit or district
    return (access_view(bundle, scope, period, lang, settings), space_view(bundle, scope, period, lang, settings),
            funding_view(bundle, unit, district, period, lang, settings))


def update_use(space_id, lang):
    if not space_id:
        return no_update
    return use_figure(current_bundle(), space_id, lang)


def use_figure(bundle: Bundle, space_id: str, lang: str) -> dict:
    """Counts of one public space over time (counter as a line, observations as points), dates in the UI's language."""
    s = use_series(bundle, space_id)
    traces = []
    for method, part in s.groupby("method"):
        traces.append({"type": "scatter", "mode": "lines" if method == "counter" else "markers", "name": method,
                       "x": pd.to_datetime(part["timestamp"]).dt.strftime("%Y-%m-%d").tolist(), "y": part["count"].to_numpy()})
    day = PLOTLY_DAY[lang]
    return {"data": traces, "layout": {"margin": {"l": 50, "r": 10, "t": 10, "b": 30}, "yaxis": {"title": {"text": t("infrastructure_use_axis", lang)}},
                                       "xaxis": {"tickformat": day, "hoverformat": day},
                                       "legend": {"orientation": "h"}, "separators": ",." if lang == "de" else ".,"}}


def register(app: Dash) -> None:
    app.callback(Output(AREA, "options"), Output(AREA, "value"), Input(ids.DISTRICT, "value"), prevent_initial_call=True)(update_areas)
    app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(TYPES, "value"), Input(ids.LANGUAGE, "value"),
                 redraw_gate(app, "facilities", State(TYPES, "value")), prevent_initial_call=True)(update_facilities)
    app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.OVERLAYS, "value"),
                 redraw_gate(app, "funding", State(ids.OVERLAYS, "value")),
                 prevent_initial_call=True)(update_overlay)
    app.callback(Output(ACCESS, "children"), Output(SPACE, "children"), Output(FUNDING, "children"),
                 Input(ids.SECTION_TABS, "active_tab"), Input(AREA, "value"),
                 Input(topic_id("district", SECTION_ID), "data"), Input(topic_id("period", SECTION_ID), "data"),
                 Input(ids.TABS_LANG, "data"), prevent_initial_call=True)(when_active(SECTION_ID, 3, update_views))
    app.callback(Output(USE_GRAPH, "figure"), Input(USE_PLACE, "value"), Input(ids.LANGUAGE, "value"), prevent_initial_call=True)(update_use)
