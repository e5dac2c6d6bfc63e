"""Bundles for many municipalities built in parallel on a Dask cluster, and the regional bundle of their figures.

`build_many` reads a region file (data/regions/<id>.toml, docs/regions.md), sends one task per municipality to a Dask
cluster — a local one (`LocalCluster`, one process per worker) unless a scheduler address is given — and each task builds
that municipality's own bundle with the same code as `quartiersatlas build` (atomic write) and returns a small summary:
residents per top-level unit and Stichtag, the outlines of those units, the sources. From the summaries the client builds
the regional bundle: level `gemeinde` (municipality) over level `bezirk` (each municipality's own top level), counts per
Bezirk and Stichtag, written atomically like every bundle. The app serves it as any city: one bundle per process.
"""

from __future__ import annotations

import re
import time
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .build import build_city
from .bundle import BundleValidationError, load_bundle, write_bundle
from .bundle.schema import CRS, ID, Level, Manifest
from .bundle.store import BundleBuild
from .bundle.validate import Problem
from .cities import REGIONS
from .settings import Settings
from .sources.demo import SIZES, build_demo
from .sources.demo_geography import CENTRE_LAT, CENTRE_LON
from .sources.generic import described_cities
from .spatial.basis import Basis

SOURCES = ("demo", "berlin")  # plus every described city (data/cities)


@dataclass(frozen=True)
class Member:
    """One municipality of a region file."""

    id: str
    name: str
    source: str
    size: str | None = None
    seed: int | None = None
    centre: tuple[float, float] | None = None  # (lon, lat) in degrees, demo municipalities only
    in_region: bool = True


@dataclass(frozen=True)
class Region:
    id: str
    title: str
    title_en: str
    h3_resolutions: tuple[int, ...]
    members: tuple[Member, ...]
    path: Path


def region_path(region_id: str) -> Path:
    return REGIONS / f"{region_id}.toml"


def _problem(path: Path, entry: int | None, key: str, message: str) -> BundleValidationError:
    where = f"municipality {entry}" if entry is not None else "[region]"
    return BundleValidationError([Problem(str(path), entry, key, f"{where}: {message}")])


