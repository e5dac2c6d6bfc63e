"""Per-app state for callbacks and routes: settings, the bundle and the cache (no globals, no app import)."""

from __future__ import annotations

from flask import current_app
from flask_caching import Cache

from layers import LayerQuery, LayerResult, LayerSpec, Settings, comparison_spec, get_layer, record, run_query
from layers.bundle import Bundle
from layers.scenario import Scenario, difference_spec, result_for_view

from .cache_backend import OPTIONS

cache = Cache()

SETTINGS_KEY = "QUARTIERSATLAS_SETTINGS"
BUNDLE_KEY = "QUARTIERSATLAS_BUNDLE"


def current_settings() -> Settings:
    return current_app.config[SETTINGS_KEY]


def current_bundle() -> Bundle:
    """The bundle every figure of this app is computed on: in the portal the published one (cell-key perturbed counts,
    `layers.publication.computing_bundle`), so no route can reach a true count."""
    return current_app.config[BUNDLE_KEY]


def cache_config(settings: Settings) -> dict:
    """flask-caching configuration from the settings (SimpleCache, FileSystemCache or RedisCache)."""
    config = {"CACHE_TYPE": settings.cache_type, "CACHE_DEFAULT_TIMEOUT": 3600}
    if settings.cache_type == "FileSystemCache":
        config["CACHE_DIR"] = settings.cache_dir
    elif settings.cache_type == "RedisCache":  # shared by all workers; the app keeps serving when Redis is down
        config.update({"CACHE_TYPE": "dashboard.cache_backend.FailSafeRedisCache", "CACHE_REDIS_URL": settings.cache_redis_url,
                       "CACHE_OPTIONS": dict(OPTIONS), "CACHE_KEY_PREFIX": "quartiersatlas:"})
    return config


@cache.memoize()
def _cached_result(bundle_key: str, settings_key: str, query: LayerQuery) -> LayerResult:
    return run_query(current_bundle(), current_settings(), query)


def layer_result(query: LayerQuery) -> LayerResult:
    """Disclosed values of a layer query, computed once and shared by the map and the API."""
    bundle = current_bundle()
    settings = current_settings()
    return record(_cached_result(bundle_key(bundle), settings_key(settings), query))


@cache.memoize()
def _cached_scenario_result(bundle_key: str, settings_key: str, query: LayerQuery, scenario: str, view: str) -> LayerResult:
    return result_for_view(current_bundle(), current_settings(), query, Scenario.from_url_param(scenario), view)


def view_result(query: LayerQuery, scenario: str | None, view: str) -> LayerResult:
    """What the map and linked views show: the baseline, or with a scenario (its URL parameter) the scenario's values
    or their difference from the baseline (`view`). The portal never runs scenarios."""
    settings = current_settings()
    if not scenario or view == "baseline" or settings.mode == "portal":
        return layer_result(query)
    return record(_cached_scenario_result(bundle_key(current_bundle()), settings_key(settings), query, scenario, view))


def shown_spec(query: LayerQuery, scenario: str | None = None, view: str = "baseline") -> LayerSpec:
    """The spec of what `view_result` returns: the difference spec for a scenario's difference, the comparison spec for a
    change since `compare_from`, else the layer's own."""
    spec = get_layer(query.layer_id)
    if scenario and view == "difference" and current_settings().mode != "portal":
        return difference_spec(spec)
    return comparison_spec(spec) if query.compare_from else spec


def bundle_key(bundle: Bundle) -> str:
    """Cache key part of a bundle: its folder and build time (a rebuild gets new keys)."""
    return f"{bundle.folder}:{bundle.manifest.built_at}"


def settings_key(settings: Settings) -> str:
    """Cache key part of the settings: all of them (mode, thresholds, rates and radii change results)."""
    return repr(sorted(settings.values.items()))
