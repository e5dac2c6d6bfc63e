"""Site screening for new accommodation: a transparent score from walking access, social context and sites nearby.

Every component is shown with its value, its score (0–1) and its weight, so a planner sees why a site scores as it
does; the score describes access and distribution, it is not a decision. Components (settings ``screening_weights``):

========== ==================================================================================== ==========================
component  value                                                                                score 1 … 0
========== ==================================================================================== ==========================
kita       walk to the nearest Kita with free places (places above the 2SFCA demand in reach)    ≤ D_kita … ≥ 3·D_kita or none
school     walk to the nearest primary school with free places (capacity − pupils > 0)           ≤ D … ≥ 3·D
health     walk to the nearest doctor or pharmacy                                                ≤ D … ≥ 3·D
transit    walk to the nearest public-transport stop                                             ≤ D … ≥ 3·D
meeting    walk to the nearest community centre or meeting place                                 ≤ D … ≥ 3·D
shop       walk to the nearest supermarket or market                                             ≤ D … ≥ 3·D
social     MSS status class of the site's unit (1 high … 4 very low)                              1 → 1, 4 → 0
dispersal  accommodation places already within ``accommodation_nearby_m``                        0 → 1, ≥ 2·large site → 0
========== ==================================================================================== ==========================

D is the coverage distance of the facility type (``coverage_m_<type>``); between D and 3·D the score falls linearly; where
the bundle has the type but none is reachable (or none has free places) the score is 0.
The score is Σ w_c s_c / Σ w_c over the components the bundle has data for (the others are listed as left out).
Low/high: where walking distances are straight line × detour factor (no street network), distances × (1 ± 15 %),
because the detour factor is a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..education.kita import nearest_spare
from ..education.params import EducationParams
from ..funding.mss import STATUS
from ..infrastructure.access import cell_centres, facility_points
from ..settings import Settings
from ..social import indicator_values
from ..spatial.basis import Basis
from ..spatial.geometry import locate_points
from ..spatial.routing import StraightLineRouter, to_metric_xy
from ..spatial.selection import ids_in_district
from ..standards import Params
from .sites import open_at

COMPONENTS: dict[str, tuple[str, str]] = {
    "kita": ("Kita mit freien Plätzen", "Kita with free places"),
    "school": ("Grundschule mit freien Plätzen", "Primary school with free places"),
    "health": ("Hausarzt/Apotheke", "Doctor/pharmacy"),
    "transit": ("Haltestelle ÖPNV", "Public-transport stop"),
    "meeting": ("Stadtteilzentrum/Treffpunkt", "Community centre/meeting place"),
    "shop": ("Nahversorgung", "Shops for daily needs"),
    "social": ("Verteilung nach sozialer Lage (MSS-Status des Gebiets)", "Distribution by social situation (MSS status of the area)"),
    "dispersal": ("Unterkunftsplätze in der Nähe", "Accommodation places nearby"),
}
DISTANCE_TYPES: dict[str, tuple[str, ...]] = {
    "health": ("health",), "transit": ("transit_stop",), "meeting": ("community_centre", "meeting_place"), "shop": ("shop",),
}
COVERAGE_OF = {"kita": "kita", "school": "primary_school", "health": "health", "transit": "transit_stop", "meeting": "meeting_place",
               "shop": "shop"}
GUESS_SPREAD = 0.15  # ± on straight-line walking distances (the detour factor is a guess)
VARIANTS = {"low": 1.0 + GUESS_SPREAD, "central": 1.0, "high": 1.0 - GUESS_SPREAD}  # longer walks → lower score


@dataclass(frozen=True)
class Candidate:
    """A candidate site: WGS84 degrees, a label and where it came from (``clicked``, ``imported``, ``suggested``)."""

    lon: float
    lat: float
    label: str = ""
    origin: str = "clicked"


def weights(settings: Settings) -> dict[str, float]:
    """Component weights from ``screening_weights``, normalised to sum 1 (zero weights drop the component).

    >>> from layers.settings import load_settings
    >>> w = weights(load_settings())
    >>> round(sum(w.values()), 6), sorted(w) == sorted(COMPONENTS)
    (1.0, True)
    """
    raw = settings.values["screening_weights"]
    try:
        given = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise ValueError(f"setting screening_weights must be a JSON object of component → weight, got {raw!r}") from exc
    unknown = sorted(set(given) - set(COMPONENTS))
    if unknown:
        raise ValueError(f"setting screening_weights names unknown components {unknown}; known: {', '.join(COMPONENTS)}")
    w = {k: float(given.get(k, 0.0)) for k in COMPONENTS}
    if any(v < 0 or not np.isfinite(v) for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"setting screening_weights needs non-negative weights with a positive sum, got {raw!r}")
    total = sum(w.values())
    return {k: v / total for k, v in w.items() if v > 0}


def distance_score(dist_m: np.ndarray, coverage_m: float) -> np.ndarray:
    """1 within the coverage distance, 0 from three times it, linear between; NaN where no facility exists.

    >>> distance_score(np.array([300.0, 1000.0, 2000.0, np.inf]), 500.0).round(2).tolist()
    [1.0, 0.5, 0.0, nan]
    """
    d = np.asarray(dist_m, dtype=float)
    score = np.clip(1.0 - (d - coverage_m) / (2.0 * coverage_m), 0.0, 1.0)
    return np.where(np.isfinite(d), score, np.nan)


def _nearest(router, xy: np.ndarray, points: pd.DataFrame) -> np.ndarray:
    if len(points) == 0:
        return np.full(len(xy), np.inf)
    dist, _ = router.nearest(xy, points[["x", "y"]].to_numpy(dtype=float))
    return dist


def _free_schools(bundle: Bundle) -> tuple[pd.DataFrame, bool]:
    """Primary schools with free places (capacity − pupils > 0), and whether any school states both figures."""
    fac = facility_points(bundle)
    schools = fac[fac["type"] == "primary_school"]
    if not bundle.has("facilities") or "pupils" not in bundle.table("facilities").columns:
        return schools, False
    pupils = bundle.table("facilities").set_index("facility_id")["pupils"]
    stated = pd.to_numeric(pupils.reindex(schools["facility_id"]).to_numpy(), errors="coerce")
    capacity = schools["capacity"].to_numpy(dtype=float, na_value=np.nan)
    known = np.isfinite(capacity) & np.isfinite(stated)
    if not known.any():
        return schools, False
    return schools[known & (capacity - stated > 0)], True


def _raw_components(bundle: Bundle, xy: np.ndarray, lon: np.ndarray, lat: np.ndarray, period: str, params: Params,
                    edu: EducationParams, settings: Settings) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Raw values per component (metres, a class, or places) and a note per component on what the data lacks."""
    router = params.router(bundle)
    fac = facility_points(bundle)
    present = set(fac["type"])
    values: dict[str, np.ndarray] = {}
    notes: dict[str, str] = {}
    if "kita" in present:
        values["kita"] = nearest_spare(bundle, xy, period, edu)["dist_m"].to_numpy(dtype=float)
    if "primary_school" in present:
        schools, stated = _free_schools(bundle)
        values["school"] = _nearest(router, xy, schools)
        if not stated:
            notes["school"] = "free places unknown (no school states capacity and pupils): nearest primary school"
    for key, types in DISTANCE_TYPES.items():
        if present & set(types):
            values[key] = _nearest(router, xy, fac[fac["type"].isin(types)])
    units = locate_points(bundle, lon, lat)
    if bundle.has("indicators"):
        status = indicator_values(bundle)
        if STATUS in status.columns:
            values["social"] = status[STATUS].reindex(pd.Index(units, dtype=object)).to_numpy(dtype=float)
    sites = open_at(bundle, period)
    if len(sites):
        i, j, _ = router.within(xy, sites[["x", "y"]].to_numpy(dtype=float), float(settings.values["accommodation_nearby_m"]))
        values["dispersal"] = np.bincount(i, weights=sites["capacity"].to_numpy(dtype=float)[j], minlength=len(xy))
    else:
        values["dispersal"] = np.zeros(len(xy))
    return values, notes


