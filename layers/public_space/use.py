"""Observed use of public spaces: daily counts per place from counters and observation surveys, and their CSV import."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..bundle import Bundle
from ..bundle.schema import TABLES
from ..bundle.validate import ROW_COLUMN, BundleValidationError, Problem, check_table

CSV_COLUMNS = ("space_id", "timestamp", "count", "method")
ALIASES = {"place_id": "space_id"}


def has_use(bundle: Bundle) -> bool:
    return bundle.has("space_use") and len(bundle.table("space_use")) > 0


def use_summary(bundle: Bundle) -> pd.DataFrame:
    """Per counted place: name, method(s), days counted, first and last day, mean and maximum daily count (persons)."""
    if not has_use(bundle):
        return pd.DataFrame(columns=["space_id", "name", "methods", "days", "first", "last", "mean_count", "max_count"])
    u = bundle.table("space_use")
    g = u.groupby(u["space_id"].astype(str))
    out = pd.DataFrame({"methods": g["method"].agg(lambda s: ", ".join(sorted(set(map(str, s))))), "days": g.size(),
                        "first": g["timestamp"].min().dt.strftime("%Y-%m-%d"), "last": g["timestamp"].max().dt.strftime("%Y-%m-%d"),
                        "mean_count": g["count"].mean().round(1), "max_count": g["count"].max()})
    names = {}
    if bundle.has("green_spaces"):
        gs = bundle.table("green_spaces")
        names = dict(zip(gs["space_id"].astype(str), gs["name"]))
    out.insert(0, "name", [names.get(i) for i in out.index])
    return out.rename_axis("space_id").reset_index()


def use_series(bundle: Bundle, space_id: str) -> pd.DataFrame:
    """Daily counts of one place (timestamp, count, method), in date order; empty when the place has none."""
    if not has_use(bundle):
        return pd.DataFrame(columns=["timestamp", "count", "method"])
    u = bundle.table("space_use")
    u = u[u["space_id"].astype(str) == str(space_id)]
    return u[["timestamp", "count", "method"]].sort_values("timestamp").reset_index(drop=True)


def read_space_use_csv(path: Path, manifest=None) -> pd.DataFrame:
    """Read a CSV of counts: `space_id` (or `place_id`), `timestamp`, `count`, `method` (`counter` or `observation`).

    Timestamps are ISO dates or date-times; counts of one place, day and method are summed (the table keeps days).
    Every problem names the file, the data row (1-based, header not counted) and the column.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], sep=None, engine="python", encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BundleValidationError([Problem(path.name, None, None, f"not a readable CSV file ({exc})")]) from exc
    raw.columns = [ALIASES.get(c.strip().lower(), c.strip().lower()) for c in raw.columns]
    raw[ROW_COLUMN] = range(1, len(raw) + 1)
    for c in ("space_id", "method"):
        if c in raw.columns:
            raw[c] = raw[c].str.strip()
    problems = check_table(TABLES["space_use"], raw.drop(columns=["timestamp"], errors="ignore").assign(
        timestamp=raw["timestamp"].str.strip().str.slice(0, 10)) if "timestamp" in raw.columns else raw, path.name)
    if "timestamp" in raw.columns:
        parsed = pd.to_datetime(raw["timestamp"].str.strip(), format="ISO8601", errors="coerce")
        bad = raw["timestamp"].notna() & parsed.isna()
        problems += [Problem(path.name, int(r), "timestamp", f"{v!r} is not an ISO date or date-time")
                     for r, v in zip(raw.loc[bad, ROW_COLUMN], raw.loc[bad, "timestamp"])
                     if not any(p.row == int(r) and p.column == "timestamp" for p in problems)]
    # duplicates are fine in raw data with times; only exact duplicate rows of one instant are an error
    problems = [p for p in problems if not p.message.startswith("duplicate id")]
    if not problems:
        dup = raw.duplicated(["space_id", "timestamp", "method"], keep="first")
        problems += [Problem(path.name, int(r), "timestamp", "the same place, time and method occur more than once")
                     for r in raw.loc[dup, ROW_COLUMN]]
    if problems:
        raise BundleValidationError(problems)
    df = raw.assign(timestamp=pd.to_datetime(raw["timestamp"].str.strip(), format="ISO8601").dt.tz_localize(None).dt.normalize(),
                    count=pd.to_numeric(raw["count"]).round().astype("int64"))
    day = df.groupby(["space_id", "timestamp", "method"], sort=False).agg(count=("count", "sum"), _row=(ROW_COLUMN, "min")).reset_index()
    dup = day.duplicated(["space_id", "timestamp"], keep="first")
    if dup.any():
        raise BundleValidationError([Problem(path.name, int(r), "method", "one place has counts of two methods on the same day")
                                     for r in day.loc[dup, ROW_COLUMN]])
    day.attrs["source_file"] = path.name
    return day[[*CSV_COLUMNS, ROW_COLUMN]]
