"""The walking distances and planning standards the infrastructure, public-space, funding, accommodation and scenario
layers use, in one frozen object (a module of its own: those topics import it, and the infrastructure topic imports them)."""

from __future__ import annotations

from dataclasses import dataclass

from .bundle.schema import FACILITY_TYPES
from .settings import active_settings
from .spatial.routing import Router, StraightLineRouter, bundle_router, default_router

DEFAULT_DETOUR = StraightLineRouter().detour_factor  # 1.3, used where the settings have no `detour_factor`


@dataclass(frozen=True)
class Params:
    """Coverage distances per facility type (walking m), standards (m² per resident) and the router's detour factor."""

    coverage_m: tuple[tuple[str, float], ...] = tuple((kind, 500.0) for kind in FACILITY_TYPES)
    detour_factor: float = DEFAULT_DETOUR
    green_guideline_m2: float = 6.0
    playground_standard_m2: float = 1.0
    green_walking_m: float = 500.0
    funding_min_overlap: float = 0.5

    def coverage(self, kind: str) -> float:
        """Coverage distance of a facility type in walking metres."""
        return dict(self.coverage_m)[kind]

    def router(self, bundle=None) -> Router:
        """Walking distances: on the bundle's street network where it has one, else straight line × detour factor."""
        return bundle_router(bundle, self.detour_factor) if bundle is not None else default_router(self.detour_factor)

    @classmethod
    def from_settings(cls, settings) -> "Params":
        v = settings.values
        return cls(
            coverage_m=tuple((kind, float(v[f"coverage_m_{kind}"])) for kind in FACILITY_TYPES),
            detour_factor=float(v.get("detour_factor", DEFAULT_DETOUR)),
            green_guideline_m2=float(v["green_space_guideline_m2"]),
            playground_standard_m2=float(v["playground_standard_m2"]),
            green_walking_m=float(v["green_walking_distance_m"]),
            funding_min_overlap=float(v["funding_min_overlap"]),
        )


def current_params() -> Params:
    """Parameters from the settings of the running computation (`layers.settings.active_settings`: the app's settings
    inside `run_query`, config.toml plus QUARTIERSATLAS_* variables outside)."""
    return Params.from_settings(active_settings())
