"""The linked views around the map: histogram, key-figure cards, ranked table, detail panel, highlight and district view.

Builders only: they take layer results from `layers/` and return plain figure dicts or components.
"""

from __future__ import annotations

from functools import lru_cache

import dash_bootstrap_components as dbc
import numpy as np
import orjson
import pandas as pd
import shapely
from dash import Patch, dcc, html

from layers import (
    SERVE_RADIUS_M,
    KeyFigure,
    LayerQuery,
    LayerResult,
    LayerSpec,
    Settings,
    area_history,
    bases,
    basis_name,
    facilities_near,
    format_number,
    funding_areas_of,
    key_figures,
    social_context,
)
from layers.bundle import Bundle
from layers.infrastructure import programme_title, type_title
from layers.spatial import Basis, district_of, ids_in_district

from . import ids
from .figures import DISTRICT_LAYER, HIDDEN_TRACE, SELECTION_COLOUR, SELECTION_TRACE, SMALL_TRACE, VALUES_TRACE, colour_scale, fit_view, separators
from .i18n import format_date, t
from .pages import profile_href

SELECTABLE_TRACES = (VALUES_TRACE, SMALL_TRACE, HIDDEN_TRACE)
TABLE_ROWS = 12
HISTOGRAM_BINS = 30


H3_AREA_KM2 = {7: "5,2", 8: "0,74", 9: "0,105", 10: "0,015"}  # mean cell area per H3 resolution (km², German decimal comma)


def basis_options(bundle: Bundle, lang: str) -> list[dict]:
    """The bases of the bundle as picker options: administrative levels with their number of areas, H3 resolutions with
    the cell area (km²)."""
    opts = []
    for key in bases(bundle):
        basis = Basis.parse(key)
        if basis.is_h3:
            area = H3_AREA_KM2.get(basis.res, "?") if lang == "de" else H3_AREA_KM2.get(basis.res, "?").replace(",", ".")
            size = f"≈ {area} km²"
        else:
            size = str(int((bundle.units["level"] == key).sum()))
        opts.append({"label": f"{basis_name(bundle, basis, lang)} ({size})", "value": key})
    return opts


def level_name(bundle: Bundle, level_id: str, lang: str) -> str:
    """The level's name in the language ("Bezirk", "district")."""
    return basis_name(bundle, Basis(level=level_id), lang)


def basis_label(bundle: Bundle, basis: Basis, lang: str) -> str:
    """The basis as the picker names it, e.g. "Planungsraum (542)" (legend, table caption)."""
    return next((o["label"] for o in basis_options(bundle, lang) if o["value"] == basis.key), basis.key)


@lru_cache(maxsize=32)
def area_names(bundle: Bundle, basis: Basis) -> pd.Series:
    """Display name per area: "name (id)" for units, the hex id for cells."""
    if basis.is_h3:
        cells = bundle.cells(basis.res)
        return pd.Series(cells, index=cells, dtype=object)
    units = bundle.units_of(basis.level)
    return units["name"].astype(str) + " (" + units.index.to_series() + ")"


def _fmt(value: float | None, fmt: str, lang: str) -> str:
    """A number in a layer's d3 format ('.1f', ',.0f', '+.1f', '.2f') with German or English separators."""
    return format_number(value, lang, int(fmt.rstrip("f%").split(".")[-1]) if "." in fmt else 0, sign=fmt.startswith("+"))


def scoped_values(bundle: Bundle, result: LayerResult, district: str | None) -> pd.DataFrame:
    """The result's rows in the district (or the whole city) that have a published value."""
    v = result.values
    if district:
        v = v.reindex(ids_in_district(bundle, result.basis, district))
    return v[np.isfinite(v["value"].to_numpy(dtype=float))]


def ids_in_range(bundle: Bundle, result: LayerResult, district: str | None, lo: float, hi: float) -> list[str]:
    """Areas (in the district, if one is chosen) whose published value lies in [lo, hi]: the histogram brush."""
    v = scoped_values(bundle, result, district)
    values = v["value"].to_numpy(dtype=float)
    return v.index[(values >= lo) & (values <= hi)].tolist()


