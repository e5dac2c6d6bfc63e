"""The scenario model: interventions (housing, new facility, facility change, new accommodation) and their serialisation."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Union

from ..bundle.schema import ACCOMMODATION_TYPES

SITE_KINDS = ("point", "cell", "unit")
MIXES = ("reference", "new_build", "subsidised")
INTERVENTION_KINDS = ("housing", "facility", "change", "accommodation")
URL_PARAM_VERSION = "1"
NEW_FACILITY_PREFIX = "scenario-"  # id of a facility or site the scenario adds: the prefix and its 1-based position


class ScenarioError(ValueError):
    """A scenario or one of its interventions is malformed or implausible.

    The message names the file (or "scenario"), the intervention (1-based) with its kind, and the field, e.g.
    ``scenario.json: intervention 2 (housing), field 'dwellings': -5 is negative``.
    """

    def __init__(self, message: str, *, source: str = "scenario", index: int | None = None, kind: str | None = None,
                 field: str | None = None):
        self.source, self.index, self.kind, self.field = source, index, kind, field
        where = source
        if index is not None:
            where += f": intervention {index}" + (f" ({kind})" if kind else "")
        if field is not None:
            where += f", field {field!r}"
        self.detail = message
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Site:
    """Where an intervention goes: a point (lon/lat, WGS84 degrees), an H3 cell (hex id) or a unit (unit id).

    A map click on a unit gives ``Site("unit", lon, lat, id)``; on an H3 cell ``Site("cell", lon, lat, hex)``;
    a drawn or picked site ``Site("point", lon, lat)``.
    """

    kind: str
    lon: float | None = None
    lat: float | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        # 6 decimals (about 0.1 m): what the JSON and the link keep, so a round trip gives an equal scenario
        for name in ("lon", "lat"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v):
                object.__setattr__(self, name, round(float(v), 6))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind}
        if self.lon is not None:
            d["lon"], d["lat"] = round(float(self.lon), 6), round(float(self.lat), 6)
        if self.id is not None:
            d["id"] = self.id
        return d


@dataclass(frozen=True)
class Housing:
    """New dwellings on a site.

    residents added = dwellings × persons_per_dwelling, split by age band and group by `mix`:
    ``reference`` (the composition of `reference_area`, default the finest unit containing the site),
    ``new_build`` or ``subsidised`` (typical mixes from settings). `subsidised_share` (0–1) blends the
    subsidised mix into the reference or new-build mix.
    """

    site: Site
    dwellings: int
    persons_per_dwelling: float = 2.0
    subsidised_share: float = 0.0
    mix: str = "reference"
    reference_area: str | None = None
    label: str = ""

    kind = "housing"

    @property
    def residents(self) -> float:
        return self.dwellings * self.persons_per_dwelling


@dataclass(frozen=True)
class NewFacility:
    """A new facility or meeting place of `facility_type` with `capacity` (places, pupils or visitors)."""

    site: Site
    facility_type: str
    capacity: float
    label: str = ""

    kind = "facility"


@dataclass(frozen=True)
class FacilityChange:
    """A change to an existing facility: new capacity, or closure (capacity 0 or ``closed=True``)."""

    facility_id: str
    capacity: float | None = None
    closed: bool = False
    label: str = ""

    kind = "change"

    @property
    def is_closure(self) -> bool:
        return self.closed or (self.capacity is not None and self.capacity == 0)


@dataclass(frozen=True)
class NewAccommodation:
    """A new accommodation site for refugees or other arriving people with `places` (persons).

    residents added = places × occupancy (None: the setting ``accommodation_occupancy``), split by age band with the
    setting ``accommodation_age_mix``; all of them with migration background and foreign citizenship (assumption).
    """

    site: Site
    places: int
    accommodation_type: str = "gemeinschaftsunterkunft"
    occupancy: float | None = None
    label: str = ""

    kind = "accommodation"


Intervention = Union[Housing, NewFacility, FacilityChange, NewAccommodation]


@dataclass(frozen=True)
class Scenario:
    """A named list of interventions on top of a baseline bundle; empty = the baseline itself."""

    name: str = ""
    interventions: tuple[Intervention, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "interventions", tuple(self.interventions))

    # --- editing ----------------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not self.interventions

    def __len__(self) -> int:
        return len(self.interventions)

    def with_intervention(self, intervention: Intervention) -> "Scenario":
        return replace(self, interventions=self.interventions + (intervention,))

    def without(self, index: int) -> "Scenario":
        """The scenario without the intervention at `index` (0-based)."""
        self._check_index(index)
        return replace(self, interventions=self.interventions[:index] + self.interventions[index + 1:])

    def replaced(self, index: int, intervention: Intervention) -> "Scenario":
        """The scenario with the intervention at `index` (0-based) replaced."""
        self._check_index(index)
        return replace(self, interventions=self.interventions[:index] + (intervention,) + self.interventions[index + 1:])

    def renamed(self, name: str) -> "Scenario":
        return replace(self, name=name)

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self.interventions):
            raise IndexError(f"intervention index {index} out of range (the scenario has {len(self.interventions)})")

    # --- serialisation ------------------------------------------------------------------------
    def to_dict(self, compact: bool = False) -> dict[str, Any]:
        """Plain JSON types; each intervention has ``"kind"``. `compact` leaves out fields at their defaults."""
        return {"name": self.name, "interventions": [_intervention_to_dict(i, compact) for i in self.interventions]}

    @classmethod
    def from_dict(cls, d: Any, source: str = "scenario") -> "Scenario":
        """Parse and type-check a dict from `to_dict` (or a JSON file); ScenarioError naming source, intervention and field."""
        if not isinstance(d, dict):
            raise ScenarioError(f"expected a JSON object with 'name' and 'interventions', got {type(d).__name__}", source=source)
        unknown = set(d) - {"name", "interventions", "version", "saved_at", "city"}
        if unknown:
            raise ScenarioError(f"unknown keys {sorted(unknown)}; expected 'name' and 'interventions'", source=source)
        name = d.get("name", "")
        if name is None:
            name = ""
        if not isinstance(name, str):
            raise ScenarioError(f"'name' must be text, got {name!r}", source=source, field="name")
        items = d.get("interventions", [])
        if not isinstance(items, list):
            raise ScenarioError(f"'interventions' must be a list, got {type(items).__name__}", source=source, field="interventions")
        return cls(name, tuple(_intervention_from_dict(item, source, i) for i, item in enumerate(items, start=1)))

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "scenario") -> "Scenario":
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"not valid JSON ({exc})", source=source) from None
        return cls.from_dict(d, source)

    def to_url_param(self) -> str:
        """Compact and URL-safe: version + base64url(zlib(compact JSON)), no padding."""
        raw = json.dumps(self.to_dict(compact=True), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return URL_PARAM_VERSION + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")

    @classmethod
    def from_url_param(cls, text: str) -> "Scenario":
        source = "scenario link"
        if not isinstance(text, str) or len(text) < 2 or text[0] != URL_PARAM_VERSION:
            raise ScenarioError("not a scenario parameter of this version", source=source)
        body = text[1:]
        try:
            raw = zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), bufsize=1 << 16)
            if len(raw) > 1_000_000:
                raise ValueError("too large")
            d = json.loads(raw.decode("utf-8"))
        except (ValueError, zlib.error, UnicodeDecodeError) as exc:
            raise ScenarioError(f"the link's scenario cannot be read ({exc})", source=source) from None
        return cls.from_dict(d, source)

    def fingerprint(self) -> str:
        """Short stable hash of the interventions (not the name): equal interventions, equal fingerprint."""
        raw = json.dumps([_intervention_to_dict(i, False) for i in self.interventions], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


# --- dict conversion -----------------------------------------------------------------------------
_DEFAULTS = {
    "housing": {"persons_per_dwelling": 2.0, "subsidised_share": 0.0, "mix": "reference", "reference_area": None, "label": ""},
    "facility": {"label": ""},
    "change": {"capacity": None, "closed": False, "label": ""},
    "accommodation": {"accommodation_type": "gemeinschaftsunterkunft", "occupancy": None, "label": ""},
}


def _num(x: float) -> float | int:
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _intervention_to_dict(i: Intervention, compact: bool) -> dict[str, Any]:
    if isinstance(i, Housing):
        d = {"kind": "housing", "site": i.site.to_dict(), "dwellings": int(i.dwellings), "persons_per_dwelling": float(i.persons_per_dwelling),
             "subsidised_share": float(i.subsidised_share), "mix": i.mix, "reference_area": i.reference_area, "label": i.label}
    elif isinstance(i, NewFacility):
        d = {"kind": "facility", "site": i.site.to_dict(), "facility_type": i.facility_type, "capacity": _num(i.capacity), "label": i.label}
    elif isinstance(i, FacilityChange):
        d = {"kind": "change", "facility_id": i.facility_id, "capacity": None if i.capacity is None else _num(i.capacity),
             "closed": bool(i.closed), "label": i.label}
    elif isinstance(i, NewAccommodation):
        d = {"kind": "accommodation", "site": i.site.to_dict(), "places": int(i.places), "accommodation_type": i.accommodation_type,
             "occupancy": None if i.occupancy is None else float(i.occupancy), "label": i.label}
    else:
        raise TypeError(f"not an intervention: {i!r}")
    if compact:
        d = {k: v for k, v in d.items() if k not in _DEFAULTS[d["kind"]] or _DEFAULTS[d["kind"]][k] != v}
    return d


class _Reader:
    """Typed field access on one intervention dict, raising ScenarioError that names source, index, kind and field."""

    def __init__(self, d: dict, source: str, index: int, kind: str | None):
        self.d, self.source, self.index, self.kind = d, source, index, kind

    def error(self, message: str, fld: str | None = None) -> ScenarioError:
        return ScenarioError(message, source=self.source, index=self.index, kind=self.kind, field=fld)

    def number(self, name: str, default: Any = ..., integer: bool = False, optional: bool = False) -> Any:
        if name not in self.d or (optional and self.d[name] is None):
            if default is ...:
                raise self.error("is missing", name)
            return default
        v = self.d[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            if isinstance(v, str):
                try:
                    v = float(v.replace(",", ".")) if not integer else float(v)
                except ValueError:
                    raise self.error(f"{v!r} is not a number", name) from None
            else:
                raise self.error(f"{v!r} is not a number", name)
        if not math.isfinite(v):
            raise self.error(f"{v!r} is not a finite number", name)
        if integer:
            if float(v) != int(v):
                raise self.error(f"{v!r} is not a whole number", name)
            return int(v)
        return float(v)

    def text(self, name: str, default: Any = ..., optional: bool = False, choices: tuple[str, ...] = ()) -> Any:
        if name not in self.d or (optional and self.d[name] is None):
            if default is ...:
                raise self.error("is missing", name)
            return default
        v = self.d[name]
        if not isinstance(v, str):
            raise self.error(f"{v!r} is not text", name)
        if choices and v not in choices:
            raise self.error(f"{v!r} is not one of {', '.join(choices)}", name)
        return v

    def flag(self, name: str, default: bool) -> bool:
        v = self.d.get(name, default)
        if not isinstance(v, bool):
            raise self.error(f"{v!r} is not true or false", name)
        return v

    def site(self) -> Site:
        s = self.d.get("site")
        if not isinstance(s, dict):
            raise self.error("is missing or not an object with 'kind' and 'lon'/'lat' or 'id'", "site")
        kind = s.get("kind")
        if kind not in SITE_KINDS:
            raise self.error(f"kind {kind!r} is not one of {', '.join(SITE_KINDS)}", "site")
        sub = _Reader(s, self.source, self.index, self.kind)
        lon = sub.number("lon", None, optional=True)
        lat = sub.number("lat", None, optional=True)
        sid = sub.text("id", None, optional=True)
        if (lon is None) != (lat is None):
            raise self.error("needs both 'lon' and 'lat'", "site")
        if kind == "point" and lon is None:
            raise self.error("a point site needs 'lon' and 'lat'", "site")
        if kind in ("cell", "unit") and not sid:
            raise self.error(f"a {kind} site needs 'id'", "site")
        if lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise self.error(f"lon/lat ({lon}, {lat}) are not WGS84 degrees", "site")
        return Site(kind, lon, lat, sid)


def _intervention_from_dict(item: Any, source: str, index: int) -> Intervention:
    if not isinstance(item, dict):
        raise ScenarioError(f"expected an object, got {type(item).__name__}", source=source, index=index)
    kind = item.get("kind")
    if kind not in INTERVENTION_KINDS:
        raise ScenarioError(f"{kind!r} is not one of {', '.join(INTERVENTION_KINDS)}", source=source, index=index, field="kind")
    r = _Reader(item, source, index, kind)
    allowed = {"kind", *(_DEFAULTS[kind])} | {"housing": {"site", "dwellings"}, "facility": {"site", "facility_type", "capacity"},
                                               "change": {"facility_id"}, "accommodation": {"site", "places"}}[kind]
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise r.error(f"unknown field(s) {unknown}; allowed: {sorted(allowed)}")
    label = r.text("label", "", optional=True)
    if kind == "housing":
        return Housing(r.site(), r.number("dwellings", integer=True), r.number("persons_per_dwelling", 2.0),
                       r.number("subsidised_share", 0.0), r.text("mix", "reference", choices=MIXES),
                       r.text("reference_area", None, optional=True), label)
    if kind == "facility":
        return NewFacility(r.site(), r.text("facility_type"), r.number("capacity"), label)
    if kind == "accommodation":
        return NewAccommodation(r.site(), r.number("places", integer=True), r.text("accommodation_type", "gemeinschaftsunterkunft",
                                                                                 choices=ACCOMMODATION_TYPES),
                                r.number("occupancy", None, optional=True), label)
    return FacilityChange(r.text("facility_id"), r.number("capacity", None, optional=True), r.flag("closed", False), label)