def read_region(path: Path | str) -> Region:
    """The region file as a Region; a clear error naming the file, the entry (1-based) and the key for anything wrong."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BundleValidationError([Problem(str(path), None, None, f"cannot read the region file ({exc})")]) from exc
    head = raw.get("region")
    if not isinstance(head, dict) or not head.get("id"):
        raise _problem(path, None, "id", "the region file needs [region] with an id")
    resolutions = tuple(head.get("h3_resolutions", [7, 8]))
    if not all(isinstance(r, int) and 7 <= r <= 10 for r in resolutions):
        raise _problem(path, None, "h3_resolutions", f"integers from 7 to 10, got {list(resolutions)!r}")
    sources = (*SOURCES, *described_cities())
    members, seen = [], set()
    for n, entry in enumerate(raw.get("municipality", []), start=1):
        unknown = sorted(set(entry) - {"id", "name", "source", "size", "seed", "centre", "in_region"})
        if unknown:
            raise _problem(path, n, unknown[0], f"unknown key {unknown[0]!r} (known: id, name, source, size, seed, centre, in_region)")
        for key in ("id", "name", "source"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise _problem(path, n, key, f"needs a text {key}")
        if entry["id"] in seen or not re.fullmatch(ID, entry["id"]) or "." in entry["id"]:
            raise _problem(path, n, "id", f"{entry['id']!r} is used twice or is not a bundle id (letters, digits, _ : -)")
        seen.add(entry["id"])
        if entry["source"] not in sources:
            raise _problem(path, n, "source", f"{entry['source']!r}; one of {', '.join(sources)}")
        centre = None
        if entry["source"] == "demo":
            if entry.get("size") not in SIZES:
                raise _problem(path, n, "size", f"{entry.get('size')!r}; one of {', '.join(SIZES)}")
            if not isinstance(entry.get("seed"), int):
                raise _problem(path, n, "seed", "needs an integer seed")
            c = entry.get("centre")
            if not (isinstance(c, list) and len(c) == 2 and all(isinstance(v, int | float) for v in c)
                    and 5.0 <= c[0] <= 16.0 and 47.0 <= c[1] <= 55.5):
                raise _problem(path, n, "centre", f"[lon, lat] in Germany (degrees), got {c!r}")
            centre = (float(c[0]), float(c[1]))
        elif entry["id"] != entry["source"]:
            raise _problem(path, n, "id", f"a {entry['source']} municipality has the id {entry['source']!r}")
        members.append(Member(entry["id"], entry["name"], entry["source"], entry.get("size"), entry.get("seed"), centre,
                              bool(entry.get("in_region", True))))
    if not any(m.in_region for m in members):
        raise _problem(path, None, "municipality", "no municipality is in the region")
    return Region(head["id"], head.get("title", head["id"]), head.get("title_en", head.get("title", head["id"])), resolutions,
                  tuple(members), path)


# --- one municipality (runs on a Dask worker) ------------------------------------------------------------------------

def relocate(build, lon: float, lat: float):
    """The demo build moved so that its centre (demo_geography.CENTRE_LON/LAT) sits at (lon, lat): every geometry and
    every lon/lat column of every table translated by the same offset (degrees)."""
    dlon, dlat = lon - CENTRE_LON, lat - CENTRE_LAT
    tables = {}
    for name, df in build.tables.items():
        df = df.copy()
        if isinstance(df, gpd.GeoDataFrame):
            df = df.set_geometry(df.geometry.translate(xoff=dlon, yoff=dlat))
        for column, offset in (("lon", dlon), ("lat", dlat)):
            if column in df:
                df[column] = df[column] + offset
        tables[name] = df
    return replace(build, tables=tables)


def build_member(settings: Settings, member: Member) -> dict:
    """Build one municipality's bundle (atomic, as `quartiersatlas build`) and return its summary for the region."""
    t0 = time.perf_counter()
    if member.source == "demo":
        build = build_demo(member.size, member.seed, [int(r) for r in settings.h3_resolutions])
        build = relocate(build, *member.centre)
        build = replace(build, manifest=replace(build.manifest, city=member.id, title=f"{member.name} (synthetisch)"))
        folder = write_bundle(build, settings.path("bundle_dir") / member.id, log=lambda *_: None)
    else:
        folder = build_city(settings, member.source, log=lambda *_: None)
    bundle = load_bundle(folder)
    top = bundle.levels[0]
    units = bundle.units_of(top.id)
    counts = pd.concat([bundle.counts(Basis(level=top.id), p).frame.reindex(units.index).assign(period=p) for p in bundle.periods])
    counts.index.name = "unit_id"
    try:
        from distributed import get_worker  # dask's distributed: about 1 s to import, needed by `build --many` only

        worker = get_worker().address
    except (ImportError, ValueError):
        worker = "local"
    return {"id": member.id, "name": member.name, "folder": str(folder), "synthetic": bundle.manifest.synthetic,
            "periods": list(bundle.periods), "counts": counts.reset_index(),
            "units": gpd.GeoDataFrame({"unit_id": units.index.astype(str), "name": units["name"].astype(str).to_numpy()},
                                      geometry=units.geometry.to_numpy(), crs=CRS),
            "sources": list(bundle.manifest.sources), "seconds": time.perf_counter() - t0, "worker": worker}


# --- the regional bundle --------------------------------------------------------------------------------------------

