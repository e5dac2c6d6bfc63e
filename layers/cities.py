"""Which city bundle to build and serve, and building it from its source."""

from __future__ import annotations

import time
from pathlib import Path

from .bundle import write_bundle
from .settings import Settings
from .sources.berlin import build_berlin
from .sources.demo import build_demo
from .sources.generic import build_described, described_cities, description_path, read_description
from .sources.user_files import reapply_imports

DEMO_SIZES = ("small", "city", "berlin")
REGIONS = Path(__file__).resolve().parent.parent / "data" / "regions"


def region_ids() -> list[str]:
    """Regions described by a file in data/regions (built by `layers.scaleout`)."""
    return sorted(p.stem for p in REGIONS.glob("*.toml"))


def known_cities() -> list[str]:
    """Every bundle the app can build and serve: Berlin, the demo city, the described cities and the regions
    (data/regions; built with `quartiersatlas build --many`)."""
    return ["berlin", "demo", *described_cities(), *region_ids()]


def berlin_available(settings: Settings) -> bool:
    """True when the configured Berlin folder exists."""
    return (settings.path("berlin_dir") / "berlin_lor_2021").is_dir()


def default_city(settings: Settings) -> str:
    """`berlin` or `demo`: the city setting, with `auto` resolved to Berlin where its folder is found."""
    if settings.city != "auto":
        return settings.city
    return "berlin" if berlin_available(settings) else "demo"


def bundle_name(city: str, size: str | None = None) -> str:
    """Folder name of a bundle: `berlin`, `demo-<size>`, or the id of a described city (`koeln`)."""
    return f"demo-{size or 'city'}" if city == "demo" else city


def bundle_path(settings: Settings, city: str | None = None, size: str | None = None) -> Path:
    """Folder of the bundle the settings point at (default city and demo size unless given)."""
    city = city or default_city(settings)
    return settings.path("bundle_dir") / bundle_name(city, size or settings.demo_size)


def build_city(settings: Settings, city: str, size: str | None = None, seed: int | None = None, log=print) -> Path:
    """Build a bundle from its source and write it atomically; returns its folder."""
    t0 = time.perf_counter()
    resolutions = [int(r) for r in settings.h3_resolutions]
    if city == "berlin":
        if not berlin_available(settings):
            raise FileNotFoundError(f"Berlin data folder not found at {settings.path('berlin_dir')} "
                                    "(set berlin_dir in config.toml or QUARTIERSATLAS_BERLIN_DIR)")
        build = build_berlin(settings.path("berlin_dir"), resolutions)
        target = bundle_path(settings, "berlin")
    elif city == "demo":
        size = size or settings.demo_size
        build = build_demo(size=size, seed=settings.demo_seed if seed is None else seed, h3_resolutions=resolutions)
        target = bundle_path(settings, "demo", size)
    elif city in described_cities():
        desc = read_description(description_path(city))
        setting = desc["city"].get("data_dir_setting", f"{city}_dir")
        folder = settings.path(setting)
        if not folder.is_dir():
            raise FileNotFoundError(f"data folder of {city} not found at {folder} (set {setting} in config.toml or "
                                    f"QUARTIERSATLAS_{setting.upper()})")
        build = build_described(description_path(city), folder, resolutions)
        target = bundle_path(settings, city)
    elif city in known_cities():  # a region: its municipalities are built on Dask first
        raise ValueError(f"{city} is a region: build it with `quartiersatlas build --many data/regions/{city}.toml`")
    else:
        raise ValueError(f"unknown city {city!r}; choose one of {', '.join(known_cities())}")
    log(f"read {city} source in {time.perf_counter() - t0:.1f} s; writing {target}")
    write_bundle(build, target, log=log)
    reapply_imports(target, log=log)
    log(f"built {target} in {time.perf_counter() - t0:.1f} s")
    return target
