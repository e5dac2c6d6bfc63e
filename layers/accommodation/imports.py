"""The import of accommodation sites (`quartiersatlas import accommodation FILE`): CSV with lon/lat, GeoJSON or GeoPackage.

Columns: ``site_id``, ``type`` (erstaufnahme, gemeinschaftsunterkunft, modulare_unterkunft, wohnungen; the German names
such as "Gemeinschaftsunterkunft" are accepted), ``capacity`` (places), ``opened`` (ISO date); optional ``name``,
``occupancy`` (≤ capacity), ``closed`` (ISO date, not before opened), ``provider``. The file replaces the bundle's site
list; the sites are internal and never reach the public portal.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..bundle.validate import ROW_COLUMN
from ..sources.point_files import read_point_file
from .sites import TYPE_TITLES

FIELDS = ("site_id", "type", "name", "capacity", "occupancy", "opened", "closed", "provider")
TYPE_ALIASES = {**{de.lower(): k for k, (de, _) in TYPE_TITLES.items()}, **{en.lower(): k for k, (_, en) in TYPE_TITLES.items()},
                "modulare unterkunft": "modulare_unterkunft", "muf": "modulare_unterkunft", "gu": "gemeinschaftsunterkunft",
                "eae": "erstaufnahme"}


def read_accommodation(path: Path, manifest=None) -> gpd.GeoDataFrame:
    """Read an accommodation file as raw values with row numbers; the bundle validation checks them (see module)."""
    path = Path(path)
    raw = read_point_file(path)
    out = gpd.GeoDataFrame({c: raw[c] if c in raw.columns else pd.array([pd.NA] * len(raw), dtype="string") for c in FIELDS},
                           geometry=raw.geometry.values, crs=raw.crs)
    kind = out["type"].astype("string").str.strip()
    out["type"] = kind.str.lower().map(lambda v: TYPE_ALIASES.get(v, v) if isinstance(v, str) else v).astype("string")
    out["unit_id"] = pd.array([pd.NA] * len(out), dtype="string")  # located when the sites are read (point in unit)
    out["source"] = f"import_accommodation_{path.stem}"
    out[ROW_COLUMN] = raw[ROW_COLUMN].to_numpy()
    out.attrs["source_file"] = path.name
    return out
