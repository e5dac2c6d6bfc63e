"""Figure builders: plain dicts (not go.Figure: 100× cheaper to return from a callback at 70k polygons)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from dash import Patch
from plotly.colors import get_colorscale

from layers.bundle import Bundle
from layers.spec import LayerResult, LayerSpec

from .i18n import format_date, t

NOT_SHOWN_COLOUR = "#c8c8c8"
OUTLINE_COLOUR = "#3b3b3b"
FUNDING_COLOUR = "#7b3294"
HIGHLIGHT_COLOUR = "#e66101"

# Trace order of the map figure (callbacks patch traces by index).
VALUES_TRACE, SMALL_TRACE, HIDDEN_TRACE, SELECTION_TRACE, FACILITY_TRACE = range(5)
# Order of the map's layout layers (map.layers): city outline, funding areas overlay, highlight (e.g. a catchment).
OUTLINE_LAYER, FUNDING_LAYER, HIGHLIGHT_LAYER = range(3)


def map_view(bundle: Bundle, width_px: int = 900, height_px: int = 640) -> tuple[dict, float]:
    """Centre and zoom that fit the city into a map of the given size (MapLibre 512-px tiles, Web Mercator)."""
    minx, miny, maxx, maxy = bundle.units.total_bounds
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    zoom_x = math.log2(width_px * 360 / (512 * (maxx - minx)))
    zoom_y = math.log2(height_px * 2 * math.pi / (512 * (merc(maxy) - merc(miny))))
    return {"lon": (minx + maxx) / 2, "lat": (miny + maxy) / 2}, round(min(zoom_x, zoom_y) - 0.15, 2)


def separators(lang: str) -> str:
    """Decimal and thousands separators for Plotly's number formats: 1.234,5 in German, 1,234.5 in English."""
    return ",." if lang == "de" else ".,"


@lru_cache(maxsize=64)
def _scale(name: str) -> tuple:
    return tuple(tuple(stop) for stop in get_colorscale(name))


def colour_scale(name: str) -> list:
    """A named Plotly colour scale as explicit stops: plotly.js knows few names and no `_r` suffix, and we send dicts."""
    return [list(stop) for stop in _scale(name)]


def _colour_range(values: np.ndarray, midpoint: float | None) -> dict:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"zmin": 0, "zmax": 1}
    lo, hi = np.percentile(finite, [2, 98]) if finite.size > 20 else (finite.min(), finite.max())
    if midpoint is not None:
        half = max(abs(hi - midpoint), abs(midpoint - lo), 1e-9)
        return {"zmin": midpoint - half, "zmax": midpoint + half}
    return {"zmin": float(lo), "zmax": float(hi if hi > lo else lo + 1)}


@dataclass(frozen=True)
class Display:
    """How values are shown: language, disclosure thresholds, mode, and the name of the level values came from."""

    lang: str
    min_cases: int
    min_residents: int
    portal: bool
    interpolated_from: str | None = None  # display name of the level, e.g. "Planungsraum"


def value_props(result: LayerResult, spec: LayerSpec, d: Display, names: pd.Series) -> dict:
    """The per-value parts of the three map traces.

    Trace 0 holds the values, trace 1 the values from small counts (planner mode only; their hover says so),
    trace 2 the areas with no value shown (grey). Values go out as numpy arrays, which Dash serialises
    directly (lists of lists cost 80 ms at 10k cells).
    """
    v = result.values
    z = v["value"].to_numpy(dtype=float).round(4)  # more decimals than any format shows
    flagged = v["suppressed"].to_numpy(dtype=bool)
    finite = np.isfinite(z)
    plain = finite & ~flagged
    small = finite & flagged & (not d.portal)
    hidden = ~(plain | small)
    residents = v["residents"].to_numpy(dtype=float).round()
    lang = d.lang
    period = t("period_label", lang, date=format_date(result.period, lang))
    if result.period_from:
        period = f"{format_date(result.period_from, lang)} → {format_date(result.period, lang)}"
    badge = f" · {t('interpolated', lang, level=d.interpolated_from)}" if d.interpolated_from else ""
    hover = (f"<b>%{{text}}</b><br>{spec.title(lang)}: %{{z:{spec.value_format}}} {spec.unit(lang)}<br>"
             f"{t('residents', lang)}: %{{customdata:,.0f}}<br>{period}{badge}")
    small_note = t("hover_small", lang, cases=d.min_cases, residents=d.min_residents)
    hidden_note = t("hover_not_shown", lang, cases=d.min_cases, residents=d.min_residents) if d.portal else t("hover_no_data", lang)
    hidden_ids = v.index[hidden]
    return {
        "z": np.where(plain, z, np.nan), "customdata": residents,
        "hovertemplate": hover + "<extra></extra>",
        "small_ids": v.index[small].tolist(), "small_z": z[small], "small_customdata": residents[small],
        "small_text": names.reindex(v.index[small]).fillna("").tolist(),
        "small_hovertemplate": f"{hover}<br><i>{small_note}</i><extra></extra>",
        "colorscale": colour_scale(spec.colorscale), "colorbar_title": spec.unit(lang),
        "range": _colour_range(z[finite & ~(flagged & d.portal)], spec.midpoint),
        "hidden_ids": hidden_ids.tolist(), "hidden_text": names.reindex(hidden_ids).fillna("").tolist(),
        "hidden_hovertemplate": f"<b>%{{text}}</b><br>{hidden_note}<extra></extra>",
    }


