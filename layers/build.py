"""Building a city's bundle from its source (`quartiersatlas build`): the source modules load here, not where the app
only needs to know its cities (`layers.cities`)."""

from __future__ import annotations

import time
from pathlib import Path

from .bundle import write_bundle
from .cities import berlin_available, bundle_path, known_cities
from .settings import Settings
from .sources.berlin import build_berlin
from .sources.demo import build_demo
from .sources.generic import build_described, described_cities, description_path, read_description
from .sources.user_files import reapply_imports


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
