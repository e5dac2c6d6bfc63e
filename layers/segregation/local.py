"""Local measures on units and H3 cells: EB-smoothed shares, Gi* and local Moran hot spots (999 permutations, FDR), local entropy."""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..bundle.static import on_baseline
from ..spatial.basis import Basis
from .groups import get_group, group_frame, partition_frame

PERMUTATIONS = 999
SEED = 20241231
FDR_ALPHA = 0.05
GI_CLASSES = {0: "not significant", 1: "cluster of high shares", 2: "cluster of low shares"}
MORAN_CLASSES = {0: "not significant", 1: "high-high", 2: "low-low", 3: "low-high", 4: "high-low"}
_MORAN_Q = {1: 1, 3: 2, 2: 3, 4: 4}  # esda quadrant (1 HH, 2 LH, 3 LL, 4 HL) → class code


@lru_cache(maxsize=1)
def _esda():
    """esda with numba's on-disk cache switched on for its permutation kernels (their compile costs ~25 s per process)."""
    import esda
    import esda.crand
    import esda.getisord
    import esda.moran

    try:
        from numba.core.registry import CPUDispatcher

        for mod in (esda.crand, esda.getisord, esda.moran):
            for obj in vars(mod).values():
                if isinstance(obj, CPUDispatcher):
                    obj.enable_caching()
    except Exception:  # noqa: BLE001 - caching is an optimisation only
        pass
    return esda


def h3_neighbours(cells: list[str]) -> dict[str, list[str]]:
    """First H3 ring of every cell, restricted to `cells` (binary contiguity of hexagons).

    >>> import h3
    >>> c = "891f1d48a13ffff"
    >>> sorted(h3_neighbours([c, *h3.grid_ring(c, 1)[:2]])[c]) == sorted(h3.grid_ring(c, 1)[:2])
    True
    """
    import h3

    present = set(cells)
    return {c: [n for n in h3.grid_ring(c, 1) if n in present] for c in cells}


@on_baseline("units", "geometry")
@lru_cache(maxsize=16)
def _unit_neighbours(bundle: Bundle, level: str) -> dict[str, list[str]]:
    """Queen contiguity of the units of a level (libpysal); units without a neighbour get their nearest unit."""
    from libpysal.weights import KNN, Queen, attach_islands

    units = bundle.units_of(level)
    queen = Queen.from_dataframe(units, use_index=True, silence_warnings=True)
    if queen.islands:
        queen = attach_islands(queen, KNN.from_dataframe(units.set_geometry(units.representative_point()), k=1, use_index=True))
    return {k: list(v) for k, v in queen.neighbors.items()}


