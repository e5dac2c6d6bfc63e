"""Quartiersatlas domain: city bundles, spatial core and layers. Never imports Dash."""

from __future__ import annotations

from .area import SERVE_RADIUS_M, facilities_near, funding_areas_of
from .cellkey import MAX_NOISE
from .cities import DEMO_SIZES, build_city, bundle_path, default_city, known_cities
from .context import CONTEXT_INDICATORS, social_context
from .licences import licence_uri
from .narrative import about_migration, context_figures, format_value, summary_text
from .numbers import format_number
from .publication import computing_bundle, disclosure_metadata, publish_records, publish_table, receipts, record, replay, sources_for, start_receipts
from .query import LayerQuery, ParameterError, bases, check_query, run_query, visible_layers
from .registry import REGISTRY, get_layer
from .scaleout import build_many
from .settings import Settings, SettingsError, activate, deactivate, load_settings
from .similar import arrival_profile, available_indicators, similar_areas
from .social import context_columns, indicator_date, mean_over
from .spec import METHODS_DOC, InputDate, LayerResult, LayerSpec, TableSpec, comparison_spec, heading_anchor, input_dates
from .summary import KeyFigure, area_history, key_figures
from .topics import TOPICS, layer_inputs, methods_link

__all__ = [
    "about_migration", "CONTEXT_INDICATORS", "DEMO_SIZES", "InputDate", "KeyFigure", "LayerQuery", "LayerResult", "LayerSpec", "MAX_NOISE",
    "METHODS_DOC", "ParameterError", "REGISTRY", "SERVE_RADIUS_M", "Settings", "SettingsError", "TOPICS", "TableSpec",
    "activate", "area_history", "arrival_profile", "available_indicators", "bases", "build_city", "build_many",
    "bundle_path", "check_query", "comparison_spec", "computing_bundle", "context_columns", "context_figures",
    "deactivate", "default_city", "disclosure_metadata", "facilities_near", "format_number", "format_value",
    "funding_areas_of", "get_layer", "heading_anchor", "indicator_date", "input_dates", "key_figures", "known_cities",
    "layer_inputs", "licence_uri", "load_settings", "mean_over", "methods_link", "publish_records", "publish_table",
    "receipts", "record", "replay", "run_query", "similar_areas", "social_context", "sources_for", "start_receipts",
    "summary_text", "visible_layers"
]
