"""Quartiersatlas domain: city bundles, spatial core and layers. Never imports Dash."""
