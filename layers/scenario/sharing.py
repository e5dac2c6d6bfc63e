"""Static caches follow the baseline: functions whose result does not depend on anything a scenario changes are computed
once per baseline bundle, not once per scenario overlay.

The layer modules cache many results per bundle with ``functools.lru_cache`` (catchment ∩ unit intersections, cell
centres, funding-area overlaps, geometries …). A `ScenarioBundle` is a different object, so every one of those caches
would miss and recompute seconds of geometry that the scenario cannot have changed. `share_static_caches` wraps the
functions listed in `STATIC` so that a ScenarioBundle argument is replaced by its baseline — always for functions that
read only units, weights, catchments, funding areas, green spaces or indicators; for functions that read facilities only
when the scenario leaves facilities unchanged. Baseline calls pass straight through (same cache, same result).
`cell_centres_xy` (a pure function of its cells) gets a small content-keyed memo, and `space_pressure` (usage pressure of
green spaces) is updated incrementally from the baseline's result (see `_incremental_space_pressure`).

This is the one place that knows which cached layer functions are static; a function wrongly listed here would show
baseline values in a scenario, so each entry names what it reads. Suggested follow-up (owners of the modules): an
explicit hook on Bundle (e.g. ``bundle.static_bundle(*tables)``) called at the top of each static function.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import sys
import threading
from collections import OrderedDict

import numpy as np

# (module, function, reads facilities?) — what each reads is in the comment.
STATIC: tuple[tuple[str, str, bool], ...] = (
    ("layers.education.schools", "catchment_weights", False),  # catchments, finest units (areal weights)
    ("layers.education.schools", "cell_catchment", False),  # catchments, cells
    ("layers.education.schools", "school_catchment", True),  # facilities (schools), catchments
    ("layers.infrastructure.access", "cell_centres", False),  # cells
    ("layers.infrastructure.access", "child_poverty", False),  # indicators
    ("layers.infrastructure.access", "facility_points", True),  # facilities
    ("layers.infrastructure.access", "cell_distances", True),  # cells, facilities
    ("layers.public_space.supply", "unit_areas", False),  # green spaces, units
    ("layers.funding.areas", "funding_geojson_bytes", False),  # funding areas
    ("layers.funding.areas", "unit_overlap", False),  # funding areas, units
    ("layers.funding.mss", "indicator", False),  # indicators
    ("layers.funding.mss", "mss_table", False),  # indicators
    ("layers.segregation.local", "_unit_neighbours", False),  # unit geometries
    ("layers.segregation.indices", "district_of", False),  # units, weights
    ("layers.spatial.selection", "_dominant_unit", False),  # weights
    ("layers.spatial.selection", "_finest_of", False),  # units
    ("layers.spatial.selection", "district_of", False),  # units, weights
    ("layers.spatial.geometry", "basis_geometries", False),  # unit / cell geometries
    ("layers.spatial.geometry", "basis_geojson", False),  # unit / cell geometries
)
# Functions static only on some arguments: distance notes on an H3 basis read cells and facilities only.
STATIC_H3: tuple[tuple[str, str, bool], ...] = (
    ("layers.infrastructure.access", "distance_notes", True),
)
_LOCK = threading.Lock()
_DONE = False


def _baseline(bundle, reads_facilities: bool):
    base = getattr(bundle, "base", None)
    if base is None or not hasattr(bundle, "changes_facilities"):
        return bundle
    return bundle if reads_facilities and bundle.changes_facilities else base


def _wrap(fn, reads_facilities: bool, h3_only: bool):
    @functools.wraps(fn)
    def shared(bundle, *args, **kwargs):
        if h3_only:
            basis = args[0] if args else kwargs.get("basis")
            if not getattr(basis, "is_h3", False):
                return fn(bundle, *args, **kwargs)
        return fn(_baseline(bundle, reads_facilities), *args, **kwargs)

    for attr in ("cache_info", "cache_clear", "cache_parameters"):
        if hasattr(fn, attr):
            setattr(shared, attr, getattr(fn, attr))
    shared.__scenario_shared__ = True
    return shared


def _replace_everywhere(original, replacement) -> None:
    """Point every loaded ``layers.*`` module's reference to `original` at `replacement` (names imported with `from … import`)."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "layers" or name.startswith("layers.")):
            continue
        for attr, value in list(vars(module).items()):
            if value is original:
                setattr(module, attr, replacement)


