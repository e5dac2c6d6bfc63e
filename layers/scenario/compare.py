"""Baseline, scenario and difference of one layer query, with the low–high range of the guessed inputs."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..bundle import Bundle
from ..computation import compute_query
from ..registry import get_layer
from ..request import LayerQuery, ParameterError
from ..settings import Settings
from ..spec import LayerResult, LayerSpec, comparison_spec
from .model import Housing, NewAccommodation, Scenario
from .overlay import planner_only, scenario_bundle

VIEWS = ("baseline", "scenario", "difference")


@dataclass(frozen=True)
class ScenarioComparison:
    """One layer query under the baseline and the scenario; each a disclosed LayerResult on the same basis and period.

    difference : scenario − baseline per area (suppressed where either is). low, high : the scenario with the
    low/high end of the guessed inputs (persons per dwelling, share of children); None when the scenario has no housing.
    """

    baseline: LayerResult
    scenario: LayerResult
    difference: LayerResult
    low: LayerResult | None = None
    high: LayerResult | None = None


def difference(scenario: LayerResult, baseline: LayerResult, categorical: bool = False) -> LayerResult:
    """Scenario minus baseline per area.

    Suppressed where either is (the difference would reveal the hidden value); counts are the smaller of the two.
    For a categorical layer (classes) the "difference" is the scenario's class where it changed and no value
    where it did not.
    """
    a, b = scenario.values, baseline.values.reindex(scenario.values.index)
    v = a.copy()
    if categorical:
        changed = a["value"].ne(b["value"]) & ~(a["value"].isna() & b["value"].isna())
        v["value"] = a["value"].where(changed)
    else:
        v["value"] = a["value"] - b["value"]
    for col in ("numerator", "denominator", "residents"):
        v[col] = np.fmin(a[col], b[col]).where(a[col].notna() & b[col].notna())
    v["suppressed"] = a["suppressed"].to_numpy(dtype=bool) | b["suppressed"].fillna(True).to_numpy(dtype=bool)
    v.loc[v["suppressed"], "value"] = np.nan
    return replace(scenario, values=v, sources=tuple(dict.fromkeys(baseline.sources + scenario.sources + ("scenario",))))


def difference_spec(spec: LayerSpec) -> LayerSpec:
    """The spec the difference view is drawn with: Δ unit (percentage points for %), diverging colours around 0."""
    if spec.categories:
        return replace(spec, title_de=f"Szenario (geänderte Klassen): {spec.title_de}", title_en=f"Scenario (changed classes): {spec.title_en}")
    c = comparison_spec(spec)
    return replace(c, title_de=f"Szenario − Bestand: {spec.title_de}", title_en=f"Scenario − baseline: {spec.title_en}",
                   description_de=f"Differenz zwischen Szenario und Bestand. {spec.description_de}",
                   description_en=f"Difference scenario minus baseline. {spec.description_en}", change_of=None)


def _has_guesses(scenario: Scenario) -> bool:
    return any(isinstance(i, (Housing, NewAccommodation)) for i in scenario.interventions)


def compare_layer(bundle: Bundle, settings: Settings, query: LayerQuery, scenario: Scenario) -> ScenarioComparison:
    """Baseline, scenario, difference and (for housing) the low/high variants of one layer query."""
    planner_only(settings)
    spec = get_layer(query.layer_id)
    base = compute_query(bundle, settings, query)
    scen = compute_query(scenario_bundle(bundle, settings, scenario), settings, query)
    low = high = None
    if _has_guesses(scenario):
        low_b, high_b = scenario_bundle(bundle, settings, scenario, "low"), scenario_bundle(bundle, settings, scenario, "high")
        low, high = compute_query(low_b, settings, query), compute_query(high_b, settings, query)
    return ScenarioComparison(base, scen, difference(scen, base, bool(spec.categories)), low, high)


def result_for_view(bundle: Bundle, settings: Settings, query: LayerQuery, scenario: Scenario | None, view: str) -> LayerResult:
    """What the map, histogram, table and cards show: ``baseline``, ``scenario`` or ``difference`` (scenario − baseline)."""
    if view not in VIEWS:
        raise ParameterError("view", view, list(VIEWS))
    if view == "baseline" or scenario is None or scenario.is_empty:
        result = compute_query(bundle, settings, query)
        if view == "difference":
            return difference(result, result, bool(get_layer(query.layer_id).categories))
        return result
    if view == "scenario":
        return compute_query(scenario_bundle(bundle, settings, scenario), settings, query)
    base = compute_query(bundle, settings, query)
    return difference(compute_query(scenario_bundle(bundle, settings, scenario), settings, query), base, bool(get_layer(query.layer_id).categories))
