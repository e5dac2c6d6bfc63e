"""Callbacks: translate UI state into layer queries and results into figures (geometry is never resent)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from layers.context import social_context
from layers.query import ParameterError, check_query
from layers.registry import get_layer
from layers.spatial.basis import Basis
from layers.spatial.geometry import basis_geojson

from . import ids
from .context import current_bundle, current_settings, layer_result
from .figures import Display, map_figure, map_patch
from .i18n import format_date, t
from .layout import basis_options, group_options, layer_options, notice, period_options, sources_line, subtitle


def geo_url(basis_key: str) -> str:
    bundle = current_bundle()
    return f"geo/{basis_key}.json?v={bundle.manifest.built_at.replace(':', '')}"


def geojson_bytes(basis_key: str) -> bytes:
    """GeoJSON of a basis, built once per process and bundle."""
    return basis_geojson(current_bundle(), Basis.parse(basis_key))


@lru_cache(maxsize=64)
def _labels(bundle, basis_key: str, lang: str) -> pd.Series:
    """Static hover head per area: name and id, plus the social context where the bundle has it."""
    basis = Basis.parse(basis_key)
    if basis.is_h3:
        cells = bundle.cells(basis.res)
        names = pd.Series(cells, index=cells, dtype=object)
    else:
        units = bundle.units_of(basis.level)
        names = units["name"].astype(str) + " (" + units.index.to_series() + ")"
    context = social_context(bundle, basis, lang).reindex(names.index).fillna("")
    return names.where(context == "", names + "<br>" + context)


def level_name(bundle, level_id: str, lang: str) -> str:
    level = bundle.level(level_id)
    return level.name_de if lang == "de" else level.name_en


def api_url(result, fmt: str) -> str:
    """The data-API address of exactly the values on the map (relative to the page)."""
    basis = f"res={result.basis.res}" if result.basis.is_h3 else f"level={result.basis.level}"
    params = [basis, f"period={result.period}"]
    params += [f"group={result.group}"] if result.group else []
    params += [f"period_from={result.period_from}"] if result.period_from else []
    return f"api/v1/layers/{result.layer_id}?{'&'.join(params)}&format={fmt}"


def legend(result, spec, lang: str, settings) -> list:
    bundle = current_bundle()
    basis = result.basis
    basis_label = next(o["label"] for o in basis_options(bundle, lang) if o["value"] == basis.key)
    group = next((g.title(lang) for g in spec.groups(bundle) if g.id == result.group), "")
    period = format_date(result.period, lang)
    if result.period_from:
        period = f"{format_date(result.period_from, lang)} → {period}"
    origin = (t("interpolated", lang, level=level_name(bundle, result.interpolated_from, lang)) if result.interpolated_from
              else t("exact", lang))
    return [
        html.Div([html.Strong(spec.title(lang)), f" · {group} · {spec.unit(lang)} · {basis_label} · {t('period', lang)} {period}"]),
        html.Div([html.Span(origin, className="badge bg-info text-dark me-2", id="map-badge"), spec.description(lang)]),
        html.Div(t("legend_not_shown", lang, cases=settings.min_cases, residents=settings.min_residents) if settings.mode == "portal"
                 else t("legend_small", lang, cases=settings.min_cases, residents=settings.min_residents)),
        html.Div(t("description_note", lang), className="fst-italic"),
        html.Div([html.A(t("download_csv", lang), href=api_url(result, "csv"), id="map-download-csv", className="me-3"),
                  html.A(t("api_link", lang) + " (JSON)", href=api_url(result, "json"), target="_blank", className="me-3"),
                  html.A("GeoJSON", href=api_url(result, "geojson"), target="_blank")]),
    ]


def update_map(layer_id, group, basis_key, period, period_from, lang):
    """Full figure when the basis changes (new geometry URL), otherwise a Patch of values only."""
    bundle, settings = current_bundle(), current_settings()
    if group not in [g.id for g in get_layer(layer_id).groups(bundle)]:
        group = None  # the layer's default group; the controls callback updates the picker
    try:
        query = check_query(bundle, settings, layer_id, basis_key, period, group, period_from)
    except ParameterError:
        return no_update, no_update
    result = layer_result(query)
    spec = get_layer(layer_id)
    display = Display(lang, settings.min_cases, settings.min_residents, settings.mode == "portal",
                      level_name(bundle, result.interpolated_from, lang) if result.interpolated_from else None)
    if not ctx.triggered_prop_ids or f"{ids.BASIS}.value" in ctx.triggered_prop_ids:
        fig = map_figure(bundle, result, spec, _labels(bundle, basis_key, lang), geo_url(basis_key), geo_url(bundle.levels[0].id), display,
                         settings.tile_url, settings.tile_attribution)
    else:
        fig = map_patch(result, spec, _labels(bundle, basis_key, lang), display)
        if ctx.triggered_id == ids.LANGUAGE:
            fig["data"][0]["text"] = _labels(bundle, basis_key, lang).reindex(result.values.index).fillna("").tolist()
    return fig, legend(result, spec, lang, settings)


def update_controls(layer_id, lang, group):
    """Texts and options follow the language; the group list and the start-period picker follow the layer."""
    bundle, settings = current_bundle(), current_settings()
    groups = group_options(bundle, layer_id, lang)
    valid = [g["value"] for g in groups]
    new_group = group if group in valid else (valid[0] if valid else None)
    labels = [t(o["id"]["key"], lang) for o in ctx.outputs_list[7]]
    style = {} if get_layer(layer_id).needs_period_from else {"display": "none"}
    periods = period_options(bundle, lang)
    return (layer_options(settings, lang), groups, new_group if new_group != group else no_update, basis_options(bundle, lang),
            periods, periods, style, labels, sources_line(bundle, lang), subtitle(bundle, settings, lang), notice(bundle, settings, lang))


def register_callbacks(app: Dash) -> None:
    """Attach the callbacks to one app (explicitly: `dash.callback`'s global list is consumed by the first app
    that starts, so a second app in the same process, as in tests and benchmarks, would get none)."""
    app.callback(
        Output(ids.MAP, "figure"), Output(ids.LEGEND, "children"),
        Input(ids.LAYER, "value"), Input(ids.GROUP, "value"), Input(ids.BASIS, "value"), Input(ids.PERIOD, "value"),
        Input(ids.PERIOD_FROM, "value"), Input(ids.LANGUAGE, "value"),
    )(update_map)
    app.callback(
        Output(ids.LAYER, "options"), Output(ids.GROUP, "options"), Output(ids.GROUP, "value"), Output(ids.BASIS, "options"),
        Output(ids.PERIOD, "options"), Output(ids.PERIOD_FROM, "options"), Output(ids.PERIOD_FROM_ROW, "style"),
        Output({"type": ids.LABELS, "key": ALL}, "children"), Output(ids.SOURCES, "children"),
        Output(ids.SUBTITLE, "children"), Output(ids.NOTICE, "children"),
        Input(ids.LAYER, "value"), Input(ids.LANGUAGE, "value"), State(ids.GROUP, "value"),
        prevent_initial_call=True,
    )(update_controls)
