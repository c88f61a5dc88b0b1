"""Plots of a projection (matplotlib imported inside functions, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

__all__ = ["old_age_dependency", "plot_all", "plot_demand", "plot_dependency", "plot_growth_map", "plot_pyramid"]


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


def plot_pyramid(ds: xr.Dataset, path: Path, *, zone: str | None = None, variant: str | None = None) -> Path:
    """Population pyramid, base year (filled) vs horizon (outline), whole place or one zone."""
    plt = _plt()
    variant = variant or str(ds.variant.values[0])
    pop = ds.population.sel(variant=variant)
    pop = pop.sel(zone=zone) if zone is not None else pop.sum("zone")
    y0, y1 = int(ds.year.values[0]), int(ds.year.values[-1])
    ages = ds.age.values
    fig, ax = plt.subplots(figsize=(6, 6))
    for year, style in ((y0, dict(alpha=0.5)), (y1, dict(fill=False, edgecolor="black", linewidth=0.6))):
        p = pop.sel(year=year)
        ax.barh(ages, -p.sel(sex="M").values, height=1.0, label=f"{year} M" if style.get("alpha") else f"{year}",
                color="tab:blue", **style)
        ax.barh(ages, p.sel(sex="F").values, height=1.0, label=f"{year} F" if style.get("alpha") else None,
                color="tab:red", **style)
    lim = float(abs(pop).max()) * 1.05 or 1.0
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("residents (males left, females right)")
    ax.set_ylabel("age (90 = 90+)")
    ax.set_title(f"{zone or 'whole place'}: {y0} vs {y1} ({variant})")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_dependency(ds: xr.Dataset, path: Path) -> Path:
    """Old-age dependency ratio over time, one line per variant."""
    plt = _plt()
    r = old_age_dependency(ds)
    fig, ax = plt.subplots(figsize=(7, 4))
    for v in r.variant.values:
        ax.plot(r.year.values, r.sel(variant=v).values, label=str(v))
    ax.set_xlabel("year")
    ax.set_ylabel(r.attrs["long_name"])
    ax.legend(fontsize=8)
    fig.tight_layout()
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
    fig, ax = plt.subplots(figsize=(6, 6))
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
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_demand(demand, path: Path, *, variant: str | None = None) -> Path:
    """Demand vs capacity over time per rule (catchments summed), one panel per rule."""
    plt = _plt()
    df = demand[demand["level"] == "catchment"]
    variant = variant or (df["variant"].iloc[0] if len(df) else None)
    rules = list(dict.fromkeys(df["rule"]))
    fig, axes = plt.subplots(max(len(rules), 1), 1, figsize=(7, 2.6 * max(len(rules), 1)), squeeze=False)
    for ax, rule in zip(axes[:, 0], rules):
        sub = df[(df["rule"] == rule) & (df["variant"] == variant)]
        tot = sub.groupby("year")[["demand", "capacity"]].sum()
        ax.plot(tot.index, tot["demand"], label="demand")
        ax.plot(tot.index, tot["capacity"], linestyle="--", label="capacity")
        ax.set_title(f"{rule} ({variant})", fontsize=9)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_all(ds: xr.Dataset, place, demand, out_dir: Path, *, max_zone_pyramids: int = 50) -> dict[str, Path]:
    """Every projection plot into ``out_dir``: pyramids (place and per zone), dependency, 85+ map, demand."""
    out_dir = Path(out_dir)
    (out_dir / "pyramids").mkdir(parents=True, exist_ok=True)
    paths = {"plots/pyramid.png": plot_pyramid(ds, out_dir / "pyramid.png"),
             "plots/dependency_ratio.png": plot_dependency(ds, out_dir / "dependency_ratio.png"),
             "plots/growth_85plus.png": plot_growth_map(ds, place, out_dir / "growth_85plus.png"),
             "plots/demand.png": plot_demand(demand, out_dir / "demand.png")}
    for z in list(ds.zone.values)[:max_zone_pyramids]:
        paths[f"plots/pyramids/{z}.png"] = plot_pyramid(ds, out_dir / "pyramids" / f"{z}.png", zone=str(z))
    return paths
