"""Council briefing (/briefing) and area profile (/area/<id>): server-rendered, printable, no JavaScript needed.

Every figure comes from `layers.query.run_query` through the app's cache (`context.layer_result`), so the pages show what
the map shows, with the same disclosure control; internal layers are 404 in the portal.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import segno
from flask import Blueprint, abort, redirect, render_template, request
from markupsafe import Markup

from layers.area import SERVE_RADIUS_M, facilities_near, funding_areas_of
from layers.funding.areas import programme_title
from layers.infrastructure.access import type_title
from layers.narrative import context_figures, format_value, summary_text
from layers.query import LayerQuery, check_query, visible_layers
from layers.registry import REGISTRY, get_layer
from layers.spatial.basis import Basis
from layers.spatial.selection import district_of, ids_in_district, translate_selection
from layers.spec import comparison_spec
from layers.summary import KeyFigure, key_figures

from ..context import bundle_key, cache, current_bundle, current_settings, layer_result, settings_key
from ..guards import public_link
from ..i18n import format_date, t
from ..pages import briefing_href, page_language, profile_href
from ..state import default_state, parse_query, to_query
from ..views import names_level
from .svg import colours_for, legend_entries, legend_svg, line_chart_svg, map_svg

HERE = Path(__file__).resolve().parent
briefing = Blueprint("briefing", __name__, template_folder=str(HERE.parent / "templates"),
                     static_folder=str(HERE.parent / "static" / "briefing"), static_url_path="/briefing-static")
PAPERS = ("a4", "a3")
MAX_OVERVIEW_AREAS = 3000  # an overview map with more areas (fine H3 cells city-wide: megabytes of SVG) is drawn on the finest level
# Layers of the area profile: (layer id, group, over all periods?); those the deployment shows and that combine into one
# value per set. Walking distances and usage pressure change with the residents only and cost seconds per period:
# the profile shows them at the latest period.
PROFILE_LAYERS = (("migration_share", "mig_bg", True), ("migration_share", "foreign", True), ("public_green_per_resident", None, True),
                  ("public_play_per_resident", None, True), ("education_kita_ratio", None, True), ("public_usage_pressure", None, False),
                  ("infra_distance", "kita", False), ("infra_distance", "primary_school", False))


def cached_run(bundle, settings, query: LayerQuery):
    return layer_result(query)


def _lang() -> str:
    return page_language(current_settings().language)


def _enabled(name: str) -> None:
    if not current_settings().values.get(name, True):
        abort(404)


def _level_name(bundle, level_id: str, lang: str) -> str:
    level = bundle.level(level_id)
    return level.name_de if lang == "de" else level.name_en


def _not_shown(settings, lang: str) -> str:
    return t("briefing_not_shown", lang, cases=settings.min_cases, residents=settings.min_residents)


def _figure_text(figure: KeyFigure | None, spec, settings, lang: str, unit: bool = True) -> str:
    """A key figure's value (with unit); "not shown (fewer than N)" where nothing in the set is published, never 0."""
    if figure is None:
        return "–"
    if figure.areas and figure.left_out == figure.areas:
        return _not_shown(settings, lang) if settings.mode == "portal" else t("briefing_no_value", lang)
    if spec.aggregate == "none" or figure.value is None:
        return "–"
    return format_value(figure.value, spec, lang, unit=unit)


def _class_cards(result, spec, area_ids, settings, lang: str, period_text: str) -> list[dict]:
    """Classes do not add up: one card per class with the number of published areas of the set in it."""
    v = result.values if area_ids is None else result.values.reindex(pd.Index(area_ids).intersection(result.values.index))
    z = v["value"].to_numpy(dtype=float)
    shown = np.isfinite(z) & ~(v["suppressed"].to_numpy(dtype=bool) & (settings.mode == "portal"))
    codes = pd.Series(np.round(z[shown]).astype(int)).value_counts()
    return [{"label": c.title(lang), "value": str(int(codes.get(c.value, 0))), "unit": t("briefing_areas_unit", lang), "note": period_text}
            for c in spec.categories][:4]


def _card(label: str, figure: KeyFigure | None, spec, settings, lang: str, note: str) -> dict:
    value = _figure_text(figure, spec, settings, lang, unit=False)
    numeric = figure is not None and figure.value is not None and value not in ("–",) and not (figure.areas and figure.left_out == figure.areas)
    return {"label": label, "value": value, "unit": spec.unit(lang) if numeric and spec.aggregate != "none" else "", "note": note}


