"""What a scenario never changes runs on the baseline (layers/bundle/static.py): declared where each function is
defined, no function of another module rewritten at run time (issue 15 item 3)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import layers
from layers.bundle.static import on_baseline
from layers.scenario import Housing, NewFacility, Scenario, with_scenario
from layers.spatial.basis import Basis
from tests.layers.test_scenario import _populated_unit, _site_in


def _declared() -> dict[str, tuple[str, ...]]:
    """Every function of layers/ that declares itself static, with what it reads."""
    found = {}
    for info in pkgutil.walk_packages(layers.__path__, prefix="layers."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if callable(value) and getattr(value, "__module__", None) == info.name and hasattr(value, "reads"):
                found[f"{info.name}.{name}"] = value.reads
    return found


def test_every_static_function_names_what_it_reads():
    declared = _declared()
    assert {"layers.spatial.geometry.basis_geojson", "layers.funding.areas.unit_overlap", "layers.education.schools.school_catchment",
            "layers.infrastructure.access.distance_notes"} <= set(declared)
    assert len(declared) == 22, sorted(declared)
    assert all(reads for reads in declared.values())
    facilities = {name for name, reads in declared.items() if "facilities" in reads}
    assert facilities == {"layers.education.schools.school_catchment", "layers.infrastructure.access.facility_points",
                          "layers.infrastructure.access.cell_distances", "layers.infrastructure.access.distance_notes",
                          "layers.education.kita.kitas", "layers.education.kita.places"}


def test_a_claim_outside_the_static_parts_is_refused():
    with pytest.raises(ValueError, match="population"):
        on_baseline("population")
    with pytest.raises(ValueError, match="nothing"):
        on_baseline()


def test_scenarios_hit_the_baselines_caches_unless_they_change_what_is_read(settings, demo_bundle):
    from layers.education.schools import school_catchment
    from layers.funding.areas import unit_overlap
    from layers.spatial.geometry import basis_geojson
    from layers.spatial.selection import district_of

    unit = _populated_unit(demo_bundle)
    housing = Scenario("", (Housing(_site_in(demo_bundle, unit), 250, 2.0),))
    school = housing.with_intervention(NewFacility(_site_in(demo_bundle, unit), "primary_school", 200))
    o_h, o_s = with_scenario(demo_bundle, housing, settings=settings), with_scenario(demo_bundle, school, settings=settings)
    cells = Basis(res=max(demo_bundle.manifest.h3_resolutions))
    assert basis_geojson(o_h, cells) is basis_geojson(demo_bundle, cells)
    assert district_of(o_s, cells) is district_of(demo_bundle, cells)  # facilities changed, but this reads none
    level = demo_bundle.finest_level.id
    if demo_bundle.has("funding_areas"):
        assert unit_overlap(o_h, level) is unit_overlap(demo_bundle, level)
    assert school_catchment(o_h) is school_catchment(demo_bundle)
    assert school_catchment(o_s) is not school_catchment(demo_bundle)  # a new school: computed on the scenario
