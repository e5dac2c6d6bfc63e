"""Figure builders: plain dicts (not go.Figure: 100× cheaper to return from a callback at 70k polygons)."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from plotly.colors import get_colorscale, sample_colorscale

from layers import LayerResult, LayerSpec, decimal_units, format_decimals, format_number
from layers.bundle import Bundle

from .i18n import format_date, not_shown, t
from .patching import MISSING, Location

NOT_SHOWN_COLOUR = "#c8c8c8"
OUTLINE_COLOUR = "#3b3b3b"
FUNDING_COLOUR = "#7b3294"
HIGHLIGHT_COLOUR = "#e66101"
SELECTION_COLOUR = "#d95f02"
SMALL_OUTLINE_COLOUR = "rgba(60,60,60,0.35)"

# Trace order of the map figure (callbacks patch traces by index). Every choropleth trace holds all areas of the basis
# (locations and hover heads are sent once per basis); a value update only sends z arrays. The grey base shows
# through wherever the traces above have no value.
HIDDEN_TRACE, VALUES_TRACE, SMALL_TRACE, SELECTION_TRACE, FACILITY_TRACE, SCENARIO_TRACE, PROPOSAL_TRACE = range(7)
SCENARIO_COLOUR = "#000000"
FACILITY_COLOUR = "#1f4e79"  # facility points of the education and infrastructure sections
# Order of the map's layout layers (map.layers): city outline, funding areas overlay, highlight (e.g. a catchment),
# the outline of the chosen district.
OUTLINE_LAYER, FUNDING_LAYER, HIGHLIGHT_LAYER, DISTRICT_LAYER, PROTECTION_LAYER = range(5)
# The overlay draws funding programmes (solid) and protection instruments such as soziale Erhaltungsgebiete (dashed) apart.


def typed(values: np.ndarray, dtype: str = "f4") -> dict:
    """A numeric array as a plotly.js typed array ({dtype, bdata}): 4 bytes a value before base64, NaN stays missing.

    Plain JSON numbers cost 6–20 bytes each; this keeps a value update near 5 bytes per area.
    """
    return {"dtype": dtype, "bdata": base64.b64encode(np.ascontiguousarray(values, dtype=np.dtype(dtype)).tobytes()).decode("ascii")}


def compact(values: np.ndarray, decimals: int) -> dict:
    """An array in the WebGL engine's compact form ({dtype, bdata, decimals}; dashboard/mapgl/src/typed.js reads it,
    plotly.js does not): whole numbers of 10^-`decimals` (value = number / 10^decimals), rounded as the tables write
    them (`layers.numbers.decimal_units`), in the narrowest signed dtype, whose least number marks a missing value; the
    bytes in planes (every value's first byte, then every second byte, as Blosc's shuffle), because the high bytes of
    small numbers are alike and gzip then packs them. A share with one decimal costs ~1.5 bytes on the wire, not
    float32's 4; values too large for 32-bit whole numbers go rounded as float64.

    The map's colours follow the rounded values too: they show what the hover says (a layer written without decimals
    colours in whole steps)."""
    units = decimal_units(values, decimals)
    top = float(np.abs(units[np.isfinite(units)]).max(initial=0.0))
    dtype = next((np.dtype(d) for d in ("i1", "i2", "i4") if top <= np.iinfo(np.dtype(d)).max), None)
    if dtype is None:  # the rounded values themselves: float32 would not hold them exactly
        return typed(units / 10.0 ** decimals, "f8")
    whole = np.where(np.isfinite(units), units, np.iinfo(dtype).min).astype(dtype.newbyteorder("<"))
    planes = whole.view(np.uint8).reshape(-1, dtype.itemsize).T.tobytes()
    return {"dtype": dtype.str[1:], "bdata": base64.b64encode(planes).decode("ascii"), "decimals": decimals}


def typed_counts(counts: np.ndarray) -> dict:
    """Whole counts (residents) as the narrowest unsigned typed array that holds them exactly: 2 bytes a value up to
    65,535, else 4. Float32 when one is missing, because a missing count must stay missing (never shown as 0)."""
    if np.isfinite(counts).all() and (counts >= 0).all():
        top = counts.max(initial=0.0)
        for dtype, limit in (("u2", np.iinfo(np.uint16).max), ("u4", np.iinfo(np.uint32).max)):
            if top <= limit:
                return typed(counts, dtype)
    return typed(counts)


MAP_SIZE_PX = (930, 490)  # the map at 1366×768 (64vh high, colour bar beside it); the browser then fits to the real size
MAP_PAD_PX = 16  # margin on every side, as PAD in assets/map-view.js


def fit_view(bounds: tuple[float, float, float, float]) -> tuple[dict, float]:
    """Centre and zoom that show `bounds` (lon/lat: minx, miny, maxx, maxy) whole in a map of `MAP_SIZE_PX` with a
    margin of `MAP_PAD_PX` (MapLibre 512-px tiles, Web Mercator): the first view, until assets/map-fit.js fits the
    same bounds to the map's real size."""
    minx, miny, maxx, maxy = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zoom_x = math.log2((MAP_SIZE_PX[0] - 2 * MAP_PAD_PX) * 360 / (512 * max(maxx - minx, 1e-6)))
    zoom_y = math.log2((MAP_SIZE_PX[1] - 2 * MAP_PAD_PX) * 2 * math.pi / (512 * max(merc(maxy) - merc(miny), 1e-8)))
    zoom = math.floor(min(zoom_x, zoom_y) * 100) / 100  # round down: never cut the area off
    y_mid = (merc(miny) + merc(maxy)) / 2  # the middle in Mercator y, so the area sits in the middle of what is seen
    return {"lon": (minx + maxx) / 2, "lat": math.degrees(2 * math.atan(math.exp(y_mid)) - math.pi / 2)}, zoom


