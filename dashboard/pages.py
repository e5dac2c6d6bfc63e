"""Links to the server-rendered pages (council briefing, area profile, legal pages) for the main view and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import has_request_context, request

from .i18n import t

LEGAL_PAGES = {"impressum": "legal_impressum", "datenschutz": "legal_privacy", "barrierefreiheit": "legal_accessibility"}


def _root() -> str:
    """The app's mount point ('' at the domain root)."""
    return request.script_root if has_request_context() else ""


def page_language(default: str) -> str:
    """The language a server-rendered page is asked in (`?lang=`), else `default`; an unknown one falls back to German."""
    lang = request.args.get("lang", default)
    return lang if lang in ("de", "en") else "de"


def briefing_href(query_string: str) -> str:
    """The briefing of the main view's state: its query string ('?layer=…' or 'layer=…') on /briefing."""
    qs = (query_string or "").lstrip("?")
    return f"{_root()}/briefing" + (f"?{qs}" if qs else "")


def profile_href(area_id: str, lang: str = "de") -> str:
    """The profile page of one unit (Quartiersmanager view); English with lang="en"."""
    return f"{_root()}/area/{quote(str(area_id), safe='')}" + ("?lang=en" if lang == "en" else "")


@dataclass(frozen=True)
class LegalLink:
    href: str
    title: str


def legal_links(lang: str) -> list[LegalLink]:
    """The three legal pages in `lang`, for every page's footer (map, briefing, area profile, the legal pages)."""
    query = "" if lang == "de" else f"?lang={lang}"
    return [LegalLink(f"{_root()}/{page}{query}", t(key, lang)) for page, key in LEGAL_PAGES.items()]