def _qr_svg(url: str, lang: str) -> Markup:
    """The live view's link as a QR code (inline SVG, made offline by segno)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=3, dark="#000000", light="#ffffff", title=t("briefing_qr", lang)))


def _live_url(query_string: str) -> str:
    """The live view's absolute link from the `public_base_url` setting (never from the request's Host header)."""
    return public_link(current_settings(), request.script_root + "/" + query_string)


def _sources(bundle, keys) -> list[str]:
    return [bundle.sources[k].attribution for k in keys if k in bundle.sources]


def _check_layer_visible() -> None:
    """An internal layer asked for in the portal is 404, not silently replaced by the default layer."""
    layer = request.args.get("layer")
    if layer in REGISTRY and layer not in visible_layers(current_settings()):
        abort(404)


@briefing.get("/briefing")
def briefing_page():
    """The one-page briefing of the main view's state (same query string): title, two maps, key figures, text, QR code."""
    _enabled("briefing_enabled")
    _check_layer_visible()
    bundle, settings = current_bundle(), current_settings()
    qs = request.query_string.decode("utf-8", "replace")
    paper = request.args.get("paper", "a4")
    paper = paper if paper in PAPERS else "a4"
    state = parse_query("&".join(p for p in qs.split("&") if not p.startswith("paper=")), bundle, settings)
    if "lang" in request.args:
        state = replace(state, lang=_lang())
    lang = state.lang
    query = check_query(bundle, settings, state.layer, state.basis, state.period, state.group, state.period_from,
                        state.period_from if state.compare else None)
    spec = comparison_spec(get_layer(query.layer_id)) if query.compare_from else get_layer(query.layer_id)
    result = layer_result(query)
    basis = query.basis
    portal = settings.mode == "portal"
    names = _names(bundle, basis)
    selection = list(state.selection)
    district = state.district
    if selection and not district:
        districts = {str(district_of(bundle, basis).get(i)) for i in selection}
        district = districts.pop() if len(districts) == 1 else None
    district_name = bundle.units_of(bundle.levels[0].id)["name"].get(district, "") if district else ""
    level0 = _level_name(bundle, bundle.levels[0].id, lang)
    if selection:
        area_ids = selection
        scope = (f"{_basis_label(bundle, basis, lang)} {names.get(selection[0], selection[0])}" if len(selection) == 1
                 else t("briefing_selection", lang, n=len(selection)))
    elif district:
        area_ids = [str(i) for i in ids_in_district(bundle, basis, district)]
        scope = f"{level0} {district_name}"
    else:
        area_ids, scope = None, bundle.manifest.title
    group = next((g.title(lang) for g in spec.groups(bundle) if g.id == result.group), "")
    topic = spec.title(lang) + (f" ({group})" if group else "")
    figures = key_figures(bundle, settings, query, area_ids or [], district if area_ids is not None else None, compute=cached_run)
    period_text = format_date(query.period, lang) if not (query.compare_from or query.period_from) else \
        f"{format_date(query.compare_from or query.period_from, lang)} → {format_date(query.period, lang)}"
    sources = _sources(bundle, result.sources)
    source_line = t("briefing_source", lang, sources="; ".join(sources)) if sources else ""
    cards = []
    own = figures["selection"] if selection else (figures["district"] if district else figures["city"])
    if spec.categories:
        cards += _class_cards(result, spec, area_ids, settings, lang, period_text)
    else:
        cards.append(_card(scope, own, spec, settings, lang, period_text))
    if selection and district and not spec.categories:
        cards.append(_card(f"{level0} {district_name}", figures["district"], spec, settings, lang, period_text))
    if area_ids is not None and not spec.categories:
        cards.append(_card(t("briefing_city", lang), figures["city"], spec, settings, lang, period_text))
    if own is not None:
        published = not (own.areas and own.left_out == own.areas)
        cards.append({"label": t("briefing_residents", lang), "unit": "",
                      "value": format_value(own.residents, _PERSONS, lang, unit=False) if published else _figure_text(own, spec, settings, lang),
                      "note": t("briefing_residents_note", lang, date=format_date(query.period, lang))})
        cards.append({"label": t("briefing_areas", lang, level=_basis_label(bundle, basis, lang)), "value": str(own.areas), "unit": "",
                      "note": t("briefing_left_out", lang, n=own.left_out) if own.left_out else t("briefing_all_shown", lang)})
    if not (query.compare_from or query.period_from or spec.categories or spec.change_of) and query.period != bundle.periods[0]:
        start = bundle.periods[0]
        change = key_figures(bundle, settings, replace(query, compare_from=start), area_ids or [],
                             district if area_ids is not None else None, compute=cached_run)
        ch = change["selection"] if selection else (change["district"] if district else change["city"])
        cards.append(_card(t("briefing_change", lang, start=format_date(start, lang)), ch, comparison_spec(spec), settings, lang,
                           f"{format_date(start, lang)} → {format_date(query.period, lang)}"))
    for card in cards:
        card["source"] = source_line
    overview_basis = basis if len(bundle.ids(basis)) <= MAX_OVERVIEW_AREAS else Basis(level=bundle.finest_level.id)
    overview = result if overview_basis == basis else layer_result(replace(query, basis=overview_basis))
    detail = _detail(bundle, settings, query, basis, area_ids, result) if area_ids is not None else None
    # one colour range for both maps: the same colour is the same value on each
    colours = colours_for([overview] + ([detail[1]] if detail else []), spec, portal)
    middle = names_level(bundle)
    maps = []
    if detail is not None:
        detail_basis, detail_result, detail_ids = detail
        frame_district = district or (str(district_of(bundle, detail_basis).get(detail_ids[0])) if detail_ids and not detail_basis.is_h3 else None)
        names = (middle, [str(i) for i in ids_in_district(bundle, middle, frame_district)]) if frame_district else None
        maps.append({"title": t("briefing_map_detail", lang, scope=scope, level=_basis_label(bundle, detail_basis, lang)),
                     "svg": Markup(map_svg(bundle, detail_result, spec, colours, coloured=detail_ids, outlined=area_ids if detail_basis == basis
                                           else detail_ids, frame_ids=detail_ids, portal=portal, lang=lang, title=scope, labels=names)),
                     "legend": _legend(colours, spec, lang, settings, context=True)})
    outlined = area_ids if overview_basis == basis else (translate_selection(bundle, area_ids, basis, overview_basis) if area_ids else None)
    frame = [str(i) for i in ids_in_district(bundle, overview_basis, district)] if district and selection else None
    overview_title = (f"{level0} {district_name}" if frame else bundle.manifest.title) + f" · {_basis_label(bundle, overview_basis, lang)}"
    overview_names = (middle, [str(i) for i in ids_in_district(bundle, middle, district)]) if frame else (Basis(level=bundle.levels[0].id), None)
    maps.append({"title": overview_title,
                 "svg": Markup(map_svg(bundle, overview, spec, colours, coloured=frame, outlined=outlined, frame_ids=frame,
                                       portal=portal, lang=lang, title=overview_title,
                                       context_basis=Basis(level=bundle.levels[0].id) if not overview_basis == Basis(level=bundle.levels[0].id) else None,
                                       labels=overview_names)),
                 "legend": _legend(colours, spec, lang, settings, context=bool(frame))})
    text = summary_text(bundle, settings, query, result, area_ids, lang, scope_name=scope if area_ids is not None else None, compute=cached_run)
    live_qs = to_query(state, bundle, settings)
    live = _live_url(live_qs)
    other_paper = "a3" if paper == "a4" else "a4"
    return render_template(
        "briefing/briefing.html", lang=lang, t=lambda key, **kw: t(key, lang, **kw), title=f"{scope}: {topic}", scope=scope, topic=topic,
        description=spec.description(lang), period=period_text, stichtag=format_date(query.period, lang), maps=maps, cards=cards,
        text=text, source_line=source_line, qr=_qr_svg(live, lang), live=live, paper=paper, notices=state.notices,
        synthetic=bundle.manifest.synthetic, portal=portal, built=bundle.manifest.built_at[:10],
        other_paper_href=briefing_href(_with(qs, paper=other_paper)), other_paper=other_paper.upper(),
        other_lang_href=briefing_href(_with(qs, lang="en" if lang == "de" else "de")),
        profile=profile_href(selection[0], lang) if len(selection) == 1 and not basis.is_h3 else None,
        interpolated=t("briefing_interpolated", lang, level=_level_name(bundle, result.interpolated_from, lang)) if result.interpolated_from else "",
    )


