"""Checks of a scenario against a bundle and the settings: plausible inputs, known ids and types, sites inside the city."""

from __future__ import annotations

import numpy as np

from ..bundle import Bundle
from ..bundle.schema import ACCOMMODATION_TYPES, FACILITY_TYPES
from ..settings import Settings, active_settings
from .model import NEW_FACILITY_PREFIX, FacilityChange, Housing, NewAccommodation, NewFacility, Scenario, ScenarioError
from .sites import place_site


def facility_type_choices(bundle: Bundle) -> list[str]:
    """Facility types a new facility may have: the schema's types (the bundle's own and e.g. ``meeting_place``)."""
    return list(FACILITY_TYPES)


def _facility_ids(bundle: Bundle) -> set[str]:
    return set(bundle.table("facilities")["facility_id"].astype(str)) if bundle.has("facilities") else set()


def validate_scenario(bundle: Bundle, scenario: Scenario, settings: Settings | None = None, source: str = "scenario") -> None:
    """Raise ScenarioError (naming source, intervention and field) for implausible or unknown inputs.

    Checks: dwellings 1 … `scenario_max_dwellings`; persons per dwelling within [`scenario_persons_min`,
    `scenario_persons_max`]; shares in 0–1; sites inside the city; known unit ids, facility ids and facility types;
    capacities 0 … `scenario_max_capacity`; at most `scenario_max_interventions` interventions.
    """
    s = (settings or active_settings()).values
    if len(scenario.interventions) > s["scenario_max_interventions"]:
        raise ScenarioError(f"{len(scenario.interventions)} interventions; at most {s['scenario_max_interventions']} are allowed", source=source)
    fac_ids = None
    new_ids = {f"{NEW_FACILITY_PREFIX}{n}" for n, i in enumerate(scenario.interventions, start=1) if isinstance(i, NewFacility)}
    for n, i in enumerate(scenario.interventions, start=1):
        def err(msg: str, fld: str | None = None, kind: str = i.kind) -> ScenarioError:
            return ScenarioError(msg, source=source, index=n, kind=kind, field=fld)

        if isinstance(i, Housing):
            if not isinstance(i.dwellings, (int, np.integer)) or isinstance(i.dwellings, bool):
                raise err(f"{i.dwellings!r} is not a whole number", "dwellings")
            if i.dwellings < 0:
                raise err(f"{i.dwellings} is negative", "dwellings")
            if i.dwellings == 0:
                raise err("0 dwellings add nobody; give at least 1", "dwellings")
            if i.dwellings > s["scenario_max_dwellings"]:
                raise err(f"{i.dwellings:,} is implausibly large for one site (at most {s['scenario_max_dwellings']:,})", "dwellings")
            lo, hi = s["scenario_persons_min"], s["scenario_persons_max"]
            if not np.isfinite(i.persons_per_dwelling) or not lo <= i.persons_per_dwelling <= hi:
                raise err(f"{i.persons_per_dwelling} is outside the plausible range {lo}–{hi}", "persons_per_dwelling")
            if not np.isfinite(i.subsidised_share) or not 0.0 <= i.subsidised_share <= 1.0:
                raise err(f"{i.subsidised_share} is not a share between 0 and 1", "subsidised_share")
            if i.mix not in ("reference", "new_build", "subsidised"):
                raise err(f"{i.mix!r} is not one of reference, new_build, subsidised", "mix")
            if i.reference_area is not None and i.reference_area not in set(bundle.units["unit_id"]):
                raise err(f"unknown unit id {i.reference_area!r}", "reference_area")
            try:
                place_site(bundle, i.site)
            except ValueError as exc:
                raise err(str(exc), "site") from None
        elif isinstance(i, NewFacility):
            if i.facility_type not in FACILITY_TYPES:
                raise err(f"unknown facility type {i.facility_type!r}; known: {', '.join(FACILITY_TYPES)}", "facility_type")
            if not np.isfinite(i.capacity) or i.capacity < 0:
                raise err(f"{i.capacity} is negative" if i.capacity < 0 else f"{i.capacity} is not a number", "capacity")
            if i.capacity > s["scenario_max_capacity"]:
                raise err(f"{i.capacity:,.0f} is implausibly large (at most {s['scenario_max_capacity']:,.0f})", "capacity")
            try:
                place_site(bundle, i.site)
            except ValueError as exc:
                raise err(str(exc), "site") from None
        elif isinstance(i, FacilityChange):
            fac_ids = _facility_ids(bundle) if fac_ids is None else fac_ids
            if i.facility_id not in fac_ids and i.facility_id not in new_ids:
                raise err(f"unknown facility id {i.facility_id!r}", "facility_id")
            if i.capacity is not None:
                if not np.isfinite(i.capacity) or i.capacity < 0:
                    raise err(f"{i.capacity} is negative", "capacity")
                if i.capacity > s["scenario_max_capacity"]:
                    raise err(f"{i.capacity:,.0f} is implausibly large (at most {s['scenario_max_capacity']:,.0f})", "capacity")
            if i.capacity is None and not i.closed:
                raise err("give a new capacity or closed=true", "capacity")
        elif isinstance(i, NewAccommodation):
            if not isinstance(i.places, (int, np.integer)) or isinstance(i.places, bool) or i.places < 1:
                raise err(f"{i.places!r} is not a whole number of places from 1", "places")
            if i.places > s["scenario_max_capacity"]:
                raise err(f"{i.places:,} places is implausibly large for one site (at most {s['scenario_max_capacity']:,.0f})", "places")
            if i.accommodation_type not in ACCOMMODATION_TYPES:
                raise err(f"unknown accommodation type {i.accommodation_type!r}; known: {', '.join(ACCOMMODATION_TYPES)}", "accommodation_type")
            if i.occupancy is not None and (not np.isfinite(i.occupancy) or not 0.0 < i.occupancy <= 1.0):
                raise err(f"{i.occupancy} is not a share above 0 and up to 1", "occupancy")
            try:
                place_site(bundle, i.site)
            except ValueError as exc:
                raise err(str(exc), "site") from None
        else:
            raise err(f"unknown intervention {type(i).__name__}", kind="?")
