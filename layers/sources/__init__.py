"""Sources that build a city bundle: the synthetic demo city, Berlin open data, a user's own files."""

from __future__ import annotations

from .point_files import read_point_file
from .user_files import import_file

__all__ = ["import_file", "read_point_file"]
