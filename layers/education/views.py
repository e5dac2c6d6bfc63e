"""Tables the education API and dashboard section share (same numbers in both), with disclosure applied."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bundle import Bundle
from ..minimum_counts import small_counts
from ..settings import Settings
from ..spatial.basis import Basis
from .facility_segregation import city_summary, facility_table, has_compositions
from .kita import kita_access, kitas, supply_demand
from .params import EducationParams
from .schools import catchment_table


def compositions_visible(settings: Settings) -> bool:
    """Facility-level compositions are internal: shown in planner mode, in the portal only if the authority publishes them."""
    return settings.mode != "portal" or bool(settings.publish_facility_compositions)


def city_figures(bundle: Bundle, period: str, params: EducationParams) -> dict:
    """City totals: Kitas, places, children under 6, children in demand, places per 100 children in demand."""
    f, _ = supply_demand(bundle, Basis(level=bundle.levels[0].id), period, params)
    places = float(kitas(bundle)["capacity"].sum())
    demand = float(f["demand"].sum())
    return {"period": period, "kitas": int(len(kitas(bundle))), "places": places, "children_under_6": float(f["children"].sum()),
            "demand": demand, "take_up_under_6": params.take_up_under_6,
            "places_per_100": 100.0 * places / demand if demand > 0 else None}


def kita_table(bundle: Bundle, period: str, params: EducationParams, res: int = 9) -> pd.DataFrame:
    """Per Kita: name, provider, Planungsraum, places, weighted children in demand within reach, supply ratio, lon/lat.

    Places are published in the Kita list; ``supply_ratio`` > 1 marks estimated spare capacity.
    """
    k = kitas(bundle)
    if k.empty:
        return pd.DataFrame(columns=["name", "provider", "unit_id", "places", "reach_demand", "supply_ratio", "spare", "lon", "lat"])
    res = res if res in bundle.manifest.h3_resolutions else max(bundle.manifest.h3_resolutions)
    a = kita_access(bundle, res, period, params).kitas
    return pd.DataFrame({"name": k["name"], "provider": k.get("provider"), "unit_id": k["unit_id"], "places": a["places"],
                         "reach_demand": a["reach_demand"].round(1), "supply_ratio": a["supply_ratio"].round(3),
                         "spare": a["supply_ratio"] > 1, "lon": k.geometry.x, "lat": k.geometry.y}, index=k.index)


def disclosed_catchments(bundle: Bundle, settings: Settings, period: str) -> pd.DataFrame:
    """The catchment table with the minimum-count rule: in the portal, counts and shares from too few children are removed."""
    t = catchment_table(bundle, period).copy()
    if t.empty:
        return t.assign(suppressed=pd.Series(dtype=bool))
    counts = pd.DataFrame({"numerator": t["mig_6_12"], "denominator": t["children_6_12"], "residents": t["children_6_12"]})
    small = small_counts(counts, settings.min_cases, settings.min_residents)
    t["suppressed"] = small
    if settings.mode == "portal":
        t.loc[small, ["children_6_15", "children_6_12", "mig_6_12", "share_mig_pct"]] = np.nan
    return t


def facility_segregation_view(bundle: Bundle, settings: Settings, period: str, params: EducationParams, kind: str) -> dict:
    """Facility table and city D for one kind, or the plain statement that the bundle has no compositions."""
    if not has_compositions(bundle):
        note = bundle.manifest.notes.get("facility_composition", "")
        return {"available": False, "note": note, "table": pd.DataFrame(), "summary": {}}
    table = facility_table(bundle, period, params, kind)
    return {"available": True, "note": "", "table": table, "summary": city_summary(bundle, period, params).get(kind, {})}
