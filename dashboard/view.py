"""The main view, resolved once per request: the query the controls ask for, what the map shows of it (the baseline, a
scenario or their difference), that layer's spec and result, and the runner that computes more of the same kind.

The callbacks of the main view (map, linked views, detail, text summary, table alternative) read one `View` and hand it
to their figure builders, so each resolves the controls the same way (issue 15: the view was re-derived in each). They
take the controls as two grouped arguments (Dash's flexible callback signatures): `view_controls(Input)` or `(State)`
arrives as a `Controls` dict, `scenario_controls(...)` as a `ScenarioChoice` dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, TypedDict

import pandas as pd
from dash import Input, State

from layers import LayerQuery, LayerResult, LayerSpec, ParameterError, check_query, get_layer, social_context
from layers.scenario import Scenario, ScenarioError, validate_scenario
from layers.spatial import Basis

from . import ids
from .context import current_bundle, current_settings, shown_spec, view_result
from .state import period_at
from .views import area_names

VIEW_CONTROLS = {"layer": (ids.LAYER, "value"), "group": (ids.GROUP, "value"), "basis": (ids.BASIS, "value"),
                 "period": (ids.PERIOD, "value"), "period_from": (ids.PERIOD_FROM, "value"), "compare": (ids.COMPARE, "value")}
SCENARIO_CONTROLS = {"data": (ids.SCENARIO, "data"), "view": (ids.SCENARIO_VIEW, "value")}


class Controls(TypedDict):
    """The controls of the query, as a callback gets them (`view_controls`)."""

    layer: str
    group: str | None
    basis: str  # a basis key: a level id or "h3_<res>"
    period: int  # index into the bundle's periods
    period_from: str | None  # ISO date
    compare: list[str]  # ["on"] while comparing with `period_from`


class ScenarioChoice(TypedDict):
    """The scenario store and what of it the map shows, as a callback gets them (`scenario_controls`)."""

    data: dict | None  # `Scenario.to_dict()`; None or empty: the baseline
    view: str  # "baseline", "scenario" or "difference"


def view_controls(kind: type[Input] | type[State]) -> dict[str, Input | State]:
    """The query's controls as one grouped callback argument (a `Controls` dict), each as `kind`."""
    return {name: kind(*dependency) for name, dependency in VIEW_CONTROLS.items()}


def scenario_controls(kind: type[Input] | type[State]) -> dict[str, Input | State]:
    """The scenario store and view switch as one grouped callback argument (a `ScenarioChoice` dict)."""
    return {name: kind(*dependency) for name, dependency in SCENARIO_CONTROLS.items()}


@dataclass(frozen=True)
class View:
    """What the map shows.

    Attributes
    ----------
    query : LayerQuery
        The checked query of the controls (layer, group, basis, Stichtag, comparison period).
    scenario : str or None
        The scenario as a link parameter; None for the baseline (always in the portal).
    mode : str
        "baseline", "scenario" or "difference" (the scenario view control; only with a scenario).
    spec : LayerSpec
        The spec of what is shown (a difference has its own title and unit).
    result : LayerResult
        Values per area, as disclosed for this app's mode.
    """

    query: LayerQuery
    scenario: str | None
    mode: str
    spec: LayerSpec
    result: LayerResult

    @property
    def runner(self) -> Callable:
        """`run_query` through the app's cache for this view (the signature `layers.summary` expects)."""
        return runner(self.scenario, self.mode)


def resolve_view(controls: Controls, scenario: ScenarioChoice) -> View | None:
    """The view of the controls and the scenario store; None while the controls are momentarily inconsistent."""
    query = current_query(controls)
    if query is None:
        return None
    param, mode = checked_scenario(scenario["data"]), scenario["view"]
    return View(query, param, mode, shown_spec(query, param, mode), view_result(query, param, mode))


def current_query(controls: Controls) -> LayerQuery | None:
    """The checked query of the controls (None when they are momentarily inconsistent, e.g. mid-switch)."""
    bundle, settings = current_bundle(), current_settings()
    spec = get_layer(controls["layer"])
    group = controls["group"]
    if group not in [g.id for g in spec.groups(bundle)]:
        group = None  # the layer's default group; the controls callback updates the picker
    comparing = bool(controls["compare"]) and not spec.needs_period_from and not spec.categories
    period_from = controls["period_from"]
    try:
        return check_query(bundle, settings, controls["layer"], controls["basis"], period_at(bundle, controls["period"]), group,
                           period_from, period_from if comparing else None)
    except ParameterError:
        return None


def runner(scenario: str | None = None, mode: str = "baseline") -> Callable:
    """`run_query` through the app's cache, for the baseline or a scenario view (the signature `layers.summary` expects)."""
    return lambda bundle, settings, query: view_result(query, scenario, mode)


def checked_scenario(data: dict | None) -> str | None:
    """The scenario store's value as a link parameter, checked against the bundle; None (the baseline) in the portal,
    without interventions, or when the value is not a valid scenario (the scenario panel reports its own errors)."""
    if current_settings().mode == "portal" or not data:
        return None
    try:
        scenario = Scenario.from_dict(data)
        validate_scenario(current_bundle(), scenario, current_settings())
    except ScenarioError:
        return None
    return None if scenario.is_empty else scenario.to_url_param()


def selection_ids(selection: dict | None, basis_key: str) -> list[str]:
    """Selected ids, only when they belong to the basis shown (right after a basis switch they do not yet)."""
    if not selection or selection.get("basis") != basis_key:
        return []
    return list(selection.get("ids") or [])


def area_labels(bundle, basis_key: str, lang: str) -> pd.Series:
    """Static hover head per area: name and id, plus the social context where the bundle has it (German unless `lang`
    is "en": the language comes from the browser, and only two may take a place in the cache)."""
    return _area_labels(bundle, basis_key, "en" if lang == "en" else "de")


@lru_cache(maxsize=64)
def _area_labels(bundle, basis_key: str, lang: str) -> pd.Series:
    basis = Basis.parse(basis_key)
    names = area_names(bundle, basis)
    context = social_context(bundle, basis, lang).reindex(names.index).fillna("")
    return names.where(context == "", names + "<br>" + context)