def separators(lang: str) -> str:
    """Decimal and thousands separators for Plotly's number formats: 1.234,5 in German, 1,234.5 in English."""
    return ",." if lang == "de" else ".,"


@lru_cache(maxsize=64)
def _scale(name: str) -> tuple:
    return tuple(tuple(stop) for stop in get_colorscale(name))


def colour_scale(name: str) -> list:
    """A named Plotly colour scale as explicit stops: plotly.js knows few names and no `_r` suffix, and we send dicts."""
    return [list(stop) for stop in _scale(name)]


def colour_range(values: np.ndarray, midpoint: float | None) -> dict:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"zmin": 0, "zmax": 1}
    if midpoint is not None:
        # Symmetric around the midpoint, from the areas that differ from it: a scenario changes few areas, and the
        # unchanged rest (often all but a handful) must not collapse the range to float noise.
        dev = np.abs(finite - midpoint)
        moved = dev[dev > 1e-9 * max(1.0, float(dev.max()))]
        half = float(np.percentile(moved, 98) if moved.size > 20 else moved.max()) if moved.size else 1.0
        return {"zmin": midpoint - half, "zmax": midpoint + half}
    lo, hi = np.percentile(finite, [2, 98]) if finite.size > 20 else (finite.min(), finite.max())
    return {"zmin": float(lo), "zmax": float(hi if hi > lo else lo + 1)}


def continuous_colouring(values: np.ndarray, spec: LayerSpec) -> tuple[list, dict]:
    """Colour scale and z range of a continuous layer over the values shown (`colour_range`).

    A diverging scale stays centred on its midpoint, but a side the data never reach is cut off at the data's extreme,
    the scale with it (the midpoint keeps its colour): a ratio that is never below 0 does not run to −100."""
    scale, rng = colour_scale(spec.colorscale), colour_range(values, spec.midpoint)
    finite = values[np.isfinite(values)]
    if spec.midpoint is None or finite.size == 0:
        return scale, rng
    zmin, zmax = rng["zmin"], rng["zmax"]
    lo, hi = max(zmin, float(finite.min())), min(zmax, float(finite.max()))
    if hi <= lo or (lo == zmin and hi == zmax):
        return scale, rng
    a, b = (lo - zmin) / (zmax - zmin), (hi - zmin) / (zmax - zmin)
    points = np.unique(np.r_[np.linspace(a, b, 21), [0.5] if a < 0.5 < b else []])  # a stop at the midpoint keeps its colour
    cut = [[round(float((p - a) / (b - a)), 6), c] for p, c in zip(points, sample_colorscale(scale, points.tolist()))]
    return cut, {"zmin": lo, "zmax": hi}


