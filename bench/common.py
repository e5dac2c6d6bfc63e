"""What every benchmark returns: rows of the printed table."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass


@dataclass
class Row:
    name: str
    target: str
    measured: str
    ok: bool | None
    note: str = ""


def timed(fn):
    """(result, seconds) of calling `fn`."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def median_seconds(fn, repeat: int = 1) -> float:
    """Median wall time in seconds of `repeat` calls of `fn`."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
