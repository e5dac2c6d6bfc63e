"""The council briefing's content: the scope of the main view's state, key-figure cards, the two maps, the text and the
links (live view with QR code, other paper size, other language)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import segno
from markupsafe import Markup

from layers import (
    KeyFigure,
    LayerQuery,
    LayerResult,
    LayerSpec,
    Settings,
    basis_name,
    check_query,
    comparison_spec,
    format_value,
    get_layer,
    summary_text,
)
from layers.bundle import Bundle
from layers.spatial import Basis, district_of, ids_in_district, translate_selection

from ..context import layer_result
from ..guards import public_link
from ..i18n import format_date, not_shown, t
from ..pages import briefing_href, profile_href
from ..state import ViewState, to_query
from ..views import level_name, names_level
from .figures import PERSONS, all_left_out, cached_key_figures, cached_run, figure_text, source_names
from .svg import Colours, colours_for, legend_entries, legend_svg, map_svg

PAPERS = ("a4", "a3")
MAX_OVERVIEW_AREAS = 3000  # an overview map with more areas (fine H3 cells city-wide: megabytes of SVG) is drawn on the finest level


@dataclass(frozen=True)
class Scope:
    """What the briefing is about: a selection, a district or the whole city (`area_ids` None)."""

    selection: list[str]
    district: str | None  # the selection's district where all of it lies in one
    district_label: str  # "Bezirk Mitte"
    area_ids: list[str] | None
    name: str  # the heading: the one area, "n selected areas", the district or the city


@dataclass(frozen=True)
class Briefing:
    """The figures one briefing shows: the layer query, its spec and result, on `scope`, in `lang`."""

    bundle: Bundle
    settings: Settings
    query: LayerQuery
    spec: LayerSpec
    result: LayerResult
    scope: Scope
    lang: str

    @property
    def portal(self) -> bool:
        """The public portal: no suppressed value is shown."""
        return self.settings.mode == "portal"


def _area_name(bundle: Bundle, basis: Basis, area_id: str) -> str:
    """A unit's name (a cell is named by its id)."""
    if basis.is_h3:
        return area_id
    return bundle.units_of(basis.level)["name"].astype(str).get(area_id, area_id)


def briefing_scope(bundle: Bundle, basis: Basis, selection: list[str], district: str | None, lang: str) -> Scope:
    """The briefing's scope from the state's selection and district (a selection inside one district takes it along)."""
    if selection and not district:
        districts = {str(district_of(bundle, basis).get(i)) for i in selection}
        district = districts.pop() if len(districts) == 1 else None
    district_name = bundle.units_of(bundle.levels[0].id)["name"].get(district, "") if district else ""
    district_label = f"{level_name(bundle, bundle.levels[0].id, lang)} {district_name}"
    if selection:
        name = (f"{basis_name(bundle, basis, lang)} {_area_name(bundle, basis, selection[0])}" if len(selection) == 1
                else t("briefing_selection", lang, n=len(selection)))
        return Scope(selection, district, district_label, selection, name)
    if district:
        return Scope(selection, district, district_label, [str(i) for i in ids_in_district(bundle, basis, district)], district_label)
    return Scope(selection, district, district_label, None, bundle.manifest.title)


def _own(figures: dict[str, KeyFigure | None], scope: Scope) -> KeyFigure | None:
    """The figure of the scope's set among selection, district and city."""
    return figures["selection"] if scope.selection else (figures["district"] if scope.district else figures["city"])


def _scope_figures(page: Briefing, query: LayerQuery) -> dict[str, KeyFigure | None]:
    """The key figures of `query` for the scope's set, its district and the city."""
    area_ids = page.scope.area_ids
    return cached_key_figures(page.bundle, page.settings, query, area_ids or [], page.scope.district if area_ids is not None else None)


def _period_text(query: LayerQuery, lang: str) -> str:
    """The period, or "start → end" for a change."""
    if not (query.compare_from or query.period_from):
        return format_date(query.period, lang)
    return f"{format_date(query.compare_from or query.period_from, lang)} → {format_date(query.period, lang)}"


def _card(label: str, figure: KeyFigure | None, spec: LayerSpec, settings: Settings, lang: str, note: str) -> dict:
    """One card: the figure's value, its unit where it is a number, and `note` (the period)."""
    value = figure_text(figure, spec, settings, lang, unit=False)
    numeric = figure is not None and figure.value is not None and value not in ("–",) and not all_left_out(figure)
    return {"label": label, "value": value, "unit": spec.unit(lang) if numeric and spec.aggregate != "none" else "", "note": note}


def _class_cards(page: Briefing, period_text: str) -> list[dict]:
    """Classes do not add up: one card per class with the number of published areas of the set in it."""
    result, lang, area_ids = page.result, page.lang, page.scope.area_ids
    v = result.values if area_ids is None else result.values.reindex(pd.Index(area_ids).intersection(result.values.index))
    z = v["value"].to_numpy(dtype=float)
    shown = np.isfinite(z) & ~(v["suppressed"].to_numpy(dtype=bool) & page.portal)
    codes = pd.Series(np.round(z[shown]).astype(int)).value_counts()
    return [{"label": c.title(lang), "value": str(int(codes.get(c.value, 0))), "unit": t("briefing_areas_unit", lang), "note": period_text}
            for c in page.spec.categories][:4]


