"""Trial plots: power curve with Monte Carlo intervals, estimated effects, stepped-wedge diagram.

Each ``*_figure`` function is pure: data in, :class:`matplotlib.figure.Figure` out (no pyplot state,
no backend switching, so the figures show in a notebook and save headless); ``plot_*`` write a PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["design_figure", "estimates_figure", "plot_design", "plot_estimates", "plot_power", "power_figure"]


def _fig(w: float = 6.5, h: float = 4.0) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), layout="constrained")
    return fig, fig.add_subplot()


def _save(fig: Any, path: str | Path) -> Path:
    fig.savefig(path, dpi=110, metadata={"Software": None})
    return Path(path)


def _icc_text(icc: float) -> str:
    return f"{icc:.2g}"


def power_figure(table: Any, *, target: float | None = 0.8, units: str = "", max_lines: int = 6) -> Any:
    """Power against effect size, one colour per number of clusters: simulated (line, 95% Monte Carlo band)
    and closed form (dashed). At most ``max_lines`` cluster counts (spread over the range) are drawn;
    the legend sits outside the axes so it never covers the curves."""
    ks = sorted(table["n_clusters"].unique())
    if len(ks) > max_lines:
        ks = [ks[int(round(i))] for i in np.linspace(0, len(ks) - 1, max_lines)]
    fig, ax = _fig(8.0, 4.2)
    for i, k in enumerate(ks):
        g = table[table["n_clusters"] == k].sort_values("effect")
        colour = f"C{i % 10}"
        x = g["effect"].to_numpy()
        ax.fill_between(x, g["power_lo"], g["power_hi"], color=colour, alpha=0.2, lw=0)
        ax.plot(x, g["power"], "o-", color=colour, ms=3, label=f"{k} clusters")
        ax.plot(x, g["closed_form"], "--", color=colour, lw=1)
    if target is not None:
        ax.axhline(target, color="0.5", lw=0.8, ls=":")
        ax.text(ax.get_xlim()[0], target, f" target {target:.0%}", va="bottom", fontsize=7, color="0.4")
    d = table.iloc[0]
    ax.set(xlabel=f"effect of the intervention ({units})" if units else "effect of the intervention",
           ylabel="power (share of trials detecting the effect)", ylim=(0, 1.02))
    ax.set_title(f"Power of a {d['design'].replace('_', ' ')} trial: {int(d['periods'])} period(s), "
                 f"{d['cluster_size']:.0f} people per cluster and period, intra-cluster correlation "
                 f"{_icc_text(float(d['icc']))}\nsolid: simulated, band: 95% Monte Carlo interval; dashed: closed form",
                 fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="clusters", title_fontsize=7)
    return fig


def plot_power(table: Any, path: str | Path, *, target: float | None = 0.8, units: str = "") -> Path:
    """Write :func:`power_figure` as a PNG."""
    return _save(power_figure(table, target=target, units=units), path)


def plot_estimates(estimates: Any, path: str | Path, *, true_effect: float | None = None, units: str = "") -> Path:
    """Write :func:`estimates_figure` as a PNG."""
    return _save(estimates_figure(estimates, true_effect=true_effect, units=units), path)


def estimates_figure(estimates: Any, *, true_effect: float | None = None, units: str = "") -> Any:
    """Each simulated trial's estimate with its confidence interval, sorted; the true effect as a line."""
    fig, ax = _fig()
    for i, (source, g) in enumerate(estimates.groupby("source", sort=False)):
        g = g.sort_values("estimate")
        y = np.arange(len(g)) + (0.3 * i)
        miss = (g["ci_low"] > (true_effect or 0)) | (g["ci_high"] < (true_effect or 0)) if true_effect is not None else None
        ax.hlines(y, g["ci_low"], g["ci_high"], color=f"C{i}", lw=0.8, alpha=0.7)
        ax.plot(g["estimate"], y, "o", color=f"C{i}", ms=2.5, label=f"{source} ({len(g)} trials)")
        if miss is not None and miss.any():
            ax.plot(g["estimate"][miss], y[miss.to_numpy()], "x", color="k", ms=4)
    if true_effect is not None:
        ax.axvline(true_effect, color="k", lw=1, label="effect simulated")
    ax.axvline(0, color="0.6", lw=0.8, ls=":")
    ax.set(xlabel=f"estimated effect ({units})" if units else "estimated effect", ylabel="simulated trial (sorted)",
           title="Estimated effects with confidence intervals (x: interval misses the simulated effect)")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7)
    return fig


def plot_design(design: Any, path: str | Path, *, period_labels: list[str] | None = None) -> Path:
    """Write :func:`design_figure` as a PNG."""
    return _save(design_figure(design, period_labels=period_labels), path)


def design_figure(design: Any, *, period_labels: list[str] | None = None) -> Any:
    """Clusters × periods diagram (shaded: treated), clusters sorted by crossover and stratum."""
    t = design.treated
    order = np.lexsort((np.array(design.strata), -t.sum(axis=1)))
    k, p = t.shape
    fig, ax = _fig(min(2 + 0.9 * p, 10), min(1.5 + 0.22 * k, 12))
    ax.imshow(t[order].astype(float), cmap="Greens", vmin=0, vmax=1.4, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(k), [f"{design.clusters[i]} ({design.strata[i]})" if design.strata[i] != "all"
                             else design.clusters[i] for i in order], fontsize=7)
    ax.set_xticks(range(p), period_labels or [f"P{j + 1}" for j in range(p)], fontsize=7)
    ax.set_xticks(np.arange(-0.5, p), minor=True)
    ax.set_yticks(np.arange(-0.5, k), minor=True)
    ax.grid(which="minor", color="w", lw=1)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("period")
    ax.set_ylabel("cluster (stratum)")
    ax.set_title(f"{design.kind.replace('_', ' ')} allocation: shaded = treated", fontsize=9)
    return fig
