"""Quartiersatlas domain: city bundles, spatial core and layers. Never imports Dash.

The public face the dashboard reads the domain through (`tests/test_architecture.py`): each name loads with its module on
first use (`layers.lazy`), so importing one module of the domain does not import all of it.
"""

from __future__ import annotations

from .lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "area": ("SERVE_RADIUS_M", "facilities_near", "funding_areas_of"),
    "cellkey": ("MAX_NOISE",),
    "build": ("build_city",),
    "cities": ("DEMO_SIZES", "bundle_path", "default_city", "known_cities"),
    "context": ("CONTEXT_INDICATORS", "social_context"),
    "licences": ("licence_uri",),
    "narrative": ("about_migration", "basis_name", "context_figures", "format_value", "summary_text"),
    "numbers": ("decimal_units", "format_decimals", "format_number"),
    "overview": ("SIMILAR",),
    "publication": (
        "computing_bundle", "disclosure_metadata", "publish_records", "publish_table", "receipts", "record",
        "replay", "sources_for", "start_receipts"
    ),
    "query": ("LayerQuery", "ParameterError", "bases", "check_query", "run_query", "visible_layers"),
    "registry": ("REGISTRY", "get_layer"),
    "scaleout": ("build_many",),
    "settings": ("Settings", "SettingsError", "activate", "deactivate", "load_settings"),
    "similar": ("arrival_profile", "available_indicators", "similar_areas"),
    "social": ("context_columns", "indicator_date", "mean_over"),
    "spec": (
        "METHODS_DOC", "InputDate", "LayerResult", "LayerSpec", "TableSpec", "comparison_spec",
        "heading_anchor", "input_dates"
    ),
    "summary": ("KeyFigure", "area_history", "key_figures"),
    "topic": ("Topic", "resolve"),
    "topics": ("TOPICS", "layer_inputs", "methods_link"),
})
