"""Cell-key perturbation of person counts (the method of the German statistical offices for the Zensus 2022).

Every person count the portal publishes is the true count plus a small integer noise that is fixed for that count:
the same people always get the same noise, wherever and however often they are asked for. Nobody without the secret
can compute the noise, so no combination of published figures gives a true count with certainty.

How a noise is chosen (Destatis/ABS cell-key method, adapted to tables that hold counts per record):

1. every *record* — a finest-level unit of a bundle built from unit tables (Berlin's Planungsräume), or an address point
   of a point-based bundle — gets a secret 32-bit record key per period and count column, from a keyed hash of its id;
2. the *cell key* of any published count (a unit of any level, an H3 cell counted from points) is the sum of
   ``count × record key`` over the records in it, modulo 2³²: the same records always give the same cell key, so a
   Bezirksregion made of one Planungsraum shows exactly the Planungsraum's value, never a second noisy copy;
3. the cell key, read as a number in [0, 1), picks the noise from the p-table `NOISE` (inverse of its cumulative
   distribution); true zeros stay zero and no count becomes negative.

References
----------
Giessing, S. and Tent, R. (2019). Concepts for generalising tools implementing the cell key method to the case of
continuous variables. UNECE/Eurostat work session on statistical data confidentiality.
Thompson, G., Broadfoot, S. and Elazar, D. (2013). Methodology for the automatic confidentialisation of statistical
outputs from remote servers at the Australian Bureau of Statistics. UNECE work session on statistical data confidentiality.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

# The p-table: noise (persons) → probability. Symmetric, mean 0, variance 1.59 (sd 1.26); at most ±5 persons.
NOISE: dict[int, float] = {-5: 0.001, -4: 0.004, -3: 0.025, -2: 0.07, -1: 0.2, 0: 0.4, 1: 0.2, 2: 0.07, 3: 0.025, 4: 0.004, 5: 0.001}
MAX_NOISE = max(NOISE)
_VALUES = np.array(sorted(NOISE), dtype=np.int64)
_CUMULATIVE = np.cumsum([NOISE[v] for v in sorted(NOISE)])
_MASK32 = np.uint64(0xFFFFFFFF)


def noise_variance() -> float:
    """Variance of the noise of one count (persons²)."""
    return float(sum(p * v * v for v, p in NOISE.items()))


def load_secret(path: Path | str, create: bool = True) -> bytes:
    """The deployment's cell-key secret (32 random bytes in `path`, created once with mode 0600).

    The secret must stay the same for the life of a portal: a new secret gives every count a new noise, and an outsider
    who saw both could average them. Keep the file out of version control and out of the bundle folder (a rebuild
    keeps it).
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"cell-key secret {path} is missing")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        try:
            os.link(tmp, path)  # atomic, and loses to a worker that created it first
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    secret = path.read_bytes()
    if len(secret) < 16:
        raise ValueError(f"cell-key secret {path} is too short ({len(secret)} bytes; at least 16)")
    return secret


def fingerprint(secret: bytes) -> str:
    """A short public name of a secret (for cache keys; reveals nothing of the secret)."""
    return hashlib.blake2b(secret, digest_size=6, person=b"qa-cellkey-id").hexdigest()


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijective 64-bit mix (so distinct inputs stay distinct)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def record_keys(secret: bytes, record_ids, period: str, columns: list[str]) -> np.ndarray:
    """Secret 32-bit keys, one per record and count column (array of shape (records, columns), uint64 < 2³²).

    Record ids are hashed with SipHash under a key derived from the secret (pandas' `hash_array`); each (period, column)
    gets its own keyed BLAKE2b word; the two are mixed with splitmix64.
    """
    sip = hashlib.blake2b(secret, digest_size=12, person=b"qa-cellkey-rec").hexdigest()[:16]
    ids = pd.util.hash_array(np.array([str(r) for r in record_ids], dtype=object), hash_key=sip, categorize=False)
    words = np.array([int.from_bytes(hashlib.blake2b(f"{period}|{c}".encode(), key=secret[:64], digest_size=8).digest(), "little")
                      for c in columns], dtype=np.uint64)
    return _splitmix64(ids[:, None] ^ words[None, :]) & _MASK32


def cell_keys(counts: np.ndarray, keys: np.ndarray, groups: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Cell keys in [0, 1): Σ count × record key (mod 2³²) over the records of each cell, divided by 2³².

    counts : (records, columns) integer counts (persons); NaN counts as 0.
    keys : (records, columns) record keys from `record_keys`.
    groups : cell position 0..n_groups−1 of every record (None: every record is its own cell).
    """
    c = np.nan_to_num(np.asarray(counts, dtype=float)).round().astype(np.int64).astype(np.uint64) & _MASK32
    with np.errstate(over="ignore"):
        contrib = (c * keys) & _MASK32  # < 2³²: sums of up to 2³² records fit in 64 bits
    if groups is None:
        total = contrib
    else:
        total = np.zeros((n_groups, contrib.shape[1]), dtype=np.uint64)
        np.add.at(total, np.asarray(groups, dtype=np.int64), contrib)
    return (total & _MASK32).astype(np.float64) / 2.0 ** 32


def noise(keys: np.ndarray) -> np.ndarray:
    """The p-table's noise (persons, int64) for cell keys in [0, 1)."""
    return _VALUES[np.minimum(np.searchsorted(_CUMULATIVE, keys, side="right"), len(_VALUES) - 1)]


def perturb(counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Published counts: true count + noise, at least 0; zeros and NaN (no value) stay as they are.

    >>> perturb(np.array([0.0, 10.0, np.nan]), np.array([0.99, 0.5, 0.5]))
    array([ 0., 10., nan])
    >>> bool(abs(perturb(np.array([100.0]), np.array([0.9999]))[0] - 105.0) < 1e-9)
    True
    """
    n = np.asarray(counts, dtype=float)
    out = np.maximum(np.rint(n) + noise(keys), 0.0)
    return np.where(np.isfinite(n) & (n != 0), out, n)