class _Persons:
    value_format = ",.0f"

    @staticmethod
    def unit(lang: str) -> str:
        return ""


_PERSONS = _Persons()


def _with(qs: str, **params: str) -> str:
    """The query string with `params` set (replacing earlier values)."""
    kept = [p for p in qs.split("&") if p and p.split("=")[0] not in params]
    return "&".join(kept + [urlencode({k: v}) for k, v in params.items()])


def _names(bundle, basis: Basis) -> pd.Series:
    if basis.is_h3:
        cells = bundle.cells(basis.res)
        return pd.Series(cells, index=cells)
    return bundle.units_of(basis.level)["name"].astype(str)


def _basis_label(bundle, basis: Basis, lang: str) -> str:
    if basis.is_h3:
        return t("briefing_h3", lang, res=basis.res)
    return _level_name(bundle, basis.level, lang)


def _detail(bundle, settings, query: LayerQuery, basis: Basis, area_ids: list[str], result):
    """The detail map's basis, values and areas: the next finer level inside the set where there is one."""
    if basis.is_h3:
        return basis, result, area_ids
    levels = [lvl.id for lvl in bundle.levels]
    i = levels.index(basis.level)
    if i + 1 >= len(levels):
        return basis, result, area_ids
    finer = Basis(level=levels[i + 1])
    inside = translate_selection(bundle, area_ids, basis, finer)
    return finer, layer_result(replace(query, basis=finer)), inside


