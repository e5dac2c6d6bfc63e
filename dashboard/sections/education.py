"""Education section ("Bildung"): Kita supply and demand, primary-school catchments, facility segregation."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import numpy as np
import orjson
import pandas as pd
import shapely
from dash import Dash, Input, Output, Patch, State, ctx, dash_table, html, no_update

from layers import check_query
from layers import format_number as num
from layers.education import (
    KITA_FCA,
    KITA_RATIO,
    EducationParams,
    access_on,
    catchments,
    city_figures,
    compositions_visible,
    disclosed_catchments,
    facility_segregation_view,
    kita_table,
    school_catchment,
    serving_kitas,
    supply_demand,
)
from layers.spatial import Basis, to_metric

from .. import ids
from ..context import current_bundle, current_settings, layer_result
from ..figures import FACILITY_TRACE, HIGHLIGHT_LAYER, colour_scale
from ..i18n import format_date, t
from ..state import period_at
from .common import follow_gate, map_redrawn, redraw_gate, redrawn_id, topic_id, when_active

SECTION_ID = "education"
VIEW = "education-view"
SHOW = "education-show-facilities"
FIGURES = "education-figures"
COMPOSITION = "education-composition"
TABLE = "education-table"
TABLE_TITLE = "education-table-title"
DETAIL = "education-detail"


def title(lang: str) -> str:
    return t("education_title", lang)


def _params() -> EducationParams:
    return EducationParams.from_settings(current_settings())


def panel(bundle, settings, lang: str):
    views = [{"label": t("education_view_kita", lang), "value": "kita"}, {"label": t("education_view_school", lang), "value": "primary_school"}]
    return html.Div([
        dbc.Row([
            dbc.Col(dbc.RadioItems(options=views, value="kita", id=VIEW, inline=True), md=6),
            dbc.Col(dbc.Checklist([{"label": t("education_show_facilities", lang), "value": "on"}], [], id=SHOW, switch=True), md=6),
        ], className="my-2"),
        html.Div(id=FIGURES, className="small"),
        html.Div(id=COMPOSITION, className="small my-2"),
        html.Div(t("education_detail_hint", lang), id=DETAIL, className="small border rounded p-2 my-2 bg-light"),
        html.H6(id=TABLE_TITLE, className="mt-3"),
        dash_table.DataTable(id=TABLE, sort_action="native", page_size=12, style_table={"overflowX": "auto"},
                             style_cell={"fontSize": "0.8rem", "fontFamily": "inherit", "textAlign": "left", "maxWidth": "260px",
                                         "overflow": "hidden", "textOverflow": "ellipsis"}),
    ], className="p-2")


# --- figures, composition statement and table --------------------------------------------------------------

def _kita_figures(bundle, period: str, lang: str) -> list:
    p = _params()
    f = city_figures(bundle, period, p)
    items = [(t("education_kitas", lang), num(f["kitas"], lang)), (t("education_places", lang), num(f["places"], lang)),
             (t("education_children_u6", lang), num(f["children_under_6"], lang)), (t("education_demand", lang), num(f["demand"], lang)),
             (t("education_per_100", lang), num(f["places_per_100"], lang))]
    note = t("education_demand_note", lang, rate=num(100 * p.take_up_under_6, lang, 1), u3=num(100 * p.take_up_under_3, lang, 1),
             o3=num(100 * p.take_up_3_6, lang, 1), radius=num(p.radius_m, lang), detour=num(p.detour_factor, lang, 1),
             decay=t(f"education_decay_{p.decay}", lang))
    return [html.Strong(t("education_figures_kita", lang, period=format_date(period, lang))), _cards(items), html.Div(note, className="text-muted"),
            html.Div(t("education_estimate_note", lang), className="text-muted")]


def _school_figures(bundle, settings, period: str, lang: str) -> list:
    c = disclosed_catchments(bundle, settings, period)
    items = [(t("education_catchments", lang), num(len(c), lang)), (t("education_children_6_12", lang), num(float(c["children_6_12"].sum()), lang)),
             (t("education_schools", lang), num(int(c["schools"].sum()) if len(c) else 0, lang)),
             (t("education_pupils", lang), num(float(c["pupils"].sum()) if len(c) else 0, lang)),
             (t("education_startchancen", lang), num(int(c["startchancen"].sum()) if len(c) else 0, lang))]
    return [html.Strong(t("education_figures_school", lang, period=format_date(period, lang))), _cards(items),
            html.Div(t("education_school_note", lang), className="text-muted")]


def _cards(items) -> dbc.Row:
    return dbc.Row([dbc.Col(html.Div([html.Div(label, className="text-muted"), html.Div(value, className="fs-5 fw-semibold")],
                                     className="border rounded p-2"), xs=6, md=True) for label, value in items],
                   className="g-2 my-1 qa-fit-row")


def _composition(bundle, settings, period: str, kind: str, lang: str):
    if not compositions_visible(settings):
        return html.Div(t("education_compositions_internal", lang)), None
    view = facility_segregation_view(bundle, settings, period, _params(), kind)
    if not view["available"]:
        return dbc.Alert(t("education_no_compositions", lang), color="secondary", className="py-2 mb-0"), None
    s = view["summary"]
    if not s:
        return html.Div(), view["table"]
    text = t("education_choice", lang, kind=t(f"education_kind_{kind}", lang), period=format_date(s["period"], lang),
             d_fac=num(s["d_facilities"], lang, 2), d_catch=num(s["d_catchments"], lang, 2), adds=num(s["choice_adds"], lang, 2), n=s["facilities"])
    return html.Div(text), view["table"]


def _columns(cols: list[tuple[str, str, str | None]], lang: str) -> list[dict]:
    out = []
    for cid, key, fmt in cols:
        col = {"id": cid, "name": t(key, lang)}
        if fmt:
            col.update(type="numeric", format={"specifier": fmt, "locale": {"decimal": ",", "group": "."} if lang == "de" else {}})
        out.append(col)
    return out


def _table(bundle, settings, period: str, view: str, facilities) -> tuple:
    """The table's rows, its columns (id, message key, number format) and its title key: the facilities' compositions where
    they may be shown (`facilities`), else the Kitas or the school catchments."""
    if facilities is not None and len(facilities):
        rows = facilities.reset_index().rename(columns={"index": "facility_id"}).sort_values("deviation_pp", ascending=False)
        cols = [("name", "education_col_name", None), ("children_total", "education_col_children", ",.0f"),
                ("share_pct", "education_col_share", ".1f"), ("catchment_share_pct", "education_col_catchment_share", ".1f"),
                ("deviation_pp", "education_col_deviation", "+.1f"), ("ratio", "education_col_ratio_share", ".2f"), ("z", "education_col_z", "+.1f")]
        return rows, cols, "education_table_facilities"
    if view == "kita":
        rows = kita_table(bundle, period, _params()).reset_index()
        # a Kita listed with 0 places has no supply ratio to compare: shown with "–" and listed after the others
        rows["supply_ratio"] = rows["supply_ratio"].where(rows["places"] > 0)
        rows["per_100"] = 100 * rows["supply_ratio"]  # the unit of every Kita figure: places per 100 children in demand
        rows = rows.sort_values(["per_100", "name"], na_position="last")
        cols = [("name", "education_col_name", None), ("places", "education_col_places", ",.0f"), ("reach_demand", "education_col_reach", ",.0f"),
                ("per_100", "education_col_ratio", ",.0f")]
        return rows, cols, "education_table_kitas"
    rows = disclosed_catchments(bundle, settings, period).reset_index()
    cols = [("name", "education_col_name", None), ("children_6_12", "education_col_children_6_12", ",.0f"),
            ("share_mig_pct", "education_col_catchment_mig", ".1f"), ("schools", "education_col_schools", ",.0f"),
            ("pupils", "education_col_pupils", ",.0f"), ("startchancen", "education_col_startchancen", ",.0f")]
    return rows, cols, "education_table_catchments"


def update_section(view, period, lang):
    """Key figures, the composition statement and the sortable table of the chosen view."""
    bundle, settings = current_bundle(), current_settings()
    period = period_at(bundle, period)
    comp, facilities = _composition(bundle, settings, period, view, lang)
    rows, cols, title_key = _table(bundle, settings, period, view, facilities)
    figures = _kita_figures(bundle, period, lang) if view == "kita" else _school_figures(bundle, settings, period, lang)
    data = rows[[c[0] for c in cols]].replace({np.nan: None}).to_dict("records")
    return figures, comp, t(title_key, lang), _columns(cols, lang), data


# --- facility points on the map ------------------------------------------------------------------------------

def facility_trace(bundle, settings, view: str, period: str, lang: str) -> dict:
    """The facility trace's lon, lat, text, customdata and marker: Kitas sized by places or primary schools by pupils;
    coloured by deviation (percentage points) where compositions may be shown."""
    fac = bundle.table("facilities")
    fac = fac[fac["type"] == view].set_index("facility_id")
    size_by = pd.to_numeric(fac["capacity" if view == "kita" else "pupils"]).astype(float)
    size = (4 + 12 * np.sqrt(size_by.fillna(0) / max(float(size_by.max() or 1), 1))).round(1)
    marker = {"size": size.to_numpy(), "color": "#111111", "opacity": 0.9}  # dark points stand out on every colour scale
    text = fac["name"].fillna("").astype(str) + "<br>" + (t("education_col_places", lang) if view == "kita" else t("education_col_pupils", lang)) \
        + ": " + size_by.map(lambda v: num(v, lang))
    if compositions_visible(settings):
        view_ = facility_segregation_view(bundle, settings, period, _params(), view)
        dev = view_["table"]["deviation_pp"].reindex(fac.index) if view_["available"] else None
        if dev is not None and dev.notna().any():
            marker.update(color=dev.fillna(0).to_numpy(), colorscale=colour_scale("PuOr_r"), cmid=0, showscale=True,
                          colorbar={"title": {"text": t("education_col_deviation", lang)}, "x": 0.0, "len": 0.4, "thickness": 10})
            text = text + "<br>" + t("education_col_deviation", lang) + ": " + dev.map(lambda v: num(v, lang, 1))
    return {"lon": fac.geometry.x.round(6).to_numpy(), "lat": fac.geometry.y.round(6).to_numpy(), "text": text.tolist(),
            "customdata": fac.index.tolist(), "marker": marker}


def facility_points(view, show, period, lang, follows, drawn):
    """The facility trace (`facility_trace`), emptied while the points are switched off.

    Follows period and language while switched on (`follows`, through `follow_gate`). Re-drawn after the map gets a
    new figure (`drawn`, through `redraw_gate`) while the points are switched on."""
    if ctx.triggered_id == redrawn_id("education") and not (map_redrawn(drawn) and "on" in (show or [])):
        return no_update
    patch = Patch()
    if "on" not in (show or []):
        for key in ("lon", "lat", "text", "customdata"):
            patch["data"][FACILITY_TRACE][key] = []
        return patch
    bundle = current_bundle()
    for key, value in facility_trace(bundle, current_settings(), view, period_at(bundle, period), lang).items():
        patch["data"][FACILITY_TRACE][key] = value
    return patch


# --- clicks ----------------------------------------------------------------------------------------------------

def _geojson(geom) -> dict:
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": orjson.loads(shapely.to_geojson(geom))}]}


def _kita_circle(lon: float, lat: float, radius_m: float):
    """A walking-radius circle (straight-line radius = radius / detour) around a point, in WGS84."""
    from pyproj import Transformer

    x, y = to_metric(np.array([shapely.Point(lon, lat)]))[0].coords[0]
    circle = shapely.Point(x, y).buffer(radius_m, 48)
    back = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
    return shapely.transform(circle, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))


def facility_detail(bundle, settings, facility_id: str, period: str, lang: str):
    """Detail lines of one facility and the catchment geometry to highlight."""
    fac = bundle.table("facilities").set_index("facility_id")
    if facility_id not in fac.index:
        return [html.Div(t("education_detail_hint", lang))], None
    row = fac.loc[facility_id]
    p = _params()
    lines = [html.Strong(t("education_detail_facility", lang, name=row["name"], id=facility_id))]
    if pd.notna(row.get("capacity")):
        lines.append(html.Div(t("education_detail_capacity", lang, n=num(float(row["capacity"]), lang))))
    if pd.notna(row.get("pupils")):
        lines.append(html.Div(t("education_detail_pupils", lang, n=num(float(row["pupils"]), lang))))
    if bool(row.get("startchancen")) if pd.notna(row.get("startchancen", None)) else False:
        lines.append(html.Div(t("education_detail_startchancen", lang)))
    geom = None
    kind = row["type"]
    if kind == "kita":
        geom = _kita_circle(row.geometry.x, row.geometry.y, p.radius_m / p.detour_factor)
        lines.append(html.Div(t("education_detail_kita_catchment", lang, radius=num(p.radius_m, lang))))
    elif kind == "primary_school":
        cid = school_catchment(bundle).get(facility_id)
        if cid is not None:
            geom = catchments(bundle).geometry.loc[cid]
            c = disclosed_catchments(bundle, settings, period).loc[cid]
            lines.append(html.Div(t("education_detail_catchment", lang, name=c["name"], children=num(c["children_6_12"], lang),
                                    share=num(c["share_mig_pct"], lang, 1))))
    if kind in ("kita", "primary_school") and compositions_visible(settings):
        view = facility_segregation_view(bundle, settings, period, p, kind)
        if view["available"] and facility_id in view["table"].index:
            r = view["table"].loc[facility_id]
            lines.append(html.Div(t("education_detail_composition", lang, share=num(r["share_pct"], lang, 1), catchment=num(r["catchment_share_pct"], lang, 1),
                                    dev=num(r["deviation_pp"], lang, 1), ratio=num(r["ratio"], lang, 2), z=num(r["z"], lang, 1),
                                    period=format_date(r["period"], lang))))
    return lines, geom


def _suppressed(settings, layer_id: str, basis: Basis, uid: str, period: str) -> bool:
    """Whether the map hides this area's value of the layer (the panel must not show what the map hides)."""
    result = layer_result(check_query(current_bundle(), settings, layer_id, basis.key, period))
    return bool(result.values["suppressed"].get(uid, True))


