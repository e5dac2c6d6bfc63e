"""Numbers as text: the column formatter gives exactly what the one-value formatter gives, value for value."""

import math

import numpy as np
import pytest

from layers.numbers import format_number, format_numbers


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_column_formatter_equals_the_single_value_formatter(lang, digits):
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(0, 1e6, 500), rng.uniform(0, 100, 500), np.round(rng.uniform(0, 100, 200), 2) + 0.05,
                             [0.25, 0.35, 2.5, -0.0, 1234567.891, -1234.5, math.nan, math.inf, -math.inf]])
    expected = [format_number(v, lang, digits) for v in values]
    assert format_numbers(values, lang, digits).tolist() == expected
    assert format_numbers(list(values) + [None], lang, digits)[-1] == "–"  # None, as format_number(None) says


def test_german_and_english_separators():
    assert format_numbers([1234567.5, -0.5], "de", 1).tolist() == ["1.234.567,5", "-0,5"]
    assert format_numbers([1234567.5, -0.5], "en", 1).tolist() == ["1,234,567.5", "-0.5"]
