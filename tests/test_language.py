"""German by default, English complete, wording by BRIEF §6: every message in both languages with the same placeholders,
every message key the code uses defined, every layer titled and described in both languages, and no stigmatising word
in any catalogue, layer text, group or class label, or user guide."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path

import pytest

from dashboard.i18n import CATALOGUE, LANGUAGES, catalogue
from layers.registry import LAYERS
from layers.topics import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
# Stigmatising or evaluative wording the product never uses for places or people (BRIEF §6). Word stems, matched
# case-insensitively at a word start; "problem" alone is allowed (e.g. "not a diagnosis of a problem" in a caveat).
FORBIDDEN = ("risiko", "risk", "problemgebiet", "problemviertel", "problemquartier", "problemkiez", "problem area", "problem district",
             "problem neighbourhood", "problem neighborhood", "brennpunkt", "ghetto", "sozial schwach", "socially weak",
             "parallelgesellschaft", "parallel societ", "no-go", "überfremd", "asozial", "sozialer abstieg", "verwahrlos", "slum")
PATTERN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in FORBIDDEN) + ")", re.IGNORECASE)
# Places of the docs where the rule itself is quoted (it names the words it forbids).
RULE_QUOTES = re.compile(r"no label, caption or API field uses .*?wording\.|Words a generated text must never contain.*", re.S)


def _files() -> list[Path]:
    return sorted(CATALOGUE.glob("*.toml"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_german_is_the_default():
    assert next(s for s in SETTINGS if s.name == "language").default == "de"
    assert LANGUAGES[0] == "de"


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_every_message_in_both_languages_with_the_same_placeholders(path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(data) == set(LANGUAGES), f"{path.name}: tables {sorted(data)}"
    assert set(data["de"]) == set(data["en"]), f"{path.name}: keys only in one language: {sorted(set(data['de']) ^ set(data['en']))}"
    for key in data["de"]:
        de, en = data["de"][key], data["en"][key]
        assert str(de).strip() and str(en).strip(), f"{path.name}: {key} is empty"
        assert _placeholders(de) == _placeholders(en), f"{path.name}: {key} has different placeholders in de and en"


def test_message_keys_used_in_code_exist():
    """Every literal key passed to t("…") in the dashboard exists in the catalogue (in both languages)."""
    known = catalogue()
    used = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    assert used, "no t() calls found"
    missing = sorted(k for k in used if k not in known["de"] or k not in known["en"])
    assert not missing, f"message keys used but not defined: {missing}"


@pytest.mark.parametrize("spec", LAYERS, ids=lambda s: s.id)
def test_every_layer_in_both_languages(spec):
    for field in ("title", "description", "unit"):
        de, en = getattr(spec, f"{field}_de").strip(), getattr(spec, f"{field}_en").strip()
        assert de and en, f"{spec.id}: {field} missing in a language"
    assert spec.description_de != spec.description_en, f"{spec.id}: the English description is the German one"
    for category in spec.categories:
        assert category.title_de.strip() and category.title_en.strip(), f"{spec.id}: class {category.value}"


def _layer_texts(bundles) -> list[tuple[str, str]]:
    out = []
    for spec in LAYERS:
        for field in ("title_de", "title_en", "description_de", "description_en", "unit_de", "unit_en"):
            out.append((f"{spec.id}.{field}", getattr(spec, field)))
        out += [(f"{spec.id}.class{c.value}", f"{c.title_de} / {c.title_en}") for c in spec.categories]
        for bundle in bundles:
            out += [(f"{spec.id}.group {g.id}", f"{g.title_de} / {g.title_en}") for g in spec.groups(bundle)]
    return out


def test_no_forbidden_words_in_catalogues():
    hits = [(lang, key, text) for lang, messages in catalogue().items() for key, text in messages.items() if PATTERN.search(text)]
    assert not hits, hits


def test_no_forbidden_words_in_layer_metadata(demo_bundle, berlin_bundle):
    hits = [(where, text) for where, text in _layer_texts([demo_bundle, berlin_bundle]) if PATTERN.search(text)]
    assert not hits, hits


def test_no_forbidden_words_in_user_facing_docs():
    """User guides and the pages for Quartiersmanager, council offices and the public (every docs page written for users)."""
    pages = [p for p in (ROOT / "docs").glob("*.md") if re.search(r"guide|quartier|council|briefing|portal|accessibility|readme", p.name, re.I)]
    pages.append(ROOT / "README.md")
    assert any("user-guide" in p.name for p in pages)
    hits = []
    for page in pages:
        text = RULE_QUOTES.sub("", page.read_text(encoding="utf-8"))
        text = re.sub(r"<!-- forbidden-words -->.*?<!-- /forbidden-words -->", "", text, flags=re.S)
        hits += [(page.name, m.group(0), text[max(0, m.start() - 40):m.end() + 40]) for m in PATTERN.finditer(text)]
    assert not hits, hits


def test_the_scan_finds_what_it_should():
    for text in ("Risiko-Gebiet", "a problem area", "sozialer Brennpunkt", "Problemviertel", "Ghetto", "risk score"):
        assert PATTERN.search(text), text
    for text in ("keine Diagnose eines Problems", "hot spot (Getis-Ord Gi*)", "Kristallisation", "asterisk"):
        assert not PATTERN.search(text), text
