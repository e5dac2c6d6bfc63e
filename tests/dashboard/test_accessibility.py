"""The map's table alternative and text summary, the page shell (lang, landmarks, skip links), through the real app.

Hand-computed on the four-block tiny city (tests/tiny.py, 31.12.2024): A1 600/1000 = 60 %, A2 100/500 = 20 %,
B1 400/2000 = 20 %, B2 2/40 = 5 % (40 residents: fewer than 50, so not shown in the portal).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import replace

import orjson
import pytest

from dashboard import accessibility as a11y
from dashboard import ids
from dashboard.app import create_app
from layers.bundle import write_bundle
from layers.query import check_query, run_query
from layers.registry import get_layer
from tests.dashboard.dash_bodies import callback_request
from tests.tiny import tiny_build

VIEW = [(ids.LAYER, "value"), (ids.GROUP, "value"), (ids.BASIS, "value"), (ids.PERIOD, "value"), (ids.PERIOD_FROM, "value"),
        (ids.COMPARE, "value"), (ids.LANGUAGE, "value"), (ids.DISTRICT, "value"), (ids.SELECTION, "data"), (ids.SCENARIO, "data"),
        (ids.SCENARIO_VIEW, "value")]


def load_settings(base, **values):
    """The session's settings with some values changed (no second read of config.toml)."""
    return replace(base, values={**base.values, "cache_type": "SimpleCache", **values})


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None)


@pytest.fixture(scope="module")
def tiny(tiny_folder):
    from layers.bundle import load_bundle

    return load_bundle(tiny_folder)


def _view_values(basis="block", layer="migration_share", lang="de", district=None, selection=None, period=1):
    return [layer, "mig_bg", basis, period, "2023-12-31", [], lang, district, {"basis": basis, "ids": selection or [], "focus": None},
            None, "scenario"]


def _post(app, outputs, values, changed):
    resp = app.server.test_client().post("/_dash-update-component", json=callback_request(app, outputs, dict(values), changed))
    assert resp.status_code == 200, resp.data[:800]
    return orjson.loads(resp.data)["response"]


def table_response(app, sort="value", order="desc", text="", page=0, **view):
    values = list(zip(VIEW, _view_values(**view))) + [((a11y.TABLE_REGION, "hidden"), False), ((a11y.PAGE, "data"), page),
                                                      ((a11y.SORT, "value"), sort), ((a11y.ORDER, "value"), order),
                                                      ((a11y.FILTER, "value"), text), ((a11y.TABLE_FOLLOWS, "data"), None)]
    outputs = [(a11y.TABLE, "children"), (a11y.PAGE_STATUS, "children"), (a11y.PAGES, "data")]
    return _post(app, outputs, values, f"{a11y.TABLE_REGION}.hidden")


