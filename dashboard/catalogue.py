"""The catalogue of published datasets in DCAT-AP.de (JSON-LD) at /api/v1/catalog, for open-data portals (GovData,
CKAN's DCAT harvester) — one dataset per layer family (the dashboard's sections), each layer's downloads and the OGC API
as distributions, licences as URIs of the DCAT-AP.de list, the credit lines of the sources — and the app's "how to cite"
line."""

from __future__ import annotations

from flask import Blueprint, Response

from layers import Settings, check_query, get_layer, licence_uri, sources_for, visible_layers
from layers.bundle import Bundle
from layers.spatial import Basis, basis_bounds

from .answers import json_answer
from .context import current_bundle, current_settings, view_result
from .guards import public_link
from .i18n import format_date, t

catalogue = Blueprint("catalogue", __name__, url_prefix="/api/v1")

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/", "xsd": "http://www.w3.org/2001/XMLSchema#", "adms": "http://www.w3.org/ns/adms#",
}
EU = "http://publications.europa.eu/resource/authority/"
FAMILIES = {  # the dashboard's sections → (title de, title en, EU data theme)
    "migration": ("Bevölkerung und Migration", "Population and migration", "SOCI"),
    "segregation": ("Segregation", "Segregation", "SOCI"),
    "social": ("Soziale Lage", "Social situation", "SOCI"),
    "education": ("Kita und Schule", "Childcare and school", "EDUC"),
    "infrastructure": ("Soziale Infrastruktur, öffentlicher Raum und Förderung", "Social infrastructure, public space and funding",
                       "REGI"),
}
DOWNLOADS = (("csv", "CSV", "text/csv"), ("geojson", "GEOJSON", "application/geo+json"),
             ("gpkg", "GPKG", "application/geopackage+sqlite3"), ("xlsx", "XLSX",
                                                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


def _text(de: str, en: str) -> list[dict]:
    return [{"@value": de, "@language": "de"}, {"@value": en, "@language": "en"}]


def publisher_name(settings: Settings) -> str:
    """Who publishes the catalogue: the setting `catalog_publisher` (the operating body), else "Quartiersatlas"."""
    return settings.values.get("catalog_publisher") or "Quartiersatlas"


def citation(bundle: Bundle, settings: Settings, lang: str = "de") -> str:
    """How to cite what the app shows: publisher, app and city, data as of the latest Stichtag, address."""
    line = t("cite_line", lang, city=bundle.manifest.title, period=format_date(bundle.periods[-1], lang), url=public_link(settings, ""))
    publisher = settings.values.get("catalog_publisher")
    return f"{publisher}: {line}" if publisher else line


def _bbox_wkt() -> str:
    bundle = current_bundle()
    minx, miny, maxx, maxy = (round(v, 5) for v in basis_bounds(bundle, Basis(level=bundle.levels[0].id)))
    return f"POLYGON(({minx} {miny},{maxx} {miny},{maxx} {maxy},{minx} {maxy},{minx} {miny}))"


def _layer_sources(layer_id: str) -> tuple[str, ...]:
    """The bundle sources a layer's values come from (its coarsest level, latest Stichtag; computed once, cached)."""
    bundle, settings = current_bundle(), current_settings()
    query = check_query(bundle, settings, layer_id, bundle.levels[0].id, None)
    return view_result(query, None, "baseline").sources


def _distributions(layer_id: str, licence: dict, credit: str) -> list[dict]:
    bundle, settings = current_bundle(), current_settings()
    spec, level = get_layer(layer_id), bundle.finest_level.id
    out = []
    for fmt, file_type, media in DOWNLOADS:
        url = public_link(settings, f"api/v1/layers/{layer_id}?level={level}&format={fmt}")
        out.append({"@type": "dcat:Distribution", "dct:title": _text(f"{spec.title_de} ({file_type}, {level})",
                                                                      f"{spec.title_en} ({file_type}, {level})"),
                    "dcat:accessURL": {"@id": url}, "dcat:downloadURL": {"@id": url},
                    "dct:format": {"@id": f"{EU}file-type/{file_type}"}, "dcat:mediaType": media,
                    **licence, "dcatde:licenseAttributionByText": credit})
    ogc = public_link(settings, f"ogc/collections/{layer_id}.{level}")
    out.append({"@type": "dcat:Distribution", "dct:title": _text(f"{spec.title_de} (OGC API – Features)", f"{spec.title_en} (OGC API – Features)"),
                "dcat:accessURL": {"@id": ogc}, "dct:format": {"@id": f"{EU}file-type/GEOJSON"},
                "dct:conformsTo": {"@id": "http://www.opengis.net/spec/ogcapi-features-1/1.0"},
                "dcat:accessService": {"@id": public_link(settings, "ogc/")}, **licence, "dcatde:licenseAttributionByText": credit})
    return out


def _licence(sources: list) -> dict:
    """`dct:license` of a layer's distributions: the one licence (URI of the DCAT-AP.de list) all its sources state
    first; none when they differ or one states no known licence — the dataset's `dct:rights` then lists each."""
    uris = {licence_uri(s.public_licence) for s in sources}
    return {"dct:license": {"@id": uris.pop()}} if len(uris) == 1 and None not in uris else {}


def _dataset(section: str, layer_ids: list[str], publisher: dict) -> dict:
    bundle, settings = current_bundle(), current_settings()
    title_de, title_en, theme = FAMILIES.get(section, (section, section, "SOCI"))
    # a layer whose result names no source is computed from the bundle as a whole: all of the bundle's sources apply
    per_layer = {lid: [bundle.sources[k] for k in _layer_sources(lid) if k in bundle.sources] or sources_for(bundle, settings)
                 for lid in layer_ids}
    sources = list({s.key: s for layer_sources in per_layer.values() for s in layer_sources}.values())
    credit = "; ".join(s.attribution for s in sources)
    return {
        "@id": public_link(settings, f"api/v1/catalog#{section}"), "@type": "dcat:Dataset",
        "dct:identifier": f"{bundle.manifest.city}-{section}",
        "dct:title": _text(f"{title_de} – {bundle.manifest.title}", f"{title_en} – {bundle.manifest.title}"),
        "dct:description": _text("; ".join(get_layer(lid).title_de for lid in layer_ids),
                                 "; ".join(get_layer(lid).title_en for lid in layer_ids)),
        "dct:publisher": publisher, "dcat:theme": {"@id": f"{EU}data-theme/{theme}"},
        "dcat:keyword": [get_layer(lid).title_de for lid in layer_ids],
        "dct:temporal": {"@type": "dct:PeriodOfTime", "dcat:startDate": {"@value": bundle.periods[0], "@type": "xsd:date"},
                         "dcat:endDate": {"@value": bundle.periods[-1], "@type": "xsd:date"}},
        "dct:spatial": {"@type": "dct:Location",
                        "dcat:bbox": {"@value": _bbox_wkt(), "@type": "http://www.opengis.net/ont/geosparql#wktLiteral"}},
        "dct:rights": "; ".join(f"{s.attribution}: {s.public_licence or 'see ' + (s.url or 'the source')}" for s in sources),
        "dcatde:licenseAttributionByText": credit,
        "dct:bibliographicCitation": citation(bundle, settings, "de"),
        **({"adms:versionNotes": "synthetic data (demo city), not a real city"} if bundle.manifest.synthetic else {}),
        "dcat:distribution": [d for lid in layer_ids for d in _distributions(lid, _licence(per_layer[lid]),
                                                                            "; ".join(s.attribution for s in per_layer[lid]))],
    }


@catalogue.get("/catalog")
def catalog() -> Response:
    """DCAT-AP.de catalogue (JSON-LD) of what this deployment publishes."""
    bundle, settings = current_bundle(), current_settings()
    publisher = {"@type": "foaf:Agent", "foaf:name": publisher_name(settings)}
    families: dict[str, list[str]] = {}
    for lid in visible_layers(settings):
        families.setdefault(get_layer(lid).section, []).append(lid)
    body = {
        "@context": CONTEXT, "@id": public_link(settings, "api/v1/catalog"), "@type": "dcat:Catalog",
        "dct:title": _text(f"Quartiersatlas {bundle.manifest.title}", f"Quartiersatlas {bundle.manifest.title}"),
        "dct:description": _text("Kleinräumige Daten zu Quartieren: Bevölkerung, soziale Lage, Infrastruktur, Förderung.",
                                 "Small-area data on neighbourhoods: population, social situation, infrastructure, funding."),
        "dct:publisher": publisher, "dct:language": {"@id": f"{EU}language/DEU"},
        "foaf:homepage": {"@id": public_link(settings, "")},
        "dcat:service": [{"@id": public_link(settings, "ogc/"), "@type": "dcat:DataService",
                          "dct:title": "OGC API – Features", "dcat:endpointURL": {"@id": public_link(settings, "ogc/")},
                          "dct:conformsTo": {"@id": "http://www.opengis.net/spec/ogcapi-features-1/1.0"}}],
        "dcat:dataset": [_dataset(section, ids, publisher) for section, ids in families.items()],
    }
    return json_answer(body, mimetype="application/ld+json")
