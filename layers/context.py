"""Social context next to migration figures (BRIEF §6): unemployment, transfer receipt and child poverty, on every basis."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bundle import Bundle
from .numbers import format_numbers
from .social import CONTEXT, indicator_date, indicator_on
from .spatial.basis import Basis

# Indicator id → (German label, English label), in the order of `layers.social.CONTEXT`.
CONTEXT_INDICATORS: dict[str, tuple[str, str]] = {
    "mss_unemployment_pct": ("Arbeitslosigkeit", "unemployment"),
    "mss_transfer_pct": ("Transferbezug", "transfer receipt"),
    "mss_child_poverty_pct": ("Kinderarmut", "child poverty"),
}
assert tuple(CONTEXT_INDICATORS) == CONTEXT


def social_context(bundle: Bundle, basis: Basis, lang: str, period: str | None = None) -> pd.Series:
    """One line of social context per unit or cell (empty where the bundle has none), with source and date.

    Finest units show the indicators as published; coarser units and H3 cells the weighted mean of their finest units
    (`layers.social.indicator_on`), and cells say that they are interpolated.
    """
    ids = bundle.ids(basis)
    names = tuple(n for n in CONTEXT if n in bundle.manifest.indicators) if bundle.has("indicators") else ()
    if not names:
        return pd.Series("", index=ids)
    frame, interpolated = indicator_on(bundle, basis, period or bundle.periods[-1], names)
    date = pd.Timestamp(indicator_date(bundle, names[0])).strftime("%d.%m.%Y" if lang == "de" else "%d %b %Y")
    source_key = bundle.manifest.indicators.get(names[0], {}).get("source", "")
    source = bundle.sources[source_key].title if source_key in bundle.sources else ""
    label = ("Sozialer Kontext" if lang == "de" else "Social context") + f" ({source + ', ' if source else ''}"
    label += ("Stand " if lang == "de" else "as of ") + date
    if interpolated:
        level = bundle.level(interpolated)
        label += ", aus " + level.name_de + " interpoliert" if lang == "de" else f", interpolated from {level.name_en}"
    label += ")"

    columns = []  # per indicator: "Arbeitslosigkeit 7,3 %" or "" where the unit has no value
    for name in names:
        values = frame[name].to_numpy(dtype=float)
        texts = format_numbers(values, lang, 1)
        title = CONTEXT_INDICATORS[name][0 if lang == "de" else 1]
        columns.append([f"{title} {text} %" if ok else "" for text, ok in zip(texts, ~np.isnan(values))])
    lines = [", ".join(p for p in parts if p) for parts in zip(*columns)]
    return pd.Series([f"{label}:<br>{line}" if line else "" for line in lines], index=frame.index).reindex(ids).fillna("")
