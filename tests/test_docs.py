"""The docs are tested: a setting, bundle table or column, or layer without documentation fails here,
and so does a link in docs/ that points to a missing file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from layers.bundle.schema import POPULATION_GROUPS, TABLES
from layers.registry import REGISTRY
from layers.topics import SETTINGS

DOCS = Path(__file__).resolve().parent.parent / "docs"
# Images someone else adds later. Strict xfail: once the file exists the test XPASSes and fails,
# as a reminder to remove the entry here.

LINK = re.compile(r"(!?)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _read(name: str) -> str:
    path = DOCS / name
    assert path.is_file(), f"docs/{name} is missing"
    return path.read_text(encoding="utf-8")


def _strip_code(text: str) -> str:
    """Markdown without fenced code blocks (links and table rows inside them do not count)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def _cells(line: str) -> list[str]:
    """Cells of a Markdown table row, stripped (a `|` inside backticks is not a separator)."""
    parts, cell, code = [], "", False
    for ch in line.strip().strip("|"):
        if ch == "`":
            code = not code
        if ch == "|" and not code:
            parts.append(cell.strip())
            cell = ""
        else:
            cell += ch
    parts.append(cell.strip())
    return parts


def _rows(text: str) -> list[list[str]]:
    """All table rows (header and separator rows included) of a Markdown text."""
    return [_cells(line) for line in _strip_code(text).splitlines() if line.lstrip().startswith("|")]


def _plain(cell: str) -> str:
    """A cell without surrounding backticks: `` `"auto"` `` → ``"auto"``."""
    cell = cell.strip()
    return cell[1:-1].strip() if len(cell) >= 2 and cell[0] == cell[-1] == "`" else cell


def _sections(text: str, level: int) -> dict[str, str]:
    """Heading text → body for headings of exactly `level` (#-count), code blocks removed."""
    marker = "#" * level + " "
    out, heading, body = {}, None, []
    for line in _strip_code(text).splitlines():
        if line.startswith(marker):
            if heading is not None:
                out[heading] = "\n".join(body)
            heading, body = line[len(marker):].strip(), []
        elif re.match(r"#{1,%d} " % level, line):  # a heading of the same or a higher level ends the section
            if heading is not None:
                out[heading] = "\n".join(body)
            heading, body = None, []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        out[heading] = "\n".join(body)
    return out


# --- settings -------------------------------------------------------------------------------------

def _settings_rows() -> dict[str, list[str]]:
    """First-cell name → cells of every Name | Type | Default | Description table in docs/settings.md (one per section)."""
    rows = _rows(_read("settings.md"))
    headers = [i for i, r in enumerate(rows) if [c.lower() for c in r[:4]] == ["name", "type", "default", "description"]]
    assert headers, "docs/settings.md needs a table Name | Type | Default | Description"
    table = []
    for header in headers:
        for r in rows[header + 2:]:
            if len(r) < 4 or [c.lower() for c in r[:4]] == ["name", "type", "default", "description"]:
                break
            table.append(r)
    return {_plain(r[0]): r for r in table}


def _default_forms(default) -> set[str]:
    """Accepted renderings of a default: JSON (`"auto"`, `3`, `[7, 8, 9, 10]`), and bare text for strings."""
    forms = {json.dumps(default, ensure_ascii=False), json.dumps(default, ensure_ascii=False, separators=(",", ":"))}
    if isinstance(default, str) and default:
        forms.add(default)
    return forms


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_documented_with_default(setting):
    rows = _settings_rows()
    assert setting.name in rows, f"setting {setting.name!r} has no row in docs/settings.md"
    name, type_, default, description = rows[setting.name][:4]
    assert _plain(default) in _default_forms(setting.default), (
        f"docs/settings.md gives {default!r} as the default of {setting.name!r}; "
        f"the code says {json.dumps(setting.default)}")
    assert re.findall(r"\w+", type_)[:1] == [setting.type.__name__], (
        f"docs/settings.md gives type {type_!r} for {setting.name!r}; the code says {setting.type.__name__}")
    assert len(description) > 10, f"setting {setting.name!r} needs a description"
    for choice in setting.choices:
        assert str(choice) in description, f"docs/settings.md: the description of {setting.name!r} should name {choice!r}"


