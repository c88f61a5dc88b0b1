"""The live model: one run of the ``heat_health`` model, built as the engine builds it, stepped day by day.

:func:`build_live_model` returns a constructed, unstepped Mesa model for one
(option, pathway, replicate) of a scenario, at the place's real size, with the same random
streams as the engine's run of it (so stepping it to the end gives that run's records).
:func:`live_figure` draws the state after the days stepped so far: the local temperature of
every grid cell, the alert level day by day, and contacts and unmet demand by channel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.errors import ScenarioError

__all__ = ["ALERT_COLOURS", "build_live_model", "live_figure", "live_summary"]

ALERT_COLOURS = ("#2e7d32", "#f9a825", "#ef6c00", "#c62828")  # green, yellow, amber, red
_ALERT_NAMES = ("green", "yellow", "amber", "red")


def build_live_model(scenario: Any, option: int = 0, pathway: int = 0, replicate: int = 0) -> Any:
    """The model of run (``option``, ``pathway``, ``replicate``) of ``scenario``, constructed and not stepped,
    by the engine (:meth:`twin.run.Ensemble.build_model`: the whole period, the first population)."""
    from twin.run import Ensemble

    if scenario.model != "heat_health":
        raise ScenarioError("the live view steps heat_health models", field="model", value=scenario.model)
    ens = Ensemble(scenario, replicates=max(int(replicate) + 1, 1))
    for name, n, v in (("option", len(ens.options), option), ("pathway", len(ens.pathways), pathway)):
        if not 0 <= int(v) < n:
            raise ScenarioError("out of range", field=name, value=v)
    return ens.build_model(int(option), int(pathway), int(replicate))


def _cum_by_channel(model: Any, name: str) -> np.ndarray:
    return np.asarray(model.records.period[name]).sum(axis=(0, 1))


def live_summary(model: Any) -> dict[str, Any]:
    """Day reached, its date and alert level, and running totals (contacts, unmet demand, deaths)."""
    t = int(model.day)
    rec = model.records
    out = {"day": t + 1, "days": int(model.n_days), "running": bool(model.running)}
    if t >= 0:
        out["date"] = str(model.drivers.time[t].date())
        out["alert"] = _ALERT_NAMES[int(model.levels[t])]
    for v in ("contacts", "unmet_demand", "expected_attributable_deaths", "exposed"):
        out[v] = float(rec.daily[v][: t + 1].sum()) if t >= 0 else 0.0
    return out


def live_figure(model: Any) -> Any:
    """Temperature map of the day just stepped, alert levels so far, contacts and unmet demand by channel."""
    from matplotlib.figure import Figure

    from twin._names import CHANNELS
    from twin.plot.core import _geometry_path

    t = int(model.day)
    place = model.place
    ny, nx = place.grid.sizes["y"], place.grid.sizes["x"]
    xs, ys = place.grid["x"].values, place.grid["y"].values
    half = float(place.meta.get("cell_size", abs(xs[1] - xs[0]) if nx > 1 else 100.0)) / 2
    extent = (xs.min() - half, xs.max() + half, ys.min() - half, ys.max() + half)
    fig = Figure(figsize=(10.0, 4.6), layout="constrained")
    gs = fig.add_gridspec(2, 2, width_ratios=(1.15, 1))
    ax_map = fig.add_subplot(gs[:, 0])
    ax_alert = fig.add_subplot(gs[0, 1])
    ax_ch = fig.add_subplot(gs[1, 1])
    if t >= 0:
        tx, _ = model.drivers.cell_temperatures(t)
        grid = np.asarray(tx, float).reshape(ny, nx)
        grid = np.where(np.asarray(place.grid["residents"].values) > 0, grid, np.nan)
        origin = "upper" if ys[0] > ys[-1] else "lower"
        im = ax_map.imshow(grid, extent=extent, origin=origin, cmap="inferno", vmin=10, vmax=40)
        fig.colorbar(im, ax=ax_map, label="local daily maximum (degC)", shrink=0.8)
        title = f"day {t + 1} of {model.n_days}: {model.drivers.time[t].date()}, alert {_ALERT_NAMES[int(model.levels[t])]}"
    else:
        title = f"not started: {model.n_days} days from {model.drivers.time[0].date()}"
    from matplotlib.patches import PathPatch

    for z in place.zones:
        ax_map.add_patch(PathPatch(_geometry_path(z.geometry, str(z.code)), facecolor="none", edgecolor="white",
                                   linewidth=0.5))
    ax_map.set_xlim(extent[0], extent[1])
    ax_map.set_ylim(extent[2], extent[3])
    ax_map.set_aspect("equal")
    ax_map.set_xticks([])
    ax_map.set_yticks([])
    ax_map.set_title(title, fontsize=10)
    days = np.arange(model.n_days)
    levels = np.asarray(model.levels)
    shown = days <= t
    ax_alert.bar(days[shown] + 1, levels[shown] + 0.15, color=[ALERT_COLOURS[int(v)] for v in levels[shown]], width=1.0)
    ax_alert.set_xlim(0.5, model.n_days + 0.5)
    ax_alert.set_ylim(0, 3.3)
    ax_alert.set_yticks(range(4), [n for n in _ALERT_NAMES], fontsize=7)
    ax_alert.set_title("heat-health alert level by day", fontsize=9)
    x = np.arange(len(CHANNELS))
    for i, (name, label) in enumerate((("contacts", "contacts made"), ("unmet_demand", "unmet requests"))):
        ax_ch.bar(x + (i - 0.5) * 0.4, _cum_by_channel(model, name), 0.4, color=f"C{i}", label=label)
    ax_ch.set_xticks(x, [c.replace("_", " ") for c in CHANNELS], fontsize=8)
    ax_ch.set_ylabel("so far (residents)", fontsize=8)
    ax_ch.legend(fontsize=7)
    ax_ch.set_title("contacts and unmet demand by channel", fontsize=9)
    return fig
