"""The overview table lists areas by name unless the user picks another order; it never ranks quarters by migrant
share (BRIEF §6), in the planner or the portal (real Berlin, Dash's real endpoint)."""

import orjson
import pytest

from bench.run import _views_payload
from dashboard import ids
from dashboard.app import create_app
from layers.settings import load_settings


def table_rows(client, layer: str, order: str) -> tuple[str, list[tuple[str, str, str]]]:
    body = _views_payload(layer, "planungsraum", 7, "2021-06-30", f"{ids.TABLE_ORDER}.value", None, [], order=order)
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:300]
    table = orjson.loads(resp.data)["response"][ids.TABLE]["children"]
    title = table["props"]["children"][0]["props"]["children"]
    body_rows = table["props"]["children"][1]["props"]["children"][1]["props"]["children"]
    rows = []
    for tr in body_rows:
        cells = tr["props"]["children"]
        rows.append((cells[0]["props"]["children"]["props"]["children"], cells[1]["props"]["children"], cells[2]["props"]["children"]))
    return title, rows


@pytest.fixture(scope="module", params=["planner", "portal"])
def client(request, settings, berlin_bundle):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=request.param, access_log=False, cache_type="NullCache")
    return create_app(s, berlin_bundle.folder).server.test_client()


def _number(text: str) -> float:
    return float(text.split()[0].replace(".", "").replace(",", "."))


@pytest.mark.parametrize("asked", ["name", "value"])
def test_migration_share_is_never_ranked(client, berlin_bundle, asked):
    """By default, and even when a request asks for it, the migration share lists areas alphabetically."""
    title, rows = table_rows(client, "migration_share", asked)
    names = [r[0] for r in rows]
    assert names == sorted(names, key=str.casefold) and len(names) > 10
    assert "Wert" not in title
    planungsraeume = berlin_bundle.units_of("planungsraum")["name"]
    assert names[0].startswith(sorted(planungsraeume, key=str.casefold)[0])


def test_by_residents_largest_first(client):
    title, rows = table_rows(client, "migration_share", "residents")
    residents = [_number(r[2]) for r in rows if r[2] != "–"]
    assert residents == sorted(residents, reverse=True) and "Zahl der Einwohner/innen" in title


def test_value_order_only_for_neutral_layers_in_the_planner(client):
    """A planner may sort a layer that is not about migration by value; the portal ranks nothing."""
    portal = client.application.config["QUARTIERSATLAS_SETTINGS"].mode == "portal"
    title, rows = table_rows(client, "education_kita_ratio", "value")
    values = [_number(r[1]) for r in rows if r[1] != "–"]
    if portal:
        assert [r[0] for r in rows] == sorted((r[0] for r in rows), key=str.casefold)
    else:
        assert values == sorted(values, reverse=True) and "Wert" in title


def test_school_catchment_migrant_share_is_never_ranked(client):
    """A migration share in the education section (school catchments) is not ordered by value either."""
    from dashboard.views import table_orders
    from layers.registry import get_layer

    assert "value" not in table_orders(get_layer("education_catchment_share"), portal=False)
    assert "value" in table_orders(get_layer("education_kita_ratio"), portal=False)


def test_accommodation_layers_are_never_ranked_by_value():
    """Where refugees are housed is no league table of quarters, not even for planners (BRIEF §6)."""
    from dashboard.views import table_orders
    from layers.registry import REGISTRY

    for layer_id in ("accommodation_places", "accommodation_large_share", "housing_social_share"):
        assert "value" not in table_orders(REGISTRY[layer_id], portal=False)
    assert "value" in table_orders(REGISTRY["education_kita_ratio"], portal=False)  # a neutral layer may be sorted
