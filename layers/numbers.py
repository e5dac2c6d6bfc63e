"""Numbers as text for people: German (1.234,5) or English (1,234.5) separators; missing values as a dash."""

from __future__ import annotations

import math

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
