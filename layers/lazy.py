"""Package faces whose names load on first use (PEP 562), the pattern of scientific Python's SPEC 1 (`lazy_loader`).

A face lists its public names once, by the submodule that defines them; ``import layers.settings`` then costs the settings
module alone, not the whole domain, and a package whose submodules need the layer registry (`layers.scenario`) can be
named by the topic list without closing an import cycle.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable


def attach(package: str, public: dict[str, tuple[str, ...]]) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for the package `package` offering, per submodule (relative name, e.g.
    ``"query"`` or ``"..funding.areas"``), the names in `public`.

    Examples
    --------
    >>> getattr_, dir_, all_ = attach("layers", {"numbers": ("format_number",)})
    >>> all_, getattr_("format_number")(1234.5, "de", 1)
    (['format_number'], '1.234,5')
    """
    module_of = {name: module for module, names in public.items() for name in names}
    package_module = import_module(package)

    def __getattr__(name: str) -> Any:
        if name not in module_of:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{module_of[name]}" if not module_of[name].startswith(".") else module_of[name], package), name)
        setattr(package_module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(package_module)) | set(module_of))

    return __getattr__, __dir__, sorted(module_of)