def clipped_ticks(values: np.ndarray, rng: dict, spec: LayerSpec, lang: str) -> dict:
    """Colour-bar ticks that say when the range is clipped: "▲ 82" at the top when values above the top colour exist
    (up to 82), "▼ 3" at the bottom likewise; {"tickvals": None, "ticktext": None} (plotly's own ticks) otherwise."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"tickvals": None, "ticktext": None}
    zmin, zmax = float(rng["zmin"]), float(rng["zmax"])
    span = zmax - zmin
    above, below = float(finite.max()) > zmax + 1e-9 * max(1.0, abs(zmax)), float(finite.min()) < zmin - 1e-9 * max(1.0, abs(zmin))
    if not (above or below) or span <= 0:
        return {"tickvals": None, "ticktext": None}
    step = 10 ** math.floor(math.log10(span / 4))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if span / (step * m) <= 5)
    ticks = [v for v in np.arange(math.ceil(zmin / step) * step, zmax + 1e-9, step) if zmin + 0.08 * span < v < zmax - 0.08 * span]
    digits = max(0, -math.floor(math.log10(step) + 1e-9))  # as many decimals as the tick step needs (0.002 → 3, 2.5 → 1)
    while digits < 10 and abs(round(step * 10**digits) - step * 10**digits) > 1e-6:
        digits += 1
    sign = spec.value_format.startswith("+")
    vals, text = [zmin, *ticks, zmax], [format_number(zmin, lang, digits, sign), *(format_number(v, lang, digits, sign) for v in ticks),
                                         format_number(zmax, lang, digits, sign)]
    if above:
        text[-1] = f"▲ {format_number(float(finite.max()), lang, digits, sign)}"
    if below:
        text[0] = f"▼ {format_number(float(finite.min()), lang, digits, sign)}"
    return {"tickvals": [float(v) for v in vals], "ticktext": text}


@dataclass(frozen=True)
class Display:
    """How values are shown: language, disclosure thresholds, mode, and the name of the level values came from."""

    lang: str
    min_cases: int
    min_residents: int
    portal: bool
    interpolated_from: str | None = None  # display name of the level, e.g. "Planungsraum"
    ids_as_names: bool = False  # H3 cells: the id is the name, so hover heads use the location and no text is sent
    compact_arrays: bool = False  # numbers in the WebGL engine's compact form (`compact`), not plotly.js typed arrays


def category_scale(spec: LayerSpec) -> tuple[list, dict]:
    """Stepped colour scale and z range for a categorical layer: each integer code gets its own colour band."""
    cats = sorted(spec.categories, key=lambda c: c.value)
    lo, hi = cats[0].value - 0.5, cats[-1].value + 0.5
    scale = []
    for c in cats:
        a, b = (c.value - 0.5 - lo) / (hi - lo), (c.value + 0.5 - lo) / (hi - lo)
        scale += [[round(a, 6), c.colour], [round(b, 6), c.colour]]
    return scale, {"zmin": lo, "zmax": hi}


def hover_lines(result: LayerResult, spec: LayerSpec, lang: str) -> pd.Series | None:
    """Per-area extra hover text: the class label of a categorical layer and the layer's notes; None when there are none."""
    parts = []
    if spec.categories:
        labels = {c.value: c.title(lang) for c in spec.categories}
        codes = result.values["value"]
        parts.append(f"{spec.title(lang)}: " + codes.map(lambda v: labels.get(int(v), "") if pd.notna(v) else "").astype(str))
    if result.notes is not None and lang in result.notes:
        parts.append(result.notes[lang].reindex(result.values.index).fillna("").astype(str))
    if not parts:
        return None
    lines = parts[0]
    for extra in parts[1:]:
        lines = lines.str.cat(extra, sep="<br>")
    return lines


def area_text(names: pd.Series, index: pd.Index, extra: pd.Series | None) -> list[str]:
    """Hover head per area (name, social context) plus the layer's extra lines."""
    head = names.reindex(index).fillna("")
    return (head if extra is None else head.str.cat(extra.reindex(index).fillna(""), sep="<br>")).tolist()


def shown_values(values: np.ndarray, decimals: int | None, d: Display) -> dict:
    """A trace's numbers as the map's engine reads them: for the WebGL engine `compact`, as whole numbers of the last
    decimal the hover writes (`decimals`); float32 for plotly.js or without a known number of decimals."""
    return compact(values, decimals) if d.compact_arrays and decimals is not None else typed(values)


