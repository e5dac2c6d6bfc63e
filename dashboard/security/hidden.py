"""What the portal never shows: internal layer ids and planner-only tools, found in paths, query strings and Dash
callback payloads."""

from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import parse_qsl

from layers import REGISTRY, TOPICS, Settings, visible_layers

from .. import ids

# planner-only topics (scenario tools and saved scenarios, accommodation and housing; BRIEF §6): the API paths of their
# tables and the id prefix of their components, refused in the portal
PORTAL_HIDDEN_PATHS = tuple(sorted({f"/api/v1/{spec.name.split('/')[0]}" for topic in TOPICS if topic.planner_only for spec in topic.tables}))
PORTAL_HIDDEN_COMPONENTS = tuple(topic.id for topic in TOPICS if topic.planner_only)  # their callbacks never run in the portal
_PERCENT_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")  # with JSON \u escapes, what could spell an id in other bytes


def hidden_layers(settings: Settings) -> set[str]:
    """Layer ids of the registry the deployment may not show (internal layers in the portal; empty in planner mode)."""
    return set(REGISTRY) - set(visible_layers(settings))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def names_hidden(value: Any, hidden: set[str]) -> bool:
    """True when any string in `value` (nested dicts and lists too) is a hidden layer id or a link/query string naming one.

    >>> names_hidden({"ids": ["a", "refugee_sites"]}, {"refugee_sites"}), names_hidden("?layer=refugee_sites&res=9", {"refugee_sites"})
    (True, True)
    >>> names_hidden(["migration_share", "?layer=migration_share"], {"refugee_sites"})
    False
    """
    if not hidden:
        return False
    for text in _strings(value):
        if text in hidden:
            return True
        if "=" in text:
            query = text.split("?", 1)[1] if "?" in text else text
            if any(v in hidden for _, v in parse_qsl(query.split("#", 1)[0], keep_blank_values=True)):
                return True
    return False


def _entries(items: Any) -> Iterator[dict]:
    """The {id, property, value} entries of a Dash callback payload's inputs, state or outputs (ALL patterns are lists)."""
    if isinstance(items, dict):
        yield items
    elif isinstance(items, list):
        for item in items:
            yield from _entries(item)


def _component_name(component_id: Any) -> str:
    if isinstance(component_id, dict):
        return str(component_id.get("type", ""))
    return str(component_id or "")


def _holds_scenario(component_id: Any, value: Any) -> bool:
    if component_id == ids.SCENARIO:
        return bool(value.get("interventions")) if isinstance(value, dict) else bool(value)
    if component_id == ids.SCENARIO_PLACING:
        return bool(value)
    return False


def may_name(raw: bytes | None, hidden: set[str]) -> bool:
    """False only when the raw request body cannot name a hidden id (no id in its bytes, no escape that could spell one):
    then the string walk, about 1 s for a whole-city selection of 67,000 cells, is skipped.

    >>> may_name(b'{"value": "migration_share"}', {"refugee_sites"}), may_name(b'"refugee_sites"', {"refugee_sites"})
    (False, True)
    >>> may_name(b'"refugee\\u005fsites"', {"refugee_sites"}), may_name(b'"?layer=refugee%5Fsites"', {"refugee_sites"})
    (True, True)
    """
    if not hidden:
        return False
    if raw is None:
        return True
    if b"\\u" in raw or (b"%" in raw and _PERCENT_ESCAPE.search(raw)):
        return True
    return any(h.encode() in raw for h in hidden)


def dash_request_refused(body: Any, hidden: set[str], raw: bytes | None = None) -> str | None:
    """Why a Dash callback request must not run in the portal (None: it may).

    Refused: any input or state naming an internal layer (a value, or a link's query string), a scenario in the
    scenario stores, and callbacks of the scenario section (component ids starting with "scenario"). `raw`, the
    request body, lets the value check be skipped when the body cannot name a hidden layer.
    """
    if not isinstance(body, dict):
        return None
    given = list(_entries(body.get("inputs"))) + list(_entries(body.get("state")))
    for entry in given + list(_entries(body.get("outputs"))):
        if _component_name(entry.get("id")).startswith(PORTAL_HIDDEN_COMPONENTS):
            return "scenario tools are not part of the public portal"
    check_values = may_name(raw, hidden)
    for entry in given:
        if _holds_scenario(entry.get("id"), entry.get("value")):
            return "scenarios are not part of the public portal"
        if check_values and names_hidden(entry.get("value"), hidden):
            return "no such layer"
    return None
