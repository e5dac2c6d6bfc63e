"""The layer registry: every layer listed explicitly; the dashboard and API are built from it."""

from __future__ import annotations

from . import migrant_concentration, social
from .accommodation import layers as accommodation  # accommodation and housing (internal)
from .education import layers as education  # education (Kita and school)
from .funding import layers as funding  # infrastructure, public space, funding
from .housing import layers as housing  # accommodation and housing (internal)
from .infrastructure import layers as infrastructure  # infrastructure, public space, funding
from .public_space import layers as public_space  # infrastructure, public space, funding
from .segregation import layers as segregation_layers  # segregation
from .spec import LayerSpec

LAYERS: tuple[LayerSpec, ...] = (
    migrant_concentration.SHARE,
    migrant_concentration.COUNT,
    migrant_concentration.LOCATION_QUOTIENT,
    migrant_concentration.CHANGE,
    # --- social situation (never a migration figure without it) ---
    *social.LAYERS,
    # --- segregation ---
    *segregation_layers.LAYERS,
    # --- education (Kita and school) ---
    education.KITA_RATIO,
    education.KITA_FCA,
    education.KITA_UNSERVED,
    education.CATCHMENT_SHARE,
    education.CATCHMENT_CHILDREN,
    # --- infrastructure, public space, funding ---
    *infrastructure.LAYERS,
    *public_space.LAYERS,
    *funding.LAYERS,
    # --- accommodation and housing (internal: never in the portal) ---
    *accommodation.LAYERS,
    *housing.LAYERS,
)


def _index(layers: tuple[LayerSpec, ...]) -> dict[str, LayerSpec]:
    index: dict[str, LayerSpec] = {}
    for spec in layers:
        if spec.id in index:
            raise ValueError(f"duplicate layer id {spec.id!r} in the registry")
        index[spec.id] = spec
    return index


REGISTRY: dict[str, LayerSpec] = _index(LAYERS)


def get_layer(layer_id: str) -> LayerSpec:
    """The layer with id `layer_id`; KeyError naming the known ids otherwise."""
    try:
        return REGISTRY[layer_id]
    except KeyError:
        raise KeyError(f"unknown layer {layer_id!r}; known layers: {', '.join(REGISTRY)}") from None