def spatial_weights(bundle: Bundle, basis: Basis, ids: list[str], star: bool = False):
    """Row-standardised libpysal W over `ids`: H3 first ring (cells) or queen contiguity (units); `star` adds the area itself."""
    from libpysal.weights import W

    if basis.is_h3:
        neighbours = h3_neighbours(ids)
    else:
        keep = set(ids)
        full = _unit_neighbours(bundle, basis.level)
        neighbours = {i: [n for n in full.get(i, []) if n in keep] for i in ids}
    if star:
        neighbours = {i: [i, *nb] for i, nb in neighbours.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W(neighbours, id_order=list(ids), silence_warnings=True)
        w.transform = "R"
    return w


def eb_rate(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Global empirical-Bayes smoothed rate x/t (esda.smoothing.Empirical_Bayes, Marshall 1991), as a fraction.

    Where the method-of-moments prior variance s² = Σ t_i (r_i − m)² / Σ t_i − m / t̄ is not positive, Marshall sets it
    to 0 and every area gets the mean m; esda does not clamp (its weights then leave [0, 1]), so this wrapper does.

    Rates 0.1 and 0.9 of two areas of 10: m = 0.5, s² = 0.16 − 0.5/10 = 0.11, weight w = 0.11 / (0.11 + 0.5/10) = 0.6875,
    so each rate moves towards m: 0.6875 · 0.1 + 0.3125 · 0.5 = 0.225 and 0.775.

    >>> eb_rate(np.array([1.0, 9.0]), np.array([10.0, 10.0])).round(3).tolist()
    [0.225, 0.775]
    """
    from esda.smoothing import Empirical_Bayes

    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    m = x.sum() / t.sum()
    s2 = (t * (x / t - m) ** 2).sum() / t.sum() - m / t.mean()
    if not s2 > 0:
        return np.full(len(x), m)
    return np.asarray(Empirical_Bayes(x.reshape(-1, 1), t.reshape(-1, 1)).r, dtype=float).ravel()


def gi_star_z(y: np.ndarray, w) -> np.ndarray:
    """The standard Getis–Ord Gi* z-score of every area (Getis & Ord 1992, Ord & Getis 1995).

    With weights w_ij over the area and its neighbours (j = i included), x̄ and S the mean and standard deviation of all
    n values:

        Gi* = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S · √[(n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)])

    The statistic does not change when a row of weights is scaled, so row-standardised and binary weights give the same
    z. (esda's `G_Local.Zs` with row-standardised weights uses a variance that assumes binary weights and understates
    |z| about 2.5× on Berlin's Planungsräume; its permutation p-values are unaffected.)

    >>> from libpysal.weights import W
    >>> w = W({0: [0, 1], 1: [1, 0, 2], 2: [2, 1, 3], 3: [3, 2]}, silence_warnings=True)
    >>> gi_star_z(np.array([1.0, 2.0, 3.0, 10.0]), w).round(3).tolist()
    [-1.225, -1.697, 0.849, 1.225]
    """
    m = w.sparse.tocsr().astype(float)
    y = np.asarray(y, dtype=float)
    n = len(y)
    sw = np.asarray(m.sum(axis=1)).ravel()
    sw2 = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    mean = y.mean()
    s = np.sqrt((y ** 2).mean() - mean ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (m @ y - mean * sw) / (s * np.sqrt((n * sw2 - sw ** 2) / (n - 1)))


def fdr_significant(p: np.ndarray, alpha: float = FDR_ALPHA) -> np.ndarray:
    """Benjamini–Hochberg: p-values at or below the step-up threshold (esda.fdr) are significant."""
    p = np.asarray(p, dtype=float)
    if len(p) == 0:
        return np.zeros(0, dtype=bool)
    order = np.sort(p)
    passed = order <= alpha * np.arange(1, len(p) + 1) / len(p)
    if not passed.any():
        return np.zeros(len(p), dtype=bool)
    threshold = _esda().fdr(p, alpha)
    return p <= threshold + 1e-12


@lru_cache(maxsize=64)
def hot_spots(bundle: Bundle, basis_key: str, period: str, group_id: str, permutations: int = PERMUTATIONS,
              seed: int = SEED) -> pd.DataFrame:
    """EB-smoothed share, Gi* and local Moran per unit or cell (all ids of the basis; areas without comparison population: NaN).

    Columns: x, t, residents (persons), eb_share_pct (%), gi_z, gi_p, gi_class, moran_i, moran_p, moran_class,
    interpolated_from. Both statistics take the EB-smoothed share as input; p-values come from `permutations`
    conditional permutations (seeded) and classes count as significant after FDR control at `FDR_ALPHA`.
    """
    esda = _esda()
    basis = Basis.parse(basis_key)
    frame, interpolated = group_frame(bundle, basis, period, get_group(bundle, group_id))
    out = frame.copy()
    for col in ("eb_share_pct", "gi_z", "gi_p", "gi_class", "moran_i", "moran_p", "moran_class"):
        out[col] = np.nan
    used = frame.index[(frame["t"] > 0).to_numpy()]
    out.loc[used, ["gi_class", "moran_class"]] = 0  # fewer than 3 areas: nothing can be significant
    if len(used) >= 3:
        x = frame.loc[used, "x"].to_numpy(dtype=float)
        t = frame.loc[used, "t"].to_numpy(dtype=float)
        y = eb_rate(x, t)
        ids = list(used)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gi = esda.G_Local(y, spatial_weights(bundle, basis, ids, star=True), transform="R", star=None,
                              permutations=permutations, seed=seed, n_jobs=1, keep_simulations=False)
            lm = esda.Moran_Local(y, spatial_weights(bundle, basis, ids), transformation="r", permutations=permutations,
                                  seed=seed, n_jobs=1, keep_simulations=False)
        gi_sig = fdr_significant(gi.p_sim)
        lm_sig = fdr_significant(lm.p_sim)
        out.loc[used, "eb_share_pct"] = 100 * y
        z = gi_star_z(y, spatial_weights(bundle, basis, ids, star=True))
        out.loc[used, "gi_z"] = z
        out.loc[used, "gi_p"] = gi.p_sim
        out.loc[used, "gi_class"] = np.where(gi_sig, np.where(z > 0, 1, 2), 0)
        out.loc[used, "moran_i"] = lm.Is
        out.loc[used, "moran_p"] = lm.p_sim
        out.loc[used, "moran_class"] = np.where(lm_sig, pd.Series(lm.q).map(_MORAN_Q).to_numpy(), 0)
    out["interpolated_from"] = interpolated
    return out


@lru_cache(maxsize=64)
def local_entropy(bundle: Bundle, basis_key: str, period: str) -> pd.DataFrame:
    """Local entropy of the origin partition per unit or cell (segregation.local.MultiLocalEntropy), 0–1.

    E_i = −Σ_k p_ik ln p_ik / ln K over the K groups of the partition (`groups.partition_frame`), among residents
    with migration background. Columns: value, mig_bg, residents, n_groups, interpolated_from.
    """
    from segregation.local import MultiLocalEntropy

    basis = Basis.parse(basis_key)
    counts = bundle.counts(basis, period)
    parts = partition_frame(counts.frame).reindex(bundle.ids(basis), fill_value=0.0)
    mig = parts.sum(axis=1)
    value = np.full(len(parts), np.nan)
    used = (mig > 0).to_numpy()
    data = pd.DataFrame(parts.to_numpy()[used], columns=parts.columns)
    if used.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            value[used] = MultiLocalEntropy(data, list(parts.columns)).statistics
    residents = counts.frame["pop_total"].reindex(parts.index, fill_value=0.0).astype(float)
    return pd.DataFrame({"value": value, "mig_bg": mig.to_numpy(), "residents": residents.to_numpy(), "n_groups": parts.shape[1],
                         "interpolated_from": counts.interpolated_from}, index=parts.index)
