"""The portal's answer cache (dashboard/response_cache.py): the same callback body or API address gives the same bytes
from the cache, with the publication receipts of the answer that built it; every guard still runs first; planners are
never served from it."""

from __future__ import annotations

import gzip
import json

import pytest

from bench.run import _payload
from dashboard import ids
from dashboard.app import create_app
from dashboard.response_cache import HIT_HEADER
from layers.settings import load_settings

CALLBACK = "/_dash-update-component"


def _app(settings, bundle, tmp_path, mode: str, **extra):
    values = {"rate_limit_api": "", "rate_limit_downloads": "", "rate_limit_callbacks": "", **extra}
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=mode, access_log=False,
                      cell_key_secret_file=str(tmp_path / "secret"), cache_type="SimpleCache", **values)
    return create_app(s, bundle.folder)


def _body(bundle, period: int, changed: str = f"{ids.PERIOD}.value") -> bytes:
    return json.dumps(_payload("migration_share", "mig_bg", bundle.finest_level.id, period, bundle.periods[0], changed)).encode()


@pytest.fixture(scope="module")
def portal(demo_bundle, settings, tmp_path_factory):
    return _app(settings, demo_bundle, tmp_path_factory.mktemp("portal"), "portal")


def test_a_repeated_callback_is_served_from_the_cache_with_its_receipts(portal, demo_bundle):
    client = portal.server.test_client()
    body = _body(demo_bundle, 1)
    first = client.post(CALLBACK, data=body, content_type="application/json")
    second = client.post(CALLBACK, data=body, content_type="application/json")
    assert first.status_code == second.status_code == 200
    assert (first.headers[HIT_HEADER], second.headers[HIT_HEADER]) == ("miss", "hit")
    assert second.data == first.data
    assert int(second.headers["X-Quartiersatlas-Published"]) >= 1
    assert second.headers["X-Quartiersatlas-Published-Names"] == first.headers["X-Quartiersatlas-Published-Names"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]  # added per request


def test_another_view_is_another_answer(portal, demo_bundle):
    client = portal.server.test_client()
    a = client.post(CALLBACK, data=_body(demo_bundle, 0), content_type="application/json")
    b = client.post(CALLBACK, data=_body(demo_bundle, 0, f"{ids.LAYER}.value"), content_type="application/json")
    c = client.post(CALLBACK, data=_body(demo_bundle, 1, f"{ids.LAYER}.value"), content_type="application/json")
    assert b.headers[HIT_HEADER] == "miss"  # same inputs, another trigger: Dash answers per trigger
    assert c.headers[HIT_HEADER] == "miss" and c.data != b.data  # another Stichtag, other values
    assert a.status_code == b.status_code == c.status_code == 200


def test_a_cached_answer_is_compressed_for_a_browser(portal, demo_bundle):
    client = portal.server.test_client()
    body = _body(demo_bundle, 0, f"{ids.GROUP}.value")
    plain = client.post(CALLBACK, data=body, content_type="application/json")
    packed = client.post(CALLBACK, data=body, content_type="application/json", headers={"Accept-Encoding": "gzip"})
    assert packed.headers[HIT_HEADER] == "hit" and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data


def test_api_answers_are_cached_per_address(portal, demo_bundle):
    client = portal.server.test_client()
    level = demo_bundle.finest_level.id
    csv_url = f"/api/v1/layers/migration_share?level={level}&format=csv"
    first, second = client.get(csv_url), client.get(csv_url)
    assert (first.headers[HIT_HEADER], second.headers[HIT_HEADER]) == ("miss", "hit")
    assert second.data == first.data and second.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert second.mimetype == "text/csv"
    other = client.get(f"/api/v1/layers/migration_share?level={level}&format=csv&group=foreign")
    assert other.headers[HIT_HEADER] == "miss" and other.data != first.data


