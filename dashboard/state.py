"""The view state and its URL: one query string restores layer, basis, period, comparison, district, selection,
overlays and language. Parsing never fails: an invalid parameter falls back to its default and yields a notice."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from layers import Settings, bases, get_layer, visible_layers
from layers.bundle import Bundle
from layers.scenario import Scenario, ScenarioError, validate_scenario
from layers.spatial import Basis, district_of

OVERLAY_KEYS = ("funding",)  # overlays any layer can show
SCENARIO_VIEWS = ("baseline", "scenario", "difference")
# A selection longer than this (characters of its ids) stays out of the URL: gunicorn refuses request lines over
# 4094 bytes, so a longer link could not be reopened. The selection line says so (`selection_fits_link`).
MAX_SELECTION_CHARS = 3000


@dataclass(frozen=True)
class ViewState:
    """Everything a link restores. `period`, `period_from` and `compare_from` are ISO dates; `selection` ids on `basis`."""

    layer: str
    group: str | None
    basis: str
    period: str
    period_from: str
    compare: bool = False
    district: str | None = None
    selection: tuple[str, ...] = ()
    focus: str | None = None  # the area of the detail panel
    overlays: tuple[str, ...] = ()
    lang: str = "de"
    scenario: str | None = None  # `Scenario.to_url_param()` of a non-empty scenario (planner mode only)
    view: str = "scenario"  # with a scenario: what the map shows, one of SCENARIO_VIEWS
    notices: tuple[str, ...] = field(default=(), compare=False)


def period_at(bundle: Bundle, value) -> str:
    """The period the shared period control points at: its position in the bundle's periods (the slider's value)
    or an ISO date; anything else means the latest period."""
    if isinstance(value, str) and value in bundle.periods:
        return value
    try:
        index = int(value)
    except (TypeError, ValueError):
        return bundle.periods[-1]
    return bundle.periods[index] if 0 <= index < len(bundle.periods) else bundle.periods[-1]


def default_state(bundle: Bundle, settings: Settings) -> ViewState:
    layers = visible_layers(settings)
    layer = settings.default_layer if settings.default_layer in layers else layers[0]
    return ViewState(layer=layer, group=_default_group(bundle, settings, layer), basis=bundle.finest_level.id,
                     period=bundle.periods[-1], period_from=bundle.periods[0], lang=settings.language)


def _default_group(bundle: Bundle, settings: Settings, layer: str) -> str | None:
    groups = [g.id for g in get_layer(layer).groups(bundle)]
    if not groups:
        return None
    return settings.default_group if settings.default_group in groups else groups[0]


def query_params(search: str | None) -> dict[str, str]:
    """A link's parameters, names in lower case (?Layer= as ?layer=), the last value of a repeated one."""
    return {k.lower(): v[-1] for k, v in parse_qs((search or "").lstrip("?"), keep_blank_values=True).items()}


def parse_query(search: str | None, bundle: Bundle, settings: Settings) -> ViewState:
    """The state a query string asks for; invalid values fall back to defaults, each with a notice (parameter and value)."""
    state = default_state(bundle, settings)
    raw = query_params(search)
    notices: list[str] = []

    def take(name: str, allowed: list[str]) -> str | None:
        value = raw.get(name)
        if value is None or value == "":
            return None
        if value not in allowed:
            notices.append(f"{name}={value}")
            return None
        return value

    layer = take("layer", visible_layers(settings)) or state.layer
    groups = [g.id for g in get_layer(layer).groups(bundle)]
    group = take("group", groups) if groups else None
    group = group or _default_group(bundle, settings, layer)
    basis = take("basis", bases(bundle)) or state.basis
    period = take("period", bundle.periods) or state.period
    period_from = take("from", bundle.periods) or state.period_from
    compare = raw.get("compare") == "1" and not get_layer(layer).needs_period_from and not get_layer(layer).categories
    districts = list(bundle.units_of(bundle.levels[0].id).index)
    district = take("district", districts)
    ids = set(bundle.ids(Basis.parse(basis)))
    selection = tuple(i for i in raw.get("sel", "").split(",") if i)
    if any(i not in ids for i in selection):
        notices.append("sel=" + ",".join(i for i in selection if i not in ids)[:60])
        selection = tuple(i for i in selection if i in ids)
    focus = raw.get("focus") or None
    if focus is not None and focus not in ids:
        notices.append(f"focus={focus}")
        focus = None
    overlays = tuple(o for o in raw.get("overlays", "").split(",") if o)
    if any(o not in OVERLAY_KEYS for o in overlays):
        notices.append("overlays=" + raw["overlays"])
        overlays = tuple(o for o in overlays if o in OVERLAY_KEYS)
    lang = take("lang", ["de", "en"]) or state.lang
    area = raw.get("area")
    if area:  # short form for a Quartiersmanager: open one unit on its own level, in its district, selected and in focus
        found = area_view(bundle, area)
        if found is None:
            notices.append(f"area={area}")
        else:
            basis, district = found
            selection, focus = (area,), area
    scenario = _scenario_param(raw.get("scenario"), bundle, settings, notices)
    view = take("view", list(SCENARIO_VIEWS)) or state.view
    unknown = sorted(set(raw) - {"layer", "group", "basis", "period", "from", "compare", "district", "sel", "focus", "overlays", "lang", "area",
                                 "scenario", "view", "embed", "map"})
    # embed=1 (the page's look, assets/embed.js) and map=zoom/lat/lon (the map's view, assets/map-fit.js) live in the browser
    notices += [f"{k}={raw[k]}" for k in unknown]
    return replace(state, layer=layer, group=group, basis=basis, period=period, period_from=period_from, compare=compare,
                   district=district, selection=selection, focus=focus, overlays=overlays, lang=lang, scenario=scenario, view=view,
                   notices=tuple(notices))


