"""Plots of a projection (matplotlib imported inside functions, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

__all__ = [
    "old_age_dependency",
    "plot_all",
    "plot_demand",
    "plot_dependency",
    "plot_growth_map",
    "plot_pyramid",
    "plot_zone_pyramids",
]


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def old_age_dependency(ds: xr.Dataset) -> xr.DataArray:
    """Old-age dependency ratio per 1,000: residents 65+ per 1,000 aged 16-64 (dims variant, year)."""
    pop = ds.population.sum(("zone", "sex"))
    old = pop.where(pop.age >= 65).sum("age")
    work = pop.where((pop.age >= 16) & (pop.age <= 64)).sum("age")
    r = 1000.0 * old / work
    r.attrs = {"units": "1", "long_name": "people 65+ per 1,000 aged 16-64"}
    return r


def plot_pyramid(ds: xr.Dataset, path: Path, *, zone: str | None = None, variant: str | None = None,
                 ax=None) -> Path:
    """Population pyramid, base year (filled) vs horizon (outline), whole place or one zone.

    Pass ``ax`` to draw into an existing (cleared) axes and save its figure (faster for many zones).
    """
    plt = _plt()
    variant = variant or str(ds.variant.values[0])
    pop = ds.population.sel(variant=variant)
    pop = pop.sel(zone=zone) if zone is not None else pop.sum("zone")
    y0, y1 = int(ds.year.values[0]), int(ds.year.values[-1])
    ages = ds.age.values
    edges = np.append(ages, ages[-1] + 1).astype(float)
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(6, 6), layout="constrained")
    else:
        fig = ax.figure
        ax.cla()
    base, hor = pop.sel(year=y0), pop.sel(year=y1)
    for sex, sign, colour in (("M", -1.0, "tab:blue"), ("F", 1.0, "tab:red")):
        ax.stairs(sign * base.sel(sex=sex).values, edges, orientation="horizontal", fill=True, alpha=0.45,
                  color=colour, label=f"{y0} {sex}")
        ax.stairs(sign * hor.sel(sex=sex).values, edges, orientation="horizontal", color="black", linewidth=0.8,
                  label=f"{y1}" if sex == "F" else None)
    lim = float(abs(pop).max()) * 1.05 or 1.0
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("residents (males left, females right)")
    ax.set_ylabel("age (90 = 90+)")
    ax.set_title(f"{zone or 'whole place'}: {y0} vs {y1} ({variant})")
    ax.legend(loc="upper right", fontsize=8)
    fig.savefig(path, dpi=80)
    if own:
        plt.close(fig)
    return Path(path)


def plot_dependency(ds: xr.Dataset, path: Path) -> Path:
    """Old-age dependency ratio over time, one line per variant."""
    plt = _plt()
    r = old_age_dependency(ds)
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for v in r.variant.values:
        ax.plot(r.year.values, r.sel(variant=v).values, label=str(v))
    ax.set_xlabel("year")
    ax.set_ylabel(r.attrs["long_name"])
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_growth_map(ds: xr.Dataset, place, path: Path, *, variant: str | None = None, min_age: int = 85) -> Path:
    """Map of the growth of residents aged ``min_age``+ by zone, base year to horizon (% change)."""
    plt = _plt()
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon as MplPolygon

    variant = variant or str(ds.variant.values[0])
    old = ds.population.sel(variant=variant).where(ds.age >= min_age).sum(("age", "sex"))
    b, h = old.isel(year=0).values, old.isel(year=-1).values
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(b > 0, 100.0 * (h - b) / b, np.nan)
    patches, values = [], []
    for z, g in zip(place.zones, growth):
        geom = getattr(z, "geometry", None)
        if geom is None:
            continue
        for poly in getattr(geom, "geoms", [geom]):
            patches.append(MplPolygon(np.asarray(poly.exterior.coords), closed=True))
            values.append(g)
    fig, ax = plt.subplots(figsize=(6, 6), layout="constrained")
    if patches:
        coll = PatchCollection(patches, cmap="viridis", edgecolor="white", linewidth=0.4)
        coll.set_array(np.asarray(values))
        ax.add_collection(coll)
        ax.autoscale_view()
        fig.colorbar(coll, ax=ax, label=f"% change in {min_age}+ residents")
    ax.set_aspect("equal")
    ax.set_title(f"{min_age}+ growth {int(ds.year[0])}-{int(ds.year[-1])} ({variant})")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_demand(demand, path: Path, *, variant: str | None = None) -> Path:
    """Demand vs capacity over time per rule (catchments summed), one panel per rule."""
    plt = _plt()
    df = demand[demand["level"] == "catchment"]
    variant = variant or (df["variant"].iloc[0] if len(df) else None)
    rules = list(dict.fromkeys(df["rule"]))
    fig, axes = plt.subplots(max(len(rules), 1), 1, figsize=(7, 2.6 * max(len(rules), 1)), squeeze=False,
                             layout="constrained")
    for ax, rule in zip(axes[:, 0], rules):
        sub = df[(df["rule"] == rule) & (df["variant"] == variant)]
        tot = sub.groupby("year")[["demand", "capacity"]].sum()
        ax.plot(tot.index, tot["demand"], label="demand")
        ax.plot(tot.index, tot["capacity"], linestyle="--", label="capacity")
        ax.set_title(f"{rule} ({variant})", fontsize=9)
        ax.legend(fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_zone_pyramids(ds: xr.Dataset, path: Path, *, variant: str | None = None, max_zones: int = 60) -> Path:
    """Small multiples: one pyramid per zone (base year filled, horizon outlined), shared age axis."""
    plt = _plt()
    variant = variant or str(ds.variant.values[0])
    zones = list(ds.zone.values)[:max_zones]
    ncol = int(np.ceil(np.sqrt(len(zones))))
    nrow = int(np.ceil(len(zones) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.0 * ncol, 2.0 * nrow), sharey=True, squeeze=False)
    pop = ds.population.sel(variant=variant).isel(year=[0, -1]).transpose("zone", "year", "sex", "age").values
    ages = ds.age.values
    edges = np.append(ages, ages[-1] + 1).astype(float)
    for i, ax in enumerate(axes.flat):
        if i >= len(zones):
            ax.set_axis_off()
            continue
        for s_i, sign, colour in ((1, -1.0, "tab:blue"), (0, 1.0, "tab:red")):  # SEXES = (F, M)
            ax.stairs(sign * pop[i, 0, s_i], edges, orientation="horizontal", fill=True, alpha=0.45, color=colour)
            ax.stairs(sign * pop[i, 1, s_i], edges, orientation="horizontal", color="black", linewidth=0.6)
        lim = float(np.abs(pop[i][..., :-1]).max()) * 1.05 or 1.0  # the open 90+ bar may run off
        ax.set_xlim(-lim, lim)
        ax.set_xticks([])
        ax.set_title(str(zones[i]), fontsize=8, pad=2)
    fig.suptitle(f"{int(ds.year[0])} (filled) vs {int(ds.year[-1])} (line), M left F right, {variant}", fontsize=9)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.02, top=0.92, wspace=0.05, hspace=0.3)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return Path(path)


def plot_all(ds: xr.Dataset, place, demand, out_dir: Path) -> dict[str, Path]:
    """Every projection plot into ``out_dir``: pyramids (place and per zone), dependency, 85+ map, demand."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return {"plots/pyramid.png": plot_pyramid(ds, out_dir / "pyramid.png"),
            "plots/pyramids_by_zone.png": plot_zone_pyramids(ds, out_dir / "pyramids_by_zone.png"),
            "plots/dependency_ratio.png": plot_dependency(ds, out_dir / "dependency_ratio.png"),
            "plots/growth_85plus.png": plot_growth_map(ds, place, out_dir / "growth_85plus.png"),
            "plots/demand.png": plot_demand(demand, out_dir / "demand.png")}
