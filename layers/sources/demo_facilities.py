"""Facilities of the synthetic demo city, Kita and school choice, and primary-school catchments.

Facility compositions come from a simulated choice: children (Kita: age 0–6 attending a Kita; primary school:
two thirds of age 6–15) pick one of their `k` nearest facilities with a multinomial-logit utility that falls
with distance, favours the nearest facility (the catchment school) and, for families without migration
background, falls with the facility's share of children with migration background. Shares are updated for a
few iterations, then choices are drawn. The result is more segregated than the catchments.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..bundle.schema import CRS, FACILITY_TYPES
from .demo_geography import Geography, geoms_to_lonlat, points_in_units, polygonal, to_metric
from .demo_green import green_spaces_frame
from .demo_population import Addresses

SOURCE_KEY = "demo"
# Residents per facility of each type (persons); counts scale with the population.
RESIDENTS_PER_FACILITY: dict[str, int] = {
    "kita": 700, "primary_school": 4_000, "secondary_school": 9_000, "school_other": 40_000, "youth_club": 9_000,
    "library": 30_000, "community_centre": 20_000, "meeting_place": 6_000, "place_of_worship": 7_000,
    "sports": 5_000, "playground": 2_000, "park": 3_000, "health": 2_500,
}
MIN_FACILITIES: dict[str, int] = {"primary_school": 4, "kita": 6}  # at least this many, whatever the size
ID_PREFIX: dict[str, str] = {
    "kita": "KITA", "primary_school": "GS", "secondary_school": "OS", "school_other": "SO", "youth_club": "JFE",
    "library": "BIB", "community_centre": "STZ", "meeting_place": "TRF", "place_of_worship": "GH", "sports": "SPO",
    "playground": "SPL", "park": "PARK", "health": "GES",
}
LABEL: dict[str, tuple[str, ...]] = {
    "kita": ("Kita",), "primary_school": ("Grundschule",), "secondary_school": ("Integrierte Sekundarschule", "Gymnasium"),
    "school_other": ("Förderzentrum", "Berufsschule"), "youth_club": ("Jugendclub", "Jugendfreizeiteinrichtung"),
    "library": ("Stadtteilbibliothek",), "community_centre": ("Stadtteilzentrum", "Nachbarschaftshaus"),
    "meeting_place": ("Nachbarschaftstreff", "Familienzentrum", "Seniorentreff"),
    "place_of_worship": ("Kirche", "Moschee", "Gemeindezentrum"), "sports": ("Sporthalle", "Sportplatz"),
    "playground": ("Spielplatz",), "park": ("Grünanlage", "Park"), "health": ("Arztpraxis", "Gesundheitszentrum"),
}
PROVIDERS: dict[str, tuple[str, ...]] = {
    "kita": ("Eigenbetrieb Kita Neustadt", "freier Träger", "kirchlicher Träger", "Elterninitiative"),
    "primary_school": ("Bezirksamt (öffentlich)",), "secondary_school": ("Bezirksamt (öffentlich)", "freier Schulträger"),
    "school_other": ("Land (öffentlich)",), "youth_club": ("Bezirksamt Jugendamt", "freier Träger der Jugendhilfe"),
    "library": ("Stadtbibliothek Neustadt",), "community_centre": ("Verein", "Stadtteilzentrum e. V."),
    "meeting_place": ("Verein", "Wohnungsbaugesellschaft", "Bezirksamt"), "place_of_worship": ("Religionsgemeinschaft",),
    "sports": ("Bezirksamt Sportamt", "Sportverein"), "playground": ("Bezirksamt Grünflächenamt",),
    "park": ("Bezirksamt Grünflächenamt",), "health": ("privat", "Medizinisches Versorgungszentrum"),
}
# Places, pupils or visitors a facility is built for (uniform range, persons); None: not applicable.
CAPACITY_RANGE: dict[str, tuple[int, int] | None] = {
    "secondary_school": (450, 1_200), "school_other": (80, 250), "youth_club": (30, 120), "library": (40, 150),
    "community_centre": (50, 300), "meeting_place": (20, 80), "place_of_worship": (80, 600), "sports": (50, 500),
    "playground": None, "park": None, "health": None,
}
STREET_STEMS: tuple[str, ...] = (
    "Linden", "Birken", "Eichen", "Ahorn", "Kastanien", "Rosen", "Mühlen", "Garten", "Schul", "Kirch", "Markt", "Brunnen",
    "Wiesen", "Sonnen", "Berg", "Tal", "See", "Feld", "Heide", "Wald", "Fontane", "Goethe", "Schiller", "Bahnhof",
)
STREET_SUFFIXES: tuple[str, ...] = ("straße", "weg", "allee", "platz", "ring", "damm", "ufer", "steig")


@dataclass(frozen=True)
class ChoiceModel:
    """Multinomial-logit choice among the `candidates` nearest facilities (utilities are dimensionless)."""

    candidates: int  # nearest facilities considered
    per_km: float  # utility lost per km of distance
    nearest_bonus: float  # utility of the nearest facility (the catchment school)
    share_aversion: float  # utility lost per unit share of migration background (families without it)
    share_affinity: float  # utility gained per unit share (families with migration background)
    iterations: int = 4


KITA_CHOICE = ChoiceModel(candidates=6, per_km=1.5, nearest_bonus=0.5, share_aversion=3.0, share_affinity=0.5)
PRIMARY_CHOICE = ChoiceModel(candidates=4, per_km=1.2, nearest_bonus=1.5, share_aversion=6.0, share_affinity=0.5)
KITA_ATTENDANCE = {"mig": 0.74, "non": 0.86}  # share of children under 6 in a Kita
PRIMARY_SHARE_OF_6_15 = 6 / 9  # primary school covers 6 of the 9 years of the band 6–15
SHARE_PRIOR = 5.0  # children; shrinks the shares of nearly empty facilities towards the city share
CAPACITY_HEADROOM = (1.0, 1.25)  # places / enrolment (uniform range)


def facility_counts(n_residents: int) -> dict[str, int]:
    """Number of facilities per type for a city of `n_residents` persons."""
    return {t: max(MIN_FACILITIES.get(t, 1), round(n_residents / RESIDENTS_PER_FACILITY[t])) for t in FACILITY_TYPES
            if t in RESIDENTS_PER_FACILITY}


def weighted_sample(rng: np.random.Generator, weight: np.ndarray, k: int) -> np.ndarray:
    """`k` distinct indices drawn with probability ∝ `weight`, without replacement (Gumbel top-k), sorted."""
    keys = np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=len(weight))
    k = min(k, len(weight))
    return np.sort(np.argpartition(-keys, k - 1)[:k])


def spread_sample(rng: np.random.Generator, xy: np.ndarray, weight: np.ndarray, k: int, pool: int = 20_000) -> np.ndarray:
    """`k` well-spread sites among points `xy` (weighted k-means++ seeding), as indices into `xy`."""
    cand = weighted_sample(rng, weight, pool) if len(xy) > pool else np.arange(len(xy))
    w, p = weight[cand], xy[cand]
    chosen = [int(np.searchsorted(np.cumsum(w), rng.random() * w.sum()))]
    d2 = ((p - p[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(1, min(k, len(cand))):
        cum = np.cumsum(w * d2)
        i = int(min(np.searchsorted(cum, rng.random() * cum[-1], side="right"), len(cand) - 1))
        chosen.append(i)
        d2 = np.minimum(d2, ((p - p[i]) ** 2).sum(axis=1))
    return cand[np.sort(np.array(chosen))]


def street_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` fictional street names."""
    return np.array([STREET_STEMS[i] + STREET_SUFFIXES[j] for i, j in
                     zip(rng.integers(len(STREET_STEMS), size=n), rng.integers(len(STREET_SUFFIXES), size=n))], dtype=object)