def _value_cards(page: Briefing, figures: dict[str, KeyFigure | None], period_text: str) -> list[dict]:
    """The set's value, then its district's and the city's for comparison (class layers: the class counts)."""
    spec, settings, lang, scope = page.spec, page.settings, page.lang, page.scope
    if spec.categories:
        return _class_cards(page, period_text)
    cards = [_card(scope.name, _own(figures, scope), spec, settings, lang, period_text)]
    if scope.selection and scope.district:
        cards.append(_card(scope.district_label, figures["district"], spec, settings, lang, period_text))
    if scope.area_ids is not None:
        cards.append(_card(t("briefing_city", lang), figures["city"], spec, settings, lang, period_text))
    return cards


def _count_cards(page: Briefing, own: KeyFigure) -> list[dict]:
    """The residents of the set and its number of areas (with how many are left out)."""
    lang, period = page.lang, page.query.period
    residents = format_value(own.residents, PERSONS, lang, unit=False) if not all_left_out(own) else figure_text(own, page.spec, page.settings, lang)
    return [{"label": t("briefing_residents", lang), "unit": "", "value": residents,
             "note": t("briefing_residents_note", lang, date=format_date(period, lang))},
            {"label": t("briefing_areas", lang, level=basis_name(page.bundle, page.query.basis, lang)), "value": str(own.areas), "unit": "",
             "note": t("briefing_left_out", lang, n=own.left_out) if own.left_out else t("briefing_all_shown", lang)}]


def _change_card(page: Briefing) -> dict | None:
    """The change since the first period, for a plain value at a later period (None otherwise)."""
    query, spec, bundle, lang = page.query, page.spec, page.bundle, page.lang
    if query.compare_from or query.period_from or spec.categories or spec.change_of or query.period == bundle.periods[0]:
        return None
    start = bundle.periods[0]
    change = _own(_scope_figures(page, replace(query, compare_from=start)), page.scope)
    return _card(t("briefing_change", lang, start=format_date(start, lang)), change, comparison_spec(spec), page.settings, lang,
                 f"{format_date(start, lang)} → {format_date(query.period, lang)}")


def briefing_cards(page: Briefing, period_text: str, source_line: str) -> list[dict]:
    """The key-figure cards, each with the source line."""
    figures = _scope_figures(page, page.query)
    own = _own(figures, page.scope)
    cards = _value_cards(page, figures, period_text) + (_count_cards(page, own) if own is not None else [])
    change = _change_card(page)
    cards += [change] if change is not None else []
    for card in cards:
        card["source"] = source_line
    return cards


def _legend(colours: Colours, page: Briefing, context: bool) -> dict:
    spec, lang = page.spec, page.lang
    entries = legend_entries(colours, lang, lambda v: format_value(v, spec, lang, unit=False))
    return {"unit": spec.unit(lang), "bar": Markup(legend_svg(entries)), "classes": entries.get("classes", []),
            "not_shown": not_shown(page.settings, lang) if page.portal else t("briefing_no_value", lang), "context": context}


def _detail(page: Briefing) -> tuple[Basis, LayerResult, list[str]]:
    """The detail map's basis, values and areas: the next finer level inside the set where there is one."""
    basis, area_ids = page.query.basis, page.scope.area_ids
    if basis.is_h3:
        return basis, page.result, area_ids
    levels = [lvl.id for lvl in page.bundle.levels]
    i = levels.index(basis.level)
    if i + 1 >= len(levels):
        return basis, page.result, area_ids
    finer = Basis(level=levels[i + 1])
    inside = translate_selection(page.bundle, area_ids, basis, finer)
    return finer, layer_result(replace(page.query, basis=finer)), inside


def _detail_map(page: Briefing, detail: tuple[Basis, LayerResult, list[str]], colours: Colours) -> dict:
    """The set on the next finer level, framed by its areas, with the names of the district's areas."""
    bundle, scope, lang = page.bundle, page.scope, page.lang
    detail_basis, detail_result, detail_ids = detail
    middle = names_level(bundle)
    frame_district = scope.district or (str(district_of(bundle, detail_basis).get(detail_ids[0])) if detail_ids and not detail_basis.is_h3 else None)
    names = (middle, [str(i) for i in ids_in_district(bundle, middle, frame_district)]) if frame_district else None
    return {"title": t("briefing_map_detail", lang, scope=scope.name, level=basis_name(bundle, detail_basis, lang)),
            "svg": Markup(map_svg(bundle, detail_result, page.spec, colours, coloured=detail_ids,
                                  outlined=scope.area_ids if detail_basis == page.query.basis else detail_ids, frame_ids=detail_ids,
                                  portal=page.portal, lang=lang, title=scope.name, labels=names)),
            "legend": _legend(colours, page, context=True)}


