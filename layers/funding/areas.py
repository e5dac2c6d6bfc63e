"""Funding areas: the polygons, their GeoJSON for the map overlay, the share of each unit inside them, and the funding gap."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely

from ..bundle import Bundle
from ..bundle.static import on_baseline
from ..spatial.basis import Basis
from ..spatial.h3grid import to_metric
from .mss import DYNAMICS_POSITIVE, indicator_period, mss_table

PROPERTIES = ("area_id", "programme", "instrument", "name", "start_year", "end_year", "budget_eur", "status")
QM_PROGRAMMES = ("quartiersmanagement",)
# Programmes that protect residents rather than fund a quarter (BauGB § 172: soziale Erhaltungsgebiete, "Milieuschutz").
PROTECTION_PROGRAMMES = ("sozialeerhaltungsgebiet", "soziales erhaltungsgebiet", "erhaltungsgebiet", "milieuschutz", "milieuschutzgebiet")
INSTRUMENTS = ("funding", "protection")
PROGRAMME_TITLES: dict[str, tuple[str, str]] = {  # keys as `_key` writes them
    "sozialeerhaltungsgebiet": ("Soziales Erhaltungsgebiet (Milieuschutz)", "social preservation area (Milieuschutz)"),
    "quartiersmanagement": ("Quartiersmanagement", "Quartiersmanagement (neighbourhood management)"),
    "sozialerzusammenhalt": ("Sozialer Zusammenhalt", "Sozialer Zusammenhalt (social cohesion programme)"),
    "sozialestadt": ("Soziale Stadt", "Soziale Stadt (Socially Integrative City)"),
}


def programme_title(programme: object, lang: str) -> str:
    """A programme's name for people: the known ones by name (German, English), others as the source writes them."""
    de_en = PROGRAMME_TITLES.get(_key(programme))
    if de_en:
        return de_en[0] if lang == "de" else de_en[1]
    return str(programme).replace("_", " ")


def _key(programme) -> str:
    return str(programme).lower().replace("_", "").replace(" ", "").replace("-", "")


def instrument_of(fa: pd.DataFrame) -> pd.Series:
    """`funding` or `protection` per area: the `instrument` column where given, else from the programme's name."""
    guessed = fa["programme"].map(lambda p: "protection" if _key(p) in {_key(x) for x in PROTECTION_PROGRAMMES} else "funding")
    if "instrument" in fa.columns:
        given = fa["instrument"].astype(object).where(fa["instrument"].notna(), None)
        return given.where(given.isin(INSTRUMENTS), guessed)
    return guessed


def has_funding_programmes(bundle: Bundle) -> bool:
    """Whether the bundle has any funding-programme area (Berlin's open data have only protection instruments)."""
    fa = funding_areas(bundle)
    return bool((instrument_of(fa) == "funding").any()) if len(fa) else False


