"""Council briefing (/briefing) and area profile (/area/<id>): server-rendered, printable, no JavaScript needed.

Every figure comes from `layers.query.run_query` through the app's cache (`context.layer_result`), so the pages show what
the map shows, with the same disclosure control; internal layers are 404 in the portal. What the pages hold is built in
`council` (the briefing) and `profile` (the area profile); here the requests are read and answered.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import Blueprint, abort, redirect, render_template, request

from layers import REGISTRY, visible_layers
from layers.bundle import Bundle

from ..context import current_bundle, current_settings
from ..i18n import t
from ..pages import page_language, profile_href
from ..state import parse_query
from ..views import level_name
from .council import PAPERS, briefing_args
from .profile import profile_args

HERE = Path(__file__).resolve().parent
briefing = Blueprint("briefing", __name__, template_folder=str(HERE.parent / "templates"),
                     static_folder=str(HERE.parent / "static" / "briefing"), static_url_path="/briefing-static")
MAX_SEARCH_MATCHES = 200


def _lang() -> str:
    return page_language(current_settings().language)


def _enabled(name: str) -> None:
    """404 where the setting `name` switches the page off."""
    if not current_settings().values.get(name, True):
        abort(404)


def _check_layer_visible() -> None:
    """An internal layer asked for in the portal is 404, not silently replaced by the default layer."""
    layer = request.args.get("layer")
    if layer in REGISTRY and layer not in visible_layers(current_settings()):
        abort(404)


def _level_of(bundle: Bundle, unit_id: str) -> str | None:
    """The level a unit id belongs to (None: no unit has it)."""
    return next((lvl.id for lvl in bundle.levels if unit_id in bundle.units_of(lvl.id).index), None)


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
    return render_template("briefing/briefing.html", **briefing_args(bundle, settings, state, qs, paper, request.script_root))


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
        matches = [{"href": profile_href(str(r.unit_id), lang), "name": str(r.name), "level": level_name(bundle, str(r.level), lang),
                    "id": str(r.unit_id)} for r in hit.head(MAX_SEARCH_MATCHES).itertuples()]
    names = sorted(set(units["name"].astype(str)))
    return render_template("briefing/area_search.html", lang=lang, t=lambda key, **kw: t(key, lang, **kw), q=q, matches=matches,
                           names=names, title=t("area_search_title", lang), synthetic=bundle.manifest.synthetic, paper="a4")


@briefing.get("/area/<unit_id>")
def area_page(unit_id: str):
    """The area's profile: figures against district and city over all periods, facilities, funding, social context, scenarios."""
    _enabled("area_profile_enabled")
    bundle = current_bundle()
    level = _level_of(bundle, unit_id)
    if level is None:
        abort(404)
    return render_template("briefing/area.html", **profile_args(bundle, current_settings(), unit_id, level, _lang(), request.script_root))


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
