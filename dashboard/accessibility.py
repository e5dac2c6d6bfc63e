"""Accessibility of the main view: skip links, the map's name and text summary, the table alternative of the map, the page language.

Every map has a text summary (`layers.narrative.summary_text`, announced politely to screen readers) and a complete,
paged, sortable HTML table of all areas in scope ("Tabelle statt Karte"), built from the same disclosed `layer_result`
the map uses: in the portal a suppressed value reads "nicht ausgewiesen (weniger als N …)", never 0, and the table is
ordered by name only (no ranking of quarters, BRIEF §6). Callbacks are attached with `register_accessibility(app)`.
"""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from layers import LayerResult, LayerSpec, Settings, format_decimals, format_number, summary_text
from layers.bundle import Bundle
from layers.spatial import Basis, ids_in_district

from . import ids
from .context import current_bundle, current_settings
from .i18n import format_date, not_shown, t
from .view import Controls, ScenarioChoice, area_labels, resolve_view, scenario_controls, selection_ids, view_controls
from .views import basis_label

SKIP_LINKS = "a11y-skip-links"
SKIP_MAP = "a11y-skip-map"
SKIP_TABLE = "a11y-skip-table"
SKIP_CONTROLS = "a11y-skip-controls"
CONTROLS = "a11y-controls"  # landmark around the map settings (target of the skip link)
MAP_REGION = "a11y-map-region"  # named region around the map graph, described by the summary
SUMMARY = "a11y-summary"  # text summary of the map (aria-live="polite")
TOGGLE = "a11y-table-toggle"  # "Tabelle statt Karte" button (aria-expanded)
TABLE_REGION = "a11y-table-region"  # the table alternative (hidden until opened)
TABLE = "a11y-table"  # container of the rendered table page
FILTER = "a11y-filter"
FILTER_LABEL = "a11y-filter-label"
SORT = "a11y-sort"
SORT_LABEL = "a11y-sort-label"
ORDER = "a11y-order"
ORDER_LABEL = "a11y-order-label"
PAGE = "a11y-page"  # dcc.Store: current page (0-based)
PAGES = "a11y-pages"  # dcc.Store: number of pages of the current table
PAGE_STATUS = "a11y-page-status"
PAGER = "a11y-pager"  # nav around the paging buttons
PAGE_BUTTON = "a11y-page-button"  # pattern-matching id type of the paging buttons: {"type": PAGE_BUTTON, "to": "first"|"prev"|"next"|"last"}
CAPTION = "a11y-table-caption"
LANG_SINK = "a11y-lang"  # dcc.Store written by the clientside callback that sets <html lang>
TABLE_FOLLOWS = "a11y-table-follows"  # dcc.Store: the map's drawn-store, passed on only while the table is open

PAGE_SIZE = 50
PAGE_MOVES = ("first", "prev", "next", "last")
SORT_KEYS = ("name", "value", "numerator", "denominator", "residents")
COUNT_COLUMNS = ("numerator", "denominator", "residents")


# --- page shell ----------------------------------------------------------------------------------------

def apply_index_string(app: Dash, lang: str) -> None:
    """The page's `<html lang>` in the configured UI language (a clientside callback follows the language switch),
    and Dash's script block in a plain `<div>` instead of a second `<footer>` (one contentinfo landmark: the sources line).
    The page asks for its layout while its scripts load (a preload the renderer's own request then takes): the layout is
    built in the link's state on the server (`first_view`), and the renderer asks for it only once every script has run.

    Works on whatever index string the app has (other hooks may have changed it before)."""
    page = app.index_string
    page = re.sub(r"<html(?![^>]*\blang=)([^>]*)>", rf'<html lang="{lang}"\1>', page, count=1)
    page = re.sub(r"<footer>(\s*\{%config%\}.*?\{%renderer%\}\s*)</footer>", r'<div class="dash-scripts">\1</div>', page, count=1, flags=re.S)
    layout = f"{app.config.requests_pathname_prefix}_dash-layout"
    page = page.replace("{%metas%}", f'{{%metas%}}\n        <link rel="preload" href="{layout}" as="fetch" crossorigin="anonymous">', 1)
    app.index_string = page


