"""What a topic declares for each kind of user file it reads (`quartiersatlas import KIND FILE`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd


@dataclass(frozen=True)
class Importer:
    """How to read one kind of user file into one bundle table.

    ``read(path, manifest)`` returns the table's rows with the file's row number in column ``_row`` and
    ``attrs['source_file']`` set, so validation messages point into the user's file. ``append`` adds the
    rows to the table's existing rows instead of replacing them.
    """

    kind: str
    table: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, object], pd.DataFrame]
    description: str
    append: bool = False
