"""The scenario in the page's store (`dashboard.ids.SCENARIO`): a `Scenario.to_dict()`, or None for the baseline."""

from __future__ import annotations

from layers.scenario import Scenario, ScenarioError


def scenario_of(data) -> Scenario:
    """The scenario of the store (None or a `to_dict()`); an unreadable store is the baseline."""
    if not data:
        return Scenario()
    try:
        return Scenario.from_dict(data)
    except ScenarioError:
        return Scenario()


def data_of(scenario: Scenario) -> dict | None:
    """What the store keeps of a scenario: None for an unnamed one without interventions (the baseline)."""
    return scenario.to_dict() if (scenario.interventions or scenario.name) else None