def skip_links(lang: str) -> html.Nav:
    """Links that let keyboard users jump over the header and controls (visible on focus, see assets/accessibility.css)."""
    return html.Nav([
        html.A(t("a11y_skip_map", lang), href=f"#{MAP_REGION}", id=SKIP_MAP, className="a11y-skip-link"),
        html.A(t("a11y_skip_table", lang), href=f"#{TOGGLE}", id=SKIP_TABLE, className="a11y-skip-link"),
        html.A(t("a11y_skip_controls", lang), href=f"#{CONTROLS}", id=SKIP_CONTROLS, className="a11y-skip-link"),
    ], id=SKIP_LINKS, className="a11y-skip-links", **{"aria-label": t("a11y_skip_map", lang)})


def controls_region(children, lang: str) -> html.Section:
    """The map settings as a named region (skip-link target)."""
    return html.Section(children, id=CONTROLS, tabIndex="-1", **{"aria-label": t("a11y_controls", lang)})


def map_region(graph, lang: str) -> html.Div:
    """The map graph in a named region whose description is the text summary."""
    return html.Div(graph, id=MAP_REGION, role="region", tabIndex="-1",
                    **{"aria-label": t("a11y_map_name_plain", lang), "aria-describedby": SUMMARY})


def map_alternatives(lang: str, portal: bool) -> html.Div:
    """Text summary and the "table instead of map" alternative, placed right below the map."""
    sort_options = _sort_options(lang, portal)
    return html.Div([
        html.Div(id=SUMMARY, className="small mt-2 a11y-summary", **{"aria-live": "polite"}),
        html.Button(t("a11y_table_toggle", lang), id=TOGGLE, n_clicks=0, type="button", className="btn btn-outline-primary btn-sm mt-2",
                    **{"aria-expanded": "false", "aria-controls": TABLE_REGION}),
        html.Section([
            dbc.Row([
                dbc.Col([html.Label(t("a11y_filter", lang), htmlFor=FILTER, id=FILTER_LABEL, className="small fw-semibold mb-1"),
                         dcc.Input(id=FILTER, type="search", debounce=True, className="form-control form-control-sm", autoComplete="off")], md=5),
                dbc.Col([html.Label(t("a11y_sort", lang), htmlFor=SORT, id=SORT_LABEL, className="small fw-semibold mb-1"),
                         dbc.Select(id=SORT, options=sort_options, value="name", size="sm")], md=4),
                dbc.Col([html.Label(t("a11y_order", lang), htmlFor=ORDER, id=ORDER_LABEL, className="small fw-semibold mb-1"),
                         dbc.Select(id=ORDER, options=_order_options(lang), value="asc", size="sm")], md=3),
            ], className="g-2 mb-2"),
            html.Div(id=TABLE, className="a11y-table-wrap", tabIndex="0", role="region", **{"aria-labelledby": CAPTION}),  # scrolls: focusable
            html.Nav([
                *[html.Button(t(f"a11y_{move}", lang), id={"type": PAGE_BUTTON, "to": move}, n_clicks=0, type="button",
                              className="btn btn-outline-secondary btn-sm me-1") for move in PAGE_MOVES],
                html.Span(id=PAGE_STATUS, className="small ms-2", role="status"),
            ], id=PAGER, className="d-flex align-items-center flex-wrap mt-1", **{"aria-label": t("a11y_paging", lang)}),
            dcc.Store(id=PAGE, data=0),
            dcc.Store(id=PAGES, data=1),
        ], id=TABLE_REGION, hidden=True, className="mt-2 a11y-table-region", **{"aria-label": t("a11y_table_toggle", lang)}),
        dcc.Store(id=LANG_SINK, data=lang),
        dcc.Store(id=TABLE_FOLLOWS),  # no data: a store given None reports a change when it mounts (sections.common.store)
    ], className="a11y-alternatives")