def histogram_figure(bundle: Bundle, result: LayerResult, spec: LayerSpec, district: str | None, selection: list[str], lang: str) -> dict:
    """Distribution of the layer's values over the areas in scope, the selection's share of each bar on top.

    Brushing (box select along x) selects the areas in that value range on the map.
    """
    v = scoped_values(bundle, result, district)
    values = v["value"].to_numpy(dtype=float)
    chosen = v.index.isin(selection)
    if spec.categories:
        codes = [c.value for c in spec.categories]
        edges = np.array([c - 0.5 for c in codes] + [codes[-1] + 0.5])
        colours = [c.colour for c in spec.categories]
    else:
        edges = np.histogram_bin_edges(values, bins=HISTOGRAM_BINS) if values.size else np.array([0.0, 1.0])
        scale = colour_scale(spec.colorscale)
        colours = [scale[len(scale) // 2][1]] * (len(edges) - 1)
    counts, _ = np.histogram(values, bins=edges)
    picked, _ = np.histogram(values[chosen], bins=edges)
    centres = (edges[:-1] + edges[1:]) / 2
    widths = np.diff(edges)
    unit = spec.unit(lang)
    data = [
        {"type": "bar", "x": centres, "y": counts, "width": widths * 0.95, "name": t("histogram_all", lang),
         "marker": {"color": colours, "opacity": 0.45 if selection else 0.85},
         "hovertemplate": f"%{{x:{spec.value_format}}} {unit}: %{{y}} {t('histogram_y', lang)}<extra></extra>"},
    ]
    if selection:
        data.append({"type": "bar", "x": centres, "y": picked, "width": widths * 0.95, "name": t("histogram_selected", lang),
                     "marker": {"color": SELECTION_COLOUR}, "hovertemplate": f"%{{y}} {t('histogram_selected', lang)}<extra></extra>"})
    xaxis = {"title": {"text": unit}, "tickformat": spec.value_format.lstrip("+")}
    if spec.categories:
        xaxis = {"tickvals": [c.value for c in spec.categories], "ticktext": [c.title(lang) for c in spec.categories]}
    return {
        "data": data,
        "layout": {"barmode": "overlay", "dragmode": "select", "selectdirection": "h", "showlegend": bool(selection),
                   "legend": {"orientation": "h", "y": -0.35}, "margin": {"l": 40, "r": 10, "t": 40, "b": 40},
                   "title": {"text": t("histogram_title", lang, layer=spec.title(lang)), "font": {"size": 13}, "x": 0},
                   "xaxis": xaxis, "yaxis": {"title": {"text": t("histogram_y", lang)}},
                   "separators": separators(lang), "uirevision": f"{result.layer_id}:{result.basis.key}",
                   "annotations": [{"text": t("histogram_hint", lang), "xref": "paper", "yref": "paper", "x": 1, "y": 1.0,
                                    "showarrow": False, "font": {"size": 10, "color": "#666"}, "xanchor": "right", "yanchor": "bottom"}]},
    }


def _card(title: str, figure: KeyFigure | None, spec: LayerSpec, lang: str, card_id: str) -> dbc.Col:
    if figure is None:
        return dbc.Col(dbc.Card(dbc.CardBody([html.Div(title, className="small text-muted"), html.Div("–", className="fs-4")])), id=card_id)
    if figure.areas and figure.left_out == figure.areas:  # nothing published in this set: say so, never 0
        return dbc.Col(dbc.Card(dbc.CardBody([html.Div(title, className="small text-muted"),
                                              html.Div("–", className="fs-4", id=f"{card_id}-value"),
                                              html.Div(t("cards_none_shown", lang, n=figure.areas), className="small text-muted")],
                                             className="p-2")), id=card_id)
    value = (html.Span([_fmt(figure.value, spec.value_format, lang), html.Small(f" {spec.unit(lang)}")])
             if spec.aggregate != "none" else html.Small(t("cards_not_combinable", lang)))
    lines = [html.Div(title, className="small text-muted"), html.Div(value, className="fs-4 fw-semibold", id=f"{card_id}-value"),
             html.Div(f"{_fmt(figure.residents, ',.0f', lang)} {spec.persons(lang)} · {t('cards_areas', lang, n=figure.areas)}",
                      className="small")]
    if figure.left_out:
        lines.append(html.Div(t("cards_left_out", lang, n=figure.left_out, total=figure.areas), className="small text-muted"))
    return dbc.Col(dbc.Card(dbc.CardBody(lines, className="p-2")), id=card_id)


def cards(bundle: Bundle, settings: Settings, query: LayerQuery, spec: LayerSpec, selection: list[str], district: str | None, lang: str,
          compute) -> html.Div:
    """Key figures of the selection, the district and the city, side by side (same layer, basis and period)."""
    figures = key_figures(bundle, settings, query, selection, district, compute=compute)
    district_name = bundle.units_of(bundle.levels[0].id)["name"].get(district, "") if district else ""
    level = bundle.levels[0]
    period = format_date(query.period, lang) if not (query.compare_from or query.period_from) else \
        f"{format_date(query.compare_from or query.period_from, lang)} → {format_date(query.period, lang)}"
    return html.Div([
        html.Div(f"{spec.title(lang)} · {period}", className="small fw-semibold mb-1"),
        dbc.Row([
            _card(t("cards_selection", lang), figures["selection"], spec, lang, "card-selection"),
            _card(f"{level.name_de if lang == 'de' else level.name_en} {district_name}".strip(), figures["district"], spec, lang, "card-district"),
            _card(t("cards_city", lang), figures["city"], spec, lang, "card-city"),
        ], className="g-2"),
    ])


TABLE_ORDERS = ("name", "residents", "value")
# no table of quarters ranked by migrant share, deprivation or refugee places (§6)
VALUE_ORDER_SECTIONS = ("migration", "segregation", "social", "accommodation")


def table_orders(spec: LayerSpec, portal: bool) -> tuple[str, ...]:
    """The orders the overview table offers for this layer: by name and by residents always; by value only in the planner
    and for layers that are not about migration or the social situation (`spec.about_migration` marks a migration figure
    in another section); the portal ranks no quarters (BRIEF §6)."""
    if portal or spec.section in VALUE_ORDER_SECTIONS or spec.about_migration or spec.categories:
        return TABLE_ORDERS[:2]
    return TABLE_ORDERS


def table_order_options(spec: LayerSpec, portal: bool, lang: str) -> list[dict]:
    """Name, the persons the layer counts (residents, or children for Kita and school layers) and value."""
    return [{"label": spec.persons(lang) if o == "residents" else t(f"table_order_{o}", lang), "value": o}
            for o in table_orders(spec, portal)]


def ranked_table(bundle: Bundle, result: LayerResult, spec: LayerSpec, names: pd.Series, district: str | None, selection: list[str],
                 lang: str, portal: bool = False, order: str = "name") -> html.Div:
    """The areas of the selection when there is one, else of the district or the city; click a name for its detail.

    `order`: by name (the default), by residents (largest first) or, where `table_orders` allows it, by value (highest
    first). The table never opens as a ranking of quarters by migrant share.
    """
    scope = t("cards_selection", lang) if selection else (
        bundle.units_of(bundle.levels[0].id)["name"].get(district, district) if district else t("cards_city", lang))
    v = scoped_values(bundle, result, None if selection else district)  # a selection may reach beyond the district
    if selection:
        v = v.reindex(pd.Index(selection).intersection(v.index))
    order = order if order in table_orders(spec, portal) else "name"
    v = v.assign(_name=names.reindex(v.index).astype(str).str.split("<br>").str[0])
    if order == "name":
        v = v.sort_values("_name", key=lambda s: s.str.casefold())
    else:
        v = v.sort_values([order, "_name"], ascending=[False, True], na_position="last")
    labels = {c.value: c.title(lang) for c in spec.categories}
    rows = []
    for area, row in v.head(TABLE_ROWS).iterrows():
        if pd.isna(row["value"]):
            shown = "–"
        elif spec.categories:
            shown = labels.get(int(row["value"]), "–")
        else:
            shown = f"{_fmt(float(row['value']), spec.value_format, lang)}\u00a0{spec.unit(lang)}"  # "52,7 %" on one line
        rows.append(html.Tr([
            html.Td(html.Button(row["_name"], id={"type": ids.TABLE_AREA, "index": str(area)}, className="btn btn-link btn-sm p-0 text-start")),
            html.Td(shown, className="text-end"),
            html.Td(_fmt(float(row["residents"]), ",.0f", lang) if pd.notna(row["residents"]) else "–", className="text-end"),
        ], className="table-warning" if area in selection else None))
    more = [html.Div(t("table_more", lang, n=len(v) - TABLE_ROWS), className="small text-muted")] if len(v) > TABLE_ROWS else []
    return html.Div([
        html.Div(t(f"table_title_by_{order}", lang, scope=scope, persons=spec.persons(lang)), className="small fw-semibold mb-1",
                 id="overview-table-title"),
        dbc.Table([html.Thead(html.Tr([html.Th(t("table_area", lang)), html.Th(spec.unit(lang), className="text-end"),
                                       html.Th(spec.persons(lang), className="text-end")])),
                   html.Tbody(rows)], size="sm", hover=True, className="mb-1", id="overview-table-rows"),
        *more,
    ])


def _sparkline(history: pd.DataFrame, spec: LayerSpec, lang: str) -> dict:
    return {
        "data": [{"type": "scatter", "mode": "lines+markers", "x": [format_date(p, lang) for p in history["period"]],
                  "y": history["value"].tolist(), "line": {"color": "#1f4e79"},
                  "hovertemplate": f"%{{x}}: %{{y:{spec.value_format}}} {spec.unit(lang)}<extra></extra>"}],
        "layout": {"height": 120, "margin": {"l": 36, "r": 8, "t": 4, "b": 24}, "separators": separators(lang),
                   "xaxis": {"showgrid": False, "tickfont": {"size": 9}}, "yaxis": {"tickfont": {"size": 9}}},
    }


def detail_panel(bundle: Bundle, settings: Settings, query: LayerQuery, spec: LayerSpec, area: str, lang: str, compute) -> html.Div:
    """One area against its district and the city, its history, social context, facilities nearby and funding areas."""
    basis = query.basis
    names = area_names(bundle, basis)
    district = district_of(bundle, basis).get(area)
    figures = key_figures(bundle, settings, query, [area], district, compute=compute)
    district_name = bundle.units_of(bundle.levels[0].id)["name"].get(district, "") if district else ""
    compare = html.Table([
        html.Tr([html.Td(str(names.get(area, area))), html.Td(_value_text(figures["selection"], spec, lang), className="text-end fw-semibold")]),
        html.Tr([html.Td(district_name), html.Td(_value_text(figures["district"], spec, lang), className="text-end")]),
        html.Tr([html.Td(t("cards_city", lang)), html.Td(_value_text(figures["city"], spec, lang), className="text-end")]),
    ], className="table table-sm mb-1")
    parts = [html.Div(t("detail_title", lang), className="small fw-semibold"), compare]
    context = social_context(bundle, basis, lang).get(area, "")
    if context:
        parts.append(html.Div(dcc.Markdown(context.replace("<br>", "  \n")), className="small"))
    history = area_history(bundle, settings, query, area, compute=compute)
    if not spec.categories:
        parts += [html.Div(t("detail_history", lang), className="small text-muted"),
                  dcc.Graph(figure=_sparkline(history, spec, lang), config={"displayModeBar": False}, id="detail-sparkline")]
    near = facilities_near(bundle, basis, area)
    by_type = near.groupby("type").size().sort_values(ascending=False) if not near.empty else pd.Series(dtype=int)
    parts += [html.Div(t("detail_facilities", lang, radius=SERVE_RADIUS_M), className="small text-muted mt-1"),
              html.Div(", ".join(f"{type_title(kind, lang)} {n}" for kind, n in by_type.items()) or t("detail_no_facilities", lang), className="small",
                       id="detail-facilities")]
    funding = funding_areas_of(bundle, basis, area)
    parts += [html.Div(t("detail_funding", lang), className="small text-muted mt-1"),
              html.Div("; ".join(f"{r.name} ({programme_title(r.programme, lang)}, {_fmt(100 * r.share, '.0f', lang)} %)"
                                 for r in funding.itertuples())
                       or t("detail_no_funding", lang), className="small", id="detail-funding")]
    if not basis.is_h3 and settings.area_profile_enabled:
        parts.append(html.A(t("detail_profile", lang), href=profile_href(area, lang), target="_blank", className="small d-block mt-2",
                            id="detail-profile-link"))
    return html.Div(parts, id="detail-body")


def _value_text(figure: KeyFigure | None, spec: LayerSpec, lang: str) -> str:
    if figure is None or figure.value is None:
        return "–"
    return f"{_fmt(figure.value, spec.value_format, lang)} {spec.unit(lang)}"


def selection_patch(selection: list[str]) -> Patch:
    """Only the highlight outline of the selected areas changes."""
    patch = Patch()
    patch["data"][SELECTION_TRACE]["locations"] = selection
    patch["data"][SELECTION_TRACE]["z"] = [0] * len(selection)
    return patch


@lru_cache(maxsize=64)
def _district_outline(bundle: Bundle, district: str) -> tuple[str, tuple[float, float, float, float]]:
    geom = bundle.units_of(bundle.levels[0].id).loc[district, "geometry"]
    outline = shapely.simplify(geom, 2e-4, preserve_topology=True)
    feature = {"type": "Feature", "properties": {}, "geometry": orjson.loads(shapely.to_geojson(shapely.set_precision(outline, 1e-5)))}
    return orjson.dumps(feature).decode(), tuple(geom.bounds)


def names_level(bundle: Bundle) -> Basis:
    """The level whose names label a district's map (Berlin: Bezirksregionen, about a dozen per district; Cologne, with
    two levels: Stadtteile)."""
    return Basis(level=bundle.levels[min(2, len(bundle.levels) - 1)].id)


@lru_cache(maxsize=64)
def place_labels(bundle: Bundle, district: str | None) -> dict:
    """Names to write on the map, from the bundle (offline): the districts for the whole city; inside a chosen district
    the units of a middle level (Berlin: Bezirksregionen, Cologne: Stadtteile), about a dozen. Placed at a point
    inside each unit."""
    if district is None:
        units = bundle.units_of(bundle.levels[0].id)
    else:
        level = names_level(bundle)
        units = bundle.units_of(level.level).loc[list(ids_in_district(bundle, level, district))]
    points = units.geometry.representative_point()
    return {"lon": [round(float(p.x), 5) for p in points], "lat": [round(float(p.y), 5) for p in points],
            "text": [str(n) for n in units["name"]]}


def district_layout(bundle: Bundle, district: str | None) -> dict:
    """Bounds, first centre and zoom, outline and place names of the district (or of the whole city when None).

    The browser fits the bounds to the map's real size (`assets/map-fit.js` reads `layout.meta.fit`); centre and zoom
    are the server's estimate for a map of `MAP_SIZE_PX`, shown until then."""
    if not district:
        bounds, outline = tuple(float(b) for b in bundle.units.total_bounds), None
    else:
        feature, bounds = _district_outline(bundle, district)
        outline = orjson.loads(feature)
    centre, zoom = fit_view(bounds)
    return {"center": centre, "zoom": zoom, "fit": [round(b, 6) for b in bounds], "outline": outline,
            "labels": place_labels(bundle, district or None)}


def apply_district(figure, view: dict) -> None:
    """Write a `district_layout` into a figure (a dict or a Patch): view, outline and place names (`layout.meta.labels`)."""
    layout = figure["layout"]
    layout["map"]["center"] = view["center"]
    layout["map"]["zoom"] = view["zoom"]
    layout["meta"]["fit"] = view["fit"]
    if view["outline"] is not None:
        layout["map"]["layers"][DISTRICT_LAYER]["source"] = view["outline"]
    layout["map"]["layers"][DISTRICT_LAYER]["visible"] = view["outline"] is not None
    layout["meta"]["labels"] = view["labels"]  # written over the map by assets/map-labels.js


def district_view(bundle: Bundle, district: str | None) -> Patch:
    """Zoom to the district and outline it; without a district, back to the whole city."""
    patch = Patch()
    apply_district(patch, district_layout(bundle, district))
    return patch
