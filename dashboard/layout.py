"""Page layout: header with link, controls, map with legend, linked views and section tabs, sources line.
Texts come from the message catalogue."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layers import Settings, get_layer, sources_for, visible_layers
from layers.bundle import Bundle

from . import accessibility as a11y
from . import ids, mapgl
from .catalogue import citation
from .i18n import format_date, t
from .pages import briefing_href, legal_links
from .sections.common import redrawn_stores, store, topic_stores, waiting
from .state import OVERLAY_KEYS, ViewState, default_state
from .topics import sections_for
from .views import basis_options, table_order_options


def layer_options(settings: Settings, lang: str) -> list[dict]:
    return [{"label": get_layer(lid).title(lang), "value": lid} for lid in visible_layers(settings)]


MAX_PERIOD_LABELS = 4  # labels that fit under the slider in the 250-px controls column without running into each other


def period_marks(bundle: Bundle) -> dict[int, str]:
    """Slider marks: a mark per period (the slider's value is its position in `bundle.periods`), labelled MM/YY at most
    `MAX_PERIOD_LABELS` times, counting back from the newest, which is always labelled."""
    n = len(bundle.periods)
    step = -(-n // MAX_PERIOD_LABELS)
    return {i: f"{p[5:7]}/{p[2:4]}" if (n - 1 - i) % step == 0 else "" for i, p in enumerate(bundle.periods)}


def period_options(bundle: Bundle, lang: str) -> list[dict]:
    return [{"label": format_date(p, lang), "value": p} for p in bundle.periods]


def group_options(bundle: Bundle, layer_id: str, lang: str) -> list[dict]:
    return [{"label": g.title(lang), "value": g.id} for g in get_layer(layer_id).groups(bundle)]


def district_options(bundle: Bundle) -> list[dict]:
    """The units of the coarsest level (Berlin: Bezirke), by name."""
    units = bundle.units_of(bundle.levels[0].id)
    return [{"label": name, "value": uid} for uid, name in sorted(zip(units.index, units["name"]), key=lambda x: x[1])]


def overlay_options(lang: str) -> list[dict]:
    return [{"label": t(f"overlay_{key}", lang), "value": key} for key in OVERLAY_KEYS]


def sources_line(bundle: Bundle, settings: Settings, lang: str) -> list:
    """The page's footer: the data's sources with their licences, then the legal pages."""
    items = [html.Span(f"{t('sources', lang)}: ", className="fw-semibold")]
    for i, src in enumerate(sources_for(bundle, settings)):
        licence = src.public_licence or t("licence_see_source", lang)
        items.append(html.Span(f"{'; ' if i else ''}{src.attribution} ({licence})", title=src.title))
    items.append(html.Div([html.Span(f"{t('cite_label', lang)}: ", className="fw-semibold"), citation(bundle, settings, lang)], className="mt-1",
                          id="footer-citation"))
    links = legal_links(lang)
    items.append(html.Nav([part for i, link in enumerate(links) for part in ([" · "] if i else []) + [html.A(link.title, href=link.href)]],
                          className="legal-links mt-1", **{"aria-label": t("legal_nav", lang)}))
    return items


def subtitle(bundle: Bundle, settings: Settings, lang: str) -> str:
    mode = t("mode_portal" if settings.mode == "portal" else "mode_planner", lang)
    return f"{t('app_subtitle', lang)} · {bundle.manifest.title} · {mode}"


def notice(bundle: Bundle, settings: Settings, lang: str) -> list:
    """The synthetic-data label (always on a demo city) and, when Berlin was not found, how to get real data; for a real
    city with notes in its manifest, what its data lack."""
    items = []
    if bundle.manifest.synthetic:
        items.append(dbc.Badge(t("synthetic_badge", lang), color="warning", text_color="dark", className="me-2 fs-6", id="header-synthetic"))
        if settings.city == "auto":
            items.append(html.Span(t("demo_notice", lang), className="small"))
    elif bundle.manifest.notes.get(lang):  # what a real city's data lack (a described city's `[notes]`): said, not hidden
        items.append(html.Span(bundle.manifest.notes[lang], className="small text-muted", id="header-data-notes"))
    return items


def area_search_options(bundle: Bundle, lang: str) -> list[dict]:
    """Every unit of every level as '<name> (<level>, <id>)', by name: the search matches a name or a number."""
    options = []
    for level in bundle.levels:
        level_name = level.name_de if lang == "de" else level.name_en
        names = bundle.units_of(level.id)["name"].astype(str)
        options += [{"label": f"{name} ({level_name}, {uid})", "value": uid} for uid, name in names.items()]
    return sorted(options, key=lambda o: o["label"].casefold())


def _labelled(label_id: str, text: str, control) -> html.Div:
    return html.Div([dbc.Label(text, id={"type": ids.LABELS, "key": label_id}, className="small fw-semibold mb-1"), control],
                    className="mb-3")


def _controls(bundle: Bundle, settings: Settings, state: ViewState) -> html.Div:
    lang, layer = state.lang, state.layer
    spec = get_layer(layer)
    return html.Div([
        _labelled("layer", t("layer", lang), dcc.Dropdown(layer_options(settings, lang), layer, id=ids.LAYER, clearable=False)),
        _labelled("group", t("group", lang), dcc.Dropdown(group_options(bundle, layer, lang), state.group, id=ids.GROUP, clearable=False)),
        _labelled("basis", t("basis", lang), dcc.Dropdown(basis_options(bundle, lang), state.basis, id=ids.BASIS, clearable=False)),
        _labelled("period", t("period", lang), html.Div([
            dbc.Button("▶", id=ids.PLAY, size="sm", color="secondary", outline=True, className="me-2", title=t("play", lang)),
            html.Div(dcc.Slider(0, len(bundle.periods) - 1, 1, value=bundle.periods.index(state.period), id=ids.PERIOD,
                                marks=period_marks(bundle), included=False), className="flex-grow-1"),
        ], className="d-flex align-items-start")),
        dcc.Interval(id=ids.PLAYER, interval=2500, disabled=True),
        dbc.Checklist([{"label": t("compare", lang), "value": "on"}], ["on"] if state.compare else [], id=ids.COMPARE, switch=True,
                      className="small mb-2", style={"display": "none"} if spec.needs_period_from or spec.categories else {}),
        html.Div(_labelled("period_from", t("period_from", lang),
                           dcc.Dropdown(period_options(bundle, lang), state.period_from, id=ids.PERIOD_FROM, clearable=False)),
                 id=ids.PERIOD_FROM_ROW, style={} if spec.needs_period_from or state.compare else {"display": "none"}),
        _labelled("district", t("district", lang), dcc.Dropdown(district_options(bundle), state.district, id=ids.DISTRICT,
                                                                  placeholder=t("whole_city", lang))),
        # mounted after the map's first frame: dcc.Dropdown builds a search index of its ~750 options when it mounts (90-200 ms)
        _labelled("area_search", t("area_search", lang), mapgl.after_map(
            dcc.Dropdown(area_search_options(bundle, lang), None, id=ids.AREA_SEARCH, placeholder=t("area_search_placeholder", lang)),
            settings.map_engine, style={"minHeight": "38px"})),
        _labelled("overlays", t("overlays", lang), dbc.Checklist(overlay_options(lang), list(state.overlays), id=ids.OVERLAYS, switch=True)),
        html.Div([html.Span(id=ids.SELECTION_INFO, className="small me-2"),
                  dbc.Button(t("clear_selection", lang), id=ids.CLEAR_SELECTION, size="sm", color="link", className="p-0")],
                 className="mb-2"),
        dcc.Store(id=ids.SELECTION, data={"basis": state.basis, "ids": list(state.selection), "focus": state.focus}),
        store(ids.MAP_DRAWN),  # `store`: never `data=None`, which would run the stores' readers on page load
        store(ids.MAP_FRAMED),
        store(ids.MAP_REDRAWN),
        *redrawn_stores(),
        store(ids.SCENARIO),
        store(ids.SCENARIO_PLACING),
    ])


def scenario_view(settings: Settings, lang: str) -> html.Div:
    """Baseline | scenario | difference switch of the map; shown (planner mode) while a scenario has interventions."""
    options = [{"label": t(f"scenario_view_{v}", lang), "value": v} for v in ("baseline", "scenario", "difference")]
    return html.Div([html.Span(t("scenario_view", lang), className="small fw-semibold me-2"),
                     dbc.RadioItems(options=options, value="scenario", id=ids.SCENARIO_VIEW, inline=True, className="small d-inline-block")],
                    id=f"{ids.SCENARIO_VIEW}-row", className="mt-2", style={"display": "none"})


def _overview(settings: Settings, layer: str, lang: str) -> html.Div:
    """Linked views of the current layer: histogram, table of areas (by name unless the user picks another order), detail
    of one area (the key figures stand above the tabs, in view whichever topic is open)."""
    return html.Div([
        # drawn after the map's first frame (plotly.js would delay it); its 240 px are kept meanwhile
        mapgl.after_map(dcc.Graph(id=ids.HISTOGRAM, style={"height": "240px"}, config={"displayModeBar": False}),
                        settings.map_engine, className="mt-2", style={"minHeight": "240px"}),
        dbc.Row([
            dbc.Col([html.Div([html.Span(t("table_order", lang), className="small me-2", id="overview-table-order-label"),
                               dbc.RadioItems(options=table_order_options(get_layer(layer), settings.mode == "portal", lang),
                                              value="name", id=ids.TABLE_ORDER, inline=True, className="small d-inline-block")],
                              className="mb-1"),
                     html.Div(id=ids.TABLE)], xxl=6),
            dbc.Col(html.Div(id=ids.DETAIL), xxl=6),
        ], className="mt-2"),
    ])


def map_component(settings: Settings):
    """The map: deck.gl's WebGL engine (`dashboard.mapgl.DeckMap`) or Plotly's, as `map_engine` says; both read the same
    figure and report clicks and selections alike, so the callbacks do not know which one draws."""
    if mapgl.engine(settings.map_engine) == "webgl":
        return mapgl.DeckMap(id=ids.MAP, style={"height": "64vh"})
    return dcc.Graph(id=ids.MAP, style={"height": "64vh"},
                     config={"scrollZoom": True, "displaylogo": False, "modeBarButtonsToRemove": ["toImage"]})


def _section_pane(section, bundle: Bundle, settings: Settings, lang: str):
    """A section's tab content; where the tab's label is a short form, the full name rides along in ``data-tab-title``
    (assets/accessibility.js makes it the tab's tooltip and accessible name; dbc.Tab has no attribute for either) and
    heads the pane.
    dbc.Tabs would mount every pane, hidden ones too: a pane mounts when its tab is first opened, and the open one after
    the map's first frame (charts and tables load plotly.js and dcc's table chunk, which would delay it; every mounted
    component costs Dash's renderer time on each store update)."""
    pane = mapgl.after_map(waiting(section.panel(bundle, settings, lang)), settings.map_engine)
    full = getattr(section, "full_title", section.title)(lang)
    if full == section.title(lang):
        return pane
    # shown at the pane's top too: a tooltip never appears for keyboard and touch users
    return html.Div([html.H2(full, className="h6 mt-2 mb-1"), pane], **{"data-tab-title": full})


def section_tabs(bundle: Bundle, settings: Settings, lang: str, layer: str) -> dbc.Tabs:
    """The overview of the current layer first, then one tab per dashboard section (see `dashboard.sections`)."""
    tabs = [dbc.Tab(waiting(_overview(settings, layer, lang)), label=t("overview", lang), tab_id="overview", tab_class_name="tab-overview")]
    tabs += [dbc.Tab(_section_pane(section, bundle, settings, lang), label=section.title(lang), tab_id=section.SECTION_ID,
                     tab_class_name=f"tab-{section.SECTION_ID}") for section in sections_for(settings)]
    # `key`: a new language remounts the tabs (dbc.Tabs keeps the panes it has drawn and would go on showing the old texts)
    return dbc.Tabs(tabs, id=ids.SECTION_TABS, active_tab="overview", className="mt-3", key=lang)


def serve_layout(bundle: Bundle, settings: Settings, state: ViewState | None = None, built_from: str | None = None):
    """The page in `state` (default: the default state). `built_from` is the query string the state was read from: the
    URL callback then leaves it alone; any other query string (back/forward, a link whose state was not known when the
    page was built) goes to `restore_from_url`. `dashboard.first_view` fills the views of the state in."""
    state = state or default_state(bundle, settings)
    lang = state.lang
    header = dbc.Row([
        dbc.Col([html.H1(t("app_title", lang), id=ids.TITLE, className="h3 mb-0"),
                 html.Div(subtitle(bundle, settings, lang), id=ids.SUBTITLE, className="text-muted small")], md=6),
        dbc.Col(html.Div([
            dcc.Input(id=ids.LINK_TEXT, readOnly=True, className="form-control form-control-sm me-1", style={"maxWidth": "22rem"},
                      placeholder=t("copy_link", lang)),
            dcc.Clipboard(id=ids.COPY_LINK, title=t("copy_link", lang), className="btn btn-sm btn-outline-secondary me-3"),
            *([html.A(t("briefing_button", lang), id=ids.BRIEFING_LINK, href=briefing_href(""), target="_blank",
                      title=t("briefing_button_title", lang), className="btn btn-sm btn-outline-primary me-3")]
              if settings.briefing_enabled else []),
            dbc.RadioItems(options=[{"label": "Deutsch", "value": "de"}, {"label": "English", "value": "en"}], value=lang,
                           id=ids.LANGUAGE, inline=True),
        ], className="d-flex justify-content-end align-items-center"), md=6),
    ], className="align-items-center py-2")
    return dbc.Container([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Location(id=ids.URL_WRITE, refresh="callback-nav"),  # pushes history and tells the reading Location
        store(ids.URL_WRITTEN, built_from),
        store(ids.URL_READ),
        a11y.skip_links(lang),
        html.Header([header, html.Div(notice(bundle, settings, lang), id=ids.NOTICE, className="mb-2"), html.Div(id=ids.URL_NOTICE)]),
        # A dashboard from 1200 px on (assets/layout.css): controls | map, legend and text summary | key figures and the
        # open topic, each column scrolling on its own, so all are in view together; below that the columns stack.
        html.Main(dbc.Row([
            dbc.Col(a11y.controls_region(_controls(bundle, settings, state), lang), lg=3, className="pt-1 qa-controls-col"),
            dbc.Col([
                html.Div(id=ids.MAP_HINT),
                a11y.map_region(waiting(map_component(settings)), lang),
                scenario_view(settings, lang),
                html.Div(id=ids.LEGEND, className="small mt-2"),
                a11y.map_alternatives(lang, settings.mode == "portal"),
            ], lg=9, className="qa-map-col"),
            dbc.Col([
                html.Section(html.Div(id=ids.CARDS), className="qa-key-figures", **{"aria-label": t("cards_title", lang)}),
                section_tabs(bundle, settings, lang, state.layer),
                dcc.Store(id=ids.TABS_LANG, data=lang),
                *topic_stores(bundle, state, [section.SECTION_ID for section in sections_for(settings)]),
            ], lg=12, className="qa-panel-col"),
        ], className="qa-dashboard")),
        html.Footer(sources_line(bundle, settings, lang), id=ids.SOURCES, className="small text-muted border-top mt-3 pt-2 pb-3"),
    ], fluid=True, className="qa-page")
