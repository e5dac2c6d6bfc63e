"""Dashboard sections: one module per topic (`layers.topics` names it in the topic's ``section``), each a tab.

A section module defines

- ``SECTION_ID: str`` (also the ``section`` of its layers in the registry),
- ``title(lang) -> str`` (from the message catalogue; the tab's label),
- optionally ``full_title(lang) -> str`` (the full name where ``title`` is a short form: the tab's tooltip and accessible
  name),
- ``panel(bundle, settings, lang) -> Component`` (the tab's content),
- ``register(app) -> None`` (its callbacks, attached to this app explicitly),
- optionally ``available(settings) -> bool`` (False: the deployment leaves the section out, tab and callbacks).

Sections read the shared view state (layer, group, basis, period, district, language, map clicks) through the
component ids in `dashboard.ids` and may set the shared controls with ``allow_duplicate=True``. `dashboard.topics` loads
them in topic order (`SECTIONS`, `sections_for`).
"""
