"""The area profile's content (/area/<id>): figures against district and city over all periods, social context,
facilities, funding areas, green spaces and saved scenarios of one unit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pandas as pd
from markupsafe import Markup

from layers import (
    CONTEXT_INDICATORS,
    REGISTRY,
    SERVE_RADIUS_M,
    LayerQuery,
    LayerSpec,
    Settings,
    check_query,
    context_figures,
    facilities_near,
    format_value,
    funding_areas_of,
    get_layer,
    visible_layers,
)
from layers.bundle import Bundle
from layers.infrastructure import green_spaces, programme_title, type_title
from layers.scenario import scenarios_touching, store_for
from layers.spatial import Basis, district_of, ids_in_district, translate_selection

from ..context import bundle_key, cache, current_bundle, current_settings, layer_result, settings_key
from ..i18n import format_date, not_shown, t
from ..pages import briefing_href, profile_href
from ..state import default_state, to_query
from ..views import level_name
from .figures import PERCENT, PERSONS, SQUARE_METRES, WHOLE_PERCENT, all_left_out, cached_key_figures, figure_text, source_names
from .svg import line_chart_svg

# Layers of the area profile: (layer id, group, over all periods?); those the deployment shows and that combine into one
# value per set. Walking distances and usage pressure change with the residents only and cost seconds per period:
# the profile shows them at the latest period.
PROFILE_LAYERS = (("migration_share", "mig_bg", True), ("migration_share", "foreign", True), ("public_green_per_resident", None, True),
                  ("public_play_per_resident", None, True), ("education_kita_ratio", None, True), ("public_usage_pressure", None, False),
                  ("infra_distance", "kita", False), ("infra_distance", "primary_school", False))
MAX_LISTED_FACILITIES = 80


@dataclass(frozen=True)
class ProfileArea:
    """The unit a profile is about, with its district (None for a unit of the coarsest level)."""

    unit_id: str
    level: str
    name: str
    district: str | None
    district_name: str


def _series(bundle: Bundle, settings: Settings, query: LayerQuery, spec: LayerSpec, area: ProfileArea, periods: list[str],
            lang: str) -> tuple[dict[str, list[float | None]], dict[str, str]]:
    """The values of area, district and city per period (None where not published) and their texts at the last period."""
    series: dict[str, list[float | None]] = {"area": [], "district": [], "city": []}
    texts: dict[str, str] = {}
    for period in periods:
        figs = cached_key_figures(bundle, settings, replace(query, period=period), [area.unit_id], area.district)
        for key, fig in (("area", figs["selection"]), ("district", figs["district"]), ("city", figs["city"])):
            shown = fig is not None and fig.value is not None and not all_left_out(fig)
            series[key].append(fig.value if shown else None)
            texts[key] = figure_text(fig, spec, settings, lang)
    return series, texts


def _profile_row(bundle: Bundle, settings: Settings, area: ProfileArea, layer_id: str, group: str | None, over_time: bool,
                 lang: str) -> tuple[dict, list[str]] | None:
    """One layer's row (texts, history, line chart) and its sources; None where the layer has nothing for the area."""
    spec = get_layer(layer_id)
    groups = [g.id for g in spec.groups(bundle)]
    if groups and group not in groups:
        return None
    try:
        query = check_query(bundle, settings, layer_id, area.level, None, group)
    except Exception:  # noqa: BLE001 - a layer the bundle cannot compute (missing table) is left out of the profile
        return None
    periods = bundle.periods if over_time else bundle.periods[-1:]
    series, texts = _series(bundle, settings, query, spec, area, periods, lang)
    if all(v is None for v in series["area"] + series["city"]):
        return None
    gname = next((g.title(lang) for g in spec.groups(bundle) if g.id == query.group), "")
    title = spec.title(lang) + (f" ({gname})" if gname else "")
    labels = [format_date(p, lang) for p in periods]
    chart = "" if len(periods) < 2 else line_chart_svg(periods, [(area.name, series["area"]), (area.district_name, series["district"]),
                                                                 ("city", series["city"])],
                                                       lambda v, s=spec: format_value(v, s, lang, unit=False), labels, title)
    row = {"title": title, "unit": spec.unit(lang), "area": texts["area"], "district": texts.get("district", "–"),
           "city": texts["city"], "chart": Markup(chart),
           "history": [{"period": lb, "value": "–" if v is None else format_value(v, spec, lang, unit=False)}
                       for lb, v in zip(labels, series["area"])]}
    return row, source_names(bundle, layer_result(query).sources)


