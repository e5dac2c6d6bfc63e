"""UI text from the one message catalogue (dashboard/messages/*.toml, one file per section), German by default."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

LANGUAGES = ("de", "en")
CATALOGUE = Path(__file__).with_name("messages")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages by language; a key defined in two files or missing in one language is an error."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for path in sorted(CATALOGUE.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        missing = set(data.get("de", {})) ^ set(data.get("en", {}))
        if missing:
            raise KeyError(f"{path.name}: keys not in both languages: {sorted(missing)}")
        for lang in LANGUAGES:
            twice = set(merged[lang]) & set(data.get(lang, {}))
            if twice:
                raise KeyError(f"{path.name}: keys already defined in another catalogue file: {sorted(twice)}")
            merged[lang].update(data.get(lang, {}))
    return merged


def t(key: str, lang: str = "de", **values: object) -> str:
    """The message `key` in `lang`, formatted with `values`."""
    text = catalogue()[lang if lang in LANGUAGES else "de"][key]
    return text.format(**values) if values else text


class Minimums(Protocol):
    """What a "not shown" label names: the portal's minimum cases and residents (settings, or the map's display)."""

    @property
    def min_cases(self) -> int: ...

    @property
    def min_residents(self) -> int: ...


def not_shown(limits: Minimums, lang: str = "de") -> str:
    """Why the portal shows no value for an area: fewer than `limits.min_cases` cases or `limits.min_residents`
    residents. The one wording of the hover, legend, table alternative, briefing and API notes."""
    return t("not_shown", lang, cases=limits.min_cases, residents=limits.min_residents)


PLOTLY_DAY = {"de": "%d.%m.%Y", "en": "%d %b %Y"}  # a day on Plotly's date axes and hovers, as `format_date` writes it


def format_date(iso: str, lang: str = "de") -> str:
    """'2024-12-31' → '31.12.2024' (de) or '31 Dec 2024' (en)."""
    d = date.fromisoformat(iso)
    return d.strftime("%d.%m.%Y") if lang == "de" else d.strftime("%d %b %Y")
