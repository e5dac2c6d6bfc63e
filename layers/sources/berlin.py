"""Berlin open data (2021 LOR scheme) → city bundle.

Reads the files of the Berlin data folder (``berlin_dir`` setting, read only) and returns a
:class:`~layers.bundle.store.BundleBuild`; ``write_bundle`` writes it and derives the H3 weights.
Every raw file is validated on its own, so that a problem names the raw file, its row and column.

Units: Bezirk (12) > Prognoseraum (58) > Bezirksregion (143) > Planungsraum (542); a child's id
starts with its parent's id (PLR 8 digits = BEZ 2 + PGR 2 + BZR 2 + PLR 2).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..bundle.schema import CRS, TABLES, Column, Level, Manifest, Source
from ..bundle.store import BundleBuild
from ..bundle.validate import ROW_COLUMN, Problem, validate_tables
from ..settings import load_settings
from .berlin_areas import read_catchments, read_funding_areas, read_green_spaces
from .berlin_facilities import read_facilities
from .berlin_indicators import read_indicators
from .berlin_io import check_raw, fail_if, missing_to_na, narrowed, pad_ids, read_geojson, tag
from .berlin_population import read_population

LOR_DIR = "berlin_lor_2021"


@dataclass(frozen=True)
class LorLevel:
    """One LOR level: bundle level, raw file and its id and name fields."""

    level: Level
    file: str
    id_field: str
    name_field: str
    width: int  # digits of the id


LOR_LEVELS: tuple[LorLevel, ...] = (
    LorLevel(Level("bezirk", "Bezirk", "District", r"^\d{2}$"), f"{LOR_DIR}/bezirke.geojson", "BEZ_ID", "BEZ_NAME", 2),
    LorLevel(Level("prognoseraum", "Prognoseraum", "Forecast area", r"^\d{4}$"),
             f"{LOR_DIR}/lor_prognoseraeume_2021.geojson", "PGR_ID", "PGR_NAME", 4),
    LorLevel(Level("bezirksregion", "Bezirksregion", "District region", r"^\d{6}$"),
             f"{LOR_DIR}/lor_bezirksregionen_2021.geojson", "BZR_ID", "BZR_NAME", 6),
    LorLevel(Level("planungsraum", "Planungsraum", "Planning area", r"^\d{8}$"),
             f"{LOR_DIR}/lor_planungsraeume_2021.geojson", "PLR_ID", "PLR_NAME", 8),
)
FINEST = LOR_LEVELS[-1].level.id

SOURCES: tuple[Source, ...] = (
    Source("lor", "Lebensweltlich orientierte Räume (LOR) 2021",
           "Lebensweltlich orientierte Räume (LOR) 01.01.2021 © Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE; "
           "via ODIS/Technologiestiftung Berlin", "CC BY 3.0 DE", "https://github.com/Lucky-0ne/geodata_berlin", "01.01.2021"),
    Source("bezirke", "Bezirksgrenzen (ALKIS)", "Geoportal Berlin / ALKIS Berlin Bezirke",
           "dl-de/by-2-0 or dl-de/zero-2-0 (not verified)", "https://github.com/Lucky-0ne/geodata_berlin"),
    Source("population", "Einwohnerregisterstatistik Berlin nach LOR (T1–T4)",
           "Einwohnerregisterstatistik Berlin (LOR), © Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE; "
           "aufbereitet von Open Lifeworlds (CC BY 4.0)", "CC BY 3.0 DE; data product CC BY 4.0",
           "https://github.com/open-lifeworlds/open-lifeworlds-data-product-berlin-lor-population",
           "30.06.2021–31.12.2024"),
    Source("mss", "Monitoring Soziale Stadtentwicklung 2021",
           "Monitoring Soziale Stadtentwicklung Berlin 2021, Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin",
           "dl-de/zero-2.0 or CC BY 3.0 DE (not verified)",
           "https://www.berlin.de/sen/sbw/stadtdaten/stadtwissen/monitoring-soziale-stadtentwicklung/bericht-2021/", "31.12.2020"),
    Source("kitas", "Kitaliste Berlin",
           "Kitaliste, Senatsverwaltung für Bildung, Jugend und Familie Berlin, CC BY 3.0 DE; "
           "aufbereitet von Open Data Product (CC BY 4.0)", "CC BY 3.0 DE; data product CC BY 4.0",
           "https://www.berlin.de/sen/jugend/traegerservice/kitaliste_aktuell.xlsx", "01/2026"),
    Source("schools", "Schulen Berlin mit Schülerzahlen 2024/25 und Startchancen",
           "Schulen: Senatsverwaltung für Bildung, Jugend und Familie Berlin via Geoportal Berlin (s_schulen, 10/2023); "
           "Schülerzahlen 2024/25 und Startchancen-Programm nach SenBJF, zusammengestellt von webeet.io",
           "dl-de/by-2-0 or CC BY 3.0 DE (not verified); school statistics: licence not verified",
           "https://github.com/tesch-ch/berlin_PLR_data", "10/2023; 2024/25"),
    Source("catchments", "Einschulbereiche 2019/20",
           "Einschulbereiche 2019/20 © Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE", "CC BY 3.0 DE",
           "https://github.com/tursics/school-student-development", "2019/20"),
    Source("youth", "Jugendfreizeiteinrichtungen",
           "Jugendfreizeiteinrichtungen, Senatsverwaltung für Bildung, Jugend und Familie Berlin via Geoportal Berlin (WFS jfe)",
           "not verified", "https://gdi.berlin.de/services/wfs/jfe", "12/2022"),
    Source("osm", "OpenStreetMap points of interest", "© OpenStreetMap contributors", "ODbL 1.0",
           "https://www.openstreetmap.org/copyright", "09/2025"),
    Source("green_spaces", "Grünanlagenbestand und Spielplatzbestand Berlin",
           "Grünanlagen- und Spielplatzbestand Berlin, Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt "
           "via Geoportal Berlin (WFS gruenanlagen)", "dl-de/zero-2.0 (not verified)",
           "https://github.com/webeet-io/layered-populate-data-pool-da"),
    Source("erhaltungsgebiete", "Soziale Erhaltungsgebiete (Milieuschutz)",
           "Soziale Erhaltungsgebiete, Geodateninfrastruktur Berlin (WFS erhaltungsverordnungsgebiete)", "dl-de/zero-2.0",
           "https://github.com/webeet-io/layered-populate-data-pool-da"),
    Source("umweltgerechtigkeit", "Umweltgerechtigkeit 2021/22",
           "Umweltatlas Berlin, Umweltgerechtigkeit 2021/2022, Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt",
           "dl-de/zero-2.0 (not verified)", "https://github.com/tesch-ch/berlin_PLR_data", "2021/22"),
)

NOTES: dict[str, str] = {
    "quartiersmanagement": "DE: Berlins offene Daten enthalten keine Quartiersmanagement-Gebiete als Flächen; sie können "
                           "als Fördergebiete importiert werden. EN: Berlin's open data contain no Quartiersmanagement "
                           "polygons; they can be imported as funding areas.",
    "facility_composition": "DE: Es gibt keine offenen Daten zur Zusammensetzung der Kinder je Kita oder Schule "
                            "(Migrationshintergrund, ndH); sie können importiert werden. EN: There are no open data on the "
                            "composition of children per Kita or school; it can be imported.",
    "space_use": "DE: Die Nutzung öffentlicher Räume (Zählungen, Beobachtungen) ist nicht in den offenen Daten; sie kann "
                 "importiert werden. EN: Measured use of public spaces (counters, observations) is not in the open "
                 "data; it can be imported.",
    "accommodation": "DE: Für Berlin gibt es keine offene Liste der Unterkünfte für Geflüchtete (Standorte, Plätze, Belegung); "
                     "eine Liste des LAF oder des Bezirks kann als Import-Art „accommodation“ eingelesen werden und bleibt intern. "
                     "EN: Berlin has no open list of refugee accommodation sites (sites, places, occupancy); a list from the LAF or "
                     "the district can be imported as kind “accommodation” and stays internal.",
    "housing": "DE: Der Wohnungsbestand je Planungsraum (Wohnungen, Sozialwohnungen, Mieten) ist nicht in den offenen Daten dieses "
               "Ordners; er kann als Import-Art „housing“ eingelesen werden. Vorhanden sind die MSS-Kontextindikatoren zur "
               "Wohnlage (Einwohner/innen in einfacher Wohnlage) und Wohndauer. EN: The housing stock per Planungsraum "
               "(dwellings, social housing, rents) is not in this folder's open data; it can be imported as kind “housing”. The "
               "MSS context indicators on residential location (residents in simple residential areas) and length of residence "
               "are there.",
    "origin_regions": "DE: Die Herkunftsregionen (T4) zählen Einwohner mit Migrationshintergrund und überschneiden sich "
                      "(EU enthält Frankreich, Polen …). EN: Origin regions (T4) count residents with migration background "
                      "and overlap (the EU contains France, Poland …).",
}


def _read_level(berlin_dir: Path, lor: LorLevel, parent: LorLevel | None, parent_ids: set[str]) -> gpd.GeoDataFrame:
    """Units of one LOR level, checked on their own raw file (id form, unique, name, geometry, parent)."""
    raw = read_geojson(berlin_dir, lor.file, f"LOR geometry of level {lor.level.name_de}", [lor.id_field, lor.name_field])
    ids = pad_ids(raw[lor.id_field], lor.width)
    parents = ids.str.slice(0, parent.width) if parent else pd.Series(pd.NA, index=raw.index, dtype="string")
    units = gpd.GeoDataFrame({"unit_id": ids, "level": lor.level.id, "name": missing_to_na(raw[lor.name_field]),
                              "parent_id": parents, ROW_COLUMN: raw[ROW_COLUMN]}, geometry=raw.geometry.values, crs=CRS)
    table = narrowed(TABLES["units"], unit_id=Column("unit_id", "id", pattern=lor.level.id_pattern))
    # Geometries are not repaired: the LOR files are valid, and an invalid one is reported as an input error.
    check_raw(table, tag(units, lor.file), {"unit_id": lor.id_field, "name": lor.name_field})
    if parent:
        orphan = ~units["parent_id"].isin(parent_ids).to_numpy(dtype=bool)
        fail_if([Problem(lor.file, int(r), lor.id_field, f"id {u!r}: its first {parent.width} digits {p!r} match no "
                                                         f"{parent.level.name_de} in {parent.file}")
                 for r, u, p in list(zip(units.loc[orphan, ROW_COLUMN], units.loc[orphan, "unit_id"],
                                         units.loc[orphan, "parent_id"]))[:25]])
    return units


def read_units(berlin_dir: Path) -> gpd.GeoDataFrame:
    """All LOR units, coarse to fine (units table, EPSG:4326)."""
    levels, parent, parent_ids = [], None, set()
    for lor in LOR_LEVELS:
        units = _read_level(berlin_dir, lor, parent, parent_ids)
        levels.append(units.drop(columns=[ROW_COLUMN]))
        parent, parent_ids = lor, set(units["unit_id"])
    units = gpd.GeoDataFrame(pd.concat(levels, ignore_index=True), geometry="geometry", crs=CRS)
    return tag(units, f"{LOR_DIR}/(bezirke, lor_prognoseraeume_2021, lor_bezirksregionen_2021, lor_planungsraeume_2021).geojson")


def build_berlin(berlin_dir: Path, h3_resolutions: list[int]) -> BundleBuild:
    """Build the Berlin city bundle (manifest and tables) from the Berlin open-data folder.

    Parameters
    ----------
    berlin_dir : folder of the Berlin open data (``berlin_lor_2021/``, ``berlin_population_lor/`` …); read only.
    h3_resolutions : H3 resolutions ``write_bundle`` derives areal weights for.

    Returns
    -------
    BundleBuild with tables units (LOR 2021), population (residents per Planungsraum at the 8
    half-yearly Stichtage 30.06.2021–31.12.2024), facilities (Kitas 01/2026, schools 10/2023 with
    pupils 2024/25, youth facilities 12/2022, OSM POIs 09/2025), catchments (2019/20), funding_areas
    (soziale Erhaltungsgebiete), green_spaces (official lists, areas in m²) and indicators (MSS 2021,
    data of 31.12.2020; environmental justice 2021/22).

    Raises
    ------
    FileNotFoundError : a required raw file or folder is missing (the message names it).
    BundleValidationError : a raw file breaks the schema (messages name file, row and column).
    """
    berlin_dir = Path(berlin_dir)
    if not berlin_dir.is_dir():
        raise FileNotFoundError(f"{berlin_dir}: Berlin open-data folder not found (setting berlin_dir)")
    units = read_units(berlin_dir)
    plr = units[units["level"] == FINEST]
    plr_ids = set(plr["unit_id"])
    population, periods = read_population(berlin_dir, plr_ids)
    facilities = read_facilities(berlin_dir, plr)
    green_spaces, green_stats = read_green_spaces(berlin_dir, plr_ids)
    indicators, indicator_meta = read_indicators(berlin_dir, plr_ids)
    tables = {"units": units, "population": population, "facilities": facilities,
              "catchments": read_catchments(berlin_dir), "funding_areas": read_funding_areas(berlin_dir),
              "green_spaces": green_spaces, "indicators": indicators}
    notes = dict(NOTES)
    parks, playgrounds, no_plr = (green_stats[k] for k in ("parks_without_area", "playgrounds_without_area", "without_plr"))
    notes["green_spaces"] = (
        f"DE: {parks} Grünanlagen und {playgrounds} Spielplätze ohne Flächenangabe sind nicht enthalten; bei {no_plr} "
        f"ohne gültige Planungsraum-Nummer bleibt unit_id leer. EN: {parks} parks and {playgrounds} playgrounds without "
        f"area are left out; {no_plr} without a valid Planungsraum number have an empty unit_id.")
    manifest = Manifest(city="berlin", title="Berlin", synthetic=False, levels=[lor.level for lor in LOR_LEVELS],
                        periods=periods, sources=list(SOURCES), indicators=indicator_meta, notes=notes,
                        h3_resolutions=[int(r) for r in h3_resolutions], id_prefix_nesting=True)
    validate_tables(tables, manifest)
    return BundleBuild(manifest=manifest, tables=tables)


def main() -> None:  # pragma: no cover - manual timing aid
    """Time a build from the configured Berlin folder: ``python -m layers.sources.berlin``."""
    t0 = time.perf_counter()
    build = build_berlin(load_settings().path("berlin_dir"), [8])
    print(f"built in {time.perf_counter() - t0:.1f} s:", {k: len(v) for k, v in build.tables.items()})


if __name__ == "__main__":  # pragma: no cover
    main()
