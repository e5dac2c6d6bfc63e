"""Colour-blind safety: the simulation and colour difference by hand, and every registered layer's scale in the approved set."""

import numpy as np
import pytest

from dashboard.figures import FUNDING_COLOUR, HIGHLIGHT_COLOUR, NOT_SHOWN_COLOUR, SELECTION_COLOUR
from layers import colours
from layers.registry import LAYERS
from layers.spec import comparison_spec


def test_parse_and_lab_by_hand():
    assert colours.parse_colour("#ff8000").tolist() == pytest.approx([1.0, 128 / 255, 0.0])
    assert colours.parse_colour("rgb(0, 51, 255)").tolist() == pytest.approx([0.0, 0.2, 1.0])
    assert colours.lab(np.array([1.0, 1.0, 1.0])).tolist() == pytest.approx([100.0, 0.0, 0.0], abs=0.01)
    assert colours.lab(np.array([0.0, 0.0, 0.0])).tolist() == pytest.approx([0.0, 0.0, 0.0], abs=0.01)
    # #808080: 128/255 = 0.50196, linear ((0.50196 + 0.055)/1.055)^2.4 = 0.21586, L* = 116·0.21586^(1/3) − 16 = 53.585
    assert colours.seen(["#808080"], "normal")[0, 0] == pytest.approx(53.585, abs=0.005)
    assert colours.delta_e(np.array([50.0, 3.0, 4.0]), np.array([50.0, 0.0, 0.0])) == pytest.approx(5.0)


@pytest.mark.parametrize("vision", colours.VISIONS)
def test_simulation_keeps_greys_grey(vision):
    """Machado's matrices map white to white (rows sum to 1), so greys stay grey and lightness order is kept."""
    greys = np.array([[g, g, g] for g in (0.0, 0.25, 0.5, 1.0)])
    seen = colours.simulate(greys, vision)
    assert np.allclose(seen, seen[:, :1], atol=2e-3)


def test_red_green_confusion_is_detected():
    """Pure red and green are far apart for normal vision and close under deuteranopia: the check sees what it should."""
    red, green = "#d62728", "#2ca02c"
    normal = colours.delta_e(*colours.seen([red, green], "normal"))
    deutan = colours.delta_e(*colours.seen([red, green], "deuteranopia"))
    assert normal > 80 and deutan < normal / 3


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
def test_every_layer_scale_is_approved_and_passes(spec):
    check = colours.check_layer(spec)
    assert check.approved, f"{spec.id}: {check.name} is not in the approved set (docs/accessibility.md)"
    assert check.passed, f"{spec.id}: {check.kind} check failed, worst {check.worst} under {check.worst_vision}"
    if spec.categories:  # the continuous scale is unused for classes, but stays in the approved set too
        assert colours.base_name(spec.colorscale) in colours.SEQUENTIAL + colours.DIVERGING


@pytest.mark.parametrize("spec", [s for s in LAYERS if not s.categories and not s.needs_period_from], ids=lambda s: s.id)
def test_change_view_scale_is_approved(spec):
    """The "change since" view of every layer uses a diverging scale from the approved set."""
    assert colours.check_scale(comparison_spec(spec).colorscale, 0.0).ok


def test_rejected_scales_fail_the_check():
    assert not colours.check_scale("RdBu", 0.0).passed  # protanopia: the two ends come within ΔE 40
    assert not colours.check_scale("RdYlGn", 0.0).passed
    assert not colours.check_scale("Jet").passed  # lightness goes up and down
    assert not colours.check_classes("traffic light", ["#1a9641", "#fdae61", "#d7191c"]).ok


def test_overlay_colours_stand_apart_from_not_shown_grey():
    """Selection, highlight and funding outlines must differ from the grey of "not shown" under every vision."""
    for overlay in (SELECTION_COLOUR, HIGHLIGHT_COLOUR, FUNDING_COLOUR):
        worst, _ = colours.min_contrast_against(overlay, [NOT_SHOWN_COLOUR, "#ffffff"])
        assert worst >= 20, overlay
