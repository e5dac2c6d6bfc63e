"""The city-bundle schema: tables, columns, id forms and count rules (documented in docs/bundle-format.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BUNDLE_FORMAT_VERSION = 2  # 2: accommodation and housing tables, transit_stop and shop facilities
CRS = "EPSG:4326"

# Age bands are half-open intervals [a, b) in years, as in Berlin's LOR tables (T2/T3).
AGE_BANDS: tuple[str, ...] = (
    "age_0_6", "age_6_15", "age_15_18", "age_18_27", "age_27_45", "age_45_55", "age_55_65", "age_65_plus",
)
# Group columns of the population table and the column each one must not exceed.
POPULATION_GROUPS: dict[str, str] = {
    "pop_mig_bg": "pop_total",
    "pop_foreign": "pop_total",
    "pop_german_mig_bg": "pop_total",
    "pop_german_no_mig_bg": "pop_total",
    "pop_female": "pop_total",
    **{band: "pop_total" for band in AGE_BANDS},
    **{f"mig_bg_{band}": band for band in AGE_BANDS},
}
# Origin-region columns (`origin_<region>`) count residents with migration background by region of origin.
ORIGIN_PREFIX = "origin_"
ORIGIN_TOTAL = "pop_mig_bg"

COMPOSITION_MEASURES: tuple[str, ...] = ("mig_bg", "ndh")
FACILITY_TYPES: tuple[str, ...] = (
    "kita", "primary_school", "secondary_school", "school_other", "youth_club", "library",
    "community_centre", "meeting_place", "place_of_worship", "sports", "playground", "park", "health",
    "transit_stop", "shop",
)
# Kinds of accommodation for refugees and other arriving people (BRIEF §6: sites are internal, never in the portal).
ACCOMMODATION_TYPES: tuple[str, ...] = ("erstaufnahme", "gemeinschaftsunterkunft", "modulare_unterkunft", "wohnungen")
WOHNLAGE_CLASSES: tuple[str, ...] = ("einfach", "mittel", "gut")


@dataclass(frozen=True)
class Column:
    """A column of a bundle table.

    kind: ``id`` (string matching `pattern`), ``str``, ``count`` (integer >= 0), ``number``,
    ``date`` (ISO date), ``int``, ``bool``.
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    pattern: str | None = None
    description: str = ""
    choices: tuple[str, ...] = ()  # allowed values of a ``str`` column (empty: any)
    minimum: float | None = None  # smallest allowed value of a ``number`` or ``int`` column


