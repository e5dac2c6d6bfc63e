"""Key effects of a scenario: baseline, scenario, difference and low–high range of the figures planners ask about first."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..request import ParameterError
from ..settings import Settings, using_settings
from .effect_labels import assumptions, effect_title, scope_of
from .effect_measures import baseline_measures, measures, touched_places
from .model import Housing, NewAccommodation, Scenario
from .overlay import planner_only, with_scenario
from .validate import validate_scenario

SCENARIO_SOURCE_DE = "Szenario (Annahme)"
SCENARIO_SOURCE_EN = "Scenario (assumption)"


@dataclass(frozen=True)
class Effect:
    """One key figure under the baseline and the scenario.

    unit / unit_en: unit of the values; scope: ``area`` (finest unit), ``district`` or ``city`` with `scope_name`;
    low/high: the scenario value with the low/high end of the guessed inputs (equal to `scenario` where nothing is guessed).
    """

    key: str
    title_de: str
    title_en: str
    unit: str
    scope: str
    scope_name: str
    baseline: float
    scenario: float
    difference: float
    low: float
    high: float
    unit_en: str = ""
    scope_id: str = ""
    period: str = ""
    source: str = ""

    def title(self, lang: str) -> str:
        return self.title_de if lang == "de" else self.title_en


@dataclass(frozen=True)
class Effects:
    """Effect rows and the assumptions they rest on (de, en)."""

    rows: list[Effect] = field(default_factory=list)
    assumptions: list[tuple[str, str]] = field(default_factory=list)
    period: str = ""

    def to_frame(self) -> pd.DataFrame:
        cols = ["key", "title_de", "title_en", "unit", "unit_en", "scope", "scope_id", "scope_name", "period", "baseline", "scenario",
                "difference", "low", "high", "source"]
        return pd.DataFrame([asdict(r) for r in self.rows], columns=cols)

    def to_dict(self) -> dict:
        clean = lambda v: None if isinstance(v, float) and not np.isfinite(v) else v  # noqa: E731
        return {"period": self.period, "rows": [{k: clean(v) for k, v in asdict(r).items()} for r in self.rows],
                "assumptions": [{"de": de, "en": en} for de, en in self.assumptions]}



def scenario_effects(bundle: Bundle, settings: Settings, scenario: Scenario, period: str | None = None) -> Effects:
    """Key effects of `scenario` at `period` (default: latest): baseline, scenario, difference and low/high per figure.

    Figures (where the bundle has the data): residents added in each touched finest unit (total, under 6, 6–15, with
    migration background) and the city's residents; the unit's migration-background share; Kita demand and 2SFCA places
    per 100 children in demand in the unit and its district; children 6–12 per 100 pupils in the primary-school
    catchment(s) of the sites; dissimilarity D (×100) of the default group in the city and the district; for facility
    types added or changed: residents and need-weighted residents within the coverage distance (city) and the mean
    walking distance in the unit; green space per resident and usage pressure in the unit.
    """
    planner_only(settings)
    period = period or bundle.periods[-1]
    if period not in bundle.periods:
        raise ParameterError("period", period, bundle.periods)
    if scenario.is_empty:
        return Effects([], assumptions(scenario, settings, period), period)
    with using_settings(settings):
        validate_scenario(bundle, scenario, settings)
        where = touched_places(bundle, scenario)
        base = baseline_measures(bundle, where, period, settings)
        central = measures(with_scenario(bundle, scenario, "central", settings), where, period, settings)
        guessed = any(isinstance(i, (Housing, NewAccommodation)) for i in scenario.interventions)
        low = measures(with_scenario(bundle, scenario, "low", settings), where, period, settings) if guessed else central
        high = measures(with_scenario(bundle, scenario, "high", settings), where, period, settings) if guessed else central
    src = [bundle.sources[k].title for k in ("population", "demo") if k in bundle.sources]
    source = "; ".join([*src, SCENARIO_SOURCE_DE])
    rows = []
    for (key, scope_id), b in base.items():
        s = central.get((key, scope_id), np.nan)
        de, en, ude, uen = effect_title(key, bundle, settings)
        scope, name = scope_of(bundle, scope_id, where)
        lo, hi = low.get((key, scope_id), np.nan), high.get((key, scope_id), np.nan)
        rows.append(Effect(key, de, en, ude, scope, name, b, s, s - b, float(np.fmin(lo, hi)), float(np.fmax(lo, hi)), uen, scope_id, period, source))
    order = {"area": 0, "district": 1, "city": 2}
    rows.sort(key=lambda r: (order[r.scope], r.scope_id))
    return Effects(rows, assumptions(scenario, settings, period), period)
