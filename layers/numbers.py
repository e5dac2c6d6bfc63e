"""Numbers as text for people: German (1.234,5) or English (1,234.5) separators; missing values as a dash."""

from __future__ import annotations

import math


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
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return ("+" if sign and number > 0 else "") + text