def _scores(values: dict[str, np.ndarray], params: Params, settings: Settings, distance_factor: float) -> dict[str, np.ndarray]:
    large = float(settings.values["accommodation_large_site_places"])
    out = {}
    for key, v in values.items():
        if key in COVERAGE_OF:  # the type exists: none reachable (or none with free places) scores 0, it is not "no data"
            out[key] = np.nan_to_num(distance_score(v * distance_factor, params.coverage(COVERAGE_OF[key])), nan=0.0)
        elif key == "social":
            out[key] = np.clip((4.0 - v) / 3.0, 0.0, 1.0)
        elif key == "dispersal":
            out[key] = np.clip(1.0 - v / (2.0 * large), 0.0, 1.0)
    return out


def screen(bundle: Bundle, candidates: list[Candidate], period: str, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Screen candidate sites: one row per candidate and one per candidate × component.

    Returns
    -------
    (sites, components). ``sites``: ``label``, ``origin``, ``lon``, ``lat``, ``unit_id``, ``score`` (0–1, central),
    ``score_low``/``score_high`` (distances ± 15 % where they are guessed), ``left_out`` (components without data).
    ``components``: ``candidate`` (row of ``sites``), ``component``, ``value`` (metres for walks, status class, places
    nearby), ``score`` (0–1), ``weight`` (normalised over the components with data), ``contribution`` (weight × score),
    ``note``.
    """
    params = Params.from_settings(settings)
    edu = EducationParams.from_settings(settings)
    lon = np.array([c.lon for c in candidates], dtype=float)
    lat = np.array([c.lat for c in candidates], dtype=float)
    xy = to_metric_xy(lon, lat)
    values, notes = _raw_components(bundle, xy, lon, lat, period, params, edu, settings)
    w = weights(settings)
    guessed = isinstance(params.router(bundle), StraightLineRouter)
    variant_scores = {name: _scores(values, params, settings, f if guessed else 1.0) for name, f in VARIANTS.items()}

    def total(scores: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Score and the sum of the weights of the components with data, per candidate."""
        num, den = np.zeros(len(candidates)), np.zeros(len(candidates))
        for key, weight in w.items():
            s = scores.get(key)
            if s is None:
                continue
            ok = np.isfinite(s)
            num += np.where(ok, weight * s, 0.0)
            den += np.where(ok, weight, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / den, np.nan), den

    units = locate_points(bundle, lon, lat)
    outside = np.array([u is None for u in units], dtype=bool)  # a point off every unit gets no score at all
    for scores in variant_scores.values():
        for key in scores:
            scores[key] = np.where(outside, np.nan, scores[key])
    central, den = total(variant_scores["central"])
    low, _ = total(variant_scores["low"])
    high, _ = total(variant_scores["high"])
    rows = []
    for n in range(len(candidates)):
        for key, weight in w.items():
            s = variant_scores["central"].get(key)
            has = s is not None and np.isfinite(s[n])
            share = weight / den[n] if has and den[n] > 0 else 0.0
            rows.append({"candidate": n, "component": key, "value": float(values[key][n]) if key in values else np.nan,
                         "score": float(s[n]) if has else np.nan, "weight": share, "contribution": share * float(s[n]) if has else 0.0,
                         "note": notes.get(key, "" if has else "no data in this bundle: left out")})
    components = pd.DataFrame(rows)
    left_out = ["outside the city" if outside[n] else
                ", ".join(k for k in w if not (k in variant_scores["central"] and np.isfinite(variant_scores["central"][k][n])))
                for n in range(len(candidates))]
    sites = pd.DataFrame({"label": [c.label for c in candidates], "origin": [c.origin for c in candidates], "lon": lon, "lat": lat,
                          "unit_id": units, "score": central, "score_low": np.minimum(low, high), "score_high": np.maximum(low, high),
                          "left_out": left_out})
    return sites, components


def suggest(bundle: Bundle, period: str, settings: Settings, k: int = 3, district: str | None = None, res: int = 9,
            spacing_m: float = 1000.0) -> list[Candidate]:
    """The `k` best-screened cell centres with residents (in `district`, a unit id of any level, or the whole city),
    at least `spacing_m` apart, best first."""
    basis = Basis(res=res)
    cells = np.asarray(ids_in_district(bundle, basis, district), dtype=object)
    counts = bundle.counts(basis, period).frame["pop_total"].reindex(cells).fillna(0.0)
    cells = cells[counts.to_numpy() > 0]
    if len(cells) == 0:
        return []
    latlng = np.array([h3.cell_to_latlng(c) for c in cells])
    if district:  # border cells: keep those whose centre lies in the district itself
        units = pd.Series(locate_points(bundle, latlng[:, 1], latlng[:, 0]), dtype=object)
        level = next((lv.id for lv in bundle.levels if district in bundle.units_of(lv.id).index), bundle.levels[0].id)
        owner = units if level == bundle.finest_level.id else units.map(bundle.ancestor(level))
        inside = (owner == district).fillna(False).to_numpy(dtype=bool)
        cells, latlng = cells[inside], latlng[inside]
        if len(cells) == 0:
            return []
    candidates = [Candidate(float(lo), float(la), "", "suggested") for la, lo in latlng]
    sites, _ = screen(bundle, candidates, period, settings)
    order = np.argsort(-sites["score"].fillna(-1).to_numpy(), kind="stable")
    every, every_xy = cell_centres(bundle, res)  # cached per bundle: the same centres the access layers use
    xy = every_xy[pd.Index(every).get_indexer(cells)]
    chosen: list[int] = []
    for i in order:
        if all(np.hypot(*(xy[i] - xy[j])) >= spacing_m for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    return [Candidate(candidates[i].lon, candidates[i].lat, f"Vorschlag {rank}", "suggested") for rank, i in enumerate(chosen, start=1)]
