"""Portal mode on real Berlin: every output route shows no value from fewer than the minimum, counts rounded, nothing internal.

`ROUTES` is a module-level list other topics extend (pages, new API routes): each entry is a URL (with `{layer}` for
per-layer routes) and the checks it gets. The truth is planner mode without rounding: every area whose counts are
below the thresholds there (primary rule) must be absent, null or "not shown" in the portal's output.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd
import pytest

from bench.run import _payload, _views_payload
from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import SMALL_TRACE, VALUES_TRACE
from layers.query import check_query, run_query, visible_layers
from layers.registry import REGISTRY
from layers.settings import load_settings
from layers.spec import INTERNAL
from tests.arrays import decode

# Fields that must never leave the server in the portal: internal counts, person-level rows, import bookkeeping, errors.
INTERNAL_FIELDS = {"numerator", "denominator", "_row", "point_id", "traceback", "Traceback", "pop_mig_bg_exact"}
# Fields that count persons in an area: null or at least min_residents in the portal.
RESIDENT_FIELDS = {"residents"}


@dataclass(frozen=True)
class Route:
    """One output route: `url` (may contain {layer}); `kind` "layer" (values per area of one layer, checked against planner
    truth) or "table" (any JSON/CSV: no internal field, no resident count below the minimum); `ok` the statuses allowed."""

    url: str
    kind: str = "table"
    ok: tuple[int, ...] = (200,)


ROUTES: list[Route] = [
    Route("/api/v1/layers/{layer}?level=planungsraum", "layer"),
    Route("/api/v1/layers/{layer}?level=planungsraum&format=csv", "layer"),
    Route("/api/v1/layers/{layer}?level=bezirksregion", "layer"),
    Route("/api/v1/layers/{layer}?res=9", "layer"),
    Route("/api/v1/layers/{layer}?level=planungsraum&format=geojson", "layer"),
    Route("/api/v1/layers"),
    Route("/api/v1/segregation/indices?level=planungsraum"),
    Route("/api/v1/segregation/indices?level=planungsraum&format=csv"),
    Route("/api/v1/segregation/change?level=bezirksregion&period_from=2021-06-30"),
    Route("/api/v1/segregation/change?level=bezirksregion&period_from=2021-06-30&iterations=19", ok=(400,)),  # fixed in the portal
    Route("/api/v1/education/summary"),
    Route("/api/v1/education/kitas"),
    Route("/api/v1/education/kitas?format=csv"),
    Route("/api/v1/education/catchments"),
    Route("/api/v1/education/catchments?format=csv"),
    Route("/api/v1/education/serving?level=planungsraum&id=01100101"),
    Route("/api/v1/education/facilities", ok=(404,)),
    Route("/api/v1/infrastructure/facilities?type=kita"),
    Route("/api/v1/infrastructure/facilities?type=kita&format=csv"),
    Route("/api/v1/infrastructure/access"),
    Route("/api/v1/infrastructure/access?unit=01100101"),
    Route("/api/v1/infrastructure/access?unit=01100101&format=csv"),
    Route("/api/v1/public-space/supply"),
    Route("/api/v1/public-space/supply?format=csv"),
    Route("/api/v1/public-space/use", ok=(200, 400, 404)),
    Route("/api/v1/funding/areas"),
    Route("/api/v1/funding/gap"),
    Route("/api/v1/funding/gap?format=csv"),
    Route("/api/v1/funding/profile?unit=01100101"),
]


@pytest.fixture(scope="module")
def portal_settings(settings):
    # rate limits off: this test sends hundreds of requests from one client on purpose
    return load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", rate_limit_api="", rate_limit_downloads="",
                         access_log=False)


@pytest.fixture(scope="module")
def truth_settings(settings):
    return load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="planner")


@pytest.fixture(scope="module")
def client(portal_settings, berlin_bundle):
    return create_app(portal_settings, berlin_bundle.folder).server.test_client()


def public_layers(portal_settings) -> list[str]:
    return visible_layers(portal_settings)


_SMALL: dict[tuple[str, str], set[str]] = {}


def small_areas(bundle, truth_settings, layer: str, basis: str) -> set[str]:
    """Areas whose value rests on too few cases or residents (planner mode flags them, values unrounded)."""
    if (layer, basis) not in _SMALL:
        v = run_query(bundle, truth_settings, check_query(bundle, truth_settings, layer, basis, None)).values
        _SMALL[layer, basis] = set(v.index[v["suppressed"].to_numpy(dtype=bool)])
    return _SMALL[layer, basis]


def _basis(url: str) -> str:
    if "res=" in url:
        return "h3_" + url.split("res=")[1].split("&")[0]
    return url.split("level=")[1].split("&")[0] if "level=" in url else "planungsraum"


def _records(resp) -> pd.DataFrame:
    if resp.mimetype == "text/csv":
        return pd.read_csv(io.StringIO(resp.get_data(as_text=True)), dtype={"id": str}, keep_default_na=True)
    body = orjson.loads(resp.data)
    if "features" in body:
        return pd.DataFrame([{"id": f["id"], **{k: f["properties"].get(k) for k in ("value", "suppressed", "residents")}} for f in body["features"]])
    return pd.DataFrame(body["values"])


def _walk_keys(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k, v, path
            yield from _walk_keys(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for item in obj:
            yield from _walk_keys(item, path)


def test_internal_layers_are_not_served(client, portal_settings):
    internal = [lid for lid, spec in REGISTRY.items() if spec.sensitivity == INTERNAL]
    for lid in internal:
        assert lid not in public_layers(portal_settings)
        assert client.get(f"/api/v1/layers/{lid}").status_code == 404


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "layer"], ids=lambda r: r.url)
def test_layer_routes_hide_small_values_and_publish_perturbed_counts(client, berlin_bundle, portal_settings, truth_settings, route):
    basis = _basis(route.url)
    checked_hidden = 0
    for layer in public_layers(portal_settings):
        resp = client.get(route.url.format(layer=layer))
        assert resp.status_code in route.ok, (layer, resp.data[:300])
        rows = _records(resp)
        assert set(rows.columns) >= {"id", "value", "suppressed", "residents"}
        assert not (set(rows.columns) & INTERNAL_FIELDS), f"{layer}: internal field in {route.url}"
        small = small_areas(berlin_bundle, truth_settings, layer, basis)
        rows = rows.set_index("id")
        hidden = rows.loc[rows.index.isin(small)]
        assert hidden["value"].isna().all(), f"{layer} {route.url}: a value from too few cases is published"
        assert hidden["residents"].isna().all(), f"{layer} {route.url}: residents of a suppressed area are published"
        assert hidden["suppressed"].astype(str).isin(["True", "true"]).all()
        checked_hidden += len(hidden)
        shown = rows[rows["residents"].notna()]
        res = shown["residents"].astype(float)
        assert ((res == 0) | (res >= portal_settings.min_residents)).all()
        if not basis.startswith("h3_"):  # unit counts are whole persons (true count + cell-key noise)
            assert (res == res.round()).all()
    assert checked_hidden > 0


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "table"], ids=lambda r: r.url)
def test_topic_routes_publish_nothing_internal_nor_small(client, portal_settings, route):
    resp = client.get(route.url)
    assert resp.status_code in route.ok, resp.data[:300]
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text
    if resp.status_code != 200:
        return
    if resp.mimetype == "text/csv":
        table = pd.read_csv(io.StringIO(text))
        assert not (set(table.columns) & INTERNAL_FIELDS)
        for col in RESIDENT_FIELDS & set(table.columns):
            vals = table[col].dropna().astype(float)
            assert ((vals == 0) | (vals >= portal_settings.min_residents)).all(), f"{route.url}: {col} below the minimum"
        return
    body = orjson.loads(resp.data)
    for key, value, where in _walk_keys(body):
        assert key not in INTERNAL_FIELDS, f"{route.url}: internal field {where}.{key}"
        if key in RESIDENT_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
            assert value == 0 or value >= portal_settings.min_residents, f"{route.url}: {where}.{key} = {value} below the minimum"


@pytest.mark.parametrize("basis", ["planungsraum", "h3_9"])
def test_map_callback_shows_no_small_value(client, berlin_bundle, portal_settings, truth_settings, basis):
    """The map through Dash's endpoint, for every public layer: hidden areas have no colour, no residents, no hover note."""
    period = berlin_bundle.periods[-1]
    last = len(berlin_bundle.periods) - 1
    for layer in public_layers(portal_settings):
        groups = [g.id for g in REGISTRY[layer].groups(berlin_bundle)]
        group = "mig_bg" if "mig_bg" in groups else (groups[0] if groups else None)
        body = _payload(layer, group, basis, last, berlin_bundle.periods[0], f"{ids.BASIS}.value")
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 200, resp.data[:300]
        fig = orjson.loads(resp.data)["response"][ids.MAP]["figure"]
        trace = fig["data"][VALUES_TRACE]
        locations = trace["locations"]
        z, residents = decode(trace["z"]), decode(trace["customdata"])
        planner = run_query(berlin_bundle, truth_settings, check_query(berlin_bundle, truth_settings, layer, basis, period, group))
        truth = planner.values
        small = truth.index[truth["suppressed"].to_numpy(dtype=bool)]
        at = np.isin(np.asarray(locations), small)
        assert np.isnan(z[at]).all(), f"{layer} {basis}: the map colours an area with too few cases"
        assert np.isnan(residents[at]).all(), f"{layer} {basis}: the hover shows residents of a suppressed area"
        finite = residents[np.isfinite(residents)]
        assert ((finite == 0) | (finite >= portal_settings.min_residents)).all()
        assert np.isnan(decode(fig["data"][SMALL_TRACE]["z"])).all()  # no "small counts" overlay in the portal
        text = trace.get("text")
        notes = planner.notes["de"] if planner.notes is not None and "de" in planner.notes else None
        if isinstance(text, list) and len(text) == len(locations) and notes is not None:
            for loc, line in zip(locations, text):  # the layer's hover note (distances, m², z …) of a hidden area is gone
                note = str(notes.get(loc, "") or "")
                if loc in small and note:
                    assert note not in line, (layer, loc, line)


