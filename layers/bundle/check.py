"""Validate a bundle folder as written: the manifest and every table file present, reported per file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .schema import TABLES, Manifest
from .store import read_manifest, read_table
from .validate import BundleValidationError, Problem, validate_tables


def _read(folder: Path, name: str) -> pd.DataFrame:
    """Read one table file; a geo table without GeoParquet metadata is read as a plain frame."""
    try:
        return read_table(folder, name)
    except ValueError:
        if not TABLES[name].geometry:
            raise
        # e.g. the geometry column was dropped: validation then reports "geometry column is missing"
        return pd.read_parquet(Path(folder) / TABLES[name].file)


def validate_bundle_folder(folder: str | Path) -> Manifest:
    """Read `manifest.json` and every table file in `folder` and validate them together.

    Problems name the file (e.g. ``population_points.parquet``), the 1-based data row and the column.
    A table file that cannot be read at all is reported as a whole-file problem.

    Returns
    -------
    The bundle's manifest, when the bundle is valid.

    Raises
    ------
    FileNotFoundError
        When `folder` holds no `manifest.json`.
    BundleValidationError
        Listing every problem found.
    """
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except Exception as exc:  # noqa: BLE001 — name the file that cannot be read, not just the error
        raise BundleValidationError([Problem(str(folder / "manifest.json"), None, None,
                                             f"cannot read the manifest ({type(exc).__name__}: {exc})")]) from exc
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    unreadable: list[Problem] = []
    for name, table in TABLES.items():
        if not (folder / table.file).exists():
            continue
        try:
            tables[name] = _read(folder, name)
        except Exception as exc:  # noqa: BLE001 — any reader error becomes a reported problem
            unreadable.append(Problem(table.file, None, None, f"cannot read the file ({type(exc).__name__}: {exc})"))
            continue
        files[name] = table.file
    try:
        validate_tables(tables, manifest, files)
    except BundleValidationError as err:
        raise BundleValidationError(unreadable + err.problems) from None
    if unreadable:
        raise BundleValidationError(unreadable)
    return manifest
