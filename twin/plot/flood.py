"""Flood plots: depth maps with zones and services, EAD by option and pathway, damage-probability curves.

Registered with :func:`twin.plot.core.register_plot` (``twin.plot.core`` imports this module at
its end); each draws only when the results hold the ``flood`` model's variables
(``max_depth``, ``expected_annual_damage``, ``flood_damage``; dims ``option × pathway ×
replicate × ...`` from the run engine).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from twin.plot.core import _figure, _geometry_path, _pathway, _stem, _words, register_plot

__all__ = ["damage_exceedance", "depth_map", "ead_by_option"]


def _runs(results: xr.Dataset, var: str) -> xr.DataArray:
    da = results[var]
    for d in ("option", "pathway", "replicate"):
        if d not in da.dims:
            da = da.expand_dims({d: [str(results.attrs.get(d, "run"))] if d != "replicate" else [0]})
    return da


def depth_map(results: xr.Dataset, zones: Any, option: str, pathway: str, return_period: float):
    """Peak depth (m) of one design event on the place grid, zone outlines and services (closed in red)."""
    from matplotlib.patches import PathPatch

    depth = _runs(results, "max_depth").sel(option=option, pathway=pathway, return_period=return_period)
    depth = depth.isel(replicate=0).values
    x, y = results["x"].values, results["y"].values
    fig = _figure((7.5, 6.0))
    ax = fig.add_subplot()
    shown = np.ma.masked_less(depth, 0.05)
    half = 0.5 * abs(x[1] - x[0]) if x.size > 1 else 50.0
    im = ax.imshow(shown, extent=(x[0] - half, x[-1] + half, y[-1] - half, y[0] + half), cmap="Blues",
                   vmin=0.0, vmax=max(1.0, float(np.nanpercentile(depth[depth > 0.05], 99)) if (depth > 0.05).any() else 1.0))
    fig.colorbar(im, ax=ax, label="maximum depth (m)", shrink=0.8)
    for z in zones or ():
        ax.add_patch(PathPatch(_geometry_path(z.geometry, z.code), fill=False, lw=0.6, ec="#555555"))
    if "services_on_cell" in results:  # services by cell: open ones green, cells with a closed one red
        on = _runs(results, "services_on_cell").sel(option=option, pathway=pathway).isel(replicate=0).values
        shut = _runs(results, "services_closed_on_cell").sel(option=option, pathway=pathway,
                                                             return_period=return_period).isel(replicate=0).values
        X, Y = np.meshgrid(x, y)
        is_open, is_shut = (on - shut) > 0, shut > 0
        ax.scatter(X[is_open], Y[is_open], s=18, marker="s", c="#1b9e77", label="service open", zorder=3)
        ax.scatter(X[is_shut], Y[is_shut], s=30, marker="X", c="#d7191c", label="service closed by water", zorder=4)
        ax.legend(loc="lower right", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlabel("easting (m)")
    ax.set_ylabel("northing (m)")
    ax.set_title(f"Flood depth, 1-in-{return_period:g}-year event\n{option}, {pathway} (water under 5 cm not shown)")
    return fig


def ead_by_option(results: xr.Dataset):
    """Expected annual damage (£m a year) by option and pathway; whiskers: range over replicates."""
    ead = _runs(results, "expected_annual_damage").sum("zone") / 1e6
    options, pathways = [str(o) for o in ead["option"].values], [str(p) for p in ead["pathway"].values]
    fig = _figure((7.0, 1.2 + 0.5 * len(options) * len(pathways)))
    ax = fig.add_subplot()
    h = 0.8 / len(pathways)
    top = float(ead.max()) if ead.size else 0.0
    for j, p in enumerate(pathways):
        sel = ead.sel(pathway=p)
        mean, lo, hi = sel.mean("replicate").values, sel.min("replicate").values, sel.max("replicate").values
        pos = np.arange(len(options)) + (j - (len(pathways) - 1) / 2) * h
        ax.barh(pos, mean, height=h * 0.9, label=_pathway(p), xerr=np.vstack([mean - lo, hi - mean]), capsize=3)
        for yy, m, end in zip(pos, mean, hi):  # the value beyond the whisker, where nothing crosses it
            ax.text(end + 0.01 * top, yy, f"£{m:,.2f}m", va="center", fontsize=8)
    ax.set_xlim(0, top * 1.25 if top > 0 else 1.0)
    ax.set_yticks(np.arange(len(options)), [_words(o) for o in options])
    ax.invert_yaxis()
    ax.set_xlabel("expected annual damage (£m a year, 2017 prices)")
    ax.set_title("Expected annual flood damage by option and pathway\n"
                 "(bars: mean; whiskers: range over the replicates' rainfall, uplift and values)", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=len(pathways), frameon=False)
    return fig


def damage_exceedance(results: xr.Dataset):
    """Damage of each design event (£m) against its annual exceedance probability, per option and pathway."""
    dmg = _runs(results, "flood_damage").sum("zone").mean("replicate") / 1e6
    T = dmg["return_period"].values.astype(float)
    p = 1.0 - np.exp(-1.0 / T)
    fig = _figure((7.0, 4.5))
    ax = fig.add_subplot()
    styles = ("-", "--", ":", "-.")
    for i, o in enumerate(dmg["option"].values):
        for j, pw in enumerate(dmg["pathway"].values):
            ax.plot(p * 100, dmg.sel(option=o, pathway=pw).values, styles[j % 4], marker="o", color=f"C{i}",
                    label=f"{_words(o)}, {_pathway(pw)}")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xticks(p * 100, [f"{100 * q:.2g}%\n(1 in {t:g})" for q, t in zip(p, T)])
    ax.set_xlabel("annual exceedance probability")
    ax.set_ylabel("damage to buildings (£m, 2017 prices)")
    ax.set_title("Flood damage against annual exceedance probability\n(EAD is the area under each curve)")
    ax.legend(fontsize=7)
    return fig


@register_plot("flood_depth_maps")
def _flood_depth_maps(results, zones):
    if "max_depth" not in results:
        return
    da = _runs(results, "max_depth")
    rp = float(results.attrs.get("flood_response_return_period", da["return_period"].values[-1]))
    if rp not in da["return_period"].values:
        rp = float(da["return_period"].values[-1])
    for o in da["option"].values:
        for p in da["pathway"].values:
            yield _stem("flood_depth", str(o), str(p), f"1in{rp:g}"), depth_map(results, zones, o, p, rp)


@register_plot("flood_ead")
def _flood_ead(results, zones):
    if "expected_annual_damage" in results:
        yield "flood_ead_by_option", ead_by_option(results)


@register_plot("flood_damage_exceedance")
def _flood_exceedance(results, zones):
    if "flood_damage" in results and "return_period" in results["flood_damage"].dims:
        yield "flood_damage_exceedance", damage_exceedance(results)
