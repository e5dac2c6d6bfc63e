"""The settings the education layers use, read once from the project settings (config.toml and environment)."""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import Settings, active_settings

DECAY_KINDS = ("step", "linear", "gaussian", "exponential")


@dataclass(frozen=True)
class EducationParams:
    """Take-up rates (share of children, 0–1), the 2SFCA catchment and the disclosure flag.

    take_up_under_3, take_up_3_6 : share of children of the age who attend a Kita (0–1).
    radius_m : walking radius of the 2SFCA and of Kita catchments (walking metres).
    decay : distance-decay kind (``step``, ``linear``, ``gaussian``, ``exponential``); decay_param: β per km (exponential only).
    detour_factor : walking distance / straight-line distance of the default router.
    publish_compositions : the authority publishes facility-level compositions (they may then reach the portal).
    """

    take_up_under_3: float = 0.466
    take_up_3_6: float = 0.921
    radius_m: float = 1000.0
    decay: str = "gaussian"
    decay_param: float = 1.0
    detour_factor: float = 1.3
    publish_compositions: bool = False

    @property
    def take_up_under_6(self) -> float:
        """Rate for the band [0, 6) when the data have no finer bands: 3 years at each rate, equal cohorts assumed."""
        return (3 * self.take_up_under_3 + 3 * self.take_up_3_6) / 6

    @classmethod
    def from_settings(cls, settings: Settings) -> "EducationParams":
        v = settings.values
        return cls(v["kita_take_up_under_3"], v["kita_take_up_3_6"], v["kita_fca_radius_m"], v["kita_fca_decay"],
                   v["kita_fca_decay_param"], v["detour_factor"], bool(v["publish_facility_compositions"]))


def current_params() -> EducationParams:
    """Parameters from the settings of the running computation (`layers.settings.active_settings`: the app's settings
    inside `run_query`, config.toml plus QUARTIERSATLAS_* variables outside)."""
    return EducationParams.from_settings(active_settings())
