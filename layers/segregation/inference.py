"""Significance of indices and of their change between two periods: PySAL `segregation.inference`, seeded."""

from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..spatial.basis import Basis
from .groups import get_group, group_frame
from .indices import CITY, SINGLE_INDICES, areas, district_of, index_table, single_kernels

DEFAULT_ITERATIONS = 99  # UI and API default: p-values resolve to 1/99; the API accepts up to MAX_ITERATIONS
MAX_ITERATIONS = 999
DEFAULT_SEED = 20210630
SINGLE_NULL = "systematic"  # SingleValueTest: persons allocated to units at random with the city-wide group share
CHANGE_NULL = "random_label"  # TwoValueTest: each unit's period label shuffled (Rey & Sastré-Gutiérrez 2010)
_RNG_LOCK = threading.Lock()


@contextmanager
def _seeded(seed: int):
    """PySAL draws from numpy's global generator: seed it, run alone, restore it; silence its tqdm bars."""
    from segregation.inference import inference_wrappers, randomization

    with _RNG_LOCK:
        state = np.random.get_state()
        bars = inference_wrappers.tqdm, randomization.tqdm
        inference_wrappers.tqdm = randomization.tqdm = lambda it, *a, **k: it
        np.random.seed(seed)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                yield
        finally:
            inference_wrappers.tqdm, randomization.tqdm = bars
            np.random.set_state(state)


@lru_cache(maxsize=None)
def _index_class(index_id: str) -> type:
    """A PySAL `SingleGroupIndex` subclass whose `_function` is the kernel `index_table` uses (one class per index)."""
    from segregation._base import SingleGroupIndex

    kernel = single_kernels()[index_id]

    def __init__(self, data, group_pop_var, total_pop_var):
        SingleGroupIndex.__init__(self, data, group_pop_var, total_pop_var)
        self.statistic, self.data = kernel(self.data, group_pop_var, total_pop_var)
        self._function = kernel

    return type(f"KernelIndex_{index_id}", (SingleGroupIndex,), {"__init__": __init__})


def seg_class(index_id: str, frame: pd.DataFrame):
    """A fitted PySAL single-group index object on the units with t > 0 (columns x, t of `frame`)."""
    x, t = frame["x"].to_numpy(dtype=float), frame["t"].to_numpy(dtype=float)
    keep = t > 0
    return _index_class(index_id)(pd.DataFrame({"x": x[keep], "t": np.maximum(t[keep], x[keep])}), "x", "t")


def single_value_test(frame: pd.DataFrame, index_id: str, iterations: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED) -> float:
    """Two-tailed pseudo p-value of the index against PySAL's ``systematic`` null (no segregation beyond chance)."""
    from segregation.inference import SingleValueTest

    with _seeded(seed):
        return float(SingleValueTest(seg_class(index_id, frame), iterations_under_null=iterations, null_approach=SINGLE_NULL,
                                     two_tailed=True, n_jobs=1).p_value)


def two_value_test(before: pd.DataFrame, after: pd.DataFrame, index_id: str, iterations: int = DEFAULT_ITERATIONS,
                   seed: int = DEFAULT_SEED) -> tuple[float, float]:
    """(difference after − before, two-tailed p-value) from PySAL's TwoValueTest with random labelling of units."""
    from segregation.inference import TwoValueTest

    with _seeded(seed):
        test = TwoValueTest(seg_class(index_id, after), seg_class(index_id, before), iterations_under_null=iterations,
                            null_approach=CHANGE_NULL, n_jobs=1)
    return float(test.est_point_diff), float(test.p_value)


def bias_corrected_dissim(frame: pd.DataFrame, draws: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED) -> float:
    """Small-unit bias-corrected D (Allen et al. 2015): PySAL's `BiasCorrectedDissim` kernel, 2·D − mean D of `draws` multinomial draws."""
    from segregation.singlegroup.bias_corrected_dissim import _bias_corrected_dissim

    x, t = frame["x"].to_numpy(dtype=float), frame["t"].to_numpy(dtype=float)
    keep = t > 0
    data = pd.DataFrame({"x": np.round(x[keep]).astype(np.int64), "t": np.round(t[keep]).astype(np.int64)})
    if len(data) < 2 or data["x"].sum() == 0:
        return np.nan
    with _seeded(seed):
        return float(_bias_corrected_dissim(data, "x", "t", B=int(draws))[0])


def _area_frame(bundle: Bundle, basis: Basis, period: str, group_id: str, area: str) -> pd.DataFrame:
    frame, _ = group_frame(bundle, basis, period, get_group(bundle, group_id))
    if area == CITY:
        return frame
    district = district_of(bundle, basis).reindex(frame.index).to_numpy()
    return frame[district == area]


@lru_cache(maxsize=512)
def change_table(bundle: Bundle, basis_key: str, group_id: str, period_from: str, period: str, index_id: str = "dissim",
                 iterations: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Change of one index between two periods for the city and each district, with p-values.

    Columns: area, area_name, value_from, value_to, difference (to − from), p_value_change (TwoValueTest,
    random labelling), dissim_bc_from / dissim_bc_to (bias-corrected D), n_units_from / n_units_to, iterations,
    seed. The values are those of `index_table` (same kernel, same units).
    """
    if index_id not in {d.id for d in SINGLE_INDICES}:
        raise KeyError(f"unknown index {index_id!r}")
    basis = Basis.parse(basis_key)
    table = index_table(bundle, basis_key, group_id).set_index(["period", "area"])
    rows = []
    for area, name in areas(bundle):
        before = _area_frame(bundle, basis, period_from, group_id, area)
        after = _area_frame(bundle, basis, period, group_id, area)
        v0, v1 = table.loc[(period_from, area), index_id], table.loc[(period, area), index_id]
        row = {"area": area, "area_name": name, "value_from": float(v0), "value_to": float(v1), "difference": float(v1 - v0),
               "p_value_change": np.nan,
               "n_units_from": int(table.loc[(period_from, area), "n_units"]), "n_units_to": int(table.loc[(period, area), "n_units"])}
        if np.isfinite(v0) and np.isfinite(v1):
            diff, row["p_value_change"] = two_value_test(before, after, index_id, iterations, seed)
            assert abs(diff - row["difference"]) < 1e-9, "PySAL's point difference must equal the table's"
        row["dissim_bc_from"] = bias_corrected_dissim(before, iterations, seed)
        row["dissim_bc_to"] = bias_corrected_dissim(after, iterations, seed)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["iterations"], out["seed"] = iterations, seed
    return out


@lru_cache(maxsize=512)
def significance_table(bundle: Bundle, basis_key: str, group_id: str, period: str, index_id: str = "dissim",
                       iterations: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """p-value of one index in one period for the city and each district (SingleValueTest, systematic null),
    with the bias-corrected D. Columns: area, area_name, value, p_value, dissim_bc, iterations, seed."""
    if index_id not in {d.id for d in SINGLE_INDICES}:
        raise KeyError(f"unknown index {index_id!r}")
    basis = Basis.parse(basis_key)
    table = index_table(bundle, basis_key, group_id).set_index(["period", "area"])
    rows = []
    for area, name in areas(bundle):
        frame = _area_frame(bundle, basis, period, group_id, area)
        value = float(table.loc[(period, area), index_id])
        p = single_value_test(frame, index_id, iterations, seed) if np.isfinite(value) else np.nan
        rows.append({"area": area, "area_name": name, "value": value, "p_value": p,
                     "dissim_bc": bias_corrected_dissim(frame, iterations, seed)})
    out = pd.DataFrame(rows)
    out["iterations"], out["seed"] = iterations, seed
    return out
