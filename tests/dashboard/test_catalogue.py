"""The open-data catalogue (DCAT-AP.de, JSON-LD) and the "how to cite" line: one dataset per layer family with its
distributions, licences as URIs of the DCAT-AP.de list, publisher, temporal and spatial coverage, credit lines; the
portal lists only what it publishes. Checked by reading the JSON-LD as RDF (rdflib), as a harvester does."""

from __future__ import annotations

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from dashboard.app import create_app
from layers.licences import licence_uri
from layers.query import visible_layers
from layers.registry import get_layer
from layers.settings import load_settings

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")


@pytest.fixture(scope="module", params=["portal", "planner"])
def graph_and_app(request, demo_bundle, settings, tmp_path_factory):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode=request.param, access_log=False, rate_limit_api="",
                      rate_limit_downloads="", rate_limit_callbacks="", cell_key_secret_file=str(tmp_path_factory.mktemp("c") / "s"),
                      catalog_publisher="Bezirksamt Musterstadt", public_base_url="https://atlas.example.de")
    app = create_app(s, demo_bundle.folder)
    answer = app.server.test_client().get("/api/v1/catalog")
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    graph = Graph().parse(data=answer.get_data(as_text=True), format="json-ld")
    return graph, s, demo_bundle


def test_one_dataset_per_layer_family_with_every_layer_downloadable(graph_and_app):
    graph, settings, bundle = graph_and_app
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    datasets = set(graph.objects(catalog, DCAT.dataset))
    families = {get_layer(lid).section for lid in visible_layers(settings)}
    assert len(datasets) == len(families)
    urls = {str(u) for d in datasets for dist in graph.objects(d, DCAT.distribution) for u in graph.objects(dist, DCAT.accessURL)}
    for lid in visible_layers(settings):
        assert f"https://atlas.example.de/api/v1/layers/{lid}?level={bundle.finest_level.id}&format=csv" in urls
        assert f"https://atlas.example.de/ogc/collections/{lid}.{bundle.finest_level.id}" in urls


def test_licences_are_uris_of_the_dcat_ap_de_list_and_credit_lines_are_kept(graph_and_app):
    graph, _, bundle = graph_and_app
    stated = {licence_uri(s.public_licence) for s in bundle.manifest.sources} - {None}
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        for dist in graph.objects(dataset, DCAT.distribution):
            licence = graph.value(dist, DCTERMS.license)
            assert isinstance(licence, URIRef) and str(licence).startswith("http://dcat-ap.de/def/licenses/") and str(licence) in stated
            assert str(graph.value(dist, DCATDE.licenseAttributionByText))
        assert graph.value(graph.value(dataset, DCTERMS.publisher), FOAF.name).toPython() == "Bezirksamt Musterstadt"
        period = graph.value(dataset, DCTERMS.temporal)
        assert str(graph.value(period, DCAT.startDate)) == bundle.periods[0] and str(graph.value(period, DCAT.endDate)) == bundle.periods[-1]
        assert str(graph.value(graph.value(dataset, DCTERMS.spatial), DCAT.bbox)).startswith("POLYGON((")
        assert "Bezirksamt Musterstadt: Quartiersatlas" in str(graph.value(dataset, DCTERMS.bibliographicCitation))


@pytest.mark.parametrize("text, uri", [
    ("dl-de/by-2-0 or dl-de/zero-2-0", "http://dcat-ap.de/def/licenses/dl-by-de/2.0"),
    ("ODbL 1.0", "http://dcat-ap.de/def/licenses/odbl"), ("CC BY 4.0", "http://dcat-ap.de/def/licenses/cc-by/4.0"),
    ("terms of use of the source", None), ("", None),
])
def test_licence_texts_map_to_the_first_licence_they_state(text, uri):
    assert licence_uri(text) == uri


def test_the_footer_says_how_to_cite(demo_bundle, settings):
    from dashboard.catalogue import citation

    plain = citation(demo_bundle, settings, "de")
    assert plain.startswith(f"Quartiersatlas {demo_bundle.manifest.title}, Daten mit Stichtag 31.12.2024")
    english = citation(demo_bundle, load_settings(catalog_publisher="Bezirksamt X"), "en")
    assert english.startswith("Bezirksamt X: Quartiersatlas") and "data as of 31 Dec 2024" in english


def test_a_distribution_claims_a_licence_only_where_all_its_sources_state_it(berlin_bundle, settings, tmp_path):
    s = load_settings(bundle_dir=str(settings.path("bundle_dir")), mode="portal", access_log=False, rate_limit_api="",
                      cell_key_secret_file=str(tmp_path / "s"))
    graph = Graph().parse(data=create_app(s, berlin_bundle.folder).server.test_client().get("/api/v1/catalog").get_data(as_text=True),
                          format="json-ld")
    licensed = {}
    for dist in graph.subjects(RDF.type, DCAT.Distribution):
        title = str(next(t for t in graph.objects(dist, DCTERMS.title) if t.language == "de"))
        licensed[title] = graph.value(dist, DCTERMS.license)
    # Berlin's playground supply rests on OSM (ODbL) and the green-space register (dl-de/zero): no single licence
    play = [lic for title, lic in licensed.items() if title.startswith("Nettospielfläche")]
    assert play and all(lic is None for lic in play)
    share = [lic for title, lic in licensed.items() if title.startswith("Anteil der Gruppe")]
    assert share and all(str(lic) == "http://dcat-ap.de/def/licenses/cc-by-de/3.0" for lic in share)