def _scenario_param(text: str | None, bundle: Bundle, settings: Settings, notices: list[str]) -> str | None:
    """The scenario of a link, checked against the bundle; the portal never runs scenarios (a notice, no scenario)."""
    if not text:
        return None
    if settings.mode == "portal":
        notices.append("scenario")
        return None
    try:
        scenario = Scenario.from_url_param(text)
        validate_scenario(bundle, scenario, settings)
    except ScenarioError as exc:
        notices.append(f"scenario ({exc})"[:200])
        return None
    return None if scenario.is_empty else scenario.to_url_param()


def scenario_dict(param: str | None) -> dict | None:
    """The scenario store's value for a link's scenario parameter (None: the baseline)."""
    if not param:
        return None
    return Scenario.from_url_param(param).to_dict()


def selection_fits_link(selection) -> bool:
    return len(",".join(selection)) <= MAX_SELECTION_CHARS


def area_view(bundle: Bundle, area: str) -> tuple[str, str] | None:
    """(basis, district) that show one unit on its own level within its district (the unit is then selected and in
    focus); None for an unknown id. Used by `?area=` links and the area search."""
    level = next((lvl.id for lvl in bundle.levels if area in set(bundle.units_of(lvl.id).index)), None)
    if level is None:
        return None
    district = str(district_of(bundle, Basis(level=level)).get(area)) if level != bundle.levels[0].id else area
    return level, district


def link_basis(search: str | None, bundle: Bundle, default: str) -> str:
    """The basis a link's map is drawn on, as `parse_query` reads it (its `basis`, or the level of the unit an `?area=`
    link opens; `default` otherwise), without checking the rest of the link (selection ids, scenario): what the page's
    HTML needs to preload the map's geometry (dashboard/first_view.py) on every page request."""
    raw = query_params(search)
    found = area_view(bundle, raw["area"]) if raw.get("area") else None
    if found is not None:
        return found[0]
    return raw["basis"] if raw.get("basis") in bases(bundle) else default


def embedded(search: str | None) -> bool:
    """The link asks for the embed view (`?embed=1`: map, legend and key figures only; assets/embed.js)."""
    raw = {k.lower(): v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}  # a blank embed= does not count
    return raw.get("embed") == "1"


def to_query(state: ViewState, bundle: Bundle, settings: Settings) -> str:
    """The query string of a state ('?layer=…&…'); parameters at their default are left out to keep links short."""
    default = default_state(bundle, settings)
    params: dict[str, str] = {"layer": state.layer}
    if state.group and state.group != _default_group(bundle, settings, state.layer):
        params["group"] = state.group
    if state.basis != default.basis:
        params["basis"] = state.basis
    if state.period != default.period:
        params["period"] = state.period
    if (state.compare or get_layer(state.layer).needs_period_from) and state.period_from != default.period_from:
        params["from"] = state.period_from
    if state.compare:
        params["compare"] = "1"
    if state.district:
        params["district"] = state.district
    if state.selection and selection_fits_link(state.selection):
        params["sel"] = ",".join(state.selection)
    if state.focus:
        params["focus"] = state.focus
    if state.overlays:
        params["overlays"] = ",".join(state.overlays)
    if state.lang != default.lang:
        params["lang"] = state.lang
    if state.scenario:
        params["scenario"] = state.scenario
        if state.view != default.view:
            params["view"] = state.view
    return "?" + urlencode(params, safe=",")
