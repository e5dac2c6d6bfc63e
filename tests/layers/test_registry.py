"""Contract over the whole registry: metadata complete, ids valid, values well-formed on a real bundle."""

import re

import numpy as np
import pytest

from layers.bundle import load_bundle, write_bundle
from layers.registry import LAYERS, REGISTRY
from layers.spatial.basis import Basis
from layers.spec import INTERNAL, PUBLIC, RESULT_COLUMNS
from layers.topic import Topic
from layers.topics import TOPICS, check_topics
from tests.tiny import tiny_build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_bundle(write_bundle(tiny_build(), tmp_path_factory.mktemp("tiny") / "tiny", log=lambda *_: None))


def test_duplicate_ids_fail():
    with pytest.raises(ValueError, match="duplicate layer id"):
        check_topics(TOPICS + (Topic("again", layers=LAYERS[:1]),))


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
def test_metadata_complete(spec):
    assert re.fullmatch(r"[a-z]+_[a-z_]+", spec.id)
    for field in ("title_de", "title_en", "description_de", "description_en", "unit_de", "unit_en", "provenance", "colorscale"):
        assert getattr(spec, field).strip(), field
    assert spec.sensitivity in (PUBLIC, INTERNAL)
    assert spec.min_count >= 1
    format(1.5, spec.value_format)  # a valid format spec
    from plotly.colors import get_colorscale

    assert len(get_colorscale(spec.colorscale)) >= 2  # a scale Plotly knows (resolved to stops for plotly.js)


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
@pytest.mark.parametrize("basis", [Basis(level="district"), Basis(level="block"), Basis(res=9)], ids=lambda b: b.key)
def test_values_well_formed(tiny, spec, basis):
    r = spec.compute(tiny, basis, "2024-12-31")
    assert tuple(r.values.columns) == RESULT_COLUMNS
    assert set(r.values.index) == set(tiny.ids(basis))
    assert r.values["value"].dtype == np.float64
    populated = r.values["residents"] > 0
    assert r.values.loc[populated, "value"].notna().all(), "no stray NaN where residents live"
    assert r.layer_id == spec.id and spec.id in REGISTRY
