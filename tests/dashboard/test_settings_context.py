"""One way for settings: each app computes with its own settings, also when two apps live in one process."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from layers.settings import active_settings, load_settings


@pytest.fixture(scope="module")
def two_clients(demo_bundle, settings):
    common = {"bundle_dir": str(settings.path("bundle_dir")), "cache_type": "NullCache", "access_log": False}
    narrow = create_app(load_settings(**common, coverage_m_kita=300, kita_take_up_3_6=0.5), demo_bundle.folder).server.test_client()
    wide = create_app(load_settings(**common), demo_bundle.folder).server.test_client()
    return narrow, wide


def _kita_access(client) -> dict:
    return next(r for r in client.get("/api/v1/infrastructure/access").get_json()["rows"] if r["type"] == "kita")


def test_two_apps_in_one_process_compute_with_their_own_settings(two_clients):
    narrow, wide = two_clients
    first, second, again = _kita_access(narrow), _kita_access(wide), _kita_access(narrow)
    assert (first["coverage_m"], second["coverage_m"]) == (300, 500)  # config.toml says 500 m
    assert first["covered_pct"] < second["covered_pct"]  # fewer residents within 300 m than within 500 m
    assert again == first  # the other app's request did not leak into this one
    demand = [c.get("/api/v1/education/summary").get_json()["kita"] for c in (narrow, wide)]
    assert demand[0] != demand[1]  # take-up 50 % instead of 92.1 % for children aged 3 to 6 changes demand


def test_no_settings_stay_active_after_a_request(two_clients):
    narrow, _ = two_clients
    narrow.get("/api/v1/infrastructure/access")
    assert active_settings().values["coverage_m_kita"] == load_settings().values["coverage_m_kita"]
