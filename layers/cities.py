"""Which city bundles exist and where they lie (building one: `layers.build`)."""

from __future__ import annotations

from pathlib import Path

from .settings import Settings
from .sources.generic import described_cities

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
