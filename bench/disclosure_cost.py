"""What the portal's protection costs in accuracy on real Berlin: how many counts the cell-key method changes and by
how much, how far shares move, and how many values the primary rule hides (all groups, Stichtage and unit levels)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from layers.settings import load_settings

from .common import Row


def bench_disclosure_cost(settings, folder: Path) -> list[Row]:
    from layers.bundle import load_bundle
    from layers.migrant_concentration import available_groups
    from layers.publication import computing_bundle
    from layers.query import check_query, run_query
    from layers.spatial.basis import Basis

    bundle = load_bundle(folder)
    with tempfile.TemporaryDirectory(prefix="qa-secret-") as tmp:
        portal = load_settings(settings.config_path, mode="portal", cache_type="NullCache", cell_key_secret_file=str(Path(tmp) / "s"))
        planner = load_settings(settings.config_path, mode="planner", cache_type="NullCache")
        published = computing_bundle(bundle, portal)
        start = time.perf_counter()
        deltas = []
        for period in bundle.periods:
            for lvl in bundle.levels:
                basis = Basis(level=lvl.id)
                true = bundle.counts(basis, period).frame
                pub = published.counts(basis, period).frame.reindex_like(true)
                d = (pub - true).to_numpy(dtype=float)
                deltas.append(d[np.isfinite(d) & (true.to_numpy(dtype=float) > 0)])
        d = np.concatenate(deltas)
        groups = [g.id for g in available_groups(bundle)]
        hidden = flagged = values = 0
        share_moves = []
        for period in bundle.periods:
            for lvl in bundle.levels:
                for group in groups:
                    q = check_query(bundle, portal, "migration_share", lvl.id, period, group)
                    p = run_query(bundle, portal, q).values
                    t = run_query(bundle, planner, q).values
                    values += len(p)
                    hidden += int(p["suppressed"].sum())
                    flagged += int(t["suppressed"].sum())
                    both = p["value"].notna() & t["value"].notna()
                    share_moves.append((p["value"] - t["value"])[both].abs().to_numpy())
        moves = np.concatenate(share_moves)
        secs = time.perf_counter() - start
    scope = f"Berlin, {len(bundle.periods)} Stichtage × {len(bundle.levels)} levels"
    return [
        Row("cell-key: person counts changed", "–", f"{100 * (d != 0).mean():.1f} %", None, f"{len(d):,} positive counts; {scope}, every column"),
        Row("cell-key: mean |change| of a count", "≈ 0.9 persons", f"{np.abs(d).mean():.2f} persons", None,
            f"max {np.abs(d).max():.0f} (totals raised to fit their parts); p-table sd 1.26"),
        Row("migration share: mean |change|", "< 0.5 pp", f"{moves.mean():.3f} pp", moves.mean() < 0.5,
            f"95th percentile {np.percentile(moves, 95):.3f} pp, max {moves.max():.2f} pp; {len(groups)} groups"),
        Row("migration share: values not shown (portal)", "–", f"{hidden:,} of {values:,} ({100 * hidden / values:.1f} %)", None,
            f"planner flags {flagged:,} by the primary rule; no secondary suppression needed; {secs:.0f} s"),
    ]
