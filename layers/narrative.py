"""Plain-language text from the figures of one layer for the city, a district or a set of areas (BRIEF §6 wording).

The text describes, it does not judge: it states the value of the set with unit, period and source, the city for
comparison, the spread over the areas, how many areas are not shown and why (never a number for them), the social
context wherever a migration figure is stated, and a synthetic-data notice for the demo city. German and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .bundle import Bundle
from .context import CONTEXT_INDICATORS
from .numbers import format_number
from .query import LayerQuery, run_query
from .registry import get_layer
from .settings import Settings
from .social import indicator_date, mean_over
from .spatial.basis import Basis
from .spatial.selection import ids_in_district, translate_selection
from .spec import LayerResult, LayerSpec, comparison_spec
from .summary import KeyFigure, key_figures

MIGRATION_SECTIONS = ("migration", "segregation", "accommodation")  # accommodation: where refugees arrive, with context too

_TEXT = {
    "de": {
        "city": "in der ganzen Stadt", "one": "in {name}", "set": "in den {n} ausgewählten Gebieten", "district": "im {level} {name}",
        "value": "{head}: {scope} beträgt der Wert {value}.", "change": "{head}: {scope} hat sich der Wert von {start} bis {end} um {value} verändert.",
        "city_cmp": "Zum Vergleich die ganze Stadt: {value}.",
        "range": "Die {n} ausgewiesenen Gebiete ({basis}) liegen zwischen {lo} und {hi}; der Median ist {median}.",
        "classes": "Verteilung der {n} ausgewiesenen Gebiete ({basis}) auf die Klassen: {parts}.",
        "class_part": "{n} „{label}“", "one_class": "Klasse: „{label}“.",
        "residents": "Die Angaben beruhen auf {residents} Einwohnerinnen und Einwohnern.",
        "hidden": "{k} von {n} Gebieten werden nicht ausgewiesen (weniger als {cases} Fälle oder weniger als {residents} Einwohner/innen).",
        "small": "{k} von {n} Gebieten beruhen auf kleinen Zahlen (weniger als {cases} Fälle oder weniger als {residents} Einwohner/innen); "
                 "im öffentlichen Portal werden sie nicht ausgewiesen.",
        "empty": "{k} von {n} Gebieten haben keinen Wert (keine Einwohner/innen oder keine Daten).",
        "none_shown": "Für diese Gebiete wird kein Wert ausgewiesen.",
        "context": "Sozialer Kontext ({source}Stand {date}, Mittel über die Gebiete der Ebene {level}, gewichtet nach Einwohner/innen): {parts}.",
        "context_city": "Stadt: {parts}.",
        "no_context": "Angaben zum sozialen Kontext (Arbeitslosigkeit, Transferbezug, Kinderarmut) enthält dieser Datensatz nicht.",
        "index_note": "Ein hoher oder niedriger Indexwert beschreibt die Lage; er ist keine Bewertung des Gebiets oder seiner Bewohner/innen.",
        "interpolated": "Die Werte sind aus der Ebene {level} flächengewichtet auf die Zellen umgerechnet.",
        "source": "Quelle: {sources}; Stichtag {date}.", "no_source": "Stichtag {date}.",
        "synthetic": "Synthetische Demo-Stadt: keine echten Daten.",
    },
    "en": {
        "city": "for the whole city", "one": "in {name}", "set": "in the {n} selected areas", "district": "in the {level} {name}",
        "value": "{head}: {scope} the value is {value}.", "change": "{head}: {scope} the value changed by {value} from {start} to {end}.",
        "city_cmp": "For comparison, the whole city: {value}.",
        "range": "The {n} areas shown ({basis}) range from {lo} to {hi}; the median is {median}.",
        "classes": "The {n} areas shown ({basis}) by class: {parts}.",
        "class_part": "{n} “{label}”", "one_class": "Class: “{label}”.",
        "residents": "The figures rest on {residents} residents.",
        "hidden": "{k} of {n} areas are not shown (fewer than {cases} cases or fewer than {residents} residents).",
        "small": "{k} of {n} areas rest on small numbers (fewer than {cases} cases or fewer than {residents} residents); "
                 "the public portal does not show them.",
        "empty": "{k} of {n} areas have no value (no residents or no data).",
        "none_shown": "No value is shown for these areas.",
        "context": "Social context ({source}as of {date}, mean over the {level} units, weighted by residents): {parts}.",
        "context_city": "City: {parts}.",
        "no_context": "This data set has no social context figures (unemployment, transfer receipt, child poverty).",
        "index_note": "A high or low index value describes the situation; it is not a judgement of the area or its residents.",
        "interpolated": "The values are converted to cells from the {level} level by area weights.",
        "source": "Source: {sources}; reference date {date}.", "no_source": "Reference date {date}.",
        "synthetic": "Synthetic demo city: not real data.",
    },
}


def _date(iso: str, lang: str) -> str:
    ts = pd.Timestamp(iso)
    return ts.strftime("%d.%m.%Y") if lang == "de" else ts.strftime("%d %b %Y")


def format_value(value: float | None, spec: LayerSpec, lang: str, unit: bool = True) -> str:
    """A value in the layer's d3 format ('.1f', ',.0f', '+.1f') with German or English separators and the layer's unit."""
    fmt = spec.value_format
    digits = int(fmt.rstrip("f%").split(".")[-1]) if "." in fmt else 0
    text = format_number(value, lang, digits, sign=fmt.startswith("+"))
    return f"{text} {spec.unit(lang)}" if unit and value is not None else text


def about_migration(spec: LayerSpec, group: str | None, bundle: Bundle) -> bool:
    """Does the layer state a migration figure (then the social context goes with it, BRIEF §6)?"""
    base = get_layer(spec.change_of) if spec.change_of else spec
    if base.section in MIGRATION_SECTIONS or base.id.startswith("education_catchment"):
        return True
    chosen = next((g for g in base.groups(bundle) if g.id == group), None)
    return chosen is not None and any(word in chosen.numerator for word in ("mig", "foreign", "ndh"))


def context_figures(bundle: Bundle, basis: Basis, area_ids: list[str] | None) -> tuple[dict[str, float], str | None]:
    """Social-context indicators (per cent) for a set of areas: the base-weighted mean over the finest units in it
    (`layers.social.mean_over`, the weighting of the social layers).

    Returns the indicator values and the indicators' Stichtag (None where the bundle has none). The indicators are
    published per finest unit (e.g. MSS per Planungsraum); a set of cells takes the finest units its cells cover.
    """
    names = tuple(n for n in CONTEXT_INDICATORS if n in bundle.manifest.indicators) if bundle.has("indicators") else ()
    if not names:
        return {}, None
    finest = Basis(level=bundle.finest_level.id)
    units = None if area_ids is None else translate_selection(bundle, list(area_ids), basis, finest)
    values = mean_over(bundle, units, bundle.periods[-1], names)
    return values, (indicator_date(bundle, names[0]) or None) if values else None


def _context_parts(values: dict[str, float], lang: str) -> str:
    return ", ".join(f"{CONTEXT_INDICATORS[c][0 if lang == 'de' else 1]} {format_number(v, lang, 1)} %" for c, v in values.items())


def _context_sentences(bundle: Bundle, basis: Basis, area_ids: list[str] | None, lang: str) -> list[str]:
    tx = _TEXT[lang]
    values, period = context_figures(bundle, basis, area_ids)
    if not values:
        return [tx["no_context"]]
    key = bundle.manifest.indicators.get(next(iter(values)), {}).get("source", "")
    source = bundle.sources[key].title + ", " if key in bundle.sources else ""
    level = bundle.finest_level.name_de if lang == "de" else bundle.finest_level.name_en
    out = [tx["context"].format(source=source, date=_date(period, lang), level=level, parts=_context_parts(values, lang))]
    if area_ids is not None:
        city, _ = context_figures(bundle, basis, None)
        out.append(tx["context_city"].format(parts=_context_parts(city, lang)))
    return out


def basis_name(bundle: Bundle, basis: Basis, lang: str) -> str:
    """What the areas of `basis` are called, the one wording of every view: the level's name ("Planungsraum"), or
    "H3-Sechsecke, Auflösung 9" ("H3 hexagons, resolution 9")."""
    if basis.is_h3:
        return f"H3-Sechsecke, Auflösung {basis.res}" if lang == "de" else f"H3 hexagons, resolution {basis.res}"
    level = bundle.level(basis.level)
    return level.name_de if lang == "de" else level.name_en


def _scope(bundle: Bundle, basis: Basis, area_ids: list[str] | None, scope_name: str | None, lang: str) -> str:
    tx = _TEXT[lang]
    if area_ids is None:
        return tx["city"]
    if scope_name:
        return tx["one"].format(name=scope_name)
    if len(area_ids) == 1 and not basis.is_h3:
        name = bundle.units_of(basis.level)["name"].get(area_ids[0], area_ids[0])
        return tx["one"].format(name=f"{basis_name(bundle, basis, lang)} {name}")
    return tx["set"].format(n=len(area_ids))


@dataclass(frozen=True)
class _Areas:
    """The set's rows of a layer result and what each area shows (boolean masks over `rows`)."""

    rows: pd.DataFrame
    value: np.ndarray
    shown: np.ndarray  # a value is stated
    hidden: np.ndarray  # portal: suppressed, no value published (counted, never valued)
    small: np.ndarray  # planner: a value on small numbers that the portal would not show
    empty: np.ndarray  # no value at all (no residents or no data)