def _texts(node) -> list[str]:
    """All strings in a serialised Dash component tree, in document order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for child in node for s in _texts(child)]
    if isinstance(node, dict):
        props = node.get("props", {})
        return _texts(props.get("children")) if "children" in props else []
    return [str(node)] if node is not None else []


def _rows(children) -> list[list[str]]:
    """Rows of the rendered table: [name, value, numerator, denominator, residents] as text."""
    table = children[0]
    body = table["props"]["children"][2]
    return [["".join(_texts(cell)).strip() for cell in tr["props"]["children"]] for tr in body["props"]["children"]]


# --- pure functions ----------------------------------------------------------------------------------------

def test_page_of_clips_and_counts():
    import pandas as pd

    frame = pd.DataFrame({"x": range(120)})
    rows, page, pages = a11y.page_of(frame, 5, size=50)
    assert (page, pages, len(rows), rows["x"].iloc[0]) == (2, 3, 20, 100)  # page 5 does not exist: the last one (rows 101–120)
    assert a11y.page_of(frame.iloc[:0], 0)[1:] == (0, 1)
    assert a11y.page_of(frame, -3)[1] == 0


def test_table_frame_sorted_filtered_and_scoped(settings, tiny):
    settings = load_settings(settings)
    query = check_query(tiny, settings, "migration_share", "block", "2024-12-31", "mig_bg")
    result = run_query(tiny, settings, query)
    names = tiny.units_of("block")["name"]
    frame = a11y.table_frame(tiny, result, names, None, [], "value", ascending=False)
    assert list(frame.index) == ["A1", "A2", "B1", "B2"]  # 60, 20, 20 (ties by name), 5
    assert frame.loc["A1", ["value", "numerator", "denominator", "residents"]].tolist() == [60.0, 600.0, 1000.0, 1000.0]
    assert list(a11y.table_frame(tiny, result, names, "B", [], "name").index) == ["B1", "B2"]  # district Süd
    assert list(a11y.table_frame(tiny, result, names, None, ["B2", "A2"], "name").index) == ["A2", "B2"]  # the selection
    assert list(a11y.table_frame(tiny, result, names, None, [], "name", text="block b").index) == ["B1", "B2"]
    # the portal never ranks: a value order request still lists by name
    assert list(a11y.table_frame(tiny, result, names, None, [], "value", ascending=True, portal=True).index) == ["A1", "A2", "B1", "B2"]


def test_value_text_not_shown_small_and_no_value(settings):
    import pandas as pd

    spec = get_layer("migration_share")
    portal = load_settings(settings, mode="portal")
    planner = load_settings(settings)
    hidden = pd.Series({"value": float("nan"), "suppressed": True})
    assert a11y.value_text(hidden, spec, portal, "de") == "nicht ausgewiesen (weniger als 3 Fälle oder 50 Einwohner/innen)"
    assert a11y.value_text(hidden, spec, portal, "en") == "not shown (fewer than 3 cases or 50 residents)"
    assert a11y.value_text(pd.Series({"value": float("nan"), "suppressed": False}), spec, planner, "de") == "kein Wert"
    assert a11y.value_text(pd.Series({"value": 5.0, "suppressed": True}), spec, planner, "de") == "5,0 (kleine Fallzahl)"
    assert a11y.value_text(pd.Series({"value": 1234.56, "suppressed": False}), get_layer("migration_count"), planner, "de") == "1.235"
    classes = get_layer("funding_mss_status")
    assert a11y.value_text(pd.Series({"value": 2.0, "suppressed": False}), classes, planner, "en") == "medium"


# --- through Dash's callback endpoint -------------------------------------------------------------------------

def test_table_callback_planner_hand_computed(settings, tiny_folder):
    response = table_response(create_app(load_settings(settings), tiny_folder))
    rows = _rows(response[a11y.TABLE]["children"])
    assert rows == [["Block A1 (A1)", "60,0", "600", "1.000", "1.000"], ["Block A2 (A2)", "20,0", "100", "500", "500"],
                    ["Block B1 (B1)", "20,0", "400", "2.000", "2.000"], ["Block B2 (B2)", "5,0 (kleine Fallzahl)", "2", "40", "40"]]
    assert response[a11y.PAGE_STATUS]["children"] == "Seite 1 von 1 · Zeilen 1 bis 4 von 4"
    caption = response[a11y.TABLE]["children"][0]["props"]["children"][0]["props"]
    assert caption["children"] == ("Anteil der Gruppe (Einwohner/innen mit Migrationshintergrund) · % · Block (4) · Stichtag 31.12.2024 · "
                                   "ganze Stadt")
    head = response[a11y.TABLE]["children"][0]["props"]["children"][1]["props"]["children"]["props"]["children"]
    assert [th["props"]["scope"] for th in head] == ["col"] * 5
    assert head[1]["props"]["children"] == "Wert (%, 31.12.2024)" and head[1]["props"]["aria-sort"] == "descending"
    body = response[a11y.TABLE]["children"][0]["props"]["children"][2]["props"]["children"]
    assert all(tr["props"]["children"][0]["type"] == "Th" and tr["props"]["children"][0]["props"]["scope"] == "row" for tr in body)


def test_table_callback_portal_never_shows_small_values(settings, tiny_folder):
    response = table_response(create_app(load_settings(settings, mode="portal"), tiny_folder), sort="value", order="asc", lang="en")
    rows = _rows(response[a11y.TABLE]["children"])
    assert [r[0] for r in rows] == ["Block A1 (A1)", "Block A2 (A2)", "Block B1 (B1)", "Block B2 (B2)"]  # by name, not by value
    # published counts: true counts (600 of 1,000; 100 of 500) plus a cell-key noise of at most ±5 persons each
    value, num, den = float(rows[0][1]), int(rows[0][2].replace(",", "")), int(rows[0][3].replace(",", ""))
    assert abs(num - 600) <= 5 and abs(den - 1000) <= 5 and value == round(100 * num / den, 1)
    assert abs(float(rows[1][1]) - 20.0) <= 1.5
    assert not rows[2][1].startswith("not shown")  # B1 stays: every level carries its own noise, no secondary suppression
    assert rows[3] == ["Block B2 (B2)", "not shown (fewer than 3 cases or 50 residents)", "not shown", "not shown",
                       "not shown"]
    text = orjson.dumps(response).decode()
    assert '"40"' not in text and '"5.0' not in text and '"2"' not in text  # B2's counts and value appear nowhere
    assert "no ranking of quarters" in text


def test_table_paging_and_page_reset(settings, tiny_folder):
    app = create_app(load_settings(settings), tiny_folder)
    client = app.server.test_client()
    outputs = [(a11y.PAGE, "data")]
    extra = [((a11y.SORT, "value"), "name"), ((a11y.ORDER, "value"), "asc"), ((a11y.FILTER, "value"), ""),
             ((a11y.TABLE_FOLLOWS, "data"), {"basis": "block"}), ((a11y.PAGE, "data"), 3), ((a11y.PAGES, "data"), 10)]

    def move(to: str, clicks: list[int], changed: str | None = None):
        buttons = [{"id": {"type": a11y.PAGE_BUTTON, "to": m}, "property": "n_clicks", "value": c} for m, c in zip(a11y.PAGE_MOVES, clicks)]
        values = dict(list(zip(VIEW, _view_values())) + extra + [((a11y.PAGE_BUTTON, "n_clicks"), buttons)])
        body = callback_request(app, outputs, values, changed or (orjson.dumps({"to": to, "type": a11y.PAGE_BUTTON}).decode() + ".n_clicks"))
        resp = client.post("/_dash-update-component", json=body)
        return resp.status_code, (orjson.loads(resp.data)["response"][a11y.PAGE]["data"] if resp.status_code == 200 else None)

    assert move("next", [0, 0, 1, 0]) == (200, 4)
    assert move("prev", [0, 1, 0, 0]) == (200, 2)
    assert move("last", [0, 0, 0, 1]) == (200, 9)
    assert move("first", [1, 0, 0, 0]) == (200, 0)
    assert move("", [0, 0, 0, 0], changed=f"{a11y.TABLE_FOLLOWS}.data") == (200, 0)  # what the table shows changed: first page


def test_summary_callback_and_map_name(settings, tiny_folder):
    app = create_app(load_settings(settings, mode="portal"), tiny_folder)
    drawn = [((ids.MAP_FRAMED, "data"), {"basis": "block"})]
    response = _post(app, [(a11y.SUMMARY, "children"), (a11y.MAP_REGION, "aria-label")], list(zip(VIEW, _view_values())) + drawn,
                     f"{ids.MAP_FRAMED}.data")
    text = response[a11y.SUMMARY]["children"]
    # B2 (40 residents) only: B1 carries its own cell-key noise, so Süd − B1 does not reveal B2
    assert "1 von 4 Gebieten werden nicht ausgewiesen" in text and "Stichtag 31.12.2024" in text
    assert response[a11y.MAP_REGION]["aria-label"] == "Karte: Anteil der Gruppe"
    district = _post(app, [(a11y.SUMMARY, "children"), (a11y.MAP_REGION, "aria-label")],
                     list(zip(VIEW, _view_values(district="A", lang="en"))) + drawn, f"{ids.DISTRICT}.value")[a11y.SUMMARY]["children"]
    assert "in Nord" in district or "District Nord" in district


# --- the page shell -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["de", "en"])
def test_page_language_landmarks_and_skip_links(settings, tiny_folder, lang):
    app = create_app(load_settings(settings, language=lang), tiny_folder)
    client = app.server.test_client()
    page = client.get("/").data.decode()
    assert re.search(rf'<html lang="{lang}"', page)
    assert "<footer>" not in page  # Dash's script block is no second contentinfo landmark
    layout = orjson.dumps(client.get("/_dash-layout").json).decode()
    for component in ("Header", "Main", "Footer", "Nav"):
        assert f'"type":"{component}"' in layout
    assert f'"href":"#{a11y.MAP_REGION}"' in layout and f'"href":"#{a11y.TOGGLE}"' in layout
    assert f'"aria-describedby":"{a11y.SUMMARY}"' in layout and '"aria-live":"polite"' in layout
    assert f'"aria-controls":"{a11y.TABLE_REGION}"' in layout and '"aria-expanded":"false"' in layout
    assert ("Tabelle statt Karte" if lang == "de" else "Table instead of map") in layout


def test_table_on_real_berlin_in_portal(settings, berlin_bundle):
    """Berlin's 542 Planungsräume in the portal: every row present, suppressed ones say why, none reads 0; res 10 pages fast."""
    portal = load_settings(settings, mode="portal")
    query = check_query(berlin_bundle, portal, "migration_share", "planungsraum", None, "mig_bg")
    result = run_query(berlin_bundle, portal, query)
    names = berlin_bundle.units_of("planungsraum")["name"]
    spec = get_layer("migration_share")
    frame = a11y.table_frame(berlin_bundle, result, names, None, [], "name", portal=True)
    assert len(frame) == 542
    hidden = frame[frame["suppressed"].astype(bool)]
    assert len(hidden) >= 1
    for _, row in hidden.iterrows():
        assert a11y.value_text(row, spec, portal, "de").startswith("nicht ausgewiesen (weniger als 3 Fälle")
        assert all(a11y.count_text(row[c], True, portal, "de") == "nicht ausgewiesen" for c in a11y.COUNT_COLUMNS)
    shown = frame[~frame["suppressed"].astype(bool) & frame["value"].notna()]
    assert (shown["residents"] >= 50).all()
    res10 = run_query(berlin_bundle, portal, check_query(berlin_bundle, portal, "migration_share", "h3_10", None, "mig_bg"))
    cells = berlin_bundle.cells(10)
    import pandas as pd

    cell_names = pd.Series(cells, index=cells)
    start = time.perf_counter()
    children, status, page, pages = a11y.render_table(berlin_bundle, portal, res10, spec, cell_names, None, [], 700, "name", "asc", "", "de")
    elapsed = time.perf_counter() - start
    assert pages == math.ceil(len(cells) / a11y.PAGE_SIZE) and page == 700 and len(cells) > 60_000
    assert status.startswith("Seite 701 von ")
    assert elapsed < 3.0, f"one page at res 10 took {elapsed:.2f} s"
