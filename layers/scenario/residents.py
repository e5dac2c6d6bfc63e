"""Residents a scenario adds: the age and group mix of new housing and of a new accommodation site, central and low/high."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.schema import AGE_BANDS
from ..settings import Settings
from ..spatial.basis import Basis
from .model import Housing, NewAccommodation
from .sites import Placed

CHILD_BANDS = ("age_0_6", "age_6_15", "age_15_18")


def _age_mix(setting: list, name: str) -> np.ndarray:
    a = np.asarray(setting, dtype=float)
    if a.shape != (len(AGE_BANDS),) or (a < 0).any() or abs(a.sum() - 1.0) > 0.01:
        raise ValueError(f"setting {name} must be {len(AGE_BANDS)} non-negative shares summing to 1, got {setting!r}")
    return a / a.sum()


def _variant(age: np.ndarray, variant: str, v: dict) -> tuple[np.ndarray, float]:
    """The age shares and the factor on the number of residents of the low/high variant (central: unchanged).

    Low/high: residents × (1 ∓ ``scenario_persons_spread``); the shares under 18 × (1 ∓ ``scenario_child_spread``), the
    other bands rescaled so the shares still sum to 1.
    """
    if variant == "central":
        return age, 1.0
    sign = -1.0 if variant == "low" else 1.0
    child = np.array([b in CHILD_BANDS for b in AGE_BANDS])
    scaled = age * np.where(child, 1.0 + sign * float(v["scenario_child_spread"]), 1.0)
    rest = 1.0 - scaled[child].sum()
    scaled[~child] = age[~child] * (rest / age[~child].sum()) if age[~child].sum() > 0 else 0.0
    return scaled, 1.0 + sign * float(v["scenario_persons_spread"])


@lru_cache(maxsize=64)
def reference_profile(bundle: Bundle, unit_id: str, min_residents: int) -> tuple[str, pd.Series]:
    """Composition of a reference area at the latest period: (unit used, counts of all count columns).

    A unit with fewer than `min_residents` residents is replaced by its parent (repeatedly) so that the mix
    does not rest on a handful of people.
    """
    period = bundle.periods[-1]
    units = bundle.units.set_index("unit_id")
    current = unit_id
    while True:
        level = str(units.loc[current, "level"])
        c = bundle.counts(Basis(level=level), period).frame
        row = c.loc[current] if current in c.index else pd.Series(0.0, index=c.columns)
        parent = units.loc[current, "parent_id"]
        if float(row.get("pop_total", 0.0)) >= min_residents or parent is None or pd.isna(parent):
            return current, row.astype(float)
        current = str(parent)


def resident_mix(bundle: Bundle, housing: Housing, placed: Placed, variant: str, settings: Settings) -> pd.Series:
    """Residents added by one housing intervention, per count column of the bundle (persons, fractional).

    Notes
    -----
    R = dwellings × persons per dwelling (× (1 ∓ persons spread) for the low/high variant). Age band b gets R·a_b with
    a the age mix: the reference area's (``reference``), or the typical new-build / subsidised mix from the settings,
    blended as (1 − s)·a_mix + s·a_subsidised with s the subsidised share. Low/high scale the shares under 18 by
    (1 ∓ child spread) and rescale the other bands so the shares still sum to 1. Within each band the group shares
    (migration background) are the reference area's; groups without bands (foreigners, origin regions, women) take
    the reference area's shares of migration background or of all residents.
    """
    v = settings.values
    ref_id = housing.reference_area or placed.unit_id
    _, ref = reference_profile(bundle, ref_id, int(v["scenario_reference_min_residents"]))
    cols = bundle.count_columns
    total = max(float(ref.get("pop_total", 0.0)), 1e-9)
    bands = [b for b in AGE_BANDS if b in cols]
    ref_age = np.array([float(ref.get(b, 0.0)) for b in AGE_BANDS]) / total
    if housing.mix == "new_build":
        base = _age_mix(v["scenario_mix_new_build"], "scenario_mix_new_build")
    elif housing.mix == "subsidised":
        base = _age_mix(v["scenario_mix_subsidised"], "scenario_mix_subsidised")
    else:
        base = ref_age / ref_age.sum() if ref_age.sum() > 0 else _age_mix(v["scenario_mix_new_build"], "scenario_mix_new_build")
    sub = float(housing.subsidised_share) if housing.mix != "subsidised" else 0.0
    age = (1.0 - sub) * base + sub * _age_mix(v["scenario_mix_subsidised"], "scenario_mix_subsidised")
    age, factor = _variant(age, variant, v)
    r = housing.dwellings * float(housing.persons_per_dwelling) * factor
    out = pd.Series(0.0, index=cols)
    out["pop_total"] = r
    mig_total_share = float(ref.get("pop_mig_bg", 0.0)) / total
    mig = 0.0
    for b, share in zip(AGE_BANDS, age):
        if b not in bands:
            continue
        out[b] = r * share
        col = f"mig_bg_{b}"
        if col in cols:
            rb = float(ref.get(b, 0.0))
            rate = float(ref.get(col, 0.0)) / rb if rb > 0 else mig_total_share
            out[col] = out[b] * rate
            mig += out[col]
    if "pop_mig_bg" in cols:
        out["pop_mig_bg"] = mig if any(f"mig_bg_{b}" in cols for b in bands) else r * mig_total_share
        ref_mig = max(float(ref.get("pop_mig_bg", 0.0)), 1e-9)
        for c in cols:
            if c.startswith("origin_") or c in ("pop_foreign", "pop_german_mig_bg"):
                out[c] = out["pop_mig_bg"] * float(ref.get(c, 0.0)) / ref_mig
        if "pop_german_no_mig_bg" in cols:
            out["pop_german_no_mig_bg"] = r - out["pop_mig_bg"]
    for c in cols:
        if c == "pop_female":
            out[c] = r * float(ref.get(c, 0.0)) / total
    return out


ACCOMMODATION_FEMALE_SHARE = 0.4  # assumption: BAMF first asylum applications 2023, about 40 % women and girls


def accommodation_mix(bundle: Bundle, site: NewAccommodation, variant: str, settings: Settings) -> pd.Series:
    """Residents added by a new accommodation site, per count column of the bundle (persons, fractional).

    Notes
    -----
    R = places × occupancy (the intervention's, else ``accommodation_occupancy``), × (1 ∓ ``scenario_persons_spread``) for
    the low/high variant. Age band b gets R·a_b with a = ``accommodation_age_mix`` (low/high: the shares under 18 ×
    (1 ∓ ``scenario_child_spread``), the others rescaled). Everybody counts with migration background and as foreign
    (``pop_mig_bg``, ``mig_bg_<band>``, ``pop_foreign``); origin regions are not assigned (unknown); women and girls
    are R × 0.4 (assumption). Example: 200 places at 90 % occupancy add 180 residents, 21.6 of them under 6 with the
    default mix (0.12).
    """
    v = settings.values
    occupancy = float(site.occupancy if site.occupancy is not None else v["accommodation_occupancy"])
    age, factor = _variant(_age_mix(v["accommodation_age_mix"], "accommodation_age_mix"), variant, v)
    r = float(site.places) * occupancy * factor
    cols = bundle.count_columns
    out = pd.Series(0.0, index=cols)
    out["pop_total"] = r
    for b, share in zip(AGE_BANDS, age):
        if b in cols:
            out[b] = r * share
        if f"mig_bg_{b}" in cols:
            out[f"mig_bg_{b}"] = r * share
    for c in ("pop_mig_bg", "pop_foreign"):
        if c in cols:
            out[c] = r
    if "pop_female" in cols:
        out["pop_female"] = r * ACCOMMODATION_FEMALE_SHARE
    return out
