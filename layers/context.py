"""Social context next to migration figures (BRIEF §6): unemployment, transfer receipt and child poverty."""

from __future__ import annotations

import pandas as pd

from .bundle import Bundle
from .spatial.basis import Basis

# Indicator id → (German label, English label); shown where the bundle has them for the basis' units.
CONTEXT_INDICATORS: dict[str, tuple[str, str]] = {
    "mss_unemployment_pct": ("Arbeitslosigkeit", "unemployment"),
    "mss_transfer_pct": ("Transferbezug", "transfer receipt"),
    "mss_child_poverty_pct": ("Kinderarmut", "child poverty"),
}


def social_context(bundle: Bundle, basis: Basis, lang: str) -> pd.Series:
    """One line of social context per unit (empty where the bundle has none), with indicator unit and period.

    Values are the bundle's indicators as published (per cent, at their own Stichtag); nothing is
    interpolated, so H3 cells and levels without indicators get an empty string.
    """
    ids = bundle.ids(basis)
    if basis.is_h3 or not bundle.has("indicators"):
        return pd.Series("", index=ids)
    ind = bundle.table("indicators")
    ind = ind[ind["indicator"].isin(CONTEXT_INDICATORS) & ind["unit_id"].isin(ids)].dropna(subset=["value"])
    if ind.empty:
        return pd.Series("", index=ids)
    period = pd.Timestamp(ind["period"].max()).strftime("%d.%m.%Y" if lang == "de" else "%d %b %Y")
    source_key = bundle.manifest.indicators.get(ind["indicator"].iloc[0], {}).get("source", "")
    source = bundle.sources[source_key].title if source_key in bundle.sources else ""
    wide = ind.pivot_table(index="unit_id", columns="indicator", values="value", aggfunc="first")
    label = ("Sozialer Kontext" if lang == "de" else "Social context") + f" ({source + ', ' if source else ''}"
    label += ("Stand " if lang == "de" else "as of ") + period + ")"
    def line(row: pd.Series) -> str:
        parts = [f"{CONTEXT_INDICATORS[c][0 if lang == 'de' else 1]} {row[c]:.1f} %".replace(".", "," if lang == "de" else ".")
                 for c in CONTEXT_INDICATORS if c in row and pd.notna(row[c])]
        return f"{label}:<br>" + ", ".join(parts) if parts else ""
    return wide.apply(line, axis=1).reindex(ids).fillna("")
