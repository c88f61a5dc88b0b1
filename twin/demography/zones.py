"""Zones keyed by ONS code with a vintage, and re-aggregation to another vintage via a lookup.

Ward boundaries change (ONS publishes a new ward code set, e.g. ``WD23CD`` then ``WD24CD``).
A projection is made on the place's zones, whose codes belong to one vintage
(``demography.zone_code_vintage``); a user-supplied lookup CSV (``demography.zone_lookup``)
with columns ``<old vintage>,<new vintage>,share`` moves each old zone's residents to the new
zones (``share``: fraction of the old zone's residents in the new one; an old zone's shares
sum to 1, e.g. from ONS's best-fit lookups or an address count). The re-aggregated
projection is written as ``projection_<NEW>.csv`` (variant, year, <NEW>, sex, age band).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import PlaceDataError

__all__ = ["read_zone_lookup", "reaggregate"]


def read_zone_lookup(path: Path, vintage: str, zones: list[str]) -> tuple[str, list[str], np.ndarray]:
    """``(new vintage, new codes, shares (old zone x new zone))`` from a lookup CSV."""
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise PlaceDataError("file not found", file=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    if vintage not in df.columns:
        raise PlaceDataError("missing column", file=path, field=vintage,
                             hint=f"the lookup needs the place's code column {vintage}, a new code column and share")
    others = [c for c in df.columns if c not in (vintage, "share")]
    if len(others) != 1 or "share" not in df.columns:
        raise PlaceDataError("a lookup has three columns: old code, new code, share", file=path,
                             field=",".join(df.columns), hint=f"e.g. {vintage},WD24CD,share")
    new = others[0]
    codes = sorted(set(df[new].str.strip()))
    idx_old = {z: i for i, z in enumerate(zones)}
    idx_new = {z: i for i, z in enumerate(codes)}
    shares = np.zeros((len(zones), len(codes)))
    for i, row in df.iterrows():
        old = row[vintage].strip()
        if old not in idx_old:
            raise PlaceDataError("zone not in the place", file=path, field=vintage, value=old, line=i + 2)
        try:
            s = float(row["share"])
        except ValueError:
            s = float("nan")
        if not 0 <= s <= 1:
            raise PlaceDataError("share must be between 0 and 1", file=path, field="share", value=row["share"],
                                 line=i + 2)
        shares[idx_old[old], idx_new[row[new].strip()]] += s
    total = shares.sum(axis=1)
    bad = np.flatnonzero(np.abs(total - 1) > 1e-6)
    if bad.size:
        raise PlaceDataError("an old zone's shares must sum to 1", file=path, field="share",
                             value=f"{zones[bad[0]]}: {total[bad[0]]:g}")
    return new, codes, shares


def reaggregate(population: xr.DataArray, vintage: str, lookup: Path) -> xr.DataArray:
    """``population`` (any dims including ``zone``) moved onto the lookup's new zones (dim named by the new vintage)."""
    zones = [str(z) for z in population.zone.values]
    new, codes, shares = read_zone_lookup(lookup, vintage, zones)
    w = xr.DataArray(shares, dims=("zone", new), coords={"zone": population.zone.values, new: codes})
    out = (population * w).sum("zone")
    out[new].attrs = {"long_name": f"zone code (ONS {new})"}
    return out.assign_attrs(population.attrs)