def _sort_options(lang: str, portal: bool) -> list[dict]:
    options = [{"label": t("a11y_sort_name", lang), "value": "name"}]
    if not portal:  # the portal does not rank quarters
        options += [{"label": t("a11y_sort_value", lang), "value": "value"},
                    {"label": t("a11y_sort_residents", lang), "value": "residents"}]
    return options


def _order_options(lang: str) -> list[dict]:
    return [{"label": t("a11y_order_asc", lang), "value": "asc"}, {"label": t("a11y_order_desc", lang), "value": "desc"}]


# --- the table -------------------------------------------------------------------------------------------

def table_frame(bundle: Bundle, result: LayerResult, names: pd.Series, district: str | None, selection: list[str],
                sort: str = "name", ascending: bool = True, text: str = "", portal: bool = False) -> pd.DataFrame:
    """All areas in scope (the selection, else the district, else the city) with their published values and counts.

    Areas without a value stay in (they read "kein Wert" or "nicht ausgewiesen"). Sorted by `sort` (one of
    SORT_KEYS; areas without a number last); in the portal always by name. `text` keeps areas whose name or id
    contains it (case-insensitive). Columns: name, value, numerator, denominator, residents, suppressed, selected.
    """
    v = result.values
    if selection:
        scope = pd.Index([str(i) for i in selection]).intersection(v.index)
    else:
        scope = pd.Index(ids_in_district(bundle, result.basis, district)).intersection(v.index)
    frame = v.reindex(scope)[["value", *COUNT_COLUMNS, "suppressed"]].copy()
    frame.insert(0, "name", names.reindex(frame.index).fillna(pd.Series(frame.index, index=frame.index)).astype(str)
                 .str.split("<br>").str[0])
    frame["selected"] = frame.index.isin(selection)
    if text.strip():
        needle = text.strip().casefold()
        keep = frame["name"].str.casefold().str.contains(needle, regex=False) | frame.index.to_series().str.casefold().str.contains(needle, regex=False)
        frame = frame[keep.to_numpy()]
    if portal or sort not in SORT_KEYS:
        sort = "name"
    if sort == "name":
        return frame.sort_values(["name"], ascending=ascending, kind="stable", key=lambda s: s.str.casefold())
    return frame.sort_values([sort, "name"], ascending=[ascending, True], na_position="last", kind="stable")