def region_build(region: Region, summaries: list[dict]):
    """The regional bundle (levels gemeinde → bezirk) from the members' summaries."""
    inside = [s for s in summaries if next(m for m in region.members if m.id == s["id"]).in_region]
    periods = sorted(set.intersection(*(set(s["periods"]) for s in inside)))
    for s in inside:
        if not set(s["periods"]) & set(periods) or not periods:
            raise _problem(region.path, None, "municipality", f"{s['id']} shares no Stichtag with the other municipalities "
                                                              f"(its own: {', '.join(s['periods'])}); set in_region = false")
    columns = [c for c in inside[0]["counts"].columns if c not in ("unit_id", "period")
               and all(c in s["counts"].columns for s in inside)]
    dropped = sorted({c for s in inside for c in s["counts"].columns} - set(columns) - {"unit_id", "period"})
    gemeinden, bezirke, population = [], [], []
    for s in inside:
        parts = s["units"].assign(unit_id=s["id"] + "." + s["units"]["unit_id"], level="bezirk", parent_id=s["id"])
        bezirke.append(parts)
        gemeinden.append(gpd.GeoDataFrame({"unit_id": [s["id"]], "level": ["gemeinde"], "name": [s["name"]], "parent_id": [None]},
                                          geometry=[shapely.union_all(parts.geometry.to_numpy())], crs=CRS))
        c = s["counts"][s["counts"]["period"].isin(periods)]
        population.append(c.assign(unit_id=s["id"] + "." + c["unit_id"].astype(str))[["unit_id", "period", *columns]])
    units = pd.concat([*gemeinden, *bezirke], ignore_index=True)
    units = gpd.GeoDataFrame(units, geometry="geometry", crs=CRS)
    sources = list({src.key: src for s in inside for src in s["sources"]}.values())
    left_out = [s["id"] for s in summaries if s not in inside]
    notes = {
        "de": (f"Summen der Gemeinde-Bundles ({len(inside)} Gemeinden, gebaut mit quartiersatlas build --many); Stichtage, die "
               "alle Gemeinden haben." + (f" Nicht in der Region: {', '.join(left_out)}." if left_out else "")
               + (f" Nicht bei allen vorhanden, daher weggelassen: {', '.join(dropped)}." if dropped else "")),
        "en": (f"Sums of the municipality bundles ({len(inside)} municipalities, built with quartiersatlas build --many); the "
               "Stichtage all of them have." + (f" Not in the region: {', '.join(left_out)}." if left_out else "")
               + (f" Not present in all, left out: {', '.join(dropped)}." if dropped else "")),
    }
    manifest = Manifest(city=region.id, title=region.title, synthetic=any(s["synthetic"] for s in inside),
                        levels=[Level("gemeinde", "Gemeinde", "municipality"), Level("bezirk", "Bezirk", "district")],
                        periods=periods, sources=sources, notes=notes, h3_resolutions=list(region.h3_resolutions))
    pop = pd.concat(population, ignore_index=True)
    pop["period"] = pop["period"].astype("string")
    return BundleBuild(manifest, {"units": units, "population": pop})


def build_many(settings: Settings, path: Path | str, scheduler: str | None = None, workers: int = 2, log=print) -> dict:
    """Build every municipality of the region file in parallel on Dask, then the regional bundle.

    Parameters
    ----------
    scheduler : address of a running Dask scheduler (``tcp://host:8786``); None starts a local cluster of `workers`
        processes with one thread each. On a real cluster every worker needs this code, the same config and a shared
        `bundle_dir`.

    Returns
    -------
    dict with ``region`` (folder of the regional bundle), ``members`` (per municipality: id, seconds, worker), ``seconds``.
    """
    from distributed import Client, LocalCluster  # about 1 s to import, needed by `build --many` only

    region = read_region(path)
    t0 = time.perf_counter()
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None, silence_logs=40)
    try:
        with Client(scheduler or cluster) as client:
            futures = {client.submit(build_member, settings, m, key=f"build-{m.id}", pure=False): m for m in region.members}
            summaries, failed = [], []
            for future, member in futures.items():
                try:
                    summary = future.result()
                except Exception as exc:  # noqa: BLE001 — every failure is reported with the municipality it belongs to
                    failed.append(f"{member.id}: {exc}")
                    continue
                summaries.append(summary)
                log(f"  {member.id:<10} {summary['seconds']:6.1f} s  {summary['worker']}")
    finally:
        if cluster is not None:
            cluster.close()
    if failed:
        raise BundleValidationError([Problem(str(region.path), None, "municipality",
                                             f"{len(failed)} municipalities failed, the regional bundle was not written: "
                                             + "; ".join(failed))])
    folder = write_bundle(region_build(region, summaries), settings.path("bundle_dir") / region.id, log=lambda *_: None)
    seconds = time.perf_counter() - t0
    log(f"built {len(summaries)} municipalities and {folder} in {seconds:.1f} s")
    return {"region": folder, "members": [{k: s[k] for k in ("id", "seconds", "worker")} for s in summaries], "seconds": seconds}