def unit_detail(bundle, settings, basis: Basis, uid: str, period: str, lang: str) -> list:
    """An area's Kita ratio against the city, the Kitas that serve it and the nearest one with estimated spare places."""
    p = _params()
    sd, _ = supply_demand(bundle, basis, period, p)
    acc, _ = access_on(bundle, basis, period, p)
    if uid not in sd.index:
        return [html.Div(t("education_detail_hint", lang))]
    city = city_figures(bundle, period, p)["places_per_100"]
    small = settings.mode == "portal" and any(_suppressed(settings, layer, basis, uid, period) for layer in (KITA_RATIO.id, KITA_FCA.id))
    ratio = 100 * sd.loc[uid, "places"] / sd.loc[uid, "demand"] if sd.loc[uid, "demand"] > 0 else float("nan")
    name = uid if basis.is_h3 else f"{bundle.units_of(basis.level).loc[uid, 'name']} ({uid})"
    lines = [html.Strong(t("education_detail_unit", lang, name=name, ratio=t("not_shown_short", lang) if small else num(ratio, lang),
                           fca=t("not_shown_short", lang) if small else num(100 * acc.loc[uid, "access"], lang), city=num(city, lang)))]
    if not small:
        lines.append(html.Div(t("education_detail_unserved", lang, n=num(acc.loc[uid, "unserved"], lang))))
    near = serving_kitas(bundle, basis, uid, period, p)
    names = kita_table(bundle, period, p)["name"]
    lines.append(html.Div(t("education_detail_serving", lang, radius=num(p.radius_m, lang), n=len(near))))
    lines.append(html.Ul([html.Li(f"{names.get(fid, fid)} – {num(r.dist_m, lang)} m, {num(r.places, lang)} {t('education_col_places', lang)}, "
                                  f"{num(r.supply_ratio, lang, 2)} {t('education_col_ratio', lang)}") for fid, r in near.head(8).iterrows()],
                         className="mb-1"))
    spare = near[near["spare"]]
    if len(spare):
        s = spare.iloc[0]
        lines.append(html.Div(t("education_detail_spare", lang, name=names.get(spare.index[0], spare.index[0]), dist=num(s["dist_m"], lang),
                                ratio=num(100 * s["supply_ratio"], lang))))
    else:
        lines.append(html.Div(t("education_detail_no_spare", lang)))
    lines.append(html.Div(t("education_estimate_note", lang), className="text-muted"))
    return lines


