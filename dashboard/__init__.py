"""Quartiersatlas Dash app: factory, layout, callbacks, API."""
