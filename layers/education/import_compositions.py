"""The CSV import of facility compositions (children or pupils per facility and period, of whom with migration background or ndH).

Format (docs/bundle-format.md, "Import: facility_composition"): a UTF-8 CSV, comma or semicolon separated, one row
per facility and period, columns ``facility_id``, ``period`` (ISO date, e.g. the school statistic's Stichtag),
``children_total`` and ``children_mig_bg`` (or ``children_ndh``), optionally ``measure`` (``mig_bg`` or ``ndh``; a file with
``children_ndh`` counts ndH). Facility ids are those of the bundle's
`facilities` table. The file replaces the bundle's `facility_composition` table (put every period in one file).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..bundle.validate import ROW_COLUMN, BundleValidationError, Problem
from ..sources.user_csv import read_user_csv

COLUMNS = ("facility_id", "period", "children_total", "children_mig_bg")
ALIASES = {"children_ndh": "children_mig_bg"}  # non-German family language (nichtdeutsche Herkunftssprache) counts the same way
KIND = "facility_composition"


def read_compositions(path: Path, manifest: object = None) -> pd.DataFrame:
    """Read a composition CSV as raw strings with the file's 1-based data-row number in ``_row``.

    Values are checked by the bundle validation (counts, dates, group ≤ total, facility ids, duplicates), whose
    messages name this file, the row and the column. A missing column or an unreadable file fails here.
    """
    path = Path(path)
    name = path.name
    df, _ = read_user_csv(path, ",".join(COLUMNS))
    measure = "ndh" if "children_ndh" in df.columns and "children_mig_bg" not in df.columns else "mig_bg"
    df = df.rename(columns={a: c for a, c in ALIASES.items() if a in df.columns and c not in df.columns})
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise BundleValidationError([Problem(name, None, c, f"required column is missing (found: {', '.join(df.columns)}; "
                                                         f"expected: {', '.join(COLUMNS)})") for c in missing])
    given = df["measure"].str.strip() if "measure" in df.columns else None
    df = df[list(COLUMNS)].apply(lambda s: s.str.strip())
    df["measure"] = given.fillna(measure) if given is not None else measure  # checked against mig_bg / ndh by the validation
    df[ROW_COLUMN] = range(1, len(df) + 1)
    df.attrs["source_file"] = name
    return df
