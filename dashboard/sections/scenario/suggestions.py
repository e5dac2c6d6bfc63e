"""Site suggestions: where a new facility would cover the most unmet need (`layers.scenario.suggest_sites`), listed in the
panel and drawn on the map; a proposal is accepted or moved in `editing`."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update

from layers import Settings
from layers import format_number as num
from layers.bundle import Bundle
from layers.infrastructure import type_title
from layers.scenario import SiteProposal, default_need_weights, facility_type_choices, need_weight_keys, suggest_sites

from ... import ids
from ...context import current_bundle, current_settings
from ...figures import PROPOSAL_TRACE
from ...i18n import t
from ..common import map_redrawn, redraw_gate, redrawn_id, waiting
from .component_ids import ACCEPT, MOVE, PROPOSALS, SUGGEST_K, SUGGEST_RUN, SUGGEST_TYPE, SUGGESTIONS, WEIGHT
from .stored import scenario_of
from .widgets import field

SUGGEST_TYPES = ("kita", "meeting_place", "community_centre", "youth_club", "playground", "library")


def suggest_block(bundle: Bundle, settings: Settings, lang: str) -> html.Div:
    """The facility type, the number of proposals, the need weights (defaults of a Kita) and the run button."""
    types = [{"label": type_title(k, lang), "value": k} for k in SUGGEST_TYPES if k in facility_type_choices(bundle)]
    defaults = default_need_weights(bundle, "kita")
    # label | slider, each label's first line level with its slider's track (assets/layout.css: .qa-weight-row)
    weights = [dbc.Row([dbc.Col(html.Span(t(f"scenario_weight_{key}", lang), className="small"), md=6),
                        dbc.Col(dcc.Slider(0, 3, 0.5, value=defaults.get(key, 0.0), id={"type": WEIGHT, "key": key},
                                           marks={0: "0", 1: "1", 2: "2", 3: "3"}), md=6)], className="qa-weight-row")
               for key in need_weight_keys(bundle)]
    return html.Div([
        html.H6(t("scenario_suggest_title", lang)),
        html.P(t("scenario_suggest_intro", lang), className="small text-muted mb-1"),
        dbc.Row([
            field(t("scenario_suggest_type", lang), dcc.Dropdown(types, "kita", id=SUGGEST_TYPE, clearable=False)),
            field(t("scenario_suggest_k", lang), dcc.Slider(1, 10, 1, value=int(settings.values.get("suggest_k", 5)), id=SUGGEST_K,
                                                                    marks={1: "1", 5: "5", 10: "10"})),
        ]),
        html.Div([dbc.Label(t("scenario_suggest_weights", lang), className="small fw-semibold mb-1"), *weights]) if weights else html.Div(),
        dbc.Button(t("scenario_suggest_run", lang), id=SUGGEST_RUN, size="sm", color="secondary", className="my-1"),
        waiting(html.Div(id=SUGGESTIONS, className="small")),
    ], className="border rounded p-2 mb-2")


def need_weights_of(weight_ids: list[dict] | None, values: list | None) -> dict[str, float]:
    """The sliders' need weights by key (an empty slider: 0)."""
    return {w["key"]: float(v if v is not None else 0) for w, v in zip(weight_ids or [], values or [])}


def proposal_dicts(proposals: list[SiteProposal], facility_type: str) -> list[dict]:
    """The proposals as the store keeps them (for the map and for accepting one)."""
    return [{"rank": p.rank, "cell": p.cell, "lon": p.lon, "lat": p.lat, "unit_id": p.unit_id, "unit_name": p.unit_name,
             "gain_need": p.gain_need, "gain_residents": p.gain_residents, "facility_type": facility_type} for p in proposals]


