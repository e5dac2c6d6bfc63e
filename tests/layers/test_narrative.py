"""The plain-language text: hand-computed sentences on the tiny city, no evaluative words for any layer, suppressed areas
counted but never valued."""

import pytest

from layers.bundle import load_bundle, write_bundle
from layers.narrative import about_migration, context_figures, district_ids, summary_text
from layers.query import check_query, run_query, visible_layers
from layers.registry import REGISTRY, get_layer
from layers.settings import load_settings
from layers.spatial.basis import Basis
from tests.tiny import tiny_build

# Words a generated text must never contain (BRIEF §6): stricter than the catalogue check in tests/test_language.py,
# since a generated text must not judge either ("schlecht", "worrying" …).
FORBIDDEN_WORDS = ("risiko", "risk", "problem", "brennpunkt", "schlecht", "besorgniserregend", "bad ", "worrying", "alarming",
                   "alarmierend", "sozial schwach", "hotspot")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_bundle(write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None))


def _text(bundle, mode, area_ids, lang="de", layer="migration_share", basis="block", **kw):
    settings = load_settings(mode=mode)
    query = check_query(bundle, settings, layer, basis, "2024-12-31", **kw)
    return summary_text(bundle, settings, query, run_query(bundle, settings, query), area_ids, lang)


def test_city_sentence_planner(tiny):
    # 2024: A1 600/1000, A2 100/500, B1 400/2000, B2 2/40 → city 1102/3540 = 31.13 %; areas 60, 20, 20, 5 %; median 20 %
    text = _text(tiny, "planner", None)
    assert text.startswith("Anteil der Gruppe (Einwohner/innen mit Migrationshintergrund): in der ganzen Stadt beträgt der Wert 31,1 %.")
    assert "Die 4 ausgewiesenen Gebiete (Block) liegen zwischen 5,0 % und 60,0 %; der Median ist 20,0 %." in text
    assert "Die Angaben beruhen auf 3.540 Einwohnerinnen und Einwohnern." in text
    assert "1 von 4 Gebieten beruhen auf kleinen Zahlen (weniger als 3 Fälle oder weniger als 50 Einwohner/innen)" in text
    assert "Quelle: Tiny population; Stichtag 31.12.2024." in text and "Synthetische Demo-Stadt" in text


def test_city_sentence_portal_counts_suppressed_areas_and_never_values_them(tiny):
    # B2 (40 residents) is suppressed; the city sentence is the share of the published counts of A1, A2, B1 (≈ 1100/3500)
    from layers.numbers import format_number
    from layers.publication import computing_bundle

    text = _text(tiny, "portal", None)
    pub = computing_bundle(tiny, load_settings(mode="portal")).counts(Basis(level="block"), "2024-12-31").frame.loc[["A1", "A2", "B1"]]
    city = format_number(100 * pub["pop_mig_bg"].sum() / pub["pop_total"].sum(), "de", 1)
    assert f"in der ganzen Stadt beträgt der Wert {city} %." in text
    assert "Die 3 ausgewiesenen Gebiete (Block)" in text
    assert "1 von 4 Gebieten werden nicht ausgewiesen (weniger als 3 Fälle oder weniger als 50 Einwohner/innen)." in text
    assert "5,0 %" not in text and "3.540" not in text
    only_b2 = _text(tiny, "portal", ["B2"])
    assert "Für diese Gebiete wird kein Wert ausgewiesen." in only_b2 and "1 von 1 Gebieten werden nicht ausgewiesen" in only_b2
    assert "5,0" not in only_b2 and " 40 " not in only_b2 and "beträgt der Wert" not in only_b2


def test_selection_against_city_in_english(tiny):
    # A1 + A2: 700/1500 = 46.67 %
    text = _text(tiny, "planner", ["A1", "A2"], lang="en")
    assert text.startswith("Share of group (Residents with migration background): in the 2 selected areas the value is 46.7 %.")
    assert "For comparison, the whole city: 31.1 %." in text
    assert "The 2 areas shown (Block) range from 20.0 % to 60.0 %; the median is 40.0 %." in text


def test_one_area_is_named_and_change_is_stated(tiny):
    text = _text(tiny, "planner", ["A1"])
    assert "in Block Block A1 beträgt der Wert 60,0 %." in text and "Zum Vergleich die ganze Stadt: 31,1 %." in text
    # 2023: A1 300/1000 = 30 % → +30 percentage points
    change = _text(tiny, "planner", ["A1"], compare_from="2023-12-31")
    assert "hat sich der Wert von 31.12.2023 bis 31.12.2024 um +30,0 Prozentpunkte verändert." in change


def test_migration_figures_carry_the_social_context_sentence(tiny, berlin_bundle):
    assert about_migration(get_layer("migration_share"), "mig_bg", tiny)
    assert not about_migration(get_layer("public_green_per_resident"), None, tiny)
    assert "Angaben zum sozialen Kontext (Arbeitslosigkeit, Transferbezug, Kinderarmut) enthält dieser Datensatz nicht." in _text(tiny, "planner", None)
    # real Berlin: MSS 2021 per Planungsraum, averaged over a Bezirksregion weighted by residents
    values, period = context_figures(berlin_bundle, Basis(level="bezirksregion"), ["011001"])
    assert period == "2020-12-31" and set(values) == {"mss_unemployment_pct", "mss_transfer_pct", "mss_child_poverty_pct"}
    settings = load_settings(mode="portal")
    query = check_query(berlin_bundle, settings, "migration_share", "planungsraum", None)
    text = summary_text(berlin_bundle, settings, query, run_query(berlin_bundle, settings, query),
                        district_ids(berlin_bundle, query.basis, "01"), "de", scope_name="Bezirk Mitte")
    assert "in Bezirk Mitte beträgt der Wert" in text and "Sozialer Kontext (Monitoring Soziale Stadtentwicklung 2021" in text
    assert "Arbeitslosigkeit" in text and "Stadt: Arbeitslosigkeit" in text


@pytest.mark.parametrize("mode", ["planner", "portal"])
def test_no_evaluative_words_for_any_layer(demo_bundle, mode):
    settings = load_settings(mode=mode)
    district = demo_bundle.units_of(demo_bundle.levels[0].id).index[0]
    shown = visible_layers(settings)  # internal layers (accommodation, housing) exist in the planner only
    assert set(shown) == set(REGISTRY) if mode == "planner" else "accommodation_places" not in shown
    for layer_id in shown:
        query = check_query(demo_bundle, settings, layer_id, demo_bundle.finest_level.id, None)
        result = run_query(demo_bundle, settings, query)
        for lang in ("de", "en"):
            for area_ids in (None, district_ids(demo_bundle, query.basis, district)):
                text = summary_text(demo_bundle, settings, query, result, area_ids, lang).lower()
                assert text and not [w for w in FORBIDDEN_WORDS if w in text], (layer_id, lang, text)
                assert ("quelle" if lang == "de" else "source") in text or ("stichtag" if lang == "de" else "reference date") in text
