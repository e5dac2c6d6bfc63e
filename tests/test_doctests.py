"""The examples in the docstrings of `layers/` are run: an example that no longer holds (or never did) fails here."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import layers

MODULES = sorted(m.name for m in pkgutil.walk_packages(layers.__path__, prefix="layers."))


def test_every_layers_module_is_collected():
    assert {"layers.segregation.indices", "layers.accommodation.distribution", "layers.spatial.routing"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples fail (run with -s to see them)"
