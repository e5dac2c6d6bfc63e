"""Population groups of the segregation measures and the mutually exclusive partition of the origin regions (T4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..social import indicator_values
from ..spatial import aggregate
from ..spatial.basis import Basis
from ..spec import Group, find_by_id

REMAINDER = "origin_remainder"
# Aggregate columns of Berlin's T4 and the columns T4 lists under them ("darunter"). A column is an aggregate
# of the partition only when at least one of its listed parts is in the bundle; every other origin column is a leaf.
T4_PARTS: dict[str, tuple[str, ...]] = {
    "origin_european_union": tuple(f"origin_{c}" for c in (
        "france", "greece", "italy", "austria", "spain", "poland", "bulgaria", "rumania", "croatia")),
    "origin_former_yugoslavia": ("origin_bosnia_herzegovina", "origin_serbia"),
    "origin_former_soviet_union": ("origin_russia", "origin_ukraine", "origin_kazakhstan"),
    "origin_islamic_countries": ("origin_turkey", "origin_iran", "origin_arabic_countries"),
    "origin_arabic_countries": ("origin_lebanon", "origin_syria"),
}


@dataclass(frozen=True)
class SegGroup:
    """A group x and its comparison population t (both sums of count columns, persons): the index compares x with t − x."""

    id: str
    title_de: str
    title_en: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    share_of: str | None = None  # social group: x = indicator share (%) × t per finest unit (e.g. child poverty × children)

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en

    def as_group(self) -> Group:
        return Group(self.id, self.title_de, self.title_en, "+".join(self.numerator), "+".join(self.denominator))


CHILD_BANDS = ("age_0_6", "age_6_15", "age_15_18")
SEG_GROUPS: tuple[SegGroup, ...] = (
    SegGroup("mig_bg", "Einwohner/innen mit Migrationshintergrund (unter allen Einwohner/innen)",
             "Residents with migration background (among all residents)", ("pop_mig_bg",), ("pop_total",)),
    SegGroup("foreign", "Ausländische Staatsangehörige (unter allen Einwohner/innen)",
             "Foreign nationals (among all residents)", ("pop_foreign",), ("pop_total",)),
    SegGroup("mig_bg_under_18", "Kinder unter 18 mit Migrationshintergrund (unter allen Kindern unter 18)",
             "Children under 18 with migration background (among all children under 18)",
             tuple(f"mig_bg_{b}" for b in CHILD_BANDS), CHILD_BANDS),
    SegGroup("mig_bg_age_0_6", "Kinder unter 6 mit Migrationshintergrund (unter allen Kindern unter 6)",
             "Children under 6 with migration background (among all children under 6)", ("mig_bg_age_0_6",), ("age_0_6",)),
    SegGroup("mig_bg_age_6_15", "Kinder von 6 bis unter 15 mit Migrationshintergrund (unter allen Kindern dieses Alters)",
             "Children aged 6 to under 15 with migration background (among all children of that age)", ("mig_bg_age_6_15",), ("age_6_15",)),
)


# Social groups (BRIEF §6: segregation in German cities is mainly social): counts derived from the social monitoring's
# shares × the share's base population per finest unit (Berlin MSS 2021, as of 31.12.2020).
WORKING_AGE = ("age_15_18", "age_18_27", "age_27_45", "age_45_55", "age_55_65")
SOCIAL_GROUPS: tuple[SegGroup, ...] = (
    SegGroup("children_transfer", "Kinder unter 15 im Transferbezug (unter allen Kindern unter 15)",
             "Children under 15 in transfer receipt (among all children under 15)", (), ("age_0_6", "age_6_15"), "mss_child_poverty_pct"),
    SegGroup("unemployed", "Arbeitslose (unter den Einwohner/innen von 15 bis unter 65)",
             "Unemployed residents (among residents aged 15 to under 65)", (), WORKING_AGE, "mss_unemployment_pct"),
    SegGroup("transfer", "Transferbeziehende ohne Arbeitslose (unter allen Einwohner/innen)",
             "Transfer recipients not unemployed (among all residents)", (), ("pop_total",), "mss_transfer_pct"),
)


def available_groups(bundle: Bundle) -> tuple[SegGroup, ...]:
    """The segregation groups whose columns (and, for social groups, indicators) the bundle has, in menu order."""
    cols = set(bundle.count_columns)
    indicators = set(bundle.manifest.indicators) if bundle.has("indicators") else set()
    return tuple(g for g in (*SEG_GROUPS, *SOCIAL_GROUPS)
                 if set(g.numerator) | set(g.denominator) <= cols and (g.share_of is None or g.share_of in indicators))


def layer_groups(bundle: Bundle) -> tuple[Group, ...]:
    """The same groups as `layers.spec.Group` for the layer menus."""
    return tuple(g.as_group() for g in available_groups(bundle))


def get_group(bundle: Bundle, group_id: str | None) -> SegGroup:
    return find_by_id(available_groups(bundle), group_id, "mig_bg")


def group_frame(bundle: Bundle, basis: Basis, period: str, group: SegGroup) -> tuple[pd.DataFrame, str | None]:
    """Columns x (group), t (comparison population incl. the group) and residents per unit or cell (persons)."""
    if group.share_of:
        return _social_frame(bundle, basis, period, group)
    counts = bundle.counts(basis, period)
    f = counts.frame
    out = pd.DataFrame({"x": f[list(group.numerator)].sum(axis=1).astype(float), "t": f[list(group.denominator)].sum(axis=1).astype(float),
                        "residents": f["pop_total"].astype(float)})
    return out.reindex(bundle.ids(basis), fill_value=0.0), counts.interpolated_from


def _social_frame(bundle: Bundle, basis: Basis, period: str, group: SegGroup) -> tuple[pd.DataFrame, str | None]:
    """x = share/100 × t on every finest unit with a published share (units without one are left out: x = t = 0),
    summed to coarser units or areally interpolated to H3 cells like any count."""
    finest = Basis(level=bundle.finest_level.id)
    f = bundle.counts(finest, period).frame
    share = indicator_values(bundle)[group.share_of].reindex(f.index)
    t = f[list(group.denominator)].sum(axis=1).astype(float).where(share.notna(), 0.0)
    x = (t * share / 100.0).fillna(0.0)
    units = pd.DataFrame({"x": x, "t": t, "residents": f["pop_total"].astype(float)})
    if basis.is_h3:
        out, interp = bundle.interpolation(basis.res).apply(units), finest.level
    elif basis.level == finest.level:
        out, interp = units, None
    else:
        out, interp = aggregate.roll_up(units, bundle.ancestor(basis.level)), None
    return out.reindex(bundle.ids(basis), fill_value=0.0), interp


# --- origin regions -------------------------------------------------------------------------------

def origin_partition(columns: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Leaf origin columns: mutually exclusive parts of the origin regions, without the aggregates of T4.

    An origin column is left out when T4 lists parts under it that the bundle has (e.g. `origin_european_union`
    contains `origin_france` …); the remainder (all other origins) is added by `partition_frame`.

    >>> origin_partition(["origin_european_union", "origin_france", "origin_turkey", "origin_islamic_countries"])
    ('origin_france', 'origin_turkey')
    >>> origin_partition(["origin_eu", "origin_turkey", "origin_other"])
    ('origin_eu', 'origin_other', 'origin_turkey')
    """
    present = set(columns)
    origins = sorted(c for c in present if c.startswith("origin_") and c != REMAINDER)
    aggregates = {agg for agg, parts in T4_PARTS.items() if any(p in present for p in parts)}
    return tuple(c for c in origins if c not in aggregates)


