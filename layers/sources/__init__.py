"""Sources that build a city bundle: the synthetic demo city, Berlin open data, a user's own files.

The names load on first use (`layers.lazy`): `user_files` reads the importers from the topic list, whose topics name
`layers.sources.importer`, so an eager face would close a cycle.
"""

from __future__ import annotations

from ..lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "point_files": ("read_point_file",),
    "user_files": ("import_file",),
})
