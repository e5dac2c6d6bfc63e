"""Berlin indicators per Planungsraum: Monitoring Soziale Stadtentwicklung 2021 and environmental justice 2021/22."""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pandas as pd

from ..bundle.schema import Column, Table
from ..bundle.validate import ROW_COLUMN, Problem
from .berlin_io import PLR_PATTERN, check_raw, fail_if, pad_ids, read_csv, source_of, tag

MSS_DIR = "berlin_mss_2021"
MSS_FILES = {
    "indizes": f"{MSS_DIR}/tesch-ch_raw_mss_2021_indizes.csv",
    "index_indikatoren": f"{MSS_DIR}/tesch-ch_raw_mss_2021_index_indikatoren.csv",
    "kontext_indikatoren": f"{MSS_DIR}/tesch-ch_raw_mss_2021_kontext_indikatoren.csv",
}
EJ_FILE = "berlin_public_space/plr_umweltgerechtigkeit_2021-22.csv"
EJ_PERIOD = "2022-12-31"  # Umweltgerechtigkeit 2021/2022; the file states no day
EJ_GREEN = "Grünflächenversorgungs-Kategorie"
MSS_VALID = "gültig"  # KOM: only these Planungsräume have index values (others too small or outliers)

_I, _X, _K = "indizes", "index_indikatoren", "kontext_indikatoren"
# indicator id: (file, raw column, unit, title_de, title_en). "pp" = percentage points, "% p.a." = per 100 residents and year.
MSS_INDICATORS: dict[str, tuple[str, str, str, str, str]] = {
    "mss_status_class": (_I, "SI_N", "class", "Statusindex (1 hoch … 4 sehr niedrig)", "Status index (1 high … 4 very low)"),
    "mss_dynamics_class": (_I, "DI_N", "class", "Dynamikindex (1 positiv, 3 stabil, 5 negativ)",
                           "Dynamics index (1 positive, 3 stable, 5 negative)"),
    "mss_status_dynamics_class": (_I, "SDI_N", "class", "Status-Dynamik-Index (Status × 10 + Dynamik)",
                                  "Status-dynamics index (status × 10 + dynamics)"),
    "mss_unemployment_pct": (_X, "S1", "%", "Arbeitslosigkeit (SGB II und III)", "Unemployment (SGB II and III)"),
    "mss_transfer_pct": (_X, "S3", "%", "Transferbezug (nicht arbeitslose SGB II, SGB XII)",
                         "Transfer receipt (non-unemployed SGB II, SGB XII)"),
    "mss_child_poverty_pct": (_X, "S4", "%", "Kinderarmut (Transferbezug unter 15 Jahren)",
                              "Child poverty (transfer receipt under 15)"),
    "mss_unemployment_change_pp": (_X, "D1", "pp", "Veränderung Arbeitslosigkeit in 2 Jahren", "Change in unemployment over 2 years"),
    "mss_transfer_change_pp": (_X, "D3", "pp", "Veränderung Transferbezug in 2 Jahren", "Change in transfer receipt over 2 years"),
    "mss_child_poverty_change_pp": (_X, "D4", "pp", "Veränderung Kinderarmut in 2 Jahren", "Change in child poverty over 2 years"),
    "mss_youth_unemployment_pct": (_K, "KI_01", "%", "Jugendarbeitslosigkeit", "Youth unemployment"),
    "mss_single_parents_pct": (_K, "KI_02", "%", "Alleinerziehende Haushalte", "Single-parent households"),
    "mss_old_age_poverty_pct": (_K, "KI_03", "%", "Altersarmut", "Old-age poverty"),
    "mss_children_mig_bg_pct": (_K, "KI_04", "%", "Kinder und Jugendliche mit Migrationshintergrund",
                                "Children and adolescents with migration background"),
    "mss_residents_mig_bg_pct": (_K, "KI_05", "%", "Einwohnerinnen und Einwohner mit Migrationshintergrund",
                                 "Residents with migration background"),
    "mss_foreigners_pct": (_K, "KI_16", "%", "Ausländerinnen und Ausländer", "Foreigners"),
    "mss_foreigners_change_pp": (_K, "KI_06", "pp", "Veränderung Ausländeranteil in 2 Jahren",
                                 "Change in share of foreigners over 2 years"),
    "mss_non_eu_foreigners_pct": (_K, "KI_17", "%", "Nicht-EU-Ausländerinnen und -Ausländer", "Non-EU foreigners"),
    "mss_foreign_transfer_pct": (_K, "KI_07", "%", "Ausländische Transferbeziehende (SGB II)", "Foreign transfer recipients (SGB II)"),
    "mss_simple_housing_pct": (_K, "KI_09", "%", "Einwohner in einfacher Wohnlage", "Residents in simple residential areas"),
    "mss_residence_5y_pct": (_K, "KI_10", "%", "Wohndauer über 5 Jahre", "Residence over 5 years"),
    "mss_migration_volume_pct": (_K, "KI_11", "% p.a.", "Wanderungsvolumen", "Migration volume"),
    "mss_migration_balance_pct": (_K, "KI_12", "% p.a.", "Wanderungssaldo", "Net migration"),
    "mss_migration_balance_under6_pct": (_K, "KI_13", "% p.a.", "Wanderungssaldo unter 6-Jährige", "Net migration of children under 6"),
}
# KI_08, KI_14 and KI_15 are published on the old 447-area LOR scheme and are deliberately not read.
CLASS_VALUES = {"SI_N": {1, 2, 3, 4}, "DI_N": {1, 3, 5}, EJ_GREEN: {0, 1, 2, 3},
                "SDI_N": {10 * s + d for s in (1, 2, 3, 4) for d in (1, 3, 5)}}