MARKER = {"line": {"width": 0.3, "color": "rgba(255,255,255,0.6)"}, "opacity": 0.85}


def _traces(props: dict, ids: list[str], names: list[str], geo_url: str) -> list[dict]:
    base = {"type": "choroplethmap", "geojson": geo_url}
    values = {**base, "locations": ids, "z": props["z"], "text": names, "customdata": props["customdata"],
              "hovertemplate": props["hovertemplate"], "colorscale": props["colorscale"], **props["range"], "marker": MARKER,
              "colorbar": {"title": {"text": props["colorbar_title"]}, "thickness": 14, "len": 0.6}, "name": "values"}
    small = {**base, "locations": props["small_ids"], "z": props["small_z"], "text": props["small_text"],
             "customdata": props["small_customdata"], "hovertemplate": props["small_hovertemplate"],
             "colorscale": props["colorscale"], **props["range"], "showscale": False, "marker": MARKER, "name": "small_counts"}
    hidden = {**base, "locations": props["hidden_ids"], "z": np.zeros(len(props["hidden_ids"])), "text": props["hidden_text"],
              "colorscale": [[0, NOT_SHOWN_COLOUR], [1, NOT_SHOWN_COLOUR]], "showscale": False,
              "hovertemplate": props["hidden_hovertemplate"],
              "marker": {"line": {"width": 0.3, "color": "white"}, "opacity": 0.7}, "name": "not_shown"}
    selection = {**base, "locations": [], "z": [], "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False,
                 "hoverinfo": "skip", "marker": {"line": {"width": 2.5, "color": "#111111"}, "opacity": 1}, "name": "selection"}
    facilities = {"type": "scattermap", "lon": [], "lat": [], "text": [], "mode": "markers", "name": "facilities",
                  "marker": {"size": 7, "color": "#1f4e79"}, "hovertemplate": "%{text}<extra></extra>", "showlegend": False}
    return [values, small, hidden, selection, facilities]


def map_figure(bundle: Bundle, result: LayerResult, spec: LayerSpec, names: pd.Series, geo_url: str, outline_url: str,
               display: Display, tile_url: str = "", tile_attribution: str = "") -> dict:
    """The whole map: values, not-shown areas, and the city's coarsest outlines as context (no external tiles)."""
    props = value_props(result, spec, display, names)
    ids = result.values.index.tolist()
    centre, zoom = map_view(bundle)
    empty = {"type": "FeatureCollection", "features": []}
    layers = [
        {"sourcetype": "geojson", "source": outline_url, "type": "line", "color": OUTLINE_COLOUR, "line": {"width": 1.4}, "below": ""},
        {"sourcetype": "geojson", "source": empty, "type": "line", "color": FUNDING_COLOUR, "line": {"width": 2.2, "dash": [2, 1]},
         "visible": False, "below": ""},
        {"sourcetype": "geojson", "source": empty, "type": "line", "color": HIGHLIGHT_COLOUR, "line": {"width": 3}, "visible": False,
         "below": ""},
    ]
    if tile_url:  # raster tiles go last in the list but are drawn below the traces
        layers.append({"sourcetype": "raster", "source": [tile_url], "sourceattribution": tile_attribution, "below": "traces"})
    return {
        "data": _traces(props, ids, names.reindex(ids).fillna("").tolist(), geo_url),
        "layout": {
            "map": {"style": "white-bg", "center": centre, "zoom": zoom, "layers": layers},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": bundle.manifest.city,
            "paper_bgcolor": "white", "meta": {"basis": result.basis.key}, "separators": separators(display.lang),
        },
    }


def map_patch(result: LayerResult, spec: LayerSpec, names: pd.Series, display: Display) -> Patch:
    """Only what changes when layer, group, period or language change: values, hover and colours, never geometry."""
    props = value_props(result, spec, display, names)
    patch = Patch()
    for key in ("z", "customdata", "hovertemplate", "colorscale"):
        patch["data"][0][key] = props[key]
    patch["data"][0]["colorbar"]["title"]["text"] = props["colorbar_title"]
    for trace in (0, 1):
        patch["data"][trace]["zmin"] = props["range"]["zmin"]
        patch["data"][trace]["zmax"] = props["range"]["zmax"]
    for key in ("locations", "z", "text", "customdata", "hovertemplate"):
        patch["data"][1][key] = props[f"small_{key}" if key != "locations" else "small_ids"]
    patch["data"][1]["colorscale"] = props["colorscale"]
    patch["data"][2]["locations"] = props["hidden_ids"]
    patch["data"][2]["z"] = np.zeros(len(props["hidden_ids"]))
    patch["data"][2]["text"] = props["hidden_text"]
    patch["data"][2]["hovertemplate"] = props["hidden_hovertemplate"]
    patch["layout"]["separators"] = separators(display.lang)
    return patch
