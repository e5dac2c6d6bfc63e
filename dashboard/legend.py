"""The legend below the map: what is shown (layer, group, unit, basis, period, data dates), the key to its marks, the
disclosure rule of this app's mode and the download links of exactly the values on the map."""

from __future__ import annotations

from dash import html

from layers import MAX_NOISE, LayerQuery, input_dates, layer_inputs, methods_link

from .context import current_bundle
from .figures import FACILITY_COLOUR, FUNDING_COLOUR, NOT_SHOWN_COLOUR, SELECTION_COLOUR
from .i18n import format_date, not_shown, t
from .methods_page import methods_href
from .views import basis_label, level_name


def api_url(result, query: LayerQuery, fmt: str, scenario: str | None = None, view: str = "baseline") -> str:
    """The data-API address of exactly the values on the map (relative to the page): with a scenario shown, its view."""
    basis = f"res={result.basis.res}" if result.basis.is_h3 else f"level={result.basis.level}"
    params = [basis, f"period={result.period}"]
    params += [f"group={result.group}"] if result.group else []
    params += [f"period_from={query.period_from}"] if query.period_from else []
    params += [f"compare_from={query.compare_from}"] if query.compare_from else []
    params += [f"scenario={scenario}", f"view={view}"] if scenario and view != "baseline" else []
    return f"api/v1/layers/{result.layer_id}?{'&'.join(params)}&format={fmt}"


def _date_text(date: str, lang: str) -> str:
    """An ISO date in the UI's form (31.12.2020); a source's own wording (01/2026) as it is."""
    return format_date(date, lang) if len(date) == 10 and date[4] == "-" else date


def legend(result, query: LayerQuery, spec, lang: str, settings, scenario: str | None = None, view: str = "baseline") -> list:
    bundle = current_bundle()
    basis = result.basis
    named_basis = basis_label(bundle, basis, lang)
    group = next((g.title(lang) for g in spec.groups(bundle) if g.id == result.group), "")
    period = format_date(result.period, lang)
    if result.period_from:
        period = f"{format_date(result.period_from, lang)} → {period}"
    origin = (t("interpolated", lang, level=level_name(bundle, result.interpolated_from, lang)) if result.interpolated_from
              else t("exact", lang))
    head = [html.Strong(spec.title(lang))] + ([f" · {group}"] if group else []) + [f" · {spec.unit(lang)} · {named_basis} · {t('period', lang)} {period}"]
    # every input's own data date; inputs with one edition per Stichtag are dated by the period shown before
    head += [f" · {t('data_date', lang, source=d.title, date=_date_text(d.date, lang))}"
             for d in input_dates(layer_inputs(spec), bundle.sources, result) if d.date and not d.per_stichtag]
    return [
        html.Div(head),
        map_key(spec, lang, settings),
        html.Div([html.Span(origin, className="badge bg-info text-dark me-2", id="map-badge"), spec.description(lang), " ",
                  html.A(t("methods_link", lang), href=methods_href(methods_link(spec)), target="_blank", id="map-methods")]),
        html.Div(t("legend_not_shown", lang, not_shown=not_shown(settings, lang))
                 + ". " + t("legend_perturbed", lang, noise=MAX_NOISE)
                 if settings.mode == "portal"
                 else t("legend_small", lang, cases=settings.min_cases, residents=settings.min_residents)),
        html.Div(t("description_note", lang), className="fst-italic"),
        html.Div([html.A(t("download_csv", lang), href=api_url(result, query, "csv", scenario, view), id="map-download-csv", className="me-3"),
                  *([html.A(t("download_csv_excel", lang), href=api_url(result, query, "csv-de", scenario, view), id="map-download-csv-de",
                            className="me-3")] if lang == "de" else []),
                  *(html.A(label, href=api_url(result, query, fmt, scenario, view), id=f"map-download-{fmt}", className="me-3")
                    for fmt, label in (("xlsx", "Excel"), ("gpkg", "GeoPackage"), ("fgb", "FlatGeobuf"), ("parquet", "GeoParquet"))),
                  html.A(t("api_link", lang) + " (JSON)", href=api_url(result, query, "json", scenario, view), target="_blank",
                         className="me-3", id="map-download-json"),
                  html.A("GeoJSON", href=api_url(result, query, "geojson", scenario, view), target="_blank", id="map-download-geojson")]),
    ]


def _swatch(colour: str, label: str, shape: str = "box") -> html.Span:
    style = {"display": "inline-block", "width": "0.9em", "height": "0.9em", "marginRight": "0.3em", "verticalAlign": "-0.1em"}
    if shape == "box":
        style.update(background=colour, border="1px solid #888")
    elif shape == "outline":
        style.update(border=f"2px solid {colour}")
    else:  # dot
        style.update(background=colour, borderRadius="50%")
    return html.Span([html.Span(style=style, **{"aria-hidden": "true"}), label], className="me-3 text-nowrap d-inline-block")


def map_key(spec, lang: str, settings) -> html.Div:
    """What the map's marks mean: the classes of a categorical layer (swatches, no colour bar), grey areas, the outline of
    small counts (planner), the selection, facility points and funding and protection areas."""
    items = [_swatch(c.colour, c.title(lang)) for c in sorted(spec.categories, key=lambda c: c.value)]
    grey = (t("key_not_shown", lang, not_shown=not_shown(settings, lang)) if settings.mode == "portal"
            else t("key_no_value", lang))
    items += [_swatch(NOT_SHOWN_COLOUR, grey)]
    if settings.mode != "portal":
        items.append(_swatch("#3c3c3c", t("key_small", lang), "outline"))
    items += [_swatch(SELECTION_COLOUR, t("key_selection", lang), "outline"), _swatch(FACILITY_COLOUR, t("key_facilities", lang), "dot"),
              html.Span([html.Span("━ ", style={"color": FUNDING_COLOUR}), t("key_funding", lang)], className="me-3 text-nowrap d-inline-block"),
              html.Span([html.Span("╍ ", style={"color": FUNDING_COLOUR}), t("key_protection", lang)], className="d-inline-block")]
    return html.Div(items, id="map-key", className="my-1")
