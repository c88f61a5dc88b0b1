"""Plots of a projection.

Each ``*_figure`` function is pure: data in, :class:`matplotlib.figure.Figure` out (no pyplot state, no
backend switching, so the figures also show in a notebook); the ``plot_*`` functions write PNGs.
"""

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
    "pyramid_figure",
    "zone_pyramids_figure",
    "dependency_figure",
    "growth_map_figure",
    "demand_figure",
]


def _figure(w: float, h: float, layout: str | None = "constrained"):
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), layout=layout)


def _save(fig, path: Path, dpi: int = 100) -> Path:
    fig.savefig(path, dpi=dpi, metadata={"Software": None})
    return Path(path)


def _thousands(ax, axis: str = "x", absolute: bool = False) -> None:
    from matplotlib.ticker import FuncFormatter

    f = FuncFormatter(lambda v, _: f"{abs(v) if absolute else v:,.0f}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(f)


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
    """Write :func:`pyramid_figure` as a PNG (or draw into ``ax`` and save its figure)."""
    fig = pyramid_figure(ds, zone=zone, variant=variant, ax=ax)
    return _save(fig, path, dpi=80)


def pyramid_figure(ds: xr.Dataset, *, zone: str | None = None, variant: str | None = None, ax=None):
    """Population pyramid, base year (filled) vs horizon (outline), whole place or one zone.

    The x axis counts residents per single year of age (males to the left, both sides positive).
    Pass ``ax`` to draw into an existing axes (cleared first); returns the figure.
    """
    variant = variant or str(ds.variant.values[0])
    pop = ds.population.sel(variant=variant)
    pop = pop.sel(zone=zone) if zone is not None else pop.sum("zone")
    y0, y1 = int(ds.year.values[0]), int(ds.year.values[-1])
    ages = ds.age.values
    edges = np.append(ages, ages[-1] + 1).astype(float)
    if ax is None:
        fig = _figure(6, 6)
        ax = fig.add_subplot()
    else:
        fig = ax.figure
        ax.cla()
    base, hor = pop.sel(year=y0), pop.sel(year=y1)
    for sex, sign, colour, word in (("M", -1.0, "tab:blue", "males"), ("F", 1.0, "tab:red", "females")):
        ax.stairs(sign * base.sel(sex=sex).values, edges, orientation="horizontal", fill=True, alpha=0.45,
                  color=colour, label=f"{word}, {y0}")
        ax.stairs(sign * hor.sel(sex=sex).values, edges, orientation="horizontal", color="black", linewidth=0.8,
                  label=f"{y1} (outline)" if sex == "F" else None)
    lim = float(abs(pop).max()) * 1.05 or 1.0
    ax.set_xlim(-lim, lim)
    _thousands(ax, "x", absolute=True)
    ax.set_xlabel("residents per single year of age (males left, females right)")
    ax.set_ylabel("age in years (90 = 90 and over)")
    ax.set_title(f"{zone or 'Whole place'}: population by age and sex, {y0} vs {y1} ({variant.replace('_', ' ')})",
                 fontsize=9, pad=22)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.04), fontsize=8, ncols=3, frameon=False)
    return fig


def plot_dependency(ds: xr.Dataset, path: Path) -> Path:
    """Write :func:`dependency_figure` as a PNG."""
    return _save(dependency_figure(ds), path)


def dependency_figure(ds: xr.Dataset):
    """Old-age dependency ratio over time, one line per variant."""
    r = old_age_dependency(ds)
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    for v in r.variant.values:
        ax.plot(r.year.values, r.sel(variant=v).values, label=str(v).replace("_", " "))
    ax.set_xlabel("year")
    ax.set_ylabel("residents aged 65+ per 1,000 aged 16-64")
    ax.set_title("Old-age dependency ratio by projection variant", fontsize=9)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="variant", title_fontsize=8)
    return fig


