"""Berlin population by Planungsraum (Einwohnerregisterstatistik, LOR tables T1–T4), half-yearly.

Folder ``berlin_population_lor/<YYYY-HH>/`` holds one Stichtag: ``YYYY-01`` = 30 June YYYY,
``YYYY-02`` = 31 December YYYY. Counts are residents with main residence in Berlin.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..bundle.schema import AGE_BANDS, ORIGIN_PREFIX, TABLES, Column
from ..bundle.validate import ROW_COLUMN, Problem
from .berlin_io import PLR_PATTERN, check_raw, counts_to_numeric, fail_if, narrowed, pad_ids, read_csv, source_of, tag

POPULATION_DIR = "berlin_population_lor"
PERIOD_FOLDER = re.compile(r"^(\d{4})-(0[12])$")
STICHTAG = {"01": "06-30", "02": "12-31"}

_AGES = ("below_6", "6_15", "15_18", "18_27", "27_45", "45_55", "55_65", "above_65")
# Raw column -> bundle column, per table. T3/T4 `inhabitants` is 100.0 (a percentage base), never a count.
T1 = {
    "inhabitants": "pop_total",
    "inhabitants_with_migration_background": "pop_mig_bg",
    "inhabitants_foreigners": "pop_foreign",
    "inhabitants_germans_with_migration_background": "pop_german_mig_bg",
    "inhabitants_germans_without_migration_background": "pop_german_no_mig_bg",
}
T2 = {"inhabitants": "pop_total", **{f"inhabitants_age_{a}": b for a, b in zip(_AGES, AGE_BANDS)},
      "inhabitants_female": "pop_female"}
T3 = {f"inhabitants_with_migration_background_age_{a}": f"mig_bg_{b}" for a, b in zip(_AGES, AGE_BANDS)}
T4_PREFIX = "inhabitants_from_"
TABLE_TITLES = {1: "T1 residents, migration background, foreigners", 2: "T2 age groups and women",
                3: "T3 migration background by age", 4: "T4 migration background by region of origin"}
# The population schema for one raw table: 8-digit PLR ids; pop_total only in T1/T2 (required there by the reader).
_POPULATION_RAW = narrowed(TABLES["population"], unit_id=Column("unit_id", "id", pattern=PLR_PATTERN),
                           pop_total=Column("pop_total", "count", required=False))


def period_of(folder: str) -> str | None:
    """ISO Stichtag of a period folder name (``'2024-02'`` → ``'2024-12-31'``), None if it is no period."""
    m = PERIOD_FOLDER.fullmatch(folder)
    return f"{m.group(1)}-{STICHTAG[m.group(2)]}" if m else None


def period_folders(berlin_dir: Path) -> list[str]:
    """Names of the period folders, oldest first; every sub-folder must be a period."""
    root = Path(berlin_dir) / POPULATION_DIR
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: folder of the population tables by LOR (T1–T4 per half-year) is missing")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    fail_if([Problem(f"{POPULATION_DIR}/{f}", None, None,
                     "folder name is not a period (expected YYYY-01 for 30 June or YYYY-02 for 31 December)")
             for f in folders if period_of(f) is None])
    if not folders:
        raise FileNotFoundError(f"{root}: no period folders (YYYY-01, YYYY-02) with population tables")
    return folders


def table_file(folder: str, n: int) -> str:
    """Path (relative to the Berlin folder) of table T`n` at Planungsraum level of a period folder."""
    return f"{POPULATION_DIR}/{folder}/berlin-lor-population-{folder}-t{n}-planning-areas.csv"


def _frame(raw: pd.DataFrame, mapping: dict[str, str], period: str) -> pd.DataFrame:
    """Bundle-named frame of one raw table (counts as float), keeping `_row` and the file."""
    counts_to_numeric(raw, mapping)
    df = pd.DataFrame({"unit_id": pad_ids(raw["id"], 8), "period": period, ROW_COLUMN: raw[ROW_COLUMN]})
    for src, dst in mapping.items():
        df[dst] = raw[src]
    return tag(df, source_of(raw))


def _same_units(df: pd.DataFrame, expected: set[str], reference: str) -> None:
    """Every table of a period must list exactly the Planungsräume of the LOR geometry."""
    ids = set(df["unit_id"].dropna())
    missing = sorted(expected - ids)
    if missing:
        fail_if([Problem(source_of(df), None, "id", f"no row for {len(missing)} Planungsraum/-räume of {reference}, "
                                                    f"e.g. {', '.join(missing[:5])}")])


def _counts(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Checked counts → int64 (T3/T4 carry float noise such as 109.00000000000001)."""
    out = df.copy()
    for c in columns:
        out[c] = out[c].round().astype("int64")
    return tag(out, source_of(df))