def _legend(colours, spec, lang: str, settings, context: bool) -> dict:
    entries = legend_entries(colours, lang, lambda v: format_value(v, spec, lang, unit=False))
    portal = settings.mode == "portal"
    return {"unit": spec.unit(lang), "bar": Markup(legend_svg(entries)), "classes": entries.get("classes", []),
            "not_shown": _not_shown(settings, lang) if portal else t("briefing_no_value", lang), "context": context}


# ---------------------------------------------------------------- area profile

def _level_of(bundle, unit_id: str) -> str | None:
    return next((lvl.id for lvl in bundle.levels if unit_id in bundle.units_of(lvl.id).index), None)


@briefing.get("/area")
def area_search():
    """Choose an area by name (a plain GET form): one match opens its profile, several are listed."""
    _enabled("area_profile_enabled")
    bundle, lang = current_bundle(), _lang()
    q = (request.args.get("q") or "").strip()
    units = bundle.units[["unit_id", "name", "level"]]
    matches = []
    if q:
        exact = units[(units["name"].str.lower() == q.lower()) | (units["unit_id"] == q)]
        if len(exact) == 1:
            return redirect(profile_href(str(exact["unit_id"].iloc[0]), lang))
        hit = units[units["name"].str.lower().str.contains(q.lower(), regex=False)]
        matches = [{"href": profile_href(str(r.unit_id), lang), "name": str(r.name), "level": _level_name(bundle, str(r.level), lang),
                    "id": str(r.unit_id)} for r in hit.head(200).itertuples()]
    names = sorted(set(units["name"].astype(str)))
    return render_template("briefing/area_search.html", lang=lang, t=lambda key, **kw: t(key, lang, **kw), q=q, matches=matches,
                           names=names, title=t("area_search_title", lang), synthetic=bundle.manifest.synthetic, paper="a4")