def value_props(result: LayerResult, spec: LayerSpec, d: Display, names: pd.Series) -> dict:
    """The per-value parts of the map traces, aligned with `result.values.index` (the basis' ids).

    Values trace: every value that may be shown (in planner mode including small counts; NaN elsewhere).
    Small-counts trace (planner mode only): a transparent, outlined overlay on the areas with small counts whose
    hover says so; it depends only on which areas are small, so a layer switch does not resend it.
    Grey base: everything else ("not shown" in the portal, "no value" in planner mode). Values go out as typed arrays.
    """
    v = result.values
    z = v["value"].to_numpy(dtype=float)
    flagged = v["suppressed"].to_numpy(dtype=bool)
    finite = np.isfinite(z)
    plain = finite & ~flagged
    small = finite & flagged & (not d.portal)
    residents = v["residents"].to_numpy(dtype=float).round()
    lang = d.lang
    period = t("period_label", lang, date=format_date(result.period, lang))
    if result.period_from:
        period = f"{format_date(result.period_from, lang)} → {format_date(result.period, lang)}"
    badge = f" · {t('interpolated', lang, level=d.interpolated_from)}" if d.interpolated_from else ""
    value_line = "" if spec.categories else f"{spec.title(lang)}: %{{z:{spec.value_format}}} {spec.unit(lang)}<br>"
    head = "%{location}" if d.ids_as_names else "%{text}"
    small_note = t("hover_small", lang, cases=d.min_cases, residents=d.min_residents)
    hidden_note = not_shown(d, lang) if d.portal else t("hover_no_data", lang)
    extra = hover_lines(result, spec, lang)
    if spec.categories:
        colorscale, z_range = category_scale(spec)
        colorbar = {"tickvals": [c.value for c in spec.categories], "ticktext": [c.title(lang) for c in spec.categories]}
    else:
        shown = z[finite & ~(flagged & d.portal)]
        colorscale, z_range = continuous_colouring(shown, spec)
        colorbar = clipped_ticks(shown, z_range, spec, lang)
    return {
        "z": shown_values(np.where(plain | small, z, np.nan), format_decimals(spec.value_format), d),
        "small_z": shown_values(np.where(small, 0.0, np.nan), 0, d),
        "customdata": compact(residents, 0) if d.compact_arrays else typed_counts(residents),
        "hovertemplate": f"<b>{'%{text}' if extra is not None else head}</b><br>{value_line}{spec.persons(lang)}: %{{customdata:,.0f}}<br>"
                         f"{period}{badge}<extra></extra>",
        "small_hovertemplate": f"<b>{head}</b><br><i>{small_note}</i><br>{period}<extra></extra>",
        "hidden_hovertemplate": f"<b>{head}</b><br>{hidden_note}<extra></extra>",
        "text": area_text(names, v.index, extra) if extra is not None else None,
        "colorscale": colorscale, "colorbar_title": "" if spec.categories else spec.unit(lang), "colorbar_ticks": colorbar,
        "showscale": not spec.categories,  # classes get swatches in the legend below the map (`dashboard.legend.legend`)
        "range": z_range,
    }


MARKER = {"line": {"width": 0.3, "color": "rgba(255,255,255,0.6)"}, "opacity": 0.85}


def _traces(props: dict, ids: list[str], names: list[str] | None, geo_url: str) -> list[dict]:
    """The map's traces; `names` None when the hover heads are the ids (H3 cells)."""
    base = {"type": "choroplethmap", "geojson": geo_url, "locations": ids}
    hidden = {**base, "z": typed(np.zeros(len(ids)), "u1"), **({"text": names} if names else {}), "colorscale": [[0, NOT_SHOWN_COLOUR], [1, NOT_SHOWN_COLOUR]],
              "showscale": False, "hovertemplate": props["hidden_hovertemplate"],
              "marker": {"line": {"width": 0.3, "color": "white"}, "opacity": 0.7}, "name": "not_shown"}
    values = {**base, "z": props["z"], **({"text": props["text"] or names} if props["text"] or names else {}), "customdata": props["customdata"],
              "hovertemplate": props["hovertemplate"], "colorscale": props["colorscale"], **props["range"], "marker": MARKER,
              "colorbar": {"title": {"text": props["colorbar_title"]}, "thickness": 14, "len": 0.6, **props["colorbar_ticks"]},
              "showscale": props["showscale"], "name": "values"}
    small = {**base, "z": props["small_z"], **({"text": names} if names else {}), "hovertemplate": props["small_hovertemplate"],
             "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "zmin": 0, "zmax": 1, "showscale": False,
             "marker": {"line": {"width": 0.7, "color": SMALL_OUTLINE_COLOUR}, "opacity": 1}, "name": "small_counts"}
    selection = {"type": "choroplethmap", "geojson": geo_url, "locations": [], "z": [],
                 "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False,
                 "hoverinfo": "skip", "marker": {"line": {"width": 3, "color": SELECTION_COLOUR}, "opacity": 1}, "name": "selection"}
    facilities = {"type": "scattermap", "lon": [], "lat": [], "text": [], "mode": "markers", "name": "facilities",
                  "marker": {"size": 7, "color": FACILITY_COLOUR}, "hovertemplate": "%{text}<extra></extra>", "showlegend": False}
    sites = {"type": "scattermap", "lon": [], "lat": [], "text": [], "mode": "markers", "name": "scenario_sites",
             "marker": {"size": 15, "color": SCENARIO_COLOUR, "opacity": 0.85}, "hovertemplate": "%{text}<extra></extra>", "showlegend": False}
    # numbered by assets/map-labels.js (HTML over the map: MapLibre text would fetch glyphs from the internet)
    proposals = {"type": "scattermap", "lon": [], "lat": [], "text": [], "hovertext": [], "mode": "markers", "name": "proposals",
                 "marker": {"size": 22, "color": "#ffffff", "opacity": 0.95}, "hovertemplate": "%{hovertext}<extra></extra>",
                 "showlegend": False}
    return [hidden, values, small, selection, facilities, sites, proposals]


