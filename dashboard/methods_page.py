"""`/methods`: docs/methods.md as a page of the app, so the legend's and the API's links to a layer's formula open
(`layers.topics.methods_link` names the section; its anchor is the heading's, as `layers.spec.heading_anchor` makes it)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint
from markdown_it import MarkdownIt
from markupsafe import Markup

from layers import METHODS_DOC, TOPICS, heading_anchor

from .context import current_settings
from .legal import text_page

METHODS_FILE = Path(__file__).resolve().parent.parent / METHODS_DOC
METHODS_PATH = "/methods"
WEB_SCHEMES = ("http", "https", "mailto")
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")

methods_page = Blueprint("methods_page", __name__, template_folder=str(Path(__file__).resolve().parent / "templates"))


def public_text(text: str) -> str:
    """docs/methods.md without the chapters (``## …``) of planner-only topics: the portal names no internal layer."""
    internal = {heading for topic in TOPICS if topic.planner_only for _, heading, _ in topic.methods}
    chapters = re.split(r"(?m)^(?=## )", text)
    return "".join(chapter for chapter in chapters
                   if not any(re.search(rf"(?m)^#+ {re.escape(heading)}\s*$", chapter) for heading in internal))


def page_link(href: str) -> str | None:
    """A link of docs/methods.md as the page needs it: its own sections stay anchors and web addresses stay; None for
    another file of docs/, which the app does not serve (the page shows the link's text, naming the file on hover).

    >>> page_link("methods.md#segregation"), page_link("https://h3geo.org/"), page_link("settings.md#x")
    ('#segregation', 'https://h3geo.org/', None)
    >>> page_link("javascript://%0aalert(1)") is None
    True
    """
    target, _, anchor = href.partition("#")
    if target in ("", METHODS_FILE.name):
        return f"#{anchor}"
    if urlsplit(target).scheme.lower() in WEB_SCHEMES:
        return href
    return None  # another docs file, or a scheme no page should link (markdown-it refuses javascript: before this)


@cache
def methods_html(portal: bool) -> Markup:
    """docs/methods.md as HTML (in the portal without the chapters of planner-only topics), each heading with the id
    its Markdown anchor has."""
    text = METHODS_FILE.read_text(encoding="utf-8")
    tokens = _MARKDOWN.parse(public_text(text) if portal else text)
    for opening, inline in zip(tokens, tokens[1:]):
        if opening.type == "heading_open":
            opening.attrSet("id", heading_anchor(inline.content))
    for inline in tokens:
        opened: list[bool] = []  # per open link: is it one to another file of docs/ (shown as its text, no link)?
        for token in inline.children or ():
            if token.type == "link_open":
                href = page_link(token.attrGet("href") or "")
                opened.append(href is None)
                if href is None:
                    token.tag, token.attrs = "span", {"title": f"docs/{token.attrGet('href')}"}
                else:
                    token.attrSet("href", href)
            elif token.type == "link_close" and opened.pop():
                token.tag = "span"
    return Markup(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def methods_href(link: str) -> str:
    """The page-relative address of a ``docs/methods.md#anchor`` link (`layers.topics.methods_link`), like the legend's
    API links, so it works wherever the app is mounted."""
    return f"{METHODS_PATH.lstrip('/')}#{link.partition('#')[2]}"


@methods_page.get(METHODS_PATH)
def methods() -> str:
    return text_page("methods_title", methods_html(current_settings().mode == "portal"))