def read_period(berlin_dir: Path, folder: str, plr_ids: set[str], origin_columns: list[str] | None = None) -> pd.DataFrame:
    """Population of all Planungsräume for one period folder, merged from T1–T4.

    Each raw table is validated on its own before merging, so that a problem names its file, row and
    column: ids (8 digits, a known Planungsraum, unique), counts (whole, >= 0), group <= total
    (T1 groups and T2 age bands <= T2 residents, T3 band <= T2 band, T4 region <= T1 migration background).

    Returns
    -------
    DataFrame with unit_id, period (ISO Stichtag) and the population count columns (residents);
    T4 origin regions as ``origin_<region>`` (residents with migration background).
    """
    period = period_of(folder)
    reference = "berlin_lor_2021/lor_planungsraeume_2021.geojson"
    raws = {n: read_csv(berlin_dir, table_file(folder, n), f"population table {TABLE_TITLES[n]} for {period}",
                        ["id", *({1: T1, 2: T2, 3: T3}.get(n, {}))], text_columns=["id"]) for n in (1, 2, 3, 4)}

    t4_cols = [c for c in raws[4].columns if c.startswith(T4_PREFIX)]
    if origin_columns is not None:  # every period must have the same origin regions as the first one
        expected = [T4_PREFIX + c[len(ORIGIN_PREFIX):] for c in origin_columns]
        fail_if([Problem(source_of(raws[4]), None, c, "required column is missing (present in the first period)")
                 for c in expected if c not in t4_cols]
                + [Problem(source_of(raws[4]), None, c, "origin column not present in the first period")
                   for c in t4_cols if c not in expected])
    t4_map = {c: ORIGIN_PREFIX + c[len(T4_PREFIX):] for c in t4_cols}

    t1 = _frame(raws[1], T1, period)
    check_raw(_POPULATION_RAW, t1, {"unit_id": "id", **{v: k for k, v in T1.items()}}, plr_ids)
    _same_units(t1, plr_ids, reference)
    t1 = _counts(t1, list(T1.values()))

    t2 = _frame(raws[2], T2, period)
    check_raw(_POPULATION_RAW, t2, {"unit_id": "id", **{v: k for k, v in T2.items()}}, plr_ids)
    _same_units(t2, plr_ids, reference)
    t2 = _counts(t2, list(T2.values()))
    t2_total = t1[["unit_id", "pop_total"]].merge(t2[["unit_id", "pop_total", ROW_COLUMN]], on="unit_id", suffixes=("_t1", ""))
    differs = t2_total[t2_total["pop_total"] != t2_total["pop_total_t1"]]
    fail_if([Problem(source_of(t2), int(r[ROW_COLUMN]), "inhabitants",
                     f"{r['pop_total']} residents differ from {r['pop_total_t1']} in {source_of(t1)}")
             for _, r in differs.head(25).iterrows()])

    ages = t2[["unit_id", *AGE_BANDS]]
    t3 = tag(_frame(raws[3], T3, period).merge(ages, on="unit_id", how="left"), source_of(raws[3]))
    check_raw(_POPULATION_RAW, t3, {"unit_id": "id", **{v: k for k, v in T3.items()},
                                    **{b: f"inhabitants_age_{a} in {source_of(t2)}" for a, b in zip(_AGES, AGE_BANDS)}}, plr_ids)
    _same_units(t3, plr_ids, reference)
    t3 = _counts(t3, list(T3.values()))

    t4 = tag(_frame(raws[4], t4_map, period).merge(t1[["unit_id", "pop_mig_bg"]], on="unit_id", how="left"), source_of(raws[4]))
    check_raw(_POPULATION_RAW, t4, {"unit_id": "id", **{v: k for k, v in t4_map.items()},
                                    "pop_mig_bg": f"inhabitants_with_migration_background in {source_of(t1)}"}, plr_ids)
    _same_units(t4, plr_ids, reference)
    t4 = _counts(t4, list(t4_map.values()))

    merged = (t1.merge(t2[["unit_id", *AGE_BANDS, "pop_female"]], on="unit_id", how="left")
                .merge(t3[["unit_id", *T3.values()]], on="unit_id", how="left")
                .merge(t4[["unit_id", *t4_map.values()]], on="unit_id", how="left"))
    return tag(merged, source_of(raws[1]))


def read_population(berlin_dir: Path, plr_ids: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Population table for every period folder and the sorted list of ISO Stichtage.

    One row per Planungsraum and period; counts are residents (int64). The frame has no ``_row``
    column because it combines 4 files per period.
    """
    frames, origin_columns = [], None
    for folder in period_folders(berlin_dir):
        df = read_period(berlin_dir, folder, plr_ids, origin_columns)
        if origin_columns is None:
            origin_columns = [c for c in df.columns if c.startswith(ORIGIN_PREFIX)]
        frames.append(df.drop(columns=[ROW_COLUMN]))
    population = pd.concat(frames, ignore_index=True)
    periods = sorted(population["period"].unique().tolist())
    return tag(population, f"{POPULATION_DIR}/<period>/berlin-lor-population-<period>-t1…t4-planning-areas.csv"), periods
