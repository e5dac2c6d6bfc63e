"""Geography of the synthetic demo city: outline, three nested unit levels and random points inside units.

Everything is generated in a local metric frame (x east, y north, metres, origin at the city centre) and
mapped to WGS84 by an exact affine map (`to_lonlat`), so point-in-polygon tests and Voronoi cells agree in
both frames. The map is a local equirectangular approximation, good to well under 0.5 % inside the city.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity

from ..bundle.schema import CRS, Level

CENTRE_LON = 13.0  # degrees east: a fictional city in Brandenburg, no real city at this spot
CENTRE_LAT = 52.0  # degrees north
M_PER_DEG_LAT = 111_267.0  # metres per degree of latitude at 52° N
M_PER_DEG_LON = 111_412.84 * math.cos(math.radians(CENTRE_LAT)) - 93.5 * math.cos(math.radians(3 * CENTRE_LAT))  # m/° lon

OUTLINE_VERTICES = 180
OUTLINE_HARMONICS = (2, 3, 4, 5, 7)  # wave numbers of the irregular city edge
OUTLINE_AMPLITUDE = (0.04, 0.12)  # relative radius amplitude per harmonic (uniform range)
OUTLINE_ELONGATION = 1.2  # east-west stretch of the city
LLOYD_ITERATIONS = 3  # relaxation steps that make Voronoi units similar in size
SAMPLE_OVERDRAW = 1.25  # oversampling factor of rejection sampling

LEVELS: tuple[Level, ...] = (
    Level("bezirk", "Bezirk", "District", r"^D\d{2}$"),
    Level("quartier", "Quartier", "Quarter", r"^D\d{2}Q\d{2}$"),
    Level("block", "Block", "Block", r"^D\d{2}Q\d{2}B\d{2}$"),
)
DISTRICT_NAMES: tuple[str, ...] = (
    "Altstadt", "Nordufer", "Lindenhöhe", "Ostend", "Südpark", "Westhafen", "Birkenfeld", "Auental",
    "Seeblick", "Heideland", "Kastanienhain", "Wiesengrund", "Mühlenau", "Sandberg", "Fischerkiez", "Eichwalde",
)
QUARTER_STEMS: tuple[str, ...] = (
    "Mühlen", "Brunnen", "Markt", "Schloss", "Garten", "Kirch", "Hafen", "Feld", "Rosen", "Eichen", "Sonnen",
    "Wald", "Ahorn", "Flieder", "Bahnhof", "Anger", "Linden", "Weiden", "Kiefern", "Tannen", "Uhland", "Schiller",
    "Fontane", "Lessing", "Heine", "Ufer", "Wasserturm", "Ziegel",
)
QUARTER_SUFFIXES: tuple[str, ...] = ("viertel", "kiez", "siedlung", " Nord", " Süd", "hof")


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local metric coordinates (m) to WGS84 longitude/latitude (degrees)."""
    return CENTRE_LON + np.asarray(x) / M_PER_DEG_LON, CENTRE_LAT + np.asarray(y) / M_PER_DEG_LAT


def to_metric(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude (degrees) to local metric coordinates (m); inverse of `to_lonlat`."""
    return (np.asarray(lon) - CENTRE_LON) * M_PER_DEG_LON, (np.asarray(lat) - CENTRE_LAT) * M_PER_DEG_LAT


def geoms_to_lonlat(geoms: np.ndarray) -> np.ndarray:
    """Shapely geometries from the metric frame to WGS84 (exact affine map)."""
    return shapely.transform(np.asarray(geoms), lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1])))


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a geometry, made valid (drops points and lines left by clipping)."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def city_outline(rng: np.random.Generator, area_m2: float) -> shapely.Polygon:
    """An irregular, star-shaped city outline of roughly `area_m2` (m²) in the metric frame."""
    theta = np.linspace(0.0, 2.0 * np.pi, OUTLINE_VERTICES, endpoint=False)
    k = np.asarray(OUTLINE_HARMONICS, dtype=float)
    amp = rng.uniform(*OUTLINE_AMPLITUDE, size=len(k)) / np.sqrt(k / 2.0)
    phase = rng.uniform(0.0, 2.0 * np.pi, size=len(k))
    rel = 1.0 + (amp[:, None] * np.cos(k[:, None] * theta[None, :] + phase[:, None])).sum(axis=0)
    radius = math.sqrt(area_m2 / math.pi)
    x = radius * rel * np.cos(theta) * math.sqrt(OUTLINE_ELONGATION)
    y = radius * rel * np.sin(theta) / math.sqrt(OUTLINE_ELONGATION)
    poly = shapely.Polygon(np.column_stack([x, y]))
    return shapely.affinity.scale(poly, *(2 * [math.sqrt(area_m2 / poly.area)]), origin=(0, 0))


def sample_points(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` uniformly random points inside `poly` (rejection sampling), as an (n, 2) array of coordinates."""
    if n <= 0:
        return np.empty((0, 2))
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds
    fill = max(poly.area / max((maxx - minx) * (maxy - miny), 1e-300), 1e-3)
    found: list[np.ndarray] = []
    need = n
    while need > 0:
        m = int(need / fill * SAMPLE_OVERDRAW) + 16
        pts = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        pts = pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])][:need]
        found.append(pts)
        need -= len(pts)
    return np.concatenate(found)


