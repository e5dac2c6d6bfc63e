"""Walking distances on a street network (shortest paths with scipy.sparse.csgraph), for bundles that have one.

The bundle's `streets` table (centre lines, e.g. Cologne's 15,846 Straßenabschnitte) becomes an undirected graph: every
vertex of a line is a node (coordinates rounded to `SNAP_M` so that lines meeting at a point share it), every pair of
consecutive vertices an edge weighted by its length (m, EPSG:3035). An origin or destination reaches the network at its
nearest node; its straight-line distance to that node is added (the walk to the street). The same `Router` interface
as the straight-line router, so every distance layer uses it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import shapely

from .h3grid import to_metric

# SciPy (~0.3 s to import) loads with the first street network or distance, inside the functions below, not at app start.
if TYPE_CHECKING:
    from scipy import sparse
    from scipy.spatial import cKDTree

SNAP_M = 1.0  # vertices closer than this are one node
CHUNK = 64  # destinations per Dijkstra call in `within` (memory: CHUNK × nodes floats)


@dataclass(frozen=True, eq=False)
class NetworkRouter:
    """Shortest walking paths on a street graph (see module docstring)."""

    nodes: np.ndarray  # (n, 2) EPSG:3035 metres
    graph: sparse.csr_matrix  # each edge once (lower node first), length in metres; searched as undirected
    name: str = field(default="street_network")

    @property
    def tree(self) -> cKDTree:
        return _tree(self)

    def _snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d, node = self.tree.query(np.asarray(xy, dtype=float).reshape(-1, 2), k=1)
        return node.astype(np.int64), d

    def nearest(self, origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest destination by network distance from the destinations' street nodes (one multi-source search);
        the walks to and from the street are added."""
        origins, destinations = np.asarray(origins, dtype=float).reshape(-1, 2), np.asarray(destinations, dtype=float).reshape(-1, 2)
        if len(destinations) == 0 or len(origins) == 0:
            return np.full(len(origins), np.inf), np.full(len(origins), -1, dtype=np.int64)
        on, osnap = self._snap(origins)
        dn, dsnap = self._snap(destinations)
        order = np.lexsort((dsnap, dn))  # per street node, the destination closest to it
        first = order[np.r_[True, dn[order][1:] != dn[order][:-1]]]
        n = self.graph.shape[0]
        pos_of = np.full(n, -1, dtype=np.int64)
        snap_of = np.zeros(n)
        pos_of[dn[first]], snap_of[dn[first]] = first, dsnap[first]
        from scipy.sparse.csgraph import dijkstra

        dist, _, source = dijkstra(self.graph, directed=False, indices=dn[first], min_only=True, return_predecessors=True)
        src = np.asarray(source)[on]
        total = osnap + np.asarray(dist)[on] + np.where(src >= 0, snap_of[np.maximum(src, 0)], np.inf)
        pos = np.where(src >= 0, pos_of[np.maximum(src, 0)], -1)
        return np.where(np.isfinite(total), total, np.inf), pos.astype(np.int64)

    def within(self, origins: np.ndarray, destinations: np.ndarray, max_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        origins, destinations = np.asarray(origins, dtype=float).reshape(-1, 2), np.asarray(destinations, dtype=float).reshape(-1, 2)
        empty = np.empty(0, dtype=np.int64)
        if len(origins) == 0 or len(destinations) == 0:
            return empty, empty, np.empty(0)
        on, osnap = self._snap(origins)
        dn, dsnap = self._snap(destinations)
        by_node: dict[int, np.ndarray] = {}
        order = np.argsort(on, kind="stable")
        bounds = np.flatnonzero(np.r_[True, on[order][1:] != on[order][:-1], True])
        for a, b in zip(bounds[:-1], bounds[1:]):
            by_node[int(on[order][a])] = order[a:b]
        from scipy.sparse.csgraph import dijkstra

        out_i, out_j, out_d = [], [], []
        for start in range(0, len(destinations), CHUNK):
            js = np.arange(start, min(start + CHUNK, len(destinations)))
            limit = float(max_m) - float(dsnap[js].min())
            if limit < 0:
                continue
            dist = dijkstra(self.graph, directed=False, indices=dn[js], limit=limit)
            for row, j in enumerate(js):
                reached = np.flatnonzero(np.isfinite(dist[row]))
                for node in reached:
                    origins_here = by_node.get(int(node))
                    if origins_here is None:
                        continue
                    d = dist[row, node] + dsnap[j] + osnap[origins_here]
                    keep = d <= max_m
                    out_i.append(origins_here[keep])
                    out_j.append(np.full(int(keep.sum()), j, dtype=np.int64))
                    out_d.append(d[keep])
        if not out_i:
            return empty, empty, np.empty(0)
        return np.concatenate(out_i).astype(np.int64), np.concatenate(out_j), np.concatenate(out_d)


@lru_cache(maxsize=8)
def _tree(router: NetworkRouter) -> cKDTree:
    from scipy.spatial import cKDTree

    return cKDTree(router.nodes)


def build_network(lines) -> NetworkRouter:
    """The street graph of WGS84 line geometries (LineString / MultiLineString)."""
    geoms = to_metric(np.asarray(lines))
    parts = shapely.get_parts(geoms)
    coords, index = shapely.get_coordinates(parts, return_index=True)
    keys = np.round(coords / SNAP_M).astype(np.int64)
    uniq, node = np.unique(keys, axis=0, return_inverse=True)
    node = node.ravel()
    same_line = index[1:] == index[:-1]
    a, b = node[:-1][same_line], node[1:][same_line]
    length = np.hypot(*(coords[1:][same_line] - coords[:-1][same_line]).T)
    keep = a != b
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    edges = np.unique(np.column_stack([lo, hi]), axis=0, return_inverse=True)
    shortest = np.full(len(edges[0]), np.inf)
    np.minimum.at(shortest, edges[1].ravel(), length[keep])  # two lines between the same nodes: the shorter counts
    n = len(uniq)
    from scipy import sparse

    graph = sparse.csr_matrix((shortest, (edges[0][:, 0], edges[0][:, 1])), shape=(n, n))  # searched as undirected
    return NetworkRouter(uniq.astype(float) * SNAP_M, graph)


def components(router: NetworkRouter) -> int:
    """Number of connected parts of the network (a well-formed street network has one large part)."""
    from scipy.sparse.csgraph import connected_components

    return int(connected_components(router.graph, directed=False)[0])