def partition_frame(frame: pd.DataFrame, total: str = "pop_mig_bg", tolerance: float = 1e-6) -> pd.DataFrame:
    """The origin partition per unit or cell: leaf columns plus `origin_remainder` = total − Σ leaves (persons).

    Raises ValueError when the parts do not add up: a negative remainder means the leaves overlap.

    >>> f = pd.DataFrame({"pop_mig_bg": [10, 5], "origin_european_union": [6, 2], "origin_france": [2, 1], "origin_turkey": [3, 0]})
    >>> partition_frame(f).to_dict("list")
    {'origin_france': [2.0, 1.0], 'origin_turkey': [3.0, 0.0], 'origin_remainder': [5.0, 4.0]}
    """
    leaves = list(origin_partition(list(frame.columns)))
    parts = frame[leaves].astype(float)
    parts[REMAINDER] = frame[total].astype(float) - parts.sum(axis=1)
    check_partition(parts, frame[total], tolerance)
    parts[REMAINDER] = parts[REMAINDER].clip(lower=0.0)  # float noise of interpolated counts
    return parts


def check_partition(parts: pd.DataFrame, total: pd.Series, tolerance: float = 1e-6) -> None:
    """Every part ≥ 0 and the parts sum to the total in every row (relative tolerance for interpolated counts)."""
    neg = (parts < -tolerance * np.maximum(1.0, total.to_numpy(dtype=float))[:, None]).any(axis=1)
    if neg.any():
        raise ValueError(f"origin partition has negative parts in {int(neg.sum())} rows (the origin columns overlap), "
                         f"e.g. {list(parts.index[neg][:3])}")
    diff = np.abs(parts.sum(axis=1).to_numpy() - total.to_numpy(dtype=float))
    if (diff > tolerance * np.maximum(1.0, total.to_numpy(dtype=float))).any():
        raise ValueError("origin partition does not sum to the total")