def proposal_list(bundle: Bundle, proposals: list[SiteProposal], district: str | None, lang: str) -> html.Div:
    """Where the proposals were looked for, then each with its gain and the accept and move buttons."""
    where = (t("scenario_suggest_in_district", lang, name=bundle.units_of(bundle.levels[0].id)["name"].get(district, district))
             if district else t("scenario_suggest_in_city", lang))
    rows = [html.Li([
        html.Span(f"{p.rank}. {p.unit_name} ({p.unit_id}) – ", className="fw-semibold"),
        t("scenario_suggest_gain", lang, need=num(p.gain_need, lang), residents=num(p.gain_residents, lang)), " ",
        html.Button(t("scenario_accept", lang), id={"type": ACCEPT, "index": p.rank}, className="btn btn-link btn-sm p-0 me-2"),
        html.Button(t("scenario_move", lang), id={"type": MOVE, "index": p.rank}, className="btn btn-link btn-sm p-0"),
    ]) for p in proposals]
    return html.Div([html.Div(where, className="small text-muted", id="scenario-proposal-scope"),
                     html.Ol(rows, className="list-unstyled mb-0", id="scenario-proposal-list")])


# --- callbacks ---------------------------------------------------------------------------------------------

def update_suggestions(clicks, choice, weights, data, district, lang):
    """Proposals for a new facility (inside the chosen district when there is one), listed here and drawn on the map.

    `choice` holds the facility type and the number of proposals (`k`), `weights` the need sliders' values and ids."""
    if not clicks:
        return no_update, no_update
    bundle, facility_type = current_bundle(), choice["facility_type"]
    proposals = suggest_sites(bundle, current_settings(), facility_type, k=int(choice["k"] or 5),
                              need_weights=need_weights_of(weights["ids"], weights["values"]) or None, scenario=scenario_of(data) or None,
                              district=district or None)
    if not proposals:
        return html.Div(t("scenario_suggest_none", lang), className="text-muted"), []
    return proposal_list(bundle, proposals, district, lang), proposal_dicts(proposals, facility_type)


def proposals_on_map(proposals, drawn, lang):
    """The proposals as numbered marks on the map (again after the map got a new figure)."""
    if ctx.triggered_id == redrawn_id("proposals") and not (map_redrawn(drawn) and proposals):
        return no_update
    patch = Patch()
    items = proposals or []
    patch["data"][PROPOSAL_TRACE]["lon"] = [p["lon"] for p in items]
    patch["data"][PROPOSAL_TRACE]["lat"] = [p["lat"] for p in items]
    patch["data"][PROPOSAL_TRACE]["text"] = [str(p["rank"]) for p in items]
    patch["data"][PROPOSAL_TRACE]["hovertext"] = [t("scenario_proposal_hover", lang, n=p["rank"], name=p["unit_name"]) for p in items]
    return patch


def weight_defaults(facility_type, weight_ids):
    """The documented default need weights of the chosen facility type."""
    defaults = default_need_weights(current_bundle(), facility_type)
    return [defaults.get(w["key"], 0.0) for w in weight_ids or []]


def register(app: Dash) -> None:
    """Running the suggestions, drawing them on the map, and the weights' defaults per facility type."""
    app.callback(
        output=[Output(SUGGESTIONS, "children"), Output(PROPOSALS, "data")],
        inputs={"clicks": Input(SUGGEST_RUN, "n_clicks"), "choice": {"facility_type": State(SUGGEST_TYPE, "value"), "k": State(SUGGEST_K, "value")},
                "weights": {"values": State({"type": WEIGHT, "key": ALL}, "value"), "ids": State({"type": WEIGHT, "key": ALL}, "id")},
                "data": State(ids.SCENARIO, "data"), "district": State(ids.DISTRICT, "value"), "lang": State(ids.LANGUAGE, "value")},
        prevent_initial_call=True,
    )(update_suggestions)
    app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(PROPOSALS, "data"),
                 redraw_gate(app, "proposals", State(PROPOSALS, "data")),
                 State(ids.LANGUAGE, "value"), prevent_initial_call=True)(proposals_on_map)
    app.callback(Output({"type": WEIGHT, "key": ALL}, "value"), Input(SUGGEST_TYPE, "value"), State({"type": WEIGHT, "key": ALL}, "id"),
                 prevent_initial_call=True)(weight_defaults)
