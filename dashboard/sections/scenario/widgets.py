"""Small components the parts of the scenario panel share: a labelled form field and a status message."""

from __future__ import annotations

import dash_bootstrap_components as dbc

from .component_ids import MESSAGE


def field(label: str, control, md: int = 6) -> dbc.Col:
    """A form control with its label above, in a grid column `md` of 12 wide."""
    return dbc.Col([dbc.Label(label, className="small fw-semibold mb-1"), control], md=md, className="mb-2")


def alert(text: str, ok: bool) -> dbc.Alert:
    """A success (ok) or error message; its id says which, so tests and screen readers can tell them apart."""
    return dbc.Alert(text, color="success" if ok else "danger", className="py-1 px-2 mb-1 small", id=f"{MESSAGE}-{'ok' if ok else 'error'}")
