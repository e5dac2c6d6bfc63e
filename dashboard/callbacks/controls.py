"""The controls themselves: options and texts in the UI language, the group, comparison and start-period pickers of
the layer, the overview table's orders, the section tabs, the scenario view switch and the period player."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from layers import get_layer

from .. import ids
from ..context import current_bundle, current_settings
from ..i18n import t
from ..layout import (
    area_search_options,
    group_options,
    layer_options,
    notice,
    overlay_options,
    period_options,
    section_tabs,
    sources_line,
    subtitle,
)
from ..view import checked_scenario
from ..views import basis_options, table_order_options, table_orders


def scenario_view_row(scenario: dict | None) -> dict:
    """The baseline | scenario | difference switch shows while a scenario has interventions (never in the portal)."""
    return {} if checked_scenario(scenario) else {"display": "none"}


def update_controls(layer_id: str, lang: str, group: str | None) -> tuple:
    """Texts and options follow the language; the group list, comparison switch and start-period picker follow the layer."""
    bundle, settings = current_bundle(), current_settings()
    spec = get_layer(layer_id)
    groups = group_options(bundle, layer_id, lang)
    valid = [g["value"] for g in groups]
    new_group = group if group in valid else (valid[0] if valid else None)
    labels = [t(o["id"]["key"], lang) for o in ctx.outputs_list[6]]
    periods = period_options(bundle, lang)
    compare_style = {"display": "none"} if spec.needs_period_from or spec.categories else {}
    return (layer_options(settings, lang), groups, new_group if new_group != group else no_update, basis_options(bundle, lang),
            periods, compare_style, labels, sources_line(bundle, settings, lang), subtitle(bundle, settings, lang), notice(bundle, settings, lang),
            [{"label": t("compare", lang), "value": "on"}], t("whole_city", lang), overlay_options(lang), t("clear_selection", lang),
            t("area_search_placeholder", lang), area_search_options(bundle, lang) if ctx.triggered_id == ids.LANGUAGE else no_update)


def tabs_in_language(lang: str, built_in: str | None, layer_id: str) -> tuple:
    """The section tabs (labels and panels) in the chosen language; built once per language switch, not per change."""
    if lang == built_in or lang not in ("de", "en"):
        return no_update, no_update, no_update
    return section_tabs(current_bundle(), current_settings(), lang, layer_id).children, lang, lang


def table_order_control(layer_id: str, lang: str, order: str | None) -> tuple:
    """The overview table's orders for this layer (by value only where `table_orders` allows it), in the UI language."""
    spec, portal = get_layer(layer_id), current_settings().mode == "portal"
    allowed = table_orders(spec, portal)
    return table_order_options(spec, portal, lang), (order if order in allowed else "name"), t("table_order", lang)


def period_from_row(layer_id: str, compare: list[str] | None) -> dict:
    """The start-period picker shows for layers that need one and while comparing (not for classes)."""
    spec = get_layer(layer_id)
    return {} if spec.needs_period_from or (compare and not spec.categories) else {"display": "none"}


PLAYER_TICK = """
function(n, value, maxValue) {
    // next reference date; stop the player at the last one
    const next = Math.min((value || 0) + 1, maxValue);
    return [next, next >= maxValue];
}
"""
PLAYER_TOGGLE = """
function(clicks, disabled, value, maxValue) {
    const skip = window.dash_clientside.no_update;
    if (!clicks) { return [skip, skip]; }
    if (disabled) {  // start; from the first date again when at the end
        return [false, value >= maxValue ? 0 : skip];
    }
    return [true, skip];
}
"""
PLAYER_LABEL = """
function(disabled) { return disabled ? "▶" : "⏸"; }
"""


def register(app: Dash) -> None:
    """Attach the controls' callbacks."""
    app.callback(Output(ids.SECTION_TABS, "children"), Output(ids.SECTION_TABS, "key"), Output(ids.TABS_LANG, "data"),
                 Input(ids.LANGUAGE, "value"), State(ids.TABS_LANG, "data"), State(ids.LAYER, "value"),
                 prevent_initial_call=True)(tabs_in_language)  # a link's language arrives as a change of the language control
    app.callback(Output(ids.TABLE_ORDER, "options"), Output(ids.TABLE_ORDER, "value"), Output("overview-table-order-label", "children"),
                 Input(ids.LAYER, "value"), Input(ids.LANGUAGE, "value"), State(ids.TABLE_ORDER, "value"),
                 prevent_initial_call=True)(table_order_control)
    app.callback(Output(f"{ids.SCENARIO_VIEW}-row", "style"), Input(ids.SCENARIO, "data"), prevent_initial_call=True)(scenario_view_row)
    app.callback(
        Output(ids.LAYER, "options"), Output(ids.GROUP, "options"), Output(ids.GROUP, "value", allow_duplicate=True),
        Output(ids.BASIS, "options"), Output(ids.PERIOD_FROM, "options"), Output(ids.COMPARE, "style"),
        Output({"type": ids.LABELS, "key": ALL}, "children"), Output(ids.SOURCES, "children"),
        Output(ids.SUBTITLE, "children"), Output(ids.NOTICE, "children"), Output(ids.COMPARE, "options"),
        Output(ids.DISTRICT, "placeholder"), Output(ids.OVERLAYS, "options"), Output(ids.CLEAR_SELECTION, "children"),
        Output(ids.AREA_SEARCH, "placeholder"), Output(ids.AREA_SEARCH, "options"),
        Input(ids.LAYER, "value"), Input(ids.LANGUAGE, "value"), State(ids.GROUP, "value"),
        prevent_initial_call=True,
    )(update_controls)
    app.callback(Output(ids.PERIOD_FROM_ROW, "style"), Input(ids.LAYER, "value"), Input(ids.COMPARE, "value"),
                 prevent_initial_call=True)(period_from_row)
    app.clientside_callback(
        PLAYER_TICK, Output(ids.PERIOD, "value", allow_duplicate=True), Output(ids.PLAYER, "disabled", allow_duplicate=True),
        Input(ids.PLAYER, "n_intervals"), State(ids.PERIOD, "value"), State(ids.PERIOD, "max"), prevent_initial_call=True)
    app.clientside_callback(
        PLAYER_TOGGLE, Output(ids.PLAYER, "disabled"), Output(ids.PERIOD, "value", allow_duplicate=True),
        Input(ids.PLAY, "n_clicks"), State(ids.PLAYER, "disabled"), State(ids.PERIOD, "value"), State(ids.PERIOD, "max"),
        prevent_initial_call=True)
    app.clientside_callback(PLAYER_LABEL, Output(ids.PLAY, "children"), Input(ids.PLAYER, "disabled"))