def _areas(result: LayerResult, ids: pd.Index, portal: bool) -> _Areas:
    """The rows of `ids` in `result` and their masks; `portal` hides the suppressed areas."""
    rows = result.values.reindex(ids.intersection(result.values.index))
    value = rows["value"].to_numpy(dtype=float)
    finite = np.isfinite(value)
    flagged = rows["suppressed"].fillna(True).to_numpy(dtype=bool)
    none = np.zeros(len(rows), dtype=bool)
    hidden = flagged & ~finite if portal else none
    return _Areas(rows=rows, value=value, shown=finite & ~(flagged & portal), hidden=hidden,
                  small=none if portal else finite & flagged, empty=~finite & ~hidden)


def _heading(spec: LayerSpec, group_id: str | None, bundle: Bundle, lang: str) -> str:
    """The layer's title with its population group, e.g. "Anteil der Gruppe (Einwohner/innen mit Migrationshintergrund)"."""
    group = next((g.title(lang) for g in spec.groups(bundle) if g.id == group_id), "")
    return spec.title(lang) + (f" ({group})" if group else "")


def _set_figures(bundle: Bundle, settings: Settings, query: LayerQuery, result: LayerResult, spec: LayerSpec,
                 area_ids: list[str] | None, compute) -> tuple[KeyFigure | None, KeyFigure | None]:
    """The key figure of the set (the city where `area_ids` is None) and of the city; both None for a layer that does
    not aggregate. `compute` runs the further queries; `result` answers `query` itself."""
    if spec.aggregate == "none":
        return None, None
    run = compute or run_query

    def reuse(b: Bundle, s: Settings, q: LayerQuery) -> LayerResult:
        return result if q == query else run(b, s, q)

    figures = key_figures(bundle, settings, query, [] if area_ids is None else area_ids, None, compute=reuse)
    return (figures["selection"] if area_ids is not None else figures["city"]), figures["city"]


