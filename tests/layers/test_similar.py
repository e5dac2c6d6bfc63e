"""Areas like mine (issue 20): standardised weighted distance, checked by hand on Berlin's Planungsräume; the arrival
profile describes and compares with the city."""

from __future__ import annotations

import numpy as np
import pytest

from layers.similar import arrival_profile, similar_areas
from layers.spatial.basis import Basis


def test_distance_by_hand_on_two_indicators(berlin_bundle):
    period = berlin_bundle.periods[-1]
    f = berlin_bundle.counts(Basis(level="planungsraum"), period).frame
    f = f[f["pop_total"] > 0]
    mig = 100 * f["pop_mig_bg"] / f["pop_total"]
    ind = berlin_bundle.table("indicators")
    unemp = ind[ind["indicator"] == "mss_unemployment_pct"].set_index("unit_id")["value"].reindex(f.index)
    z1, z2 = (mig - mig.mean()) / mig.std(ddof=0), (unemp - unemp.mean()) / unemp.std(ddof=0)
    area = "01100101"
    d = np.sqrt((2 * (z1 - z1[area]) ** 2 + 1 * (z2 - z2[area]) ** 2) / 3).dropna().sort_values()
    got = similar_areas(berlin_bundle, area, period, {"share_mig_bg_pct": 2.0, "mss_unemployment_pct": 1.0}, k=4)
    assert got["unit_id"].iloc[0] == area and got["distance"].iloc[0] == 0
    assert list(got["unit_id"]) == list(d.index[:5])
    assert got["distance"].to_numpy() == pytest.approx(d.to_numpy()[:5])


def test_unknown_indicator_is_refused(berlin_bundle):
    with pytest.raises(KeyError, match="unknown indicator"):
        similar_areas(berlin_bundle, "01100101", berlin_bundle.periods[-1], {"nope": 1.0})


def test_arrival_profile_describes_against_the_city(berlin_bundle):
    p = arrival_profile(berlin_bundle, "01100101", berlin_bundle.periods[-1], "de")
    assert p["available"] and p["values"]["mss_migration_volume_pct"] == pytest.approx(38.36)
    assert p["text"].startswith("Ankommen und Bleiben:") and "Stadt" in p["text"]
    for word in ("Problem", "Brennpunkt", "Risiko", "schwach"):
        assert word not in p["text"]
