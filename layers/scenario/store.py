"""Saved scenarios: one JSON file per scenario in the configured folder (`scenario_dir`), written atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..bundle import Bundle
from ..settings import Settings
from .model import FacilityChange, Scenario, ScenarioError
from .sites import place_site
from .validate import validate_scenario

SUFFIX = ".json"
MAX_NAME = 120
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass(frozen=True)
class ScenarioInfo:
    """A saved scenario: its name, file slug, save time (ISO 8601, UTC) and number of interventions."""

    name: str
    slug: str
    saved_at: str
    n_interventions: int
    city: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "slug": self.slug, "saved_at": self.saved_at, "n_interventions": self.n_interventions, "city": self.city}


def slugify(name: str) -> str:
    """A file-name-safe slug: ASCII lower case, digits and hyphens (umlauts transliterated), at most 80 characters.

    >>> slugify("200 Wohnungen Neukölln / Süd")
    '200-wohnungen-neukoelln-sued'
    """
    text = name.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:80].strip("-")


class ScenarioStore:
    """Scenarios saved as JSON files in `folder` (created on the first save)."""

    def __init__(self, folder: Path | str, settings: Settings | None = None):
        self.folder = Path(folder)
        self.settings = settings

    def _path(self, slug: str) -> Path:
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            raise ScenarioError(f"{slug!r} is not a scenario name in this store", source=str(slug))
        return self.folder / f"{slug}{SUFFIX}"

    def list(self) -> list[ScenarioInfo]:
        """Saved scenarios, newest first; unreadable files are left out (loading them names the problem)."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            try:
                d = json.loads(path.read_text(encoding="utf-8"))
                out.append(ScenarioInfo(str(d.get("name", path.stem)), path.stem, str(d.get("saved_at", "")),
                                        len(d.get("interventions", [])), str(d.get("city", ""))))
            except (OSError, ValueError, AttributeError, TypeError):
                continue
        return sorted(out, key=lambda i: (i.saved_at, i.slug), reverse=True)

    def load(self, slug: str) -> Scenario:
        """The scenario saved under `slug`; ScenarioError naming the file when it is missing or malformed."""
        path = self._path(slug)
        if not path.exists():
            raise ScenarioError("no saved scenario of this name", source=path.name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"cannot be read ({getattr(exc, 'strerror', None) or type(exc).__name__})", source=path.name) from None
        return Scenario.from_json(text, source=path.name)

    def save(self, scenario: Scenario, bundle: Bundle) -> ScenarioInfo:
        """Validate, then write atomically (temp file + os.replace); the slug comes from the name. Overwrites a save of the same name."""
        name = (scenario.name or "").strip()
        if not name:
            raise ScenarioError("a saved scenario needs a name", field="name")
        if len(name) > MAX_NAME:
            raise ScenarioError(f"the name is longer than {MAX_NAME} characters", field="name")
        slug = slugify(name)
        if not slug:
            raise ScenarioError(f"the name {name!r} has no letters or digits to name a file by", field="name")
        validate_scenario(bundle, scenario, self.settings)
        saved_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        payload = {"version": 1, "city": bundle.manifest.city, "saved_at": saved_at, **scenario.to_dict()}
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(slug)
        fd, tmp = tempfile.mkstemp(prefix=f".{slug}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(payload, f, ensure_ascii=False, indent=2)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return ScenarioInfo(name, slug, saved_at, len(scenario.interventions), bundle.manifest.city)

    def delete(self, slug: str) -> None:
        path = self._path(slug)
        if not path.exists():
            raise ScenarioError("no saved scenario of this name", source=path.name)
        path.unlink()


def store_for(settings: Settings) -> ScenarioStore:
    """The store in the folder of the setting `scenario_dir`."""
    return ScenarioStore(settings.path("scenario_dir"), settings)


def _intervention_units(bundle: Bundle, scenario: Scenario) -> set[str]:
    units: set[str] = set()
    fac = None
    for i in scenario.interventions:
        if isinstance(i, FacilityChange):
            if fac is None:
                fac = bundle.table("facilities").set_index("facility_id") if bundle.has("facilities") else None
            if fac is not None and i.facility_id in fac.index and "unit_id" in fac.columns:
                u = fac.loc[i.facility_id, "unit_id"]
                if isinstance(u, str):
                    units.add(u)
            continue
        try:
            units.add(place_site(bundle, i.site).unit_id)
        except ValueError:
            continue
    return units


def scenarios_touching(bundle: Bundle, store: ScenarioStore, unit_id: str) -> list[ScenarioInfo]:
    """Saved scenarios with an intervention inside `unit_id` (any level) or its descendants; unreadable files are skipped."""
    units = bundle.units.set_index("unit_id")
    if unit_id not in units.index:
        raise KeyError(f"unknown unit id {unit_id!r}")
    members = bundle.ancestor(str(units.loc[unit_id, "level"]))
    inside = set(members.index[members == unit_id])
    out = []
    for info in store.list():
        if info.city and info.city != bundle.manifest.city:
            continue
        try:
            scenario = store.load(info.slug)
        except ScenarioError:
            continue
        if _intervention_units(bundle, scenario) & inside:
            out.append(info)
    return out
