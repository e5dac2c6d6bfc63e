"""Dashboard sections: one module per topic, each a tab below the map.

A section module defines

- ``SECTION_ID: str`` (also the ``section`` of its layers in the registry),
- ``title(lang) -> str`` (from the message catalogue),
- ``panel(bundle, settings, lang) -> Component`` (the tab's content),
- ``register(app) -> None`` (its callbacks, attached to this app explicitly),
- optionally ``available(settings) -> bool`` (False: the deployment leaves the section out, tab and callbacks).

Sections read the shared view state (layer, group, basis, period, district, language, map clicks) through the
component ids in `dashboard.ids` and may set the shared controls with ``allow_duplicate=True``.
"""

from __future__ import annotations

from types import ModuleType

from . import accommodation as accommodation_section  # accommodation and housing (planner only)
from . import education  # education (Kita and school)
from . import infrastructure as infrastructure_section  # infrastructure, public space, funding
from . import scenario as scenario_section  # scenarios
from . import segregation as segregation_section  # segregation

SECTIONS: tuple[ModuleType, ...] = (
    # --- segregation ---
    segregation_section,
    # --- education (Kita and school) ---
    education,
    # --- infrastructure, public space, funding ---
    infrastructure_section,
    # --- accommodation and housing ---
    accommodation_section,  # planner mode only: see accommodation.available(settings)
    # --- scenarios ---
    scenario_section,  # planner mode only: see scenario.available(settings)
)


def sections_for(settings) -> tuple[ModuleType, ...]:
    """The sections this deployment shows (a section without `available` is always shown)."""
    return tuple(s for s in SECTIONS if not hasattr(s, "available") or s.available(settings))