def funding_areas(bundle: Bundle) -> gpd.GeoDataFrame:
    """The bundle's funding areas (empty GeoDataFrame with the schema columns when it has none)."""
    if not bundle.has("funding_areas"):
        return gpd.GeoDataFrame({c: [] for c in PROPERTIES}, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    return bundle.table("funding_areas")


def has_quartiersmanagement(bundle: Bundle) -> bool:
    """Whether any funding area is a Quartiersmanagement area (Berlin's open data have none; they can be imported)."""
    fa = funding_areas(bundle)
    return bool(fa["programme"].astype(str).str.lower().str.replace(" ", "").isin(QM_PROGRAMMES).any()) if len(fa) else False


def _clean(v):
    if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


@on_baseline("funding_areas")
@lru_cache(maxsize=8)
def funding_geojson_bytes(bundle: Bundle, instrument: str | None = None) -> bytes:
    """FeatureCollection of the funding areas (WGS84, 5 decimals) with programme, instrument, years, budget and status
    (cached); `instrument` (`funding` or `protection`) keeps only those."""
    fa = funding_areas(bundle)
    if instrument is not None and len(fa):
        fa = fa[(instrument_of(fa) == instrument).to_numpy()]
    features = []
    instrument = instrument_of(fa) if len(fa) else pd.Series([], dtype=object)
    for row, geom, kind in zip(fa.itertuples(index=False), fa.geometry, instrument):
        props = {**{c: _clean(getattr(row, c, None)) for c in PROPERTIES}, "instrument": kind}
        g = shapely.set_precision(geom, 1e-5) if geom is not None else None
        features.append({"type": "Feature", "id": props["area_id"], "properties": props,
                         "geometry": shapely.geometry.mapping(g) if g is not None and not g.is_empty else None})
    return orjson.dumps({"type": "FeatureCollection", "features": features})


def funding_geojson(bundle: Bundle) -> dict:
    """The funding-areas GeoJSON as a dict, for the map overlay (`layout.map.layers[FUNDING_LAYER].source`)."""
    return orjson.loads(funding_geojson_bytes(bundle))


@on_baseline("funding_areas", "units")
@lru_cache(maxsize=16)
def unit_overlap(bundle: Bundle, level: str) -> pd.DataFrame:
    """Per unit of `level`: share of its area inside funding-programme areas (``funded_share``) and inside protection
    instruments (``protected_share``), 0–1 in an equal-area CRS, and the names and programmes of all areas touching it."""
    units = bundle.units_of(level)
    fa = funding_areas(bundle)
    out = pd.DataFrame({"funded_share": 0.0, "protected_share": 0.0, "areas": "", "programmes": ""}, index=units.index)
    if fa.empty:
        return out
    ug = to_metric(np.asarray(units.geometry.values))
    fg = to_metric(np.asarray(fa.geometry.values))
    area = shapely.area(ug)
    kinds = instrument_of(fa).to_numpy()
    for kind, column in (("funding", "funded_share"), ("protection", "protected_share")):
        if not (kinds == kind).any():
            continue
        union = shapely.union_all(shapely.make_valid(fg[kinds == kind]))
        inter = shapely.area(shapely.intersection(shapely.make_valid(ug), union))
        out[column] = np.where(area > 0, inter / np.where(area > 0, area, 1.0), 0.0).clip(0, 1)
    tree = shapely.STRtree(fg)
    pairs = tree.query(ug, predicate="intersects")
    names: dict[int, list[str]] = {}
    progs: dict[int, set[str]] = {}
    for ui, fi in zip(*pairs):
        if shapely.area(shapely.intersection(ug[ui], fg[fi])) > 0.01 * area[ui]:
            names.setdefault(ui, []).append(str(fa["name"].iloc[fi]))
            progs.setdefault(ui, set()).add(str(fa["programme"].iloc[fi]))
    out["areas"] = ["; ".join(names.get(i, [])) for i in range(len(units))]
    out["programmes"] = ["; ".join(sorted(progs.get(i, set()))) for i in range(len(units))]
    return out


NO_FUNDING_NOTE = ("This bundle has no funding-programme areas (Quartiersmanagement, Sozialer Zusammenhalt …): Berlin's open data "
                   "hold only soziale Erhaltungsgebiete, a protection instrument. Funding areas can be imported as GeoJSON or "
                   "GeoPackage (docs/bundle-format.md, 'funding_areas').")
GAP_NEED = "need_without_funding"
GAP_IMPROVED = "funded_improving"


def funding_gap_table(bundle: Bundle, period: str, min_overlap: float, within: str | None = None) -> pd.DataFrame:
    """Funding-gap table on the finest level (where the MSS classes are published).

    Rows: units with special attention need (MSS rule) and less than `min_overlap` of their area in funding
    areas (``gap = need_without_funding``), and funded units whose status improved (``gap = funded_improving``;
    with one MSS edition: dynamics class positive). `within`: id of a unit of any coarser level to filter by.
    Columns: unit_id, name, parent names, residents, status, dynamics, attention, funded_share (%), areas, gap.
    Only funding programmes count as funding (protection instruments such as soziale Erhaltungsgebiete do not); a
    bundle without funding-programme areas gives an empty table whose ``attrs["note"]`` says so.
    """
    finest = bundle.finest_level.id
    units = bundle.units_of(finest)
    mss = mss_table(bundle).reindex(units.index)
    ov = unit_overlap(bundle, finest)
    pop = bundle.counts(Basis(level=finest), period).frame["pop_total"].reindex(units.index)
    funded = ov["funded_share"] >= min_overlap
    need = mss["attention"] == 1
    improved = mss["dynamics"] == DYNAMICS_POSITIVE
    gap = pd.Series("", index=units.index, dtype=object)
    gap[need & ~funded] = GAP_NEED
    gap[funded & improved] = GAP_IMPROVED
    df = pd.DataFrame({"unit_id": units.index, "name": units["name"].astype(str).to_numpy(), "residents": pop.to_numpy(),
                       "status": mss["status"].to_numpy(), "dynamics": mss["dynamics"].to_numpy(),
                       "attention": mss["attention"].to_numpy(), "funded_share_pct": (100 * ov["funded_share"]).round(1).to_numpy(),
                       "areas": ov["areas"].to_numpy(), "gap": gap.to_numpy()})
    for lvl in bundle.levels[:-1]:
        df.insert(2, f"{lvl.id}_id", bundle.ancestor(lvl.id).reindex(units.index).to_numpy())
    df = df[df["gap"] != ""]
    if not has_funding_programmes(bundle):  # "need without funding" would claim what the data cannot say
        df = df.iloc[0:0]
        df.attrs["note"] = NO_FUNDING_NOTE
    if within:
        cols = [c for c in df.columns if c.endswith("_id")]
        df = df[np.logical_or.reduce([df[c] == within for c in cols])]
    df.attrs["mss_period"] = indicator_period(bundle, "mss_status_class")
    return df.sort_values(["gap", "status", "unit_id"], ascending=[False, False, True]).reset_index(drop=True)