_CENTRES: OrderedDict[str, np.ndarray] = OrderedDict()
_CENTRES_SIZE = 16


def _memo_centres(fn):
    @functools.wraps(fn)
    def centres(cells):
        arr = np.ascontiguousarray(np.asarray(cells, dtype=np.uint64))
        key = hashlib.blake2b(arr.tobytes(), digest_size=16).hexdigest()
        with _LOCK:
            hit = _CENTRES.get(key)
            if hit is not None:
                _CENTRES.move_to_end(key)
                return hit.copy()
        out = fn(arr)
        with _LOCK:
            _CENTRES[key] = out
            while len(_CENTRES) > _CENTRES_SIZE:
                _CENTRES.popitem(last=False)
        return out.copy()

    centres.__scenario_shared__ = True
    return centres


def _incremental_space_pressure(fn):
    """`space_pressure` on an overlay = the baseline's (cached) plus the added residents within reach of each space.

    Exact: the layer sums residents of finest-resolution cell centres within the walking distance of each space; a
    scenario adds residents in the site's cell only, so R_j grows by R_h · [d(site cell, j) ≤ d_max] and nothing else.
    """
    @functools.wraps(fn)
    def pressure(bundle, period, params):
        base, added = getattr(bundle, "base", None), getattr(bundle, "added", None)
        if base is None or added is None:
            return fn(bundle, period, params)
        sp = fn(base, period, params)
        if not added:
            return sp
        from ..public_space.supply import per_resident
        from ..spatial.h3grid import points_to_cells
        from ..spatial.routing import cell_centres_xy

        res = max(base.manifest.h3_resolutions)
        reach = sp["residents_within"].to_numpy(dtype=float).copy()
        xy = sp[["x", "y"]].to_numpy(dtype=float)
        for a in added:
            cell = points_to_cells(np.array([a.placed.lat]), np.array([a.placed.lon]), res)
            _, j, _ = params.router(base).within(cell_centres_xy(cell), xy, params.green_walking_m)
            reach[j] += float(a.counts["pop_total"])
        return sp.assign(residents_within=reach, pressure=per_resident(reach, sp["area_m2"].to_numpy()))

    for attr in ("cache_info", "cache_clear", "cache_parameters"):
        if hasattr(fn, attr):
            setattr(pressure, attr, getattr(fn, attr))
    pressure.__scenario_shared__ = True
    return pressure


INCREMENTAL = (("layers.public_space.supply", "space_pressure", _incremental_space_pressure),)


def share_static_caches() -> None:
    """Install the wrappers once per process (idempotent)."""
    global _DONE
    with _LOCK:
        if _DONE:
            return
        _DONE = True
    for entries, h3_only in ((STATIC, False), (STATIC_H3, True)):
        for module_name, fn_name, reads_facilities in entries:
            module = importlib.import_module(module_name)
            original = getattr(module, fn_name)
            if getattr(original, "__scenario_shared__", False):
                continue
            _replace_everywhere(original, _wrap(original, reads_facilities, h3_only))
    for module_name, fn_name, make in INCREMENTAL:
        original = getattr(importlib.import_module(module_name), fn_name)
        if not getattr(original, "__scenario_shared__", False):
            _replace_everywhere(original, make(original))
    routing = importlib.import_module("layers.spatial.routing")
    if not getattr(routing.cell_centres_xy, "__scenario_shared__", False):
        _replace_everywhere(routing.cell_centres_xy, _memo_centres(routing.cell_centres_xy))
