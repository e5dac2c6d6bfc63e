"""The linked views of the map: histogram, key-figure cards, ranked table and selection line, and the focused area's
detail panel. They follow the map (`AFTER_MAP`), all from the same cached result."""

from __future__ import annotations

from dash import Dash, Input, Output, State, html, no_update

from .. import ids
from ..context import current_bundle, current_settings
from ..i18n import t
from ..state import selection_fits_link
from ..view import Controls, ScenarioChoice, area_labels, resolve_view, scenario_controls, selection_ids, view_controls
from ..views import cards, detail_panel, histogram_figure, ranked_table
from .main_map import AFTER_MAP


def selection_line(chosen: list[str], lang: str) -> str:
    """How many areas are selected, and whether the link can carry them."""
    info = t("selection_count", lang, n=len(chosen)) if chosen else t("selection_none", lang)
    if chosen and not selection_fits_link(chosen):
        info += " " + t("selection_not_in_link", lang)
    return info


def update_views(controls: Controls, district: str | None, selection: dict | None, lang: str, scenario: ScenarioChoice,
                 order: str = "name", drawn: dict | None = None) -> tuple:
    """Histogram, key-figure cards, ranked table and the selection line, all from the same cached result.

    `drawn` (the map's drawn-store, once the map shows it) is only the trigger: the views follow the map (`AFTER_MAP`)."""
    bundle, settings = current_bundle(), current_settings()
    shown = resolve_view(controls, scenario)
    if shown is None:
        return no_update, no_update, no_update, no_update
    chosen = selection_ids(selection, controls["basis"])
    names = area_labels(bundle, controls["basis"], lang)
    return (histogram_figure(bundle, shown.result, shown.spec, district, chosen, lang),
            cards(bundle, settings, shown.query, shown.spec, chosen, district, lang, shown.runner),
            ranked_table(bundle, shown.result, shown.spec, names, district, chosen, lang, settings.mode == "portal", order),
            selection_line(chosen, lang))


def update_detail(selection: dict | None, controls: Controls, lang: str, scenario: ScenarioChoice, drawn: dict | None = None):
    """The focused area's detail panel (or the hint without one); `drawn` is only the trigger (`AFTER_MAP`)."""
    focus = (selection or {}).get("focus") if (selection or {}).get("basis") == controls["basis"] else None
    shown = resolve_view(controls, scenario) if focus else None
    if shown is None:
        return html.Div(t("detail_hint", lang), className="text-muted small")
    return detail_panel(current_bundle(), current_settings(), shown.query, shown.spec, focus, lang, shown.runner)


def register(app: Dash) -> None:
    """Attach the linked views and the detail panel.

    The views follow the map: a change of what the map shows reaches them through the map's answer, once the map shows
    it (`AFTER_MAP`), so the map's request runs alone on the server and its answer is drawn first (issue 19: with 8
    requests at once, the map's answer took 100-160 ms instead of 35 ms at H3 res 9). District and selection patch the map without a new
    drawn-store, so the views take them directly."""
    app.callback(
        Output(ids.HISTOGRAM, "figure"), Output(ids.CARDS, "children"), Output(ids.TABLE, "children"), Output(ids.SELECTION_INFO, "children"),
        inputs=dict(controls=view_controls(State), district=Input(ids.DISTRICT, "value"), selection=Input(ids.SELECTION, "data"),
                    lang=State(ids.LANGUAGE, "value"), scenario=scenario_controls(State), order=Input(ids.TABLE_ORDER, "value"),
                    drawn=AFTER_MAP),
        prevent_initial_call=True,
    )(update_views)
    app.callback(
        Output(ids.DETAIL, "children"),
        inputs=dict(selection=Input(ids.SELECTION, "data"), controls=view_controls(State), lang=State(ids.LANGUAGE, "value"),
                    scenario=scenario_controls(State), drawn=AFTER_MAP),
        prevent_initial_call=True,
    )(update_detail)
