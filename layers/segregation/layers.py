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
    """Empirical-Bayes smoothed share of the group in its comparison population, in % (areas with t = 0: no value)."""
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
    """Getis-Ord Gi* class of the EB-smoothed share: 1 cluster of high shares, 2 cluster of low shares, 0 not significant."""
    return _classes(GI_STAR.id, "gi", bundle, basis, period, group)


def compute_local_moran(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                        period_from: str | None = None) -> LayerResult:
    """Local Moran's I class of the EB-smoothed share: 1 high-high, 2 low-low, 3 low-high, 4 high-low, 0 not significant."""
    return _classes(LOCAL_MORAN.id, "moran", bundle, basis, period, group)


def compute_local_entropy(bundle: Bundle, basis: Basis, period: str, scenario=None, *, group: str | None = None,
                          period_from: str | None = None) -> LayerResult:
    """Local entropy (0–1) of the origin-region partition among residents with migration background."""
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