def test_no_stale_settings_documented():
    known = {s.name for s in SETTINGS}
    stale = set(_settings_rows()) - known
    assert not stale, f"docs/settings.md documents settings that do not exist: {sorted(stale)}"


def test_environment_variables_documented():
    text = _read("settings.md")
    assert "QUARTIERSATLAS_<NAME>" in text and "config.toml" in text


# --- bundle format --------------------------------------------------------------------------------

def _table_section(name: str) -> str:
    sections = _sections(_read("bundle-format.md"), 3)
    matches = [body for heading, body in sections.items() if f"`{name}`" in heading]
    assert matches, f"docs/bundle-format.md needs a section '### Table `{name}`'"
    return matches[0]


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.name)
def test_every_table_and_column_documented(table):
    rows = {_plain(r[0]): r for r in _rows(_table_section(table.name)) if len(r) >= 4}
    for col in table.columns:
        assert col.name in rows, f"docs/bundle-format.md: column {col.name!r} of table {table.name!r} has no row"
        _, kind, required, description = rows[col.name][:4]
        assert _plain(kind) == col.kind, (
            f"docs/bundle-format.md: {table.name}.{col.name} has type {kind!r}; schema.py says {col.kind!r}")
        documented_required = required.lower().startswith("yes")
        assert documented_required == col.required, (
            f"docs/bundle-format.md: {table.name}.{col.name} Required is {required!r}; schema.py says required={col.required}")
        assert description.strip(), f"docs/bundle-format.md: {table.name}.{col.name} needs a description"
    if table.geometry:
        assert "geometry" in rows, f"docs/bundle-format.md: table {table.name!r} has geometry; document the column"
    for prefix in table.open_columns:
        assert any(name.startswith(prefix) for name in rows), (
            f"docs/bundle-format.md: table {table.name!r} allows open columns {prefix}*; document them")


@pytest.mark.parametrize("table", ["population", "population_points"])
def test_group_total_rules_documented(table):
    rows = {_plain(r[0]): r for r in _rows(_table_section(table)) if len(r) >= 4}
    for group, total in POPULATION_GROUPS.items():
        assert f"`{total}`" in rows[group][3], (
            f"docs/bundle-format.md: {table}.{group} should say it must not exceed `{total}`")


def test_h3_weights_and_manifest_documented():
    text = _read("bundle-format.md")
    for word in ("manifest.json", "h3_weights_r", "EPSG:4326", "EPSG:3035", "unit_share", "cell_share",
                 "id_pattern", "format_version", "built_at", "id_prefix_nesting"):
        assert word in text, f"docs/bundle-format.md should mention {word}"


# --- layers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer_id", list(REGISTRY))
def test_every_layer_in_methods(layer_id):
    assert f"`{layer_id}`" in _read("methods.md"), f"layer {layer_id!r} is not described in docs/methods.md"


# --- links ----------------------------------------------------------------------------------------

def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    return {_slug(m) for m in re.findall(r"^#{1,6} (.+)$", _strip_code(doc.read_text(encoding="utf-8")), re.M)}


def _links() -> list[tuple[str, str, str, bool]]:
    """(doc, target path, anchor, is_image) for every relative link in docs/**/*.md."""
    out = []
    for doc in sorted(DOCS.rglob("*.md")):
        for bang, target in LINK.findall(_strip_code(doc.read_text(encoding="utf-8"))):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # URLs: http:, https:, mailto:
            path, _, anchor = target.partition("#")
            out.append((str(doc.relative_to(DOCS)), path or doc.name, anchor, bool(bang)))
    return out


def test_docs_have_links():
    assert any(not image for *_, image in _links()), "no relative links found: is the link pattern broken?"


@pytest.mark.parametrize("doc, target, anchor", [(d, t, a) for d, t, a, image in _links() if not image])
def test_linked_files_exist(doc, target, anchor):
    path = DOCS / Path(doc).parent / target
    assert path.exists(), f"docs/{doc} links to {target}, which does not exist"
    if anchor and path.suffix == ".md":
        assert anchor in _anchors(path), f"docs/{doc} links to {target}#{anchor}, but {target} has no such heading"


@pytest.mark.parametrize("doc, target", [(d, t) for d, t, _, image in _links() if image])
def test_linked_images_exist(doc, target):
    assert (DOCS / Path(doc).parent / target).exists(), f"docs/{doc} shows {target}, which does not exist"
