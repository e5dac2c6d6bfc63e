"""The dashboard's side of the topics (`layers.topics`): each topic's tab module and API blueprint, loaded by the dotted
path the topic declares (the domain names them without importing Dash or Flask)."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from flask import Blueprint

from layers import TOPICS, Settings


def load(path: str):
    """The object at `path`: ``package.module`` (the module) or ``package.module:attribute``."""
    module, _, attribute = path.partition(":")
    loaded = import_module(module)
    return getattr(loaded, attribute) if attribute else loaded


SECTIONS: tuple[ModuleType, ...] = tuple(load(topic.section) for topic in TOPICS if topic.section)


def sections_for(settings: Settings) -> tuple[ModuleType, ...]:
    """The tab modules this deployment shows, in topic order (a section without ``available`` is always shown)."""
    return tuple(s for s in SECTIONS if not hasattr(s, "available") or s.available(settings))


def blueprints_for(settings: Settings) -> tuple[Blueprint, ...]:
    """The topics' API blueprints this deployment serves: a planner-only topic has none in the portal."""
    return tuple(load(topic.api) for topic in TOPICS
                 if topic.api and not (topic.planner_only and settings.mode == "portal"))