def plot_growth_map(ds: xr.Dataset, place, path: Path, *, variant: str | None = None, min_age: int = 85) -> Path:
    """Write :func:`growth_map_figure` as a PNG."""
    return _save(growth_map_figure(ds, place, variant=variant, min_age=min_age), path)


def growth_map_figure(ds: xr.Dataset, place, *, variant: str | None = None, min_age: int = 85):
    """Map of the growth of residents aged ``min_age``+ by zone, base year to horizon (% change), each
    zone labelled with its code and its growth."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon as MplPolygon

    variant = variant or str(ds.variant.values[0])
    old = ds.population.sel(variant=variant).where(ds.age >= min_age).sum(("age", "sex"))
    b, h = old.isel(year=0).values, old.isel(year=-1).values
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(b > 0, 100.0 * (h - b) / b, np.nan)
    by_code = dict(zip([str(z) for z in ds.zone.values], growth))
    patches, values, labels = [], [], []
    for z in place.zones:
        geom = getattr(z, "geometry", None)
        if geom is None:
            continue
        g = by_code.get(str(z.code), np.nan)
        for poly in getattr(geom, "geoms", [geom]):
            patches.append(MplPolygon(np.asarray(poly.exterior.coords), closed=True))
            values.append(g)
        p = geom.representative_point()
        labels.append((p.x, p.y, f"{z.code}\n{g:+.0f}%" if np.isfinite(g) else str(z.code)))
    fig = _figure(6.5, 6)
    ax = fig.add_subplot()
    if patches:
        coll = PatchCollection(patches, cmap="viridis", edgecolor="white", linewidth=0.4)
        coll.set_array(np.asarray(values))
        ax.add_collection(coll)
        ax.autoscale_view()
        fig.colorbar(coll, ax=ax, label=f"change in residents aged {min_age}+ (%)", shrink=0.8)
        for x, y, text in labels:
            ax.annotate(text, (x, y), ha="center", va="center", fontsize=6, color="white",
                        bbox={"boxstyle": "round,pad=0.1", "fc": "black", "alpha": 0.35, "lw": 0})
    ax.set_aspect("equal")
    ax.set_title(f"Residents aged {min_age}+: change by zone, {int(ds.year[0])} to {int(ds.year[-1])} "
                 f"({variant.replace('_', ' ')})", fontsize=9)
    ax.set_xlabel("zones (labels: code and % change)")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def plot_demand(demand, path: Path, *, variant: str | None = None, units: dict[str, str] | None = None) -> Path:
    """Write :func:`demand_figure` as a PNG."""
    return _save(demand_figure(demand, variant=variant, units=units), path)


def _rule_units(rules, units: dict[str, str] | None) -> dict[str, str]:
    from .demand import DEFAULT_SERVICE_USE

    out = {k: r.unit for k, r in DEFAULT_SERVICE_USE.items()}
    out.update(units or {})
    return {r: out.get(r, "uses a year").replace(" year-1", " a year") for r in rules}


def demand_figure(demand, *, variant: str | None = None, units: dict[str, str] | None = None):
    """Demand vs capacity over time per rule (catchments summed), one panel per rule, in the rule's unit
    (``units``: rule -> unit, default the built-in rules' units, e.g. ``pupil-days year-1``)."""
    df = demand[demand["level"] == "catchment"]
    variant = variant or (df["variant"].iloc[0] if len(df) else None)
    rules = list(dict.fromkeys(df["rule"]))
    unit_of = _rule_units(rules, units)
    n = max(len(rules), 1)
    fig = _figure(7.5, min(2.4 * n + 0.6, 17.0))
    axes = fig.subplots(n, 1, squeeze=False)
    for ax, rule in zip(axes[:, 0], rules):
        sub = df[(df["rule"] == rule) & (df["variant"] == variant)]
        tot = sub.groupby("year")[["demand", "capacity"]].sum()
        ax.plot(tot.index, tot["demand"], label="demand")
        ax.plot(tot.index, tot["capacity"], linestyle="--", label="capacity")
        ax.set_title(f"{rule.replace('_', ' ')}: demand vs capacity, all catchments", fontsize=9)
        ax.set_ylabel(unit_of[rule].replace(" a year", "\na year"), fontsize=8)
        _thousands(ax, "y")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1, 0].set_xlabel("year")
    fig.suptitle(f"Service demand against capacity ({str(variant).replace('_', ' ')} variant)", fontsize=10)
    return fig


