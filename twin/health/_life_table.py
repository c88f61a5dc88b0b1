"""Reader of a user's ONS-style life table (CSV) for the baseline mortality.

Columns: ``sex`` (F/M, female/male, or ONS codes 2/1), ``age`` (single years from 0; ages
above 90 are folded into the open group 90+) and either ``mx`` (central death rate) or
``qx`` (probability of dying before the next birthday), as in the ONS National life tables.
Every age 0..90 must be present for both sexes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twin._names import MAX_AGE, SEXES
from twin.errors import PlaceDataError

__all__ = ["read_life_table"]

_SEX_CODES = {"f": 0, "female": 0, "2": 0, "m": 1, "male": 1, "1": 1}


def read_life_table(path: str | Path, n_ages: int = MAX_AGE + 1) -> np.ndarray:
    """Central death rates (2, n_ages), rows F, M, last age open; PlaceDataError on bad input."""
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PlaceDataError(f"cannot read life table ({exc.__class__.__name__})", file=path) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    kind = "mx" if "mx" in df.columns else "qx" if "qx" in df.columns else None
    for col in ("sex", "age"):
        if col not in df.columns:
            raise PlaceDataError("missing column", file=path, field=col, hint="columns: sex, age, and mx or qx")
    if kind is None:
        raise PlaceDataError("missing column", file=path, field="mx", hint="give mx (central death rate) or qx")
    out = np.full((len(SEXES), 200), np.nan)
    for i, row in enumerate(df.itertuples(index=False)):
        rec = dict(zip(df.columns, row, strict=True))
        sex = _SEX_CODES.get(str(rec["sex"]).strip().lower())
        if sex is None:
            raise PlaceDataError("unknown sex", file=path, field="sex", value=rec["sex"], line=i + 2, hint="F or M")
        try:
            age = int(str(rec["age"]).strip().rstrip("+"))
            value = float(rec[kind])
        except ValueError:
            raise PlaceDataError("not a number", file=path, field=f"age/{kind}", value=(rec["age"], rec[kind]),
                                 line=i + 2) from None
        if not 0 <= age < 200 or not np.isfinite(value) or not 0.0 <= value <= (1.0 if kind == "qx" else 10.0):
            raise PlaceDataError(f"{kind} out of range", file=path, field=kind, value=value, line=i + 2)
        out[sex, age] = value
    w = n_ages - 1
    m = np.empty((len(SEXES), n_ages))
    for s in range(len(SEXES)):
        have = np.flatnonzero(~np.isnan(out[s]))
        missing = np.setdiff1d(np.arange(w + 1), have)
        if missing.size:
            raise PlaceDataError(f"missing age {int(missing[0])} for sex {SEXES[s]}", file=path, field="age",
                                 value=int(missing[0]), hint="every single year of age 0..90 must have a row")
        top = int(have.max())
        v = out[s, : top + 1]
        rates = v if kind == "mx" else -np.log1p(-np.minimum(v, 1 - 1e-12))
        m[s, :w] = rates[:w]
        # open group: deaths / person-years of ages w+ in the stationary population
        old = rates[w:]
        q = -np.expm1(-old)
        lx = np.concatenate([[1.0], np.cumprod(1.0 - q[:-1])])
        big_l = np.where(old > 0, lx * q / np.where(old > 0, old, 1.0), lx)
        big_l[-1] = lx[-1] / old[-1] if old[-1] > 0 else np.inf
        m[s, w] = 1.0 / big_l.sum() if np.isfinite(big_l.sum()) else 0.0
        if m[s, w] <= 0:
            raise PlaceDataError("the open age group needs a positive death rate", file=path, field=kind,
                                 value=float(old[-1]))
    return m
