"""Request bodies for Dash's callback endpoint, built from the app's own callback map: which of a callback's arguments
are inputs and which are state follows the app (the views take the controls as state and follow the map's drawn-store),
so a test names values, not the order Dash wants them in."""

from __future__ import annotations

import json

REQUIRED = None  # `defaults` for: every declared argument must be in `values`


def output_key(outputs: list[tuple[str, str]]) -> str:
    """Dash's key of a callback with these outputs (none of them `allow_duplicate`)."""
    if len(outputs) == 1:
        return f"{outputs[0][0]}.{outputs[0][1]}"
    return ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."


def callback_body(app, key: str, values: dict, changed: str, defaults: dict | None = REQUIRED) -> dict:
    """The body the renderer sends for the callback `key` of the app's callback map: each declared input and state with
    its value from `values` ({(id, property): value}; a pattern-matching id by its "type", with the list of matches as
    value). A value missing there comes from `defaults` (a pattern-matching one is then an empty list of matches);
    without defaults it is a KeyError: the test must say what it sends."""
    spec = app.callback_map[key]

    def value(dep_key: tuple[str, str], missing):
        if dep_key in values or defaults is REQUIRED:
            return values[dep_key]
        return defaults.get(dep_key, missing)

    def entry(dep: dict):
        if dep["id"].startswith("{"):
            return value((json.loads(dep["id"])["type"], dep["property"]), [])
        return {"id": dep["id"], "property": dep["property"], "value": value((dep["id"], dep["property"]), None)}

    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1].split("@")[0]} for p in parts]
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0], "inputs": [entry(d) for d in spec["inputs"]],
            "state": [entry(d) for d in spec["state"]], "changedPropIds": [changed]}


def callback_request(app, outputs: list[tuple[str, str]], values: dict, changed: str) -> dict:
    """`callback_body` of the callback with these outputs, every argument named in `values`."""
    return callback_body(app, output_key(outputs), values, changed)
