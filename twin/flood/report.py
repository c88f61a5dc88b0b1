"""The report's flood section: EAD and people by option and pathway, depth map, damage curve."""

from __future__ import annotations

import html
from typing import Any

import xarray as xr

__all__ = ["flood_section"]


def flood_section(results: xr.Dataset, zones: Any, png, table) -> str:
    """HTML of the flood section ("" when the results hold no flood model output).

    ``png`` turns a Figure into an ``<img>`` and ``table`` a DataFrame into a table (the report's own).
    """
    if "expected_annual_damage" not in results or "max_depth" not in results:
        return ""
    import pandas as pd

    from twin.plot.flood import damage_exceedance, depth_map, ead_by_option

    mean = results.mean("replicate") if "replicate" in results.dims else results
    rp = float(results.attrs.get("flood_response_return_period", results["return_period"].values[-1]))
    rows = []
    for o in mean["option"].values:
        for p in mean["pathway"].values:
            s = mean.sel(option=o, pathway=p)
            rows.append({"option": str(o), "pathway": str(p),
                         "EAD (£m a year)": float(s["expected_annual_damage"].sum()) / 1e6,
                         f"damage 1-in-{rp:g} (£m)": float(s["flood_damage"].sel(return_period=rp).sum()) / 1e6,
                         "displaced": float(s["displaced"].sel(return_period=rp).sum()),
                         "nearest service lost": float(s["nearest_service_lost"].sel(return_period=rp).sum()),
                         "no alternative": float(s["no_service_alternative"].sel(return_period=rp).sum()),
                         "services closed": float(s["services_closed"].sel(return_period=rp))})
    note = (f"<p class=note>Residents counted for the 1-in-{rp:g}-year event; 'nearest service lost': their nearest "
            "face-to-face service is closed or cut off by water deeper than the passable depth; 'no alternative': and no "
            "open, reachable one nearby. EAD: trapezoid over annual exceedance probability, "
            f"{html.escape(str(results['expected_annual_damage'].attrs.get('truncation', '')))}; 2017 prices.</p>")
    focal = str(results["pathway"].values[-1])
    figs = [png(ead_by_option(results)), png(damage_exceedance(results))]
    for o in results["option"].values:
        figs.append(png(depth_map(results, zones, str(o), focal, rp)))
    return table(pd.DataFrame(rows)) + note + "".join(figs)
