"""Page layout: header, controls, map with legend, sources line. Texts come from the message catalogue."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layers.bundle import Bundle
from layers.query import bases, visible_layers
from layers.registry import get_layer
from layers.settings import Settings

from . import ids
from .i18n import format_date, t
from .sections import SECTIONS

H3_AREA_KM2 = {7: "5,2", 8: "0,74", 9: "0,105", 10: "0,015"}


def layer_options(settings: Settings, lang: str) -> list[dict]:
    return [{"label": get_layer(lid).title(lang), "value": lid} for lid in visible_layers(settings)]


def basis_options(bundle: Bundle, lang: str) -> list[dict]:
    opts = []
    for key in bases(bundle):
        if key.startswith("h3_"):
            res = int(key[3:])
            area = H3_AREA_KM2.get(res, "?") if lang == "de" else H3_AREA_KM2.get(res, "?").replace(",", ".")
            opts.append({"label": t("h3_label", lang, res=res, area=area), "value": key})
        else:
            lvl = bundle.level(key)
            count = int((bundle.units["level"] == key).sum())
            opts.append({"label": f"{lvl.name_de if lang == 'de' else lvl.name_en} ({count})", "value": key})
    return opts


def period_options(bundle: Bundle, lang: str) -> list[dict]:
    return [{"label": format_date(p, lang), "value": p} for p in bundle.periods]


def group_options(bundle: Bundle, layer_id: str, lang: str) -> list[dict]:
    return [{"label": g.title(lang), "value": g.id} for g in get_layer(layer_id).groups(bundle)]


def district_options(bundle: Bundle) -> list[dict]:
    """The units of the coarsest level (Berlin: Bezirke), by name."""
    units = bundle.units_of(bundle.levels[0].id)
    return [{"label": name, "value": uid} for uid, name in sorted(zip(units.index, units["name"]), key=lambda x: x[1])]


def overlay_options(lang: str) -> list[dict]:
    return [{"label": t("overlay_funding", lang), "value": "funding"}]


def section_tabs(bundle: Bundle, settings: Settings, lang: str) -> dbc.Tabs:
    """One tab per dashboard section (see `dashboard.sections`)."""
    return dbc.Tabs([dbc.Tab(section.panel(bundle, settings, lang), label=section.title(lang), tab_id=section.SECTION_ID)
                     for section in SECTIONS], id=ids.SECTION_TABS, className="mt-3")


def sources_line(bundle: Bundle, lang: str) -> list:
    items = [html.Span(f"{t('sources', lang)}: ", className="fw-semibold")]
    for i, src in enumerate(bundle.manifest.sources):
        items.append(html.Span(f"{'; ' if i else ''}{src.attribution} ({src.licence})", title=src.title))
    return items


def subtitle(bundle: Bundle, settings: Settings, lang: str) -> str:
    mode = t("mode_portal" if settings.mode == "portal" else "mode_planner", lang)
    return f"{t('app_subtitle', lang)} · {bundle.manifest.title} · {mode}"


def notice(bundle: Bundle, settings: Settings, lang: str) -> list:
    """The synthetic-data label (always on a demo city) and, when Berlin was not found, how to get real data."""
    items = []
    if bundle.manifest.synthetic:
        items.append(dbc.Badge(t("synthetic_badge", lang), color="warning", text_color="dark", className="me-2 fs-6", id="header-synthetic"))
        if settings.city == "auto":
            items.append(html.Span(t("demo_notice", lang), className="small"))
    return items


def _labelled(label_id: str, text: str, control) -> html.Div:
    return html.Div([dbc.Label(text, id={"type": ids.LABELS, "key": label_id}, className="small fw-semibold mb-1"), control],
                    className="mb-3")


def serve_layout(bundle: Bundle, settings: Settings):
    """The page for the default language; the language switch re-renders texts through a callback."""
    lang = settings.language
    layer = settings.default_layer if settings.default_layer in visible_layers(settings) else visible_layers(settings)[0]
    groups = group_options(bundle, layer, lang)
    group = settings.default_group if any(g["value"] == settings.default_group for g in groups) else (groups[0]["value"] if groups else None)
    controls = html.Div([
        _labelled("layer", t("layer", lang), dcc.Dropdown(layer_options(settings, lang), layer, id=ids.LAYER, clearable=False)),
        _labelled("group", t("group", lang), dcc.Dropdown(groups, group, id=ids.GROUP, clearable=False)),
        _labelled("basis", t("basis", lang), dcc.Dropdown(basis_options(bundle, lang), bundle.finest_level.id, id=ids.BASIS, clearable=False)),
        _labelled("period", t("period", lang), dcc.Dropdown(period_options(bundle, lang), bundle.periods[-1], id=ids.PERIOD, clearable=False)),
        html.Div(_labelled("period_from", t("period_from", lang),
                           dcc.Dropdown(period_options(bundle, lang), bundle.periods[0], id=ids.PERIOD_FROM, clearable=False)),
                 id=ids.PERIOD_FROM_ROW, style={} if get_layer(layer).needs_period_from else {"display": "none"}),
        _labelled("district", t("district", lang), dcc.Dropdown(district_options(bundle), None, id=ids.DISTRICT,
                                                                  placeholder=t("whole_city", lang))),
        _labelled("overlays", t("overlays", lang), dbc.Checklist(overlay_options(lang), [], id=ids.OVERLAYS, switch=True)),
        dcc.Store(id=ids.SELECTION, data={"basis": bundle.finest_level.id, "ids": []}),
    ])
    header = dbc.Row([
        dbc.Col([html.H1(t("app_title", lang), id=ids.TITLE, className="h3 mb-0"),
                 html.Div(subtitle(bundle, settings, lang), id=ids.SUBTITLE, className="text-muted small")], md=8),
        dbc.Col(dbc.RadioItems(options=[{"label": "Deutsch", "value": "de"}, {"label": "English", "value": "en"}], value=lang,
                               id=ids.LANGUAGE, inline=True, className="text-end"), md=4),
    ], className="align-items-center py-2")
    return dbc.Container([
        header,
        html.Div(notice(bundle, settings, lang), id=ids.NOTICE, className="mb-2"),
        dbc.Row([
            dbc.Col(controls, md=3, className="pt-1"),
            dbc.Col([
                dcc.Loading(dcc.Graph(id=ids.MAP, style={"height": "68vh"}, config={"scrollZoom": True, "displaylogo": False}),
                            delay_show=400, type="circle"),
                html.Div(id=ids.LEGEND, className="small mt-2"),
                section_tabs(bundle, settings, lang),
            ], md=9),
        ]),
        html.Footer(sources_line(bundle, lang), id=ids.SOURCES, className="small text-muted border-top mt-3 pt-2 pb-3"),
    ], fluid=True)