def test_a_flood_of_distinct_requests_cannot_push_out_the_layer_results(demo_bundle, settings, tmp_path, monkeypatch):
    from dashboard import response_cache
    from dashboard.context import cache

    monkeypatch.setattr(response_cache, "ENTRIES", 5)
    app = _app(settings, demo_bundle, tmp_path, "portal")
    client = app.server.test_client()
    assert client.post(CALLBACK, data=_body(demo_bundle, 1), content_type="application/json").status_code == 200
    with app.server.app_context():
        memo = set(cache.cache._cache)  # the memoized layer results (SimpleCache)
        for i in range(30):  # the same view with a junk key: a new answer each time
            body = json.loads(_body(demo_bundle, 1))
            body["junk"] = i
            assert client.post(CALLBACK, data=json.dumps(body), content_type="application/json").status_code == 200
        assert memo <= set(cache.cache._cache)  # every layer result is still there
        assert len(response_cache.answers.cache._cache) <= 6  # the answers' own bound


def test_errors_are_never_kept(portal, demo_bundle):
    client = portal.server.test_client()
    good = _body(demo_bundle, 1, f"{ids.BASIS}.value")
    assert client.post(CALLBACK, data=good, content_type="application/json").status_code == 200
    broken = json.loads(good)
    broken["inputs"] = broken["inputs"][:2]
    for _ in range(2):  # an error is never kept: the second is refused by the guard again, not replayed
        bad = client.post(CALLBACK, data=json.dumps(broken), content_type="application/json")
        assert bad.status_code == 400 and HIT_HEADER not in bad.headers
    unknown = client.get("/api/v1/layers/no_such_layer")
    assert unknown.status_code == 404 and HIT_HEADER not in unknown.headers


def test_the_rate_limit_counts_cached_answers(demo_bundle, settings, tmp_path):
    app = _app(settings, demo_bundle, tmp_path, "portal", rate_limit_callbacks="2 per minute")
    client = app.server.test_client()
    body = _body(demo_bundle, 1)
    codes = [client.post(CALLBACK, data=body, content_type="application/json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_planners_are_never_served_from_it(demo_bundle, settings, tmp_path):
    app = _app(settings, demo_bundle, tmp_path, "planner")
    client = app.server.test_client()
    body = _body(demo_bundle, 1)
    answers = [client.post(CALLBACK, data=body, content_type="application/json") for _ in range(2)]
    assert all(a.status_code == 200 and HIT_HEADER not in a.headers for a in answers)
    api = [client.get(f"/api/v1/layers/migration_share?level={demo_bundle.finest_level.id}") for _ in range(2)]
    assert all(a.status_code == 200 and HIT_HEADER not in a.headers for a in api)


def test_the_portal_can_switch_it_off(demo_bundle, settings, tmp_path):
    app = _app(settings, demo_bundle, tmp_path, "portal", answer_cache=False)
    client = app.server.test_client()
    body = _body(demo_bundle, 1)
    answers = [client.post(CALLBACK, data=body, content_type="application/json") for _ in range(2)]
    assert all(a.status_code == 200 and HIT_HEADER not in a.headers for a in answers)


def test_a_client_without_gzip_gets_the_plain_bytes(portal, demo_bundle):
    client = portal.server.test_client()
    body = _body(demo_bundle, 0, f"{ids.BASIS}.value")
    first = client.post(CALLBACK, data=body, content_type="application/json", headers={"Accept-Encoding": "identity"})
    second = client.post(CALLBACK, data=body, content_type="application/json", headers={"Accept-Encoding": "identity"})
    assert second.headers[HIT_HEADER] == "hit" and "Content-Encoding" not in second.headers
    assert second.data == first.data and json.loads(second.data)["response"]


def test_answers_over_the_size_limit_are_built_each_time(demo_bundle, settings, tmp_path, monkeypatch):
    from dashboard import response_cache

    app = _app(settings, demo_bundle, tmp_path, "portal")
    monkeypatch.setattr(response_cache, "MAX_BYTES", 100)
    client = app.server.test_client()
    body = _body(demo_bundle, 1)
    answers = [client.post(CALLBACK, data=body, content_type="application/json") for _ in range(2)]
    assert all(a.status_code == 200 and len(a.data) > 100 and HIT_HEADER not in a.headers for a in answers)
