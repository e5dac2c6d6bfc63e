"""Social context next to migration figures: MSS indicators with source and date, on every basis (issue 20: H3 hovers
and coarser units had none)."""

from layers.context import social_context
from layers.spatial.basis import Basis


def test_berlin_planungsraum_context(berlin_bundle):
    ctx = social_context(berlin_bundle, Basis(level="planungsraum"), "de")
    line = ctx["01100101"]
    assert line.startswith("Sozialer Kontext (Monitoring Soziale Stadtentwicklung 2021, Stand 31.12.2020)")
    assert "Arbeitslosigkeit" in line and "Kinderarmut" in line and "%" in line
    assert (ctx != "").sum() == 536  # MSS has valid values for 536 of 542 Planungsräume
    assert "unemployment" in social_context(berlin_bundle, Basis(level="planungsraum"), "en")["01100101"]


def test_cells_and_districts_carry_the_weighted_context_and_cells_say_interpolated(berlin_bundle):
    cells = social_context(berlin_bundle, Basis(res=9), "de")
    assert (cells != "").mean() > 0.9
    assert "aus Planungsraum interpoliert" in cells[cells != ""].iloc[0]
    districts = social_context(berlin_bundle, Basis(level="bezirk"), "en")
    assert (districts != "").all() and "interpolated" not in districts.iloc[0]


def test_line_is_built_from_the_units_own_indicator_values(berlin_bundle):
    """One Planungsraum's line, rebuilt from the bundle's indicator table: the three MSS values with one decimal, German
    separators, in the order unemployment, transfer receipt, child poverty; a missing value is left out, never 0."""
    ctx = social_context(berlin_bundle, Basis(level="planungsraum"), "de")
    table = berlin_bundle.table("indicators")
    rows = table[table["unit_id"].astype(str) == "01100101"]
    values = {r["indicator"]: r["value"] for _, r in rows.iterrows() if r["indicator"].startswith("mss_")}
    parts = [f"{name} {values[key]:.1f} %".replace(".", ",") for name, key in
             (("Arbeitslosigkeit", "mss_unemployment_pct"), ("Transferbezug", "mss_transfer_pct"), ("Kinderarmut", "mss_child_poverty_pct"))]
    assert ctx["01100101"].split(":<br>")[1] == ", ".join(parts)
    empty = ctx[ctx == ""].index
    assert len(empty) == 6 and not ctx.str.contains("nan").any()
