"""The map callback: a whole figure when the basis changes (geometry by URL, fetched once), otherwise a Patch of values,
or of only the highlight or the view; with it the legend and the drawn-store, which the views follow once the map shows
the answer (`FRAME_GATE`, `AFTER_MAP`)."""

from __future__ import annotations

from dash import Dash, Input, Output, Patch, State, ctx, no_update

from layers.scenario import Scenario
from layers.spatial import Basis, basis_geojson

from .. import ids
from ..context import current_bundle, current_settings
from ..figures import SCENARIO_TRACE, SELECTION_TRACE, Display, map_figure, value_parts, value_props
from ..legend import legend
from ..mapgl import engine
from ..patching import patch_parts
from ..sections.scenario import sites
from ..view import Controls, ScenarioChoice, View, area_labels, checked_scenario, current_query, resolve_view, scenario_controls, selection_ids, view_controls
from ..views import apply_district, district_layout, district_view, level_name, selection_patch

AFTER_MAP = Input(ids.MAP_FRAMED, "data")  # what updates after the map shows its answer (see `register`)
# The map's drawn-store passed on once the map shows the answer: with the WebGL engine after its frame with these
# values (dashboard/mapgl/src/map-drawn.js; at most 1 s), at once without a DeckMap on the page (Plotly's engine). Every
# store update makes Dash's renderer walk the page's mounted components (2–4 ms each time, dozens per callback); the
# views' requests came before the map's frame about half the time and put it back by 100–200 ms (issue 19, H3 res 9).
FRAME_GATE = """
function(drawn) {
    const map = window.quartiersatlas_map;
    return map && map.afterValuesShown ? map.afterValuesShown(1000).then(() => drawn) : drawn;
}
"""
SELECTION_CHANGED, DISTRICT_CHANGED = f"{ids.SELECTION}.data", f"{ids.DISTRICT}.value"
LANGUAGE_CHANGED, SCENARIO_CHANGED = f"{ids.LANGUAGE}.value", f"{ids.SCENARIO}.data"


def geo_url(basis_key: str) -> str:
    """The address of a basis's GeoJSON (relative to the page), new with each build of the bundle."""
    bundle = current_bundle()
    return f"geo/{basis_key}.json?v={bundle.manifest.built_at.replace(':', '')}"


def geojson_bytes(basis_key: str) -> bytes:
    """GeoJSON of a basis, built once per process and bundle."""
    return basis_geojson(current_bundle(), Basis.parse(basis_key))


def scenario_sites(data: dict | None, lang: str) -> dict:
    """Lon, lat and label of every site of the scenario (the map's scenario trace); empty lists without one."""
    param = checked_scenario(data)
    if not param:
        return {"lon": [], "lat": [], "text": []}
    points = sites(current_bundle(), Scenario.from_url_param(param), lang)
    return {"lon": [p["lon"] for p in points], "lat": [p["lat"] for p in points], "text": [p["label"] for p in points]}


def highlight_patch(controls: Controls, triggered: set[str], district: str | None, selection: dict | None) -> Patch:
    """Only the selection's outline (`triggered` is the selection) or only the district's view changes: no values
    needed; nothing while the controls are inconsistent."""
    if current_query(controls) is None:
        return no_update
    if triggered == {SELECTION_CHANGED}:
        return selection_patch(selection_ids(selection, controls["basis"]))
    return district_view(current_bundle(), district)


def map_display(shown: View, lang: str) -> Display:
    """How this app shows the view's values: language, disclosure thresholds, mode, the level values came from."""
    bundle, settings = current_bundle(), current_settings()
    origin = shown.result.interpolated_from
    return Display(lang, settings.min_cases, settings.min_residents, settings.mode == "portal",
                   level_name(bundle, origin, lang) if origin else None, ids_as_names=shown.query.basis.is_h3,
                   compact_arrays=engine(settings.map_engine) == "webgl")


def _show_selection(figure, chosen: list[str]) -> None:
    figure["data"][SELECTION_TRACE]["locations"], figure["data"][SELECTION_TRACE]["z"] = chosen, [0] * len(chosen)


def whole_figure(shown: View, props: dict, plain_names: list[str] | None, display: Display, district: str | None,
                 selection: dict | None, scenario: dict | None) -> dict:
    """The whole map of the view (a new basis, or the page's first figure) with its selection, district and scenario sites."""
    bundle, settings = current_bundle(), current_settings()
    basis_key = shown.query.basis.key
    figure = map_figure(bundle, shown.result, props, plain_names, geo_url(basis_key), geo_url(bundle.levels[0].id), display,
                        settings.tile_url, settings.tile_attribution)
    _show_selection(figure, selection_ids(selection, basis_key))
    apply_district(figure, district_layout(bundle, district))
    figure["data"][SCENARIO_TRACE].update(scenario_sites(scenario, display.lang))
    return figure