@cache.memoize()
def _profile_rows(bundle_id: str, settings_id: str, unit_id: str, level: str, district: str | None, name: str, district_name: str,
                  lang: str) -> tuple[list[dict], list[str]]:
    """The profile's figure rows (area, district, city over the periods, charts) and their sources; cached per bundle,
    settings, area and language (`bundle_id`, `settings_id` are the cache keys of `dashboard.context`)."""
    bundle, settings = current_bundle(), current_settings()
    area = ProfileArea(unit_id, level, name, district, district_name)
    visible = set(visible_layers(settings))
    rows: list[dict] = []
    all_sources: list[str] = []
    for layer_id, group, over_time in PROFILE_LAYERS:
        if layer_id not in visible or layer_id not in REGISTRY:
            continue
        found = _profile_row(bundle, settings, area, layer_id, group, over_time, lang)
        if found is None:
            continue
        row, sources = found
        for source in sources:
            if source not in all_sources:
                all_sources.append(source)
        rows.append({**row, "sources": [all_sources.index(x) + 1 for x in sources]})
    return rows, all_sources


def _context_rows(bundle: Bundle, basis: Basis, area: ProfileArea, lang: str) -> list[dict]:
    """The social-context indicators of the area, its district and the city (where the bundle has them)."""
    district_ids = [str(i) for i in ids_in_district(bundle, basis, area.district)] if area.district else None
    rows = []
    for label, ids in ((area.name, [area.unit_id]), (area.district_name, district_ids), (t("briefing_city", lang), None)):
        if label == area.district_name and ids is None:
            continue
        values, period = context_figures(bundle, basis, ids)
        if values:
            rows.append({"label": label, "figures": {k: format_value(v, PERCENT, lang) for k, v in values.items()}, "period": period})
    return rows


def _context_names(lang: str) -> dict[str, str]:
    return {k: (de if lang == "de" else en) for k, (de, en) in CONTEXT_INDICATORS.items()}


def _facilities(bundle: Bundle, basis: Basis, unit_id: str, lang: str) -> dict:
    """Facilities by type (inside and within `SERVE_RADIUS_M`) and the list of those inside (at most
    `MAX_LISTED_FACILITIES`, `fac_more` the rest)."""
    facilities = facilities_near(bundle, basis, unit_id)
    inside = facilities[facilities["distance_m"] <= 0]
    by_type = inside.groupby("type").size().sort_values(ascending=False)
    near_by_type = facilities.groupby("type").size()
    rows = [{"type": type_title(kind, lang), "inside": int(n), "near": int(near_by_type.get(kind, 0))} for kind, n in by_type.items()]
    rows += [{"type": type_title(kind, lang), "inside": 0, "near": int(n)} for kind, n in near_by_type.items() if kind not in by_type.index]
    listed = inside.head(MAX_LISTED_FACILITIES)
    fac_list = [{"name": str(r.name) if isinstance(r.name, str) else "–", "type": type_title(r.type, lang),
                 "capacity": "–" if pd.isna(r.capacity) else format_value(float(r.capacity), PERSONS, lang, unit=False)} for r in listed.itertuples()]
    return {"fac_rows": rows, "fac_list": fac_list, "fac_more": max(len(inside) - len(listed), 0)}


