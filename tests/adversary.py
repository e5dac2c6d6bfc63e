"""An automated attacker against the public portal: it gathers what an outsider gets over HTTP and solves the relations
an outsider knows, by integer interval propagation, to recover hidden counts.

What the outsider knows (and uses):

* the published outputs: every public migration layer (count and share) × group × Stichtag × unit level, as JSON from
  `/api/v1/layers/<id>`; the residents of every shown area; the deployment's published disclosure parameters
  (`/api/v1/layers` → ``disclosure``: noise bound D, rounding base R, thresholds);
* the unit hierarchy (a child's id starts with its parent's id in Berlin and the demo city; the GeoJSON names levels);
* true relations between counts: parent = Σ children (every level, every column), group identities (mig_bg = foreign +
  German with migration background; Σ age bands of mig_bg = mig_bg), share × denominator = numerator;
* what a shown value implies: its true count lies within [v − D, v + D] (and within the rounding interval with base R),
  and is not small (≥ `min_cases`, else 0; residents ≥ `min_residents`).

Method: every true count is an integer variable with bounds; every relation tightens bounds (interval propagation)
until nothing changes. A hidden count is **recovered** when its bounds meet at one integer that equals the truth.
A point estimate that happens to equal the truth while its interval is wider is a chance match, not a recovery.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

INF = 10**12
COUNT_LAYER, SHARE_LAYER = "migration_count", "migration_share"
# group → (numerator column, denominator column) of the bundle; the attacker reads them from the layer metadata's titles
# in real life, here from the group ids (the same for every bundle of this schema).


@dataclass
class Output:
    """One published layer answer: values per area id (NaN where hidden) and residents (NaN where hidden)."""

    layer: str
    level: str
    period: str
    group: str
    value: pd.Series
    residents: pd.Series
    hidden: pd.Series


@dataclass
class Disclosure:
    """What the portal publishes about its own protection (`/api/v1/layers` → ``disclosure``)."""

    max_noise: int = 0
    round_to: int = 1
    min_cases: int = 3
    min_residents: int = 50

    @classmethod
    def from_api(cls, body: dict) -> "Disclosure":
        d = body.get("disclosure") or {}
        return cls(int(d.get("max_noise", 0)), int(d.get("round_counts_to", 1) or 1), int(d.get("min_cases", 3)),
                   int(d.get("min_residents", 50)))


@dataclass
class Report:
    """What the attacker tried and what it got."""

    relations: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hidden: int = 0
    recovered: list[tuple] = field(default_factory=list)
    pinned_published: list[tuple] = field(default_factory=list)
    chance_matches: int = 0
    wrong_pins: int = 0
    seconds: float = 0.0


class Solver:
    """Integer bounds of unknown true counts, tightened by linear relations (interval propagation)."""

    def __init__(self) -> None:
        self.lo: dict[tuple, float] = {}
        self.hi: dict[tuple, float] = {}
        self.sums: list[tuple[tuple, list[tuple]]] = []  # parent = Σ children
        self.ratios: list[tuple[tuple, tuple, float, float]] = []  # num / den ∈ [r_lo, r_hi]

    def var(self, key: tuple) -> None:
        self.lo.setdefault(key, 0.0)
        self.hi.setdefault(key, INF)

    def bound(self, key: tuple, lo: float, hi: float) -> None:
        self.var(key)
        self.lo[key] = max(self.lo[key], math.ceil(lo - 1e-9))
        self.hi[key] = min(self.hi[key], math.floor(hi + 1e-9))

    def add_sum(self, parent: tuple, children: list[tuple]) -> None:
        for k in (parent, *children):
            self.var(k)
        self.sums.append((parent, children))

    def add_ratio(self, num: tuple, den: tuple, r_lo: float, r_hi: float) -> None:
        self.var(num)
        self.var(den)
        self.ratios.append((num, den, r_lo, r_hi))

    def _tighten(self, key: tuple, lo: float, hi: float) -> bool:
        lo, hi = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        changed = False
        if lo > self.lo[key]:
            self.lo[key], changed = lo, True
        if hi < self.hi[key]:
            self.hi[key], changed = hi, True
        return changed

    def propagate(self, max_rounds: int = 50, deadline: float | None = None) -> int:
        rounds = 0
        for rounds in range(1, max_rounds + 1):
            changed = False
            for parent, children in self.sums:
                lo_c = sum(self.lo[c] for c in children)
                hi_c = sum(min(self.hi[c], INF) for c in children)
                changed |= self._tighten(parent, lo_c, hi_c)
                for c in children:
                    others_lo, others_hi = lo_c - self.lo[c], hi_c - min(self.hi[c], INF)
                    changed |= self._tighten(c, self.lo[parent] - others_hi, self.hi[parent] - others_lo)
            for num, den, r_lo, r_hi in self.ratios:
                if r_hi > 0:
                    changed |= self._tighten(den, self.lo[num] / r_hi if r_hi else 0, self.hi[num] / r_lo if r_lo > 0 else INF)
                changed |= self._tighten(num, self.lo[den] * r_lo, self.hi[den] * r_hi)
            if not changed or (deadline and time.perf_counter() > deadline):
                break
        return rounds


def _parent_of(ids: pd.Index, parents: pd.Index) -> dict[str, str]:
    """Parent of each id among `parents` by the longest id prefix (Berlin and the demo city nest ids by prefix)."""
    out = {}
    plist = sorted(parents, key=len, reverse=True)
    for i in ids:
        for p in plist:
            if i != p and str(i).startswith(str(p)):
                out[i] = p
                break
    return out


def attack(outputs: list[Output], disclosure: Disclosure, levels: list[str], truth: Callable[[str, str, str], float],
           numerator_of: dict[str, str], denominator_of: dict[str, str], deadline_s: float = 120.0) -> Report:
    """Solve what `outputs` reveal; `truth(level, id, period, column)` scores the result (the attacker never reads it)."""
    t0 = time.perf_counter()
    report, solver = Report(), Solver()
    D, R = disclosure.max_noise, max(disclosure.round_to, 1)
    half = (R - 1) / 2 if R > 1 else 0.0  # a count rounded to base R lies within ± (R−1)/2 of the published one (integers)
    hidden_keys: set[tuple] = set()
    shown_keys: set[tuple] = set()
    ids_by_level: dict[str, pd.Index] = {}
    columns_by_period: dict[str, set[str]] = defaultdict(set)

    def observe(key: tuple, v: float, small_floor: int) -> None:
        lo, hi = v - D - half, v + D + half
        if v > 0:
            lo = max(lo, small_floor)  # shown ⇒ not small in truth (the portal hides true small counts too)
        solver.bound(key, max(lo, 0), hi)
        report.relations["noise/rounding interval"] += 1
        shown_keys.add(key)

    for o in outputs:
        ids_by_level.setdefault(o.level, o.value.index)
        num_col, den_col = numerator_of[o.group], denominator_of[o.group]
        columns_by_period[o.period] |= {num_col, den_col, "pop_total"}
        for area in o.value.index:
            kn, kd, kt = (o.level, area, o.period, num_col), (o.level, area, o.period, den_col), (o.level, area, o.period, "pop_total")
            for k in (kn, kd, kt):
                solver.var(k)
            if bool(o.hidden.get(area, False)):
                hidden_keys.add(kn)
                hidden_keys.add(kt)
                continue
            res = o.residents.get(area)
            if res is not None and np.isfinite(res):
                observe(kt, float(res), disclosure.min_residents)
            v = o.value.get(area)
            if v is None or not np.isfinite(v):
                continue
            if o.layer == COUNT_LAYER:
                observe(kn, float(v), disclosure.min_cases)
            elif o.layer == SHARE_LAYER and v >= 0:
                eps = 0.0005 if disclosure.max_noise else 5e-7  # published precision of a share (3 or 6 decimals)
                solver.add_ratio(kn, kd, max(v - eps, 0) / 100, (v + eps) / 100)
                report.relations["share × denominator = numerator"] += 1
    # hierarchy: parent = Σ children, for every column and period seen
    for upper, lower in zip(levels[:-1], levels[1:]):
        if upper not in ids_by_level or lower not in ids_by_level:
            continue
        parent = _parent_of(ids_by_level[lower], ids_by_level[upper])
        kids: dict[str, list[str]] = defaultdict(list)
        for child, p in parent.items():
            kids[p].append(child)
        for period, cols in columns_by_period.items():
            for col in cols:
                for p, children in kids.items():
                    solver.add_sum((upper, p, period, col), [(lower, c, period, col) for c in children])
                    report.relations["parent = Σ children"] += 1
    # group identities (true counts)
    for level, ids in ids_by_level.items():
        for period, cols in columns_by_period.items():
            for area in ids:
                if {"pop_mig_bg", "pop_foreign", "pop_german_mig_bg"} <= cols:
                    solver.add_sum((level, area, period, "pop_mig_bg"), [(level, area, period, "pop_foreign"),
                                                                         (level, area, period, "pop_german_mig_bg")])
                    report.relations["mig_bg = foreign + german_mig_bg"] += 1
                bands = sorted(c for c in cols if c.startswith("mig_bg_age_"))
                if len(bands) >= 2 and "pop_mig_bg" in cols:
                    solver.add_sum((level, area, period, "pop_mig_bg"), [(level, area, period, b) for b in bands])
                    report.relations["Σ age bands of mig_bg = mig_bg"] += 1
                ages = sorted(c for c in cols if c.startswith("age_"))
                if len(ages) == 8 and "pop_total" in cols:
                    solver.add_sum((level, area, period, "pop_total"), [(level, area, period, a) for a in ages])
                    report.relations["Σ age bands = residents"] += 1
    solver.propagate(deadline=t0 + deadline_s)
    report.hidden = len(hidden_keys)
    for key in set(solver.lo):
        lo, hi = solver.lo[key], solver.hi[key]
        true = truth(*key)
        if true is None or not np.isfinite(true):
            continue
        if lo == hi:
            if lo != round(true):
                report.wrong_pins += 1
            elif key in hidden_keys:
                report.recovered.append(key)
            elif key in shown_keys:
                report.pinned_published.append(key)
        elif key in hidden_keys and hi < INF and round((lo + hi) / 2) == round(true):
            report.chance_matches += 1
    report.seconds = time.perf_counter() - t0
    return report


# --- gathering -------------------------------------------------------------------------------------------------------

def gather_http(client, periods: list[str], levels: list[str], groups: list[str], layers=(COUNT_LAYER, SHARE_LAYER)) -> tuple[list[Output], Disclosure]:
    """Everything the portal publishes for these layers, groups, periods and levels, over HTTP (Flask test client)."""
    meta = client.get("/api/v1/layers").get_json()
    disclosure = Disclosure.from_api(meta)
    outputs = []
    for layer in layers:
        for level in levels:
            for period in periods:
                for group in groups:
                    resp = client.get(f"/api/v1/layers/{layer}?level={level}&period={period}&group={group}")
                    if resp.status_code != 200:
                        continue
                    rows = pd.DataFrame(resp.get_json()["values"]).set_index("id")
                    outputs.append(Output(layer, level, period, group, rows["value"].astype(float), rows["residents"].astype(float),
                                          rows["suppressed"].astype(bool)))
    return outputs, disclosure


def group_columns(bundle) -> tuple[dict[str, str], dict[str, str]]:
    from layers.migrant_concentration import available_groups

    groups = available_groups(bundle)
    return {g.id: g.numerator for g in groups}, {g.id: g.denominator for g in groups}


def truth_of(bundle) -> Callable[[str, str, str, str], float]:
    """True counts of the bundle (planner view) for scoring."""
    from layers.spatial.basis import Basis

    cache: dict[tuple, pd.DataFrame] = {}

    def get(level: str, area: str, period: str, column: str) -> float | None:
        if (level, period) not in cache:
            cache[level, period] = bundle.counts(Basis(level=level), period).frame
        frame = cache[level, period]
        if column not in frame.columns or area not in frame.index:
            return None
        return float(frame.at[area, column])

    return get
