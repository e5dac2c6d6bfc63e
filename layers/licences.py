"""Licences as the open-data vocabularies name them: the free-text licence of a source mapped to the URIs of the
DCAT-AP.de licence list (http://dcat-ap.de/def/licenses/), for the catalogue of published datasets."""

from __future__ import annotations

import re

DCAT_AP_DE = "http://dcat-ap.de/def/licenses/"
# (pattern in a source's licence text, URI); the first match in the text wins, so "A or B" names A
KNOWN: tuple[tuple[str, str], ...] = (
    (r"dl-de/by-2[.-]0", DCAT_AP_DE + "dl-by-de/2.0"),
    (r"dl-de/zero-2[.-]0", DCAT_AP_DE + "dl-zero-de/2.0"),
    (r"CC BY 3\.0 DE", DCAT_AP_DE + "cc-by-de/3.0"),
    (r"CC BY 4\.0", DCAT_AP_DE + "cc-by/4.0"),
    (r"CC0", DCAT_AP_DE + "cc-zero"),
    (r"ODbL", DCAT_AP_DE + "odbl"),
)


def licence_uri(text: str) -> str | None:
    """The URI of the licence a source states first, or None when the text names no known licence.

    >>> licence_uri("dl-de/zero-2.0 or CC BY 3.0 DE")
    'http://dcat-ap.de/def/licenses/dl-zero-de/2.0'
    >>> licence_uri("CC BY 3.0 DE; data product CC BY 4.0"), licence_uri("not verified")
    ('http://dcat-ap.de/def/licenses/cc-by-de/3.0', None)
    """
    found = [(m.start(), uri) for pattern, uri in KNOWN for m in [re.search(pattern, text or "", flags=re.IGNORECASE)] if m]
    return min(found)[1] if found else None
