"""User files imported into a built bundle: facility compositions, use counts, funding areas, ….

`quartiersatlas import KIND FILE` reads the file with the importer of KIND, validates it together with the
bundle (every problem names the file, row and column) and adds it atomically (`replace_tables`). The file
is also kept in ``<bundle folder>.imports/`` so that a rebuild of the city re-applies it. Each importer
documents its format in docs/bundle-format.md.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from ..accommodation.imports import read_accommodation
from ..bundle.bundle import Bundle
from ..bundle.schema import Source
from ..bundle.store import read_manifest, replace_tables
from ..bundle.validate import BundleValidationError, Problem, outside_extent
from ..education.import_compositions import read_compositions
from ..funding.imports import read_funding_geojson
from ..housing.imports import read_housing
from ..public_space.use import read_space_use_csv


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


def _importers() -> dict[str, Importer]:
    found: list[Importer] = [
        # --- education (Kita and school) ---
        Importer("facility_composition", "facility_composition", (".csv",), read_compositions,
                 "Facility compositions (children/pupils, of whom with migration background or ndH)"),
        # --- infrastructure, public space, funding ---
        Importer("space_use", "space_use", (".csv",), read_space_use_csv,
                 "Observed use of public spaces (counters, observation surveys): space_id, timestamp, count, method", append=True),
        Importer("funding_areas", "funding_areas", (".geojson", ".json", ".gpkg"),
                 read_funding_geojson,
                 "Funding areas (e.g. Quartiersmanagement): area_id, programme, name, start_year, end_year, budget_eur, status",
                 append=True),
        # --- accommodation and housing (internal) ---
        Importer("accommodation", "accommodation", (".csv", ".geojson", ".json", ".gpkg"),
                 read_accommodation,
                 "Accommodation sites (internal): site_id, type, name, capacity, occupancy, opened, closed, provider; lon/lat or points"),
        Importer("housing", "housing", (".csv",), read_housing,
                 "Housing stock per finest unit: unit_id, period, dwellings, social_dwellings, rent_eur_m2, wohnlage"),
    ]
    return {imp.kind: imp for imp in found}


def importers() -> dict[str, Importer]:
    """Every importer by kind."""
    return _importers()


def imports_folder(bundle_folder: Path) -> Path:
    """Where imported files are kept beside a bundle, so rebuilds can re-apply them."""
    bundle_folder = Path(bundle_folder)
    return bundle_folder.parent / f"{bundle_folder.name}.imports"


def import_file(bundle_folder: Path, kind: str, path: Path, keep: bool = True) -> Path:
    """Read `path` with the importer of `kind` and add it to the bundle atomically; keep a copy for rebuilds.

    Nothing is changed and nothing is kept when the file is refused: unreadable, empty or header-only (an import never
    empties a table), values that break the schema (NaN, infinite, negative, a group above its total …) or geometries
    outside the city's extent or with longitude and latitude swapped. Every refusal names the file, row and column.
    The manifest credits every imported file (name, kind, rows, date).
    """
    known = importers()
    if kind not in known:
        raise ValueError(f"unknown import kind {kind!r}; known: {', '.join(known) or 'none'}")
    importer = known[kind]
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: file not found")
    if importer.suffixes and path.suffix.lower() not in importer.suffixes:
        raise ValueError(f"{path}: a {kind} import must be a {' or '.join(importer.suffixes)} file")
    manifest = read_manifest(bundle_folder)
    try:
        frame = importer.read(path, manifest)
    except BundleValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 — any reader error is a refusal that names the file, never a traceback
        raise BundleValidationError([Problem(path.name, None, None, f"cannot read the file ({type(exc).__name__}: {exc})")]) from exc
    if len(frame) == 0:
        raise BundleValidationError([Problem(path.name, None, None, "the file has no data rows (empty or only a header); "
                                                                    "an import never empties a table, nothing was changed")])
    if "geometry" in frame.columns:
        # a fresh, uncached reader: the process-wide `load_bundle` cache would hold the folder as it was before this import
        bounds = tuple(Bundle(Path(bundle_folder).resolve()).units.total_bounds)
        problems = outside_extent(frame, path.name, bounds)
        if problems:
            raise BundleValidationError(problems)
    today = date.today().isoformat()
    source = Source(key=f"import_{kind}_{path.stem}", title=f"{importer.description} ({path.name}, {len(frame):,} rows)",
                    attribution=f"imported file {path.name} ({kind}, {len(frame):,} rows, {today})", licence="as given by the provider",
                    period=today)
    replace_tables(bundle_folder, {importer.table: frame}, [source], append=importer.append)
    if keep:
        folder = imports_folder(bundle_folder) / kind
        folder.mkdir(parents=True, exist_ok=True)
        if path.resolve().parent != folder.resolve():
            shutil.copy2(path, folder / path.name)
    return Path(bundle_folder)


def reapply_imports(bundle_folder: Path, log=print) -> list[Path]:
    """Re-apply every kept import of a bundle (after a rebuild), in kind order then file name."""
    applied = []
    root = imports_folder(bundle_folder)
    for kind in importers():
        for path in sorted((root / kind).glob("*")) if (root / kind).is_dir() else []:
            import_file(bundle_folder, kind, path, keep=False)
            log(f"re-applied import {kind}: {path.name}")
            applied.append(path)
    return applied
