"""The dashboard's side of the topics (`layers.topics`): each topic's tab module and API blueprint, loaded by the dotted
path the topic declares (the domain names them without importing Dash or Flask)."""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint

from layers import TOPICS, Settings, resolve

SECTIONS: tuple[ModuleType, ...] = tuple(resolve(topic.section) for topic in TOPICS if topic.section)


def sections_for(settings: Settings) -> tuple[ModuleType, ...]:
    """The tab modules this deployment shows, in topic order: none of a planner-only topic in the portal, and none whose
    own ``available(settings)`` says no."""
    portal = settings.mode == "portal"
    tabs = (resolve(topic.section) for topic in TOPICS if topic.section and not (topic.planner_only and portal))
    return tuple(tab for tab in tabs if getattr(tab, "available", lambda _settings: True)(settings))


def blueprints_for(settings: Settings) -> tuple[Blueprint, ...]:
    """The topics' API blueprints this deployment serves: a planner-only topic has none in the portal."""
    return tuple(resolve(topic.api) for topic in TOPICS
                 if topic.api and not (topic.planner_only and settings.mode == "portal"))