def _overview_map(page: Briefing, overview_basis: Basis, overview: LayerResult, colours: Colours) -> dict:
    """The city (or the selection's district) with the set outlined, named by the coarsest level (or the district's areas)."""
    bundle, scope, lang, basis = page.bundle, page.scope, page.lang, page.query.basis
    area_ids, district = scope.area_ids, scope.district
    outlined = area_ids if overview_basis == basis else (translate_selection(bundle, area_ids, basis, overview_basis) if area_ids else None)
    frame = [str(i) for i in ids_in_district(bundle, overview_basis, district)] if district and scope.selection else None
    title = (scope.district_label if frame else bundle.manifest.title) + f" · {basis_name(bundle, overview_basis, lang)}"
    coarsest = Basis(level=bundle.levels[0].id)
    names = (names_level(bundle), [str(i) for i in ids_in_district(bundle, names_level(bundle), district)]) if frame else (coarsest, None)
    return {"title": title,
            "svg": Markup(map_svg(bundle, overview, page.spec, colours, coloured=frame, outlined=outlined, frame_ids=frame,
                                  portal=page.portal, lang=lang, title=title, context_basis=coarsest if not overview_basis == coarsest else None,
                                  labels=names)),
            "legend": _legend(colours, page, context=bool(frame))}


def briefing_maps(page: Briefing) -> list[dict]:
    """The detail map of the set (none for the whole city), then the overview; one colour range for both maps, so that
    the same colour is the same value on each."""
    basis = page.query.basis
    overview_basis = basis if len(page.bundle.ids(basis)) <= MAX_OVERVIEW_AREAS else Basis(level=page.bundle.finest_level.id)
    overview = page.result if overview_basis == basis else layer_result(replace(page.query, basis=overview_basis))
    detail = _detail(page) if page.scope.area_ids is not None else None
    colours = colours_for([overview] + ([detail[1]] if detail else []), page.spec, page.portal)
    maps = [_detail_map(page, detail, colours)] if detail is not None else []
    return maps + [_overview_map(page, overview_basis, overview, colours)]


def _with(qs: str, **params: str) -> str:
    """The query string with `params` set (replacing earlier values)."""
    kept = [p for p in qs.split("&") if p and p.split("=")[0] not in params]
    return "&".join(kept + [urlencode({k: v}) for k, v in params.items()])


def _qr_svg(url: str, lang: str) -> Markup:
    """The live view's link as a QR code (inline SVG, made offline by segno)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=3, dark="#000000", light="#ffffff", title=t("briefing_qr", lang)))


def briefing_links(page: Briefing, state: ViewState, qs: str, paper: str, script_root: str) -> dict:
    """The live view (absolute link from the `public_base_url` setting, never from the request's Host header, and its QR
    code), the same briefing on the other paper size and in the other language, and the one area's profile."""
    lang, scope = page.lang, page.scope
    live = public_link(page.settings, script_root + "/" + to_query(state, page.bundle, page.settings))
    other_paper = "a3" if paper == "a4" else "a4"
    return {"live": live, "qr": _qr_svg(live, lang), "paper": paper,
            "other_paper_href": briefing_href(_with(qs, paper=other_paper)), "other_paper": other_paper.upper(),
            "other_lang_href": briefing_href(_with(qs, lang="en" if lang == "de" else "de")),
            "profile": profile_href(scope.selection[0], lang) if len(scope.selection) == 1 and not page.query.basis.is_h3 else None}


def briefing_args(bundle: Bundle, settings: Settings, state: ViewState, qs: str, paper: str, script_root: str) -> dict:
    """The template arguments of briefing/briefing.html for the main view's `state` (`qs`: the page's query string)."""
    lang = state.lang
    query = check_query(bundle, settings, state.layer, state.basis, state.period, state.group, state.period_from,
                        state.period_from if state.compare else None)
    spec = comparison_spec(get_layer(query.layer_id)) if query.compare_from else get_layer(query.layer_id)
    result = layer_result(query)
    page = Briefing(bundle, settings, query, spec, result, briefing_scope(bundle, query.basis, list(state.selection), state.district, lang), lang)
    scope = page.scope
    group = next((g.title(lang) for g in spec.groups(bundle) if g.id == result.group), "")
    topic = spec.title(lang) + (f" ({group})" if group else "")
    period_text = _period_text(query, lang)
    sources = source_names(bundle, result.sources)
    source_line = t("briefing_source", lang, sources="; ".join(sources)) if sources else ""
    interpolated = t("briefing_interpolated", lang, level=level_name(bundle, result.interpolated_from, lang)) if result.interpolated_from else ""
    return dict(
        lang=lang, t=lambda key, **kw: t(key, lang, **kw), title=f"{scope.name}: {topic}", scope=scope.name, topic=topic,
        description=spec.description(lang), period=period_text, stichtag=format_date(query.period, lang),
        cards=briefing_cards(page, period_text, source_line), maps=briefing_maps(page), source_line=source_line,
        text=summary_text(bundle, settings, query, result, scope.area_ids, lang, scope_name=scope.name if scope.area_ids is not None else None,
                          compute=cached_run),
        notices=state.notices, synthetic=bundle.manifest.synthetic, portal=page.portal, built=bundle.manifest.built_at[:10],
        interpolated=interpolated, **briefing_links(page, state, qs, paper, script_root),
    )