def _funding(bundle: Bundle, basis: Basis, unit_id: str, lang: str) -> list[dict]:
    """The funding areas the area lies in, with the share of the area (%)."""
    return [{"name": str(r.name), "programme": programme_title(r.programme, lang), "share": format_value(100 * float(r.share), WHOLE_PERCENT, lang)}
            for r in funding_areas_of(bundle, basis, unit_id).itertuples()]


def _green(bundle: Bundle, basis: Basis, unit_id: str, lang: str) -> list[dict]:
    """Parks and playgrounds of the official lists in the area (its finest units): number, area and net play area (m²)."""
    spaces = green_spaces(bundle)
    spaces = spaces[spaces["unit_id"].notna()]
    finest = translate_selection(bundle, [unit_id], basis, Basis(level=bundle.finest_level.id))
    inside = spaces[spaces["unit_id"].astype(str).isin(finest)]
    rows = []
    for kind, group in inside.groupby("kind"):
        net = pd.to_numeric(group["net_area_m2"], errors="coerce") if "net_area_m2" in group else pd.Series(dtype=float)
        rows.append({"kind": type_title(str(kind), lang), "n": len(group),
                     "area": format_value(float(group["area_m2"].sum()), SQUARE_METRES, lang),
                     "net": format_value(float(net.sum()), SQUARE_METRES, lang) if net.notna().any() else "–"})
    return rows


def _scenarios(bundle: Bundle, settings: Settings, unit_id: str) -> list[dict]:
    """Saved scenarios that touch the area (planner mode), each with its link where the scenario can be read."""
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


def profile_area(bundle: Bundle, unit_id: str, level: str) -> ProfileArea:
    """The unit `unit_id` of `level` with its name and district."""
    level0 = bundle.levels[0].id
    district = None if level == level0 else str(district_of(bundle, Basis(level=level)).get(unit_id))
    district_name = str(bundle.units_of(level0)["name"].get(district, "")) if district else ""
    return ProfileArea(unit_id, level, str(bundle.units_of(level)["name"].get(unit_id, unit_id)), district, district_name)


def profile_args(bundle: Bundle, settings: Settings, unit_id: str, level: str, lang: str, script_root: str) -> dict:
    """The template arguments of briefing/area.html for unit `unit_id` of `level`."""
    area = profile_area(bundle, unit_id, level)
    basis, district, portal = Basis(level=level), area.district, settings.mode == "portal"
    district_label = f"{level_name(bundle, bundle.levels[0].id, lang)} {area.district_name}" if district else ""
    rows, all_sources = _profile_rows(bundle_key(bundle), settings_key(settings), unit_id, level, district, area.name, area.district_name, lang)
    context = _context_rows(bundle, basis, area, lang)
    state = replace(default_state(bundle, settings), basis=level, selection=(unit_id,), focus=unit_id, district=district, lang=lang)
    map_qs = to_query(state, bundle, settings)
    return dict(
        lang=lang, t=lambda key, **kw: t(key, lang, **kw), title=f"{level_name(bundle, level, lang)} {area.name}",
        name=area.name, unit_id=unit_id, level=level_name(bundle, level, lang), district_name=area.district_name, rows=rows, context=context,
        context_period=format_date(context[0]["period"], lang) if context else "", radius=SERVE_RADIUS_M,
        funding=_funding(bundle, basis, unit_id, lang), scenarios=_scenarios(bundle, settings, unit_id) if not portal else None,
        map_href=("/" if not script_root else script_root + "/") + map_qs, briefing=briefing_href(map_qs),
        parents=[{"href": profile_href(district, lang), "label": district_label}] if district else [], portal=portal,
        synthetic=bundle.manifest.synthetic, stichtag=format_date(bundle.periods[-1], lang), not_shown=not_shown(settings, lang),
        other_lang_href=profile_href(unit_id, "en" if lang == "de" else "de"), context_names=_context_names(lang),
        has_district=bool(district), paper="a4", sources=all_sources, green=_green(bundle, basis, unit_id, lang), district_label=district_label,
        **_facilities(bundle, basis, unit_id, lang),
    )
