"""What a scenario never changes is computed once, on the baseline bundle.

A scenario bundle (`layers.scenario.overlay.ScenarioBundle`) is a different object from its baseline, so a function
cached per bundle (``functools.lru_cache``) would miss for every scenario and recompute seconds of geometry the scenario
cannot have changed. A function that reads only parts of a bundle that no scenario changes says so where it is defined,
with `on_baseline` above its cache: it then runs, and is cached, on the baseline. What it reads is named there, so a
reader can check the claim; a function listed wrongly would show baseline values in a scenario.

A scenario changes counts (new residents) and, with new or changed facilities, the facilities; everything else (units,
weights, cells, catchments, funding areas, green spaces, indicators) is the baseline's. A function that reads
facilities runs on the baseline only while the scenario leaves them unchanged.
"""

from __future__ import annotations

import functools
from typing import Callable

# The parts of a bundle no scenario changes, and the one a scenario may change that static functions read.
STATIC_PARTS = frozenset({"units", "weights", "cells", "geometry", "catchments", "funding_areas", "green_spaces", "indicators"})
FACILITIES = "facilities"


def static_bundle(bundle, reads_facilities: bool = False):
    """The bundle a function that reads only static parts should run on.

    The baseline of a scenario bundle, unless the function reads facilities and the scenario changes them; any other
    bundle as it is.

    >>> class Scenario:
    ...     def __init__(self, base, changes): self.base, self.changes_facilities = base, changes
    >>> static_bundle(Scenario("baseline", False), reads_facilities=True)
    'baseline'
    >>> static_bundle(Scenario("baseline", True), reads_facilities=True).base
    'baseline'
    >>> static_bundle("a plain bundle")
    'a plain bundle'
    """
    base = getattr(bundle, "base", None)
    if base is None or not hasattr(bundle, "changes_facilities"):
        return bundle
    return bundle if reads_facilities and bundle.changes_facilities else base


def on_baseline(*reads: str, h3_only: bool = False) -> Callable[[Callable], Callable]:
    """Decorate a function whose first argument is a bundle and whose result depends only on the parts in `reads`.

    Parameters
    ----------
    reads : str
        What the function reads of the bundle: names from `STATIC_PARTS`, and "facilities" if it reads those.
    h3_only : bool
        Static only on an H3 basis (the second argument): on units the function also reads what a scenario changes.

    Put it above the cache (``@on_baseline(...)`` then ``@lru_cache``), so that the cache sees the baseline.
    """
    unknown = set(reads) - STATIC_PARTS - {FACILITIES}
    if not reads or unknown:
        raise ValueError(f"on_baseline: name what the function reads from {sorted(STATIC_PARTS | {FACILITIES})}; got {sorted(unknown) or 'nothing'}")
    reads_facilities = FACILITIES in reads

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def shared(bundle, *args, **kwargs):
            if h3_only:
                basis = args[0] if args else kwargs.get("basis")
                if not getattr(basis, "is_h3", False):
                    return fn(bundle, *args, **kwargs)
            return fn(static_bundle(bundle, reads_facilities), *args, **kwargs)

        for attr in ("cache_info", "cache_clear", "cache_parameters"):  # the cache below stays reachable
            if hasattr(fn, attr):
                setattr(shared, attr, getattr(fn, attr))
        shared.reads = tuple(reads)
        return shared

    return decorate