def nearest_candidates(addr_xy: np.ndarray, fac_xy: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` nearest facilities of every address, nearest first (metric coordinates, m).

    Searches a radius around each address and doubles it for the addresses that found fewer than `k`.

    Returns
    -------
    cand : (n, k) facility indices (-1 only when there are fewer than k facilities).
    dist_m : (n, k) distances in metres, inf where `cand` is -1.
    """
    n, n_fac = len(addr_xy), len(fac_xy)
    cand = np.full((n, k), -1, dtype=np.int64)
    dist = np.full((n, k), np.inf)
    k_eff = min(k, n_fac)
    tree = shapely.STRtree(shapely.points(fac_xy))
    span = np.ptp(np.vstack([addr_xy, fac_xy]), axis=0)
    radius = 0.6 * np.sqrt(k_eff * max(span[0] * span[1], 1.0) / (np.pi * n_fac))
    todo = np.arange(n)
    while todo.size:
        ia, jf = tree.query(shapely.points(addr_xy[todo]), predicate="dwithin", distance=radius)
        found = np.bincount(ia, minlength=len(todo))
        last = radius > np.hypot(*span)  # the radius covers everything: take what there is
        done = (found >= k_eff) | last
        sel = done[ia]
        ia, jf = ia[sel], jf[sel]
        d = np.hypot(*(addr_xy[todo[ia]] - fac_xy[jf]).T)
        order = np.argsort(ia * (2.0 * radius + 1.0) + d, kind="stable")  # by address, then distance
        ia, jf, d = ia[order], jf[order], d[order]
        rank = np.arange(len(ia)) - np.searchsorted(ia, ia, side="left")
        keep = rank < k_eff
        cand[todo[ia[keep]], rank[keep]] = jf[keep]
        dist[todo[ia[keep]], rank[keep]] = d[keep]
        todo = todo[~done]
        radius *= 2.0
    return cand, dist


def simulate_choice(rng: np.random.Generator, model: ChoiceModel, cand: np.ndarray, dist_m: np.ndarray,
                    n_mig: np.ndarray, n_non: np.ndarray, n_fac: int) -> tuple[np.ndarray, np.ndarray]:
    """Children per facility (total, with migration background) after the choice simulation (persons)."""
    valid = cand >= 0
    c = np.where(valid, cand, 0)
    base = -model.per_km * dist_m / 1_000.0
    base[:, 0] += model.nearest_bonus
    base[~valid] = -np.inf
    city = n_mig.sum() / max(n_mig.sum() + n_non.sum(), 1)
    share = np.full(n_fac, city)

    def probs(coef: float, share: np.ndarray) -> np.ndarray:
        v = base + coef * share[c]
        e = np.exp(v - v.max(axis=1, keepdims=True))  # column 0 (the nearest) is always finite
        return e / e.sum(axis=1, keepdims=True)

    for _ in range(model.iterations):
        p_mig, p_non = probs(model.share_affinity, share), probs(-model.share_aversion, share)
        em = np.bincount(c.ravel(), (p_mig * n_mig[:, None]).ravel(), minlength=n_fac)
        en = np.bincount(c.ravel(), (p_non * n_non[:, None]).ravel(), minlength=n_fac)
        share = 0.5 * share + 0.5 * (em + SHARE_PRIOR * city) / (em + en + SHARE_PRIOR)
    draw_mig = rng.multinomial(n_mig, probs(model.share_affinity, share))
    draw_non = rng.multinomial(n_non, probs(-model.share_aversion, share))
    mig = np.bincount(c.ravel(), draw_mig.ravel(), minlength=n_fac).astype(np.int64)
    non = np.bincount(c.ravel(), draw_non.ravel(), minlength=n_fac).astype(np.int64)
    return mig + non, mig


@dataclass
class FacilityTables:
    """Facility-related tables of the demo bundle."""

    facilities: gpd.GeoDataFrame
    composition: pd.DataFrame
    catchments: gpd.GeoDataFrame
    green_spaces: pd.DataFrame


def _sites(rng: np.random.Generator, ftype: str, n: int, geo: Geography, addresses: Addresses,
           counts: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 lon/lat (degrees, (n, 2)), metric coordinates (m, (n, 2)) and block index of `n` facilities of `ftype`."""
    xy = np.column_stack([addresses.x, addresses.y])
    kids = (counts["age_0_6"] + counts["age_6_15"]).astype(float)
    if ftype in ("playground", "park"):
        block_kids = np.bincount(addresses.block, weights=kids, minlength=len(geo.block_area_m2))
        w = block_kids + 1.0 if ftype == "playground" else geo.block_area_m2
        per_block = rng.multinomial(n, w / w.sum())
        lonlat, block = points_in_units(geo.blocks.geometry.to_numpy(), per_block, rng)
        return lonlat, np.column_stack(to_metric(lonlat[:, 0], lonlat[:, 1])), block
    if ftype in ("primary_school", "secondary_school"):
        idx = spread_sample(rng, xy, counts["age_6_15"] + counts["age_15_18"] + 0.1, n)
    elif ftype == "kita":
        idx = weighted_sample(rng, counts["age_0_6"] + 0.2, n)
    elif ftype == "youth_club":
        idx = weighted_sample(rng, counts["age_6_15"] + counts["age_15_18"] + counts["age_18_27"] + 0.1, n)
    else:
        idx = weighted_sample(rng, counts["pop_total"] + 0.5, n)
    return np.column_stack([addresses.lon[idx], addresses.lat[idx]]), xy[idx], addresses.block[idx]


def _children(rng: np.random.Generator, ftype: str, c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Children per address who attend a facility of `ftype` (with, without migration background)."""
    if ftype == "kita":
        mig, total = c["mig_bg_age_0_6"], c["age_0_6"]
        return rng.binomial(mig, KITA_ATTENDANCE["mig"]), rng.binomial(total - mig, KITA_ATTENDANCE["non"])
    mig, total = c["mig_bg_age_6_15"], c["age_6_15"]
    return rng.binomial(mig, PRIMARY_SHARE_OF_6_15), rng.binomial(total - mig, PRIMARY_SHARE_OF_6_15)


def build_facilities(rng: np.random.Generator, geo: Geography, addresses: Addresses, periods: list[str],
                     counts: list[dict[str, np.ndarray]], n_residents: int) -> FacilityTables:
    """Facilities of every type, Kita/primary-school compositions per period, catchments and green spaces."""
    frames, comps = [], []
    block_ids = geo.block_ids
    addr_xy = np.column_stack([addresses.x, addresses.y])
    primary: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    for ftype, n in facility_counts(n_residents).items():
        lonlat, xy, block = _sites(rng, ftype, n, geo, addresses, counts[0])
        n = len(xy)
        ids = np.array([f"{ID_PREFIX[ftype]}{i:05d}" for i in range(1, n + 1)], dtype=object)
        labels = np.asarray(LABEL[ftype], dtype=object)[rng.integers(len(LABEL[ftype]), size=n)]
        capacity = pd.array([pd.NA] * n, dtype="Int64")
        pupils = pd.array([pd.NA] * n, dtype="Int64")
        if ftype in ("kita", "primary_school"):
            model = KITA_CHOICE if ftype == "kita" else PRIMARY_CHOICE
            cand, dist = nearest_candidates(addr_xy, xy, model.candidates)
            enrol = []
            for period, c in zip(periods, counts):
                n_mig, n_non = _children(rng, ftype, c)
                total, mig = simulate_choice(rng, model, cand, dist, n_mig, n_non, n)
                enrol.append(total)
                comps.append(pd.DataFrame({"facility_id": ids, "period": period, "children_total": total, "children_mig_bg": mig}))
            step = 5 if ftype == "kita" else 25
            places = np.maximum(np.stack(enrol).max(axis=0), 1) * rng.uniform(*CAPACITY_HEADROOM, size=n)
            capacity = pd.array(np.ceil(places / step).astype(np.int64) * step, dtype="Int64")
            if ftype == "primary_school":
                pupils = pd.array(enrol[-1], dtype="Int64")
        elif CAPACITY_RANGE.get(ftype):
            lo, hi = CAPACITY_RANGE[ftype]
            cap = rng.integers(lo, hi + 1, size=n)
            capacity = pd.array(cap, dtype="Int64")
            if ftype in ("secondary_school", "school_other"):
                pupils = pd.array(np.round(cap * rng.uniform(0.75, 1.02, size=n)).astype(np.int64), dtype="Int64")
        names = labels + " " + street_names(rng, n)
        if ftype == "primary_school":
            primary = (xy, ids, names)
        providers = np.asarray(PROVIDERS[ftype], dtype=object)[rng.integers(len(PROVIDERS[ftype]), size=n)]
        frames.append(pd.DataFrame({"facility_id": ids, "type": ftype, "name": names, "capacity": capacity, "pupils": pupils,
                                    "provider": providers, "unit_id": block_ids[block], "source": SOURCE_KEY,
                                    "lon": lonlat[:, 0], "lat": lonlat[:, 1]}))
    fac = pd.concat(frames, ignore_index=True)
    facilities = gpd.GeoDataFrame(fac.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(fac["lon"], fac["lat"]), crs=CRS)
    composition = pd.concat(comps, ignore_index=True)
    return FacilityTables(facilities, composition, catchments_frame(geo, *primary), green_spaces_frame(rng, fac))


def catchments_frame(geo: Geography, school_xy: np.ndarray, school_ids: np.ndarray, school_names: np.ndarray) -> gpd.GeoDataFrame:
    """Primary-school catchments (Einschulbereiche): Voronoi cells of the schools clipped to the city."""
    envelope = shapely.box(*geo.outline.buffer(geo.outline.length).bounds)
    vor = shapely.voronoi_polygons(shapely.multipoints(school_xy), extend_to=envelope, ordered=True)
    cells = geoms_to_lonlat(shapely.intersection(shapely.get_parts(vor), geo.outline))
    cells = np.array([polygonal(g) for g in cells], dtype=object)
    return gpd.GeoDataFrame({
        "catchment_id": [f"EB{i:04d}" for i in range(1, len(school_ids) + 1)],
        "kind": "primary_school",
        "name": [f"Einschulbereich {n}" for n in school_names],
        "facility_id": school_ids,
    }, geometry=gpd.GeoSeries(cells, crs=CRS), crs=CRS)