def figure_patch(values: Patch | None, display: Display, basis_key: str, triggered: set[str], district: str | None,
                 selection: dict | None, scenario: dict | None) -> Patch:
    """The value parts that changed (`values`, from `patch_parts`) plus what else changed (`triggered`): district,
    selection, scenario sites (on a new language, for their labels); no_update when nothing did."""
    figure = values if values is not None else Patch()
    if DISTRICT_CHANGED in triggered:
        apply_district(figure, district_layout(current_bundle(), district))
    if SELECTION_CHANGED in triggered:
        _show_selection(figure, selection_ids(selection, basis_key))
    if triggered & {SCENARIO_CHANGED, LANGUAGE_CHANGED}:
        for name, value in scenario_sites(scenario, display.lang).items():
            figure["data"][SCENARIO_TRACE][name] = value
    return figure if figure.to_plotly_json()["operations"] else no_update


def legend_patch(items: list, drawn: object) -> tuple[list | Patch, str]:
    """The legend's blocks that changed as a Patch of the legend on the page (`drawn`: their fingerprints), the whole
    legend when the page's is unknown or has other blocks; and the fingerprints of the new blocks."""
    parts = [((i,), item) for i, item in enumerate(items)]
    patch, marks = patch_parts(parts, drawn)
    if not isinstance(drawn, str) or len(drawn) != len(marks):
        return items, marks
    return (patch if patch is not None else no_update), marks


def map_answer(shown: View, lang: str, drawn: dict | None, triggered: set[str], district: str | None,
               selection: dict | None, scenario: dict | None) -> tuple[dict | Patch, str]:
    """The map of the view, whole when the page has none of this basis (`drawn` None), else a Patch of what changed;
    and the fingerprints of its value parts, for the drawn-store."""
    display = map_display(shown, lang)
    labels = area_labels(current_bundle(), shown.query.basis.key, display.lang)
    props = value_props(shown.result, shown.spec, display, labels)
    plain_names = None if display.ids_as_names else labels.reindex(shown.result.values.index).fillna("").tolist()
    values, parts = patch_parts(value_parts(props, plain_names, display.lang), None if drawn is None else drawn.get("parts"))
    if drawn is None:
        return whole_figure(shown, props, plain_names, display, district, selection, scenario), parts
    return figure_patch(values, display, shown.query.basis.key, triggered, district, selection, scenario), parts


def update_map(controls: Controls, lang: str, district: str | None, selection: dict | None, scenario: ScenarioChoice,
               drawn: dict | None) -> tuple:
    """Full figure when the basis changes (new geometry URL), otherwise a Patch of what changed: values, hover and
    colours, or only highlight or view; with it the legend (whole or patched), the drawn-store and, for a whole figure
    only, the same store for the overlays (`ids.MAP_REDRAWN`).

    `drawn` (store) says which basis the figure on the page has and the fingerprints of its value parts and legend
    blocks (`dashboard.patching`): a part is sent only when it differs. With a scenario (store), its `view` says whether
    the map shows the baseline, the scenario or their difference.
    """
    # the store is the browser's word: anything but a dict of this basis counts as no map on the page
    full = not isinstance(drawn, dict) or drawn.get("basis") != controls["basis"]
    triggered = set() if full else set(ctx.triggered_prop_ids or {})  # a whole figure is also drawn into the page (first_view)
    if triggered in ({SELECTION_CHANGED}, {DISTRICT_CHANGED}):
        return highlight_patch(controls, triggered, district, selection), no_update, no_update, no_update
    shown = resolve_view(controls, scenario)
    if shown is None:
        return no_update, no_update, no_update, no_update
    figure, parts = map_answer(shown, lang, None if full else drawn, triggered, district, selection, scenario["data"])
    items = legend(shown.result, shown.query, shown.spec, lang, current_settings(), shown.scenario, scenario["view"])
    legend_out, legend_marks = legend_patch(items, None if full else drawn.get("legend"))
    store = {"basis": controls["basis"], "full": full, "parts": parts, "legend": legend_marks}
    return figure, legend_out, store, store if full else no_update


def register(app: Dash) -> None:
    """Attach the map callback and the gate of what follows it (`FRAME_GATE`). The page is built in its link's state, map
    included (`dashboard.first_view`)."""
    app.callback(
        Output(ids.MAP, "figure"), Output(ids.LEGEND, "children"), Output(ids.MAP_DRAWN, "data"), Output(ids.MAP_REDRAWN, "data"),
        inputs=dict(controls=view_controls(Input), lang=Input(ids.LANGUAGE, "value"), district=Input(ids.DISTRICT, "value"),
                    selection=Input(ids.SELECTION, "data"), scenario=scenario_controls(Input), drawn=State(ids.MAP_DRAWN, "data")),
        prevent_initial_call=True,
    )(update_map)
    app.clientside_callback(FRAME_GATE, Output(ids.MAP_FRAMED, "data"), Input(ids.MAP_DRAWN, "data"), prevent_initial_call=True)
