"""UI text from the one message catalogue (dashboard/messages.toml), German by default."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("de", "en")
CATALOGUE = Path(__file__).with_name("messages.toml")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    data = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))
    missing = set(data["de"]) ^ set(data["en"])
    if missing:
        raise KeyError(f"messages.toml: keys not in both languages: {sorted(missing)}")
    return data


def t(key: str, lang: str = "de", **values: object) -> str:
    """The message `key` in `lang`, formatted with `values`."""
    text = catalogue()[lang if lang in LANGUAGES else "de"][key]
    return text.format(**values) if values else text


def format_date(iso: str, lang: str = "de") -> str:
    """'2024-12-31' → '31.12.2024' (de) or '31 Dec 2024' (en)."""
    d = date.fromisoformat(iso)
    return d.strftime("%d.%m.%Y") if lang == "de" else d.strftime("%d %b %Y")