def plot_zone_pyramids(ds: xr.Dataset, path: Path, *, variant: str | None = None, max_zones: int = 60) -> Path:
    """Write :func:`zone_pyramids_figure` as a PNG."""
    return _save(zone_pyramids_figure(ds, variant=variant, max_zones=max_zones), path, dpi=80)


def zone_pyramids_figure(ds: xr.Dataset, *, variant: str | None = None, max_zones: int = 60):
    """Small multiples: one pyramid per zone (base year filled, horizon outlined), shared age and
    residents axes (the scale is printed once, bottom left)."""
    variant = variant or str(ds.variant.values[0])
    zones = list(ds.zone.values)[:max_zones]
    ncol = int(np.ceil(np.sqrt(len(zones))))
    nrow = int(np.ceil(len(zones) / ncol))
    fig = _figure(min(2.0 * ncol, 16.0), min(2.0 * nrow + 0.6, 22.0), layout=None)
    axes = fig.subplots(nrow, ncol, sharex=True, sharey=True, squeeze=False)
    pop = ds.population.sel(variant=variant).isel(year=[0, -1]).transpose("zone", "year", "sex", "age").values
    ages = ds.age.values
    edges = np.append(ages, ages[-1] + 1).astype(float)
    lim = float(np.abs(pop[..., :-1]).max()) * 1.05 or 1.0  # the open 90+ bar may run off
    sexes = [str(s) for s in ds.sex.values]
    for i, ax in enumerate(axes.flat):
        if i >= len(zones):
            ax.set_axis_off()
            continue
        for sex, sign, colour in (("M", -1.0, "tab:blue"), ("F", 1.0, "tab:red")):
            s_i = sexes.index(sex)
            ax.stairs(sign * pop[i, 0, s_i], edges, orientation="horizontal", fill=True, alpha=0.45, color=colour)
            ax.stairs(sign * pop[i, 1, s_i], edges, orientation="horizontal", color="black", linewidth=0.6)
        ax.set_xlim(-lim, lim)
        ax.set_title(str(zones[i]), fontsize=8, pad=2)
        ax.tick_params(labelsize=6)
    _thousands(axes[-1, 0], "x", absolute=True)
    axes[-1, 0].set_xlabel("residents per year of age", fontsize=7)
    axes[-1, 0].set_ylabel("age", fontsize=7)
    fig.suptitle(f"Population by age and sex in each zone: {int(ds.year[0])} filled, {int(ds.year[-1])} outline; "
                 f"males left, females right ({variant.replace('_', ' ')})", fontsize=9)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.07, top=0.92, wspace=0.08, hspace=0.35)
    return fig


def plot_all(ds: xr.Dataset, place, demand, out_dir: Path, *, units: dict[str, str] | None = None) -> dict[str, Path]:
    """Every projection plot into ``out_dir``: pyramids (place and per zone), dependency, 85+ map, demand."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return {"plots/pyramid.png": plot_pyramid(ds, out_dir / "pyramid.png"),
            "plots/pyramids_by_zone.png": plot_zone_pyramids(ds, out_dir / "pyramids_by_zone.png"),
            "plots/dependency_ratio.png": plot_dependency(ds, out_dir / "dependency_ratio.png"),
            "plots/growth_85plus.png": plot_growth_map(ds, place, out_dir / "growth_85plus.png"),
            "plots/demand.png": plot_demand(demand, out_dir / "demand.png", units=units)}
