"""Walking on streets (issue 14): Cologne's street centre lines as a graph; network distances are never shorter than the
straight line, and the distance layers use the network where a bundle has one."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from layers.spatial.network import build_network
from layers.spatial.routing import StraightLineRouter, bundle_router, to_metric_xy


def test_a_hand_made_network():
    # an L-shaped street from (13.0, 52.0) east then north: the walk around the corner is longer than the diagonal
    lines = [shapely.LineString([(13.0, 52.0), (13.01, 52.0)]), shapely.LineString([(13.01, 52.0), (13.01, 52.01)])]
    router = build_network(np.array(lines, dtype=object))
    a, corner, b = to_metric_xy(np.array([13.0, 13.01, 13.01]), np.array([52.0, 52.0, 52.01]))
    dist, pos = router.nearest(a.reshape(1, 2), b.reshape(1, 2))
    legs = np.hypot(*(corner - a)) + np.hypot(*(b - corner))
    assert pos[0] == 0 and dist[0] == pytest.approx(legs, abs=2.0)  # nodes snap to a 1 m grid
    i, j, d = router.within(a.reshape(1, 2), np.vstack([b, corner]), legs - 1)
    assert list(j) == [1]  # the corner is within reach, the far end is not


def test_cologne_network_distances(koeln_bundle):
    router = bundle_router(koeln_bundle, 1.3)
    assert router.name == "street_network" and len(router.nodes) > 60_000
    rng = np.random.default_rng(7)
    units = koeln_bundle.units_of("stadtteil")
    pts = units.geometry.representative_point()
    xy = to_metric_xy(pts.x.to_numpy(), pts.y.to_numpy())
    dest = xy[rng.choice(len(xy), 10, replace=False)]
    i, j, d = router.within(xy, dest, 3000)
    straight = np.hypot(*(xy[i] - dest[j]).T)
    assert len(i) > 10 and (d >= straight - 1e-6).all()  # never shorter than the straight line
    ratio = d[straight > 300] / straight[straight > 300]
    assert 1.0 <= np.median(ratio) < 2.0
    near, _ = router.nearest(xy, dest)
    plain, _ = StraightLineRouter(1.0).nearest(xy, dest)
    assert (near >= plain - 1e-6).all()


def test_the_app_says_which_router_it_uses(koeln_bundle, demo_bundle, settings):
    from dashboard.app import create_app
    from layers.settings import load_settings

    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), cache_type="NullCache", access_log=False)
    koeln = create_app(s, koeln_bundle.folder).server.test_client().get("/api/v1/layers").get_json()
    demo = create_app(s, demo_bundle.folder).server.test_client().get("/api/v1/layers").get_json()
    assert koeln["walking_distance"]["method"] == "street_network"
    assert demo["walking_distance"] == {"method": "straight_line", "detour_factor": 1.3}