CLASSES = {
    "mss_status_class": {"1": "hoch / high", "2": "mittel / medium", "3": "niedrig / low", "4": "sehr niedrig / very low"},
    "mss_dynamics_class": {"1": "positiv / positive", "3": "stabil / stable", "5": "negativ / negative"},
    "ej_green_supply_class": {"1": "gut / good", "2": "mittel / medium", "3": "schlecht / poor"},
}
_PLR_TABLE = Table("plr_rows", "rows keyed by Planungsraum", (Column("unit_id", "id", pattern=PLR_PATTERN),),
                   key=("unit_id",), unit_refs=("unit_id",))


def _plr_rows(raw: pd.DataFrame, id_col: str, plr_ids: set[str]) -> pd.Series:
    """Checked 8-digit PLR ids of a raw per-PLR table (form, known unit, unique)."""
    ids = pad_ids(raw[id_col], 8)
    check_raw(_PLR_TABLE, tag(pd.DataFrame({"unit_id": ids, ROW_COLUMN: raw[ROW_COLUMN]}), source_of(raw)),
              {"unit_id": id_col}, plr_ids)
    return ids


def _values(raw: pd.DataFrame, column: str, rows: np.ndarray) -> pd.Series:
    """Numeric values of `column` on `rows`; missing, unparsable, -9999 or out-of-class values are errors."""
    text = raw[column].astype("string").str.strip()
    num = pd.to_numeric(text, errors="coerce")
    bad = rows & (num.isna() | (num == -9999)).to_numpy(dtype=bool)
    if column in CLASS_VALUES:
        bad |= rows & ~num.isin(CLASS_VALUES[column]).to_numpy(dtype=bool)
    fail_if([Problem(source_of(raw), int(r), column, "empty value although the row is valid" if pd.isna(v)
                     else f"{v!r} is not one of the classes {sorted(CLASS_VALUES[column])}" if column in CLASS_VALUES
                     else f"{v!r} is not a valid value")
             for r, v in list(zip(raw.loc[bad, ROW_COLUMN], text[bad]))[:25]])
    return num


