"""The import of housing stock (`quartiersatlas import housing FILE`): a CSV per finest unit and date.

Columns: ``unit_id`` (finest-level unit), ``period`` (ISO date of the stock figures), ``dwellings``; optional
``social_dwellings`` (subsidised / rent-bound, ≤ dwellings), ``rent_eur_m2`` (net rent, €/m² and month) and ``wohnlage``
(einfach, mittel, gut). Comma or semicolon separated UTF-8; decimal comma in semicolon files. Replaces the bundle's table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..bundle.validate import ROW_COLUMN, BundleValidationError, Problem
from ..sources.user_csv import read_user_csv

REQUIRED = ("unit_id", "period", "dwellings")
OPTIONAL = ("social_dwellings", "rent_eur_m2", "wohnlage")


def read_housing(path: Path, manifest=None) -> pd.DataFrame:
    """Read a housing-stock CSV as raw strings with the 1-based data row in ``_row`` (validated with the bundle)."""
    path = Path(path)
    name = path.name
    df, sep = read_user_csv(path, ",".join(REQUIRED + OPTIONAL))
    df.columns = [c.lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise BundleValidationError([Problem(name, None, c, f"required column is missing (found: {', '.join(df.columns)}; "
                                                         f"expected: {', '.join(REQUIRED)})") for c in missing])
    out = df[[c for c in REQUIRED + OPTIONAL if c in df.columns]].apply(lambda s: s.str.strip())
    if "rent_eur_m2" in out.columns and sep == ";":
        out["rent_eur_m2"] = out["rent_eur_m2"].str.replace(",", ".", regex=False)
    if "wohnlage" in out.columns:
        out["wohnlage"] = out["wohnlage"].str.lower()
    out[ROW_COLUMN] = range(1, len(out) + 1)
    out.attrs["source_file"] = name
    return out
