"""Projection views (``projection.nc`` from ``twin project``): pyramids, 85+ growth, demand vs capacity.

Pure functions of the projection Dataset (population by variant × year × zone × sex × age)
and the ``demand.csv`` table the projection wrote; nothing is re-projected.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["demand_figure", "growth", "growth_figure", "pyramid_figure", "summary_table", "variants"]


def variants(ds: xr.Dataset) -> list[str]:
    return [str(v) for v in ds["variant"].values]


def pyramid_figure(ds: xr.Dataset, variant: str, zone: str | None = None, year: int | None = None) -> Any:
    """Pyramid of ``zone`` (or the whole place): base year filled, ``year`` (default the horizon) outlined."""
    from matplotlib.figure import Figure

    pop = ds["population"].sel(variant=variant)
    pop = pop.sel(zone=zone) if zone else pop.sum("zone")
    y0 = int(ds["year"].values[0])
    y1 = int(year if year is not None else ds["year"].values[-1])
    ages = ds["age"].values
    edges = np.append(ages, ages[-1] + 1).astype(float)
    fig = Figure(figsize=(5.6, 5.2), layout="constrained")
    ax = fig.add_subplot()
    for sex, sign, colour in (("M", -1.0, "tab:blue"), ("F", 1.0, "tab:red")):
        ax.stairs(sign * pop.sel(year=y0, sex=sex).values, edges, orientation="horizontal", fill=True, alpha=0.45,
                  color=colour, label=f"{y0} {'males' if sex == 'M' else 'females'}")
        ax.stairs(sign * pop.sel(year=y1, sex=sex).values, edges, orientation="horizontal", color="black",
                  linewidth=0.8, label=str(y1) if sex == "F" else None)
    lim = float(np.abs(pop.sel(year=[y0, y1])).max()) * 1.05 or 1.0
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("residents (males left, females right)")
    ax.set_ylabel("age (90 = 90+)")
    ax.set_title(f"{zone or 'whole place'}: {y0} vs {y1} ({variant.replace('_', ' ')})", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def growth(ds: xr.Dataset, variant: str, min_age: int = 85, year: int | None = None) -> xr.DataArray:
    """Per zone: % change in residents aged ``min_age``+ from the base year to ``year`` (default horizon)."""
    old = ds["population"].sel(variant=variant).where(ds["age"] >= min_age).sum(("age", "sex"))
    b = old.isel(year=0)
    h = old.sel(year=year) if year is not None else old.isel(year=-1)
    out = (100.0 * (h - b) / b.where(b > 0)).reset_coords(drop=True)
    out.attrs = {"units": "%", "long_name": f"change in residents aged {min_age}+"}
    return out


def growth_figure(ds: xr.Dataset, zones: Any, variant: str, min_age: int = 85, year: int | None = None) -> Any:
    """Map of :func:`growth` by zone, or bars by zone when the place's zones are not available."""
    from matplotlib.figure import Figure

    from twin.plot.core import zone_map

    g = growth(ds, variant, min_age, year)
    y0, y1 = int(ds["year"].values[0]), int(year if year is not None else ds["year"].values[-1])
    title = f"{min_age}+ residents, % change {y0}–{y1} ({variant.replace('_', ' ')})"
    if zones:
        return zone_map(zones, g, cmap="viridis", units="% change", title=title).figure
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.bar([str(z) for z in g["zone"].values], g.values)
    ax.set_ylabel("% change")
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    return fig


def demand_figure(demand: pd.DataFrame | None, ds: xr.Dataset, variant: str) -> Any:
    """Demand against capacity over time per service rule (catchments summed), from ``demand.csv``;
    with no demand table, the old-age dependency ratio of every variant."""
    from matplotlib.figure import Figure

    if demand is None or demand.empty:
        from twin.demography.plots import old_age_dependency

        r = old_age_dependency(ds)
        fig = Figure(figsize=(7.0, 3.6), layout="constrained")
        ax = fig.add_subplot()
        for v in r["variant"].values:
            ax.plot(r["year"].values, r.sel(variant=v).values, label=str(v), linewidth=2.2 if str(v) == variant else 1)
        ax.set_ylabel(r.attrs["long_name"])
        ax.legend(fontsize=7)
        return fig
    df = demand[(demand["level"] == "catchment") & (demand["variant"] == variant)]
    rules = list(dict.fromkeys(df["rule"]))
    fig = Figure(figsize=(7.0, 1.2 + 2.0 * max(len(rules), 1)), layout="constrained")
    axes = fig.subplots(max(len(rules), 1), 1, squeeze=False)[:, 0]
    for ax, rule in zip(axes, rules, strict=False):
        tot = df[df["rule"] == rule].groupby("year")[["demand", "capacity"]].sum()
        ax.plot(tot.index, tot["demand"], label="demand")
        ax.plot(tot.index, tot["capacity"], linestyle="--", label="capacity")
        over = tot.index[tot["demand"] > tot["capacity"]]
        if len(over):
            ax.axvline(over[0], color="C3", linewidth=0.8)
            ax.text(over[0], ax.get_ylim()[1], f" over capacity from {over[0]}", color="C3", fontsize=7, va="top")
        ax.set_title(f"{rule.replace('_', ' ')} ({variant.replace('_', ' ')})", fontsize=9)
        ax.legend(fontsize=7)
    return fig


def summary_table(ds: xr.Dataset, year: int | None = None, min_age: int = 85) -> pd.DataFrame:
    """Residents aged ``min_age``+ in the base year and ``year`` (default horizon) by variant, with growth."""
    old = ds["population"].where(ds["age"] >= min_age).sum(("age", "sex", "zone"))
    y0 = int(ds["year"].values[0])
    y1 = int(year if year is not None else ds["year"].values[-1])
    rows = [{"variant": v.replace("_", " "), f"{min_age}+ in {y0}": int(old.sel(variant=v, year=y0)),
             f"{min_age}+ in {y1}": int(old.sel(variant=v, year=y1)),
             "change %": round(100.0 * (float(old.sel(variant=v, year=y1)) / max(float(old.sel(variant=v, year=y0)), 1) - 1), 1)}
            for v in variants(ds)]
    return pd.DataFrame(rows)