def page_of(frame: pd.DataFrame, page: int, size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int, int]:
    """Rows of page `page` (0-based, clipped to the pages there are), that page and the number of pages (at least 1)."""
    pages = max(1, -(-len(frame) // size))
    page = min(max(int(page or 0), 0), pages - 1)
    return frame.iloc[page * size:(page + 1) * size], page, pages


def value_text(row, spec: LayerSpec, settings: Settings, lang: str) -> str:
    """The published value of one row as text: number or class, "nicht ausgewiesen (weniger als …)" in the portal, "kein Wert"."""
    value, suppressed = row["value"], bool(row["suppressed"]) if pd.notna(row["suppressed"]) else False
    if not np.isfinite(value):
        if suppressed and settings.mode == "portal":
            return not_shown(settings, lang)
        return t("a11y_no_value", lang)
    if spec.categories:
        text = next((c.title(lang) for c in spec.categories if c.value == int(round(value))), format_number(value, lang))
    else:
        text = format_number(value, lang, format_decimals(spec.value_format) or 0, sign=spec.value_format.startswith("+"))
    return f"{text} ({t('a11y_small', lang)})" if suppressed else text


def count_text(value, suppressed: bool, settings: Settings, lang: str) -> str:
    if value is None or not np.isfinite(value):
        return t("not_shown_short", lang) if suppressed and settings.mode == "portal" else "–"
    return format_number(value, lang, 0)


def scope_label(bundle: Bundle, district: str | None, selection: list[str], lang: str) -> str:
    if selection:
        return t("a11y_scope_selection", lang, n=format_number(len(selection), lang))
    if district:
        level = bundle.levels[0]
        name = bundle.units_of(level.id)["name"].get(district, district)
        return f"{level.name_de if lang == 'de' else level.name_en} {name}"
    return t("a11y_scope_city", lang)


def table_component(bundle: Bundle, settings: Settings, result: LayerResult, spec: LayerSpec, rows: pd.DataFrame, district: str | None,
                    selection: list[str], sort: str, ascending: bool, lang: str) -> html.Table:
    """One page of the table: caption with layer, group, unit, basis, period and scope; column headers with scope="col",
    the area name as row header (scope="row"); `aria-sort` on the sorted column."""
    group = next((g for g in spec.groups(bundle) if g.id == result.group), None)
    period = format_date(result.period, lang) if not result.period_from else \
        f"{format_date(result.period_from, lang)} → {format_date(result.period, lang)}"
    caption = t("a11y_table_caption", lang, layer=spec.title(lang), group=f" ({group.title(lang)})" if group else "", unit=spec.unit(lang),
                basis=basis_label(bundle, result.basis, lang), period=period, scope=scope_label(bundle, district, selection, lang))
    value_head = t("a11y_col_class", lang, period=period) if spec.categories else t("a11y_col_value", lang, unit=spec.unit(lang), period=period)
    heads = [("name", t("a11y_col_area", lang), ""), ("value", value_head, "text-end"),
             # the group's name is in the caption; in the header only for screen readers (the table fits 1366 px)
             ("numerator", [t("a11y_col_numerator_group", lang), html.Span(f" ({group.title(lang)})", className="visually-hidden")]
              if group else t("a11y_col_numerator", lang), "text-end"),
             ("denominator", t("a11y_col_denominator", lang), "text-end"), ("residents", t("a11y_col_residents", lang), "text-end")]
    sorted_by = "name" if settings.mode == "portal" else sort
    header = html.Tr([html.Th(text, scope="col", className=cls,
                              **({"aria-sort": "ascending" if ascending else "descending"} if key == sorted_by else {}))
                      for key, text, cls in heads])
    body = []
    for area, row in rows.iterrows():
        suppressed = bool(row["suppressed"]) if pd.notna(row["suppressed"]) else False
        name = [row["name"]] + ([html.Span(f" {t('a11y_selected', lang)}", className="visually-hidden")] if row["selected"] else [])
        body.append(html.Tr([
            html.Th(name, scope="row", className="fw-normal"),
            html.Td(value_text(row, spec, settings, lang), className="text-end"),
            *[html.Td(count_text(row[c], suppressed, settings, lang), className="text-end") for c in COUNT_COLUMNS],
        ], className="table-warning" if row["selected"] else None))
    return html.Table([html.Caption(caption, id=CAPTION, className="caption-top small fw-semibold text-body"), html.Thead(header), html.Tbody(body)],
                      className="table table-sm table-striped mb-1", id=f"{TABLE}-rows")


def render_table(bundle: Bundle, settings: Settings, result: LayerResult, spec: LayerSpec, names: pd.Series, district: str | None,
                 selection: list[str], page: int, sort: str, order: str, text: str, lang: str) -> tuple[list, str, int, int]:
    """Children of the table container, the page status line, the page shown and the number of pages."""
    portal = settings.mode == "portal"
    ascending = order != "desc"
    frame = table_frame(bundle, result, names, district, selection, sort, ascending, text or "", portal)
    rows, page, pages = page_of(frame, page)
    if frame.empty:
        return [html.P(t("a11y_page_empty", lang), className="small")], t("a11y_page_empty", lang), 0, 1
    status = t("a11y_page_status", lang, page=format_number(page + 1, lang), pages=format_number(pages, lang),
               first=format_number(page * PAGE_SIZE + 1, lang), last=format_number(page * PAGE_SIZE + len(rows), lang),
               rows=format_number(len(frame), lang))
    notes = [t("a11y_counts_note", lang)] + ([t("a11y_portal_order", lang)] if portal else [])
    children = [table_component(bundle, settings, result, spec, rows, district, selection, sort, ascending, lang),
                html.P(" ".join(notes), className="small text-muted mb-1")]
    return children, status, page, pages


# --- callbacks -------------------------------------------------------------------------------------------

def _scope_ids(bundle: Bundle, basis_key: str, district: str | None, selection: list[str]) -> tuple[list[str] | None, str | None]:
    if selection:
        return selection, None
    if district:
        level = bundle.levels[0]
        name = bundle.units_of(level.id)["name"].get(district, district)
        return [str(i) for i in ids_in_district(bundle, Basis.parse(basis_key), district)], name
    return None, None


def update_summary(controls: Controls, lang: str, district: str | None, selection: dict | None, scenario: ScenarioChoice,
                   drawn: dict | None = None) -> tuple:
    """The text summary of what the map shows: the selection, the district or the whole city (`drawn`: the trigger)."""
    shown = resolve_view(controls, scenario)
    if shown is None:
        return no_update, no_update
    bundle, settings = current_bundle(), current_settings()
    area_ids, name = _scope_ids(bundle, controls["basis"], district, selection_ids(selection, controls["basis"]))
    if name:
        level = bundle.levels[0]
        name = f"{level.name_de if lang == 'de' else level.name_en} {name}"
    text = summary_text(bundle, settings, shown.query, shown.result, area_ids, lang, scope_name=name, compute=shown.runner)
    return text, t("a11y_map_name", lang, layer=shown.spec.title(lang))


def update_table(controls: Controls, lang: str, district: str | None, selection: dict | None, scenario: ScenarioChoice, table: dict,
                 follows: dict | None = None) -> tuple:
    """One page of the table alternative (computed only while the table is open; `table`: its hidden flag, page, sort
    column, order and filter text; `follows` is the trigger)."""
    shown = None if table["hidden"] else resolve_view(controls, scenario)
    if shown is None:
        return no_update, no_update, no_update
    bundle, settings, basis_key = current_bundle(), current_settings(), controls["basis"]
    names = area_labels(bundle, basis_key, lang)
    children, status, _, pages = render_table(bundle, settings, shown.result, shown.spec, names, district, selection_ids(selection, basis_key),
                                              table["page"] or 0, table["sort"], table["order"], table["text"], lang)
    return children, status, pages


def move_page(clicks: list | None, shown: dict, page: int | None, pages: int | None) -> int:
    """Paging buttons move the page; any change of what the table shows (`shown`: only triggers) goes back to the first page."""
    trigger = ctx.triggered_id
    if isinstance(trigger, dict) and trigger.get("type") == PAGE_BUTTON:
        if not any(clicks or []):
            return no_update
        target = {"first": 0, "prev": (page or 0) - 1, "next": (page or 0) + 1, "last": (pages or 1) - 1}[trigger["to"]]
        target = min(max(target, 0), max((pages or 1) - 1, 0))
        return target if target != page else no_update
    return 0 if page else no_update


def update_texts(lang):
    """Static texts of this module in the chosen language."""
    portal = current_settings().mode == "portal"
    return (t("a11y_skip_map", lang), t("a11y_skip_table", lang), t("a11y_skip_controls", lang), t("a11y_table_toggle", lang),
            t("a11y_filter", lang), t("a11y_sort", lang), t("a11y_order", lang), _sort_options(lang, portal), _order_options(lang),
            [t(f"a11y_{move}", lang) for move in PAGE_MOVES], t("a11y_table_toggle", lang), t("a11y_paging", lang), t("a11y_controls", lang))


TOGGLE_JS = """
function(clicks) {
    // a disclosure button: the region follows it in the tab order, so focus stays on the button
    const open = (clicks || 0) % 2 === 1;
    return [!open, open ? "true" : "false"];
}
"""
FOLLOW_JS = """
function(drawn, hidden) {
    // the table alternative follows the map only while it is open: a closed table costs a value update no request
    return hidden ? window.dash_clientside.no_update : drawn;
}
"""
RESET_CLOSED_JS = """
function(drawn, hidden, page) {
    // what the closed table would show changed: it opens again on its first page (the open table: move_page)
    return hidden && page ? 0 : window.dash_clientside.no_update;
}
"""
LANG_JS = """
function(lang) { document.documentElement.setAttribute('lang', lang || 'de'); return lang; }
"""


def register_accessibility(app: Dash) -> None:
    """Attach this module's callbacks to one app (called from `dashboard.callbacks.register_callbacks`).

    Like the main views, summary and table follow the map (`ids.MAP_FRAMED`): a change of what it shows reaches them
    once the map shows its answer. The table, and its page, follow only while the table is open (`TABLE_FOLLOWS`)."""
    view_state = dict(controls=view_controls(State), lang=State(ids.LANGUAGE, "value"), district=Input(ids.DISTRICT, "value"),
                      selection=Input(ids.SELECTION, "data"), scenario=scenario_controls(State))
    app.callback(Output(SUMMARY, "children"), Output(MAP_REGION, "aria-label"), inputs=dict(**view_state, drawn=Input(ids.MAP_FRAMED, "data")),
                 prevent_initial_call=True)(update_summary)
    app.clientside_callback(FOLLOW_JS, Output(TABLE_FOLLOWS, "data"), Input(ids.MAP_FRAMED, "data"), State(TABLE_REGION, "hidden"),
                            prevent_initial_call=True)
    app.callback(
        Output(TABLE, "children"), Output(PAGE_STATUS, "children"), Output(PAGES, "data"),
        inputs=dict(**view_state, table=dict(hidden=Input(TABLE_REGION, "hidden"), page=Input(PAGE, "data"), sort=Input(SORT, "value"),
                                             order=Input(ORDER, "value"), text=Input(FILTER, "value")),
                    follows=Input(TABLE_FOLLOWS, "data")),
        prevent_initial_call=True,
    )(update_table)
    app.clientside_callback(RESET_CLOSED_JS, Output(PAGE, "data", allow_duplicate=True), Input(ids.MAP_FRAMED, "data"),
                            State(TABLE_REGION, "hidden"), State(PAGE, "data"), prevent_initial_call=True)
    app.callback(
        Output(PAGE, "data"),
        inputs=dict(clicks=Input({"type": PAGE_BUTTON, "to": ALL}, "n_clicks"),
                    shown=dict(**view_state, sort=Input(SORT, "value"), order=Input(ORDER, "value"), text=Input(FILTER, "value"),
                               follows=Input(TABLE_FOLLOWS, "data")),
                    page=State(PAGE, "data"), pages=State(PAGES, "data")),
        prevent_initial_call=True,
    )(move_page)
    app.callback(
        Output(SKIP_MAP, "children"), Output(SKIP_TABLE, "children"), Output(SKIP_CONTROLS, "children"), Output(TOGGLE, "children"),
        Output(FILTER_LABEL, "children"), Output(SORT_LABEL, "children"), Output(ORDER_LABEL, "children"), Output(SORT, "options"),
        Output(ORDER, "options"), Output({"type": PAGE_BUTTON, "to": ALL}, "children"), Output(TABLE_REGION, "aria-label"),
        Output(PAGER, "aria-label"), Output(CONTROLS, "aria-label"),
        Input(ids.LANGUAGE, "value"), prevent_initial_call=True,
    )(update_texts)
    app.clientside_callback(TOGGLE_JS, Output(TABLE_REGION, "hidden"), Output(TOGGLE, "aria-expanded"), Input(TOGGLE, "n_clicks"),
                            prevent_initial_call=True)
    app.clientside_callback(LANG_JS, Output(LANG_SINK, "data"), Input(ids.LANGUAGE, "value"))
