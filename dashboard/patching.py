"""A value update sends only the parts that changed.

Each part of a view that a callback may update (a trace's values, a hover template, one block of the legend) has a
fingerprint of its place and content. The drawn-store keeps the fingerprints of the parts on the page, and the browser
sends that store back with its next request. The answer is then a Patch of the parts whose fingerprint differs. Before
this, a period switch at Planungsraum resent about 2 KB of unchanged legend, colours and hover text with every ~3 KB of
values (issue 19).

The store describes the page the answer lands on because Dash's renderer drops an older answer of a callback when a
newer request of it has started: two answers computed against the same store never both land.
"""

from __future__ import annotations

import hashlib
from typing import Any, Sequence

from dash import Patch
from plotly.io.json import to_json_plotly

# 40 bits: a part is left out wrongly only if its new content has the same digest as the old (about 1 in 10^12)
FINGERPRINT_HEX = 10
ABSENT = "-" * FINGERPRINT_HEX
MISSING = object()  # a part this view does not have (e.g. hover heads of H3 cells, whose id is the name)

Location = tuple[str | int, ...]


def fingerprint(location: Location, part: Any) -> str:
    """`FINGERPRINT_HEX` hex digits of the SHA-1 of a part's place and JSON (as Dash sends it); `ABSENT` for a
    `MISSING` part. The place is in it so that a page built by another release, with parts in another order, gets
    every part again rather than a wrong one left out."""
    if part is MISSING:
        return ABSENT
    return hashlib.sha1(to_json_plotly([location, part]).encode()).hexdigest()[:FINGERPRINT_HEX]


def assign(target: Patch | dict, location: Location, value: Any) -> None:
    """Write `value` at `location` (keys and list indices) of a Patch or a figure."""
    for key in location[:-1]:
        target = target[key]
    target[location[-1]] = value


def patch_parts(parts: Sequence[tuple[Location, Any]], drawn: Any) -> tuple[Patch | None, str]:
    """A Patch of the parts (location, value) whose fingerprint differs from the page's, and the fingerprints of all.

    Parameters
    ----------
    parts : sequence of (location, value)
        Every part the view may update, in a fixed order; `MISSING` for a part this view does not have (cleared to
        None on the page if the page has it).
    drawn : str or None
        `fingerprints` of the same parts on the page, from the drawn-store (the browser's word: anything but a string
        of the right length counts as unknown); unknown: every part is sent.

    Returns
    -------
    Patch or None
        None when no part changed.
    str
        The new fingerprints, for the drawn-store.
    """
    new = [fingerprint(location, value) for location, value in parts]
    known = isinstance(drawn, str) and len(drawn) == FINGERPRINT_HEX * len(parts)
    old = [drawn[i:i + FINGERPRINT_HEX] for i in range(0, len(drawn), FINGERPRINT_HEX)] if known else [None] * len(parts)
    patch, sent = Patch(), False
    for (location, value), now, before in zip(parts, new, old):
        if now != before:
            assign(patch, location, None if value is MISSING else value)
            sent = True
    return (patch if sent else None), "".join(new)
