"""Reading and writing population.csv (private; see twin.place): zone x sex x single-year age counts.

Every zone needs every single-year age ``0``..``89`` and ``90+`` for both sexes (zeros written out);
counts are non-negative integers within sane bounds; the text must be UTF-8 (a Latin-1 export is a
one-line error with the byte offset).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from twin._names import MAX_AGE, SEXES
from twin.errors import PlaceDataError

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["MAX_COUNT", "MAX_RESIDENTS", "make_population", "read_population", "write_population"]

#: Sanity bounds (the largest UK local authority has ~1.2 million residents).
MAX_COUNT = 10_000_000          # one zone x sex x single-year age row
MAX_RESIDENTS = 100_000_000     # the whole place


def fail(*args, **kwargs) -> PlaceDataError:
    from twin.place._io import fail as _fail

    return _fail(*args, **kwargs)


def read_population(data: bytes, file: str, zone_codes: tuple[str, ...]) -> np.ndarray:
    """Parse population.csv into ``(zone, sex, age)`` int64 counts in zone order (see :func:`make_population`).

    Every zone needs every single-year age ``0``..``89`` and ``90+`` for both sexes (zeros written
    out): a missing row is an error, not a silent zero.
    """
    from twin._files import decode_utf8

    text = decode_utf8(data, path=file, what="CSV file", error=PlaceDataError)
    try:
        return _parse_population(text, file, zone_codes)
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit, a NUL
        raise fail(file, None, f"is not a readable CSV file ({exc})", has_value=False) from None


def _parse_population(text: str, file: str, zone_codes: tuple[str, ...]) -> np.ndarray:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    need = ("zone_code", "sex", "age", "count")
    if header is None:
        raise fail(file, None, "is empty", has_value=False, hint="columns zone_code,sex,age,count")
    header = [h.strip() for h in header]
    missing = [c for c in need if c not in header]
    if missing:
        raise fail(file, missing[0], "column is missing", header, hint="columns zone_code,sex,age,count")
    col = {c: header.index(c) for c in need}
    zpos = {z: i for i, z in enumerate(zone_codes)}
    counts = np.zeros((len(zone_codes), len(SEXES), MAX_AGE + 1), dtype=np.int64)
    seen = np.zeros(counts.shape, dtype=bool)
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise fail(file, None, "row has too few columns", row, line=lineno)
        code, sex, age, count = (row[col[c]].strip() for c in need)
        if code not in zpos:
            raise fail(file, "zone_code", "is not a zone in zones.geojson", code, line=lineno)
        if sex not in SEXES:
            raise fail(file, "sex", "is not a known sex", sex, line=lineno, hint="use F or M")
        a = _parse_age(age)
        if a is None:
            raise fail(file, "age", "is not a valid age", age, line=lineno, hint=f"use 0..{MAX_AGE - 1} or {MAX_AGE}+")
        try:
            n = float(count)
        except ValueError:
            n = math.nan
        if not math.isfinite(n) or n != int(n) or n < 0:
            raise fail(file, "count", "must be a non-negative integer", count, line=lineno)
        if n > MAX_COUNT:
            raise fail(file, "count", f"more than {MAX_COUNT:,} people of one zone, sex and age", count, line=lineno)
        key = (zpos[code], SEXES.index(sex), a)
        if seen[key]:
            raise fail(file, None, "duplicate row", f"{code},{sex},{age}", line=lineno)
        seen[key] = True
        counts[key] = int(n)
    empty = [z for z in zone_codes if not seen[zpos[z]].any()]
    if empty:
        raise fail(file, "zone_code", "zone has no population rows", empty[0],
                   hint=f"{len(empty)} zone(s) of zones.geojson are missing")
    if not seen.all():
        z, sx, a = (int(i) for i in np.argwhere(~seen)[0])
        age = f"{MAX_AGE}+" if a == MAX_AGE else str(a)
        raise fail(file, "age", "single-year age rows are missing", f"{zone_codes[z]},{SEXES[sx]},{age}",
                   hint=f"{int((~seen).sum())} of {seen.size} zone/sex/age rows missing; every zone needs ages "
                        f"0..{MAX_AGE - 1} and {MAX_AGE}+ for each sex (write 0 for none)")
    total = int(counts.sum())
    if total == 0:
        raise fail(file, "count", "all counts are zero: the place has no residents", 0)
    if total > MAX_RESIDENTS:
        raise fail(file, "count", f"the place has more than {MAX_RESIDENTS:,} residents", total)
    return counts


def _parse_age(text: str) -> int | None:
    if text == f"{MAX_AGE}+":
        return MAX_AGE
    if text.isdigit() and 0 <= int(text) < MAX_AGE:
        return int(text)
    return None


def make_population(counts: np.ndarray, zone_codes: tuple[str, ...] | list[str]) -> xr.DataArray:
    """Wrap a ``(zone, sex, age)`` count array as the Place population DataArray."""
    import xarray as xr

    return xr.DataArray(
        np.asarray(counts, dtype=np.int64), dims=("zone", "sex", "age"),
        coords={"zone": list(zone_codes), "sex": list(SEXES), "age": np.arange(MAX_AGE + 1)},
        name="population",
        attrs={"units": "1", "long_name": f"usual residents by zone, sex and single year of age ({MAX_AGE} = {MAX_AGE}+)"},
    )


def write_population(pop: xr.DataArray, path: Path) -> None:
    """Write population.csv (zone_code,sex,age,count), one row per zone x sex x age."""
    lines = ["zone_code,sex,age,count"]
    vals = np.asarray(pop.transpose("zone", "sex", "age").values)
    ages = [str(a) if a < MAX_AGE else f"{MAX_AGE}+" for a in pop["age"].values]
    for zi, code in enumerate(pop["zone"].values):
        for si, sex in enumerate(pop["sex"].values):
            for ai, age in enumerate(ages):
                lines.append(f"{code},{sex},{age},{int(vals[zi, si, ai])}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
