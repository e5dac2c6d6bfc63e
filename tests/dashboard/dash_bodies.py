"""Request bodies for Dash's callback endpoint, built from the app's own callback map: which of a callback's arguments
are inputs and which are state follows the app (the views take the controls as state and follow the map's drawn-store),
so a test names values, not the order Dash wants them in."""

from __future__ import annotations

import json


def output_key(outputs: list[tuple[str, str]]) -> str:
    """Dash's key of a callback with these outputs."""
    if len(outputs) == 1:
        return f"{outputs[0][0]}.{outputs[0][1]}"
    return ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."


def callback_request(app, outputs: list[tuple[str, str]], values: dict, changed: str) -> dict:
    """The body the renderer sends for the callback with `outputs`: each declared input and state with its value from
    `values` ({(id, property): value}; a pattern-matching id by its "type", with the list of matches as value).
    A declared argument missing from `values` is a KeyError: the test must say what it sends."""
    key = output_key(outputs)
    spec = app.callback_map[key]

    def entry(dep: dict):
        if dep["id"].startswith("{"):
            pattern = json.loads(dep["id"])
            return values[(pattern["type"], dep["property"])]
        return {"id": dep["id"], "property": dep["property"], "value": values[(dep["id"], dep["property"])]}

    return {"output": key,
            "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1 else {"id": outputs[0][0], "property": outputs[0][1]},
            "inputs": [entry(d) for d in spec["inputs"]], "state": [entry(d) for d in spec["state"]], "changedPropIds": [changed]}
