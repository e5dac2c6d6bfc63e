"""The spatial basis a value is computed on: an administrative level or an H3 resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass

H3_RESOLUTIONS = (7, 8, 9, 10)


@dataclass(frozen=True)
class Basis:
    """Either ``Basis(level="planungsraum")`` or ``Basis(res=9)``; `key` is its string form (``planungsraum``, ``h3_9``)."""

    level: str | None = None
    res: int | None = None

    def __post_init__(self) -> None:
        if (self.level is None) == (self.res is None):
            raise ValueError("a basis is either an administrative level or an H3 resolution")

    @property
    def is_h3(self) -> bool:
        return self.res is not None

    @property
    def key(self) -> str:
        return f"h3_{self.res}" if self.is_h3 else str(self.level)

    @classmethod
    def parse(cls, key: str) -> "Basis":
        """``"h3_9"`` → H3 res 9; anything else is a level id."""
        m = re.fullmatch(r"h3_(\d+)", key)
        return cls(res=int(m.group(1))) if m else cls(level=key)
