"""The topic list is the one place the atlas is assembled from: layers, tables, settings, importers, benchmarks, tabs
and API routes all come from it, and two topics cannot claim the same id."""

from __future__ import annotations

import dataclasses
import re

import pytest
from flask import Flask

from bench.run import BENCHMARKS
from dashboard.security import PORTAL_HIDDEN_COMPONENTS, PORTAL_HIDDEN_PATHS
from dashboard.table_routes import table_blueprint
from dashboard.topics import SECTIONS, blueprints_for
from layers.registry import REGISTRY
from layers.settings import SettingsError, known_settings, load_settings
from layers.sources.importer import Importer
from layers.sources.user_files import importers
from layers.topic import Topic, resolve
from layers.topics import IMPORTERS, TABLES, TOPICS, TOPICS_BY_ID, check_topics


def test_every_layer_table_and_importer_comes_from_exactly_one_topic():
    layer_owner = [topic.id for topic in TOPICS for _ in topic.layers]
    assert len(layer_owner) == len(REGISTRY) == 33
    assert {spec.name for spec in TABLES} == {spec.name for topic in TOPICS for spec in topic.tables}
    assert set(importers()) == set(IMPORTERS) == {"facility_composition", "space_use", "funding_areas", "accommodation", "housing"}


@pytest.mark.parametrize("what, extra, message", [
    ("topic", lambda: Topic("education"), "duplicate topic id 'education'"),
    ("layer", lambda: Topic("again", layers=TOPICS_BY_ID["education"].layers[:1]), "duplicate layer id 'education_kita_ratio'"),
    ("table", lambda: Topic("again", tables=TOPICS_BY_ID["education"].tables[:1]), "duplicate table id 'education/kitas'"),
    ("setting", lambda: Topic("again", settings=TOPICS_BY_ID["scenario"].settings[:1]), "duplicate setting id 'scenario_dir'"),
    ("importer", lambda: Topic("again", importers=(dataclasses.replace(IMPORTERS["housing"], table="other"),)),
     "duplicate importer id 'housing'"),
])
def test_a_second_claim_on_an_id_fails(what, extra, message):
    with pytest.raises(ValueError, match=message):
        check_topics(TOPICS + (extra(),))


def test_a_new_topic_is_checked_like_the_others():
    """A topic with ids of its own passes the check unchanged (what adding one line to the list does)."""
    new = Topic("noise", importers=(Importer("noise", "noise", (".csv",), lambda path, manifest: None, "Noise maps"),))
    assert check_topics(TOPICS + (new,))[-1] is new


def test_topic_settings_are_read_from_config_and_environment(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[settings]\nsuggest_k = 7\nkita_fca_radius_m = 800\n", encoding="utf-8")
    settings = load_settings(config, environ={"QUARTIERSATLAS_ACCOMMODATION_OCCUPANCY": "0.8"})
    assert (settings.suggest_k, settings.kita_fca_radius_m, settings.accommodation_occupancy) == (7, 800.0, 0.8)
    assert known_settings()["coverage_m_kita"] is TOPICS_BY_ID["infrastructure"].settings[0]
    config.write_text("[settings]\nsuggest_kk = 7\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown setting 'suggest_kk'"):
        load_settings(config, environ={})


def test_each_tab_is_its_topics_section():
    with_tab = [topic for topic in TOPICS if topic.section]
    assert [section.SECTION_ID for section in SECTIONS] == [topic.id for topic in with_tab]
    assert [topic.id for topic in with_tab] == ["segregation", "education", "infrastructure", "accommodation", "scenario"]


def _rules(mode: str) -> set[str]:
    app = Flask(f"routes_{mode}")
    for blueprint in blueprints_for(load_settings(environ={}, mode=mode)):
        app.register_blueprint(blueprint)
    return {rule.rule for rule in app.url_map.iter_rules()}


@pytest.mark.parametrize("mode, expected", [("planner", True), ("portal", False)])
def test_planner_only_topics_have_no_routes_in_the_portal(mode, expected):
    rules = _rules(mode)
    planner_only = ("/api/v1/accommodation/", "/api/v1/housing/", "/api/v1/scenarios")
    assert all(any(rule.startswith(prefix) for rule in rules) is expected for prefix in planner_only)
    public = ("/api/v1/segregation/indices", "/api/v1/education/kitas", "/api/v1/infrastructure/access", "/api/v1/areas/<unit_id>/similar")
    assert set(public) <= rules


def test_every_table_route_is_served_by_the_one_table_handler():
    """Rows of a topic table go out through `dashboard.table_routes.serve_table` (one renderer per format); the only
    other routes of a declared table are the one-row answers of a topic's own blueprint."""
    app = Flask("tables")
    for blueprint in blueprints_for(load_settings(environ={}, mode="planner")):
        app.register_blueprint(blueprint)
    by_table = {rule.endpoint.removeprefix("api_tables."): rule.rule for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("api_tables.")}
    one_row = {"education/summary", "public-space/supply", "funding/profile"}
    assert set(by_table) == {spec.name for spec in TABLES} - one_row
    assert all(re.sub(r"/<[^>]+>", "", rule) == f"/api/v1/{name}" for name, rule in by_table.items())


def test_every_topic_benchmark_runs_under_its_topic_id():
    for topic in TOPICS:
        if topic.benchmark:
            assert callable(resolve(topic.benchmark))
            assert topic.id in BENCHMARKS
    assert {"segregation", "education", "infrastructure", "accommodation", "scenario"} <= set(BENCHMARKS)


def test_every_declared_table_is_served_at_its_name():
    """One URL convention for the topics' tables: `/api/v1/<table name>` (a path parameter may sit before the last part,
    as in /api/v1/areas/<unit_id>/similar)."""
    app = Flask("routes")
    for blueprint in blueprints_for(load_settings(environ={})):
        app.register_blueprint(blueprint)
    served = {re.sub(r"/<[^>]+>", "", rule.rule) for rule in app.url_map.iter_rules()}
    assert [spec.name for spec in TABLES if f"/api/v1/{spec.name}" not in served] == []


def test_every_route_of_a_planner_only_topic_is_refused_in_the_portal():
    """The portal's guard refuses the API paths of planner-only topics (`PORTAL_HIDDEN_PATHS`, derived from their
    tables): each route their blueprints define must fall under one of them, also the routes no table is named after."""
    app = Flask("planner_only")
    planner_only = [topic for topic in TOPICS if topic.planner_only and (topic.api or topic.table_routes)]
    for topic in planner_only:
        if topic.api:
            app.register_blueprint(resolve(topic.api), name=f"api_{topic.id}")
    app.register_blueprint(table_blueprint(route for topic in planner_only if topic.table_routes
                                           for route in resolve(topic.table_routes)))
    rules = [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert len(rules) >= 10 and {topic.id for topic in planner_only} == {"accommodation", "scenario"}
    assert [rule for rule in rules if not rule.startswith(PORTAL_HIDDEN_PATHS)] == []
    assert set(PORTAL_HIDDEN_COMPONENTS) == {"accommodation", "scenario"}
