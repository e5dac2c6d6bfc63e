"""Component ids, one place: `<section>-<thing>`."""

LAYER = "controls-layer"
GROUP = "controls-group"
BASIS = "controls-basis"
PERIOD = "controls-period"
PERIOD_FROM = "controls-period-from"
PERIOD_FROM_ROW = "controls-period-from-row"
LANGUAGE = "header-language"
MAP = "map-graph"
LEGEND = "map-legend"
SOURCES = "footer-sources"
TITLE = "header-title"
SUBTITLE = "header-subtitle"
NOTICE = "header-notice"
LABELS = "controls-label"
DISTRICT = "controls-district"  # value: id of a unit of the coarsest level (Bezirk) or None (whole city)
OVERLAYS = "controls-overlays"  # value: list of overlay keys shown on every layer, e.g. ["funding"]
SELECTION = "state-selection"  # dcc.Store: {"basis": key, "ids": [unit ids or cells]}
SECTION_TABS = "sections-tabs"
