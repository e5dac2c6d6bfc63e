"""What every benchmark returns: rows of the printed table."""

from __future__ import annotations

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