def _value_sentences(own: KeyFigure | None, city: KeyFigure | None, spec: LayerSpec, query: LayerQuery, head: str, scope: str,
                     in_city: bool, lang: str) -> list[str]:
    """The set's value (or change since the start period) and the city's for comparison; without a value the heading and
    period only. `in_city`: the set is the whole city (no comparison)."""
    tx = _TEXT[lang]
    start = query.compare_from or query.period_from
    if own is None or own.value is None:
        period = _date(query.period, lang) if not start else _date(start, lang) + " → " + _date(query.period, lang)
        return [f"{head} ({period})."]
    value = format_value(own.value, spec, lang)
    if start:
        out = [tx["change"].format(head=head, scope=scope, value=value, start=_date(start, lang), end=_date(query.period, lang))]
    else:
        out = [tx["value"].format(head=head, scope=scope, value=value)]
    if not in_city and city is not None and city.value is not None:
        out.append(tx["city_cmp"].format(value=format_value(city.value, spec, lang)))
    return out


def _spread_sentences(areas: _Areas, spec: LayerSpec, basis_label: str, lang: str) -> list[str]:
    """How the shown areas spread: their classes (a class layer), else lowest, highest and median value."""
    tx = _TEXT[lang]
    n_shown = int(areas.shown.sum())
    shown = areas.value[areas.shown]
    if spec.categories and n_shown == 1:
        label = next((c.title(lang) for c in spec.categories if c.value == int(round(shown[0]))), "")
        return [tx["one_class"].format(label=label)]
    if spec.categories and n_shown:
        codes = pd.Series(shown).round().astype(int).value_counts()
        parts = [tx["class_part"].format(n=format_number(codes[c.value], lang), label=c.title(lang)) for c in spec.categories if c.value in codes.index]
        return [tx["classes"].format(n=format_number(n_shown, lang), basis=basis_label, parts=", ".join(parts))]
    if n_shown > 1:
        lo, hi, median = (format_value(float(x), spec, lang) for x in (shown.min(), shown.max(), np.median(shown)))
        return [tx["range"].format(n=format_number(n_shown, lang), basis=basis_label, lo=lo, hi=hi, median=median)]
    return [tx["none_shown"]] if n_shown == 0 else []