def _mss_period(raw: pd.DataFrame) -> str:
    """ISO date of the MSS data (ZEIT = YYYYMM → last day of that month)."""
    zeit = raw["ZEIT"].astype("string").str.strip()
    bad = (~zeit.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])") | (zeit != zeit.iloc[0])).fillna(True).astype(bool)
    fail_if([Problem(source_of(raw), int(r), "ZEIT", f"{v!r} is not the data month YYYYMM shared by all rows")
             for r, v in list(zip(raw.loc[bad, ROW_COLUMN], zeit[bad]))[:25]])
    year, month = int(zeit.iloc[0][:4]), int(zeit.iloc[0][4:])
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def read_mss(berlin_dir: Path, plr_ids: set[str]) -> tuple[pd.DataFrame, str]:
    """MSS 2021 values (long format) for the Planungsräume with KOM = gültig, and the data date."""
    frames, period = [], None
    for key, rel in MSS_FILES.items():
        columns = [raw_col for f, raw_col, *_ in MSS_INDICATORS.values() if f == key]
        raw = read_csv(berlin_dir, rel, f"MSS 2021 {key}", ["ZEIT", "PLR_ID", "KOM", *columns])
        ids = _plr_rows(raw, "PLR_ID", plr_ids)
        period = _mss_period(raw)
        valid = (raw["KOM"].astype("string").str.strip() == MSS_VALID).fillna(False).to_numpy(dtype=bool)
        for indicator, (f, raw_col, *_) in MSS_INDICATORS.items():
            if f == key:
                values = _values(raw, raw_col, valid)
                frames.append(pd.DataFrame({"unit_id": ids[valid], "period": period, "indicator": indicator,
                                            "value": values[valid].astype("float64")}))
    return pd.concat(frames, ignore_index=True), period


def read_environmental_justice(berlin_dir: Path, plr_ids: set[str]) -> pd.DataFrame:
    """Green-space supply class of the environmental-justice atlas 2021/22 (1 good … 3 poor; 0 = not rated, skipped)."""
    raw = read_csv(berlin_dir, EJ_FILE, "environmental justice per Planungsraum (Umweltgerechtigkeit 2021/22)",
                   ["Planungsraum-ID", EJ_GREEN])
    ids = _plr_rows(raw, "Planungsraum-ID", plr_ids)
    values = _values(raw, EJ_GREEN, np.ones(len(raw), dtype=bool))
    rated = (values > 0).to_numpy()
    return pd.DataFrame({"unit_id": ids[rated], "period": EJ_PERIOD, "indicator": "ej_green_supply_class",
                         "value": values[rated].astype("float64")})


def indicator_metadata(mss_period: str) -> dict[str, dict]:
    """``manifest.indicators``: title, unit, source key and period of every indicator."""
    meta = {ind: {"title_de": de, "title_en": en, "unit": unit, "source": "mss", "period": mss_period,
                  "raw_column": col, "note": "MSS 2021; only Planungsräume with valid index values (KOM = gültig)"}
            for ind, (_, col, unit, de, en) in MSS_INDICATORS.items()}
    meta["ej_green_supply_class"] = {
        "title_de": "Grünflächenversorgung (Umweltgerechtigkeit 2021/22)",
        "title_en": "Green-space supply (environmental justice 2021/22)",
        "unit": "class", "source": "umweltgerechtigkeit", "period": EJ_PERIOD, "raw_column": EJ_GREEN,
        "note": "1 = good, 2 = medium, 3 = poor supply; Planungsräume without rating (0) are left out",
    }
    for ind, classes in CLASSES.items():
        meta[ind]["classes"] = classes
    return meta


def read_indicators(berlin_dir: Path, plr_ids: set[str]) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Indicators table (unit_id, period, indicator, value) and the manifest metadata of each indicator."""
    mss, period = read_mss(berlin_dir, plr_ids)
    indicators = pd.concat([mss, read_environmental_justice(berlin_dir, plr_ids)], ignore_index=True)
    indicators["unit_id"] = indicators["unit_id"].astype("string")
    return tag(indicators, f"{MSS_DIR}/… + {EJ_FILE}"), indicator_metadata(period)