@briefing.get("/area/<unit_id>")
def area_page(unit_id: str):
    """The area's profile: figures against district and city over all periods, facilities, funding, social context, scenarios."""
    _enabled("area_profile_enabled")
    bundle, settings, lang = current_bundle(), current_settings(), _lang()
    level = _level_of(bundle, unit_id)
    if level is None:
        abort(404)
    basis = Basis(level=level)
    portal = settings.mode == "portal"
    name = str(bundle.units_of(level)["name"].get(unit_id, unit_id))
    level0 = bundle.levels[0].id
    district = None if level == level0 else str(district_of(bundle, basis).get(unit_id))
    district_name = str(bundle.units_of(level0)["name"].get(district, "")) if district else ""
    rows, all_sources = _profile_rows(bundle_key(bundle), settings_key(settings), unit_id, level, district, name, district_name, lang)
    context = []
    for label, ids in ((name, [unit_id]), (district_name, [str(i) for i in ids_in_district(bundle, basis, district)] if district else None),
                       (t("briefing_city", lang), None)):
        if label == district_name and ids is None:
            continue
        values, period = context_figures(bundle, basis, ids)
        if values:
            context.append({"label": label, "figures": {k: format_value(v, _PCT, lang) for k, v in values.items()}, "period": period})
    context_period = format_date(context[0]["period"], lang) if context else ""
    facilities = facilities_near(bundle, basis, unit_id)
    inside = facilities[facilities["distance_m"] <= 0]
    by_type = inside.groupby("type").size().sort_values(ascending=False)
    near_by_type = facilities.groupby("type").size()
    fac_rows = [{"type": type_title(kind, lang), "inside": int(n), "near": int(near_by_type.get(kind, 0))} for kind, n in by_type.items()]
    fac_rows += [{"type": type_title(kind, lang), "inside": 0, "near": int(n)} for kind, n in near_by_type.items() if kind not in by_type.index]
    listed = inside.head(80)
    fac_list = [{"name": str(r.name) if isinstance(r.name, str) else "–", "type": type_title(r.type, lang),
                 "capacity": "–" if pd.isna(r.capacity) else format_value(float(r.capacity), _PERSONS, lang, unit=False)} for r in listed.itertuples()]
    funding = [{"name": str(r.name), "programme": programme_title(r.programme, lang), "share": format_value(100 * float(r.share), _PCT0, lang)}
               for r in funding_areas_of(bundle, basis, unit_id).itertuples()]
    green = _green(bundle, basis, unit_id, lang)
    scenarios = _scenarios(bundle, settings, unit_id, lang) if not portal else None
    state = replace(default_state(bundle, settings), basis=level, selection=(unit_id,), focus=unit_id, district=district, lang=lang)
    map_qs = to_query(state, bundle, settings)
    parent_links = []
    if district:
        parent_links.append({"href": profile_href(district, lang), "label": f"{_level_name(bundle, level0, lang)} {district_name}"})
    return render_template(
        "briefing/area.html", lang=lang, t=lambda key, **kw: t(key, lang, **kw), title=f"{_level_name(bundle, level, lang)} {name}",
        name=name, unit_id=unit_id, level=_level_name(bundle, level, lang), district_name=district_name, rows=rows, context=context,
        context_period=context_period, fac_rows=fac_rows, fac_list=fac_list, fac_more=max(len(inside) - len(listed), 0), radius=SERVE_RADIUS_M,
        funding=funding, scenarios=scenarios, map_href=("/" if not request.script_root else request.script_root + "/") + map_qs,
        briefing=briefing_href(map_qs), parents=parent_links, portal=portal, synthetic=bundle.manifest.synthetic,
        stichtag=format_date(bundle.periods[-1], lang), not_shown=_not_shown(settings, lang),
        other_lang_href=profile_href(unit_id, "en" if lang == "de" else "de"), context_names=_context_names(lang),
        has_district=bool(district), paper="a4", sources=all_sources, green=green,
        district_label=f"{_level_name(bundle, level0, lang)} {district_name}" if district else "",
    )



