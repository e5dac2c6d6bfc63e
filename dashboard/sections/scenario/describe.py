"""The interventions for people: where a site is, one line per intervention, the panel's list and the map's labels."""

from __future__ import annotations

import h3
import pandas as pd
from dash import html

from layers import format_number as num
from layers.accommodation import type_title as accommodation_type_title
from layers.bundle import Bundle
from layers.infrastructure import facility_points, type_title
from layers.scenario import FacilityChange, Housing, NewAccommodation, NewFacility, Scenario, Site
from layers.spatial import locate_points

from ...i18n import t
from .component_ids import ITEM_DELETE, ITEM_EDIT
from .places import unit_point, unit_points


def site_text(bundle: Bundle, site: Site, lang: str) -> str:
    """Where a site is, for people: the area's name (a clicked point or a suggested cell: the finest unit it lies in)."""
    names = unit_points(bundle)["name"]
    if site.kind == "unit" and site.id in names.index:
        return t("scenario_site_unit", lang, name=names[site.id], id=site.id)
    lon, lat = site.lon, site.lat
    if site.kind == "cell" and lon is None:
        lat, lon = h3.cell_to_latlng(site.id)
    unit = locate_points(bundle, [lon], [lat])[0] if lon is not None else None
    if unit is not None and unit in names.index:
        return t("scenario_site_in_unit", lang, name=names[unit], id=unit)
    if site.kind == "cell":
        return t("scenario_site_cell", lang, id=site.id)
    return t("scenario_site_point", lang, lat=num(lat, lang, 5), lon=num(lon, lang, 5))


def facility_name(bundle: Bundle, facility_id: str, lang: str = "de") -> str:
    """A facility's name and type ("Kita Sonnenschein (Kita)"); its id when it has no name or is unknown."""
    f = facility_points(bundle).set_index("facility_id")
    if facility_id not in f.index:
        return facility_id
    name = f.at[facility_id, "name"]
    return f"{name if isinstance(name, str) and name else facility_id} ({type_title(f.at[facility_id, 'type'], lang)})"


def describe(bundle: Bundle, item, lang: str) -> str:
    """One line per intervention, in the UI language: where, then what."""
    if isinstance(item, Housing):
        mix = t(f"scenario_mix_{item.mix}", lang) + (f" {item.reference_area}" if item.mix == "reference" and item.reference_area else "")
        text = site_text(bundle, item.site, lang) + ": " + t(
            "scenario_item_housing", lang, dwellings=num(item.dwellings, lang), persons=num(item.persons_per_dwelling, lang, 1),
            subsidised=num(100 * item.subsidised_share, lang), mix=mix)
    elif isinstance(item, NewFacility):
        text = site_text(bundle, item.site, lang) + ": " + t("scenario_item_facility", lang, type=type_title(item.facility_type, lang),
                                                             capacity=num(item.capacity, lang))
    elif isinstance(item, NewAccommodation):
        text = site_text(bundle, item.site, lang) + ": " + t("scenario_item_accommodation", lang,
                                                             type=accommodation_type_title(item.accommodation_type, lang),
                                                             places=num(item.places, lang))
    else:
        name = facility_name(bundle, item.facility_id, lang)
        if item.is_closure:
            text = t("scenario_item_close", lang, name=name)
        else:
            f = facility_points(bundle).set_index("facility_id")
            old = f.at[item.facility_id, "capacity"] if item.facility_id in f.index else None
            text = t("scenario_item_change", lang, name=name, old=num(None if pd.isna(old) else old, lang), new=num(item.capacity, lang))
    return f"{item.label} – {text}" if item.label else text


def intervention_list(bundle: Bundle, scenario: Scenario, editing: int | None, lang: str):
    """The numbered interventions with edit and delete buttons; the one being edited (0-based `editing`) in bold."""
    if scenario.is_empty:
        return html.Div(t("scenario_list_empty", lang), className="text-muted")
    rows = []
    for i, item in enumerate(scenario.interventions):
        rows.append(html.Li([
            html.Span(f"{i + 1}. ", className="fw-semibold"), describe(bundle, item, lang), " ",
            # an accommodation site is placed and changed in its own section; here it can only be deleted
            *([] if isinstance(item, NewAccommodation) else
              [html.Button(t("scenario_edit", lang), id={"type": ITEM_EDIT, "index": i}, className="btn btn-link btn-sm p-0 me-2")]),
            html.Button(t("scenario_delete", lang), id={"type": ITEM_DELETE, "index": i}, className="btn btn-link btn-sm p-0 text-danger"),
        ], className="fw-semibold" if editing == i else "", id=f"scenario-item-{i + 1}"))
    return html.Ol(rows, className="list-unstyled mb-0")


def sites(bundle: Bundle, scenario: Scenario, lang: str) -> list[dict]:
    """Where the interventions are, for the map's scenario trace (`dashboard.callbacks.main_map.scenario_sites`): lon/lat (WGS84)
    and a label per intervention (1-based `index`)."""
    out = []
    fac = facility_points(bundle).set_index("facility_id")
    for i, item in enumerate(scenario.interventions, start=1):
        if isinstance(item, FacilityChange):
            if item.facility_id not in fac.index:
                continue
            lon, lat = float(fac.at[item.facility_id, "lon"]), float(fac.at[item.facility_id, "lat"])
        else:
            site = item.site
            lon, lat = (site.lon, site.lat) if site.lon is not None else unit_point(bundle, site.id or "")
            if site.kind == "cell" and site.lon is None:
                lat, lon = h3.cell_to_latlng(site.id)
        if lon is None:
            continue
        out.append({"index": i, "kind": item.kind, "lon": round(float(lon), 6), "lat": round(float(lat), 6),
                    "label": f"{i}. {describe(bundle, item, lang)}"})
    return out