def _highlight(geom) -> Patch:
    """The map's highlight layer showing `geom` (WGS84); None: the map as it is."""
    patch = Patch()
    if geom is not None:
        patch["layout"]["map"]["layers"][HIGHLIGHT_LAYER]["source"] = _geojson(geom)
        patch["layout"]["map"]["layers"][HIGHLIGHT_LAYER]["visible"] = True
    return patch


def on_click(click, basis_key, period, lang, active_tab):
    """A facility point: its detail and catchment outline; an area: its Kita supply and the Kitas serving it (only while
    the education tab is open: map clicks are for the linked views otherwise)."""
    if not click or not click.get("points") or active_tab != SECTION_ID:
        return no_update, no_update
    bundle, settings = current_bundle(), current_settings()
    period = period_at(bundle, period)
    point = click["points"][0]
    if point.get("curveNumber") == FACILITY_TRACE:
        lines, geom = facility_detail(bundle, settings, str(point.get("customdata")), period, lang)
        return lines, _highlight(geom)
    location = point.get("location")
    if location is None:
        return no_update, no_update
    return unit_detail(bundle, settings, Basis.parse(basis_key), str(location), period, lang), no_update


def register(app: Dash) -> None:
    app.callback(
        Output(FIGURES, "children"), Output(COMPOSITION, "children"), Output(TABLE_TITLE, "children"), Output(TABLE, "columns"),
        Output(TABLE, "data"),
        Input(ids.SECTION_TABS, "active_tab"), Input(VIEW, "value"), Input(topic_id("period", SECTION_ID), "data"), Input(ids.TABS_LANG, "data"),
        prevent_initial_call=True,
    )(when_active(SECTION_ID, 5, update_section))
    app.callback(
        Output(ids.MAP, "figure", allow_duplicate=True),
        Input(VIEW, "value"), Input(SHOW, "value"), State(ids.PERIOD, "value"), State(ids.LANGUAGE, "value"),
        follow_gate(app, "education", [(ids.PERIOD, "value"), (ids.LANGUAGE, "value")], State(SHOW, "value")),
        redraw_gate(app, "education", State(SHOW, "value")),
        prevent_initial_call=True,
    )(facility_points)
    app.callback(
        Output(DETAIL, "children"), Output(ids.MAP, "figure", allow_duplicate=True),
        Input(ids.MAP, "clickData"), State(ids.BASIS, "value"), State(ids.PERIOD, "value"), State(ids.LANGUAGE, "value"),
        State(ids.SECTION_TABS, "active_tab"),
        prevent_initial_call=True,
    )(on_click)
