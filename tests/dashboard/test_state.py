"""The URL is the state: every link parses (bad parts fall back with a notice) and a state written out reads back the same."""

import pytest

from dashboard.state import link_basis, parse_query, to_query
from layers.bundle import load_bundle, write_bundle
from layers.settings import load_settings
from tests.tiny import tiny_build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_bundle(write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None))


def test_empty_link_is_the_default_view(tiny):
    state = parse_query("", tiny, load_settings())
    assert (state.layer, state.basis, state.period, state.selection, state.notices) == ("migration_share", "block", "2024-12-31", (), ())


def test_round_trip(tiny):
    settings = load_settings()
    link = "?layer=migration_lq&group=foreign&basis=h3_9&period=2023-12-31&district=B&overlays=funding&lang=en"
    state = parse_query(link, tiny, settings)
    assert (state.layer, state.group, state.basis, state.period, state.district, state.lang) == \
        ("migration_lq", "foreign", "h3_9", "2023-12-31", "B", "en")
    assert parse_query(to_query(state, tiny, settings), tiny, settings) == state


def test_comparison_and_selection_round_trip(tiny):
    settings = load_settings()
    state = parse_query("?layer=migration_share&compare=1&from=2023-12-31&sel=A1,B2&focus=B2", tiny, settings)
    assert state.compare and state.period_from == "2023-12-31" and state.selection == ("A1", "B2") and state.focus == "B2"
    assert parse_query(to_query(state, tiny, settings), tiny, settings) == state


def test_invalid_parameters_fall_back_with_a_notice(tiny):
    state = parse_query("?layer=nope&period=2020-01-01&sel=A1,ZZ&colour=red&basis=h3_12", tiny, load_settings())
    assert (state.layer, state.period, state.basis, state.selection) == ("migration_share", "2024-12-31", "block", ("A1",))
    assert set(state.notices) == {"layer=nope", "period=2020-01-01", "sel=ZZ", "colour=red", "basis=h3_12"}


def test_area_short_form_opens_the_unit(tiny):
    state = parse_query("?area=B1", tiny, load_settings())
    assert (state.basis, state.selection, state.focus, state.district) == ("block", ("B1",), "B1", "B")
    district = parse_query("?area=A", tiny, load_settings())
    assert (district.basis, district.district, district.selection) == ("district", "A", ("A",))
    assert parse_query("?area=Q9", tiny, load_settings()).notices == ("area=Q9",)


def test_a_selection_too_long_for_a_link_stays_out_of_it(tiny):
    from dashboard.state import MAX_SELECTION_CHARS, ViewState, selection_fits_link

    settings = load_settings()
    state = parse_query("?sel=A1", tiny, settings)
    many = tuple(f"8a1f{i:011x}" for i in range(MAX_SELECTION_CHARS // 10))
    assert not selection_fits_link(many) and selection_fits_link(state.selection)
    assert "sel=" not in to_query(ViewState(**{**state.__dict__, "selection": many}), tiny, settings)


def test_parameter_names_are_case_insensitive_values_are_not(tiny):
    settings = load_settings()
    mixed = parse_query("?Layer=migration_lq&GROUP=foreign&Basis=h3_9&Lang=en", tiny, settings)
    assert (mixed.layer, mixed.group, mixed.basis, mixed.lang, mixed.notices) == ("migration_lq", "foreign", "h3_9", "en", ())
    assert parse_query("?layer=MIGRATION_LQ", tiny, settings).notices == ("layer=MIGRATION_LQ",)


@pytest.mark.parametrize("link", ["", "?basis=district", "?BASIS=h3_9&layer=nope", "?basis=h3_12", "?area=B1", "?area=A&basis=h3_9",
                                  "?area=Q9&basis=district", "?basis=district&sel=ZZ&scenario=broken"])
def test_the_basis_a_page_preloads_is_the_one_its_link_opens(tiny, link):
    """`link_basis` reads only what the page's HTML needs to preload the map's geometry; it must agree with the whole
    parse, or the page fetches one geometry for nothing and then the other."""
    settings = load_settings()
    assert link_basis(link, tiny, parse_query("", tiny, settings).basis) == parse_query(link, tiny, settings).basis
