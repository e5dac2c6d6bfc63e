"""Inline SVG for print: maps of units or cells coloured by a layer's colour scale, a legend, a scale bar, line charts.

SVG prints crisply and needs no JavaScript (WebGL canvases often print blank). Colours come from the same scales as the
live map (`dashboard.figures`), geometries are projected to EPSG:3035 metres, so the scale bar is true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import numpy as np
import pandas as pd
import shapely
from plotly.colors import sample_colorscale

from layers import LayerResult, LayerSpec
from layers.bundle import Bundle
from layers.spatial import Basis, basis_geometries, to_metric

from ..figures import NOT_SHOWN_COLOUR, category_scale, continuous_colouring

WIDTH = 800  # viewBox width; the page scales it
CONTEXT_FILL = "#fbfbfb"  # neighbouring areas, not part of the briefing's set: near white with grey edges
CONTEXT_STROKE = "#c4c4c4"
FOCUS_OUTLINE = "#111111"
LINE_COLOURS = ("#1f4e79", "#e66101", "#6b6b6b")  # area, district, city (with dash patterns: not colour alone)
LINE_DASHES = ("", "6 3", "2 3")


@lru_cache(maxsize=16)
def metric_geometries(bundle: Bundle, basis: Basis) -> pd.Series:
    """Id → display geometry in EPSG:3035 metres (the app's simplified display outlines)."""
    ids, geoms = basis_geometries(bundle, basis)
    return pd.Series(to_metric(np.asarray(geoms)), index=pd.Index(ids, dtype=object))


@dataclass(frozen=True)
class Colours:
    """How a layer's values become colours: its scale (or classes) and the value range of the whole basis, as on the live map."""

    spec: LayerSpec
    zmin: float
    zmax: float
    scale: list

    def of(self, values: np.ndarray) -> list[str]:
        if self.spec.categories:
            by_code = {c.value: c.colour for c in self.spec.categories}
            return [by_code.get(int(round(v)), NOT_SHOWN_COLOUR) for v in values]
        span = self.zmax - self.zmin or 1.0
        positions = np.clip((np.asarray(values, dtype=float) - self.zmin) / span, 0.0, 1.0)
        return sample_colorscale(self.scale, positions.tolist()) if len(positions) else []


def colours_for(results: list[LayerResult], spec: LayerSpec, portal: bool) -> Colours:
    """One colour mapping for all maps of a page: `figures.category_scale` for classes, else the scale and range
    `figures.continuous_colouring` gives the live map, over the shown values of all `results` together (so the same
    colour means the same value on each map)."""
    if spec.categories:
        _, rng = category_scale(spec)
        return Colours(spec, rng["zmin"], rng["zmax"], [])
    shown_values = []
    for result in results:
        v = result.values
        z = v["value"].to_numpy(dtype=float)
        shown_values.append(z[np.isfinite(z) & ~(v["suppressed"].to_numpy(dtype=bool) & portal)])
    scale, rng = continuous_colouring(np.concatenate(shown_values) if shown_values else np.array([]), spec)
    return Colours(spec, float(rng["zmin"]), float(rng["zmax"]), scale)


def _path(geom, minx: float, maxy: float, k: float) -> str:
    """SVG path data of a (multi)polygon in viewBox coordinates (y down)."""
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 3:
                continue
            px = np.round((xy[:, 0] - minx) * k, 1)
            py = np.round((maxy - xy[:, 1]) * k, 1)
            parts.append("M" + "L".join(f"{x:g} {y:g}" for x, y in zip(px, py)) + "Z")
    return "".join(parts)


def nice_length(metres: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above `metres` (scale-bar lengths)."""
    if metres <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(metres))
    return max(m * power for m in (1, 2, 5) if m * power <= metres)


def _distance_label(metres: float, lang: str) -> str:
    if metres >= 1000:
        km = metres / 1000
        text = f"{km:g}"
        return (text.replace(".", ",") if lang == "de" else text) + " km"
    return f"{metres:g} m"


def map_svg(bundle: Bundle, result: LayerResult, spec: LayerSpec, colours: Colours, *, coloured: list[str] | None,
            outlined: list[str] | None, frame_ids: list[str] | None, portal: bool, lang: str, title: str,
            context_basis: Basis | None = None, labels: tuple[Basis, list[str] | None] | None = None) -> str:
    """An SVG map of `result` on its basis.

    coloured: ids drawn in the layer's colours (None: all); the others inside the frame are grey context.
    outlined: ids whose union gets a thick outline (the briefing's area); frame_ids: ids the view is fitted to (None: all).
    Areas without a published value are drawn in the live map's "not shown" grey. A scale bar in metres sits bottom left;
    outlines of `context_basis` (e.g. the districts) are drawn thin on top. `labels`: a basis and the ids on it (None:
    all) whose names are written on the map, for orientation without tiles.
    """
    geoms = metric_geometries(bundle, result.basis)
    frame = geoms if frame_ids is None else geoms.reindex(pd.Index(frame_ids).intersection(geoms.index))
    minx, miny, maxx, maxy = shapely.total_bounds(frame.to_numpy())
    pad = 0.06 * max(maxx - minx, maxy - miny, 200.0)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    height_ratio = min(max((maxy - miny) / (maxx - minx), 0.45), 1.4)
    if (maxy - miny) / (maxx - minx) != height_ratio:  # widen the short side so the drawing is not distorted
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        if (maxy - miny) / (maxx - minx) > height_ratio:
            half = (maxy - miny) / height_ratio / 2
            minx, maxx = cx - half, cx + half
        else:
            half = (maxx - minx) * height_ratio / 2
            miny, maxy = cy - half, cy + half
    k = WIDTH / (maxx - minx)
    height = round((maxy - miny) * k)
    view = shapely.box(minx, miny, maxx, maxy)
    inside = geoms[shapely.intersects(geoms.to_numpy(), view)]
    tolerance = 0.6 / k  # below a fifth of a pixel at print size
    values = result.values["value"].reindex(inside.index).to_numpy(dtype=float)
    hidden = result.values["suppressed"].reindex(inside.index).fillna(True).to_numpy(dtype=bool) & portal
    shown = np.isfinite(values) & ~hidden
    in_set = np.ones(len(inside), dtype=bool) if coloured is None else inside.index.isin(coloured)
    fills = np.full(len(inside), CONTEXT_FILL, dtype=object)
    fills[in_set & ~shown] = NOT_SHOWN_COLOUR
    paint = in_set & shown
    if paint.any():
        fills[paint] = colours.of(values[paint])
    stroke_width = 0.4 if len(inside) > 2000 else 0.8
    shapes = []
    for (area, geom), fill, own in zip(inside.items(), fills, in_set):
        d = _path(shapely.simplify(geom, tolerance), minx, maxy, k)
        if d:
            stroke = "#ffffff" if own else CONTEXT_STROKE
            shapes.append(f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}" fill-rule="evenodd">'
                          f"<title>{escape(str(area))}</title></path>")
    lines = []
    if context_basis is not None:
        outlines = metric_geometries(bundle, context_basis)
        outlines = outlines[shapely.intersects(outlines.to_numpy(), view)]
        for geom in outlines:
            d = _path(shapely.simplify(geom, tolerance), minx, maxy, k)
            lines.append(f'<path d="{d}" fill="none" stroke="#555555" stroke-width="1" fill-rule="evenodd"/>')
    if outlined:
        focus = geoms.reindex(pd.Index(outlined).intersection(geoms.index))
        if len(focus):
            union = shapely.buffer(shapely.union_all(shapely.buffer(focus.to_numpy(), 4.0)), -4.0)  # closes slivers between outlines
            d = _path(shapely.simplify(union, tolerance), minx, maxy, k)
            lines.append(f'<path d="{d}" fill="none" stroke="{FOCUS_OUTLINE}" stroke-width="3" fill-rule="evenodd"/>')
    bar_m = nice_length((maxx - minx) / 5)
    bar_px = bar_m * k
    y0 = height - 22
    scale = (f'<g class="scalebar"><rect x="10" y="{y0 - 30}" width="{bar_px + 44:.1f}" height="46" fill="#ffffff" fill-opacity="0.85"/>'
             f'<rect x="20" y="{y0}" width="{bar_px:.1f}" height="8" fill="#222222"/>'
             f'<rect x="{20 + bar_px / 2:.1f}" y="{y0}" width="{bar_px / 2:.1f}" height="8" fill="#ffffff" stroke="#222222" stroke-width="1.5"/>'
             f'<text x="20" y="{y0 - 6}" font-size="20" fill="#222222">0</text>'
             f'<text x="{20 + bar_px:.1f}" y="{y0 - 6}" font-size="20" fill="#222222" text-anchor="middle">{_distance_label(bar_m, lang)}</text></g>')
    names = _place_names(bundle, labels, view, minx, maxy, k) if labels else ""
    north = (f'<g class="north"><path d="M{WIDTH - 30} 12 L{WIDTH - 42} 44 L{WIDTH - 30} 36 L{WIDTH - 18} 44 Z" fill="#222222"/>'
             f'<text x="{WIDTH - 30}" y="66" font-size="20" text-anchor="middle" fill="#222222">N</text></g>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="briefing-map" role="img" '
            f'aria-label="{escape(title)}" data-scale-m="{bar_m:g}"><title>{escape(title)}</title>'
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>{"".join(shapes)}{"".join(lines)}{names}{scale}{north}</svg>')


def _place_names(bundle: Bundle, labels: tuple[Basis, list[str] | None], view, minx: float, maxy: float, k: float) -> str:
    """Names of the units of `labels` inside the view, at a point inside each unit, dark on a white halo."""
    basis, wanted = labels
    geoms = metric_geometries(bundle, basis)
    if wanted is not None:
        geoms = geoms.reindex(pd.Index(wanted).intersection(geoms.index))
    names = bundle.units_of(basis.level)["name"]
    texts = []
    for area, point in zip(geoms.index, shapely.point_on_surface(geoms.to_numpy())):
        if not shapely.contains(view, point):
            continue
        x, y = (point.x - minx) * k, (maxy - point.y) * k
        texts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="17" font-weight="600" text-anchor="middle" fill="#111111" '
                     f'stroke="#ffffff" stroke-width="4" stroke-opacity="0.85" paint-order="stroke">{escape(str(names.get(area, area)))}</text>')
    return f'<g class="place-names">{"".join(texts)}</g>'


def legend_entries(colours: Colours, lang: str, fmt) -> dict:
    """What the legend shows: gradient stops and tick labels (continuous) or swatches (classes)."""
    spec = colours.spec
    if spec.categories:
        return {"classes": [{"colour": c.colour, "label": c.title(lang)} for c in sorted(spec.categories, key=lambda c: c.value)]}
    ticks = np.linspace(colours.zmin, colours.zmax, 5)
    return {"stops": [{"offset": f"{100 * p:.1f}%", "colour": c} for p, c in colours.scale],
            "ticks": [fmt(float(v)) for v in ticks]}


def legend_svg(entries: dict) -> str:
    """The continuous part of a legend as a small SVG gradient bar with five tick labels."""
    if "stops" not in entries:
        return ""
    stops = "".join(f'<stop offset="{s["offset"]}" stop-color="{s["colour"]}"/>' for s in entries["stops"])
    ticks = entries["ticks"]
    labels = "".join(
        f'<text x="{10 + i * 70}" y="34" font-size="11" text-anchor="middle" fill="#222222">{escape(label)}</text>'
        for i, label in enumerate(ticks))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 40" class="legend-bar" aria-hidden="true">'
            f'<defs><linearGradient id="legend-gradient">{stops}</linearGradient></defs>'
            f'<rect x="10" y="4" width="280" height="16" fill="url(#legend-gradient)" stroke="#888888" stroke-width="0.5"/>{labels}</svg>')


def line_chart_svg(periods: list[str], series: list[tuple[str, list[float | None]]], fmt, labels: list[str], title: str) -> str:
    """A small line chart: one line per series (area, district, city) over the periods; gaps where a value is not shown."""
    w, h, left, right, top, bottom = 320, 130, 46, 8, 8, 22
    values = [v for _, vs in series for v in vs if v is not None and math.isfinite(v)]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    n = max(len(periods) - 1, 1)

    def x(i: int) -> float:
        return left + (w - left - right) * i / n

    def y(v: float) -> float:
        return top + (h - top - bottom) * (hi - v) / (hi - lo)

    parts = [f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="#999999" stroke-width="0.8"/>',
             f'<text x="{left - 4}" y="{y(hi - pad) + 4:.1f}" font-size="10" text-anchor="end" fill="#444444">{escape(fmt(hi - pad))}</text>',
             f'<text x="{left - 4}" y="{y(lo + pad) + 4:.1f}" font-size="10" text-anchor="end" fill="#444444">{escape(fmt(lo + pad))}</text>',
             f'<text x="{x(0)}" y="{h - 6}" font-size="10" fill="#444444">{escape(labels[0])}</text>',
             f'<text x="{x(len(periods) - 1)}" y="{h - 6}" font-size="10" text-anchor="end" fill="#444444">{escape(labels[-1])}</text>']
    for (name, vs), colour, dash in zip(series, LINE_COLOURS, LINE_DASHES):
        run: list[str] = []
        for i, v in enumerate(vs + [None]):
            if v is not None and math.isfinite(v):
                run.append(f"{x(i):.1f},{y(v):.1f}")
                continue
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"'
                             + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
            if len(run) == 1:
                cx, cy = run[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            run = []
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="line-chart" role="img" aria-label="{escape(title)}">'
            f'<title>{escape(title)}</title>{"".join(parts)}</svg>')