@dataclass(frozen=True)
class Table:
    """A bundle table stored as one (Geo)Parquet file."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    geometry: str | None = None  # "polygon", "point", "line" or None
    unit_refs: tuple[str, ...] = ()  # columns whose values must be unit ids
    required: bool = False
    open_columns: tuple[str, ...] = ()  # prefixes of additional count columns allowed

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


ID = r"^[A-Za-z0-9_.:-]{1,64}$"
_count = lambda name, desc="", required=False: Column(name, "count", required=required, nullable=not required, description=desc)  # noqa: E731

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "units",
            "Administrative units of every level; a child's parent is a unit of the next coarser level.",
            (
                Column("unit_id", "id", pattern=ID, description="Unit id (string); its form is set per level in the manifest."),
                Column("level", "str", description="Level id from the manifest, e.g. `planungsraum`."),
                Column("name", "str", description="Official name."),
                Column("parent_id", "id", nullable=True, pattern=ID, description="Id of the unit one level up; empty on the top level."),
            ),
            key=("unit_id",), geometry="polygon", required=True,
        ),
        Table(
            "population",
            "Residents per unit of the finest level and period (Stichtag): totals, groups and age bands.",
            (
                Column("unit_id", "id", pattern=ID),
                Column("period", "date", description="Stichtag, ISO date."),
                Column("pop_total", "count", description="All residents with main residence."),
                *(_count(c) for c in POPULATION_GROUPS),
            ),
            key=("unit_id", "period"), unit_refs=("unit_id",), open_columns=(ORIGIN_PREFIX,),
        ),
        Table(
            "population_points",
            "Residents per address point and period, with the same count columns as `population`.",
            (
                Column("point_id", "id", pattern=ID),
                Column("period", "date"),
                Column("lon", "number", description="Longitude, WGS84 degrees."),
                Column("lat", "number", description="Latitude, WGS84 degrees."),
                Column("unit_id", "id", pattern=ID, description="Finest-level unit containing the point."),
                Column("pop_total", "count"),
                *(_count(c) for c in POPULATION_GROUPS),
            ),
            key=("point_id", "period"), unit_refs=("unit_id",), open_columns=(ORIGIN_PREFIX,),
        ),
        Table(
            "facilities",
            "Facilities as points: Kitas, schools, youth clubs, libraries, meeting places and more.",
            (
                Column("facility_id", "id", pattern=ID),
                Column("type", "str", description="One of " + ", ".join(FACILITY_TYPES) + ".", choices=FACILITY_TYPES),
                Column("name", "str", nullable=True),
                Column("capacity", "count", required=False, nullable=True, description="Places (Kita), pupils or visitors the facility is built for."),
                Column("pupils", "count", required=False, nullable=True, description="Pupils or children enrolled in the stated school year."),
                Column("provider", "str", required=False, nullable=True, description="Carrier / Träger."),
                Column("unit_id", "id", required=False, nullable=True, pattern=ID, description="Finest-level unit containing the point."),
                Column("source", "str", description="Key of the source in the manifest."),
            ),
            key=("facility_id",), geometry="point", unit_refs=("unit_id",),
        ),
        Table(
            "facility_composition",
            "Composition of a facility's children or pupils per period (optional).",
            (
                Column("facility_id", "id", pattern=ID),
                Column("period", "date"),
                Column("children_total", "count"),
                Column("children_mig_bg", "count", description="Of whom with migration background or non-German family language (ndH)."),
                Column("measure", "str", required=False, nullable=True, choices=COMPOSITION_MEASURES,
                       description="What `children_mig_bg` counts: `mig_bg` (migration background, the default) or `ndh` (non-German family language)."),
            ),
            key=("facility_id", "period"),
        ),
        Table(
            "catchments",
            "Catchment areas, e.g. primary-school Einschulbereiche.",
            (
                Column("catchment_id", "id", pattern=ID),
                Column("kind", "str", description="e.g. `primary_school`."),
                Column("name", "str", nullable=True),
                Column("facility_id", "id", required=False, nullable=True, pattern=ID),
            ),
            key=("catchment_id",), geometry="polygon",
        ),
        Table(
            "funding_areas",
            "Funding and protection areas: funding programmes (Quartiersmanagement, Sozialer Zusammenhalt, …) and protection "
            "instruments (soziale Erhaltungsgebiete), told apart by `instrument`.",
            (
                Column("area_id", "id", pattern=ID),
                Column("programme", "str"),
                Column("instrument", "str", required=False, nullable=True, choices=("funding", "protection"),
                       description="`funding` (a funding programme) or `protection` (a protection instrument such as a soziales "
                                   "Erhaltungsgebiet); empty: from the programme's name."),
                Column("name", "str"),
                Column("start_year", "int", required=False, nullable=True),
                Column("end_year", "int", required=False, nullable=True),
                Column("budget_eur", "number", required=False, nullable=True, minimum=0.0, description="Budget in euros (≥ 0, finite)."),
                Column("status", "str", required=False, nullable=True),
            ),
            key=("area_id",), geometry="polygon",
        ),
        Table(
            "streets",
            "Street centre lines: the walking network for distances, coverage, 2SFCA and site suggestions (optional).",
            (
                Column("street_id", "id", pattern=ID),
                Column("name", "str", required=False, nullable=True, description="Street name."),
            ),
            key=("street_id",), geometry="line",
        ),
        Table(
            "green_spaces",
            "Public green spaces and playgrounds from official lists; geometry optional (points where known).",
            (
                Column("space_id", "id", pattern=ID),
                Column("kind", "str", description="`park` or `playground`.", choices=("park", "playground")),
                Column("name", "str", nullable=True),
                Column("area_m2", "number", description="Area in square metres."),
                Column("net_area_m2", "number", required=False, nullable=True, description="Net play area in m² (playgrounds)."),
                Column("unit_id", "id", pattern=ID, nullable=True, description="Finest-level unit the space lies in."),
                Column("lon", "number", required=False, nullable=True),
                Column("lat", "number", required=False, nullable=True),
            ),
            key=("space_id",), unit_refs=("unit_id",),
        ),
        Table(
            "space_use",
            "Observed use of a public space: counter readings or observation surveys.",
            (
                Column("space_id", "id", pattern=ID),
                Column("timestamp", "date"),
                Column("count", "count"),
                Column("method", "str", description="`counter` or `observation`.", choices=("counter", "observation")),
            ),
            key=("space_id", "timestamp"),
        ),
        Table(
            "accommodation",
            "Accommodation sites for refugees and other arriving people (internal: never shown in the public portal).",
            (
                Column("site_id", "id", pattern=ID),
                Column("type", "str", description="One of " + ", ".join(ACCOMMODATION_TYPES) + ".", choices=ACCOMMODATION_TYPES),
                Column("name", "str", nullable=True),
                Column("capacity", "count", description="Places the site is run for (persons)."),
                Column("occupancy", "count", required=False, nullable=True, description="Persons living there at the data's date (≤ capacity)."),
                Column("opened", "date", description="Opening date, ISO date."),
                Column("closed", "date", required=False, nullable=True, description="Closing date, ISO date; empty while open."),
                Column("provider", "str", required=False, nullable=True, description="Operator / Betreiber."),
                Column("unit_id", "id", required=False, nullable=True, pattern=ID, description="Finest-level unit containing the point."),
                Column("source", "str", description="Key of the source in the manifest."),
            ),
            key=("site_id",), geometry="point", unit_refs=("unit_id",),
        ),
        Table(
            "housing",
            "Housing stock per finest unit and period: dwellings, subsidised (social) dwellings, rent level and Wohnlage.",
            (
                Column("unit_id", "id", pattern=ID),
                Column("period", "date", description="Date of the stock figures, ISO date."),
                Column("dwellings", "count", description="All dwellings (Wohnungen)."),
                Column("social_dwellings", "count", required=False, nullable=True,
                       description="Of which subsidised or rent-bound (Sozialwohnungen, belegungsgebunden); ≤ dwellings."),
                Column("rent_eur_m2", "number", required=False, nullable=True, minimum=0.0,
                       description="Net rent (nettokalt), euros per m² and month."),
                Column("wohnlage", "str", required=False, nullable=True, choices=WOHNLAGE_CLASSES,
                       description="Prevailing residential location class of the Mietspiegel: " + ", ".join(WOHNLAGE_CLASSES) + "."),
            ),
            key=("unit_id", "period"), unit_refs=("unit_id",),
        ),
        Table(
            "indicators",
            "Extra indicators per unit and period (long format); metadata per indicator in the manifest.",
            (
                Column("unit_id", "id", pattern=ID),
                Column("period", "date"),
                Column("indicator", "str"),
                Column("value", "number", nullable=True),
            ),
            key=("unit_id", "period", "indicator"), unit_refs=("unit_id",),
        ),
    )
}


@dataclass(frozen=True)
class Level:
    """One administrative level, coarse to fine in the manifest."""

    id: str
    name_de: str
    name_en: str
    id_pattern: str = ID

    def matches(self, unit_id: str) -> bool:
        return re.fullmatch(self.id_pattern, unit_id) is not None


@dataclass(frozen=True)
class Source:
    """Provenance of a source: who made it, licence and the credit line the app shows."""

    key: str
    title: str
    attribution: str
    licence: str
    url: str = ""
    period: str = ""

    @property
    def public_licence(self) -> str:
        """The licence as the public sees it: the stated terms without the maintainers' "(not verified)" notes; empty when
        nothing was stated (the credit line then links to the source, whose terms apply)."""
        parts = [re.sub(r"\(\s*not verified\s*\)", "", p, flags=re.IGNORECASE).strip(" ;,") for p in self.licence.split(";")]
        return "; ".join(p for p in parts if p and "not verified" not in p.lower())


@dataclass
class Manifest:
    """`manifest.json`: what the bundle holds and where it came from."""

    city: str
    title: str
    synthetic: bool
    levels: list[Level]
    periods: list[str]
    sources: list[Source]
    tables: dict[str, dict] = field(default_factory=dict)
    indicators: dict[str, dict] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    h3_resolutions: list[int] = field(default_factory=lambda: [7, 8, 9, 10])
    id_prefix_nesting: bool = False
    format_version: int = BUNDLE_FORMAT_VERSION
    built_at: str = ""
