"""Time on treatment in a stepped wedge: does what residents gained carry into later periods?

A stepped wedge's periods are spans of one season. Without carry-over each span starts
fresh (the twin's default, and the premise of the Hussey & Hughes model: one effect,
whatever the time since crossover); with it (``carry_over``, :mod:`twin.trials.simulate`)
a resident who adopted protective behaviour, or was phoned, in period 1 still has it, or is
not phoned again, in period 2.

:func:`time_on_treatment` runs one allocation of a stepped wedge with and without
carry-over, each beside the place left untreated throughout on the same draws (common
random numbers), and averages the paired difference of every cluster-period by its
exposure time (periods since the cluster crossed over; negative: not yet treated, where a
non-zero difference is contamination from treated zones). :func:`exposure_time_model`
is the trialist's side: the exposure-time-indicator mixed model (Kenny et al. 2022,
docs/sources.md), one effect per exposure time, fitted to a trial's cluster × period table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["carryover_answer", "exposure_time_model", "time_on_treatment"]


def time_on_treatment(tt: Any, design: Any, replicate: int = 0) -> Any:
    """Paired effect by exposure time, with and without carry-over (a tidy DataFrame).

    Columns: carry_over (bool), exposure (periods since crossover; -1: control periods), effect
    (mean over cluster-periods of trial minus untreated, outcome units), cells, trial_estimate
    (the Hussey & Hughes mixed model's single effect for the same trial, repeated per row).
    """
    import pandas as pd

    from twin.trials.analysis import analyse

    codes = list(tt.place.zone_codes)
    idx = [codes.index(c) for c in design.clusters]
    cross = np.asarray(design.crossover if design.crossover is not None else
                       np.where(design.treated.any(axis=1), design.treated.argmax(axis=1), design.n_periods))
    exposure = np.arange(design.n_periods)[None, :] - cross[:, None]  # clusters x periods
    rows = []
    for carry in (False, True):
        table = tt.run(design, replicate, carry)
        y = table.pivot(index="cluster", columns="period", values="y").loc[list(design.clusters)].to_numpy()
        y0 = tt.run_chain(replicate, [()] * design.n_periods, carry)[:, idx].T
        est = analyse(table, design="stepped_wedge").iloc[0]
        diff = y - y0
        for e in np.unique(np.maximum(exposure, -1)):
            m = np.maximum(exposure, -1) == e
            rows.append({"carry_over": carry, "exposure": int(e), "effect": float(diff[m].mean()),
                         "cells": int(m.sum()), "trial_estimate": float(est.estimate), "trial_se": float(est.se)})
    return pd.DataFrame(rows)


def exposure_time_model(df: Any, alpha: float = 0.05) -> Any:
    """Mixed model ``y ~ C(period) + C(exposure)`` with a random cluster intercept: the effect per exposure time.

    ``df``: a stepped wedge's cluster × period table (:meth:`TwinTrial.run`). Exposure is 0 in
    control periods and ``1 + periods since crossover`` when treated. Returns one row per
    exposure time: exposure (periods since crossover), estimate, se, ci_low, ci_high.
    """
    import warnings

    import pandas as pd
    import statsmodels.formula.api as smf
    from scipy import stats

    d = df.copy()
    first = d[d["treated"] == 1].groupby("cluster")["period"].min()
    cross = d["cluster"].map(first)
    d["exposure"] = np.where(d["treated"] == 1, d["period"] - cross + 1, 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = smf.mixedlm("y ~ C(period) + C(exposure)", d, groups=d["cluster"]).fit(reml=True)
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for e in sorted(d.loc[d["exposure"] > 0, "exposure"].unique()):
        name = f"C(exposure)[T.{e}]"
        est, se = float(res.fe_params[name]), float(res.bse_fe[name])
        rows.append({"exposure": int(e) - 1, "estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se})
    return pd.DataFrame(rows)


def carryover_answer(tot: Any) -> str:
    """One line per setting: the paired effect by periods since crossover, and the trial's single estimate."""
    lines = ["Effect by periods since crossover (one allocation, paired with the untreated place):"]
    for carry, g in tot.groupby("carry_over", sort=True):
        g = g[g["exposure"] >= 0].sort_values("exposure")
        steps = ", ".join(f"{int(e)}: {v:+.3g}" for e, v in zip(g["exposure"], g["effect"], strict=True))
        lines.append(f"  {'with' if carry else 'without'} carry-over: {steps}; Hussey & Hughes estimate "
                     f"{g['trial_estimate'].iloc[0]:+.3g} (SE {g['trial_se'].iloc[0]:.2g}).")
    spill = tot[tot["exposure"] < 0]
    if len(spill) and np.abs(spill["effect"]).max() > 0:
        lines.append("  Zones not yet treated differ from the untreated place by "
                     + ", ".join(f"{v:+.3g} ({'with' if c else 'without'} carry-over)"
                                 for c, v in zip(spill["carry_over"], spill["effect"], strict=True))
                     + ": contamination from treated zones.")
    return "\n".join(lines)
