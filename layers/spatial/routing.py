"""Walking distances between origins (H3 cells, address points) and destinations (facilities).

Every distance-based layer (Kita 2SFCA, nearest facility, coverage, usage pressure) asks a `Router`.
The default is straight-line distance in the equal-area CRS times a detour factor; a street-network
router can replace it by implementing the same two methods. Coordinates are metres in EPSG:3035
(`to_metric_xy`), distances are walking metres.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np

from .h3grid import _TO_METRIC
from .network import build_network


def to_metric_xy(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """WGS84 longitude/latitude (degrees) to an (n, 2) array of EPSG:3035 metres."""
    x, y = _TO_METRIC.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([x, y])


_CENTRES: OrderedDict[str, np.ndarray] = OrderedDict()  # content of the cells → their centres, the last 16 asked for
_CENTRES_SIZE = 16
MEMO_FROM = 64  # fewer cells (a scenario site's cell) are computed each time and never push a city's centres out
_CENTRES_LOCK = threading.Lock()


def cell_centres_xy(cells: np.ndarray) -> np.ndarray:
    """Centres of uint64 H3 cells as EPSG:3035 metres, shape (n, 2).

    Kept by content (a digest of the cells): the same cells come from the baseline and from every scenario bundle,
    which are different objects, so a cache keyed on the bundle would compute them again for each scenario. Callers get
    a copy. Fewer than `MEMO_FROM` cells are not kept.
    """
    arr = np.ascontiguousarray(np.asarray(cells, dtype=np.uint64))
    if len(arr) < MEMO_FROM:
        return _centres(arr)
    key = hashlib.blake2b(arr.tobytes(), digest_size=16).hexdigest()
    with _CENTRES_LOCK:
        hit = _CENTRES.get(key)
        if hit is not None:
            _CENTRES.move_to_end(key)
            return hit.copy()
    out = _centres(arr)
    with _CENTRES_LOCK:
        _CENTRES[key] = out
        while len(_CENTRES) > _CENTRES_SIZE:
            _CENTRES.popitem(last=False)
    return out.copy()


def _centres(cells: np.ndarray) -> np.ndarray:
    import h3

    if len(cells) == 0:
        return np.empty((0, 2))
    latlng = np.array([h3.cell_to_latlng(h3.int_to_str(int(c))) for c in cells])
    return to_metric_xy(latlng[:, 1], latlng[:, 0])


class Router(Protocol):
    """Walking distances in metres between origin and destination points (EPSG:3035 metres)."""

    name: str

    def nearest(self, origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For every origin: walking distance (m) to the nearest destination and that destination's position.

        With no destinations, distances are inf and positions -1.
        """
        ...

    def within(self, origins: np.ndarray, destinations: np.ndarray, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (origin position, destination position, walking distance m) pairs with distance ≤ `max_m`."""
        ...


@dataclass(frozen=True)
class StraightLineRouter:
    """Straight-line distance × detour factor (default 1.3, a common urban average for walking), via a KD-tree.

    Never all pairs: `nearest` is one tree query per origin, `within` a sparse distance matrix up to the radius.
    """

    detour_factor: float = 1.3
    name: str = field(default="straight_line")

    def __post_init__(self) -> None:
        if not self.detour_factor >= 1:
            raise ValueError(f"detour_factor must be at least 1, got {self.detour_factor!r}")

    def nearest(self, origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        origins, destinations = np.asarray(origins, dtype=float).reshape(-1, 2), np.asarray(destinations, dtype=float).reshape(-1, 2)
        if len(destinations) == 0:
            return np.full(len(origins), np.inf), np.full(len(origins), -1, dtype=np.int64)
        from scipy.spatial import cKDTree  # SciPy (~0.3 s) loads with the first distance, not at app start

        dist, pos = cKDTree(destinations).query(origins, k=1)
        return dist * self.detour_factor, pos.astype(np.int64)

    def within(self, origins: np.ndarray, destinations: np.ndarray, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        origins, destinations = np.asarray(origins, dtype=float).reshape(-1, 2), np.asarray(destinations, dtype=float).reshape(-1, 2)
        if len(origins) == 0 or len(destinations) == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0)
        from scipy.spatial import cKDTree  # as in `nearest`

        pairs = cKDTree(origins).sparse_distance_matrix(cKDTree(destinations), max_m / self.detour_factor, output_type="ndarray")
        return pairs["i"].astype(np.int64), pairs["j"].astype(np.int64), pairs["v"] * self.detour_factor


def default_router(detour_factor: float) -> Router:
    """The router the layers use unless a caller passes another one."""
    return StraightLineRouter(detour_factor=detour_factor)


def bundle_router(bundle, detour_factor: float) -> Router:
    """The router of a bundle: shortest paths on its street network where it has one (`streets` table), else straight
    line × `detour_factor`. The network is built once per bundle (scenario and published views share their base's)."""
    base = getattr(bundle, "base", bundle)
    if base is not None and base.has("streets"):
        return _network_of(base)
    return default_router(detour_factor)


@lru_cache(maxsize=4)
def _network_of(bundle) -> Router:
    return build_network(bundle.table("streets").geometry.values)
