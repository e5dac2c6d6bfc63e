"""Portal mode on real Berlin: the briefing and the area profile show no value from fewer than the minimum.

The truth is planner mode without rounding (as in test_portal_outputs.py): every area flagged there must be drawn in the
"not shown" grey on the briefing's maps, and a profile of such an area says "not shown" instead of a value.
"""

from __future__ import annotations

import re

import pytest

from dashboard.app import create_app
from dashboard.figures import NOT_SHOWN_COLOUR
from layers.query import check_query, run_query
from layers.settings import load_settings

LAYERS = ("migration_share", "migration_count", "migration_lq", "education_kita_ratio", "public_green_per_resident")
PATH = re.compile(r'<path d="[^"]*" fill="([^"]+)" stroke="[^"]+" stroke-width="[^"]+" fill-rule="evenodd"><title>([^<]+)</title>')


@pytest.fixture(scope="module")
def portal(settings, berlin_bundle):
    return create_app(load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal"), berlin_bundle.folder).server.test_client()


@pytest.fixture(scope="module")
def truth(settings):
    return load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="planner")


def small(bundle, truth, layer: str, basis: str) -> set[str]:
    v = run_query(bundle, truth, check_query(bundle, truth, layer, basis, None)).values
    return set(v.index[v["suppressed"].to_numpy(dtype=bool)])


@pytest.mark.parametrize("layer", LAYERS)
def test_briefing_maps_show_small_areas_only_as_not_shown(portal, berlin_bundle, truth, layer):
    html = portal.get(f"/briefing?layer={layer}&basis=planungsraum").get_data(as_text=True)  # the whole city, every Planungsraum
    fills = {area: fill for fill, area in PATH.findall(html)}
    assert len(fills) == 542
    hidden = small(berlin_bundle, truth, layer, "planungsraum")
    assert hidden and all(fills[a] == NOT_SHOWN_COLOUR for a in hidden), [a for a in hidden if fills[a] != NOT_SHOWN_COLOUR]
    assert "nicht ausgewiesen (weniger als 3 Fälle oder 50 Einwohner/innen)" in html
    assert "Öffentliches Portal" in html and "numerator" not in html


def test_profile_of_a_small_area_shows_no_value(portal, berlin_bundle, truth):
    hidden = sorted(small(berlin_bundle, truth, "migration_share", "planungsraum"))
    html = portal.get(f"/area/{hidden[0]}").get_data(as_text=True)
    row = re.search(r"Anteil der Gruppe \(Einwohner/innen mit Migrationshintergrund\).*?</th>\s*<td class=\"num\">([^<]*)</td>", html, re.S)
    assert row and row.group(1).strip() == "nicht ausgewiesen (weniger als 3 Fälle oder 50 Einwohner/innen)"
    values = run_query(berlin_bundle, truth, check_query(berlin_bundle, truth, "migration_share", "planungsraum", None)).values
    secret = f"{values.loc[hidden[0], 'value']:.1f}".replace(".", ",") + " %"
    assert secret not in html.split("Anteil der Gruppe (Ausländische")[0]