def value_parts(props: dict, plain_names: list[str] | None, lang: str) -> list[tuple[Location, object]]:
    """Every part of the map that a value update may change, with where it goes in the figure (for `patch_parts`).

    `props` from `value_props`; `plain_names`: the areas' names (the hover heads), None for H3 cells (the id is the name).
    """
    v = VALUES_TRACE
    text = props["text"] or plain_names
    return [
        (("data", v, "z"), props["z"]), (("data", v, "customdata"), props["customdata"]),
        (("data", v, "hovertemplate"), props["hovertemplate"]), (("data", v, "colorscale"), props["colorscale"]),
        (("data", v, "text"), text or MISSING),
        (("data", SMALL_TRACE, "z"), props["small_z"]), (("data", SMALL_TRACE, "hovertemplate"), props["small_hovertemplate"]),
        (("data", HIDDEN_TRACE, "hovertemplate"), props["hidden_hovertemplate"]),
        *((("data", trace, "text"), plain_names or MISSING) for trace in (SMALL_TRACE, HIDDEN_TRACE)),
        (("data", v, "colorbar", "title", "text"), props["colorbar_title"]), (("data", v, "showscale"), props["showscale"]),
        *((("data", v, "colorbar", name), value) for name, value in props["colorbar_ticks"].items()),
        (("data", v, "zmin"), props["range"]["zmin"]), (("data", v, "zmax"), props["range"]["zmax"]),
        (("layout", "separators"), separators(lang)),
    ]


def map_figure(bundle: Bundle, result: LayerResult, props: dict, plain_names: list[str] | None, geo_url: str, outline_url: str,
               display: Display, tile_url: str = "", tile_attribution: str = "") -> dict:
    """The whole map: values, not-shown areas, and the city's coarsest outlines as context (no external tiles).

    `props` from `value_props`; `plain_names`: the areas' names (hover heads), None for H3 cells.
    """
    ids = result.values.index.tolist()
    bounds = [round(float(b), 6) for b in bundle.units.total_bounds]
    centre, zoom = fit_view(tuple(bounds))
    empty = {"type": "FeatureCollection", "features": []}
    layers = [
        {"sourcetype": "geojson", "source": outline_url, "type": "line", "color": OUTLINE_COLOUR, "line": {"width": 1.4}, "below": ""},
        {"sourcetype": "geojson", "source": empty, "type": "line", "color": FUNDING_COLOUR, "line": {"width": 2.6},
         "visible": False, "below": ""},
        {"sourcetype": "geojson", "source": empty, "type": "line", "color": HIGHLIGHT_COLOUR, "line": {"width": 3}, "visible": False,
         "below": ""},
        {"sourcetype": "geojson", "source": empty, "type": "line", "color": "#000000", "line": {"width": 2.6}, "visible": False,
         "below": ""},
        {"sourcetype": "geojson", "source": empty, "type": "line", "color": FUNDING_COLOUR, "line": {"width": 2.0, "dash": [2, 1]},
         "visible": False, "below": ""},
    ]
    if tile_url:  # raster tiles go last in the list but are drawn below the traces
        layers.append({"sourcetype": "raster", "source": [tile_url], "sourceattribution": tile_attribution, "below": "traces"})
    return {
        "data": _traces(props, ids, plain_names, geo_url),
        "layout": {
            "map": {"style": "white-bg", "center": centre, "zoom": zoom, "layers": layers},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": bundle.manifest.city,
            "paper_bgcolor": "white", "meta": {"basis": result.basis.key, "fit": bounds, "labels": {"lon": [], "lat": [], "text": []}},
            "separators": separators(display.lang),
        },
    }
