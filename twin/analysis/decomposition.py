"""Separate the climate effect from the demographic one.

UK heat projections report how much of a change in heat deaths comes from a warmer
climate and how much from an older, larger population (e.g. Hajat et al., JECH 2014,
docs/sources.md §1). With results for the projected population (year Y) and the base-year
population, both under ``baseline`` and a warmer pathway, the change splits as::

    total        = F(pop_Y, warm)      - F(pop_base, baseline)
    demographic  = F(pop_Y, baseline)  - F(pop_base, baseline)
    climate      = F(pop_base, warm)   - F(pop_base, baseline)
    interaction  = total - demographic - climate

where F is a whole-place total averaged over replicates. Pathways share their weather
anomalies (common random numbers), so the split is not drowned in weather noise.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from twin._cf import display_units
from twin.errors import TwinError

__all__ = ["decompose"]


def _totals(results: xr.Dataset, variables: list[str]) -> xr.Dataset:
    out = {}
    for v in variables:
        da = results[v]
        dims = [d for d in da.dims if d not in ("option", "pathway", "replicate")]
        out[v] = da.sum(dims).mean("replicate")
    return xr.Dataset(out)


def decompose(future: xr.Dataset, base: xr.Dataset, *, variables: list[str] | None = None,
              reference_pathway: str = "baseline") -> pd.DataFrame:
    """Climate / demographic / interaction parts of the change, per option, warm pathway and variable.

    Parameters
    ----------
    future, base
        Results of the same scenario with the projected population and with the
        base-year population (same options, pathways, replicates and seed).
    variables
        Count variables with a ``time`` dimension to decompose (default: all of them).
    reference_pathway
        The pathway taken as today's climate.
    """
    if reference_pathway not in future["pathway"].values:
        raise TwinError("the climate/demographic decomposition needs the baseline pathway",
                        field="pathways", value=list(map(str, future["pathway"].values)))
    if variables is None:
        variables = [v for v in future.data_vars
                     if "time" in future[v].dims and "option" in future[v].dims
                     and display_units(future[v].attrs).startswith(("person", "1", "death", "case", "contact", "visit"))
                     and not v.endswith("_mean")]
    f = _totals(future, variables)
    b = _totals(base, variables)
    rows = []
    for v in variables:
        for opt in future["option"].values:
            f0 = float(b[v].sel(option=opt, pathway=reference_pathway))
            for pw in future["pathway"].values:
                if pw == reference_pathway:
                    continue
                fy_warm = float(f[v].sel(option=opt, pathway=pw))
                fy_base = float(f[v].sel(option=opt, pathway=reference_pathway))
                fb_warm = float(b[v].sel(option=opt, pathway=pw))
                total = fy_warm - f0
                demographic = fy_base - f0
                climate = fb_warm - f0
                rows.append({
                    "variable": v, "option": str(opt), "pathway": str(pw),
                    "base_population_baseline": f0, "projected_population_warm": fy_warm,
                    "total_change": total, "demographic": demographic, "climate": climate,
                    "interaction": total - demographic - climate,
                    "units": display_units(future[v].attrs),
                })
    return pd.DataFrame(rows)
