"""Every layer links to the section of docs/methods.md that gives its formula, and names the inputs it reads.

A layer without a section, a section that is not a heading of docs/methods.md, or a section that does not mention the
layer fails here; so does a computed result naming a source its spec does not declare (its data date would be missing).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from layers.bundle import load_bundle, write_bundle
from layers.registry import LAYERS
from layers.spatial.basis import Basis
from layers.spec import LayerSpec, heading_anchor
from layers.topics import layer_inputs, methods_heading, methods_link
from tests.tiny import tiny_build

METHODS = Path(__file__).resolve().parents[2] / "docs" / "methods.md"
HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")


def _sections(text: str) -> dict[str, str]:
    """Anchor → body of every heading (up to the next heading of the same or a higher level), code blocks removed."""
    lines = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M).splitlines()
    heads = [(i, len(m.group(1)), m.group(2)) for i, line in enumerate(lines) if (m := HEADING.match(line))]
    out = {}
    for n, (i, level, title) in enumerate(heads):
        end = next((j for j, lvl, _ in heads[n + 1:] if lvl <= level), len(lines))
        out[heading_anchor(title)] = "\n".join(lines[i + 1:end])
    return out


def missing_sections(layers: tuple[LayerSpec, ...], text: str) -> list[str]:
    """Layers whose methods section is not declared, is no heading of `text`, or does not mention the layer id."""
    sections = _sections(text)
    return [s.id for s in layers if not methods_heading(s)
            or f"`{s.id}`" not in sections.get(methods_link(s).partition("#")[2], "")]


def test_every_layer_links_to_its_section():
    assert missing_sections(LAYERS, METHODS.read_text(encoding="utf-8")) == []


def test_a_layer_without_a_section_fails():
    spec = LayerSpec("nowhere_layer", "", "", "", "", "", "", ".1f", "Viridis", None, "")
    assert methods_heading(spec) == "" and missing_sections((spec,), METHODS.read_text(encoding="utf-8")) == ["nowhere_layer"]
    stray = LayerSpec("migration_stray", "", "", "", "", "", "", ".1f", "Viridis", None, "")  # a section, but not described there
    assert missing_sections((stray,), METHODS.read_text(encoding="utf-8")) == ["migration_stray"]


def test_links_use_the_markdown_anchor():
    links = {s.id: methods_link(s) for s in LAYERS}
    assert links["migration_lq"] == "docs/methods.md#migrant-concentration"
    assert links["education_kita_fca"] == "docs/methods.md#two-step-floating-catchment-area-2sfca"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_bundle(write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None))


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
def test_computed_sources_are_declared_inputs(tiny, spec):
    result = spec.compute(tiny, Basis(level="block"), "2024-12-31")
    assert set(result.sources) | {k for k, _ in result.data_dates} <= set(layer_inputs(spec))
