"""Social context next to migration figures: MSS indicators with source and date, none on H3 cells."""

from layers.context import social_context
from layers.spatial.basis import Basis


def test_berlin_planungsraum_context(berlin_bundle):
    ctx = social_context(berlin_bundle, Basis(level="planungsraum"), "de")
    line = ctx["01100101"]
    assert line.startswith("Sozialer Kontext (Monitoring Soziale Stadtentwicklung 2021, Stand 31.12.2020)")
    assert "Arbeitslosigkeit" in line and "Kinderarmut" in line and "%" in line
    assert (ctx != "").sum() == 536  # MSS has valid values for 536 of 542 Planungsräume
    assert "unemployment" in social_context(berlin_bundle, Basis(level="planungsraum"), "en")["01100101"]


def test_no_context_where_none_is_published(berlin_bundle):
    assert (social_context(berlin_bundle, Basis(res=9), "de") == "").all()
    assert (social_context(berlin_bundle, Basis(level="bezirk"), "de") == "").all()
