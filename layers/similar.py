"""Areas like mine (as CoSI offers): the k areas of the same level most similar to one area on a chosen set of
indicators, and a descriptive profile of the area's arrival function (moving volume, length of residence, newcomers).

Similarity is a standardised, weighted Euclidean distance over the areas of the level:

    z_ik = (v_ik − mean_k) / sd_k            d_ij = √( Σ_k w_k (z_ik − z_jk)² / Σ_k w_k )

over the indicators k with a value for both areas (sd over all areas of the level; weights w_k ≥ 0, default 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bundle import Bundle
from .social import indicator_on
from .spatial.basis import Basis

# Indicator id → (title de, title en, how it is computed): population shares from the register, social monitoring shares.
SHARES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "share_mig_bg_pct": ("Anteil mit Migrationshintergrund", "share with migration background", ("pop_mig_bg",), ("pop_total",)),
    "share_foreign_pct": ("Anteil ausländischer Staatsangehöriger", "share of foreign nationals", ("pop_foreign",), ("pop_total",)),
    "share_under_6_pct": ("Anteil unter 6 Jahren", "share under 6", ("age_0_6",), ("pop_total",)),
    "share_under_18_pct": ("Anteil unter 18 Jahren", "share under 18", ("age_0_6", "age_6_15", "age_15_18"), ("pop_total",)),
    "share_65_plus_pct": ("Anteil 65 Jahre und älter", "share 65 and older", ("age_65_plus",), ("pop_total",)),
}
MONITORING = ("mss_unemployment_pct", "mss_transfer_pct", "mss_child_poverty_pct", "mss_single_parents_pct", "mss_residence_5y_pct",
              "mss_migration_volume_pct")
ARRIVAL = ("mss_migration_volume_pct", "mss_residence_5y_pct", "mss_migration_balance_pct")


def _level_of(bundle: Bundle, unit_id: str) -> str:
    for lvl in bundle.levels:
        if unit_id in bundle.units_of(lvl.id).index:
            return lvl.id
    raise KeyError(f"unknown area {unit_id!r}")


def available_indicators(bundle: Bundle) -> dict[str, tuple[str, str]]:
    """Indicator id → (title de, title en) the bundle can compare on."""
    cols = set(bundle.count_columns)
    out = {k: (de, en) for k, (de, en, num, den) in SHARES.items() if set(num) | set(den) <= cols}
    meta = bundle.manifest.indicators if bundle.has("indicators") else {}
    out.update({k: (meta[k].get("title_de", k), meta[k].get("title_en", k)) for k in MONITORING if k in meta})
    return out


def indicator_table(bundle: Bundle, level: str, period: str, names: list[str]) -> pd.DataFrame:
    """Values (%) of `names` for every unit of `level` at `period`."""
    basis = Basis(level=level)
    counts = bundle.counts(basis, period).frame.reindex(bundle.ids(basis))
    out = pd.DataFrame(index=counts.index)
    for name in names:
        if name in SHARES:
            _, _, num, den = SHARES[name]
            d = counts[list(den)].sum(axis=1)
            out[name] = (100.0 * counts[list(num)].sum(axis=1) / d.where(d > 0)).astype(float)
    social = [n for n in names if n not in SHARES]
    if social:
        frame, _ = indicator_on(bundle, basis, period, tuple(social))
        out = out.join(frame)
    return out[names]


def similar_areas(bundle: Bundle, unit_id: str, period: str, weights: dict[str, float] | None = None, k: int = 5) -> pd.DataFrame:
    """The `k` areas of `unit_id`'s level nearest to it (see module docstring), nearest first.

    Columns: unit_id, name, distance (standardised units), residents, and the indicator values (%); the first row is the
    area itself (distance 0). Areas without residents are left out. (Two indicators with equal weights: an area one
    standard deviation away on both has distance √((1 + 1) / 2) = 1.)
    """
    available = available_indicators(bundle)
    weights = weights or {name: 1.0 for name in available}
    unknown = [n for n in weights if n not in available]
    if unknown:
        raise KeyError(f"unknown indicator(s) {', '.join(unknown)}; available: {', '.join(available)}")
    level = _level_of(bundle, unit_id)
    names = [n for n, w in weights.items() if w > 0]
    values = indicator_table(bundle, level, period, names)
    residents = bundle.counts(Basis(level=level), period).frame["pop_total"].reindex(values.index).fillna(0.0)
    values = values[residents > 0]
    z = (values - values.mean()) / values.std(ddof=0).replace(0, np.nan)
    w = np.array([weights[n] for n in names], dtype=float)
    diff2 = (z - z.loc[unit_id]) ** 2
    used = diff2.notna().to_numpy() & np.isfinite(w)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.sqrt((np.nan_to_num(diff2.to_numpy()) * w).sum(axis=1) / (used * w).sum(axis=1))
    out = values.assign(distance=distance, residents=residents.reindex(values.index))
    out = out.dropna(subset=["distance"]).sort_values(["distance"], kind="stable").head(k + 1)
    names_of = bundle.units_of(level)["name"]
    out.insert(0, "name", names_of.reindex(out.index).astype(str).to_numpy())
    return out.rename_axis("unit_id").reset_index()


def arrival_profile(bundle: Bundle, unit_id: str, period: str, lang: str = "de", min_residents: float | None = None) -> dict:
    """The area's moving volume, length of residence and net migration against the city, with a descriptive sentence.

    Much movement is an arrival function many quarters have for the whole city; the sentence describes, it does not judge.
    With `min_residents` (the portal's minimum, persons at `period`) an area with fewer residents gets none, as the map
    shows none of its values (``"shown": False``).
    """
    names = [n for n in ARRIVAL if n in (bundle.manifest.indicators if bundle.has("indicators") else {})]
    level = _level_of(bundle, unit_id)
    if min_residents is not None:
        residents = bundle.counts(Basis(level=level), period).frame["pop_total"].get(unit_id)
        if residents is None or not residents >= min_residents:
            return {"available": False, "shown": False, "values": {}, "city": {}, "text": ""}
    if not names:
        return {"available": False, "values": {}, "city": {}, "text": ""}
    area = indicator_table(bundle, level, period, names).loc[unit_id]
    city = indicator_table(bundle, bundle.levels[0].id, period, names)
    residents = bundle.counts(Basis(level=bundle.levels[0].id), period).frame["pop_total"].reindex(city.index)
    city_mean = (city.mul(residents, axis=0).sum() / residents.where(city.notna().all(axis=1)).sum()).to_dict()
    fmt = (lambda v: f"{v:.1f}".replace(".", ",")) if lang == "de" else (lambda v: f"{v:.1f}")
    parts = []
    if "mss_migration_volume_pct" in names and pd.notna(area.get("mss_migration_volume_pct")):
        parts.append((f"Zu- und Fortzüge je Jahr: {fmt(area['mss_migration_volume_pct'])} je 100 Einwohner/innen "
                      f"(Stadt {fmt(city_mean['mss_migration_volume_pct'])})") if lang == "de" else
                     (f"moves in and out per year: {fmt(area['mss_migration_volume_pct'])} per 100 residents "
                      f"(city {fmt(city_mean['mss_migration_volume_pct'])})"))
    if "mss_residence_5y_pct" in names and pd.notna(area.get("mss_residence_5y_pct")):
        parts.append((f"seit über 5 Jahren hier: {fmt(area['mss_residence_5y_pct'])} % (Stadt {fmt(city_mean['mss_residence_5y_pct'])} %)")
                     if lang == "de" else
                     (f"living here for over 5 years: {fmt(area['mss_residence_5y_pct'])} % (city {fmt(city_mean['mss_residence_5y_pct'])} %)"))
    lead = "Ankommen und Bleiben: " if lang == "de" else "Arriving and staying: "
    return {"available": True, "values": {n: (None if pd.isna(area[n]) else float(area[n])) for n in names},
            "city": {n: float(v) for n, v in city_mean.items()}, "text": lead + "; ".join(parts) + "." if parts else ""}