def _disclosure_sentences(areas: _Areas, spec: LayerSpec, settings: Settings, lang: str) -> list[str]:
    """The residents behind the stated values and how many areas are not shown, on small numbers or empty (and why)."""
    tx = _TEXT[lang]
    out = []
    persons = float(np.nansum(areas.rows["residents"].to_numpy(dtype=float)[areas.shown]))
    if areas.shown.any() and persons > 0:
        out.append(tx["residents"].format(residents=format_number(persons, lang, 0)))
    limits = {"cases": max(settings.min_cases, get_layer(spec.change_of or spec.id).min_count), "residents": settings.min_residents}
    n = format_number(len(areas.rows), lang)
    if areas.hidden.any():
        out.append(tx["hidden"].format(k=format_number(areas.hidden.sum(), lang), n=n, **limits))
    if areas.small.any():
        out.append(tx["small"].format(k=format_number(areas.small.sum(), lang), n=n, **limits))
    if areas.empty.any():
        out.append(tx["empty"].format(k=format_number(areas.empty.sum(), lang), n=n))
    return out


def _reading_notes(bundle: Bundle, spec: LayerSpec, result: LayerResult, basis: Basis, area_ids: list[str] | None, lang: str) -> list[str]:
    """What to read the figures with: the social context of a migration figure (of `area_ids` on `basis`), the index
    note, the interpolation."""
    tx = _TEXT[lang]
    out = []
    if about_migration(spec, result.group, bundle):
        out += _context_sentences(bundle, basis, area_ids, lang)
    if spec.categories or "Index" in spec.unit_de or spec.section == "segregation" or spec.id.startswith("funding_mss"):
        out.append(tx["index_note"])
    if result.interpolated_from:
        level = bundle.level(result.interpolated_from)
        out.append(tx["interpolated"].format(level=level.name_de if lang == "de" else level.name_en))
    return out


def _source_sentences(bundle: Bundle, result: LayerResult, period: str, lang: str) -> list[str]:
    """Sources and Stichtag (`period`, ISO date), and the synthetic-data notice of the demo city."""
    tx = _TEXT[lang]
    titles = [bundle.sources[k].title for k in result.sources if k in bundle.sources]
    date = _date(period, lang)
    out = [tx["source"].format(sources=", ".join(titles), date=date) if titles else tx["no_source"].format(date=date)]
    if bundle.manifest.synthetic:
        out.append(tx["synthetic"])
    return out


def summary_text(bundle: Bundle, settings: Settings, query: LayerQuery, result: LayerResult, area_ids: list[str] | None, lang: str,
                 *, scope_name: str | None = None, compute=None) -> str:
    """A short plain-language text about the layer's figures for the whole city (`area_ids` None) or a set of areas.

    Parameters
    ----------
    bundle, settings : the city's bundle and the deployment's settings (the portal states no suppressed value).
    query, result : the layer query and its disclosed result (`layers.query.run_query`), on one basis and period.
    area_ids : ids on the query's basis (a selection, the units of a district, one area), or None for the whole city.
    lang : "de" or "en" (any other: "de").
    scope_name : optional display name of the set (e.g. "Bezirk Mitte"); default: the area's name, or "the n selected areas".
    compute : runs further queries (the city figure, a comparison's start period); default `run_query`, the dashboard
        passes its cached version.

    Returns
    -------
    str
        Sentences separated by spaces: value of the set (unit), the city for comparison, the spread over the areas, persons,
        areas not shown (counted, never valued), social context for migration figures, index note, source and Stichtag.
    """
    lang = lang if lang in _TEXT else "de"
    spec = comparison_spec(get_layer(query.layer_id)) if query.compare_from else get_layer(query.layer_id)
    basis = query.basis
    ids = pd.Index(bundle.ids(basis)) if area_ids is None else pd.Index([str(i) for i in area_ids])
    chosen = None if area_ids is None else list(ids)
    own, city = _set_figures(bundle, settings, query, result, spec, chosen, compute)
    areas = _areas(result, ids, settings.mode == "portal")
    sentences = [
        *_value_sentences(own, city, spec, query, _heading(spec, result.group, bundle, lang), _scope(bundle, basis, area_ids, scope_name, lang),
                          area_ids is None, lang),
        *_spread_sentences(areas, spec, basis_name(bundle, basis, lang), lang),
        *_disclosure_sentences(areas, spec, settings, lang),
        *_reading_notes(bundle, spec, result, basis, chosen, lang),
        *_source_sentences(bundle, result, query.period, lang),
    ]
    return re.sub(r"\.\.(\s|$)", r".\1", " ".join(sentences))


def district_ids(bundle: Bundle, basis: Basis, district: str) -> list[str]:
    """Ids on `basis` inside a district (a unit of the coarsest level), for `summary_text` of a district."""
    return [str(i) for i in ids_in_district(bundle, basis, district)]


__all__ = ["about_migration", "context_figures", "district_ids", "format_value", "summary_text"]

