"""Links to the server-rendered pages (council briefing, area profile) for the main view's buttons."""

from __future__ import annotations

from urllib.parse import quote

from flask import has_request_context, request


def _root() -> str:
    """The app's mount point ('' at the domain root)."""
    return request.script_root if has_request_context() else ""


def briefing_href(query_string: str) -> str:
    """The briefing of the main view's state: its query string ('?layer=…' or 'layer=…') on /briefing."""
    qs = (query_string or "").lstrip("?")
    return f"{_root()}/briefing" + (f"?{qs}" if qs else "")


def profile_href(area_id: str, lang: str = "de") -> str:
    """The profile page of one unit (Quartiersmanager view); English with lang="en"."""
    return f"{_root()}/area/{quote(str(area_id), safe='')}" + ("?lang=en" if lang == "en" else "")
