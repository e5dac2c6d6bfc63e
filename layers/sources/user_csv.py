"""Reading a user's CSV file for an import: UTF-8 (BOM allowed), comma or semicolon separated, all values as text.

One reader for every CSV import (facility compositions, housing stock, point files), so each refuses the same way and
names the file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ..bundle.validate import BundleValidationError, Problem


def read_user_csv(path: Path, expected: str) -> tuple[pd.DataFrame, str]:
    """The file's rows as text columns (names stripped) and its separator (``,`` or ``;``).

    Parameters
    ----------
    expected : what the header should hold, for the message on an empty file (e.g. "facility_id,period,…").

    Raises
    ------
    BundleValidationError naming the file when it is not UTF-8 or empty.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BundleValidationError([Problem(path.name, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                                                    "save the CSV as UTF-8")]) from exc
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise BundleValidationError([Problem(path.name, None, None, f"the file is empty; expected a header row: {expected}")])
    sep = ";" if first.count(";") > first.count(",") else ","
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
    df.columns = [str(c).strip() for c in df.columns]
    return df, sep
