"""Map layers of the segregation section: EB-smoothed share, Gi* and local Moran classes, local entropy of origin regions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..spatial.basis import Basis
from ..spec import Category, LayerResult, LayerSpec
from .groups import get_group, group_frame, layer_groups
from .local import FDR_ALPHA, PERMUTATIONS, eb_rate, hot_spots, local_entropy

PROVENANCE = "population: residents with main residence per Stichtag (Einwohnerregister, T1–T4, or synthetic); PySAL esda/segregation"
SIGNIFICANT_DE = (f"Signifikant heißt: Pseudo-p-Wert aus {PERMUTATIONS} zufälligen Permutationen (fester Startwert), nach Kontrolle der "
                  f"Falscherkennungsrate (Benjamini–Hochberg) höchstens {FDR_ALPHA:.0%}. Ein Cluster beschreibt ein Muster, keine Bewertung.")
SIGNIFICANT_EN = (f"Significant means: pseudo p-value from {PERMUTATIONS} random permutations (fixed seed), at most {FDR_ALPHA:.0%} after "
                  "false-discovery-rate control (Benjamini–Hochberg). A cluster describes a pattern, not a judgement.")


def _sources(bundle: Bundle) -> tuple[str, ...]:
    return tuple(s.key for s in bundle.manifest.sources if s.key in ("population", "demo"))


def _result(layer_id: str, values: pd.DataFrame, basis: Basis, period: str, group: str | None, interpolated: str | None,
            bundle: Bundle, notes: pd.DataFrame | None = None) -> LayerResult:
    values = values[["value", "numerator", "denominator", "residents"]].astype(float).assign(suppressed=False)
    return LayerResult(layer_id, values, basis, period, group, None, interpolated, _sources(bundle), notes)


def compute_eb_share(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                     period_from: str | None = None) -> LayerResult:
    """Empirical-Bayes smoothed share of the group in its comparison population, in % (areas with t = 0: no value).

    Parameters
    ----------
    bundle : Bundle
        City bundle; the group's counts x and comparison population t (persons) come from `groups.group_frame`.
    basis : Basis
        Administrative level or H3 resolution (neighbours: queen contiguity of units, first ring of cells).
    period : str
        Stichtag, ISO date: the register date of the counts.
    scenario : object, optional
        Unused.
    group : str, optional
        Segregation group id (`groups.layer_groups`, default ``"mig_bg"``).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: θ_i in % of the comparison population on the Stichtag `period`; ``numerator`` x_i, ``denominator`` t_i.

    Notes
    -----
    θ_i = m + C_i (r_i − m), C_i = s² / (s² + m / t_i), m = X / T, r_i = x_i / t_i,
    s² = Σ_i t_i (r_i − m)² / T − m / t̄; every area gets m where s² ≤ 0 (Marshall 1991; `local.eb_rate`).

    Examples
    --------
    m = 1102 / 3540 = 0.3113, s² = 0.03271; B2 (2 of 40) has C = 0.03271 / (0.03271 + 0.3113 / 40) = 0.808, so its 5 %
    moves to 0.3113 + 0.808 · (0.05 − 0.3113) = 10.0 %; A1 (1,000 residents) stays near its 60 %.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> compute_eb_share(example_bundle(), Basis(level="block"), "2024-12-31").values["value"].round(1).to_dict()
    {'A1': 59.7, 'A2': 20.2, 'B1': 20.1, 'B2': 10.0}
    """
    g = get_group(bundle, group)
    frame, interp = group_frame(bundle, basis, period, g)
    value = np.full(len(frame), np.nan)
    used = (frame["t"] > 0).to_numpy()
    if used.any():  # with a single area the prior is that area: EB returns its own share
        value[used] = 100 * eb_rate(frame["x"].to_numpy(dtype=float)[used], frame["t"].to_numpy(dtype=float)[used])
    values = pd.DataFrame({"value": value, "numerator": frame["x"], "denominator": frame["t"], "residents": frame["residents"]}, index=frame.index)
    return _result(EB_SHARE.id, values, basis, period, g.id, interp, bundle)


def _classes(layer_id: str, stat: str, bundle: Bundle, basis: Basis, period: str, group: str | None) -> LayerResult:
    g = get_group(bundle, group)
    h = hot_spots(bundle, basis.key, period, g.id)
    col, pcol = ("gi_class", "gi_p") if stat == "gi" else ("moran_class", "moran_p")
    score = h["gi_z"] if stat == "gi" else h["moran_i"]
    label = "z" if stat == "gi" else "I"
    ok = h[pcol].notna()
    de = pd.Series("", index=h.index)
    de[ok] = [f"{label} = {s:.2f}, p = {p:.3f} ({PERMUTATIONS} Permutationen)" for s, p in zip(score[ok], h.loc[ok, pcol])]
    en = de.str.replace("Permutationen", "permutations")
    values = pd.DataFrame({"value": h[col], "numerator": h["x"], "denominator": h["t"], "residents": h["residents"]}, index=h.index)
    return _result(layer_id, values, basis, period, g.id, h["interpolated_from"].iloc[0] if len(h) else None, bundle,
                   pd.DataFrame({"de": de, "en": en}, index=h.index))


def compute_gi_star(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                    period_from: str | None = None) -> LayerResult:
    """Getis-Ord Gi* class of the EB-smoothed share: 1 cluster of high shares, 2 cluster of low shares, 0 not significant.

    Parameters
    ----------
    bundle : Bundle
        City bundle; the group's counts x and comparison population t (persons) come from `groups.group_frame`.
    basis : Basis
        Administrative level or H3 resolution (neighbours: queen contiguity of units, first ring of cells).
    period : str
        Stichtag, ISO date: the register date of the counts.
    scenario : object, optional
        Unused.
    group : str, optional
        Segregation group id (`groups.layer_groups`, default ``"mig_bg"``).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: class code 0–2 (no unit) for the Stichtag `period`; ``notes`` give z and the pseudo p-value.

    Notes
    -----
    z_i = (Σ_j w*_ij y_j − ȳ Σ_j w*_ij) / (S √[(n Σ_j w*_ij² − (Σ_j w*_ij)²) / (n − 1)]) on y = the EB-smoothed share,
    w* binary neighbours plus the area itself (`local.gi_star_z`); p from 999 conditional permutations of esda's
    ``G_Local``, significant after Benjamini–Hochberg at 5 %; class 1 if significant and z > 0, 2 if significant
    otherwise. The permutations take seconds, so the example shows the z of the kernel on a chain of four areas.

    Examples
    --------
    >>> from libpysal.weights import W
    >>> from layers.segregation.local import gi_star_z
    >>> w = W({0: [0, 1], 1: [1, 0, 2], 2: [2, 1, 3], 3: [3, 2]}, silence_warnings=True)
    >>> gi_star_z(np.array([1.0, 2.0, 3.0, 10.0]), w).round(3).tolist()
    [-1.225, -1.697, 0.849, 1.225]
    """
    return _classes(GI_STAR.id, "gi", bundle, basis, period, group)


def compute_local_moran(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                        period_from: str | None = None) -> LayerResult:
    """Local Moran's I class of the EB-smoothed share: 1 high-high, 2 low-low, 3 low-high, 4 high-low, 0 not significant.

    Parameters
    ----------
    bundle : Bundle
        City bundle; the group's counts x and comparison population t (persons) come from `groups.group_frame`.
    basis : Basis
        Administrative level or H3 resolution (neighbours: queen contiguity of units, first ring of cells).
    period : str
        Stichtag, ISO date: the register date of the counts.
    scenario : object, optional
        Unused.
    group : str, optional
        Segregation group id (`groups.layer_groups`, default ``"mig_bg"``).
    period_from : str, optional
        Unused.

    Returns
    -------
    LayerResult
        ``value``: class code 0–4 (no unit) for the Stichtag `period`; ``notes`` give I and the pseudo p-value.

    Notes
    -----
    esda ``Moran_Local`` with row-standardised weights: I_i = (n − 1) z_i Σ_j w_ij z_j / Σ_k z_k², z = y − ȳ on the
    EB-smoothed share y; p from 999 conditional permutations, significant after Benjamini–Hochberg at 5 %; the class is
    the quadrant of (z_i, Σ_j w_ij z_j). The example shows I without permutations on a chain of four areas:
    z = (−3, −2, −1, 6), Σz² = 50, the first area's lag is −2, so I_0 = 3 · (−3) · (−2) / 50 = 0.36.

    Examples
    --------
    >>> from esda import Moran_Local
    >>> from libpysal.weights import W
    >>> w = W({0: [1], 1: [0, 2], 2: [1, 3], 3: [2]}, silence_warnings=True)
    >>> Moran_Local(np.array([1.0, 2.0, 3.0, 10.0]), w, transformation="r", permutations=0).Is.round(2).tolist()
    [0.36, 0.24, -0.12, -0.36]
    """
    return _classes(LOCAL_MORAN.id, "moran", bundle, basis, period, group)


def compute_local_entropy(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                          period_from: str | None = None) -> LayerResult:
    """Local entropy (0–1) of the origin-region partition among residents with migration background.

    Parameters
    ----------
    bundle : Bundle
        City bundle with ``pop_mig_bg`` and origin-region counts (persons).
    basis : Basis
        Administrative level or H3 resolution.
    period : str
        Stichtag, ISO date: the register date of the counts.
    scenario, group, period_from : optional
        Unused (the partition is fixed, `groups.partition_frame`).

    Returns
    -------
    LayerResult
        ``value``: E_i, dimensionless 0–1, Stichtag `period`; ``numerator`` the residents with migration background.

    Notes
    -----
    E_i = −Σ_k p_ik ln p_ik / ln K, p_ik the share of origin group k among the area's residents with migration
    background and K the number of groups of the partition (`local.local_entropy`, PySAL ``MultiLocalEntropy``).

    Examples
    --------
    Two groups (Turkey and the remainder), K = 2: A1 is split half and half, E = 1; B1 a quarter and three quarters,
    E = −(0.25 ln 0.25 + 0.75 ln 0.75) / ln 2 = 0.811.

    >>> from layers.examples import example_bundle
    >>> from layers.spatial.basis import Basis
    >>> v = compute_local_entropy(example_bundle(), Basis(level="block"), "2024-12-31").values["value"]
    >>> round(float(v["A1"]), 3), round(float(v["B1"]), 3)
    (1.0, 0.811)
    """
    e = local_entropy(bundle, basis.key, period)
    values = pd.DataFrame({"value": e["value"], "numerator": e["mig_bg"], "denominator": e["residents"], "residents": e["residents"]},
                          index=e.index)
    return _result(LOCAL_ENTROPY.id, values, basis, period, None, e["interpolated_from"].iloc[0] if len(e) else None, bundle)


_COMMON = dict(provenance=PROVENANCE, section="segregation")
EB_SHARE = LayerSpec(
    "segregation_eb_share", "Anteil der Gruppe, EB-geglättet", "Share of group, EB-smoothed",
    "Anteil der Gruppe an ihrer Vergleichsbevölkerung, empirisch-Bayes-geglättet: kleine Gebiete werden zum Stadtmittel hin gezogen.",
    "Share of the group in its comparison population, empirical-Bayes smoothed: small areas are pulled towards the city mean.",
    "%", "%", ".1f", "Viridis", compute_eb_share, groups=layer_groups, **_COMMON)
# Clusters are patterns, not judgements: colours that no status or need layer uses (the MSS status runs blue → vermillion),
# so a "cluster of high shares" never looks like "very low status" (Okabe–Ito bluish green and yellow; CVD-checked).
HIGH_CLUSTER, LOW_CLUSTER = "#009E73", "#F0E442"
GI_STAR = LayerSpec(
    "segregation_gi_star", "Cluster (Getis-Ord Gi*)", "Clusters (Getis-Ord Gi*)",
    "Gebiete, deren Umgebung (Gebiet und direkte Nachbarn) einen auffällig hohen oder niedrigen geglätteten Anteil der Gruppe hat. " + SIGNIFICANT_DE,
    "Areas whose neighbourhood (the area and its direct neighbours) has a notably high or low smoothed share of the group. " + SIGNIFICANT_EN,
    "Klasse", "class", ".0f", "PuOr_r", compute_gi_star, groups=layer_groups,
    categories=(Category(0, "nicht signifikant", "not significant", "#F0F0F0"),
                Category(1, "Cluster hoher Anteile", "cluster of high shares", HIGH_CLUSTER),
                Category(2, "Cluster niedriger Anteile", "cluster of low shares", LOW_CLUSTER)), **_COMMON)
LOCAL_MORAN = LayerSpec(
    "segregation_local_moran", "Cluster und Ausreißer (lokales Moran's I)", "Clusters and outliers (local Moran's I)",
    "Hoch-hoch / niedrig-niedrig: Gebiet und Nachbarn liegen gemeinsam über bzw. unter dem Mittel; hoch-niedrig / niedrig-hoch: "
    "das Gebiet weicht von seinen Nachbarn ab. " + SIGNIFICANT_DE,
    "High-high / low-low: area and neighbours together above or below the mean; high-low / low-high: the area differs from its "
    "neighbours. " + SIGNIFICANT_EN,
    "Klasse", "class", ".0f", "PuOr_r", compute_local_moran, groups=layer_groups,
    categories=(Category(0, "nicht signifikant", "not significant", "#F0F0F0"),
                Category(1, "hoch – hoch", "high – high", HIGH_CLUSTER),
                Category(2, "niedrig – niedrig", "low – low", LOW_CLUSTER),
                Category(3, "niedrig inmitten hoher Werte", "low among high", "#000000"),
                Category(4, "hoch inmitten niedriger Werte", "high among low", "#CC79A7")), **_COMMON)
LOCAL_ENTROPY = LayerSpec(
    "segregation_local_entropy", "Vielfalt der Herkunftsregionen (lokale Entropie)", "Diversity of origin regions (local entropy)",
    "Wie gleichmäßig sich die Einwohner/innen mit Migrationshintergrund im Gebiet auf die Herkunftsregionen verteilen "
    "(0 = alle aus einer Region, 1 = gleich viele aus jeder).",
    "How evenly the residents with migration background of the area are spread over the origin regions "
    "(0 = all from one region, 1 = equally many from each).",
    "Index (0–1)", "index (0–1)", ".2f", "YlGnBu", compute_local_entropy, **_COMMON)
LAYERS = (EB_SHARE, GI_STAR, LOCAL_MORAN, LOCAL_ENTROPY)