def test_views_callback_cards_and_table_leave_hidden_areas_out(client, berlin_bundle, portal_settings, truth_settings):
    """Cards, table and histogram of a district and of a selection holding hidden areas: never their values, never 0."""
    period = berlin_bundle.periods[-1]
    last = len(berlin_bundle.periods) - 1
    hidden = run_query(berlin_bundle, portal_settings, check_query(berlin_bundle, portal_settings, "migration_share", "planungsraum", period,
                                                                   "mig_bg")).values
    gone = list(hidden.index[hidden["suppressed"].to_numpy(dtype=bool)])
    assert len(gone) >= 2
    truth = run_query(berlin_bundle, truth_settings, check_query(berlin_bundle, truth_settings, "migration_share", "planungsraum", period,
                                                                 "mig_bg")).values
    district = gone[0][:2]
    body = _views_payload("migration_share", "planungsraum", last, berlin_bundle.periods[0], f"{ids.SELECTION}.data", district, gone[:2])
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:300]
    text = orjson.dumps(orjson.loads(resp.data)["response"]).decode()
    names = berlin_bundle.units_of("planungsraum")["name"]
    for uid in gone[:2]:
        value = f"{truth.loc[uid, 'value']:.1f}".replace(".", ",")
        assert f"{names[uid]}" not in text or value + " %" not in text, f"{uid}: its value {value} appears in the views"
    assert "nicht ausgewiesen" in text


def test_district_card_minus_shown_areas_reveals_no_single_area(berlin_bundle, portal_settings):
    """(published Bezirk − the card's sum over its published Planungsräume) is never one hidden area's count: the Bezirk
    carries its own cell-key noise, so the difference is that count plus noise, and the card never subtracts."""
    from layers.summary import key_figures

    period = berlin_bundle.periods[-1]
    for layer, group in (("migration_count", "origin_syria"), ("migration_share", "mig_bg")):
        q = check_query(berlin_bundle, portal_settings, layer, "planungsraum", period, group)
        plr = run_query(berlin_bundle, portal_settings, q).values
        bez = run_query(berlin_bundle, portal_settings, check_query(berlin_bundle, portal_settings, layer, "bezirk", period, group)).values
        for district in bez.index:
            card = key_figures(berlin_bundle, portal_settings, q, [], district)["district"]
            in_district = plr[plr.index.str.startswith(district)]
            n_hidden = int(in_district["suppressed"].sum())
            assert card.left_out >= n_hidden, f"{layer}: district {district}: the card does not say it left hidden areas out"
