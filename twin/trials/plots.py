"""Trial plots: power curve with Monte Carlo intervals, estimated effects, stepped-wedge diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_design", "plot_estimates", "plot_power"]


def _fig(w: float = 6.5, h: float = 4.0) -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(w, h), layout="constrained")


def plot_power(table: Any, path: str | Path, *, target: float | None = 0.8, units: str = "") -> Path:
    """Power against effect size, one line per number of clusters: simulated (Wilson band) and closed form."""
    import matplotlib.pyplot as plt

    fig, ax = _fig()
    for i, (k, g) in enumerate(table.groupby("n_clusters")):
        g = g.sort_values("effect")
        colour = f"C{i % 10}"
        x = g["effect"].to_numpy()
        ax.fill_between(x, g["power_lo"], g["power_hi"], color=colour, alpha=0.2, lw=0)
        ax.plot(x, g["power"], "o-", color=colour, ms=3, label=f"{k} clusters: simulated (95% MC interval)")
        ax.plot(x, g["closed_form"], "--", color=colour, lw=1, label=f"{k} clusters: closed form")
    if target is not None:
        ax.axhline(target, color="0.5", lw=0.8, ls=":")
    d = table.iloc[0]
    ax.set(xlabel=f"effect ({units})" if units else "effect", ylabel="power", ylim=(0, 1.02),
           title=f"Power of a {d['design'].replace('_', ' ')} trial ({int(d['periods'])} period(s), "
                 f"{d['cluster_size']:.0f} per cluster-period, ICC {d['icc']:.3f})")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7, loc="lower right")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_estimates(estimates: Any, path: str | Path, *, true_effect: float | None = None, units: str = "") -> Path:
    """Each simulated trial's estimate with its confidence interval, sorted; the true effect as a line."""
    import matplotlib.pyplot as plt

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
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_design(design: Any, path: str | Path, *, period_labels: list[str] | None = None) -> Path:
    """Clusters × periods diagram (shaded: treated), clusters sorted by crossover and stratum."""
    import matplotlib.pyplot as plt

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
    ax.set_title(f"{design.kind.replace('_', ' ')} allocation: shaded = treated", fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