@cache.memoize()
def _profile_rows(bundle_id: str, settings_id: str, unit_id: str, level: str, district: str | None, name: str, district_name: str,
                  lang: str) -> tuple[list[dict], list[str]]:
    """The profile's figure rows (area, district, city over the periods, charts) and their sources; cached per bundle,
    settings, area and language (`bundle_id`, `settings_id` are the cache keys of `dashboard.context`)."""
    bundle, settings = current_bundle(), current_settings()
    visible = set(visible_layers(settings))
    rows: list[dict] = []
    all_sources: list[str] = []
    for layer_id, group, over_time in PROFILE_LAYERS:
        if layer_id not in visible or layer_id not in REGISTRY:
            continue
        spec = get_layer(layer_id)
        groups = [g.id for g in spec.groups(bundle)]
        if groups and group not in groups:
            continue
        try:
            query0 = check_query(bundle, settings, layer_id, level, None, group)
        except Exception:  # noqa: BLE001 - a layer the bundle cannot compute (missing table) is left out of the profile
            continue
        series = {"area": [], "district": [], "city": []}
        texts = {}
        periods = bundle.periods if over_time else bundle.periods[-1:]
        for period in periods:
            figs = key_figures(bundle, settings, replace(query0, period=period), [unit_id], district, compute=cached_run)
            for key, fig in (("area", figs["selection"]), ("district", figs["district"]), ("city", figs["city"])):
                shown = fig is not None and fig.value is not None and not (fig.areas and fig.left_out == fig.areas)
                series[key].append(fig.value if shown else None)
                texts[key] = _figure_text(fig, spec, settings, lang)
        if all(v is None for v in series["area"] + series["city"]):
            continue
        gname = next((g.title(lang) for g in spec.groups(bundle) if g.id == query0.group), "")
        title = spec.title(lang) + (f" ({gname})" if gname else "")
        result = layer_result(query0)
        labels = [format_date(p, lang) for p in periods]
        chart = "" if len(periods) < 2 else line_chart_svg(periods, [(name, series["area"]), (district_name, series["district"]), ("city", series["city"])],
                               lambda v, s=spec: format_value(v, s, lang, unit=False), labels, title)
        for source in _sources(bundle, result.sources):
            if source not in all_sources:
                all_sources.append(source)
        rows.append({"title": title, "unit": spec.unit(lang), "area": texts["area"], "district": texts.get("district", "–"),
                     "city": texts["city"], "chart": Markup(chart), "sources": [all_sources.index(x) + 1 for x in _sources(bundle, result.sources)],
                     "history": [{"period": lb, "value": "–" if v is None else format_value(v, spec, lang, unit=False)}
                                 for lb, v in zip(labels, series["area"])]})
    return rows, all_sources


class _Pct:
    value_format = ".1f"

    @staticmethod
    def unit(lang: str) -> str:
        return "%"


class _Pct0(_Pct):
    value_format = ".0f"


_PCT, _PCT0 = _Pct(), _Pct0()


def _context_names(lang: str) -> dict[str, str]:
    from layers.context import CONTEXT_INDICATORS

    return {k: (de if lang == "de" else en) for k, (de, en) in CONTEXT_INDICATORS.items()}


def _green(bundle, basis: Basis, unit_id: str, lang: str) -> list[dict]:
    """Parks and playgrounds of the official lists in the area (its finest units): number, area and net play area (m²)."""
    from layers.public_space.supply import green_spaces

    spaces = green_spaces(bundle)
    spaces = spaces[spaces["unit_id"].notna()]
    finest = translate_selection(bundle, [unit_id], basis, Basis(level=bundle.finest_level.id))
    inside = spaces[spaces["unit_id"].astype(str).isin(finest)]
    rows = []
    for kind, group in inside.groupby("kind"):
        net = pd.to_numeric(group["net_area_m2"], errors="coerce") if "net_area_m2" in group else pd.Series(dtype=float)
        rows.append({"kind": type_title(str(kind), lang), "n": len(group),
                     "area": format_value(float(group["area_m2"].sum()), _M2, lang),
                     "net": format_value(float(net.sum()), _M2, lang) if net.notna().any() else "–"})
    return rows


class _M2:
    value_format = ",.0f"

    @staticmethod
    def unit(lang: str) -> str:
        return "m²"


def _scenarios(bundle, settings, unit_id: str, lang: str) -> list[dict] | None:
    """Saved scenarios that touch the area (planner mode); None where the scenario module is not there."""
    try:
        from layers.scenario.store import scenarios_touching, store_for
    except ImportError:
        return None
    store = store_for(settings)
    out = []
    for info in scenarios_touching(bundle, store, unit_id):
        try:
            param = store.load(info.slug).to_url_param()
        except Exception:  # noqa: BLE001 - an unreadable scenario is listed without a link
            param = None
        out.append({"name": info.name, "saved_at": info.saved_at[:16].replace("T", " "), "n": info.n_interventions,
                    "href": ("/?" + urlencode({"scenario": param})) if param else None})
    return out


def redirect_area_links():
    """`/?area=<id>` opens the area's profile (a Quartiersmanager's link) before Dash serves its index page."""
    if request.path != "/" or not request.args.get("area"):
        return None
    if not current_settings().values.get("area_profile_enabled", True):
        return None
    area = request.args["area"]
    if _level_of(current_bundle(), area) is None:
        return None  # unknown id: the main view says so (URL notice)
    return redirect(profile_href(area, _lang()))


briefing.before_app_request(redirect_area_links)