def points_in_units(geoms: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random points inside each geometry, `counts[i]` of them in `geoms[i]`.

    Returns
    -------
    xy : (Σ counts, 2) coordinates in the frame of `geoms`, grouped by unit in input order.
    owner : index of the geometry each point lies in.
    """
    counts = np.asarray(counts, dtype=np.int64)
    xy = [sample_points(g, int(c), rng) for g, c in zip(geoms, counts) if c > 0]
    owner = np.repeat(np.arange(len(counts)), counts)
    return (np.concatenate(xy) if xy else np.empty((0, 2))), owner


def partition(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> list[shapely.Geometry]:
    """Split `poly` into `n` non-overlapping parts: Lloyd-relaxed Voronoi cells clipped to `poly`.

    Every seed stays inside `poly`, so no part is empty. Parts are ordered clockwise from north
    around the centre of `poly`, which gives readable ids.
    """
    seeds = sample_points(poly, n, rng)
    envelope = shapely.box(*poly.buffer(poly.length).bounds)
    shapely.prepare(poly)

    def cells(pts: np.ndarray) -> np.ndarray:
        vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=envelope, ordered=True)
        return shapely.intersection(shapely.get_parts(vor), poly)

    for _ in range(LLOYD_ITERATIONS):
        cen = shapely.get_coordinates(shapely.centroid(cells(seeds)))
        inside = shapely.contains_xy(poly, cen[:, 0], cen[:, 1])
        seeds = np.where(inside[:, None], cen, seeds)
    parts = [polygonal(g) for g in cells(seeds)]
    centre = shapely.get_coordinates(poly.centroid)[0]
    angle = np.mod(np.arctan2(seeds[:, 0] - centre[0], seeds[:, 1] - centre[1]), 2 * np.pi)
    return [parts[i] for i in np.argsort(angle, kind="stable")]


@dataclass
class Geography:
    """The demo city's geometry.

    Attributes
    ----------
    outline : city outline, metric frame (m).
    units : GeoDataFrame (EPSG:4326) with unit_id, level, name, parent_id, geometry; coarse to fine.
    blocks : the finest-level rows of `units` (same order as the block arrays below).
    block_metric : block polygons in the metric frame.
    block_centroid : (n, 2) block centroids, metric frame (m).
    block_area_m2 : block areas (m²).
    block_quarter, block_district : index of each block's quarter / district in `quarter_ids` / `district_ids`.
    """

    outline: shapely.Polygon
    units: gpd.GeoDataFrame
    district_ids: list[str]
    quarter_ids: list[str]
    quarter_metric: np.ndarray
    block_metric: np.ndarray
    block_centroid: np.ndarray
    block_area_m2: np.ndarray
    block_quarter: np.ndarray
    block_district: np.ndarray

    @property
    def blocks(self) -> gpd.GeoDataFrame:
        return self.units[self.units["level"] == LEVELS[-1].id].reset_index(drop=True)

    @property
    def block_ids(self) -> np.ndarray:
        return self.blocks["unit_id"].to_numpy(dtype=object)

    @property
    def radius_m(self) -> float:
        """Radius (m) of a circle with the city's area."""
        return math.sqrt(self.outline.area / math.pi)


def build_geography(rng: np.random.Generator, area_m2: float, n_districts: int, quarters_per_district: int,
                    blocks_per_quarter: int) -> Geography:
    """Generate the outline and the nested units `bezirk` > `quartier` > `block` (ids `D01`, `D01Q02`, `D01Q02B03`)."""
    outline = city_outline(rng, area_m2)
    stems = [s + suf for s in QUARTER_STEMS for suf in QUARTER_SUFFIXES]
    quarter_names = [stems[i] for i in rng.permutation(len(stems))]
    rows: list[tuple[str, str, str, str | None, shapely.Geometry]] = []
    district_ids, quarter_ids, quarter_geoms = [], [], []
    block_geoms, block_quarter, block_district = [], [], []
    for d, dgeom in enumerate(partition(outline, n_districts, rng)):
        did = f"D{d + 1:02d}"
        district_ids.append(did)
        rows.append((did, LEVELS[0].id, DISTRICT_NAMES[d % len(DISTRICT_NAMES)], None, dgeom))
        for q, qgeom in enumerate(partition(dgeom, quarters_per_district, rng)):
            qid = f"{did}Q{q + 1:02d}"
            qname = quarter_names[len(quarter_ids) % len(quarter_names)]
            quarter_ids.append(qid)
            quarter_geoms.append(qgeom)
            rows.append((qid, LEVELS[1].id, qname, did, qgeom))
            for b, bgeom in enumerate(partition(qgeom, blocks_per_quarter, rng)):
                rows.append((f"{qid}B{b + 1:02d}", LEVELS[2].id, f"{qname} {b + 1}", qid, bgeom))
                block_geoms.append(bgeom)
                block_quarter.append(len(quarter_ids) - 1)
                block_district.append(d)
    metric = np.array([r[4] for r in rows], dtype=object)
    lonlat = geoms_to_lonlat(metric)
    lonlat = np.array([g if g.is_valid else polygonal(g) for g in lonlat], dtype=object)
    units = gpd.GeoDataFrame(
        {"unit_id": [r[0] for r in rows], "level": [r[1] for r in rows], "name": [r[2] for r in rows],
         "parent_id": [r[3] for r in rows]},
        geometry=gpd.GeoSeries(lonlat, crs=CRS), crs=CRS)
    # coarse to fine, ids sorted within a level
    order = np.lexsort((units["unit_id"].to_numpy(dtype=str), units["level"].map({lv.id: i for i, lv in enumerate(LEVELS)}).to_numpy()))
    units = units.iloc[order].reset_index(drop=True)
    blocks_metric = np.array(block_geoms, dtype=object)
    return Geography(
        outline=outline, units=units, district_ids=district_ids, quarter_ids=quarter_ids,
        quarter_metric=np.array(quarter_geoms, dtype=object), block_metric=blocks_metric,
        block_centroid=shapely.get_coordinates(shapely.centroid(blocks_metric)),
        block_area_m2=shapely.area(blocks_metric), block_quarter=np.array(block_quarter),
        block_district=np.array(block_district))
