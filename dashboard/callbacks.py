"""Callbacks: translate the view state into layer queries and results into figures (geometry is never resent).

One state (controls + selection store) drives every view; the URL mirrors it (`sync_url`). The map gets a full
figure only when the basis changes; everything else is a Patch of values, highlight or view.
"""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from layers.cellkey import MAX_NOISE
from layers.query import LayerQuery
from layers.registry import get_layer
from layers.scenario import Scenario
from layers.spatial.basis import Basis
from layers.spatial.geometry import basis_geojson
from layers.spatial.selection import translate_selection

from . import ids
from .accessibility import register_accessibility
from .context import SETTINGS_KEY, current_bundle, current_settings, layer_result
from .figures import (
    FACILITY_COLOUR,
    FUNDING_COLOUR,
    NOT_SHOWN_COLOUR,
    SCENARIO_TRACE,
    SELECTION_COLOUR,
    SELECTION_TRACE,
    Display,
    map_figure,
    map_patch,
    values_key,
)
from .i18n import format_date, t
from .layout import (
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
from .pages import briefing_href
from .state import ViewState, area_view, embedded, parse_query, period_at, scenario_dict, selection_fits_link, to_query
from .view import area_labels, checked_scenario, current_query, resolve_view, selection_ids
from .views import (
    SELECTABLE_TRACES,
    apply_district,
    basis_label,
    basis_options,
    cards,
    detail_panel,
    district_layout,
    district_view,
    histogram_figure,
    ids_in_range,
    ranked_table,
    selection_patch,
    table_order_options,
    table_orders,
)


def geo_url(basis_key: str) -> str:
    bundle = current_bundle()
    return f"geo/{basis_key}.json?v={bundle.manifest.built_at.replace(':', '')}"


def geojson_bytes(basis_key: str) -> bytes:
    """GeoJSON of a basis, built once per process and bundle."""
    return basis_geojson(current_bundle(), Basis.parse(basis_key))


def level_name(bundle, level_id: str, lang: str) -> str:
    level = bundle.level(level_id)
    return level.name_de if lang == "de" else level.name_en


def api_url(result, query: LayerQuery, fmt: str, scenario: str | None = None, view: str = "baseline") -> str:
    """The data-API address of exactly the values on the map (relative to the page): with a scenario shown, its view."""
    basis = f"res={result.basis.res}" if result.basis.is_h3 else f"level={result.basis.level}"
    params = [basis, f"period={result.period}"]
    params += [f"group={result.group}"] if result.group else []
    params += [f"period_from={query.period_from}"] if query.period_from else []
    params += [f"compare_from={query.compare_from}"] if query.compare_from else []
    params += [f"scenario={scenario}", f"view={view}"] if scenario and view != "baseline" else []
    return f"api/v1/layers/{result.layer_id}?{'&'.join(params)}&format={fmt}"


def _date_text(date: str, lang: str) -> str:
    """An ISO date in the UI's form (31.12.2020); a source's own wording (01/2026) as it is."""
    return format_date(date, lang) if len(date) == 10 and date[4] == "-" else date


def legend(result, query: LayerQuery, spec, lang: str, settings, scenario: str | None = None, view: str = "baseline") -> list:
    bundle = current_bundle()
    basis = result.basis
    named_basis = basis_label(bundle, basis, lang)
    group = next((g.title(lang) for g in spec.groups(bundle) if g.id == result.group), "")
    period = format_date(result.period, lang)
    if result.period_from:
        period = f"{format_date(result.period_from, lang)} → {period}"
    origin = (t("interpolated", lang, level=level_name(bundle, result.interpolated_from, lang)) if result.interpolated_from
              else t("exact", lang))
    head = [html.Strong(spec.title(lang))] + ([f" · {group}"] if group else []) + [f" · {spec.unit(lang)} · {named_basis} · {t('period', lang)} {period}"]
    head += [f" · {t('data_date', lang, source=bundle.sources[k].title if k in bundle.sources else k, date=_date_text(d, lang))}"
             for k, d in result.data_dates]
    return [
        html.Div(head),
        map_key(spec, lang, settings),
        html.Div([html.Span(origin, className="badge bg-info text-dark me-2", id="map-badge"), spec.description(lang)]),
        html.Div(t("legend_not_shown", lang, cases=settings.min_cases, residents=settings.min_residents)
                 + ". " + t("legend_perturbed", lang, noise=MAX_NOISE)
                 if settings.mode == "portal"
                 else t("legend_small", lang, cases=settings.min_cases, residents=settings.min_residents)),
        html.Div(t("description_note", lang), className="fst-italic"),
        html.Div([html.A(t("download_csv", lang), href=api_url(result, query, "csv", scenario, view), id="map-download-csv", className="me-3"),
                  *([html.A(t("download_csv_excel", lang), href=api_url(result, query, "csv-de", scenario, view), id="map-download-csv-de",
                            className="me-3")] if lang == "de" else []),
                  *(html.A(label, href=api_url(result, query, fmt, scenario, view), id=f"map-download-{fmt}", className="me-3")
                    for fmt, label in (("xlsx", "Excel"), ("gpkg", "GeoPackage"), ("fgb", "FlatGeobuf"), ("parquet", "GeoParquet"))),
                  html.A(t("api_link", lang) + " (JSON)", href=api_url(result, query, "json", scenario, view), target="_blank",
                         className="me-3", id="map-download-json"),
                  html.A("GeoJSON", href=api_url(result, query, "geojson", scenario, view), target="_blank", id="map-download-geojson")]),
    ]


def _swatch(colour: str, label: str, shape: str = "box") -> html.Span:
    style = {"display": "inline-block", "width": "0.9em", "height": "0.9em", "marginRight": "0.3em", "verticalAlign": "-0.1em"}
    if shape == "box":
        style.update(background=colour, border="1px solid #888")
    elif shape == "outline":
        style.update(border=f"2px solid {colour}")
    else:  # dot
        style.update(background=colour, borderRadius="50%")
    return html.Span([html.Span(style=style, **{"aria-hidden": "true"}), label], className="me-3 text-nowrap d-inline-block")


def map_key(spec, lang: str, settings) -> html.Div:
    """What the map's marks mean: the classes of a categorical layer (swatches, no colour bar), grey areas, the outline of
    small counts (planner), the selection, facility points and funding and protection areas."""
    items = [_swatch(c.colour, c.title(lang)) for c in sorted(spec.categories, key=lambda c: c.value)]
    grey = (t("key_not_shown", lang, cases=settings.min_cases, residents=settings.min_residents) if settings.mode == "portal"
            else t("key_no_value", lang))
    items += [_swatch(NOT_SHOWN_COLOUR, grey)]
    if settings.mode != "portal":
        items.append(_swatch("#3c3c3c", t("key_small", lang), "outline"))
    items += [_swatch(SELECTION_COLOUR, t("key_selection", lang), "outline"), _swatch(FACILITY_COLOUR, t("key_facilities", lang), "dot"),
              html.Span([html.Span("━ ", style={"color": FUNDING_COLOUR}), t("key_funding", lang)], className="me-3 text-nowrap d-inline-block"),
              html.Span([html.Span("╍ ", style={"color": FUNDING_COLOUR}), t("key_protection", lang)], className="d-inline-block")]
    return html.Div(items, id="map-key", className="my-1")


def scenario_sites(data: dict | None, lang: str) -> dict:
    """Lon, lat and label of every site of the scenario (the map's scenario trace); empty lists without one."""
    param = checked_scenario(data)
    if not param:
        return {"lon": [], "lat": [], "text": []}
    from .sections.scenario import sites

    points = sites(current_bundle(), Scenario.from_url_param(param), lang)
    return {"lon": [p["lon"] for p in points], "lat": [p["lat"] for p in points], "text": [p["label"] for p in points]}


def update_map(layer_id, group, basis_key, period_index, period_from, compare, lang, district, selection, scenario, view, drawn):
    """Full figure when the basis changes (new geometry URL), otherwise a Patch: values, or only highlight or view.

    `drawn` (store) says which basis the figure on the page has and whether its hover heads carry layer-specific lines.
    With a scenario (store), `view` says whether the map shows the baseline, the scenario or their difference.
    """
    bundle, settings = current_bundle(), current_settings()
    controls = (layer_id, group, basis_key, period_index, period_from, compare)
    full = not drawn or drawn.get("basis") != basis_key
    triggered = set() if full else set(ctx.triggered_prop_ids or {})  # a whole figure is also drawn into the page (first_view)
    for prop, patch in ((f"{ids.SELECTION}.data", lambda: selection_patch(selection_ids(selection, basis_key))),
                        (f"{ids.DISTRICT}.value", lambda: district_view(bundle, district))):
        if not full and triggered and triggered <= {prop}:  # only the highlight or the view changes: no values needed
            return (patch() if current_query(*controls) is not None else no_update), no_update, no_update
    shown = resolve_view(*controls, scenario, view)
    if shown is None:
        return no_update, no_update, no_update
    result, spec = shown.result, shown.spec
    display = Display(lang, settings.min_cases, settings.min_residents, settings.mode == "portal",
                      level_name(bundle, result.interpolated_from, lang) if result.interpolated_from else None,
                      ids_as_names=shown.query.basis.is_h3)
    labels = area_labels(bundle, basis_key, lang)
    rich = bool(spec.categories) or result.notes is not None
    key = values_key(result, display)
    if full:
        fig = map_figure(bundle, result, spec, labels, geo_url(basis_key), geo_url(bundle.levels[0].id), display,
                         settings.tile_url, settings.tile_attribution)
        chosen = selection_ids(selection, basis_key)
        fig["data"][SELECTION_TRACE]["locations"], fig["data"][SELECTION_TRACE]["z"] = chosen, [0] * len(chosen)
        apply_district(fig, district_layout(bundle, district))
        fig["data"][SCENARIO_TRACE].update(scenario_sites(scenario, lang))
    else:
        fig = map_patch(result, spec, labels, display, rich or drawn.get("rich", False) or f"{ids.LANGUAGE}.value" in triggered, drawn, key)
        if f"{ids.DISTRICT}.value" in triggered:
            apply_district(fig, district_layout(bundle, district))
        if f"{ids.SELECTION}.data" in triggered:
            chosen = selection_ids(selection, basis_key)
            fig["data"][SELECTION_TRACE]["locations"], fig["data"][SELECTION_TRACE]["z"] = chosen, [0] * len(chosen)
        if triggered & {f"{ids.SCENARIO}.data", f"{ids.LANGUAGE}.value"}:
            for name, value in scenario_sites(scenario, lang).items():
                fig["data"][SCENARIO_TRACE][name] = value
    legend_items = legend(result, shown.query, spec, lang, settings, shown.scenario, view)
    return fig, legend_items, {"basis": basis_key, "rich": rich, "full": full, **key}


def update_views(layer_id, group, basis_key, period_index, period_from, compare, district, selection, lang, scenario, view, order="name",
                 drawn=None):
    """Histogram, key-figure cards, ranked table and the selection line, all from the same cached result.

    `drawn` (the map's drawn-store) is only the trigger: the views follow the map (`AFTER_MAP`)."""
    bundle, settings = current_bundle(), current_settings()
    shown = resolve_view(layer_id, group, basis_key, period_index, period_from, compare, scenario, view)
    if shown is None:
        return no_update, no_update, no_update, no_update
    chosen = selection_ids(selection, basis_key)
    info = t("selection_count", lang, n=len(chosen)) if chosen else t("selection_none", lang)
    if chosen and not selection_fits_link(chosen):
        info += " " + t("selection_not_in_link", lang)
    names = area_labels(bundle, basis_key, lang)
    return (histogram_figure(bundle, shown.result, shown.spec, district, chosen, lang),
            cards(bundle, settings, shown.query, shown.spec, chosen, district, lang, shown.runner),
            ranked_table(bundle, shown.result, shown.spec, names, district, chosen, lang, settings.mode == "portal", order),
            info)


def update_detail(selection, layer_id, group, basis_key, period_index, period_from, compare, lang, scenario, view, drawn=None):
    """The focused area's detail panel (or the hint without one); `drawn` is only the trigger (`AFTER_MAP`)."""
    bundle, settings = current_bundle(), current_settings()
    focus = (selection or {}).get("focus") if (selection or {}).get("basis") == basis_key else None
    shown = resolve_view(layer_id, group, basis_key, period_index, period_from, compare, scenario, view) if focus else None
    if shown is None:
        return html.Div(t("detail_hint", lang), className="text-muted small")
    return detail_panel(bundle, settings, shown.query, shown.spec, focus, lang, shown.runner)


def scenario_view_row(scenario) -> dict:
    """The baseline | scenario | difference switch shows while a scenario has interventions (never in the portal)."""
    return {} if checked_scenario(scenario) else {"display": "none"}


def update_selection(click, box, brush, clear, basis_key, selection, layer_id, group, period_index, period_from, compare,
                     district, placing):
    """Map click (toggle), map box/lasso, histogram brush, basis switch (translate), clear (a click on an area's name in
    the table puts it in focus in the browser: `TABLE_FOCUS`). While the scenario panel is placing an intervention
    (`placing`), map clicks are its, not the selection's."""
    bundle = current_bundle()
    selection = selection or {"basis": basis_key, "ids": [], "focus": None}
    chosen, focus = list(selection.get("ids") or []), selection.get("focus")
    trigger = ctx.triggered_id
    if trigger == ids.BASIS:
        old = Basis.parse(selection["basis"])
        new = Basis.parse(basis_key)
        chosen = translate_selection(bundle, chosen, old, new)
        moved = translate_selection(bundle, [focus], old, new) if focus else []
        return {"basis": basis_key, "ids": chosen, "focus": moved[0] if moved else None}
    if selection.get("basis") != basis_key:
        chosen, focus = [], None
    if trigger == ids.CLEAR_SELECTION:
        return {"basis": basis_key, "ids": [], "focus": None}
    if trigger == ids.MAP and ctx.triggered_prop_ids and f"{ids.MAP}.clickData" in ctx.triggered_prop_ids:
        if placing:
            return no_update
        point = (click or {}).get("points", [{}])[0]
        area = point.get("location")
        if area is None or point.get("curveNumber") not in SELECTABLE_TRACES:
            return no_update
        chosen = [i for i in chosen if i != area] if area in chosen else chosen + [area]
        return {"basis": basis_key, "ids": chosen, "focus": area}
    if trigger == ids.MAP:
        points = (box or {}).get("points") or []
        picked = [p["location"] for p in points if p.get("curveNumber") in SELECTABLE_TRACES and p.get("location") is not None]
        if not picked:
            return no_update
        return {"basis": basis_key, "ids": list(dict.fromkeys(picked)), "focus": focus if focus in picked else picked[0]}
    if trigger == ids.HISTOGRAM:
        x_range = ((brush or {}).get("range") or {}).get("x")
        if not x_range:
            return no_update
        query = current_query(layer_id, group, basis_key, period_index, period_from, compare)
        if query is None:
            return no_update
        picked = ids_in_range(bundle, layer_result(query), district, float(min(x_range)), float(max(x_range)))
        return {"basis": basis_key, "ids": picked, "focus": focus if focus in picked else None}
    return no_update


def update_controls(layer_id, lang, group):
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


def tabs_in_language(lang, built_in, layer_id):
    """The section tabs (labels and panels) in the chosen language; built once per language switch, not per change."""
    if lang == built_in or lang not in ("de", "en"):
        return no_update, no_update, no_update
    return section_tabs(current_bundle(), current_settings(), lang, layer_id).children, lang, lang


def table_order_control(layer_id, lang, order):
    """The overview table's orders for this layer (by value only where `table_orders` allows it), in the UI language."""
    spec, portal = get_layer(layer_id), current_settings().mode == "portal"
    allowed = table_orders(spec, portal)
    return table_order_options(spec, portal, lang), (order if order in allowed else "name"), t("table_order", lang)


def period_from_row(layer_id, compare):
    spec = get_layer(layer_id)
    return {} if spec.needs_period_from or (compare and not spec.categories) else {"display": "none"}


def control_values(state: ViewState) -> tuple:
    """The values of `CONTROLS` (in that order) that show `state`."""
    bundle = current_bundle()
    return (state.layer, state.group, state.basis, bundle.periods.index(state.period), state.period_from, ["on"] if state.compare else [],
            state.district, list(state.overlays), state.lang, {"basis": state.basis, "ids": list(state.selection), "focus": state.focus},
            scenario_dict(state.scenario), state.view)


def _state_of_controls(layer_id, group, basis_key, period_index, period_from, compare, district, overlays, lang, selection,
                       scenario=None, view="scenario") -> ViewState:
    sel = selection or {}
    param = checked_scenario(scenario)
    return ViewState(layer=layer_id, group=group, basis=basis_key, period=period_at(current_bundle(), period_index), period_from=period_from,
                     compare=bool(compare), district=district, overlays=tuple(overlays or ()), lang=lang,
                     selection=tuple(selection_ids(sel, basis_key)), focus=sel.get("focus") if sel.get("basis") == basis_key else None,
                     scenario=param, view=view or "scenario")


# The controls a link restores (`restore_from_url`) and every change of which writes the link (`write_url`).
CONTROLS = [(ids.LAYER, "value"), (ids.GROUP, "value"), (ids.BASIS, "value"), (ids.PERIOD, "value"), (ids.PERIOD_FROM, "value"),
            (ids.COMPARE, "value"), (ids.DISTRICT, "value"), (ids.OVERLAYS, "value"), (ids.LANGUAGE, "value"), (ids.SELECTION, "data"),
            (ids.SCENARIO, "data"), (ids.SCENARIO_VIEW, "value")]


def url_notice(state: ViewState) -> html.Div | None:
    """What of a link could not be applied (parameter and value), or None."""
    if not state.notices:
        return None
    return html.Div(t("url_notice", state.lang, params=", ".join(state.notices)), className="alert alert-warning py-1 small",
                    id="url-notice-text")


def restore_from_url(search, last_written, *controls):
    """A link (or back/forward) sets the controls; the app's own writes and a link equal to the state change nothing."""
    bundle, settings = current_bundle(), current_settings()
    if ctx.triggered_id is not None and search == last_written:
        return (no_update,) * (len(CONTROLS) + 1)
    state = parse_query(search, bundle, settings)
    notice_box = url_notice(state)
    current = control_values(_state_of_controls(*controls))
    # only what differs: every output that changes triggers the views (and patches of a map that may not be drawn yet)
    changed = tuple(new if new != old else no_update for new, old in zip(control_values(state), current))
    return changed + (notice_box if state.notices or ctx.triggered_id is not None else no_update,)


def write_url(layer_id, group, basis_key, period_index, period_from, compare, district, overlays, lang, selection, scenario, view, search, href):
    """Every change of the state writes the query string (a new history entry, so back and forward work) and
    remembers it, so that the reading side can tell the app's own writes from back/forward."""
    bundle, settings = current_bundle(), current_settings()
    if (selection or {}).get("basis") not in (None, basis_key):
        return (no_update,) * (3 + settings.briefing_enabled)  # mid basis switch: the selection is being carried over, write once it is
    state = _state_of_controls(layer_id, group, basis_key, period_index, period_from, compare, district, overlays, lang, selection, scenario, view)
    canonical = to_query(state, bundle, settings)
    query = canonical + ("&embed=1" if embedded(search) else "")
    link = (href or "").split("?")[0] + query
    # the address shows this state already, maybe in another spelling (a link as typed, back to it): no new history
    # entry, which would drop the entries ahead of it (forward)
    shown = query == search or (bool(search) and to_query(parse_query(search, bundle, settings), bundle, settings) == canonical)
    return (no_update if shown else query), link, query, *([briefing_href(query)] if settings.briefing_enabled else [])


def find_area(area):
    """The area search: the chosen unit on its own level, in its district, selected and in focus (as an `?area=` link)."""
    found = area_view(current_bundle(), area) if area else None
    if found is None:
        return no_update, no_update, no_update
    basis, district = found
    return basis, district, {"basis": basis, "ids": [area], "focus": area}


TABLE_FOCUS = """
function(clicks, selection, basis) {
    // a click on an area's name in the overview table: that area in focus, the selection kept (on the basis shown).
    // In the browser, because every new table (each period or layer switch) would otherwise cost a request.
    const skip = window.dash_clientside.no_update;
    const trigger = window.dash_clientside.callback_context.triggered_id;
    if (!trigger || !(clicks || []).some(Boolean)) { return skip; }
    const kept = selection && selection.basis === basis ? (selection.ids || []) : [];
    return {basis: basis, ids: kept, focus: trigger.index};
}
"""
URL_GATE = """
function(search, written) {
    // the page was built in the state of its own query string, and the app writes every change itself:
    // only another query string (back/forward, a link the page was not built from) goes to the server
    if (search === undefined || search === null) { return window.dash_clientside.no_update; }  // not mounted yet
    return search === (written || "") ? window.dash_clientside.no_update : search;
}
"""
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


AFTER_MAP = Input(ids.MAP_DRAWN, "data")  # what updates after the map has its answer (see `register_callbacks`)


def register_callbacks(app: Dash) -> None:
    """Attach the callbacks to one app (explicitly: `dash.callback`'s global list is consumed by the first app
    that starts, so a second app in the same process, as in tests and benchmarks, would get none)."""
    scenario_inputs = [Input(ids.SCENARIO, "data"), Input(ids.SCENARIO_VIEW, "value")]
    view_inputs = [Input(ids.LAYER, "value"), Input(ids.GROUP, "value"), Input(ids.BASIS, "value"), Input(ids.PERIOD, "value"),
                   Input(ids.PERIOD_FROM, "value"), Input(ids.COMPARE, "value")]
    # The page is built in its link's state, views included (`dashboard.first_view`): no view is computed again on load.
    app.callback(
        Output(ids.MAP, "figure"), Output(ids.LEGEND, "children"), Output(ids.MAP_DRAWN, "data"),
        *view_inputs, Input(ids.LANGUAGE, "value"), Input(ids.DISTRICT, "value"), Input(ids.SELECTION, "data"),
        *scenario_inputs, State(ids.MAP_DRAWN, "data"), prevent_initial_call=True,
    )(update_map)
    # The views follow the map: a change of what the map shows reaches them through the map's answer (`ids.MAP_DRAWN`),
    # so the map's request runs alone on the server and its answer is drawn first (issue 19: with 8 requests at once, the
    # map's answer took 100-160 ms instead of 35 ms at H3 res 9). District and selection patch the map without a new
    # drawn-store, so the views take them directly.
    view_state = [State(i.component_id, i.component_property) for i in view_inputs]
    scenario_state = [State(i.component_id, i.component_property) for i in scenario_inputs]
    app.callback(
        Output(ids.HISTOGRAM, "figure"), Output(ids.CARDS, "children"), Output(ids.TABLE, "children"), Output(ids.SELECTION_INFO, "children"),
        *view_state, Input(ids.DISTRICT, "value"), Input(ids.SELECTION, "data"), State(ids.LANGUAGE, "value"), *scenario_state,
        Input(ids.TABLE_ORDER, "value"), AFTER_MAP, prevent_initial_call=True,
    )(update_views)
    app.callback(Output(ids.SECTION_TABS, "children"), Output(ids.SECTION_TABS, "key"), Output(ids.TABS_LANG, "data"),
                 Input(ids.LANGUAGE, "value"), State(ids.TABS_LANG, "data"), State(ids.LAYER, "value"),
                 prevent_initial_call=True)(tabs_in_language)  # a link's language arrives as a change of the language control
    app.callback(Output(ids.TABLE_ORDER, "options"), Output(ids.TABLE_ORDER, "value"), Output("overview-table-order-label", "children"),
                 Input(ids.LAYER, "value"), Input(ids.LANGUAGE, "value"), State(ids.TABLE_ORDER, "value"),
                 prevent_initial_call=True)(table_order_control)
    app.callback(
        Output(ids.DETAIL, "children"),
        Input(ids.SELECTION, "data"), *view_state, State(ids.LANGUAGE, "value"), *scenario_state, AFTER_MAP, prevent_initial_call=True,
    )(update_detail)
    app.callback(Output(f"{ids.SCENARIO_VIEW}-row", "style"), Input(ids.SCENARIO, "data"), prevent_initial_call=True)(scenario_view_row)
    app.callback(
        Output(ids.SELECTION, "data", allow_duplicate=True),
        Input(ids.MAP, "clickData"), Input(ids.MAP, "selectedData"), Input(ids.HISTOGRAM, "selectedData"),
        Input(ids.CLEAR_SELECTION, "n_clicks"), Input(ids.BASIS, "value"),
        State(ids.SELECTION, "data"), State(ids.LAYER, "value"), State(ids.GROUP, "value"), State(ids.PERIOD, "value"),
        State(ids.PERIOD_FROM, "value"), State(ids.COMPARE, "value"), State(ids.DISTRICT, "value"), State(ids.SCENARIO_PLACING, "data"),
        prevent_initial_call=True,
    )(update_selection)
    app.clientside_callback(TABLE_FOCUS, Output(ids.SELECTION, "data", allow_duplicate=True),
                            Input({"type": ids.TABLE_AREA, "index": ALL}, "n_clicks"), State(ids.SELECTION, "data"), State(ids.BASIS, "value"),
                            prevent_initial_call=True)
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
    app.callback(Output(ids.BASIS, "value", allow_duplicate=True), Output(ids.DISTRICT, "value", allow_duplicate=True),
                 Output(ids.SELECTION, "data", allow_duplicate=True), Input(ids.AREA_SEARCH, "value"),
                 prevent_initial_call=True)(find_area)
    # Two Location components, so that reading and writing the URL are separate nodes of the callback graph (no cycle).
    app.clientside_callback(URL_GATE, Output(ids.URL_READ, "data"), Input(ids.URL, "search"), State(ids.URL_WRITTEN, "data"))
    app.callback(
        *[Output(i, p, allow_duplicate=(i in (ids.SELECTION, ids.PERIOD, ids.SCENARIO))) for i, p in CONTROLS], Output(ids.URL_NOTICE, "children"),
        Input(ids.URL_READ, "data"), State(ids.URL_WRITTEN, "data"), *[State(i, p) for i, p in CONTROLS],
        prevent_initial_call=True,
    )(restore_from_url)
    app.callback(
        Output(ids.URL_WRITE, "search"), Output(ids.LINK_TEXT, "value"), Output(ids.URL_WRITTEN, "data"),
        *([Output(ids.BRIEFING_LINK, "href")] if app.server.config[SETTINGS_KEY].briefing_enabled else []),
        *[Input(i, p) for i, p in CONTROLS], State(ids.URL_WRITE, "search"), State(ids.URL_WRITE, "href"), prevent_initial_call=True,
    )(write_url)
    app.clientside_callback(
        PLAYER_TICK, Output(ids.PERIOD, "value", allow_duplicate=True), Output(ids.PLAYER, "disabled", allow_duplicate=True),
        Input(ids.PLAYER, "n_intervals"), State(ids.PERIOD, "value"), State(ids.PERIOD, "max"), prevent_initial_call=True)
    app.clientside_callback(
        PLAYER_TOGGLE, Output(ids.PLAYER, "disabled"), Output(ids.PERIOD, "value", allow_duplicate=True),
        Input(ids.PLAY, "n_clicks"), State(ids.PLAYER, "disabled"), State(ids.PERIOD, "value"), State(ids.PERIOD, "max"),
        prevent_initial_call=True)
    app.clientside_callback(PLAYER_LABEL, Output(ids.PLAY, "children"), Input(ids.PLAYER, "disabled"))
    register_accessibility(app)  # map summary, table alternative, page language (dashboard/accessibility.py)
