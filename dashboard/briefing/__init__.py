"""Server-rendered pages for print and projection: the council briefing and the Quartiersmanager's area profile."""

from .routes import briefing

__all__ = ["briefing"]
