"""The legal pages a public portal in Germany needs — Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit —
from Markdown files a deployment fills in (setting `legal_dir`; data/legal/README.md), in German and English, and the
links to them that every page's footer carries."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, render_template, request
from markdown_it import MarkdownIt
from markupsafe import Markup

from layers import Settings

from .context import current_settings
from .i18n import LANGUAGES, t
from .pages import LEGAL_PAGES, legal_links, page_language

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "legal"
_MARKDOWN = MarkdownIt("commonmark", {"html": False})  # a deployment's text, never raw HTML into the page

legal = Blueprint("legal", __name__, template_folder=str(Path(__file__).resolve().parent / "templates"))


def page_file(settings: Settings, page: str, lang: str) -> Path | None:
    """The Markdown file of `page` in `lang`: the deployment's (in `legal_dir`) or else the shipped one; None if neither."""
    name = f"{page}.{lang}.md"
    for folder in (settings.path("legal_dir"), SHIPPED):
        if (folder / name).is_file():
            return folder / name
    return None


def missing_pages(settings: Settings) -> list[str]:
    """`<page>.<lang>.md` files neither the deployment nor the software provides."""
    return [f"{page}.{lang}.md" for page in LEGAL_PAGES for lang in LANGUAGES if page_file(settings, page, lang) is None]


def render_page(settings: Settings, page: str, lang: str) -> Markup | None:
    """The page's text as HTML, `{{contact}}` filled from `legal_contact`; None when no file provides it."""
    path = page_file(settings, page, lang)
    if path is None:
        return None
    contact = settings.values.get("legal_contact") or t("legal_no_contact", lang)
    return Markup(_MARKDOWN.render(path.read_text(encoding="utf-8").replace("{{contact}}", contact)))


@legal.app_context_processor
def _footer_links() -> dict:
    return {"legal_links": legal_links}


def text_page(title_key: str, body: Markup | None, missing: str = "") -> str:
    """A page of text in the app's language (title from the message catalogue), with the link back to the map and the
    footer's legal links: the legal pages and /methods."""
    lang = page_language(current_settings().language)
    return render_template("legal.html", lang=lang, t=lambda key, **kw: t(key, lang, **kw), title=t(title_key, lang),
                           body=body, missing=missing, paper="a4",
                           map_href=(request.script_root or "") + "/" + ("" if lang == "de" else f"?lang={lang}"))


def _page(page: str):
    lang = page_language(current_settings().language)
    return text_page(LEGAL_PAGES[page], render_page(current_settings(), page, lang),
                     missing=t("legal_missing", lang, file=f"{page}.{lang}.md"))


for _slug in LEGAL_PAGES:
    legal.add_url_rule(f"/{_slug}", endpoint=_slug, view_func=lambda _slug=_slug: _page(_slug), methods=["GET"])


def init_legal(server, settings: Settings) -> None:
    """Register the pages; a portal without all of them says so in the log at start."""
    server.register_blueprint(legal)
    missing = missing_pages(settings)
    if settings.mode == "portal" and missing:
        logging.getLogger("quartiersatlas.legal").warning(
            "portal without %s: put them in legal_dir (%s); see data/legal/README.md", ", ".join(missing), settings.path("legal_dir"))
