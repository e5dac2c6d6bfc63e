"""`/methods`: docs/methods.md as a page of the app, so the legend's and the API's links to a layer's formula open
(`layers.topics.methods_link` names the section; its anchor is the heading's, as `layers.spec.heading_anchor` makes it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, render_template, request
from markdown_it import MarkdownIt
from markupsafe import Markup

from layers import METHODS_DOC, heading_anchor

from .context import current_settings
from .i18n import t
from .pages import page_language

METHODS_FILE = Path(__file__).resolve().parent.parent / METHODS_DOC
METHODS_PATH = "/methods"
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")

methods_page = Blueprint("methods_page", __name__, template_folder=str(Path(__file__).resolve().parent / "templates"))


@cache
def methods_html() -> Markup:
    """docs/methods.md as HTML, each heading with the id its Markdown anchor has."""
    tokens = _MARKDOWN.parse(METHODS_FILE.read_text(encoding="utf-8"))
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type == "heading_open":
            opening.attrSet("id", heading_anchor(inline.content))
    return Markup(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def methods_href(link: str) -> str:
    """The page-relative address of a ``docs/methods.md#anchor`` link (`layers.topics.methods_link`), like the legend's
    API links, so it works wherever the app is mounted."""
    return f"{METHODS_PATH.lstrip('/')}#{link.partition('#')[2]}"


@methods_page.get(METHODS_PATH)
def methods() -> str:
    lang = page_language(current_settings().language)
    return render_template("legal.html", lang=lang, t=lambda key, **kw: t(key, lang, **kw), title=t("methods_title", lang),
                           body=methods_html(), missing="", paper="a4",
                           map_href=(request.script_root or "") + "/" + ("" if lang == "de" else f"?lang={lang}"))
