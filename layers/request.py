"""What a caller asks for: a layer query (`LayerQuery`) and the error for a parameter outside the allowed values."""

from __future__ import annotations

from dataclasses import dataclass

from .spatial.basis import Basis


class ParameterError(ValueError):
    """A request parameter has a value outside the allowed ones."""

    def __init__(self, parameter: str, value: object, allowed: list[str]):
        self.parameter, self.value, self.allowed = parameter, value, allowed
        shown = ", ".join(map(str, allowed[:40])) + (" …" if len(allowed) > 40 else "")
        super().__init__(f"parameter {parameter!r} has invalid value {value!r}; allowed: {shown}")


@dataclass(frozen=True)
class LayerQuery:
    """What to compute: layer, basis, period and, where the layer has them, group and start period."""

    layer_id: str
    basis: Basis
    period: str
    group: str | None = None
    period_from: str | None = None
    compare_from: str | None = None  # show the change of the layer's value since this period (any layer but classes)
