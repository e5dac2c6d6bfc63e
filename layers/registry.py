"""The layer registry: every layer of every topic (`layers.topics`), by id; the dashboard and API are built from it."""

from __future__ import annotations

from .spec import LayerSpec
from .topics import LAYERS

REGISTRY: dict[str, LayerSpec] = {spec.id: spec for spec in LAYERS}  # ids are unique: `layers.topics.check_topics`


def get_layer(layer_id: str) -> LayerSpec:
    """The layer with id `layer_id`; KeyError naming the known ids otherwise."""
    try:
        return REGISTRY[layer_id]
    except KeyError:
        raise KeyError(f"unknown layer {layer_id!r}; known layers: {', '.join(REGISTRY)}") from None
