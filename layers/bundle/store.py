"""Writing and reading bundle folders. Builds write to a temporary folder and move it into place when complete."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..spatial.h3grid import areal_weights
from .schema import BUNDLE_FORMAT_VERSION, TABLES, Level, Manifest, Source
from .validate import ROW_COLUMN, validate_tables

MANIFEST = "manifest.json"


@dataclass
class BundleBuild:
    """What a source hands over: the manifest and its tables (validated before anything is written)."""

    manifest: Manifest
    tables: dict[str, pd.DataFrame]


def weights_file(res: int) -> str:
    return f"h3_weights_r{res}.parquet"


def _normalise(name: str, df: pd.DataFrame) -> pd.DataFrame:
    df = df.drop(columns=[ROW_COLUMN], errors="ignore").copy()
    table = TABLES[name]
    for col in table.columns:
        if col.name not in df.columns:
            continue
        if col.kind == "id":
            df[col.name] = df[col.name].astype("string")
        elif col.kind == "date":
            df[col.name] = pd.to_datetime(df[col.name], format="ISO8601").astype("datetime64[s]")
        elif col.kind == "number":
            df[col.name] = pd.to_numeric(df[col.name]).astype(float)
        elif col.kind == "count":
            df[col.name] = pd.to_numeric(df[col.name]).round().astype("Int64" if df[col.name].isna().any() else "int64")
    for c in df.columns:
        if any(c.startswith(p) for p in table.open_columns):
            df[c] = pd.to_numeric(df[c]).round().astype("int64")
    return df


def write_bundle(build: BundleBuild, target: Path, log=print) -> Path:
    """Validate `build` and write it to folder `target` atomically.

    The bundle is written to a sibling temporary folder, H3 areal weights are derived for every
    resolution in the manifest, and only then the folder replaces `target`. Any failure leaves an
    existing bundle at `target` untouched.
    """
    manifest = build.manifest
    validate_tables(build.tables, manifest)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        counts = {}
        for name, df in build.tables.items():
            df = _normalise(name, df)
            if isinstance(df, gpd.GeoDataFrame):
                df.to_parquet(tmp / TABLES[name].file, index=False, compression="zstd")
            else:
                pd.DataFrame(df).to_parquet(tmp / TABLES[name].file, index=False, compression="zstd")
            counts[name] = {"file": TABLES[name].file, "rows": len(df)}
        units = build.tables["units"]
        finest = units[units["level"] == manifest.levels[-1].id]
        for res in manifest.h3_resolutions:
            t0 = time.perf_counter()
            w = areal_weights(finest["unit_id"].astype(str).to_numpy(), finest.geometry.values, res)
            w.to_parquet(tmp / weights_file(res), index=False, compression="zstd")
            counts[f"h3_weights_r{res}"] = {"file": weights_file(res), "rows": len(w)}
            log(f"  H3 res {res}: {w['cell'].nunique():,} cells, weights in {time.perf_counter() - t0:.1f} s")
        manifest.tables = counts
        manifest.built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        (tmp / MANIFEST).write_text(json.dumps(dataclasses.asdict(manifest), indent=2, ensure_ascii=False), encoding="utf-8")
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _swap_into_place(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.parent / f".old-{target.name}-{uuid.uuid4().hex[:8]}"
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def replace_tables(folder: Path, tables: dict[str, pd.DataFrame], sources: list[Source], append: bool = False) -> Path:
    """Add or replace tables of a built bundle (user imports), atomically.

    With ``append=True`` the rows are added to the table's existing rows. The result is validated together
    with the bundle's other tables, written to a temporary copy of the bundle and moved into place only when
    complete; any problem leaves the bundle untouched. Sources with the same key are replaced.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    merged = {name: read_table(folder, name) for name in manifest.tables if name in TABLES}
    for name, df in tables.items():
        if append and name in merged:
            old = merged[name]
            old[ROW_COLUMN] = pd.NA  # rows already in the bundle have no row in the imported file
            combined = pd.concat([old, df], ignore_index=True)
            df = gpd.GeoDataFrame(combined, geometry="geometry", crs=old.crs) if isinstance(old, gpd.GeoDataFrame) else combined
            df.attrs = dict(tables[name].attrs)
        merged[name] = df
    validate_tables(merged, manifest)
    keys = {src.key for src in sources}
    manifest.sources = [src for src in manifest.sources if src.key not in keys] + list(sources)
    tmp = folder.parent / f".tmp-{folder.name}-{uuid.uuid4().hex[:8]}"
    shutil.copytree(folder, tmp)
    try:
        for name in tables:
            df = _normalise(name, merged[name])
            df.to_parquet(tmp / TABLES[name].file, index=False, compression="zstd")
            manifest.tables[name] = {"file": TABLES[name].file, "rows": len(df)}
        manifest.built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        (tmp / MANIFEST).write_text(json.dumps(dataclasses.asdict(manifest), indent=2, ensure_ascii=False), encoding="utf-8")
        _swap_into_place(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def read_manifest(folder: Path) -> Manifest:
    """Read `manifest.json` of a bundle folder."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path}: no city bundle here (run `quartiersatlas build berlin` or `quartiersatlas build demo`)")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("format_version") != BUNDLE_FORMAT_VERSION:
        raise ValueError(f"{path}: bundle format version {raw.get('format_version')} is not {BUNDLE_FORMAT_VERSION}; "
                         "rebuild it with `quartiersatlas build`")
    raw["levels"] = [Level(**lvl) for lvl in raw["levels"]]
    raw["sources"] = [Source(**src) for src in raw["sources"]]
    return Manifest(**raw)


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """Read one table; GeoParquet tables come back as GeoDataFrames."""
    path = Path(folder) / TABLES[name].file
    if TABLES[name].geometry:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)
